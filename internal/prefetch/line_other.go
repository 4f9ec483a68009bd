//go:build !amd64 && !arm64

package prefetch

// line does nothing where there is no prefetch instruction here to ask for.
func line(uintptr) {}
