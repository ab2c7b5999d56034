// Package verify judges proof-of-coverage reports: the beacon checks, the
// witness checks, reciprocity, witness selection and HIP-15 reward units of
// docs/poc-rules.md, and the HIP-17 hex-density scale.
//
// It is pure: no store, no clock, no SDK. Everything a verdict depends on is
// an argument (the reports, the hotspots as registered, parameters, and the
// chain facts the keeper looks up), so the chain, the offline checker
// (`pocd poc check`) and the tests all run the same code. Arithmetic that
// feeds a verdict or a stored value is integer (see package geo).
package verify
