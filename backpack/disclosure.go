package backpack

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Bound is what a reader of a release can tell about one cell: the range of counts the
// cell can have in tables consistent with everything the release publishes.
type Bound struct {
	Table    int // index of the table in the release
	Row, Col int // grid position; len(Rows) and len(Cols) are the margins
	Label    string
	Count    int // the true count, which the release must not give away
	// Lo and Hi are the smallest and largest counts the cell can have. Each is attained by
	// an integer table consistent with the release, which the audit built and checked
	// exactly; they are the linear-programming bounds whenever those are attained.
	Lo, Hi int
	// Leak says how the cell is disclosed ("" when it is not): shown though under the
	// minimum, pinned (Lo == Hi), known to be a small non-zero count (1 ≤ Lo, Hi < Min), or
	// bounds no integer table confirmed.
	Leak string
}

// Audit attacks a release as a reader holding all its tables would: for every suppressed
// cell, it computes by linear programming the smallest and largest count the cell can
// have given every published count, every label ("N<min" means at most min-1;
// "suppressed" means nothing), that counts are not negative, that a category a table
// shows without declaring it (see Table.RowsDeclared) counts one at least, what
// MergeSmallRows tells of a table's rows (each at least its minimum, the Combined row no
// more than its Merged categories can count), that each row
// and column of
// a table sums to its total, that tables counting the same attribute share its margins
// and that all count one population. It returns a Bound for every suppressed cell and
// for every shown count under the minimum, in table, row, column order. The tables must
// form a release as SuppressTables requires; a label "N<min" on a count that is not under
// the minimum is an error.
//
// A range is computed with floating-point simplex but reported only as attained by
// integer tables that are checked exactly, so a release Audit passes has, for every
// suppressed cell, real tables consistent with it in which the cell differs, one of
// which puts it at 0 or at the minimum or more.
func Audit(release ...Published) ([]Bound, error) {
	if len(release) == 0 {
		return nil, nil
	}
	for k, p := range release {
		if p.Min != release[0].Min {
			return nil, fmt.Errorf("backpack: research: table %d (%s × %s): minimum %d, the release's is %d", k, p.RowName, p.ColName, p.Min, release[0].Min)
		}
	}
	return auditTables(release)
}

// auditTables is Audit of tables that may have minimums of their own, as tables of
// several releases do (see ClaimRelease): each "N<min" label and each cell's leak are
// judged by the minimum of its own table. The tables get Audit's checks (checkTables:
// one total, each attribute counted alike, no cycle of attributes) here, so that a joint
// audit of releases cannot skip them.
func auditTables(release []Published) ([]Bound, error) {
	tables := make([]Table, len(release))
	for k, p := range release {
		tables[k] = p.Table
	}
	if err := checkTables(tables); err != nil {
		return nil, err
	}
	for k, p := range release {
		if err := p.checkLabels(p.Min); err != nil {
			return nil, fmt.Errorf("backpack: research: table %d (%s × %s): %w", k, p.RowName, p.ColName, err)
		}
	}
	rm := modelOf(release)
	s, err := newLPSolver(&rm.lpModel)
	if err != nil {
		return nil, fmt.Errorf("backpack: research: %w", err)
	}
	var out []Bound
	for t, p := range release {
		for i := range p.Suppressed {
			for j := range p.Suppressed[i] {
				b, min := Bound{Table: t, Row: i, Col: j, Label: p.Label(i, j), Count: p.cell(i, j)}, p.Min
				if !p.Suppressed[i][j] {
					if b.Count >= min {
						continue
					}
					b.Lo, b.Hi, b.Leak = b.Count, b.Count, fmt.Sprintf("shown although it counts fewer than %d", min)
				} else {
					r := rm.rangeOf(s, rm.vars[cell{t, i, j}])
					b.Lo, b.Hi, b.Leak = int(r.lo), int(r.hi), r.leak(min)
				}
				out = append(out, b)
			}
		}
	}
	return out, nil
}

