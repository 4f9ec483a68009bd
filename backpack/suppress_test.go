package backpack_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// tableOf builds a Table from inner counts.
func tableOf(rowAttr, colAttr string, rows, cols []string, counts [][]int) backpack.Table {
	t := backpack.Table{RowName: rowAttr, ColName: colAttr, Rows: rows, Cols: cols, Counts: counts,
		RowTotals: make([]int, len(counts)), ColTotals: make([]int, len(counts[0]))}
	for i, row := range counts {
		for j, n := range row {
			t.RowTotals[i] += n
			t.ColTotals[j] += n
			t.Total += n
		}
	}
	return t
}

// table builds a Table with rows r0, r1, … and columns c0, c1, ….
func table(counts [][]int) backpack.Table {
	var rows, cols []string
	for i := range counts {
		rows = append(rows, fmt.Sprint("r", i))
	}
	for j := range counts[0] {
		cols = append(cols, fmt.Sprint("c", j))
	}
	return tableOf("r", "c", rows, cols, counts)
}

// gridOf returns a table's counts, margins included.
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

// checkRelease checks what every release must be: the counts unchanged, every count under
// the minimum hidden, "N<min" only on such counts, the tallies right, and nothing for
// Audit to find.
func checkRelease(t testing.TB, tables []backpack.Table, min int, ps []backpack.Published) {
	t.Helper()
	if len(ps) != len(tables) {
		t.Fatalf("%d published tables for %d", len(ps), len(tables))
	}
	for k, p := range ps {
		if diff := cmp.Diff(tables[k], p.Table); diff != "" {
			t.Errorf("table %d changed (-table +published):\n%s", k, diff)
		}
		if p.Min != min {
			t.Errorf("table %d: min %d, want %d", k, p.Min, min)
		}
		g := gridOf(tables[k])
		small, hidden, relabelled := 0, 0, 0
		for i := range g {
			for j := range g[i] {
				label := p.Label(i, j)
				switch {
				case g[i][j] < min && !p.Suppressed[i][j]:
					t.Errorf("table %d: cell %d,%d counts %d and is shown", k, i, j, g[i][j])
				case strings.HasPrefix(label, "N<") && (label != fmt.Sprintf("N<%d", min) || g[i][j] >= min):
					t.Errorf("table %d: cell %d,%d counts %d and is labelled %q", k, i, j, g[i][j], label)
				case !p.Suppressed[i][j] && label != fmt.Sprint(g[i][j]):
					t.Errorf("table %d: cell %d,%d counts %d and shows %q", k, i, j, g[i][j], label)
				}
				if g[i][j] < min {
					small++
					if !p.Small[i][j] {
						relabelled++
					}
				}
				if p.Suppressed[i][j] {
					hidden++
				}
			}
		}
		if p.Primary != small || p.Primary+p.Complementary != hidden || p.Relabelled != relabelled {
			t.Errorf("table %d: primary %d complementary %d relabelled %d; %d small, %d hidden, %d relabelled",
				k, p.Primary, p.Complementary, p.Relabelled, small, hidden, relabelled)
		}
	}
	bounds, err := backpack.Audit(ps...)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bounds {
		if b.Leak != "" {
			t.Errorf("Audit: table %d cell %d,%d (%s, counts %d): %s", b.Table, b.Row, b.Col, b.Label, b.Count, b.Leak)
		}
	}
}

