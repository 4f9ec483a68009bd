package match

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/studentlink/studentlink/internal/synth"
	"github.com/studentlink/studentlink/normalize"
)

// TestReverseNames: a record is read reversed where its given name is a family name of
// the roll's, and its family name a given name, each on twice as many records or more;
// a name common in both fields, or in neither, or an initial leaves it as written.
func TestReverseNames(t *testing.T) {
	roll := []string{
		// Davis and Brown families, Liams, Mias, Thomases and Jameses.
		"Noah Davis", "Emma Davis", "Ava Davis", "Liam Davis", "Ethan Davis", "Mia Brown", "Liam Brown", "Ava Brown",
		"Liam Smith", "Mia Smith", "Mia Jones", "Noah Jones", "Emma Smith",
		"Thomas Smith", "Thomas Jones", "Thomas Brown", "Noah Thomas", "Mia Thomas", "Ava Thomas",
		"James Smith", "James Jones", "James Davis", "Emma James", "Liam James", "Ava James",
		"Olivia Davis", "Sofia Davis", "Lucas Davis",
		// Reversed: 28, 29. Not: Thomas is as much a given name as a family name (30, 31,
		// 34); Zed is in use in neither field (32); L is an initial (33).
		"Davis Liam", "Brown Mia", "Thomas James", "James Thomas", "Davis Zed", "Davis L", "Davis Thomas",
	}
	tab := namesTable(t, roll...)
	got := reverseNames(tab)
	if diff := cmp.Diff([]int{28, 29}, got); diff != "" {
		t.Errorf("records read reversed (-want +got):\n%s", diff)
	}
	for _, i := range got {
		if g, f := tab.Given[i].Key, tab.Family[i].Key; g != map[int]string{28: "liam", 29: "mia"}[i] || f != map[int]string{28: "davis", 29: "brown"}[i] {
			t.Errorf("record %d (%s) read as given %q, family %q", i, roll[i], g, f)
		}
	}
	if g, f := tab.Given[30].Key, tab.Family[30].Key; g != "thomas" || f != "james" {
		t.Errorf("Thomas James read as given %q, family %q", g, f)
	}
}

// TestTwinsBothWrittenFamilyFirst: twins Liam and Mia Davis, a boy and a girl of one
// birthday and home, each written family name first ("Davis Liam", "Davis Mia"), in a
// roll without SSIDs where a fifth of the records are written so. Read as written they
// agree on a given name, Davis, and differ on family names no twins rule reads, and they
// had linked (examples/damage -kinds names_swapped -ssid no: 111 pairs of two children
// at 30%, 54 now).
func TestTwinsBothWrittenFamilyFirst(t *testing.T) {
	roll, err := synth.Generate(synth.DefaultConfig(5000))
	if err != nil {
		t.Fatal(err)
	}
	roll.DropSSIDs()
	swapped, ok := synth.DamageNamed("names_swapped")
	if !ok {
		t.Fatal("no damage names_swapped")
	}
	gen := roll.Damaged(swapped, 0.2, 1)
	base := gen.Records[0]
	for _, r := range []struct{ id, first, last, sex string }{
		{"liam", "Davis", "Liam", "M"},
		{"mia", "Davis", "Mia", "F"},
	} {
		rec := base
		rec.ID, rec.First, rec.Middle, rec.Last, rec.BirthDate, rec.Sex = r.id, r.first, "", r.last, "2010-03-14", r.sex
		rec.Address, rec.City, rec.Zip = "77 Elm St", "Logan", "84321"
		gen.Records = append(gen.Records, rec)
	}
	res := runSynth(t, gen)
	if a, b := mustStudent(t, res, "liam"), mustStudent(t, res, "mia"); a == b {
		t.Errorf("twins Liam and Mia Davis, both written family name first, are one student %s", a)
	}
	// Each record read reversed is reported, the given name as written.
	reported := map[string]string{}
	for _, p := range res.Prepared.Problems {
		if errors.Is(p.Err, normalize.ErrNamesReversed) {
			reported[p.RecordID] = p.Field + " " + p.Value
		}
	}
	for _, id := range []string{"liam", "mia"} {
		if got := reported[id]; got != "given_name Davis" {
			t.Errorf("record %s reported as %q, want given_name Davis", id, got)
		}
	}
}