// checkLabels checks a published table's grids against its counts and the minimum.
func (p *Published) checkLabels(min int) error {
	switch {
	case min < 1:
		return fmt.Errorf("minimum %d", min)
	case len(p.Suppressed) != len(p.Rows)+1 || len(p.Small) != len(p.Rows)+1:
		return errors.New("the suppression grids do not match the table")
	}
	for i := range p.Suppressed {
		if len(p.Suppressed[i]) != len(p.Cols)+1 || len(p.Small[i]) != len(p.Cols)+1 {
			return errors.New("the suppression grids do not match the table")
		}
		for j := range p.Small[i] {
			if p.Small[i][j] && (!p.Suppressed[i][j] || p.cell(i, j) >= min) {
				return fmt.Errorf("cell %d,%d is labelled N<%d but counts %d", i, j, min, p.cell(i, j))
			}
		}
	}
	return nil
}

// checkTables checks that tables can form one release: each well formed, all with one
// total, an attribute counted by several with the same categories and margins in each,
// and no cycle among the tables' attributes.
func checkTables(tables []Table) error {
	type margin struct {
		cats     []string
		counts   []int
		declared bool
	}
	margins := map[string]margin{}
	parent := map[string]string{}
	var root func(string) string
	root = func(a string) string {
		if p, ok := parent[a]; ok && p != a {
			parent[a] = root(p)
			return parent[a]
		}
		parent[a] = a
		return a
	}
	for k, t := range tables {
		name := fmt.Sprintf("table %d (%s × %s)", k, t.RowName, t.ColName)
		if err := t.check(); err != nil {
			return fmt.Errorf("backpack: research: %s: %w", name, err)
		}
		if t.Total != tables[0].Total {
			return fmt.Errorf("backpack: research: %s counts %d students, table 0 %d: a release counts one population", name, t.Total, tables[0].Total)
		}
		for attr, m := range map[string]margin{t.RowName: {t.Rows, t.RowTotals, t.RowsDeclared}, t.ColName: {t.Cols, t.ColTotals, t.ColsDeclared}} {
			if seen, ok := margins[attr]; ok && (!slices.Equal(seen.cats, m.cats) || !slices.Equal(seen.counts, m.counts) || seen.declared != m.declared) {
				return fmt.Errorf("backpack: research: %s counts %s otherwise than an earlier table", name, attr)
			}
			margins[attr] = m
		}
		a, b := root(t.RowName), root(t.ColName)
		if a == b {
			return fmt.Errorf("backpack: research: %s closes a cycle of attributes with earlier tables: the audit cannot bound such a release", name)
		}
		parent[a] = b
	}
	return nil
}

// cell names a grid cell of a table of a release.
type cell struct{ t, i, j int }

// sharedMargins returns the groups of cells that show one count in several tables: the
// margin of each category of an attribute two or more tables count, and the grand
// totals. Margins are matched by attribute and category value, not by position, so
// tables listing an attribute's categories in another order are never joined wrongly.
func sharedMargins(ps []Published) [][]cell {
	byAttr := map[string][]cell{} // attribute and category value → cells
	var keys []string
	var totals []cell
	for t, p := range ps {
		nr, nc := len(p.Rows), len(p.Cols)
		for k := range p.Rows {
			key := p.RowName + "\x00" + p.Rows[k]
			if byAttr[key] == nil {
				keys = append(keys, key)
			}
			byAttr[key] = append(byAttr[key], cell{t, k, nc})
		}
		for k := range p.Cols {
			key := p.ColName + "\x00" + p.Cols[k]
			if byAttr[key] == nil {
				keys = append(keys, key)
			}
			byAttr[key] = append(byAttr[key], cell{t, nr, k})
		}
		totals = append(totals, cell{t, nr, nc})
	}
	var groups [][]cell
	for _, k := range keys {
		if len(byAttr[k]) > 1 {
			groups = append(groups, byAttr[k])
		}
	}
	if len(totals) > 1 {
		groups = append(groups, totals)
	}
	return groups
}

