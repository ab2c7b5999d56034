// Package wire is the PoC protocol between hotspots and validators' ingest:
// topic and protocol names, the libp2p host and gossip settings both sides
// must share, the encodings of beacon and witness reports and their size
// limits. The hotspot side (package gateway) and the validator side
// (package ingest) both import it; neither imports the other.
//
// Beacons are private until their witness window closes: a hotspot delivers
// its beacon report directly to validators (BeaconProtocol), and validators
// share it on a topic only registered validator ingest peers may join
// (BeaconShareTopic). Witness reports travel on an open topic
// (WitnessTopic) sealed: without the payload, which they name by hash.
package wire
