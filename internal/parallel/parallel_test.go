package parallel

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRanges: the ranges cover [0, n) once, contiguous in worker order (run with -race).
func TestRanges(t *testing.T) {
	tests := []struct{ workers, n int }{
		{1, 0}, {1, 10}, {2, 10}, {3, 10}, {4, 3}, {0, 5}, {-1, 5}, {7, 1000},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d workers, %d rows", tc.workers, tc.n), func(t *testing.T) {
			want := max(tc.workers, 1)
			var mu sync.Mutex
			got := make([][2]int, want)
			seen := make([]int, tc.n)
			Ranges(tc.workers, tc.n, func(w, lo, hi int) {
				for i := lo; i < hi; i++ {
					seen[i]++ // ranges do not overlap, so no two workers write one element
				}
				mu.Lock()
				got[w] = [2]int{lo, hi}
				mu.Unlock()
			})
			for w, r := range got {
				start := 0
				if w > 0 {
					start = got[w-1][1]
				}
				if r[0] != start || r[1] < r[0] {
					t.Errorf("worker %d: range %v after %d", w, r, start)
				}
			}
			if end := got[want-1][1]; end != tc.n {
				t.Errorf("ranges end at %d, want %d", end, tc.n)
			}
			ones := make([]int, tc.n)
			for i := range ones {
				ones[i] = 1
			}
			if d := cmp.Diff(ones, seen); d != "" {
				t.Errorf("rows seen (-once +got):\n%s", d)
			}
		})
	}
}
