package backpack

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Table is a two-way table of student counts with its margins. Each unit counted must be
// a distinct student for the suppression rules to protect them.
type Table struct {
	RowName, ColName string
	Rows, Cols       []string
	Counts           [][]int // [row][col]
	RowTotals        []int
	ColTotals        []int
	Total            int
	// RowsDeclared and ColsDeclared say that the release fixed the attribute's categories
	// before counting (CrossTabOver): a category may count no one, so a reader learns
	// nothing from its being there. Otherwise every category was found among the units
	// and counts at least one, which Audit assumes the reader knows: a margin labelled
	// "N<min" of such a category is a small non-zero count.
	RowsDeclared, ColsDeclared bool
	// Merged is the number of categories MergeSmallRows merged into the last row,
	// Combined, under the minimum MergeMin; both 0 when the table has no Combined row.
	Merged, MergeMin int
}

// CrossTab counts units by two attributes, over the categories the units have. Rows and
// columns are sorted in natural order (grade levels IT, PK, K before 1…12; numbers by
// value; other text in byte order; "(not assessed)" and "(not reported)" last); units
// whose row or column value is blank count under "(not reported)". Every category counts
// at least one unit, so a small category's margin is a small non-zero count: see
// CrossTabOver and MergeSmallRows for the ways out. The units must be distinct students
// (see Population).
func CrossTab[T any](units []T, rowName string, row func(T) string, colName string, col func(T) string) Table {
	t, _ := CrossTabOver(units, rowName, nil, row, colName, nil, col) // nothing to refuse without declared categories
	return t
}

// CrossTabOver counts units by two attributes over declared categories: rows and cols
// list, in the order shown, every category of the row and column attribute, including
// those no unit has (a declared category may count zero). A nil list takes the
// categories from the units, as CrossTab does. A unit whose value (blank read as "(not
// reported)") is not among its attribute's declared categories, and a list naming a
// category twice, are errors. The units must be distinct students (see Population).
func CrossTabOver[T any](units []T, rowName string, rows []string, row func(T) string, colName string, cols []string, col func(T) string) (Table, error) {
	label := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return notReported
		}
		return s
	}
	categories := func(declared []string, of func(T) string) ([]string, map[string]int, error) {
		cats := slices.Clone(declared)
		if declared == nil {
			seen := map[string]bool{}
			for _, u := range units {
				if v := label(of(u)); !seen[v] {
					seen[v] = true
					cats = append(cats, v)
				}
			}
			slices.SortFunc(cats, naturalCompare)
		}
		index := map[string]int{}
		for k, c := range cats {
			if _, dup := index[c]; dup {
				return nil, nil, fmt.Errorf("category %q is declared twice", c)
			}
			index[c] = k
		}
		return cats, index, nil
	}
	t := Table{RowName: rowName, ColName: colName, RowsDeclared: rows != nil, ColsDeclared: cols != nil}
	var ri, ci map[string]int
	var err error
	if t.Rows, ri, err = categories(rows, row); err != nil {
		return Table{}, fmt.Errorf("%s: %w", rowName, err)
	}
	if t.Cols, ci, err = categories(cols, col); err != nil {
		return Table{}, fmt.Errorf("%s: %w", colName, err)
	}
	t.Counts = make([][]int, len(t.Rows))
	for i := range t.Counts {
		t.Counts[i] = make([]int, len(t.Cols))
	}
	t.RowTotals, t.ColTotals = make([]int, len(t.Rows)), make([]int, len(t.Cols))
	for _, u := range units {
		r, c := label(row(u)), label(col(u))
		i, ok := ri[r]
		if !ok {
			return Table{}, fmt.Errorf("%s %q is not one of the declared categories", rowName, r)
		}
		j, ok := ci[c]
		if !ok {
			return Table{}, fmt.Errorf("%s %q is not one of the declared categories", colName, c)
		}
		t.Counts[i][j]++
		t.RowTotals[i]++
		t.ColTotals[j]++
		t.Total++
	}
	return t, nil
}

// Combined is the row MergeSmallRows counts the students of small categories under.
const Combined = "(combined small groups)"

