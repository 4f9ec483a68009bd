package backpack_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/studentlink/studentlink/backpack"
)

// The attacker of these tests reads a release as a researcher gets it — the CSV files —
// and works out by exhaustive search every table consistent with what they show: counts
// are whole numbers, not negative, rows and columns add up to their totals, tables that
// count the same attribute share its margins, a cell labelled "N<m" counts fewer than m,
// and a category the table shows has at least one student unless the release declared
// its categories (Table.RowsDeclared, which the release's documentation says). It shares
// no code with the library's audit.

// shown is one published table as its CSV shows it.
type shown struct {
	rowAttr, colAttr string
	rows, cols       []string
	grid             [][]string // with the margins, as labels
	// rowsDeclared and colsDeclared: the release says its categories were fixed before
	// counting, so a category may count no one.
	rowsDeclared, colsDeclared bool
}

func readShown(t testing.TB, p backpack.Published) shown {
	t.Helper()
	var buf bytes.Buffer
	if err := p.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	attrs := strings.Split(recs[0][0], " \\ ")
	s := shown{rowAttr: attrs[0], colAttr: attrs[1], cols: recs[0][1 : len(recs[0])-1],
		rowsDeclared: p.RowsDeclared, colsDeclared: p.ColsDeclared}
	for _, r := range recs[1:] {
		if r[0] != "Total" {
			s.rows = append(s.rows, r[0])
		}
		s.grid = append(s.grid, r[1:])
	}
	return s
}

// attackRange is what the attacker knows of one hidden cell.
type attackRange struct{ lo, hi int }

