// Package geo is pocd's deterministic spherical geometry: H3 cell centres,
// great-circle distances and the free-space path-loss bound, computed so that
// every validator gets bit-identical results on every CPU.
//
// Nothing here uses float64 arithmetic or the math package for a result that
// feeds state or a verdict:
//
//   - Cell centres port H3's cellToVec3 (the integer face/IJK walk of
//     _h3ToFaceIjk, then _faceIjkToVec3) with the trigonometry done in
//     math/big at 192 bits with our own series. The result is stored as a unit
//     vector in Q61 fixed point (int64 components).
//   - Distances use integer arithmetic on those vectors: the chord length by
//     an integer square root, the central angle by a fixed-point arcsine
//     series, metres by a 128-bit multiply and a rounding division.
//   - Path loss uses an integer log2 (repeated squaring in Q62) and constants
//     computed once in math/big; results are whole micro-decibels.
//
// math/big and math/bits are pure integer code in Go, so neither fused
// multiply-add, assembly versions of math functions nor the C library can
// change a result. The golden tests pin exact values and CI runs them on
// amd64 and, built for arm64, under qemu-user.
package geo
