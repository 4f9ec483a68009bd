package match

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

// extrasCSV is a FEBRL-columned roll with an extra column no comparison or rule reads
// (note) ahead of the two the person preset compares (address_2, state).
const extrasCSV = `rec_id,note,given_name,surname,date_of_birth,address_1,address_2,suburb,postcode,state
a1,first visit,Ann,Lee,1990-01-02,1 Main St,Unit 4,Springfield,2000,nsw
a2,,Ann,Lee,1990-01-02,1 Main St,Unit 4,Springfield,2000,nsw
b1,moved,Bob,Ray,1985-05-06,9 High St,,Shelbyville,3000,vic
c1,,Cara,Diaz,1979-07-08,3 Low Rd,Flat 2,Ogdenville,4000,qld
`

// extrasSettings are the person preset with the note column.
func extrasSettings() Settings {
	s := PersonSettings()
	s.Columns = append([]Column{{Name: "note", Role: normalize.ExtraRole("note"), Optional: true}}, s.Columns...)
	return s
}

func extrasRoll(t *testing.T, s Settings) *Roll {
	return readSources(t, s, []string{"extras.csv"}, map[string]string{"extras.csv": extrasCSV})
}

// TestPrepareKeepsExtrasRead: the prepared table holds the extra columns the settings
// compare or block on, each with its own values, and not the others, which still count
// as present; an index reads a record's extras, given in the roll's order, into the
// same columns.
func TestPrepareKeepsExtrasRead(t *testing.T) {
	ctx := context.Background()
	s := extrasSettings()
	roll := extrasRoll(t, s)
	if d := cmp.Diff([]string{"note", "address_2", "state"}, roll.ExtraNames()); d != "" {
		t.Fatalf("roll extras (-want +got):\n%s", d)
	}
	l, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	p, err := l.Prepare(ctx, roll, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"address_2", "state"}, p.Table.ExtraNames); d != "" {
		t.Fatalf("table extras (-want +got):\n%s", d)
	}
	var got [][2]string
	for i := range roll.Len() {
		got = append(got, [2]string{p.Table.Extra[0][i].Key, p.Table.Extra[1][i].Key})
	}
	want := [][2]string{{"unit4", "nsw"}, {"unit4", "nsw"}, {"", "vic"}, {"flat2", "qld"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("table extras' values (-want +got):\n%s", d)
	}
	if roles := p.RolesWithValues(); !slices.Contains(roles, normalize.ExtraRole("note")) {
		t.Errorf("roles with values %v: no note", roles)
	}

	res, err := l.RunPrepared(ctx, p, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	x, err := l.NewIndex(res)
	if err != nil {
		t.Fatal(err)
	}
	rec := roll.Record(3) // Cara Diaz: note empty, Flat 2, qld
	pl, err := x.Query(rec, 5)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(pl.Candidates, func(c Candidate) bool { return c.RecordID == "c1" })
	if i < 0 {
		t.Fatalf("c1 is no candidate of its own record: %+v", pl.Candidates)
	}
	levels := map[string]string{}
	for _, term := range pl.Candidates[i].Explanation.Terms {
		levels[term.Comparison] = term.LevelName
	}
	if levels["extra:address_2"] != "exact" || levels["extra:state"] != "exact" {
		t.Errorf("c1 against itself: address_2 %q, state %q, want exact", levels["extra:address_2"], levels["extra:state"])
	}
}

// TestStudentPresetLeavesEntryDate: the student preset compares and blocks on no extra
// column, so the student CSV's entry_date (which the backpack reads from the roll) is
// not prepared.
func TestStudentPresetLeavesEntryDate(t *testing.T) {
	s := StudentSettings()
	csv := "record_id,first_name,last_name,birth_date,entry_date\n1,Ann,Lee,2012-01-02,2019-08-21\n"
	roll := readSources(t, s, []string{"s.csv"}, map[string]string{"s.csv": csv})
	l, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	p, err := l.Prepare(context.Background(), roll, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Table.ExtraNames) != 0 || len(p.Table.Extra) != 0 {
		t.Errorf("table extras %v (%d columns), want none", p.Table.ExtraNames, len(p.Table.Extra))
	}
	if got := roll.Column(0, "entry_date"); got != "2019-08-21" {
		t.Errorf("roll's entry_date %q", got)
	}
}

// TestRunPreparedRefusesMissingExtra: a roll prepared by settings that do not read an
// extra column is refused by a linker whose settings do, rather than read as missing.
func TestRunPreparedRefusesMissingExtra(t *testing.T) {
	ctx := context.Background()
	narrow := extrasSettings()
	narrow.Comparisons = slices.DeleteFunc(slices.Clone(narrow.Comparisons), func(c score.Comparison) bool {
		return c.Role == normalize.ExtraRole("address_2") || c.Role == normalize.ExtraRole("state")
	})
	ln, err := New(narrow)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ln.Prepare(ctx, extrasRoll(t, narrow), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lw, err := New(extrasSettings())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lw.RunPrepared(ctx, p, RunOptions{}); err == nil || !strings.Contains(err.Error(), `"address_2"`) {
		t.Errorf("a run on a table without address_2: %v", err)
	}
	if _, err := ln.RunPrepared(ctx, p, RunOptions{}); err != nil {
		t.Errorf("the preparing linker's run: %v", err)
	}
}
