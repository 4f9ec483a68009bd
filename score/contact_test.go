package score

import (
	"testing"

	"github.com/studentlink/studentlink/normalize"
)

// TestContactLevels: an e-mail address or a phone number agrees exactly, a character
// off (typed wrong, two swapped, one inserted or left out), or not; an SSID's one_edit
// stays a substitution or a swap.
func TestContactLevels(t *testing.T) {
	recs := []normalize.Record{
		{Email: "robert255@smith.net", Phone: "801-555-2368", SSID: "48213907"},
		{Email: "ROBERT255@smith.net", Phone: "(801) 555 2368", SSID: "48213907"},
		{Email: "robret255@smith.net", Phone: "801-555-2386", SSID: "48213970"},
		{Email: "roberta255@smith.net", Phone: "801-555-23688", SSID: "482139071"},
		{Email: "robert25@smith.net", Phone: "801-555-268", SSID: "4821397"},
		{Email: "maria@smith.net", Phone: "435-555-1111", SSID: "99887766"},
		{},
	}
	tb := sketchTable(recs)
	m, err := NewModel([]Comparison{Contact(normalize.RoleEmail), Contact(normalize.RolePhone), StudentID(normalize.RoleSSID)}, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Scorer(tb, tb)
	if err != nil {
		t.Fatal(err)
	}
	const null, exact, oneEdit, other = 0, 1, 2, 255 // other: the comparison's else
	want := map[[2]int][3]uint8{                     // email, phone, ssid levels of record 0 against j
		{0, 1}: {exact, exact, exact},
		{0, 2}: {oneEdit, oneEdit, oneEdit},
		{0, 3}: {oneEdit, oneEdit, other},
		{0, 4}: {oneEdit, oneEdit, other},
		{0, 5}: {other, other, other},
		{0, 6}: {null, null, null},
	}
	for p, w := range want {
		for c := range s.comps {
			if w[c] == other {
				w[c] = s.comps[c].elseLevel()
			}
			if got := s.comps[c].level(tb, p[0], tb, p[1]); got != w[c] {
				t.Errorf("%s, records %d and %d: level %s, want %s", s.comps[c].Name, p[0], p[1], s.comps[c].names[got], s.comps[c].names[w[c]])
			}
		}
	}
	checkSketch(t, m.Comparisons, tb, tb, allPairs(tb.Len()))
}

func TestContactComparison(t *testing.T) {
	for _, role := range []normalize.Role{normalize.RoleEmail, normalize.RolePhone} {
		c := Contact(role)
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", role, err)
		}
		if len(c.Requires) != 2 || c.Requires[0].Comparison != "given_name" {
			t.Errorf("%s: requires %v: agreeing on a family's contact says nothing where the given names differ", role, c.Requires)
		}
		m, u := DefaultParameters(c)
		if LevelsOrdered(m, u) != 0 || !(m[LevelExact] > u[LevelExact]) {
			t.Errorf("%s: defaults m %v u %v out of order", role, m, u)
		}
	}
	if err := (Comparison{Name: "city", Kind: KindID, Role: normalize.RoleCity}).Validate(); err == nil {
		t.Error("kind id on city validated")
	}
	// The person preset's come after the existing comparisons, so that their indexes in a
	// level key do not move; the student preset weighs no contact (a household's).
	comps := PersonComparisons()
	if n := len(comps); comps[n-2].Role != normalize.RoleEmail || comps[n-1].Role != normalize.RolePhone {
		t.Errorf("the contact comparisons are not last: %v", comps)
	}
	for _, c := range StudentComparisons() {
		if c.Role == normalize.RoleEmail || c.Role == normalize.RolePhone {
			t.Errorf("the student comparisons weigh %s", c.Role)
		}
	}
}