// shareMargins makes every table show a shared margin alike: suppressed in all if in
// one, labelled "suppressed" in all if in one. It reports whether it changed anything.
func shareMargins(ps []Published) bool {
	changed := false
	for _, g := range sharedMargins(ps) {
		hidden, unlabelled := false, false
		for _, c := range g {
			p := &ps[c.t]
			hidden = hidden || p.Suppressed[c.i][c.j]
			unlabelled = unlabelled || p.Suppressed[c.i][c.j] && !p.Small[c.i][c.j]
		}
		for _, c := range g {
			p := &ps[c.t]
			if hidden && !p.Suppressed[c.i][c.j] {
				p.hide([2]int{c.i, c.j})
				changed = true
			}
			if unlabelled && p.Small[c.i][c.j] {
				p.relabel([2]int{c.i, c.j})
				changed = true
			}
		}
	}
	return changed
}

// releaseModel is what a release tells a reader, as equalities over its suppressed
// cells.
type releaseModel struct {
	lpModel
	cells []cell       // variable v is cells[v]
	vars  map[cell]int // and back
}

// modelOf writes a release as a linear system: one variable per suppressed cell, between
// its floor and min-1 when labelled "N<min", else between its floor and a cap past any
// count the tables allow; one equation per row and column of each table; one per margin
// two tables share. The floor is 0, but 1 for the margin of a category that was not
// declared (see Table.RowsDeclared) and for the grand total of a table with such a
// category: the reader knows a category found among the students counts one at least.
// In a table with a Combined row beside others (see MergeSmallRows) every row's total
// is at least MergeMin, and the Combined row's has a ceiling too (combinedCeiling).
// The cap is a restriction the reader does not have: bounds attained under it are
// attained without it.
func modelOf(ps []Published) *releaseModel {
	rm := &releaseModel{vars: map[cell]int{}}
	top := 0
	for _, p := range ps {
		top = max(top, p.Min)
	}
	limit := int64(2*ps[0].Total + 2*top)
	for t, p := range ps {
		nr, nc := len(p.Rows), len(p.Cols)
		for i := range p.Suppressed {
			for j := range p.Suppressed[i] {
				if !p.Suppressed[i][j] {
					continue
				}
				up := limit
				if p.Small[i][j] {
					up = int64(p.Min - 1)
				}
				var lo int64
				switch {
				case i < nr && j == nc && p.Merged > 0 && nr > 1:
					lo = int64(p.MergeMin)
				case i < nr && j == nc && !p.RowsDeclared, i == nr && j < nc && !p.ColsDeclared,
					i == nr && j == nc && !(p.RowsDeclared && p.ColsDeclared):
					lo = 1
				}
				c := cell{t, i, j}
				rm.vars[c] = rm.addVar(lo, up)
				rm.cells = append(rm.cells, c)
			}
		}
	}
	for t, p := range ps {
		for _, line := range equations(len(p.Rows), len(p.Cols)) {
			var cells []cell
			var coefs []int64
			for k, c := range line {
				cells, coefs = append(cells, cell{t, c[0], c[1]}), append(coefs, 1)
				if k == len(line)-1 {
					coefs[k] = -1 // the line's total
				}
			}
			rm.equation(ps, cells, coefs)
		}
	}
	for _, g := range sharedMargins(ps) {
		for _, c := range g[1:] {
			rm.equation(ps, []cell{g[0], c}, []int64{1, -1})
		}
	}
	for t := range ps {
		rm.combinedCeiling(ps, t, limit)
	}
	return rm
}

