package prefetch

import "testing"

func TestLineSpan(t *testing.T) {
	tests := []struct {
		start       uintptr
		n           int
		first, last uintptr
	}{
		{start: 0, n: 1, first: 0, last: 0},
		{start: 0, n: 64, first: 0, last: 0},
		{start: 0, n: 65, first: 0, last: 64},
		{start: 63, n: 1, first: 0, last: 0},
		{start: 63, n: 2, first: 0, last: 64},
		{start: 100, n: 264, first: 64, last: 320}, // a sketch row off the line: 5 lines
		{start: 128, n: 264, first: 128, last: 384},
	}
	for _, tt := range tests {
		first, last := lineSpan(tt.start, tt.n)
		if first != tt.first || last != tt.last {
			t.Errorf("lineSpan(%d, %d) = %d, %d; want %d, %d", tt.start, tt.n, first, last, tt.first, tt.last)
		}
	}
}

// TestBytesChangesNothing hints every sub-slice of a buffer, up to its last byte and from
// odd starts, and a nil one: none may fault or change a byte.
func TestBytesChangesNothing(t *testing.T) {
	buf := make([]byte, 300)
	for i := range buf {
		buf[i] = byte(i)
	}
	Bytes(nil)
	for lo := range buf {
		for hi := lo; hi <= len(buf); hi += 37 {
			Bytes(buf[lo:hi])
		}
		Bytes(buf[lo:])
	}
	for i, c := range buf {
		if c != byte(i) {
			t.Fatalf("buf[%d] = %d after hints, want %d", i, c, byte(i))
		}
	}
}
