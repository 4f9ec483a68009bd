package sorted

import "cmp"

// Intersect reports whether the ascending slices a and b share an element; false when
// either is empty. It reads each slice once, merging them.
func Intersect[T cmp.Ordered](a, b []T) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			return true
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return false
}
