package match

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func identityRank(n int) []int32 {
	r := make([]int32, n)
	for i := range r {
		r[i] = int32(i)
	}
	return r
}

// groups turns labels into sorted member lists, for comparing clusterings.
func groups(label []int32) [][]int32 {
	by := map[int32][]int32{}
	for r, l := range label {
		by[l] = append(by[l], int32(r))
	}
	var out [][]int32
	for _, g := range by {
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b []int32) int { return int(a[0] - b[0]) })
	return out
}

func TestClusterLinks(t *testing.T) {
	// differ judges the listed pairs different children and every other pair one child.
	differ := func(pairs ...[2]int32) func(a, b int32) (string, bool) {
		return func(a, b int32) (string, bool) {
			for _, p := range pairs {
				if (p[0] == a && p[1] == b) || (p[0] == b && p[1] == a) {
					return "twins", false
				}
			}
			return "", true
		}
	}
	tests := []struct {
		name     string
		in       clusterInput
		links    []Link
		want     [][]int32
		refusals []string
	}{
		{
			name:  "components when nothing differs",
			in:    clusterInput{n: 5},
			links: []Link{{0, 1, 20}, {1, 2, 15}, {3, 4, 12}},
			want:  [][]int32{{0, 1, 2}, {3, 4}},
		},
		{
			// Twins 0 and 2 share family name, birth date and address: each links to the
			// record 1 of a half-filled submission, but the model says 0 and 2 differ.
			name:     "a bridge record does not chain clearly different records",
			in:       clusterInput{n: 3, judge: differ([2]int32{0, 2})},
			links:    []Link{{0, 1, 20}, {1, 2, 15}},
			want:     [][]int32{{0, 1}, {2}},
			refusals: []string{RefusedDifferent},
		},
		{
			name:     "strongest link wins the bridge",
			in:       clusterInput{n: 3, judge: differ([2]int32{0, 2})},
			links:    []Link{{0, 1, 10}, {1, 2, 15}},
			want:     [][]int32{{0}, {1, 2}},
			refusals: []string{RefusedDifferent},
		},
		{
			// Record 0 has a typo that makes it look like a twin of 4; records 1–3 are
			// the same child as 4 and outvote it.
			name:  "one record with a typo does not keep a child's records apart",
			in:    clusterInput{n: 5, judge: differ([2]int32{0, 4})},
			links: []Link{{0, 1, 30}, {1, 2, 30}, {2, 3, 30}, {3, 4, 20}},
			want:  [][]int32{{0, 1, 2, 3, 4}},
		},
		{
			name:     "twins with several records each stay apart",
			in:       clusterInput{n: 4, judge: differ([2]int32{0, 2}, [2]int32{0, 3}, [2]int32{1, 2}, [2]int32{1, 3})},
			links:    []Link{{0, 1, 30}, {2, 3, 30}, {1, 2, 25}},
			want:     [][]int32{{0, 1}, {2, 3}},
			refusals: []string{RefusedDifferent},
		},
		{
			name:     "a reviewer's different outweighs any number of matches",
			in:       clusterInput{n: 3, apart: func(a, b int32) string { return map[bool]string{true: "reviewer"}[a+b == 2 && a != b] }},
			links:    []Link{{0, 1, 30}, {1, 2, 30}},
			want:     [][]int32{{0, 1}, {2}},
			refusals: []string{RefusedDifferent},
		},
		{
			name:     "a thin record joins one cluster and bridges none",
			in:       clusterInput{n: 3, thin: []bool{false, true, false}},
			links:    []Link{{0, 1, 20}, {1, 2, 15}},
			want:     [][]int32{{0, 1}, {2}},
			refusals: []string{RefusedThin},
		},
		{
			name:  "reviewer's same joins despite no link",
			in:    clusterInput{n: 3, must: [][2]int32{{0, 2}}},
			links: []Link{{0, 1, 20}},
			want:  [][]int32{{0, 1, 2}},
		},
		{
			name:     "size cap",
			in:       clusterInput{n: 3, maxSize: 2},
			links:    []Link{{0, 1, 20}, {1, 2, 15}},
			want:     [][]int32{{0, 1}, {2}},
			refusals: []string{RefusedSize},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.rank = identityRank(tt.in.n)
			c := clusterLinks(tt.in, slices.Clone(tt.links))
			if diff := cmp.Diff(tt.want, groups(c.label)); diff != "" {
				t.Errorf("clusters (-want +got):\n%s", diff)
			}
			var reasons []string
			for _, r := range c.refusals {
				reasons = append(reasons, r.Reason)
			}
			if diff := cmp.Diff(tt.refusals, reasons); diff != "" {
				t.Errorf("refusals (-want +got):\n%s", diff)
			}
			for l, size := range c.size {
				n := 0
				for _, x := range c.label {
					if x == int32(l) {
						n++
					}
				}
				if int(size) != n {
					t.Errorf("cluster %d: size %d, has %d records", l, size, n)
				}
			}
		})
	}
}

// TestClusterLinksOrderFree shuffles records and links: the clusters must not change.
func TestClusterLinksOrderFree(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n = 60
	var links []Link
	for range 150 {
		a, b := int32(rng.IntN(n)), int32(rng.IntN(n))
		if a != b {
			links = append(links, Link{a, b, float64(rng.IntN(6))}) // many ties
		}
	}
	differ := func(a, b int32) (string, bool) {
		if (a+b)%7 == 0 {
			return "differ", false
		}
		return "", (a+b)%3 == 0
	}
	base := clusterLinks(clusterInput{n: n, rank: identityRank(n), judge: differ}, slices.Clone(links))
	want := groups(base.label)
	for trial := range 20 {
		perm := rng.Perm(n) // record r is at position perm[r] in the shuffled input
		pos := func(r int32) int32 { return int32(perm[r]) }
		rank := make([]int32, n)
		back := make([]int32, n)
		for r := range n {
			rank[perm[r]] = int32(r) // same record, same rank
			back[perm[r]] = int32(r)
		}
		shuffled := make([]Link, len(links))
		for k, l := range links {
			shuffled[k] = Link{pos(l.A), pos(l.B), l.Weight}
		}
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got := clusterLinks(clusterInput{n: n, rank: rank,
			judge: func(a, b int32) (string, bool) { return differ(back[a], back[b]) }}, shuffled)
		label := make([]int32, n)
		for r := range n {
			label[r] = got.label[pos(int32(r))]
		}
		if diff := cmp.Diff(want, groups(label)); diff != "" {
			t.Fatalf("trial %d: clusters depend on input order (-want +got):\n%s", trial, diff)
		}
	}
}

func TestClusterPath(t *testing.T) {
	c := clusterLinks(clusterInput{n: 5, rank: identityRank(5)},
		[]Link{{0, 1, 20}, {1, 2, 15}, {2, 3, 14}})
	if diff := cmp.Diff([]Link{{0, 1, 20}, {1, 2, 15}, {2, 3, 14}}, c.path(0, 3)); diff != "" {
		t.Errorf("path(0,3) (-want +got):\n%s", diff)
	}
	if p := c.path(0, 4); p != nil {
		t.Errorf("path to another cluster = %v, want nil", p)
	}
	if !math.IsNaN(c.placed[4]) || c.placed[1] != 20 || c.placed[3] != 14 {
		t.Errorf("placed = %v", c.placed)
	}
}
