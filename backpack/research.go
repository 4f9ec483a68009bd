package backpack

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// ResearchRecord is one student in a de-identified research extract: no names, addresses
// or raw IDs; the person key is a keyed hash; the birth date is cut to its year.
type ResearchRecord struct {
	// Key is HMAC-SHA-256 of the SSID (or, without one, the state's student ID) under the
	// state's secret, so a researcher can join a study's tables but cannot recover the ID
	// by hashing every 7- or 10-digit number.
	Key       string
	BirthYear int
	Sex       string
	// Race is the federal reporting category: Hispanic/Latino of any race, one race, or
	// "Two or more races".
	Race       string
	GradeLevel string // of the latest enrollment
	LEA        string // of the latest enrollment
	School     string // of the latest enrollment
}

// ResearchScore is one assessment result of a student in the extract.
type ResearchScore struct {
	Key         string
	Assessment  string
	SchoolYear  int
	GradeLevel  string
	Performance string
	Score       string
}

// Extractor de-identifies backpacks for one study.
type Extractor struct {
	secret []byte
	study  string
}

// MinSecret is the shortest secret NewExtractor accepts, in bytes.
const MinSecret = 16

// NewExtractor returns an extractor keyed by the state's secret for the named study: the
// same student gets the same key within a study and unrelated keys across studies.
func NewExtractor(secret []byte, study string) (*Extractor, error) {
	if len(secret) < MinSecret {
		return nil, fmt.Errorf("backpack: research: the secret has %d bytes, want at least %d", len(secret), MinSecret)
	}
	if study == "" {
		return nil, errors.New("backpack: research: name the study")
	}
	return &Extractor{secret: slices.Clone(secret), study: study}, nil
}

// Key returns the keyed hash of an identifier.
func (x *Extractor) Key(id string) string {
	m := hmac.New(sha256.New, x.secret)
	m.Write([]byte(x.study))
	m.Write([]byte{0})
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))
}

// Extract de-identifies backpacks into one record per student and their assessment
// results.
func (x *Extractor) Extract(bps []*Backpack) ([]ResearchRecord, []ResearchScore) {
	var recs []ResearchRecord
	var scores []ResearchScore
	for _, b := range bps {
		id := b.keySSID()
		if id == "" {
			id = "student:" + b.StudentID
		}
		r := ResearchRecord{Key: x.Key(id), Sex: b.Value("sex"), Race: federalRace(b.Value("races"), b.Value("hispanic_latino"))}
		if bd := b.Value("birth_date"); len(bd) >= 4 {
			r.BirthYear, _ = strconv.Atoi(bd[:4])
		}
		if n := len(b.Enrollments); n > 0 {
			e := b.Enrollments[n-1].Fact // sorted by entry date
			r.GradeLevel, r.LEA, r.School = e.GradeLevel, e.LEA, e.SchoolCode()
		}
		recs = append(recs, r)
		for _, f := range b.Assessments {
			a := f.Fact
			s := ResearchScore{Key: r.Key, Assessment: a.AssessmentIdentifier, SchoolYear: a.SchoolYear, GradeLevel: a.GradeLevel}
			if len(a.PerformanceLevels) > 0 {
				s.Performance = a.PerformanceLevels[0].Level
			}
			if len(a.Scores) > 0 {
				s.Score = a.Scores[0].Result
			}
			scores = append(scores, s)
		}
	}
	slices.SortFunc(recs, func(a, b ResearchRecord) int { return cmp.Compare(a.Key, b.Key) })
	slices.SortFunc(scores, func(a, b ResearchScore) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Assessment, b.Assessment), cmp.Compare(a.SchoolYear, b.SchoolYear))
	})
	return recs, scores
}

// keySSID is the SSID that most of the backpack's records carry (ties: the one shown), so
// that one LEA's mistyped SSID does not give the student a key of its own.
func (b *Backpack) keySSID() string {
	count := map[string]int{}
	for _, f := range b.Demographics {
		if f.Name == "ssid" {
			for _, c := range f.Candidates {
				count[c.Value]++
			}
		}
	}
	shown := b.SSID()
	best := shown
	for v, n := range count {
		if n > count[best] || n == count[best] && best != shown && v < best {
			best = v
		}
	}
	return best
}

func id64(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// federalRace maps races ("A; B") and the Hispanic flag to one reporting category.
func federalRace(races, hispanic string) string {
	switch {
	case hispanic == "true":
		return "Hispanic/Latino"
	case races == "":
		return ""
	case strings.Contains(races, "; "):
		return "Two or more races"
	}
	return races
}

// WriteRecordsCSV writes research records as CSV with a header.
func WriteRecordsCSV(w io.Writer, recs []ResearchRecord) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"key", "birth_year", "sex", "race", "grade_level", "lea", "school"})
	for _, r := range recs {
		cw.Write([]string{r.Key, num(r.BirthYear), r.Sex, r.Race, r.GradeLevel, r.LEA, r.School})
	}
	cw.Flush()
	return cw.Error()
}

