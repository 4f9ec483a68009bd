// Package fnv1a owns the project's one FNV-1a: the running 64-bit hash that blocking's
// grams, the scorer's sketch keys and the shared-address counts are built on.
package fnv1a
