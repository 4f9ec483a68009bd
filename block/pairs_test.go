package block

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestKeyEntries: every record's keys by key, then record, for sizes either side of the
// counting sort, keys that repeat or share their top bits, and records with no key or
// several.
func TestKeyEntries(t *testing.T) {
	for _, size := range []int{0, 1, 5, 4095, 4096, 50_000} {
		rnd := rand.New(rand.NewPCG(uint64(size), 1))
		var keys []uint64
		off := []int32{0}
		var want []keyEntry
		for i := 0; len(keys) < size; i++ {
			for range rnd.IntN(3) {
				key := rnd.Uint64()
				switch rnd.IntN(4) {
				case 0:
					key = uint64(rnd.IntN(50)) << 58 // few keys, many records each
				case 1:
					key = key>>40<<40 | uint64(rnd.IntN(3)) // top bits shared, low bits differ
				}
				keys = append(keys, key)
				want = append(want, keyEntry{key, int32(i)})
			}
			off = append(off, int32(len(keys)))
		}
		slices.SortFunc(want, func(a, b keyEntry) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.rec, b.rec)) })
		if got := keyEntries(keys, off); !slices.Equal(got, want) {
			t.Errorf("%d keys: not sorted by key then record", len(keys))
		}
	}
}
