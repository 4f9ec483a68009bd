package backpack_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	studentlink "github.com/studentlink/studentlink"
	"github.com/studentlink/studentlink/backpack"
)

// tablesRelease publishes the population's LEA × grade and sex × grade tables as
// examples/research does.
func tablesRelease(t *testing.T, pop *backpack.Population) []backpack.Published {
	t.Helper()
	var tabs []backpack.Table
	for _, row := range []backpack.Attribute{backpack.ByLEA, backpack.BySex} {
		tab, _ := backpack.MergeSmallRows(popTable(t, pop, row, backpack.ByGrade), 10)
		tabs = append(tabs, tab)
	}
	ps, err := backpack.SuppressTables(tabs, 10)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// recoveredMargins counts the suppressed row totals of the tables that counting the
// records by the table's row attribute gives exactly.
func recoveredMargins(ps []backpack.Published, rel *backpack.RecordRelease) int {
	byLEA, bySex := map[string]int{}, map[string]int{}
	for _, r := range rel.Records {
		byLEA[r.LEA]++
		bySex[r.Sex]++
	}
	n := 0
	for k, counts := range []map[string]int{byLEA, bySex} {
		p := ps[k]
		for i, name := range p.Rows {
			if p.Suppressed[i][len(p.Cols)] && counts[name] == p.RowTotals[i] {
				n++
			}
		}
	}
	return n
}

// The attack the ledger stops: tables and a k-anonymous record file of one population,
// published in two runs. Counting the records by LEA and by sex restores margins the
// tables suppressed. With the ledger, whichever kind comes second is refused — for the
// same population, and for one with a student dropped or added — and the ledger is left
// as it was; the same kind again, and another population, are claimed.
func TestClaimReleaseRefusesTheOtherKind(t *testing.T) {
	pop := synthPopulation(t)
	ps := tablesRelease(t, pop)
	rel, err := extractor(t, "s").Records(pop, 10)
	if err != nil {
		t.Fatal(err)
	}
	if n := recoveredMargins(ps, rel); n == 0 {
		t.Fatal("the attack recovers nothing even without the ledger: the test proves nothing")
	}

	dropped := &backpack.Population{Students: pop.Students[1:]}
	half, otherHalf := &backpack.Population{Students: pop.Students[:1000]}, &backpack.Population{Students: pop.Students[1000:]}
	other, records, differ := backpack.ErrOtherKindReleased, backpack.ErrRecordsReleased, backpack.ErrTablesDisclose
	type claim struct {
		kind backpack.ReleaseKind
		pop  *backpack.Population
		want error // nil: claimed
	}
	for _, tt := range []struct {
		name   string
		claims []claim
	}{
		{"tables, then records", []claim{{backpack.TablesRelease, pop, nil}, {backpack.RecordsRelease, pop, other}}},
		{"records, then tables", []claim{{backpack.RecordsRelease, pop, nil}, {backpack.TablesRelease, pop, other}}},
		{"tables, then records without one student", []claim{{backpack.TablesRelease, pop, nil}, {backpack.RecordsRelease, dropped, other}}},
		{"records without one student, then tables", []claim{{backpack.RecordsRelease, dropped, nil}, {backpack.TablesRelease, pop, other}}},
		{"the same tables again", []claim{{backpack.TablesRelease, pop, nil}, {backpack.TablesRelease, pop, nil}, {backpack.RecordsRelease, half, other}}},
		{"tables without one student", []claim{{backpack.TablesRelease, pop, nil}, {backpack.TablesRelease, dropped, differ}}},
		{"records again", []claim{{backpack.RecordsRelease, pop, nil}, {backpack.RecordsRelease, pop, records}}},
		{"records of a part", []claim{{backpack.RecordsRelease, pop, nil}, {backpack.RecordsRelease, half, records}}},
		{"other students", []claim{{backpack.TablesRelease, half, nil}, {backpack.RecordsRelease, otherHalf, nil}, {backpack.TablesRelease, pop, differ}, {backpack.RecordsRelease, pop, other}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ledger := filepath.Join(t.TempDir(), "state", "ledger.json")
			for k, c := range tt.claims {
				before, _ := os.ReadFile(ledger)
				var tables []backpack.Published
				if c.kind == backpack.TablesRelease {
					tables = tablesRelease(t, c.pop)
				}
				err := backpack.ClaimRelease(ledger, c.kind, "study", c.pop, tables...)
				switch {
				case c.want == nil && err != nil:
					t.Fatalf("claim %d (%s): %v", k, c.kind, err)
				case c.want != nil && !errors.Is(err, c.want):
					t.Fatalf("claim %d (%s): %v, want it refused with %v", k, c.kind, err, c.want)
				case c.want != nil:
					if after, _ := os.ReadFile(ledger); string(after) != string(before) {
						t.Errorf("claim %d: the refused claim changed the ledger", k)
					}
					if !strings.Contains(err.Error(), `"study"`) {
						t.Errorf("claim %d: the error does not name the earlier release: %v", k, err)
					}
				}
			}
		})
	}
}

// finer is the finer of two published values of one quasi-identifier: the exact one
// where the other is removed or a range.
func finer(a, b string) string {
	if a == "*" || strings.Contains(a, "–") && b != "*" && !strings.Contains(b, "–") {
		return b
	}
	return a
}

// The join attack: one extractor publishes records of every student, then of one
// grade's students. Each release generalises its own way; joined on the key, the finer value of
// each quasi-identifier leaves students alone in their group. The ledger refuses the
// second release.
func TestClaimReleaseRecordsJoin(t *testing.T) {
	pop := synthPopulation(t)
	x := extractor(t, "study")
	all, err := x.Records(pop, 10)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]backpack.ResearchRecord{}
	for _, r := range all.Records {
		byKey[r.Key] = r
	}
	byGrade := map[string]*backpack.Population{}
	for _, s := range pop.Students {
		if byGrade[s.GradeLevel] == nil {
			byGrade[s.GradeLevel] = &backpack.Population{}
		}
		byGrade[s.GradeLevel].Students = append(byGrade[s.GradeLevel].Students, s)
	}
	var grade *backpack.Population // one grade's students, whose release joined with all's leaves a student in a group under 10
	for _, p := range byGrade {
		part, err := x.Records(p, 10)
		if err != nil {
			continue
		}
		var joined []backpack.ResearchRecord
		for _, b := range part.Records {
			if a, ok := byKey[b.Key]; ok {
				joined = append(joined, backpack.ResearchRecord{Key: a.Key, BirthYear: finer(a.BirthYear, b.BirthYear), Sex: finer(a.Sex, b.Sex),
					Race: finer(a.Race, b.Race), GradeLevel: finer(a.GradeLevel, b.GradeLevel), LEA: finer(a.LEA, b.LEA), School: finer(a.School, b.School)})
			}
		}
		if len(joined) > 0 && backpack.SmallestGroup(joined) < 10 {
			grade = p
			break
		}
	}
	if grade == nil {
		t.Fatal("no grade's release joined with the whole's breaks k = 10: the test proves nothing")
	}

	ledger := filepath.Join(t.TempDir(), "ledger.json")
	if err := backpack.ClaimRelease(ledger, backpack.RecordsRelease, "all", pop); err != nil {
		t.Fatal(err)
	}
	err = backpack.ClaimRelease(ledger, backpack.RecordsRelease, "one grade", grade)
	if !errors.Is(err, backpack.ErrRecordsReleased) {
		t.Fatalf("the second records release of the same students: %v, want ErrRecordsReleased", err)
	}
	if !strings.Contains(err.Error(), `"all"`) || !strings.Contains(err.Error(), `"one grade"`) {
		t.Errorf("the error names neither release: %v", err)
	}
}

