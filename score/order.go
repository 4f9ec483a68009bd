package score

import (
	"math"
	"slices"
)

// OrderLevels makes a comparison's level weights log2(m/u) respect the order of its
// levels: exact is at least every fuzzier level, and every fuzzier level is at least
// else. m and u are indexed by level, with the null level at 0 ignored and else last;
// m is changed in place, u is not.
//
// Levels out of order are pooled, as in isotonic regression: a pooled group shares one
// ratio m/u, the group's total m over its total u, and keeps its total m. With u fixed
// this is the most likely m under the order. The fuzzier levels are not ordered among
// themselves (a day–month swap may be stronger evidence than one digit off, or not);
// they are pooled with exact or else only where they would pass them.
func OrderLevels(m, u []float64) {
	n := len(m)
	if n < 3 || len(u) != n {
		return
	}
	floor := func(x float64) float64 { return math.Max(x, minProbability) }
	ratio := func(l int) float64 { return m[l] / floor(u[l]) }
	// Exact, then the fuzzier levels by falling ratio, then else: the order isotonic
	// regression under "exact ≥ each middle ≥ else" pools along.
	order := []int{1}
	middles := make([]int, 0, n)
	for l := 2; l < n-1; l++ {
		middles = append(middles, l)
	}
	slices.SortStableFunc(middles, func(a, b int) int {
		ra, rb := ratio(a), ratio(b)
		switch {
		case ra > rb:
			return -1
		case ra < rb:
			return 1
		}
		return 0
	})
	order = append(order, middles...)
	if n-1 > 1 {
		order = append(order, n-1)
	}
	type group struct {
		start, end int // order[start:end]
		m, u       float64
	}
	var groups []group
	for k, l := range order {
		groups = append(groups, group{k, k + 1, m[l], floor(u[l])})
		for len(groups) > 1 {
			a, b := groups[len(groups)-2], groups[len(groups)-1]
			if a.m/a.u >= b.m/b.u {
				break
			}
			groups = groups[:len(groups)-2]
			groups = append(groups, group{a.start, b.end, a.m + b.m, a.u + b.u})
		}
	}
	for _, g := range groups {
		if g.end-g.start == 1 {
			continue
		}
		r := g.m / g.u
		for _, l := range order[g.start:g.end] {
			m[l] = floor(u[l]) * r
		}
	}
}

// LevelsOrdered reports whether a comparison's weights respect the order OrderLevels
// keeps, within a small tolerance; it returns the first level out of order, or 0. A
// level never seen among non-matches (u under minProbability) has only a clamped weight
// and is passed over, as exact and else are compared with each other then.
func LevelsOrdered(m, u []float64) int {
	n := len(m)
	if n < 3 {
		return 0
	}
	w := func(l int) float64 { return levelWeight(m[l], u[l]) }
	seen := func(l int) bool { return u[l] >= minProbability }
	const slack = 1e-6
	for l := 2; l < n; l++ {
		if seen(l) && seen(1) && w(l) > w(1)+slack {
			return l
		}
		if l < n-1 && seen(l) && seen(n-1) && w(l) < w(n-1)-slack {
			return l
		}
	}
	return 0
}
