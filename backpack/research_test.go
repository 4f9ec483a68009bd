package backpack_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

var secret = []byte("0123456789abcdef-state-secret")

func extractor(t *testing.T, study string) *backpack.Extractor {
	t.Helper()
	x, err := backpack.NewExtractor(secret, study)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestNewExtractor(t *testing.T) {
	tests := []struct {
		name   string
		secret []byte
		study  string
		ok     bool
	}{
		{"minimum secret", bytes.Repeat([]byte{7}, backpack.MinSecret), "s", true},
		{"secret one byte short", bytes.Repeat([]byte{7}, backpack.MinSecret-1), "s", false},
		{"no secret", nil, "s", false},
		{"no study", secret, "", false},
	}
	for _, tt := range tests {
		x, err := backpack.NewExtractor(tt.secret, tt.study)
		if (err == nil) != tt.ok || (x != nil) != tt.ok {
			t.Errorf("%s: NewExtractor = %v, %v; want ok=%v", tt.name, x, err, tt.ok)
		}
	}
}

func TestKey(t *testing.T) {
	ssid := "1000604822"
	a := extractor(t, "math-2024")
	k := a.Key(ssid)
	sum := sha256.Sum256([]byte(ssid))
	if k == hex.EncodeToString(sum[:]) {
		t.Error("Key is the plain SHA-256 of the SSID: anyone can recompute it")
	}
	if strings.Contains(k, ssid) || len(k) != 64 {
		t.Errorf("Key %q", k)
	}
	if b := extractor(t, "math-2024"); b.Key(ssid) != k || a.Key(ssid) != k {
		t.Error("Key is not stable within a study")
	}
	if extractor(t, "reading-2024").Key(ssid) == k {
		t.Error("two studies share keys")
	}
	if a.Key("1000604823") == k {
		t.Error("two SSIDs share a key")
	}
	other, _ := backpack.NewExtractor([]byte("another-secret-of-the-state"), "math-2024")
	if other.Key(ssid) == k {
		t.Error("the key does not depend on the secret")
	}
	// The extractor keeps its own copy of the secret.
	s := bytes.Clone(secret)
	x, _ := backpack.NewExtractor(s, "math-2024")
	s[0] ^= 0xff
	if x.Key(ssid) != k {
		t.Error("changing the caller's secret changed the keys")
	}
}

func TestExtract(t *testing.T) {
	bps := allBackpacks(t)
	x := extractor(t, "study")
	recs, scores := x.Extract(bps)
	if len(recs) != len(bps) {
		t.Fatalf("%d research records for %d backpacks", len(recs), len(bps))
	}
	byKey := map[string]backpack.ResearchRecord{}
	for _, r := range recs {
		byKey[r.Key] = r
	}
	// Lisa (latest enrollment at 255902, grade 9), Diana (two races shown: the latest
	// record), Glenn Gross (Hispanic).
	tests := []struct {
		ssid string
		want backpack.ResearchRecord
	}{
		{"1000604822", backpack.ResearchRecord{BirthYear: 2008, Sex: "Female", Race: "Asian", GradeLevel: "9", LEA: "255902", School: "255902001"}},
		{"1000604585", backpack.ResearchRecord{BirthYear: 2014, Sex: "Female", Race: "Two or more races", GradeLevel: "3", LEA: "255902", School: "255902020"}},
		{"1000604837", backpack.ResearchRecord{BirthYear: 2012, Sex: "Male", Race: "Hispanic/Latino", GradeLevel: "5", LEA: "255901", School: "255901107"}},
	}
	for _, tt := range tests {
		tt.want.Key = x.Key(tt.ssid)
		if diff := cmp.Diff(tt.want, byKey[tt.want.Key]); diff != "" {
			t.Errorf("research record of %s (-want +got):\n%s", tt.ssid, diff)
		}
	}
	var lisaScores int
	for _, s := range scores {
		if _, ok := byKey[s.Key]; !ok {
			t.Errorf("score %+v has no research record", s)
		}
		if s.Key == x.Key("1000604871") && s.Assessment == "SA-2011-Mathematics-Fifth grade" {
			lisaScores++
			if s.Score != "40" || s.Performance != "Met Standard" || s.GradeLevel != "5" || s.SchoolYear != 2022 {
				t.Errorf("Jerry's math score %+v", s)
			}
		}
	}
	if lisaScores != 1 {
		t.Errorf("Jerry's math result appears %d times in the extract, want once", lisaScores)
	}

	var out bytes.Buffer
	if err := backpack.WriteRecordsCSV(&out, recs); err != nil {
		t.Fatal(err)
	}
	if err := backpack.WriteScoresCSV(&out, scores); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	// Nothing that names or identifies a student may appear: names, streets, cities, IDs
	// of every record, full birth dates.
	s := newStore(t)
	var secrets []string
	for _, b := range bps {
		for _, rec := range b.Records {
			st, ok := s.Student(rec)
			if !ok {
				t.Fatalf("no record %s", rec)
			}
			secrets = append(secrets, st.FirstName, st.MiddleName, st.LastSurname, st.Address.Street, st.Address.City,
				st.SSID, st.StudentUniqueID, st.Record, st.BirthDate)
			for _, c := range st.IdentificationCodes {
				if len(c.Code) >= 5 { // short local codes (822) are too short to search for
					secrets = append(secrets, c.Code)
				}
			}
		}
		secrets = append(secrets, b.StudentID)
		for _, a := range b.Assessments {
			secrets = append(secrets, a.Fact.StudentAssessmentIdentifier)
		}
	}
	for _, v := range secrets {
		if len(v) < 2 {
			continue // middle initials
		}
		if strings.Contains(text, v) {
			t.Errorf("the extract contains %q", v)
		}
	}
	// The birth date is reduced to the year.
	lines := strings.Split(text, "\n")
	if lines[0] != "key,birth_year,sex,race,grade_level,lea,school" {
		t.Errorf("records header %q", lines[0])
	}
	lisa := "," + "2008,Female,Asian,9,255902,255902001"
	if !strings.Contains(text, x.Key("1000604822")+lisa+"\n") {
		t.Errorf("Lisa's row missing:\n%s", text)
	}
}

// gridOf returns the published grid's counts, margins included.
func gridOf(t backpack.Table) [][]int {
	nr, nc := len(t.Rows), len(t.Cols)
	g := make([][]int, nr+1)
	for i := range g {
		g[i] = make([]int, nc+1)
		for j := range g[i] {
			switch {
			case i < nr && j < nc:
				g[i][j] = t.Counts[i][j]
			case i < nr:
				g[i][j] = t.RowTotals[i]
			case j < nc:
				g[i][j] = t.ColTotals[j]
			default:
				g[i][j] = t.Total
			}
		}
	}
	return g
}

// table builds a Table from inner counts.
func table(counts [][]int) backpack.Table {
	t := backpack.Table{RowName: "r", ColName: "c", Counts: counts}
	for i := range counts {
		t.Rows = append(t.Rows, fmt.Sprint("r", i))
	}
	for j := range counts[0] {
		t.Cols = append(t.Cols, fmt.Sprint("c", j))
	}
	t.RowTotals = make([]int, len(counts))
	t.ColTotals = make([]int, len(counts[0]))
	for i, row := range counts {
		for j, n := range row {
			t.RowTotals[i] += n
			t.ColTotals[j] += n
			t.Total += n
		}
	}
	return t
}

// marks parses a grid of suppression marks: "x" hidden, "." shown.
func marks(rows ...string) [][]bool {
	var g [][]bool
	for _, r := range rows {
		var line []bool
		for _, c := range strings.ReplaceAll(r, " ", "") {
			line = append(line, c == 'x')
		}
		g = append(g, line)
	}
	return g
}

func TestSuppressTables(t *testing.T) {
	tests := []struct {
		name                   string
		counts                 [][]int
		min                    int
		want                   [][]bool
		primary, complementary int
	}{
		{"nothing small", [][]int{{20, 30}, {40, 50}}, 10, marks("...", "...", "..."), 0, 0},
		{"one small cell: its rectangle", [][]int{{5, 30}, {40, 50}}, 10, marks("xx.", "xx.", "..."), 1, 3},
		{"min 5 leaves it", [][]int{{5, 30}, {40, 50}}, 5, marks("...", "...", "..."), 0, 0},
		{"zero counts are suppressed", [][]int{{0, 30}, {40, 50}}, 10, marks("xx.", "xx.", "..."), 1, 3},
		{"one cell table", [][]int{{5}}, 10, marks("xx", "xx"), 4, 0},
		{"one row: margins complement", [][]int{{3, 20, 30}}, 10, marks("xx..", "xx.."), 2, 2},
		{"middle cell", [][]int{{20, 20, 20}, {20, 4, 20}, {20, 20, 20}}, 10,
			marks("xx..", "xx..", "....", "...."), 1, 3},
		{"small row total", [][]int{{3, 4}, {30, 40}}, 10, marks("xxx", "xxx", "..."), 3, 3},
		{"two cycles joined by a bridge", [][]int{
			{1, 1, 50, 50},
			{1, 1, 1, 50},
			{50, 50, 1, 1},
			{50, 50, 1, 1},
		}, 10, marks(
			"xx...",
			"xxx..",
			"x.xx.",
			"..xx.",
			"....."), 9, 1},
		{"default threshold", [][]int{{9, 30}, {40, 50}}, 0, marks("xx.", "xx.", "..."), 1, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := table(tt.counts)
			p := backpack.Suppress(in, tt.min)
			if diff := cmp.Diff(tt.want, p.Suppressed); diff != "" {
				t.Errorf("suppressed (-want +got):\n%s", diff)
			}
			if p.Primary != tt.primary || p.Complementary != tt.complementary {
				t.Errorf("primary %d, complementary %d; want %d, %d", p.Primary, p.Complementary, tt.primary, tt.complementary)
			}
			if diff := cmp.Diff(table(tt.counts), p.Table); diff != "" {
				t.Errorf("the published counts differ from the table (-table +published):\n%s", diff)
			}
			if got := recovered(p); len(got) != 0 {
				t.Errorf("an attacker recovers %v", got)
			}
		})
	}
}