// The ledger names no student: it keeps keyed hashes under a key of its own, and a
// ledger that does not read, or whose students were reordered by hand, refuses every
// claim.
func TestClaimReleaseLedgerFile(t *testing.T) {
	pop := synthPopulation(t)
	ledger := filepath.Join(t.TempDir(), "ledger.json")
	if err := backpack.ClaimRelease(ledger, backpack.TablesRelease, "study", pop, tablesRelease(t, pop)...); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(ledger)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(ledger); fi.Mode().Perm() != 0o600 {
		t.Errorf("ledger mode %v, want 0600", fi.Mode().Perm())
	}
	for _, s := range synthSSIDs(t) {
		if strings.Contains(string(data), s) {
			t.Fatalf("the ledger holds the SSID %s", s)
		}
	}
	for name, edit := range map[string]func(string) string{
		"not JSON":        func(s string) string { return s[:len(s)/2] },
		"unknown field":   func(s string) string { return strings.Replace(s, `"key"`, `"kee": 1, "key"`, 1) },
		"members swapped": swapFirstMembers,
	} {
		bad := filepath.Join(t.TempDir(), "ledger.json")
		if err := os.WriteFile(bad, []byte(edit(string(data))), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := backpack.ClaimRelease(bad, backpack.RecordsRelease, "study", pop); err == nil {
			t.Errorf("%s: claimed over a ledger that does not read", name)
		}
	}
	if err := backpack.ClaimRelease(ledger, "both", "study", pop); err == nil {
		t.Error("a release kind \"both\" accepted")
	}
	if err := backpack.ClaimRelease("", backpack.RecordsRelease, "study", pop); err == nil {
		t.Error("no ledger accepted")
	}
	if err := backpack.ClaimRelease(ledger, backpack.TablesRelease, "study", pop); err == nil {
		t.Error("a tables release without its tables accepted")
	}
}

// swapFirstMembers swaps the first two member lines of a ledger.
func swapFirstMembers(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.Contains(l, `"members"`) {
			lines[i+1], lines[i+2] = strings.TrimSuffix(lines[i+2], ",")+",", strings.TrimSuffix(lines[i+1], ",")+","
			break
		}
	}
	return strings.Join(lines, "\n")
}

