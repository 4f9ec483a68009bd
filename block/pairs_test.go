package block

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortKeyEntries: by key, then record, for sizes either side of the counting sort and
// keys that repeat or share their top bits.
func TestSortKeyEntries(t *testing.T) {
	for _, size := range []int{0, 1, 5, 4095, 4096, 50_000} {
		rnd := rand.New(rand.NewPCG(uint64(size), 1))
		var entries []keyEntry
		for i := range size {
			key := rnd.Uint64()
			switch rnd.IntN(4) {
			case 0:
				key = uint64(rnd.IntN(50)) << 58 // few keys, many records each
			case 1:
				key = key>>40<<40 | uint64(rnd.IntN(3)) // top bits shared, low bits differ
			}
			for range 1 + rnd.IntN(2) {
				entries = append(entries, keyEntry{key, int32(i)})
			}
		}
		want := slices.Clone(entries)
		slices.SortFunc(want, func(a, b keyEntry) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.rec, b.rec)) })
		got := sortKeyEntries(entries)
		if !slices.Equal(got, want) {
			t.Errorf("%d entries: not sorted by key then record", size)
		}
	}
}
