package prefetch

import "unsafe"

// lineSize is the cache line the hints step by: 64 bytes on the processors here that
// have a prefetch instruction (a longer line only makes some hints redundant).
const lineSize = 64

// Bytes hints that b is about to be read: one hint for each cache line b touches. An
// empty b is a no-op.
func Bytes(b []byte) {
	if len(b) == 0 {
		return
	}
	// Addresses only: a hint reads nothing, so the line-aligned start before b is safe.
	first, last := lineSpan(uintptr(unsafe.Pointer(unsafe.SliceData(b))), len(b))
	for a := first; a <= last; a += lineSize {
		line(a)
	}
}

// lineSpan returns the starts of the first and last cache lines that n > 0 bytes from
// start touch.
func lineSpan(start uintptr, n int) (first, last uintptr) {
	return start &^ (lineSize - 1), (start + uintptr(n) - 1) &^ (lineSize - 1)
}