// synthSSIDs returns the SSIDs of the synthetic roll, cleaned.
func synthSSIDs(t *testing.T) []string {
	t.Helper()
	data, err := studentlink.Testdata.ReadFile("testdata/synth/roll.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][3] != "ssid" {
		t.Fatalf("roll.csv column 3 is %q, want ssid", rows[0][3])
	}
	var out []string
	for _, row := range rows[1:] {
		if s, err := backpack.CleanSSID(row[3]); err == nil {
			out = append(out, s)
		}
	}
	if len(out) < 1000 {
		t.Fatalf("%d SSIDs in the roll", len(out))
	}
	return out
}

// handPopulation is a population of n students, told apart by student ID.
func handPopulation(n int) *backpack.Population {
	bps := make([]*backpack.Backpack, n)
	for k := range bps {
		bps[k] = handBackpack(fmt.Sprint("s", k), "01", "5")
	}
	return backpack.NewPopulation(bps)
}

// declaredTable is table(counts) over declared categories, named rows × c.
func declaredTable(rows string, counts [][]int) backpack.Table {
	t := table(counts)
	t.RowName, t.RowsDeclared, t.ColsDeclared = rows, true, true
	return t
}

// suppressed publishes t at min, failing the test if it does not pass Audit alone.
func suppressed(t *testing.T, tab backpack.Table, min int) backpack.Published {
	t.Helper()
	p, err := backpack.Suppress(tab, min)
	if err != nil {
		t.Fatal(err)
	}
	bounds, err := backpack.Audit(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bounds {
		if b.Leak != "" {
			t.Fatalf("the release leaks alone (cell %d,%d: %s): the test proves nothing", b.Row, b.Col, b.Leak)
		}
	}
	return p
}

// The attacks on tables releases that each pass their own audit: the ledger audits a
// release with every table already published of its population, refuses the same table
// published otherwise, and refuses a population that overlaps an earlier one without
// being it.
func TestClaimReleaseTablesTogether(t *testing.T) {
	// Two tables sharing the c margin, published apart, pin cells together.
	a := suppressed(t, declaredTable("a", [][]int{{7, 0}, {6, 13}}), 10)
	b := suppressed(t, declaredTable("b", [][]int{{5, 7}, {8, 6}}), 10)
	bounds, err := backpack.Audit(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(bounds, func(b backpack.Bound) bool { return b.Leak != "" }) {
		t.Fatal("the two tables leak nothing together: the test proves nothing")
	}
	// The same table at minimum 10, then 13.
	same := declaredTable("a", [][]int{{13, 0, 0}, {2, 12, 0}})
	// A population, then the same with one student more.
	before, after := declaredTable("a", [][]int{{20, 9}, {15, 30}}), declaredTable("a", [][]int{{20, 10}, {15, 30}})
	// A table no other pins, and one of other attributes that shares no margin.
	safe := declaredTable("a", [][]int{{20, 20}, {20, 30}})
	other := tableOf("x", "y", []string{"p", "q"}, []string{"u", "v"}, [][]int{{20, 20}, {20, 30}})

	type claim struct {
		pop    *backpack.Population
		tables []backpack.Published
		ok     bool
	}
	for _, tt := range []struct {
		name   string
		claims []claim
	}{
		{"tables sharing a margin", []claim{{handPopulation(26), []backpack.Published{a}, true}, {handPopulation(26), []backpack.Published{b}, false}}},
		{"one table at two minimums", []claim{{handPopulation(27), []backpack.Published{suppressed(t, same, 10)}, true}, {handPopulation(27), []backpack.Published{suppressed(t, same, 13)}, false}}},
		{"one student more", []claim{{handPopulation(74), []backpack.Published{suppressed(t, before, 10)}, true}, {handPopulation(75), []backpack.Published{suppressed(t, after, 10)}, false}}},
		{"one student less", []claim{{handPopulation(75), []backpack.Published{suppressed(t, after, 10)}, true}, {handPopulation(74), []backpack.Published{suppressed(t, before, 10)}, false}}},
		{"the same table again", []claim{{handPopulation(27), []backpack.Published{suppressed(t, same, 10)}, true}, {handPopulation(27), []backpack.Published{suppressed(t, same, 10)}, true}}},
		{"tables that leak nothing together", []claim{{handPopulation(90), []backpack.Published{suppressed(t, safe, 10)}, true}, {handPopulation(90), []backpack.Published{suppressed(t, other, 13)}, true}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ledger := filepath.Join(t.TempDir(), "ledger.json")
			for k, c := range tt.claims {
				old, _ := os.ReadFile(ledger)
				err := backpack.ClaimRelease(ledger, backpack.TablesRelease, fmt.Sprint("release ", k), c.pop, c.tables...)
				switch {
				case c.ok && err != nil:
					t.Fatalf("claim %d: %v", k, err)
				case !c.ok && !errors.Is(err, backpack.ErrTablesDisclose):
					t.Fatalf("claim %d: %v, want it refused with ErrTablesDisclose", k, err)
				case !c.ok:
					if now, _ := os.ReadFile(ledger); string(now) != string(old) {
						t.Errorf("claim %d: the refused claim changed the ledger", k)
					}
					if !strings.Contains(err.Error(), `"release 0"`) {
						t.Errorf("claim %d: the error does not name the earlier release: %v", k, err)
					}
				}
			}
		})
	}
}

// The joint audit of releases makes Audit's checks: a cycle of attributes across releases
// (x×y, y×z, z×x), which Audit says it cannot bound, and an attribute counted over other
// categories than an earlier release's are refused; every table of a release must count
// the population, not only the first.
func TestClaimReleaseJointChecks(t *testing.T) {
	grid := [][]int{{20, 20}, {20, 30}}
	xy := tableOf("x", "y", []string{"p", "q"}, []string{"u", "v"}, grid)
	yz := tableOf("y", "z", []string{"u", "v"}, []string{"m", "n"}, grid)
	zx := tableOf("z", "x", []string{"m", "n"}, []string{"p", "q"}, grid)
	renamed := tableOf("x", "w", []string{"q", "p"}, []string{"s", "t"}, [][]int{{20, 30}, {20, 20}})
	type claim struct {
		tables []backpack.Table
		want   string // "" when accepted
	}
	for _, tt := range []struct {
		name   string
		claims []claim
	}{
		{"a cycle of attributes across releases", []claim{{[]backpack.Table{xy}, ""}, {[]backpack.Table{yz}, ""}, {[]backpack.Table{zx}, "closes a cycle of attributes"}}},
		{"an attribute over categories in another order", []claim{{[]backpack.Table{xy}, ""}, {[]backpack.Table{renamed}, "counts x otherwise"}}},
		{"a second table of another total", []claim{{[]backpack.Table{xy, tableOf("a", "b", []string{"p", "q"}, []string{"u", "v"}, [][]int{{20, 20}, {20, 31}})}, "table 1 (a × b) counts 91 students, its population has 90"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ledger := filepath.Join(t.TempDir(), "ledger.json")
			var got []string
			for k, c := range tt.claims {
				var ps []backpack.Published
				for _, tab := range c.tables {
					p, err := backpack.Suppress(tab, 10)
					if err != nil {
						t.Fatal(err)
					}
					ps = append(ps, p)
				}
				err := backpack.ClaimRelease(ledger, backpack.TablesRelease, fmt.Sprint("release ", k), handPopulation(90), ps...)
				switch {
				case err == nil:
					got = append(got, "")
				case strings.Contains(err.Error(), c.want) && c.want != "":
					got = append(got, c.want)
				default:
					got = append(got, err.Error())
				}
			}
			var want []string
			for _, c := range tt.claims {
				want = append(want, c.want)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("claims (-want +got):\n%s", diff)
			}
		})
	}
}

// A claim without a population is an error naming it, not a panic.
func TestClaimReleaseNilPopulation(t *testing.T) {
	ledger := filepath.Join(t.TempDir(), "ledger.json")
	for _, kind := range []backpack.ReleaseKind{backpack.RecordsRelease, backpack.TablesRelease} {
		var tables []backpack.Published
		if kind == backpack.TablesRelease {
			tables = tablesRelease(t, handPopulation(30))
		}
		err := backpack.ClaimRelease(ledger, kind, "e", nil, tables...)
		if err == nil || !strings.Contains(err.Error(), "no population given") || !strings.Contains(err.Error(), `"e"`) {
			t.Errorf("%s release of a nil population: %v", kind, err)
		}
	}
	if _, err := os.Stat(ledger); err == nil {
		t.Error("the refused claims wrote a ledger")
	}
}

// A ledger written before a release's tables were kept (no "tables" field) refuses every
// later tables release of that population, an identical rerun too, and the error says
// why and what to do.
func TestClaimReleaseLedgerWithoutTables(t *testing.T) {
	ledger := filepath.Join(t.TempDir(), "ledger.json")
	pop := handPopulation(90)
	tables := []backpack.Published{suppressed(t, tableOf("x", "y", []string{"p", "q"}, []string{"u", "v"}, [][]int{{20, 20}, {20, 30}}), 10)}
	if err := backpack.ClaimRelease(ledger, backpack.TablesRelease, "old", pop, tables...); err != nil {
		t.Fatal(err)
	}
	var l map[string]any
	data, err := os.ReadFile(ledger)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &l); err != nil {
		t.Fatal(err)
	}
	for _, r := range l["releases"].([]any) {
		delete(r.(map[string]any), "tables")
	}
	if data, err = json.Marshal(l); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ledger, data, 0o600); err != nil {
		t.Fatal(err)
	}
	err = backpack.ClaimRelease(ledger, backpack.TablesRelease, "rerun", pop, tables...)
	if !errors.Is(err, backpack.ErrTablesDisclose) {
		t.Fatalf("the rerun: %v, want ErrTablesDisclose", err)
	}
	for _, want := range []string{`"rerun"`, `"old"`, "its tables are unknown", "not even the same tables again", "new ledger"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q: %v", want, err)
		}
	}
}

// A ledger that is not a regular file (a device such as /dev/full reads without end) or
// is larger than MaxLedgerSize is refused by name, not read into memory.
func TestClaimReleaseLedgerNotRegularOrTooLarge(t *testing.T) {
	pop := synthPopulation(t)
	large := filepath.Join(t.TempDir(), "large.json")
	f, err := os.Create(large)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(backpack.MaxLedgerSize + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	tests := []struct {
		name, path, want string
	}{
		{"a device", os.DevNull, "ledger " + os.DevNull + ": not a regular file"},
		{"a directory", t.TempDir(), ": not a regular file"},
		{"too large", large, "ledger " + large + ": larger than 256 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := backpack.ClaimRelease(tt.path, backpack.RecordsRelease, "study", pop)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ClaimRelease(%s) = %v, want an error with %q", tt.path, err, tt.want)
			}
		})
	}
}
