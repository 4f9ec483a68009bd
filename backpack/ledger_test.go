package backpack_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	type claim struct {
		kind backpack.ReleaseKind
		pop  *backpack.Population
		ok   bool
	}
	for _, tt := range []struct {
		name   string
		claims []claim
	}{
		{"tables, then records", []claim{{backpack.TablesRelease, pop, true}, {backpack.RecordsRelease, pop, false}}},
		{"records, then tables", []claim{{backpack.RecordsRelease, pop, true}, {backpack.TablesRelease, pop, false}}},
		{"tables, then records without one student", []claim{{backpack.TablesRelease, pop, true}, {backpack.RecordsRelease, dropped, false}}},
		{"records without one student, then tables", []claim{{backpack.RecordsRelease, dropped, true}, {backpack.TablesRelease, pop, false}}},
		{"the same kind again", []claim{{backpack.TablesRelease, pop, true}, {backpack.TablesRelease, dropped, true}, {backpack.RecordsRelease, half, false}}},
		{"other students", []claim{{backpack.TablesRelease, half, true}, {backpack.RecordsRelease, otherHalf, true}, {backpack.TablesRelease, pop, false}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ledger := filepath.Join(t.TempDir(), "state", "ledger.json")
			for k, c := range tt.claims {
				before, _ := os.ReadFile(ledger)
				err := backpack.ClaimRelease(ledger, c.kind, "study", c.pop)
				switch {
				case c.ok && err != nil:
					t.Fatalf("claim %d (%s): %v", k, c.kind, err)
				case !c.ok && !errors.Is(err, backpack.ErrOtherKindReleased):
					t.Fatalf("claim %d (%s): %v, want it refused", k, c.kind, err)
				case !c.ok:
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

// The ledger names no student: it keeps keyed hashes under a key of its own, and a
// ledger that does not read, or whose students were reordered by hand, refuses every
// claim.
func TestClaimReleaseLedgerFile(t *testing.T) {
	pop := synthPopulation(t)
	ledger := filepath.Join(t.TempDir(), "ledger.json")
	if err := backpack.ClaimRelease(ledger, backpack.TablesRelease, "study", pop); err != nil {
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
		if err := backpack.ClaimRelease(bad, backpack.TablesRelease, "study", pop); err == nil {
			t.Errorf("%s: claimed over a ledger that does not read", name)
		}
	}
	if err := backpack.ClaimRelease(ledger, "both", "study", pop); err == nil {
		t.Error("a release kind \"both\" accepted")
	}
	if err := backpack.ClaimRelease("", backpack.TablesRelease, "study", pop); err == nil {
		t.Error("no ledger accepted")
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