// MergeSmallRows returns t with the rows of every category counting fewer than min
// students merged into one row, Combined, placed last, and the categories it merged, in
// the order merged. When those together still count fewer than min (one small category
// alone, or a few), the smallest of the other categories are merged in too, one at a
// time, until the Combined row counts min or more: a Combined row under min would be a
// category known to count 1 to min-1, or with one category merged, that category's
// count. Only when every category is merged (the table's total is under min, or the
// rest never reaches it) does the Combined row count fewer: it is then the only row, and
// its count the table's total. The table's Merged and MergeMin say how many categories
// were merged and under which minimum: a reader of the release may know both, and Audit
// uses them (see modelOf). A table merged already (Merged > 0) is returned as it is.
//
// A table whose rows were declared (see CrossTabOver) is returned as it is: a declared
// category may be small, as its presence tells nothing. A merged row is still a
// category with students, which a margin under min would give away: SuppressTables
// protects it like any other. Merging changes the row attribute's categories, so every
// table of a release counting that attribute must be merged alike.
func MergeSmallRows(t Table, min int) (Table, []string) {
	if t.RowsDeclared || t.Merged > 0 {
		return t, nil
	}
	merge := make([]bool, len(t.Rows))
	sum := 0
	for i := range t.Rows {
		if t.RowTotals[i] < min {
			merge[i], sum = true, sum+t.RowTotals[i]
		}
	}
	if !slices.Contains(merge, true) {
		return t, nil
	}
	var merged []string
	for i, r := range t.Rows {
		if merge[i] {
			merged = append(merged, r)
		}
	}
	// Pull in the smallest remaining category (the first of equals) until the Combined
	// row reaches min.
	for sum < min {
		next := -1
		for i := range t.Rows {
			if !merge[i] && (next < 0 || t.RowTotals[i] < t.RowTotals[next]) {
				next = i
			}
		}
		if next < 0 {
			break
		}
		merge[next], sum = true, sum+t.RowTotals[next]
		merged = append(merged, t.Rows[next])
	}
	out := Table{RowName: t.RowName, ColName: t.ColName, Cols: t.Cols, ColTotals: t.ColTotals, Total: t.Total, ColsDeclared: t.ColsDeclared,
		Merged: len(merged), MergeMin: min}
	combined := make([]int, len(t.Cols))
	for i, r := range t.Rows {
		if !merge[i] {
			out.Rows = append(out.Rows, r)
			out.Counts = append(out.Counts, t.Counts[i])
			out.RowTotals = append(out.RowTotals, t.RowTotals[i])
			continue
		}
		for j, n := range t.Counts[i] {
			combined[j] += n
		}
	}
	out.Rows = append(out.Rows, Combined)
	out.Counts = append(out.Counts, combined)
	out.RowTotals = append(out.RowTotals, sum)
	return out, merged
}

const notReported = "(not reported)"

var gradeOrder = map[string]int{"IT": -3, "PK": -2, "K": -1}

// naturalCompare orders labels: grade words, then numbers by value, then text, then
// "(not assessed)" and "(not reported)".
func naturalCompare(a, b string) int {
	rank := func(s string) (int, int) {
		if s == notReported || s == NotAssessed || s == Combined {
			return 3, 0
		}
		if g, ok := gradeOrder[s]; ok {
			return 0, g
		}
		if n, err := strconv.Atoi(s); err == nil {
			return 1, n
		}
		return 2, 0
	}
	ca, na := rank(a)
	cb, nb := rank(b)
	return cmp.Or(cmp.Compare(ca, cb), cmp.Compare(na, nb), cmp.Compare(a, b))
}

// cell returns the grid count at (i, j), margins included: row i's total at column
// len(Cols), column j's at row len(Rows), the grand total at both.
func (t *Table) cell(i, j int) int {
	nr, nc := len(t.Rows), len(t.Cols)
	switch {
	case i < nr && j < nc:
		return t.Counts[i][j]
	case i < nr:
		return t.RowTotals[i]
	case j < nc:
		return t.ColTotals[j]
	}
	return t.Total
}