func TestSuppressTables(t *testing.T) {
	tests := []struct {
		name   string
		counts [][]int
		min    int
		want   [][]bool // nil: any pattern that passes
	}{
		{"nothing small", [][]int{{20, 30}, {40, 50}}, 10, marks("...", "...", "...")},
		{"one small cell: its rectangle", [][]int{{5, 30}, {40, 50}}, 10, marks("xx.", "xx.", "...")},
		{"zero counts are suppressed", [][]int{{0, 30}, {40, 50}}, 10, marks("xx.", "xx.", "...")},
		{"min 20 hides the teens", [][]int{{15, 30}, {40, 50}}, 20, marks("xx.", "xx.", "...")},
		{"one cell table", [][]int{{5}}, 10, marks("xx", "xx")},
		{"one row", [][]int{{3, 20, 30}}, 10, nil},
		{"middle cell", [][]int{{20, 20, 20}, {20, 4, 20}, {20, 20, 20}}, 10, nil},
		{"small row total", [][]int{{3, 4}, {30, 40}}, 10, nil},
		{"two cycles joined by a bridge", [][]int{
			{1, 1, 50, 50},
			{1, 1, 1, 50},
			{50, 50, 1, 1},
			{50, 50, 1, 1},
		}, 10, nil},
		{"the review's table", [][]int{{0, 8, 13}, {5, 26, 3}, {0, 7, 22}}, 10, nil},
		{"two small counts adding to 11", [][]int{{5, 6}, {40, 50}}, 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := table(tt.counts)
			p, err := backpack.Suppress(in, tt.min)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, p.Suppressed); diff != "" {
					t.Errorf("suppressed (-want +got):\n%s", diff)
				}
			}
			checkRelease(t, []backpack.Table{in}, tt.min, []backpack.Published{p})
			if got, ok := recovered(t, []backpack.Published{p}, 2_000_000); !ok {
				t.Log("too many consistent tables to enumerate")
			} else if len(got) > 0 {
				t.Errorf("the attacker recovers %v", got)
			}
		})
	}
}

// primaryOnly hides the cells under min and nothing else, labelled "N<min", as the
// publisher the review attacked did.
func primaryOnly(t backpack.Table, min int) backpack.Published {
	g := gridOf(t)
	p := backpack.Published{Table: t, Min: min}
	for i := range g {
		p.Suppressed = append(p.Suppressed, make([]bool, len(g[i])))
		p.Small = append(p.Small, make([]bool, len(g[i])))
		for j := range g[i] {
			if g[i][j] < min {
				p.Suppressed[i][j], p.Small[i][j] = true, true
				p.Primary++
			}
		}
	}
	return p
}

// The review's attack on one table: with primary suppression, bounds alone give back the
// 8, the 7 and both zeros; with Suppress, nothing.
func TestAttackBoundsOneTable(t *testing.T) {
	in := table([][]int{{0, 8, 13}, {5, 26, 3}, {0, 7, 22}})
	naive := []backpack.Published{primaryOnly(in, 10)}
	got, ok := recovered(t, naive, 1_000_000)
	if !ok {
		t.Fatal("the attacker gave up")
	}
	for _, want := range []string{"table 0 cell 0,0 = 0", "table 0 cell 0,1 = 8", "table 0 cell 2,0 = 0", "table 0 cell 2,1 = 7"} {
		if !slices.Contains(got, want) {
			t.Errorf("the attack on primary suppression should find %q; found %v", want, got)
		}
	}
	bounds, err := backpack.Audit(naive...)
	if err != nil {
		t.Fatal(err)
	}
	leaks := 0
	for _, b := range bounds {
		if b.Leak != "" {
			leaks++
		}
	}
	if leaks < 4 {
		t.Errorf("Audit finds %d leaks in primary suppression, the attacker %d", leaks, len(got))
	}
	p, err := backpack.Suppress(in, 10)
	if err != nil {
		t.Fatal(err)
	}
	checkRelease(t, []backpack.Table{in}, 10, []backpack.Published{p})
	if got, ok := recovered(t, []backpack.Published{p}, 1_000_000); !ok || len(got) > 0 {
		t.Errorf("the attacker recovers %v from Suppress's table (searched all: %v)", got, ok)
	}
}