// combinedCeiling adds what a reader knows of the top of table t's Combined row (see
// MergeSmallRows): of its Merged categories, all but the last pulled in count under
// MergeMin, and that one no more than any category left, so the row counts at most
// (Merged-1)·(MergeMin-1) plus the total of each other row. Each inequality is an
// equation with a slack variable of its own, added after the cells' variables. A table
// without a Combined row, or with it alone (its total is the table's), adds nothing.
func (rm *releaseModel) combinedCeiling(ps []Published, t int, limit int64) {
	p := ps[t]
	nr, nc := len(p.Rows), len(p.Cols)
	if p.Merged == 0 || nr < 2 {
		return
	}
	room := int64(p.Merged-1) * int64(p.MergeMin-1)
	for i := range nr - 1 {
		// Combined - row i + slack = room, with 0 ≤ slack.
		terms, rhs := rm.terms(ps, []cell{{t, nr - 1, nc}, {t, i, nc}}, []int64{1, -1})
		if len(terms) == 0 {
			continue // both shown: nothing to learn
		}
		slack := rm.addVar(0, limit+room)
		rm.addRow(append(terms, lpTerm{slack, 1}), rhs+room)
	}
}

// equation adds Σ coef·cell = 0, shown counts moved to the right-hand side.
func (rm *releaseModel) equation(ps []Published, cells []cell, coefs []int64) {
	if terms, rhs := rm.terms(ps, cells, coefs); len(terms) > 0 {
		rm.addRow(terms, rhs)
	}
}

// terms writes Σ coef·cell = 0 as terms over the suppressed cells' variables and the
// right-hand side the shown counts leave.
func (rm *releaseModel) terms(ps []Published, cells []cell, coefs []int64) ([]lpTerm, int64) {
	var terms []lpTerm
	var rhs int64
	for k, c := range cells {
		if v, ok := rm.vars[c]; ok {
			terms = append(terms, lpTerm{v, coefs[k]})
		} else {
			rhs -= coefs[k] * int64(ps[c.t].cell(c.i, c.j))
		}
	}
	return terms, rhs
}

// cellRange is the range of a suppressed cell and whether integer tables attain both
// ends.
type cellRange struct {
	lo, hi    int64
	confirmed bool
}

func (rm *releaseModel) rangeOf(s *lpSolver, v int) cellRange {
	lo, okLo := rm.extreme(s, v, 1)
	hi, okHi := rm.extreme(s, v, -1)
	return cellRange{lo, hi, okLo && okHi}
}

// extreme minimises (sign 1) or maximises (sign -1) variable v and checks the optimum,
// rounded to integers, against the model exactly. Unchecked, it returns the LP bound
// rounded inward.
func (rm *releaseModel) extreme(s *lpSolver, v int, sign float64) (int64, bool) {
	x := s.optimise(v, sign)
	xi := make([]int64, len(x))
	for k, f := range x {
		xi[k] = int64(math.Round(f))
	}
	if rm.satisfies(xi) {
		return xi[v], true
	}
	if sign > 0 {
		return int64(math.Ceil(x[v] - 1e-6)), false
	}
	return int64(math.Floor(x[v] + 1e-6)), false
}

// leak says how a range discloses its cell, or "".
func (r cellRange) leak(min int) string {
	switch {
	case !r.confirmed:
		return fmt.Sprintf("bounds %d–%d not attained by integer tables", r.lo, r.hi)
	case r.lo == r.hi:
		return fmt.Sprintf("pinned at %d", r.lo)
	case r.lo >= 1 && r.hi <= int64(min-1):
		return fmt.Sprintf("known to be %d–%d: a small non-zero count", r.lo, r.hi)
	}
	return ""
}

// protectBounds suppresses and relabels until no suppressed cell of the release leaks
// (see Audit). A cell once safe stays safe: suppressing or relabelling only takes
// knowledge away from the reader, and the tables that proved it safe stay consistent.
func protectBounds(ps []Published) error {
	safe := map[cell]bool{}
	for {
		rm := modelOf(ps)
		s, err := newLPSolver(&rm.lpModel)
		if err != nil {
			return fmt.Errorf("backpack: research: %w", err)
		}
		bad, found := cell{}, false
		for v, c := range rm.cells {
			if safe[c] {
				continue
			}
			if rm.rangeOf(s, v).leak(ps[c.t].Min) == "" {
				safe[c] = true
				continue
			}
			bad, found = c, true
			break
		}
		if !found {
			return nil
		}
		if err := fixLeak(ps, bad); err != nil {
			return err
		}
	}
}

