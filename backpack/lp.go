package backpack

import (
	"errors"
	"math"
)

// lpTerm is one coefficient of a constraint row.
type lpTerm struct {
	v    int
	coef int64
}

// lpModel is a system of integer equalities over bounded non-negative variables:
// Σ coef·x[v] = rhs for each row, 0 ≤ lower[v] ≤ x[v] ≤ upper[v].
type lpModel struct {
	lower []int64
	upper []int64
	rows  [][]lpTerm
	rhs   []int64
}

func (m *lpModel) addVar(lower, upper int64) int {
	m.lower = append(m.lower, lower)
	m.upper = append(m.upper, upper)
	return len(m.upper) - 1
}

func (m *lpModel) addRow(terms []lpTerm, rhs int64) {
	m.rows = append(m.rows, terms)
	m.rhs = append(m.rhs, rhs)
}

// satisfies reports whether the integer point x meets every row and bound exactly: the
// check that makes a floating-point optimum a proof.
func (m *lpModel) satisfies(x []int64) bool {
	for v, u := range m.upper {
		if x[v] < m.lower[v] || x[v] > u {
			return false
		}
	}
	for r, row := range m.rows {
		var sum int64
		for _, t := range row {
			sum += t.coef * x[t.v]
		}
		if sum != m.rhs[r] {
			return false
		}
	}
	return true
}

const lpEps = 1e-9

var errInfeasible = errors.New("the published counts contradict each other")

// lpSolver is a bounded-variable primal simplex on a dense tableau, with Bland's rule so
// that it cannot cycle. Phase 1 finds a feasible basis once; each objective then starts
// from a copy of it.
type lpSolver struct {
	m, n  int       // rows, structural variables; artificial variable i is column n+i
	tab   []float64 // m × (n+m): B⁻¹A
	beta  []float64 // values of the basic variables, by row
	basis []int     // variable basic in each row
	upper []float64 // per column, of the variable shifted to start at 0
	lower []float64 // per structural variable: the shift
	atUp  []bool    // nonbasic at its upper bound (else at 0)
	isBas []bool
	d     []float64 // reduced costs
}

// newLPSolver runs phase 1 on the model and returns the solver at a feasible basis, or
// errInfeasible. It solves for x - lower, whose bounds start at 0.
func newLPSolver(model *lpModel) (*lpSolver, error) {
	m, n := len(model.rows), len(model.upper)
	cols := n + m
	s := &lpSolver{m: m, n: n, tab: make([]float64, m*cols), beta: make([]float64, m), basis: make([]int, m),
		upper: make([]float64, cols), lower: make([]float64, n), atUp: make([]bool, cols), isBas: make([]bool, cols), d: make([]float64, cols)}
	for v, u := range model.upper {
		if u < model.lower[v] {
			return nil, errInfeasible
		}
		s.upper[v], s.lower[v] = float64(u-model.lower[v]), float64(model.lower[v])
	}
	for r, row := range model.rows {
		rhs := model.rhs[r]
		for _, t := range row {
			rhs -= t.coef * model.lower[t.v]
		}
		sign := 1.0
		if rhs < 0 {
			sign = -1
		}
		for _, t := range row {
			s.tab[r*cols+t.v] += sign * float64(t.coef)
		}
		s.tab[r*cols+n+r] = 1
		s.beta[r] = sign * float64(rhs)
		s.basis[r] = n + r
		s.isBas[n+r] = true
		s.upper[n+r] = math.Inf(1)
	}
	cost := make([]float64, cols)
	for i := range m {
		cost[n+i] = 1
	}
	s.setCost(cost)
	s.iterate()
	total := 0.0
	for r, v := range s.basis {
		if v >= n {
			total += s.beta[r]
		}
	}
	if total > 1e-6 {
		return nil, errInfeasible
	}
	for i := range m { // artificials are fixed at zero from now on
		s.upper[n+i] = 0
	}
	return s, nil
}

