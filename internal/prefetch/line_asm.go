//go:build amd64 || arm64

package prefetch

// line hints that the cache line holding addr is about to be read.
func line(addr uintptr)