// fix is one change to a release: hide a shown cell, or relabel an "N<min" cell.
type fix struct {
	c    cell
	hide bool
}

func (f fix) apply(ps []Published) {
	if f.hide {
		ps[f.c.t].hide([2]int{f.c.i, f.c.j})
	} else {
		ps[f.c.t].relabel([2]int{f.c.i, f.c.j})
	}
	shareMargins(ps)
}

// fixTrials is how many fixes fixLeak tries one by one before it takes the first
// suppression and lets the next round go on.
const fixTrials = 12

// fixLeak applies the first fix that protects bad on its own, else the first
// suppression near it: either way the release changes, so SuppressTables ends.
func fixLeak(ps []Published, bad cell) error {
	fixes := fixesFor(ps, bad)
	for k, f := range fixes {
		if k == fixTrials {
			break
		}
		trial := clonePublished(ps)
		f.apply(trial)
		rm := modelOf(trial)
		if s, err := newLPSolver(&rm.lpModel); err == nil && rm.rangeOf(s, rm.vars[bad]).leak(ps[bad.t].Min) == "" {
			f.apply(ps)
			return nil
		}
	}
	for _, f := range fixes {
		if f.hide {
			f.apply(ps)
			return nil
		}
	}
	if len(fixes) > 0 {
		fixes[0].apply(ps)
		return nil
	}
	return fmt.Errorf("backpack: research: cell %d,%d of table %d cannot be protected", bad.i, bad.j, bad.t)
}

// fixesFor lists the fixes for a leaking cell, cheapest first: relabel it, relabel the
// "N<min" cells of its row and column, hide the shown cells of its row and column, of its
// table, of the other tables (inner cells before margins, small counts first), and last
// relabel every other "N<min" cell: a release with every cell hidden and labelled
// "suppressed" tells nothing, so the fixes always run out in a safe release.
func fixesFor(ps []Published, bad cell) []fix {
	var relabel, near, table, other, far []fix
	if ps[bad.t].Small[bad.i][bad.j] {
		relabel = append(relabel, fix{c: bad})
	}
	for t, p := range ps {
		for i := range p.Suppressed {
			for j := range p.Suppressed[i] {
				c := cell{t, i, j}
				line := t == bad.t && (i == bad.i || j == bad.j)
				switch {
				case c == bad:
				case p.Small[i][j] && line:
					relabel = append(relabel, fix{c: c})
				case p.Small[i][j]:
					far = append(far, fix{c: c})
				case p.Suppressed[i][j]:
				case line:
					near = append(near, fix{c: c, hide: true})
				case t == bad.t:
					table = append(table, fix{c: c, hide: true})
				default:
					other = append(other, fix{c: c, hide: true})
				}
			}
		}
	}
	byPreference := func(a, b fix) int {
		x, y := [2]int{a.c.i, a.c.j}, [2]int{b.c.i, b.c.j}
		switch {
		case a.c.t != b.c.t:
			return cmp.Compare(a.c.t, b.c.t)
		case x == y:
			return 0
		case betterComplement(&ps[a.c.t].Table, x, y):
			return -1
		}
		return 1
	}
	for _, l := range [][]fix{near, table, other} {
		slices.SortStableFunc(l, byPreference)
	}
	return slices.Concat(relabel, near, table, other, far)
}

func clonePublished(ps []Published) []Published {
	out := slices.Clone(ps)
	for k := range out {
		out[k].Suppressed = cloneGrid(ps[k].Suppressed)
		out[k].Small = cloneGrid(ps[k].Small)
	}
	return out
}

func cloneGrid(g [][]bool) [][]bool {
	out := make([][]bool, len(g))
	for i := range g {
		out[i] = slices.Clone(g[i])
	}
	return out
}
