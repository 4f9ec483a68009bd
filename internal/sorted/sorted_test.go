package sorted

import (
	"slices"
	"testing"
)

func TestIntersect(t *testing.T) {
	tests := []struct {
		a, b []uint64
		want bool
	}{
		{nil, nil, false},
		{[]uint64{1}, nil, false},
		{nil, []uint64{1}, false},
		{[]uint64{1, 3, 5}, []uint64{2, 4, 6}, false},
		{[]uint64{1, 3, 5}, []uint64{5}, true},
		{[]uint64{7}, []uint64{1, 2, 7, 9}, true},
		{[]uint64{1, 2}, []uint64{3, 4}, false},
		{[]uint64{4, 9}, []uint64{1, 9}, true},
	}
	for _, tt := range tests {
		if got := Intersect(tt.a, tt.b); got != tt.want {
			t.Errorf("Intersect(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := Intersect(tt.b, tt.a); got != tt.want {
			t.Errorf("Intersect(%v, %v) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

// FuzzIntersect checks the merge against a search of one slice for each element of the
// other.
func FuzzIntersect(f *testing.F) {
	f.Add([]byte{1, 3, 5}, []byte{2, 5})
	f.Add([]byte{}, []byte{0})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		slices.Sort(a)
		slices.Sort(b)
		want := false
		for _, x := range a {
			if _, found := slices.BinarySearch(b, x); found {
				want = true
			}
		}
		if got := Intersect(a, b); got != want {
			t.Errorf("Intersect(%v, %v) = %v, want %v", a, b, got, want)
		}
	})
}
