package block

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPostingsMatchMapOfSlices: keys added in any order give back their records, newest
// first, as a map of slices would, with their counts.
func TestPostingsMatchMapOfSlices(t *testing.T) {
	var p Postings
	want := map[uint64][]int32{}
	rng := rand.New(rand.NewPCG(1, 2))
	for rec := int32(0); rec < 2000; rec++ {
		for range rng.IntN(4) {
			key := rng.Uint64N(300)
			p.Add(key, rec)
			want[key] = append(want[key], rec)
		}
	}
	if len(p.lists) != len(want) {
		t.Errorf("%d keys, want %d", len(p.lists), len(want))
	}
	check(t, &p, want)
	p.Compact()
	check(t, &p, want)
	for key, l := range p.lists {
		for e := l.newest; p.older[e] >= 0; e = p.older[e] {
			if p.older[e] != e+1 {
				t.Fatalf("key %d after Compact: entry %d is followed by %d, not the next one", key, e, p.older[e])
			}
		}
	}
	for rec := int32(2000); rec < 2100; rec++ { // added after Compact
		key := rng.Uint64N(300)
		p.Add(key, rec)
		want[key] = append(want[key], rec)
	}
	check(t, &p, want)
}

// check compares p with want, a map of slices in the order records were added.
func check(t *testing.T, p *Postings, want map[uint64][]int32) {
	t.Helper()
	for key := range uint64(310) {
		w := slices.Clone(want[key])
		slices.Reverse(w)
		got := p.AppendList([]int32{-7}, p.List(key))
		if diff := cmp.Diff(append([]int32{-7}, w...), got); diff != "" {
			t.Errorf("key %d (-want +got):\n%s", key, diff)
		}
		if p.List(key).Len() != len(w) {
			t.Errorf("List(%d).Len() = %d, want %d", key, p.List(key).Len(), len(w))
		}
	}
}

// TestPostingsZeroValue: an empty Postings answers without panicking.
func TestPostingsZeroValue(t *testing.T) {
	var p Postings
	if got := p.AppendList(nil, p.List(42)); got != nil || p.List(42).Len() != 0 {
		t.Errorf("empty postings: %v, Len %d", got, p.List(42).Len())
	}
	if got := p.AppendList(nil, PostingList{}); got != nil {
		t.Errorf("the zero list holds %v", got)
	}
}