func (s *lpSolver) clone() *lpSolver {
	c := *s
	c.tab = append([]float64(nil), s.tab...)
	c.beta = append([]float64(nil), s.beta...)
	c.basis = append([]int(nil), s.basis...)
	c.atUp = append([]bool(nil), s.atUp...)
	c.isBas = append([]bool(nil), s.isBas...)
	c.d = append([]float64(nil), s.d...)
	return &c
}

// setCost sets the objective to minimise and computes the reduced costs.
func (s *lpSolver) setCost(cost []float64) {
	cols := s.n + s.m
	copy(s.d, cost)
	for r, v := range s.basis {
		if cb := cost[v]; cb != 0 {
			row := s.tab[r*cols : (r+1)*cols]
			for j := range cols {
				s.d[j] -= cb * row[j]
			}
		}
	}
}

// optimise returns the minimum (sign 1) or maximum (sign -1) of variable q from a copy of
// s, with the point that attains it.
func (s *lpSolver) optimise(q int, sign float64) []float64 {
	c := s.clone()
	cost := make([]float64, c.n+c.m)
	cost[q] = sign
	c.setCost(cost)
	c.iterate()
	return c.point()
}

// point returns the structural variables' values.
func (s *lpSolver) point() []float64 {
	x := make([]float64, s.n)
	for v := range s.n {
		if s.atUp[v] {
			x[v] = s.upper[v]
		}
	}
	for r, v := range s.basis {
		if v < s.n {
			x[v] = s.beta[r]
		}
	}
	for v := range x {
		x[v] += s.lower[v]
	}
	return x
}

// iterate pivots until no reduced cost improves the objective. Every variable is bounded,
// so the problem cannot be unbounded.
func (s *lpSolver) iterate() {
	cols := s.n + s.m
	for {
		enter, dir := -1, 0.0
		for j := range cols {
			if s.isBas[j] || s.upper[j] <= 0 {
				continue
			}
			if !s.atUp[j] && s.d[j] < -lpEps {
				enter, dir = j, 1
				break
			}
			if s.atUp[j] && s.d[j] > lpEps {
				enter, dir = j, -1
				break
			}
		}
		if enter < 0 {
			return
		}
		step, leave, leaveUp := s.upper[enter], -1, false
		for r := range s.m {
			a := dir * s.tab[r*cols+enter]
			v := s.basis[r]
			var limit float64
			switch {
			case a > lpEps:
				limit = s.beta[r] / a
			case a < -lpEps && !math.IsInf(s.upper[v], 1):
				limit = (s.upper[v] - s.beta[r]) / -a
			default:
				continue
			}
			// Bland: the smallest step, ties to the basic variable of smallest index (and to
			// any basic variable over the entering one's bound flip).
			if limit < step-lpEps || (limit < step+lpEps && (leave < 0 || v < s.basis[leave])) {
				step, leave, leaveUp = max(limit, 0), r, a < 0
			}
		}
		for r := range s.m {
			s.beta[r] -= dir * step * s.tab[r*cols+enter]
		}
		if leave < 0 { // the entering variable reaches its other bound
			s.atUp[enter] = !s.atUp[enter]
			continue
		}
		value := step
		if s.atUp[enter] {
			value = s.upper[enter] - step
		}
		old := s.basis[leave]
		s.isBas[old], s.atUp[old] = false, leaveUp
		s.isBas[enter], s.atUp[enter] = true, false
		s.basis[leave] = enter
		s.pivot(leave, enter)
		s.beta[leave] = value
	}
}

// pivot makes column j the unit vector of row r in the tableau and the reduced costs.
func (s *lpSolver) pivot(r, j int) {
	cols := s.n + s.m
	prow := s.tab[r*cols : (r+1)*cols]
	p := prow[j]
	for k := range prow {
		prow[k] /= p
	}
	prow[j] = 1
	for i := range s.m {
		if i == r {
			continue
		}
		row := s.tab[i*cols : (i+1)*cols]
		if f := row[j]; f != 0 {
			for k := range row {
				row[k] -= f * prow[k]
			}
			row[j] = 0
		}
	}
	if f := s.d[j]; f != 0 {
		for k := range s.d {
			s.d[k] -= f * prow[k]
		}
		s.d[j] = 0
	}
}