// check reports a table whose counts are not a table: ragged, negative, or margins that
// are not the sums.
func (t *Table) check() error {
	nr, nc := len(t.Rows), len(t.Cols)
	switch {
	case t.RowName == "" || t.ColName == "":
		return errors.New("name both attributes")
	case t.RowName == t.ColName:
		return fmt.Errorf("both attributes are %q", t.RowName)
	case nr == 0 || nc == 0:
		return errors.New("no rows or no columns")
	case len(t.Counts) != nr || len(t.RowTotals) != nr || len(t.ColTotals) != nc:
		return errors.New("counts or margins do not match the rows and columns")
	}
	if err := t.checkMerged(); err != nil {
		return err
	}
	cols, total := make([]int, nc), 0
	for i, row := range t.Counts {
		if len(row) != nc {
			return fmt.Errorf("row %q has %d counts for %d columns", t.Rows[i], len(row), nc)
		}
		sum := 0
		for j, n := range row {
			if n < 0 {
				return fmt.Errorf("count %d at %q, %q is negative", n, t.Rows[i], t.Cols[j])
			}
			sum += n
			cols[j] += n
		}
		if sum != t.RowTotals[i] {
			return fmt.Errorf("row %q sums to %d, its total says %d", t.Rows[i], sum, t.RowTotals[i])
		}
		total += sum
	}
	if !slices.Equal(cols, t.ColTotals) || total != t.Total {
		return errors.New("the column totals or the grand total are not the sums of the counts")
	}
	for _, a := range []struct {
		name     string
		cats     []string
		totals   []int
		declared bool
	}{{t.RowName, t.Rows, t.RowTotals, t.RowsDeclared}, {t.ColName, t.Cols, t.ColTotals, t.ColsDeclared}} {
		if k := slices.Index(a.totals, 0); k >= 0 && !a.declared {
			return fmt.Errorf("%s %q counts no one, but the categories are not declared: a reader takes each to count one at least (see CrossTabOver)", a.name, a.cats[k])
		}
	}
	return nil
}

// checkMerged checks that a table has a Combined row exactly when it says it merged
// categories, and then as its last row: Audit reads what the reader knows of the row
// from that (see modelOf).
func (t *Table) checkMerged() error {
	at := slices.Index(t.Rows, Combined)
	switch {
	case t.Merged < 0 || t.Merged > 0 && t.MergeMin < 1:
		return fmt.Errorf("merged %d categories under minimum %d", t.Merged, t.MergeMin)
	case t.Merged > 0 && t.RowsDeclared:
		return fmt.Errorf("merged %d categories of declared rows", t.Merged)
	case t.Merged > 0 && at != len(t.Rows)-1:
		return fmt.Errorf("merged %d categories but the last row is not %q", t.Merged, Combined)
	case t.Merged == 0 && at >= 0:
		return fmt.Errorf("row %q, but no category was merged into it (see MergeSmallRows)", Combined)
	}
	for i, n := range t.RowTotals {
		if t.Merged > 0 && len(t.Rows) > 1 && n < t.MergeMin {
			return fmt.Errorf("row %q counts %d after categories under %d were merged", t.Rows[i], n, t.MergeMin)
		}
	}
	return nil
}

// MinCount is the smallest minimum a release may use: Utah's rule that no group of fewer
// than 10 students is published (R277-484-9). A larger minimum is allowed.
const MinCount = 10

// Published is a table ready to publish: every count with whether it is suppressed and
// how a suppressed cell is labelled. The grids have one more row and column than the
// table, for the margins (see Table.cell).
type Published struct {
	Table
	// Min is the release's minimum: every count under it is suppressed.
	Min        int
	Suppressed [][]bool
	// Small marks the suppressed cells labelled "N<Min": they count fewer than Min
	// students. Every other suppressed cell is labelled "suppressed", which says nothing of
	// its count: the cells suppressed to protect others, and small cells whose "N<Min"
	// would give them away.
	Small [][]bool
	// Primary counts the cells under Min; Complementary those suppressed to protect them;
	// Relabelled the cells under Min labelled "suppressed". They are for the publisher,
	// not the release: with Relabelled known (0, say), a reader learns how many
	// "suppressed" cells count Min or more, which Audit does not grant; publish only what
	// the labels show.
	Primary, Complementary, Relabelled int
}