// recovered solves the published table's equations as an attacker would and returns
// every suppressed cell whose count they determine exactly, with that count. The
// equations: each row of the grid (cells and the row total) and each column (cells and
// the column total) sums to zero with the total counted negative. The unknowns are the
// suppressed cells; published counts go to the right-hand side.
func recovered(p backpack.Published) map[[2]int]float64 {
	g := gridOf(p.Table)
	nr, nc := len(g), len(g[0])
	var unknowns [][2]int
	at := map[[2]int]int{}
	for i := range nr {
		for j := range nc {
			if p.Suppressed[i][j] {
				at[[2]int{i, j}] = len(unknowns)
				unknowns = append(unknowns, [2]int{i, j})
			}
		}
	}
	n := len(unknowns)
	if n == 0 {
		return nil
	}
	var rows [][]float64 // each: n coefficients then the right-hand side
	line := func(cells [][2]int) {
		eq := make([]float64, n+1)
		for k, c := range cells {
			sign := 1.0
			if k == len(cells)-1 { // the line's total
				sign = -1
			}
			if u, ok := at[c]; ok {
				eq[u] += sign
			} else {
				eq[n] -= sign * float64(g[c[0]][c[1]])
			}
		}
		rows = append(rows, eq)
	}
	for i := range nr {
		var cells [][2]int
		for j := range nc {
			cells = append(cells, [2]int{i, j})
		}
		line(cells)
	}
	for j := range nc {
		var cells [][2]int
		for i := range nr {
			cells = append(cells, [2]int{i, j})
		}
		line(cells)
	}
	// Gauss–Jordan elimination to reduced row echelon form.
	const eps = 1e-9
	pivotRow := map[int]int{} // pivot column → row
	r := 0
	for c := 0; c < n && r < len(rows); c++ {
		best := r
		for k := r + 1; k < len(rows); k++ {
			if math.Abs(rows[k][c]) > math.Abs(rows[best][c]) {
				best = k
			}
		}
		if math.Abs(rows[best][c]) < eps {
			continue
		}
		rows[r], rows[best] = rows[best], rows[r]
		pv := rows[r][c]
		for k := range rows[r] {
			rows[r][k] /= pv
		}
		for k := range rows {
			if k != r && math.Abs(rows[k][c]) > eps {
				f := rows[k][c]
				for m := range rows[k] {
					rows[k][m] -= f * rows[r][m]
				}
			}
		}
		pivotRow[c] = r
		r++
	}
	out := map[[2]int]float64{}
	for c, pr := range pivotRow {
		free := false
		for m := range n {
			if _, pivot := pivotRow[m]; !pivot && math.Abs(rows[pr][m]) > eps {
				free = true
				break
			}
		}
		if !free {
			out[unknowns[c]] = rows[pr][n]
		}
	}
	return out
}