// attack returns the range of every hidden cell of the release, keyed by table, row and
// column of the grid. It gives up (ok false) past limit solutions.
func attack(t testing.TB, ps []backpack.Published, limit int) (ranges map[[3]int]attackRange, ok bool) {
	t.Helper()
	type variable struct {
		at     [3]int
		lo, up int
	}
	var vars []variable
	index := map[[3]int]int{}
	// An equation: Σ coef·value = 0 over cells, each a variable or a shown count.
	type term struct {
		v, coef int // v < 0: a constant in coef
	}
	var eqs [][]term
	total := -1
	tables := make([]shown, len(ps))
	for k, p := range ps {
		tables[k] = readShown(t, p)
		last := tables[k].grid[len(tables[k].grid)-1]
		if n, err := strconv.Atoi(last[len(last)-1]); err == nil {
			total = n
		}
	}
	if total < 0 {
		return nil, false // without a total, hidden counts have no bound to search up to
	}
	value := func(k, i, j int) term {
		label := tables[k].grid[i][j]
		if n, err := strconv.Atoi(label); err == nil {
			return term{-1, n}
		}
		at := [3]int{k, i, j}
		if v, ok := index[at]; ok {
			return term{v, 1}
		}
		up := 1 << 30
		if m, ok := strings.CutPrefix(label, "N<"); ok {
			n, err := strconv.Atoi(m)
			if err != nil {
				t.Fatalf("label %q", label)
			}
			up = n - 1
		} else if label != backpack.SuppressedLabel {
			t.Fatalf("label %q", label)
		}
		// A category's margin counts one at least, unless the categories were declared; so
		// does the grand total of a table with such a category.
		s := tables[k]
		lastRow, lastCol := i == len(s.grid)-1, j == len(s.grid[0])-1
		lo := 0
		if lastCol && !lastRow && !s.rowsDeclared || lastRow && !lastCol && !s.colsDeclared ||
			lastRow && lastCol && !(s.rowsDeclared && s.colsDeclared) {
			lo = 1
		}
		index[at] = len(vars)
		vars = append(vars, variable{at, lo, up})
		return term{len(vars) - 1, 1}
	}
	// Each row and each column of a grid adds up to its last cell.
	line := func(k, n int, at func(int) (int, int)) {
		var eq []term
		for m := range n {
			i, j := at(m)
			x := value(k, i, j)
			if m == n-1 {
				x.coef = -x.coef
			}
			eq = append(eq, x)
		}
		eqs = append(eqs, eq)
	}
	for k, s := range tables {
		nr, nc := len(s.grid), len(s.grid[0])
		for i := range nr {
			line(k, nc, func(j int) (int, int) { return i, j })
		}
		for j := range nc {
			line(k, nr, func(i int) (int, int) { return i, j })
		}
	}
	// Shared margins: an attribute's total for a category is one count in every table.
	margin := func(k int, attr, cat string) (term, bool) {
		s := tables[k]
		nr, nc := len(s.grid), len(s.grid[0])
		if attr == s.rowAttr {
			for i, r := range s.rows {
				if r == cat {
					return value(k, i, nc-1), true
				}
			}
		}
		if attr == s.colAttr {
			for j, c := range s.cols {
				if c == cat {
					return value(k, nr-1, j), true
				}
			}
		}
		return term{}, false
	}
	for a := range tables {
		for b := a + 1; b < len(tables); b++ {
			s := tables[a]
			for _, side := range []struct {
				attr string
				cats []string
			}{{s.rowAttr, s.rows}, {s.colAttr, s.cols}} {
				for _, cat := range side.cats {
					x, _ := margin(a, side.attr, cat)
					if y, ok := margin(b, side.attr, cat); ok {
						y.coef = -y.coef
						eqs = append(eqs, []term{x, y})
					}
				}
			}
			x := value(a, len(tables[a].grid)-1, len(tables[a].grid[0])-1)
			y := value(b, len(tables[b].grid)-1, len(tables[b].grid[0])-1)
			y.coef = -y.coef
			eqs = append(eqs, []term{x, y})
		}
	}
	for k := range vars {
		if vars[k].up > total {
			vars[k].up = total // no cell counts more than everyone, whatever its label
		}
	}
	// Depth-first search, forcing any variable an equation leaves alone.
	assigned := make([]int, len(vars))
	set := make([]bool, len(vars))
	ranges = map[[3]int]attackRange{}
	solutions := 0
	var search func() bool
	search = func() bool {
		var forcedVars []int
		defer func() {
			for _, v := range forcedVars {
				set[v] = false
			}
		}()
		for progress := true; progress; {
			progress = false
			for _, eq := range eqs {
				sum, free, freeCoef := 0, -1, 0
				nFree := 0
				for _, x := range eq {
					switch {
					case x.v < 0:
						sum += x.coef
					case set[x.v]:
						sum += x.coef * assigned[x.v]
					default:
						nFree++
						free, freeCoef = x.v, x.coef
					}
				}
				switch {
				case nFree == 0 && sum != 0:
					return true
				case nFree == 1:
					val := -sum / freeCoef
					if val*freeCoef != -sum || val < vars[free].lo || val > vars[free].up {
						return true
					}
					assigned[free], set[free] = val, true
					forcedVars = append(forcedVars, free)
					progress = true
				}
			}
		}
		next := -1
		for v := range vars {
			if !set[v] {
				next = v
				break
			}
		}
		if next < 0 {
			solutions++
			for v, x := range vars {
				r, seen := ranges[x.at]
				if !seen {
					r = attackRange{assigned[v], assigned[v]}
				}
				r.lo, r.hi = min(r.lo, assigned[v]), max(r.hi, assigned[v])
				ranges[x.at] = r
			}
			return solutions < limit
		}
		for val := vars[next].lo; val <= vars[next].up; val++ {
			assigned[next], set[next] = val, true
			if !search() {
				set[next] = false
				return false
			}
		}
		set[next] = false
		return true
	}
	if !search() {
		return nil, false
	}
	return ranges, true
}

// recovered lists what the attacker learns: each hidden cell pinned to a count or known
// to be a small count that is not zero.
func recovered(t testing.TB, ps []backpack.Published, limit int) ([]string, bool) {
	t.Helper()
	ranges, ok := attack(t, ps, limit)
	if !ok {
		return nil, false
	}
	var out []string
	for at, r := range ranges {
		m := ps[at[0]].Min
		switch {
		case r.lo == r.hi:
			out = append(out, fmt.Sprintf("table %d cell %d,%d = %d", at[0], at[1], at[2], r.lo))
		case r.lo >= 1 && r.hi < m:
			out = append(out, fmt.Sprintf("table %d cell %d,%d in %d–%d", at[0], at[1], at[2], r.lo, r.hi))
		}
	}
	return out, true
}
