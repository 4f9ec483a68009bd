package service

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// TestSurvivingValues: where backpack's Consensus ties (as many LEAs agree with each
// value, as complete) the value of the record known first is kept, however backpack
// ordered the tie; more LEAs agreeing, or a more complete value, still win.
func TestSurvivingValues(t *testing.T) {
	cand := func(v, lea, rec string) backpack.Candidate {
		return backpack.Candidate{Value: v, Source: backpack.Source{LEA: lea, Record: rec}}
	}
	field := func(name string, cands ...backpack.Candidate) backpack.Field {
		return backpack.Field{Name: name, Value: cands[0].Value, Rule: backpack.Consensus, Candidates: cands}
	}
	recs := []recordRow{{ID: "01/orig", Seq: 10}, {ID: "01/typo", Seq: 20}, {ID: "02/other", Seq: 30}, {ID: "03/third", Seq: 40}}
	b := &backpack.Backpack{Demographics: []backpack.Field{
		// A tie, which backpack gave to the later typo.
		field("last_surname", cand("Vainikool", "01", "01/typo"), cand("Vainikolo", "01", "01/orig")),
		field("birth_date", cand("2015-09-03", "01", "01/typo"), cand("2015-03-09", "01", "01/orig")),
		// The more complete value wins over the first known initial.
		field("first_name", cand("Ofa", "01", "01/typo"), cand("O.", "01", "01/orig")),
		// Two LEAs agree with the later value: it wins.
		field("middle_name", cand("Mele", "02", "02/other"), cand("Mele", "03", "03/third"), cand("Sela", "01", "01/orig")),
		// Not a Consensus field: backpack's value stands.
		{Name: "sex", Value: "Female", Rule: backpack.MostRecent, Candidates: []backpack.Candidate{cand("Female", "01", "01/typo"), cand("Male", "01", "01/orig")}},
	}}
	want := map[string]string{"last_surname": "Vainikolo", "birth_date": "2015-03-09", "first_name": "Ofa", "middle_name": "Mele", "sex": "Female"}
	if diff := cmp.Diff(want, survivingValues(b, recs)); diff != "" {
		t.Errorf("surviving values (-want +got):\n%s", diff)
	}
}
