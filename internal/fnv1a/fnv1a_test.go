package fnv1a

import (
	"hash/fnv"
	"testing"
)

// TestAgainstStdlib: the running hash is hash/fnv's New64a over the same bytes.
func TestAgainstStdlib(t *testing.T) {
	for _, parts := range [][]string{{}, {""}, {"a"}, {"ab", "c"}, {"a", "bc"}, {"García López", "84601"}} {
		want := fnv.New64a()
		h := uint64(Offset)
		for _, p := range parts {
			want.Write([]byte(p))
			h = String(h, p)
		}
		if got := h; got != want.Sum64() {
			t.Errorf("%q: %x, want %x", parts, got, want.Sum64())
		}
		want.Write([]byte{0xff})
		if got := Byte(h, 0xff); got != want.Sum64() {
			t.Errorf("%q then 0xff: %x, want %x", parts, got, want.Sum64())
		}
	}
}

func FuzzString(f *testing.F) {
	f.Add("ab", "c")
	f.Fuzz(func(t *testing.T, a, b string) {
		want := fnv.New64a()
		want.Write([]byte(a))
		want.Write([]byte(b))
		if got := String(String(Offset, a), b); got != want.Sum64() {
			t.Errorf("%q %q: %x, want %x", a, b, got, want.Sum64())
		}
	})
}