// Two tables sharing the grade totals, each safe alone, give cells away together; the
// release suppressed as one gives nothing.
func TestAttackBoundsAcrossTables(t *testing.T) {
	grades := []string{"1", "2", "3", "4"}
	leaByGrade := tableOf("lea", "grade", []string{"A", "B"}, grades, [][]int{{5, 7, 39, 38}, {8, 8, 16, 18}})
	sexByGrade := tableOf("sex", "grade", []string{"F", "M"}, grades, [][]int{{12, 11, 30, 12}, {1, 4, 25, 44}})
	tables := []backpack.Table{leaByGrade, sexByGrade}
	var alone []backpack.Published
	for _, tab := range tables {
		p, err := backpack.Suppress(tab, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := recovered(t, []backpack.Published{p}, 1_000_000); !ok || len(got) > 0 {
			t.Fatalf("%s × %s alone: the attacker recovers %v (searched all: %v)", tab.RowName, tab.ColName, got, ok)
		}
		alone = append(alone, p)
	}
	got, ok := recovered(t, alone, 1_000_000)
	if !ok || len(got) == 0 {
		t.Fatalf("the two tables suppressed apart should leak together; the attacker recovers %v (searched all: %v)", got, ok)
	}
	t.Logf("tables suppressed apart, read together, give away: %v", got)
	leaks := 0
	bounds, err := backpack.Audit(alone...)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bounds {
		if b.Leak != "" {
			leaks++
		}
	}
	if leaks == 0 {
		t.Error("Audit of the two tables suppressed apart finds nothing")
	}
	ps, err := backpack.SuppressTables(tables, 10)
	if err != nil {
		t.Fatal(err)
	}
	checkRelease(t, tables, 10, ps)
	// Too many tables are consistent with the release to enumerate; checkRelease's Audit
	// is the attack.
	if got, ok := recovered(t, ps, 100_000); len(got) > 0 {
		t.Errorf("the attacker recovers %v from the release (searched all: %v)", got, ok)
	}
}

// Labels are honest and carry the release's own minimum: a complementary cell is
// "suppressed", never "N<10"; "N<min" is dropped where it would give a count away.
func TestSuppressLabels(t *testing.T) {
	// A PK column of 22 whose two cells (12 and 10) are hidden to protect others: the
	// review found both shown as N<10.
	in := tableOf("sex", "grade", []string{"F", "M"}, []string{"PK", "K", "1"}, [][]int{{12, 3, 40}, {10, 30, 40}})
	p, err := backpack.Suppress(in, 10)
	if err != nil {
		t.Fatal(err)
	}
	checkRelease(t, []backpack.Table{in}, 10, []backpack.Published{p})
	for i := range 2 {
		if p.Suppressed[i][0] && p.Label(i, 0) != backpack.SuppressedLabel {
			t.Errorf("PK cell of %d labelled %q", in.Counts[i][0], p.Label(i, 0))
		}
	}
	// Two small counts making a total of 11: "N<10" on both says each is at least 2.
	in = table([][]int{{5, 6}, {40, 50}})
	naive := primaryOnly(in, 10)
	naive.Suppressed[1][0], naive.Suppressed[1][1] = true, true // the row total 11 stays shown
	if got, _ := recovered(t, []backpack.Published{naive}, 1_000_000); len(got) == 0 {
		t.Error("the attacker should learn the two small counts are not zero")
	}
	p, err = backpack.Suppress(in, 10)
	if err != nil {
		t.Fatal(err)
	}
	checkRelease(t, []backpack.Table{in}, 10, []backpack.Published{p})
	if p.Relabelled == 0 {
		t.Error("no N<10 label was dropped")
	}
	// min 20 labels N<20 and hides the teens.
	in = table([][]int{{15, 30}, {40, 50}})
	p, err = backpack.Suppress(in, 20)
	if err != nil {
		t.Fatal(err)
	}
	if p.Label(0, 0) != "N<20" {
		t.Errorf("a count of 15 under minimum 20 is labelled %q", p.Label(0, 0))
	}
	var sb strings.Builder
	if err := p.WriteCSV(&sb); err != nil {
		t.Fatal(err)
	}
	if want := "r \\ c,c0,c1,Total\nr0,N<20,suppressed,45\nr1,suppressed,suppressed,90\nTotal,55,80,135\n"; sb.String() != want {
		t.Errorf("WriteCSV:\n%s\nwant:\n%s", sb.String(), want)
	}
	for _, v := range []string{"15", "30", "40", "50"} {
		if strings.Contains(sb.String(), ","+v+",") {
			t.Errorf("a suppressed count %s is in the output", v)
		}
	}
}

func TestSuppressRefuses(t *testing.T) {
	good := tableOf("lea", "grade", []string{"A", "B"}, []string{"1", "2"}, [][]int{{20, 30}, {40, 50}})
	for _, min := range []int{-5, 0, 1, 9} {
		if _, err := backpack.Suppress(good, min); err == nil {
			t.Errorf("minimum %d accepted", min)
		}
	}
	ragged := good
	ragged.Counts = [][]int{{20}, {40, 50}}
	negative := tableOf("lea", "grade", []string{"A", "B"}, []string{"1", "2"}, [][]int{{20, -3}, {40, 50}})
	wrongTotal := good
	wrongTotal.Total++
	sameAttr := good
	sameAttr.ColName = "lea"
	tests := []struct {
		name   string
		tables []backpack.Table
	}{
		{"ragged", []backpack.Table{ragged}},
		{"negative count", []backpack.Table{negative}},
		{"wrong total", []backpack.Table{wrongTotal}},
		{"one attribute twice", []backpack.Table{sameAttr}},
		{"two populations", []backpack.Table{good, tableOf("sex", "grade", []string{"F"}, []string{"1", "2"}, [][]int{{60, 79}})}},
		{"a shared attribute counted otherwise", []backpack.Table{good, tableOf("sex", "grade", []string{"F"}, []string{"1", "2"}, [][]int{{61, 79}})}},
		{"a shared attribute with other categories", []backpack.Table{good, tableOf("sex", "grade", []string{"F"}, []string{"1", "3"}, [][]int{{60, 80}})}},
		{"the same table twice", []backpack.Table{good, good}},
		{"a cycle of attributes", []backpack.Table{good,
			tableOf("grade", "sex", []string{"1", "2"}, []string{"F", "M"}, [][]int{{30, 30}, {40, 40}}),
			tableOf("sex", "lea", []string{"F", "M"}, []string{"A", "B"}, [][]int{{25, 45}, {25, 45}})}},
	}
	for _, tt := range tests {
		if ps, err := backpack.SuppressTables(tt.tables, 10); err == nil {
			t.Errorf("%s: SuppressTables = %d tables, no error", tt.name, len(ps))
		}
	}
	// Audit refuses a label that lies.
	p := primaryOnly(good, 10)
	p.Suppressed[0][0], p.Small[0][0] = true, true
	if _, err := backpack.Audit(p); err == nil {
		t.Error("Audit accepted N<10 on a count of 20")
	}
}

// randomRelease draws one table or a star of two or three tables around a shared "grade"
// attribute, all counting one population, a third of the counts under 10.
func randomRelease(rng *rand.Rand) []backpack.Table {
	return releaseFrom(func(limit int) int { return rng.IntN(limit) }, func() int {
		if rng.IntN(3) == 0 {
			return rng.IntN(10)
		}
		return rng.IntN(40)
	})
}

// releaseFrom builds a release from drawn numbers: next(limit) is in [0, limit), count()
// a count of students. Up to four grades and three attributes of up to three values
// each; every table counts students by one attribute and grade, as margins of one joint
// table, so all count one population.
func releaseFrom(next func(limit int) int, count func() int) []backpack.Table {
	grades := 1 + next(4)
	n := 1 + next(3)
	sizes := []int{1 + next(3), 1 + next(3), 1 + next(3)}
	var gs []string
	for g := range grades {
		gs = append(gs, fmt.Sprint(g+1))
	}
	tables := make([][][]int, n)
	for k := range tables {
		tables[k] = make([][]int, sizes[k])
		for i := range tables[k] {
			tables[k][i] = make([]int, grades)
		}
	}
	for g := range grades {
		for a := range sizes[0] {
			for b := range sizes[1] {
				for c := range sizes[2] {
					x := count()
					for k, v := range []int{a, b, c}[:n] {
						tables[k][v][g] += x
					}
				}
			}
		}
	}
	// An attribute's categories are declared (a category may count no one) when one of
	// them counts no one, and otherwise by chance: else each counts one at least, which
	// the attacker knows.
	declare := func(totals []int) bool { return slices.Contains(totals, 0) || next(2) == 0 }
	var out []backpack.Table
	for k, counts := range tables {
		var rows []string
		for i := range counts {
			rows = append(rows, fmt.Sprint("v", i))
		}
		t := tableOf(fmt.Sprint("attr", k), "grade", rows, gs, counts)
		t.RowsDeclared = declare(t.RowTotals)
		out = append(out, t)
	}
	grade := declare(out[0].ColTotals)
	for k := range out {
		out[k].ColsDeclared = grade
	}
	return out
}

// TestSuppressRandomReleases attacks random releases: Audit finds nothing in any, and
// the exhaustive attacker finds nothing in the small ones.
func TestSuppressRandomReleases(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 11))
	attacked := 0
	for k := range 1500 {
		tables := randomRelease(rng)
		min := []int{10, 10, 11, 15, 20}[rng.IntN(5)]
		ps, err := backpack.SuppressTables(tables, min)
		if err != nil {
			t.Fatalf("release %d: %v", k, err)
		}
		checkRelease(t, tables, min, ps)
		if t.Failed() {
			t.Fatalf("release %d (min %d): %+v", k, min, tables)
		}
		if k%15 == 0 {
			if got, ok := recovered(t, ps, 20_000); ok {
				attacked++
				if len(got) > 0 {
					t.Fatalf("release %d (min %d): the attacker recovers %v from %+v", k, min, got, ps)
				}
			}
		}
	}
	t.Logf("%d releases attacked exhaustively", attacked)
	if attacked < 40 {
		t.Errorf("only %d releases were small enough to attack exhaustively", attacked)
	}
}