// SuppressedLabel is the label of a suppressed cell that is not labelled "N<min".
const SuppressedLabel = "suppressed"

// Label returns what the published table shows at grid cell (i, j): the count,
// "N<Min" or "suppressed".
func (p *Published) Label(i, j int) string {
	switch {
	case p.Small[i][j]:
		return "N<" + strconv.Itoa(p.Min)
	case p.Suppressed[i][j]:
		return SuppressedLabel
	}
	return strconv.Itoa(p.cell(i, j))
}

// WriteCSV writes the published table with its margins, suppressed cells as their labels.
func (p *Published) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := append([]string{p.RowName + " \\ " + p.ColName}, p.Cols...)
	cw.Write(append(head, "Total"))
	for i := 0; i <= len(p.Rows); i++ {
		name := "Total"
		if i < len(p.Rows) {
			name = p.Rows[i]
		}
		row := []string{name}
		for j := 0; j <= len(p.Cols); j++ {
			row = append(row, p.Label(i, j))
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// Suppress publishes one table as a release of its own: SuppressTables of t alone.
func Suppress(t Table, min int) (Published, error) {
	ps, err := SuppressTables([]Table{t}, min)
	if err != nil {
		return Published{}, err
	}
	return ps[0], nil
}

// SuppressTables publishes the tables of one release together. min must be at least
// MinCount. The tables must count one population (the same total), an attribute counted
// by two tables (by name) must have the same categories and margins in both, and the
// tables' attributes must not form a cycle (lea×grade, grade×sex, sex×lea): over a
// cycle, tables constrain each other beyond their shared margins and the audit could not
// bound them. Each violation is an error and nothing is published.
//
// Every cell (margins included) under min is suppressed and labelled "N<min". Then more
// cells are suppressed — the smallest visible ones near the cell at risk, inner cells
// before margins, a margin in every table that shows it — and "N<min" labels that give a
// count away are replaced by "suppressed", until Audit of the release finds nothing: no
// suppressed cell's range, given every published count, label, margin and total of the
// release and that counts are not negative, pins it or lies inside [1, min-1]. The audit
// does not model a reader who runs SuppressTables on each table consistent with the
// release and keeps those that would be published as it was: the choice of cells is
// deterministic, and that reader can narrow some ranges further.
func SuppressTables(tables []Table, min int) ([]Published, error) {
	if min < MinCount {
		return nil, fmt.Errorf("backpack: research: minimum %d is below %d", min, MinCount)
	}
	if err := checkTables(tables); err != nil {
		return nil, err
	}
	ps := make([]Published, len(tables))
	for k, t := range tables {
		ps[k] = primary(t, min)
	}
	for changed := true; changed; {
		changed = shareMargins(ps)
		for k := range ps {
			changed = ps[k].protectLines() || changed
		}
	}
	if err := protectBounds(ps); err != nil {
		return nil, err
	}
	return ps, nil
}

// primary suppresses and labels every cell of t under min.
func primary(t Table, min int) Published {
	nr, nc := len(t.Rows), len(t.Cols)
	p := Published{Table: t, Min: min, Suppressed: make([][]bool, nr+1), Small: make([][]bool, nr+1)}
	for i := range p.Suppressed {
		p.Suppressed[i], p.Small[i] = make([]bool, nc+1), make([]bool, nc+1)
		for j := range p.Suppressed[i] {
			if t.cell(i, j) < min {
				p.Suppressed[i][j], p.Small[i][j] = true, true
				p.Primary++
			}
		}
	}
	return p
}

func (p *Published) hide(c [2]int) {
	p.Suppressed[c[0]][c[1]] = true
	p.Complementary++
}

func (p *Published) relabel(c [2]int) {
	p.Small[c[0]][c[1]] = false
	p.Relabelled++
}

// protectLines suppresses cells until no row or column equation — the cells of a row and
// its total, of a column and its total, of the margins and the grand total — has exactly
// one hidden cell and no hidden cell is otherwise fixed by the equations together (see
// bridgeFix). It is the quick first pass of SuppressTables; the bounds come after.
func (p *Published) protectLines() bool {
	lines := equations(len(p.Rows), len(p.Cols))
	any := false
	for changed := true; changed; {
		changed = false
		for _, line := range lines {
			if c, ok := loneHidden(p, line); ok {
				p.hide(c)
				changed = true
			}
		}
		if !changed {
			if c, ok := bridgeFix(p); ok {
				p.hide(c)
				changed = true
			}
		}
		any = any || changed
	}
	return any
}

// loneHidden returns the cell to hide when line has exactly one hidden cell (which the
// line's sum would give away): its best visible complement.
func loneHidden(p *Published, line [][2]int) ([2]int, bool) {
	hidden := 0
	for _, c := range line {
		if p.Suppressed[c[0]][c[1]] {
			hidden++
		}
	}
	if hidden != 1 {
		return [2]int{}, false
	}
	best, ok := [2]int{}, false
	for _, c := range line {
		if !p.Suppressed[c[0]][c[1]] && (!ok || betterComplement(&p.Table, c, best)) {
			best, ok = c, true
		}
	}
	return best, ok
}

// bridgeFix finds a hidden cell that the equations still determine and returns the cell
// to hide to protect it. With margins, the table's equations say every row and column of
// the grid sums to zero (the total counted negative); a hidden cell is then determined
// exactly when, in the graph whose nodes are the grid's rows and columns and whose edges
// are the hidden cells, its edge is a bridge. Hiding a cell that joins the bridge's two
// sides puts it on a cycle.
func bridgeFix(p *Published) ([2]int, bool) {
	nr, nc := len(p.Rows)+1, len(p.Cols)+1
	adj := make([][]int, nr+nc) // node r is row r, node nr+c is column c
	for i := range nr {
		for j := range nc {
			if p.Suppressed[i][j] {
				adj[i] = append(adj[i], nr+j)
				adj[nr+j] = append(adj[nr+j], i)
			}
		}
	}
	for i := range nr {
		for j := range nc {
			if !p.Suppressed[i][j] || !isBridge(adj, i, nr+j) {
				continue
			}
			side := reach(adj, i, i, nr+j) // the row's side without the bridge
			best, ok := [2]int{}, false
			for r := range nr {
				for c := range nc {
					if side[r] || !side[nr+c] || p.Suppressed[r][c] {
						continue
					}
					if !ok || betterComplement(&p.Table, [2]int{r, c}, best) {
						best, ok = [2]int{r, c}, true
					}
				}
			}
			if ok {
				return best, true
			}
		}
	}
	return [2]int{}, false
}

// isBridge reports whether removing edge a–b disconnects b from a.
func isBridge(adj [][]int, a, b int) bool { return !reach(adj, a, a, b)[b] }

// reach returns the nodes reachable from start without using the edge a–b.
func reach(adj [][]int, start, a, b int) []bool {
	seen := make([]bool, len(adj))
	stack := []int{start}
	seen[start] = true
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, y := range adj[x] {
			if (x == a && y == b) || (x == b && y == a) || seen[y] {
				continue
			}
			seen[y] = true
			stack = append(stack, y)
		}
	}
	return seen
}

// betterComplement prefers inner cells to margins, then smaller counts, then position.
func betterComplement(t *Table, a, b [2]int) bool {
	nr, nc := len(t.Rows), len(t.Cols)
	margin := func(c [2]int) bool { return c[0] == nr || c[1] == nc }
	if margin(a) != margin(b) {
		return !margin(a)
	}
	if x, y := t.cell(a[0], a[1]), t.cell(b[0], b[1]); x != y {
		return x < y
	}
	return a[0] < b[0] || a[0] == b[0] && a[1] < b[1]
}

// equations returns the additive lines of an nr×nc table with margins: each row with its
// total (including the margin row), each column with its total (including the margin
// column). The total is each line's last cell.
func equations(nr, nc int) [][][2]int {
	var lines [][][2]int
	for i := 0; i <= nr; i++ {
		var l [][2]int
		for j := 0; j <= nc; j++ {
			l = append(l, [2]int{i, j})
		}
		lines = append(lines, l)
	}
	for j := 0; j <= nc; j++ {
		var l [][2]int
		for i := 0; i <= nr; i++ {
			l = append(l, [2]int{i, j})
		}
		lines = append(lines, l)
	}
	return lines
}