// primaryOnly hides the cells under min and nothing else, as a naive publisher would.
func primaryOnly(t backpack.Table, min int) backpack.Published {
	g := gridOf(t)
	p := backpack.Published{Table: t}
	for i := range g {
		p.Suppressed = append(p.Suppressed, make([]bool, len(g[i])))
		for j := range g[i] {
			if g[i][j] < min {
				p.Suppressed[i][j] = true
				p.Primary++
			}
		}
	}
	return p
}

// The attacker works: with primary suppression alone it recovers hidden counts, the
// lone small cell of a row and a cell only the joined equations give away.
func TestAttackerRecoversPrimaryOnly(t *testing.T) {
	tests := []struct {
		name   string
		counts [][]int
		want   map[[2]int]float64
	}{
		{"lone small cell", [][]int{{5, 30}, {40, 50}}, map[[2]int]float64{{0, 0}: 5}},
		{"bridge", [][]int{
			{1, 1, 50, 50},
			{1, 1, 1, 50},
			{50, 50, 1, 1},
			{50, 50, 1, 1},
		}, map[[2]int]float64{{1, 2}: 1}},
		// No row has a lone hidden cell, but each column does.
		{"two small cells of a row", [][]int{{3, 4, 30}, {30, 40, 50}}, map[[2]int]float64{{0, 0}: 3, {0, 1}: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := recovered(primaryOnly(table(tt.counts), 10))
			for c, v := range got {
				got[c] = math.Round(v*1e6) / 1e6
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("recovered (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSuppressProperties checks random tables: every small cell hidden, no line with one
// hidden cell, and nothing an exact solver of the published equations can recover.
func TestSuppressProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 11))
	for k := range 400 {
		nr, nc := 1+rng.IntN(6), 1+rng.IntN(6)
		counts := make([][]int, nr)
		for i := range counts {
			counts[i] = make([]int, nc)
			for j := range counts[i] {
				counts[i][j] = rng.IntN(41)
			}
		}
		min := []int{5, 10, 10, 20}[rng.IntN(4)]
		in := table(counts)
		p := backpack.Suppress(in, min)
		name := fmt.Sprintf("table %d (min %d): %v", k, min, counts)
		g := gridOf(in)
		hidden, small := 0, 0
		for i := range g {
			for j := range g[i] {
				if p.Suppressed[i][j] {
					hidden++
				}
				if g[i][j] < min {
					small++
					if !p.Suppressed[i][j] {
						t.Errorf("%s: cell %d,%d counts %d and is shown", name, i, j, g[i][j])
					}
				}
			}
		}
		if p.Primary != small || p.Primary+p.Complementary != hidden {
			t.Errorf("%s: primary %d complementary %d; %d small, %d hidden", name, p.Primary, p.Complementary, small, hidden)
		}
		for i := range g {
			if n := countTrue(p.Suppressed[i]); n == 1 {
				t.Errorf("%s: grid row %d has one hidden cell", name, i)
			}
		}
		for j := range g[0] {
			var col []bool
			for i := range g {
				col = append(col, p.Suppressed[i][j])
			}
			if countTrue(col) == 1 {
				t.Errorf("%s: grid column %d has one hidden cell", name, j)
			}
		}
		if got := recovered(p); len(got) != 0 {
			t.Errorf("%s: suppressed %v; an attacker recovers %v", name, p.Suppressed, got)
		}
		if diff := cmp.Diff(in, p.Table); diff != "" {
			t.Errorf("%s: Suppress changed the table", name)
		}
	}
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

func TestCrossTab(t *testing.T) {
	type kid struct{ grade, sex string }
	kids := []kid{{"10", "F"}, {"9", "M"}, {"K", "F"}, {"", "M"}, {"9", "F"}, {"PK", ""}, {"9", "M"}, {"Ungraded", "F"}}
	tab := backpack.CrossTab(kids, "grade", func(k kid) string { return k.grade }, "sex", func(k kid) string { return k.sex })
	want := backpack.Table{
		RowName: "grade", ColName: "sex",
		Rows:      []string{"PK", "K", "9", "10", "Ungraded", "(not reported)"},
		Cols:      []string{"F", "M", "(not reported)"},
		Counts:    [][]int{{0, 0, 1}, {1, 0, 0}, {1, 2, 0}, {1, 0, 0}, {1, 0, 0}, {0, 1, 0}},
		RowTotals: []int{1, 1, 3, 1, 1, 1},
		ColTotals: []int{4, 3, 1},
		Total:     8,
	}
	if diff := cmp.Diff(want, tab); diff != "" {
		t.Errorf("CrossTab (-want +got):\n%s", diff)
	}
}

func TestPublishedWriteCSV(t *testing.T) {
	p := backpack.Suppress(table([][]int{{5, 30}, {40, 50}}), 10)
	var sb strings.Builder
	if err := p.WriteCSV(&sb, "*"); err != nil {
		t.Fatal(err)
	}
	want := "r \\ c,c0,c1,Total\nr0,*,*,35\nr1,*,*,90\nTotal,45,80,125\n"
	if diff := cmp.Diff(want, sb.String()); diff != "" {
		t.Errorf("WriteCSV (-want +got):\n%s", diff)
	}
	for _, hidden := range []string{"5", "30", "40", "50"} {
		if strings.Contains(sb.String(), ","+hidden+",") || strings.Contains(sb.String(), ","+hidden+"\n") {
			t.Errorf("a suppressed count %s is in the output", hidden)
		}
	}
}

// TestKeyFollowsMostRecords: a student whose records mostly carry one SSID is keyed by
// it, even when the record shown (the latest) has a mistyped one.
func TestKeyFollowsMostRecords(t *testing.T) {
	src := func(lea, day string) backpack.Source {
		return backpack.Source{LEA: lea, Record: lea + "/1", Submitted: day}
	}
	b := &backpack.Backpack{StudentID: "S1", Demographics: []backpack.Field{{Name: "ssid", Value: "1000000021",
		Source: src("c", "2024-01-01"), Candidates: []backpack.Candidate{
			{Value: "1000000021", Source: src("c", "2024-01-01")},
			{Value: "1000000012", Source: src("a", "2022-01-01")},
			{Value: "1000000012", Source: src("b", "2023-01-01")},
		}}}}
	x := extractor(t, "s")
	recs, _ := x.Extract([]*backpack.Backpack{b})
	if len(recs) != 1 || recs[0].Key != x.Key("1000000012") {
		t.Errorf("key %v, want the key of the SSID two of three records carry", recs)
	}
}