// TestAuditMatchesAttacker: on small tables with any suppression pattern and labels, the
// ranges Audit reports are exactly the exhaustive attacker's.
func TestAuditMatchesAttacker(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	compared := 0
	for k := 0; compared < 300 && k < 3000; k++ {
		nr, nc := 1+rng.IntN(2), 1+rng.IntN(3)
		counts := make([][]int, nr)
		for i := range counts {
			counts[i] = make([]int, nc)
			for j := range counts[i] {
				counts[i][j] = rng.IntN(16)
			}
		}
		tab := table(counts)
		tab.RowsDeclared = slices.Contains(tab.RowTotals, 0) || rng.IntN(2) == 0
		tab.ColsDeclared = slices.Contains(tab.ColTotals, 0) || rng.IntN(2) == 0
		p := primaryOnly(tab, 10)
		for i := range p.Suppressed {
			for j := range p.Suppressed[i] {
				last := i == nr && j == nc
				switch {
				case last:
					p.Suppressed[i][j], p.Small[i][j] = false, false // the attacker needs the total
				case p.Small[i][j] && rng.IntN(3) == 0:
					p.Small[i][j] = false
				case !p.Suppressed[i][j] && rng.IntN(3) == 0:
					p.Suppressed[i][j] = true
				}
			}
		}
		ranges, ok := attack(t, []backpack.Published{p}, 100_000)
		if !ok {
			continue
		}
		compared++
		bounds, err := backpack.Audit(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range bounds {
			r, hidden := ranges[[3]int{b.Table, b.Row, b.Col}]
			if !hidden {
				continue // a shown count under the minimum
			}
			if strings.Contains(b.Leak, "not attained") {
				t.Errorf("table %v: cell %d,%d: %s", counts, b.Row, b.Col, b.Leak)
				continue
			}
			if b.Lo != r.lo || b.Hi != r.hi {
				t.Errorf("table %v, suppressed %v, small %v: cell %d,%d: Audit %d–%d, attacker %d–%d",
					counts, p.Suppressed, p.Small, b.Row, b.Col, b.Lo, b.Hi, r.lo, r.hi)
			}
		}
	}
	if compared < 300 {
		t.Errorf("only %d tables compared", compared)
	}
}

// releaseFromBytes reads a release and a minimum from fuzz input: the first byte the
// minimum (10 to 30), then the shape and the counts (0 to 44); past the input's end, a
// generator seeded by it draws them.
func releaseFromBytes(data []byte) ([]backpack.Table, int) {
	if len(data) < 2 {
		return nil, 0
	}
	rng := rand.New(rand.NewPCG(uint64(data[1]), uint64(len(data))))
	at := 2
	next := func(limit int) int {
		if at < len(data) {
			at++
			return int(data[at-1]) % limit
		}
		return rng.IntN(limit)
	}
	return releaseFrom(next, func() int { return next(45) }), 10 + int(data[0])%21
}

// FuzzSuppress attacks the releases SuppressTables makes of arbitrary tables with Audit,
// the same bounds computation an attacker would run: it must find nothing, and every
// release must keep its counts and label them honestly.
func FuzzSuppress(f *testing.F) {
	f.Add([]byte{0, 0, 2, 0, 2, 2, 2, 0, 8, 13, 5, 26, 3, 0, 7, 22})
	f.Add([]byte{10, 1, 2, 1, 1, 1, 1, 4, 20, 30, 25, 5, 30})
	f.Add([]byte{0, 7, 3, 2, 2, 2, 2, 9, 9, 9, 9, 9, 9, 9, 9, 1, 1, 1, 1, 1, 1, 1, 1})
	f.Add([]byte{20, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		tables, min := releaseFromBytes(data)
		if tables == nil {
			return
		}
		ps, err := backpack.SuppressTables(tables, min)
		if err != nil {
			t.Fatalf("SuppressTables(%+v, %d): %v", tables, min, err)
		}
		checkRelease(t, tables, min, ps)
	})
}

// TestAuditCategoryExistence: a table over the categories the students have shows a
// category only if it counts one student at least, so a margin labelled "N<10" is a
// count of 1 to 9. Audit sees it; over declared categories (which may be empty) it is
// not a leak.
func TestAuditCategoryExistence(t *testing.T) {
	// Three LEAs of 4, 5 and 3 students in three grades: every margin N<10, the total 12
	// shown.
	tab := tableOf("lea", "grade", []string{"a", "b", "c"}, []string{"3", "4", "5"}, [][]int{{2, 1, 1}, {3, 1, 1}, {1, 1, 1}})
	p := primaryOnly(tab, 10)
	bounds, err := backpack.Audit(p)
	if err != nil {
		t.Fatal(err)
	}
	leaks := map[[2]int]string{}
	for _, b := range bounds {
		if b.Leak != "" {
			leaks[[2]int{b.Row, b.Col}] = fmt.Sprintf("%d–%d", b.Lo, b.Hi)
		}
	}
	// Each LEA's total and each grade's is 1–9: N<10 and not zero.
	want := map[[2]int]string{{0, 3}: "1–9", {1, 3}: "1–9", {2, 3}: "1–9", {3, 0}: "1–9", {3, 1}: "1–9", {3, 2}: "1–9"}
	if diff := cmp.Diff(want, leaks); diff != "" {
		t.Errorf("Audit's leaks of present categories (-want +got):\n%s", diff)
	}
	if got, ok := recovered(t, []backpack.Published{p}, 1_000_000); !ok || len(got) != 6 {
		t.Errorf("the attacker recovers %v (searched all: %v), want the six margins", got, ok)
	}

	// Declared categories may count no one: the same labels leak nothing.
	declared := tab
	declared.RowsDeclared, declared.ColsDeclared = true, true
	p = primaryOnly(declared, 10)
	bounds, err = backpack.Audit(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bounds {
		if b.Leak != "" {
			t.Errorf("declared categories: cell %d,%d: %s", b.Row, b.Col, b.Leak)
		}
	}
	if got, ok := recovered(t, []backpack.Published{p}, 1_000_000); !ok || len(got) != 0 {
		t.Errorf("declared categories: the attacker recovers %v (searched all: %v)", got, ok)
	}

	// SuppressTables protects the undeclared table: the attacker, who knows each shown
	// category counts one at least, recovers nothing.
	ps, err := backpack.SuppressTables([]backpack.Table{tab}, 10)
	if err != nil {
		t.Fatal(err)
	}
	checkRelease(t, []backpack.Table{tab}, 10, ps)
	if got, _ := recovered(t, ps, 100_000); len(got) > 0 {
		t.Errorf("the attacker recovers %v from SuppressTables' release", got)
	}
}

func TestCrossTabOver(t *testing.T) {
	type unit struct{ grade, sex string }
	units := []unit{{"3", "F"}, {"3", "M"}, {"", "F"}, {"5", "F"}}
	grade := func(u unit) string { return u.grade }
	sex := func(u unit) string { return u.sex }
	got, err := backpack.CrossTabOver(units, "grade", []string{"3", "4", "5", "(not reported)"}, grade, "sex", nil, sex)
	if err != nil {
		t.Fatal(err)
	}
	want := backpack.Table{RowName: "grade", ColName: "sex", Rows: []string{"3", "4", "5", "(not reported)"}, Cols: []string{"F", "M"},
		Counts: [][]int{{1, 1}, {0, 0}, {1, 0}, {1, 0}}, RowTotals: []int{2, 0, 1, 1}, ColTotals: []int{3, 1}, Total: 4, RowsDeclared: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CrossTabOver (-want +got):\n%s", diff)
	}
	if _, err := backpack.Suppress(got, 10); err != nil {
		t.Errorf("a declared empty category is refused: %v", err)
	}
	undeclared := got
	undeclared.RowsDeclared = false
	if _, err := backpack.Suppress(undeclared, 10); err == nil || !strings.Contains(err.Error(), `"4" counts no one`) {
		t.Errorf("an undeclared empty category: %v", err)
	}
	for _, rows := range [][]string{{"3", "5"}, {"3", "3", "5", "(not reported)"}} {
		if _, err := backpack.CrossTabOver(units, "grade", rows, grade, "sex", nil, sex); err == nil {
			t.Errorf("categories %q accepted", rows)
		}
	}
}

// merged is tableOf with the Combined row's bookkeeping MergeSmallRows adds.
func merged(tab backpack.Table, n, min int) backpack.Table {
	tab.Merged, tab.MergeMin = n, min
	return tab
}

// MergeSmallRows merges the categories under the minimum and, while they count fewer
// than it together, the smallest others: a Combined row under the minimum would be a
// small non-zero count, and with one category merged, that category.
func TestMergeSmallRows(t *testing.T) {
	cols := []string{"3", "4"}
	for _, tt := range []struct {
		name       string
		rows       []string
		counts     [][]int
		want       backpack.Table
		wantMerged []string
	}{
		{
			name: "one small category pulls in the next smallest", rows: []string{"a", "b", "c"}, counts: [][]int{{40, 30}, {25, 35}, {3, 4}},
			want:       merged(tableOf("lea", "grade", []string{"a", backpack.Combined}, cols, [][]int{{40, 30}, {28, 39}}), 2, 10),
			wantMerged: []string{"c", "b"},
		},
		{
			name: "small categories under the minimum together pull in the smallest", rows: []string{"a", "b", "c", "d"}, counts: [][]int{{2, 2}, {13, 12}, {1, 1}, {20, 20}},
			want:       merged(tableOf("lea", "grade", []string{"d", backpack.Combined}, cols, [][]int{{20, 20}, {16, 15}}), 3, 10),
			wantMerged: []string{"a", "c", "b"},
		},
		{
			name: "small categories reaching the minimum together", rows: []string{"a", "b", "c"}, counts: [][]int{{4, 2}, {13, 12}, {3, 1}},
			want:       merged(tableOf("lea", "grade", []string{"b", backpack.Combined}, cols, [][]int{{13, 12}, {7, 3}}), 2, 10),
			wantMerged: []string{"a", "c"},
		},
		{
			name: "a table under the minimum is one row", rows: []string{"a", "b"}, counts: [][]int{{1, 2}, {3, 1}},
			want:       merged(tableOf("lea", "grade", []string{backpack.Combined}, cols, [][]int{{4, 3}}), 2, 10),
			wantMerged: []string{"a", "b"},
		},
		{
			name: "nothing small", rows: []string{"a", "b"}, counts: [][]int{{10, 2}, {30, 1}},
			want: tableOf("lea", "grade", []string{"a", "b"}, cols, [][]int{{10, 2}, {30, 1}}),
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tab := tableOf("lea", "grade", tt.rows, cols, tt.counts)
			got, m := backpack.MergeSmallRows(tab, 10)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("MergeSmallRows (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantMerged, m); diff != "" {
				t.Errorf("merged (-want +got):\n%s", diff)
			}
			if n := len(got.Rows); n > 1 && got.RowTotals[n-1] < 10 {
				t.Errorf("the Combined row counts %d beside other rows", got.RowTotals[n-1])
			}
			ps, err := backpack.SuppressTables([]backpack.Table{got}, 10)
			if err != nil {
				t.Fatal(err)
			}
			checkRelease(t, []backpack.Table{got}, 10, ps)
			if got, _ := recovered(t, ps, 100_000); len(got) > 0 {
				t.Errorf("the attacker recovers %v", got)
			}
			again, m := backpack.MergeSmallRows(got, 10)
			if m != nil || !cmp.Equal(again, got) {
				t.Errorf("merging a merged table again merged %v", m)
			}
		})
	}
	tab := tableOf("lea", "grade", []string{"a", "b"}, cols, [][]int{{2, 2}, {13, 12}})
	tab.RowsDeclared = true
	if got, merged := backpack.MergeSmallRows(tab, 10); merged != nil || !cmp.Equal(got, tab) {
		t.Errorf("declared rows merged: %v", merged)
	}
}

// Audit knows what MergeSmallRows tells a reader: every row of a merged table counts
// the minimum or more, and the Combined row of k categories at most (k-1)·(min-1) more
// than any other row (all but the last merged are under the minimum, that one no larger
// than a row left). Rows a = 70 and Combined (2 categories) = 67 with every inner cell
// and both row totals hidden, the columns (68, 69) and the total 137 shown: Combined is
// at least 10, and at most 9 + (137 - Combined), so 73.
func TestAuditCombinedRow(t *testing.T) {
	tab, _ := backpack.MergeSmallRows(tableOf("lea", "grade", []string{"a", "b", "c"}, []string{"3", "4"}, [][]int{{40, 30}, {25, 35}, {3, 4}}), 10)
	p := primaryOnly(tab, 10)
	for i := range 2 {
		for j := range 3 {
			p.Suppressed[i][j] = true
		}
	}
	bounds, err := backpack.Audit(p)
	if err != nil {
		t.Fatal(err)
	}
	got := map[[2]int][2]int{}
	for _, b := range bounds {
		got[[2]int{b.Row, b.Col}] = [2]int{b.Lo, b.Hi}
	}
	want := map[[2]int][2]int{
		{0, 0}: {0, 68}, {0, 1}: {0, 69}, {0, 2}: {64, 127}, // a ≥ 137 - 73
		{1, 0}: {0, 68}, {1, 1}: {0, 69}, {1, 2}: {10, 73},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bounds (-want +got):\n%s", diff)
	}
	// A hand-made Combined row, or one that says nothing was merged into it, is refused:
	// Audit could not say what a reader knows of it.
	bad := tab
	bad.Merged = 0
	if _, err := backpack.Suppress(bad, 10); err == nil {
		t.Error("a Combined row without Merged accepted")
	}
}