// Table is a two-way table of student counts with its margins. Each unit counted must be
// a distinct student for the suppression rules to protect them.
type Table struct {
	RowName, ColName string
	Rows, Cols       []string
	Counts           [][]int // [row][col]
	RowTotals        []int
	ColTotals        []int
	Total            int
}

// CrossTab counts units by two attributes. Rows and columns are sorted in natural order
// (grade levels IT, PK, K before 1…12; numbers by value; other text in byte order; "(not
// reported)" last); units whose row or column value is blank count under "(not reported)".
func CrossTab[T any](units []T, rowName string, row func(T) string, colName string, col func(T) string) Table {
	label := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return "(not reported)"
		}
		return s
	}
	rs, cs := map[string]bool{}, map[string]bool{}
	for _, u := range units {
		rs[label(row(u))], cs[label(col(u))] = true, true
	}
	t := Table{RowName: rowName, ColName: colName}
	for r := range rs {
		t.Rows = append(t.Rows, r)
	}
	for c := range cs {
		t.Cols = append(t.Cols, c)
	}
	slices.SortFunc(t.Rows, naturalCompare)
	slices.SortFunc(t.Cols, naturalCompare)
	t.Counts = make([][]int, len(t.Rows))
	for i := range t.Counts {
		t.Counts[i] = make([]int, len(t.Cols))
	}
	t.RowTotals, t.ColTotals = make([]int, len(t.Rows)), make([]int, len(t.Cols))
	for _, u := range units {
		i, _ := slices.BinarySearchFunc(t.Rows, label(row(u)), naturalCompare)
		j, _ := slices.BinarySearchFunc(t.Cols, label(col(u)), naturalCompare)
		t.Counts[i][j]++
		t.RowTotals[i]++
		t.ColTotals[j]++
		t.Total++
	}
	return t
}

var gradeOrder = map[string]int{"IT": -3, "PK": -2, "K": -1}

// naturalCompare orders labels: grade words, then numbers by value, then text, then
// "(not reported)".
func naturalCompare(a, b string) int {
	rank := func(s string) (int, int) {
		if s == "(not reported)" {
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

// Published is a table ready to publish: every count with whether it is suppressed. The
// grid has one more row and column than the table, for the margins: cell [i][len(Cols)]
// is row i's total, [len(Rows)][j] column j's, and [len(Rows)][len(Cols)] the grand total.
type Published struct {
	Table
	Suppressed [][]bool
	// Primary counts the cells under the threshold; Complementary those suppressed so
	// that no primary cell can be recomputed from the others.
	Primary, Complementary int
}

// cell returns the grid count at (i, j), margins included.
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

// Suppress hides every cell (margins included) counting fewer than min students, zero
// included, then suppresses more cells until no row or column equation — the cells of a
// row and its total, of a column and its total, of the margins and the grand total — has
// exactly one hidden cell and no hidden cell is otherwise pinned down by the equations
// together (see bridgeFix), so no hidden count follows from the published ones.
// Complementary cells are the smallest visible candidates, inner cells before margins.
// Hidden counts can still be bounded (a hidden cell is at most its line's total); only
// exact recovery is prevented. min below 1 means 10.
func Suppress(t Table, min int) Published {
	if min < 1 {
		min = 10
	}
	nr, nc := len(t.Rows), len(t.Cols)
	p := Published{Table: t, Suppressed: make([][]bool, nr+1)}
	for i := range p.Suppressed {
		p.Suppressed[i] = make([]bool, nc+1)
		for j := range p.Suppressed[i] {
			if t.cell(i, j) < min {
				p.Suppressed[i][j] = true
				p.Primary++
			}
		}
	}
	lines := equations(nr, nc)
	for changed := true; changed; {
		changed = false
		for _, line := range lines {
			if c, ok := loneHidden(&p, line); ok {
				p.hide(c)
				changed = true
			}
		}
		if changed {
			continue
		}
		if c, ok := bridgeFix(&p); ok {
			p.hide(c)
			changed = true
		}
	}
	return p
}

func (p *Published) hide(c [2]int) {
	p.Suppressed[c[0]][c[1]] = true
	p.Complementary++
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
// column).
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

// SuppressedMark is what a published table shows in place of a suppressed count.
const SuppressedMark = "N<10"

// WriteCSV writes the published table with its margins; suppressed cells show mark ("":
// SuppressedMark).
func (p Published) WriteCSV(w io.Writer, mark string) error {
	if mark == "" {
		mark = SuppressedMark
	}
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
			if p.Suppressed[i][j] {
				row = append(row, mark)
			} else {
				row = append(row, strconv.Itoa(p.cell(i, j)))
			}
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}
