package score

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/normalize"
)

// table prepares records with normalize's Preparer.
func table(t testing.TB, recs ...normalize.Record) *normalize.Table {
	t.Helper()
	tb := normalize.NewTable(len(recs), 0)
	p := normalize.NewPreparer(normalize.Options{})
	for i, r := range recs {
		p.Fill(tb, i, r)
	}
	return tb
}

func levelName(t *testing.T, c Comparison, a, b normalize.Record) string {
	t.Helper()
	k, err := compile(c)
	if err != nil {
		t.Fatal(err)
	}
	tb := table(t, a, b)
	l := k.level(tb, 0, tb, 1)
	if r := k.level(tb, 1, tb, 0); r != l {
		t.Errorf("%s level not symmetric on %+v / %+v: %d vs %d", c.Name, a, b, l, r)
	}
	return c.LevelNames()[l]
}

func TestComparisonLevels(t *testing.T) {
	g := func(given string) normalize.Record { return normalize.Record{Given: given, Family: "x"} }
	gm := func(given, middle string) normalize.Record {
		return normalize.Record{Given: given, Middle: middle, Family: "x"}
	}
	f := func(family string) normalize.Record { return normalize.Record{Given: "x", Family: family} }
	d := func(date string) normalize.Record { return normalize.Record{BirthDate: date} }
	id := func(ssid string) normalize.Record { return normalize.Record{SSID: ssid} }
	gf := func(given, family string) normalize.Record { return normalize.Record{Given: given, Family: family} }
	tests := []struct {
		c    Comparison
		a, b normalize.Record
		want string
	}{
		{GivenName(), g("José"), g("JOSE"), "exact"},
		{GivenName(), g("Bill"), g("William"), "nickname"},
		{GivenName(), g("Pepe"), g("José"), "nickname"},
		{GivenName(), g("Jonathon"), g("Jonathan"), "jaro_winkler>=0.92"},
		{GivenName(), g("Kathryn"), g("Kathleen"), "jaro_winkler>=0.85"},
		{GivenName(), g("Kaitlyn"), g("Caitlin"), "metaphone"},
		{GivenName(), gm("Luis", "Carlos"), gm("Carlos", ""), "middle_swapped"},
		{GivenName(), g("Juan Carlos"), g("Carlos"), "middle_swapped"},
		{GivenName(), g("María José"), g("Jose"), "middle_swapped"},
		{GivenName(), g("Juan Carlos"), g("Carlos Juan"), "else"},
		// A compound name's first word alone is alike it, however long the word left out.
		{GivenName(), g("Ana Guadalupe"), g("Ana"), "jaro_winkler>=0.85"},
		{GivenName(), g("Jo"), g("Jo Ann"), "jaro_winkler>=0.85"},
		{GivenName(), g("Ana Sofia"), g("Ana Lucia"), "else"}, // two names: sisters'

		{GivenName(), g("Ana Sofia"), g("Anabel"), "else"},
		// Compound names one word apart are as alike as that word: the word they share
		// is a family's (Van, Thi) and says nothing; a typo or an initial in the word
		// leaves the whole names to tell.
		{GivenName(), g("Minh Khoa"), g("Minh Khang"), "else"},
		{GivenName(), g("Thi Mai"), g("Thi My"), "jaro_winkler>=0.85"}, // Mai and My sound alike: the whole names tell
		{GivenName(), g("Thi Thao"), g("Thi Thanh"), "else"},           // Thao and Thanh 0.84
		{GivenName(), g("Maria Guadalupe"), g("Maria Lupe"), "nickname"},
		{GivenName(), g("Tommi-Lee"), g("Tommi-Lre"), "jaro_winkler>=0.92"},
		{GivenName(), g("Maria J"), g("Maria Jose"), "jaro_winkler>=0.85"},
		{GivenName(), g("Min Jun"), g("Min Joon"), "jaro_winkler>=0.85"}, // one syllable romanized two ways
		{GivenName(), g("Ji Hoon"), g("Ji Hun"), "jaro_winkler>=0.85"},
		{GivenName(), g("Juan Carlos"), g("Juan Karlos"), "jaro_winkler>=0.92"},
		// One name in two columns on one record, in one on the other.
		{GivenName(), g("María José"), gm("Maria", "Jose"), "nickname"},
		{GivenName(), gm("Juan", "Carlos"), g("Juan Carlos"), "nickname"},
		{GivenName(), g("Ma. Guadalupe"), gm("María", "Guadalupe"), "nickname"}, // the first word abbreviated
		{GivenName(), gm("Francisco", "Javier"), g("Fco Javier"), "nickname"},
		{GivenName(), g("Fco"), g("Francisco"), "nickname"},
		{GivenName(), g("Ma. Guadalupe"), gm("María", "Lupe"), "else"}, // the later word must be the middle name
		{GivenName(), g("Juan Carlos"), gm("Juan", "Pablo"), "jaro_winkler>=0.85"},
		{GivenName(), g("Maria"), g("Zoe"), "else"},
		{GivenName(), g("Joseph"), g("J"), "initial"},
		{GivenName(), g("J."), g("Joseph"), "initial"},
		{GivenName(), g("J"), g("Maria"), "else"},
		{GivenName(), g("Émile"), g("E"), "initial"},
		// Two initials, or an initial and a name it does not start: sound says nothing.
		{GivenName(), g("E"), g("O"), "else"},
		{GivenName(), g("E."), g("Olivia"), "else"},
		{FamilyName(), f("J"), f("G"), "else"},
		{GivenName(), g(""), g("Zoe"), "null"},
		{GivenName(), normalize.Record{Given: "Pedro", OtherNames: []string{"Pepe Garcia"}}, g("José"), "nickname"},
		{FamilyName(), f("García-López"), f("GarciaLopez"), "exact"},
		{FamilyName(), f("García-López"), f("Garcia"), "token"},
		{FamilyName(), f("Lopez"), f("Garcia Lopez"), "token"},
		// A double name in the other order is another family's (García López and
		// López García: the father's and the mother's first family names).
		{FamilyName(), f("Garcia Lopez"), f("López García"), "else"},
		{FamilyName(), f("Martinez"), f("Martines"), "jaro_winkler>=0.92"},
		{FamilyName(), f("Robertson"), f("Robinson"), "jaro_winkler>=0.85"},
		{FamilyName(), f("Schmidt"), f("Smith"), "phonetic"},
		{FamilyName(), f("Nguyen"), f("Begay"), "else"},
		{FamilyName(), normalize.Record{Given: "x", Family: "Smith", OtherNames: []string{"Ana Jones"}}, f("Jones"), "exact"},
		// A lone name alike the other record's other part is compared there (namesOf).
		{FamilyName(), gf("Birchensha", ""), gf("John", "Birchensha"), "exact"},
		{GivenName(), gf("Birchensha", ""), gf("John", "Birchensha"), "null"},
		{FamilyName(), gf("Birchensna", ""), gf("John", "Birchensha"), "jaro_winkler>=0.92"},
		{FamilyName(), gf("Bircgensha", ""), gf("John", "Birchensha"), "jaro_winkler>=0.85"},
		{GivenName(), gf("", "Evie"), gf("Evie", "Dean"), "exact"},
		{FamilyName(), gf("", "Evie"), gf("Evie", "Dean"), "null"},
		{FamilyName(), gf("Smith", ""), gf("", "Smith"), "exact"},
		{GivenName(), gf("Smith", ""), gf("", "Smith"), "null"},
		{GivenName(), gf("Grace", ""), gf("Grace", "Kelly"), "exact"}, // where it stands, it agrees
		{GivenName(), gf("Taylor", ""), gf("Taylor", "Taylor"), "exact"},
		{FamilyName(), gf("Dean", ""), gf("Evie", "Smith"), "null"}, // alike neither: stays given
		{GivenName(), gf("Dean", ""), gf("Evie", "Smith"), "else"},
		{FamilyName(), normalize.Record{Given: "Smith", OtherNames: []string{"Jo Smith"}}, gf("Jo", "Smith"), "exact"},
		// Double family names that share a word and differ outright in the other: cousins.
		{FamilyName(), gf("Sofía", "Hernández López"), gf("Sofía", "Hernández García"), "else"},
		{FamilyName(), gf("Lucas", "García-López"), gf("Lucas", "García Martínez"), "else"},
		{FamilyName(), gf("Mateo", "Ramírez"), gf("Mateo", "Ramírez Torres"), "token"},
		{FamilyName(), gf("Donald", "Van Meter"), gf("Donald", "Fan Meter"), "jaro_winkler>=0.85"}, // a letter apart
		{FamilyName(), gf("Hannah", "James-Martin"), gf("Hannah", "James-Hrtin"), "jaro_winkler>=0.92"},
		{FamilyName(), gf("Ana", "García López"), gf("Ana", "García Lopes"), "jaro_winkler>=0.92"},
		// A word abbreviated is that word: Mtz, Gtz; Saint is written St.
		{FamilyName(), gf("Alejandro", "García Martínez"), gf("Alex", "García Mtz"), "jaro_winkler>=0.92"},
		{FamilyName(), gf("Juan", "Hernández Gutiérrez"), gf("J", "Hernández Gtz"), "jaro_winkler>=0.92"},
		{FamilyName(), gf("Elizabeth", "Saint Clair Moore"), gf("Beth", "St Clair Moore"), "exact"}, // normalize.ShortSaint
		// Particles are not a family's words: dos and de, ben and ibn.
		{FamilyName(), gf("Mariana", "dos Santos Oliveira"), gf("Mariana", "de Santos Oliveira"), "jaro_winkler>=0.85"},
		{FamilyName(), gf("Faisal", "Ben Saud"), gf("Faisal", "Ibn Saud"), "jaro_winkler>=0.85"},
		{FamilyName(), gf("Lucia", "De La Cruz"), gf("Lucia", "De La Rosa"), "else"},
		{BirthDate(), d("2010-03-04"), d("03/04/2010"), "exact"},
		{BirthDate(), d("2010-03-04"), d("2010-04-03"), "day_month_swapped"},
		{BirthDate(), d("2010-03-04"), d("2011-03-04"), "one_digit"},
		{BirthDate(), d("2010-03-14"), d("2010-03-41"), "one_digit"}, // an impossible date is compared as written
		{BirthDate(), d("1997-12-25"), d("1997-21-25"), "one_digit"},
		{BirthDate(), d("1997-12-25"), d("1997-31-28"), "null"}, // mistyped, and agreeing in less than two parts
		{BirthDate(), d("1997-12-25"), d("1997-31-25"), "two_parts"},
		{BirthDate(), d("1997-31-28"), d("1997-31-28"), "exact"},
		{BirthDate(), d("2010-03-14"), d("not a date"), "null"},
		// A year alone, or with its month, is compared by what it names.
		{BirthDate(), d("2012"), d("2012"), "same_year"},
		{BirthDate(), d("2012"), d("2012-03-04"), "same_year"},
		{BirthDate(), d("2012"), d("2013-03-04"), "else"},
		{BirthDate(), d("March 2012"), d("2012-03-15"), "two_parts"},
		{BirthDate(), d("March 2012"), d("2012-03-04"), "one_digit"}, // as 2012-03-00 would be
		{BirthDate(), d("March 2012"), d("2012-04-03"), "same_year"},
		{BirthDate(), d("March 2012"), d("2012"), "same_year"},
		{BirthDate(), d("2012-03"), d("03/2012"), "two_parts"},
		{BirthDate(), d("2012-00-00"), d("2012-05-06"), "same_year"},
		{BirthDate(), d("1851-01-00"), d("1850-01-15"), "one_digit"},
		{BirthDate(), d("1982-01-00"), d("1982-01-05"), "one_digit"},
		{BirthDate(), d("1982-01-00"), d("1982-01-00"), "two_parts"},
		{BirthDate(), d("1851-01"), d("1850-02"), "else"},
		{BirthDate(), d("1851"), d("1850-01-15"), "else"},
		{BirthDate(), d("1994-06-23"), d("1958-06-23"), "two_parts"},
		{BirthDate(), d("1994-06-23"), d("1994-11-23"), "two_parts"},
		{BirthDate(), d("1994-06-23"), d("1958-06-03"), "else"},
		{BirthDate(), d("2010-03-04"), d("2010-03-25"), "within_month"},
		{BirthDate(), d("2010-03-04"), d("2010-11-25"), "same_year"},
		{BirthDate(), d("2010-03-04"), d("2013-11-25"), "else"},
		{BirthDate(), d("1995-10-27"), d("1996-10-26"), "two_digits"}, // a year and a day a keystroke off
		{BirthDate(), d("2015-03-06"), d("2014-03-05"), "two_digits"},
		{BirthDate(), d("1995-10-27"), d("1996-11-26"), "else"},      // three digits
		{BirthDate(), d("2005-03-12"), d("2015-03-13"), "else"},      // two digits, a decade apart
		{BirthDate(), d("1995-10-27"), d("1995-12-26"), "same_year"}, // two digits, one year
		{BirthDate(), d("2010-12-31"), d("2010-12-13"), "one_digit"},
		{ID(normalize.RoleSSID), id("1604822"), id("160-4822"), "exact"},
		{ID(normalize.RoleSSID), id("1604822"), id("1604872"), "one_edit"},
		{ID(normalize.RoleSSID), id("1604822"), id("1640822"), "one_edit"},
		{ID(normalize.RoleSSID), id("1604822"), id("2284061"), "else"},
		// A spreadsheet dropped the leading zero, or wrote the ID as a number with ".0".
		{ID(normalize.RoleSSID), id("0412938401"), id("412938401"), "one_edit"},
		{ID(normalize.RoleSSID), id("412938401"), id("00412938401"), "one_edit"},
		{ID(normalize.RoleSSID), id("412938402.0"), id("0412938402"), "one_edit"},
		{ID(normalize.RoleSSID), id("1412938401"), id("412938401"), "else"},
		// One district writes the state's code before the number, another the number.
		{ID(normalize.RoleSSID), id("UT5377001234"), id("5377001234"), "one_edit"},
		{ID(normalize.RoleSSID), id("5377001234"), id("ut-5377001234"), "one_edit"},
		{ID(normalize.RoleSSID), id("AE1234567"), id("BK1234567"), "else"}, // Ohio's letters are the ID's
		{ID(normalize.RoleSSID), id("AE1234567"), id("AE1243566"), "two_edits"},
		{ID(normalize.RoleSSID), id("5377001234"), id("5377101243"), "two_edits"}, // a digit wrong, two swapped
		{ID(normalize.RoleSSID), id("5377001234"), id("3577001243"), "two_edits"}, // two swaps
		{ID(normalize.RoleSSID), id("5377001234"), id("5378002235"), "else"},      // three digits wrong
		{ID(normalize.RoleSSID), id("5377001234"), id("537700123"), "else"},
		{Contact(normalize.RoleEmail), normalize.Record{Email: "ann@x.org"}, normalize.Record{Email: "amm@x.orh"}, "else"}, // contacts: no two_edits
		{ID(normalize.RoleSSID), id("UT05377001234"), id("5377001234"), "else"},
		{ID(normalize.RoleSSID), id("1604822"), id(""), "null"},
		{Exact(normalize.RoleSex), normalize.Record{Sex: "F"}, normalize.Record{Sex: "Female"}, "exact"},
		{Exact(normalize.RoleSex), normalize.Record{Sex: "F"}, normalize.Record{Sex: "M"}, "else"},
		{Exact(normalize.RoleSex), normalize.Record{Sex: "X"}, normalize.Record{Sex: "M"}, "null"}, // X says nothing against F or M
		{Exact(normalize.RoleSex), normalize.Record{Sex: "Non-binary"}, normalize.Record{Sex: "F"}, "null"},
		{Exact(normalize.RoleZip), normalize.Record{Zip: "84101-1234"}, normalize.Record{Zip: "84101"}, "exact"},
		{Text(normalize.RoleAddress, 0.9, 0.8), normalize.Record{Address: "12 Main St."}, normalize.Record{Address: "12 main st"}, "exact"},
		{Text(normalize.RoleAddress, 0.9, 0.8), normalize.Record{Address: "12 Main St"}, normalize.Record{Address: "12 Main Street"}, "exact"}, // standardized
		{Text(normalize.RoleAddress, 0.9, 0.8), normalize.Record{Address: "12 Main St"}, normalize.Record{Address: "12 Mian Street"}, "jaro_winkler>=0.9"},
		{NameSwap(), gf("Garcia", "Jose"), gf("Jose", "Garcia"), "swapped"},
		{NameSwap(), gf("Lars", "Larsen"), gf("Lars", "Larsen"), "else"},
		{NameSwap(), gf("Søren", "Sorensen"), gf("Soren", "Sørensen"), "else"},
		{NameSwap(), gf("Jose", "Garcia"), gf("Jose", "Garcia"), "else"},
		{NameSwap(), gf("Jose", ""), gf("Jose", "Garcia"), "null"},
		{Location(0.9), loc("12 Main St", "84101", "Provo"), loc("12 mian street", "84102", "Orem"), "address_jaro_winkler>=0.9"},
		{Location(0.9), loc("12 Main St", "84101", "Provo"), loc("12 Main St.", "", ""), "address"},
		{Location(0.9), loc("12 Main St", "84101", "Provo"), loc("9 Elm Ave", "84101", "Provo"), "zip"},
		{Location(0.9), loc("", "84101", "Provo"), loc("9 Elm Ave", "84102", "Provoo"), "city"},
		{Location(0.9), loc("12 Main St", "", "Provo"), loc("9 Elm Ave", "", "Logan"), "else"},
		{Location(0.9), loc("12 Main St", "", ""), loc("", "84101", "Provo"), "null"},
	}
	for _, tc := range tests {
		if got := levelName(t, tc.c, tc.a, tc.b); got != tc.want {
			t.Errorf("%s(%+v, %+v) = %s, want %s", tc.c.Name, tc.a, tc.b, got, tc.want)
		}
	}
}

func loc(address, zip, city string) normalize.Record {
	return normalize.Record{Address: address, Zip: zip, City: city}
}

// TestKeyAdjustments: a name swap takes the given- and family-name levels to null, and an
// SSID one digit off counts only when the given names agree; both in the scorer's key,
// so that training, scoring and explanations see the same levels.
func TestKeyAdjustments(t *testing.T) {
	comps := []Comparison{GivenName(), FamilyName(), ID(normalize.RoleSSID), NameSwap()}
	tb := table(t,
		normalize.Record{Given: "Emma", Family: "Johnson", SSID: "4000000014"},
		normalize.Record{Given: "Olivia", Family: "Johnson", SSID: "4000000015"},
		normalize.Record{Given: "Emma", Family: "Johnson", SSID: "4000000015"},
		normalize.Record{Given: "Johnson", Family: "Emma", SSID: "4000000014"},
		normalize.Record{Given: "Liz", Family: "Johnson", SSID: "4000000015"},
		normalize.Record{Given: "Elizabeth", Family: "Johnson", SSID: "4000000014"})
	m, err := DefaultModel(comps, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Scorer(tb, tb)
	if err != nil {
		t.Fatal(err)
	}
	names := func(i, j int) []string {
		var out []string
		key := s.Key(i, j)
		for c, comp := range comps {
			out = append(out, comp.LevelNames()[LevelOf(key, c)])
		}
		return out
	}
	tests := []struct {
		i, j int
		want []string
	}{
		{0, 1, []string{"else", "exact", "null", "else"}},      // twins: the near SSID does not count
		{0, 2, []string{"exact", "exact", "one_edit", "else"}}, // a typo in one child's SSID does
		{4, 5, []string{"nickname", "exact", "one_edit", "else"}},
		{0, 3, []string{"null", "null", "exact", "swapped"}},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, names(tt.i, tt.j)); d != "" {
			t.Errorf("levels of %d,%d (-want +got):\n%s", tt.i, tt.j, d)
		}
		e := s.Explain(tt.i, tt.j)
		for c, term := range e.Terms {
			if term.LevelName != tt.want[c] {
				t.Errorf("explanation of %d,%d: %s at %s, key says %s", tt.i, tt.j, term.Comparison, term.LevelName, tt.want[c])
			}
		}
	}
	// The explanation names the level a requirement did not count.
	e := s.Explain(0, 1)
	if got := e.Terms[2].NotCounted; got != "one_edit" {
		t.Errorf("twins' SSIDs: not counted %q, want one_edit", got)
	}
	if !strings.Contains(e.String(), "ssid null +0.00 (one_edit, not counted)") {
		t.Errorf("explanation %q does not say the near SSID was not counted", e)
	}
	if got := s.Explain(0, 2).Terms[2].NotCounted; got != "" {
		t.Errorf("a counted one_edit: not counted %q", got)
	}
	for _, r := range []Requirement{
		{Level: "near", Comparison: "given_name", Levels: []string{"exact"}},
		{Level: "one_edit", Comparison: "given_name", Levels: []string{"nearly"}},
	} {
		bad := []Comparison{GivenName(), {Name: "ssid", Kind: KindID, Role: normalize.RoleSSID, Requires: []Requirement{r}}}
		m, err := NewModel(bad, 0.1)
		if err == nil {
			err = m.Validate()
		}
		if err == nil {
			t.Errorf("requirement %+v validates", r)
		}
	}
}

func TestComparisonValidate(t *testing.T) {
	bad := []Comparison{
		{Name: "x", Kind: "shoe"},
		{Name: "x", Kind: KindExact, Role: "nope"},
		{Name: "x", Kind: KindID, Role: normalize.RoleZip},
		{Name: "x", Kind: KindText, Role: normalize.RoleAddress, Thresholds: []float64{0.8, 0.9}},
		{Kind: KindBirthDate},
	}
	for _, c := range bad {
		if c.Validate() == nil {
			t.Errorf("%+v: want an error", c)
		}
	}
	for _, c := range append(StudentComparisons(), PersonComparisons()...) {
		if err := c.Validate(); err != nil {
			t.Error(err)
		}
	}
}

// TestEMRecovers draws comparison vectors from known m, u and prior and checks that EM,
// started from neutral values, recovers them.
func TestEMRecovers(t *testing.T) {
	comps := []Comparison{GivenName(), FamilyName(), BirthDate(), ID(normalize.RoleSSID), Exact(normalize.RoleSex)}
	truth, err := NewModel(comps, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	truth.M = [][]float64{
		{0, 0.80, 0.05, 0.05, 0.03, 0.02, 0.01, 0.04},
		{0, 0.85, 0.05, 0.03, 0.02, 0.02, 0.03},
		{0, 0.90, 0.03, 0.03, 0.01, 0.01, 0.02},
		{0, 0.95, 0.03, 0.02},
		{0, 0.97, 0.03},
	}
	truth.U = [][]float64{
		{0, 0.02, 0.01, 0.02, 0.03, 0.05, 0.01, 0.86},
		{0, 0.03, 0.01, 0.02, 0.04, 0.05, 0.85},
		{0, 0.01, 0.001, 0.009, 0.05, 0.2, 0.73},
		{0, 0.001, 0.004, 0.995},
		{0, 0.5, 0.5},
	}
	rng := rand.New(rand.NewPCG(7, 8))
	draw := func(p []float64) uint8 {
		x := rng.Float64()
		for l := 1; l < len(p); l++ {
			if x < p[l] {
				return uint8(l)
			}
			x -= p[l]
		}
		return uint8(len(p) - 1)
	}
	counts := PatternCounts{}
	for range 400_000 {
		probs := truth.U
		if rng.Float64() < truth.Prior {
			probs = truth.M
		}
		var key uint64
		for c := range comps {
			l := draw(probs[c])
			if rng.Float64() < 0.05 {
				l = LevelNull // missing values
			}
			key |= uint64(l) << (4 * c)
		}
		counts[key]++
	}
	start, _ := NewModel(comps, 0.05)
	got, rep, err := TrainEM(context.Background(), counts, start, EMOptions{MaxIterations: 500, Tolerance: 1e-7})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Converged {
		t.Errorf("EM did not converge: %+v", rep)
	}
	for c := range comps {
		for l := 1; l < len(truth.M[c]); l++ {
			if d := math.Abs(got.M[c][l] - truth.M[c][l]); d > 0.02 {
				t.Errorf("%s level %d: m %.4f, true %.4f", comps[c].Name, l, got.M[c][l], truth.M[c][l])
			}
			if d := math.Abs(got.U[c][l] - truth.U[c][l]); d > 0.02 {
				t.Errorf("%s level %d: u %.4f, true %.4f", comps[c].Name, l, got.U[c][l], truth.U[c][l])
			}
		}
	}
	if r := math.Abs(got.Prior-truth.Prior) / truth.Prior; r > 0.1 {
		t.Errorf("prior %.4f, true %.4f", got.Prior, truth.Prior)
	}
	t.Logf("EM: %+v, prior %.4f", rep, got.Prior)

	// Labelled training from the same draw, split by the truth, gives the same answer.
	if _, err := TrainLabelled(start, PatternCounts{}, counts, false); err == nil {
		t.Error("labelled training without matches: want an error")
	}
}

func TestTrainLabelled(t *testing.T) {
	comps := []Comparison{Exact(normalize.RoleSex), ID(normalize.RoleSSID)}
	start, _ := NewModel(comps, 0.5)
	matches := PatternCounts{1 | 1<<4: 90, 1 | 4<<4: 10}
	non := PatternCounts{2 | 4<<4: 300, 1 | 4<<4: 300}
	m, err := TrainLabelled(start, matches, non, false)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(m.Prior-100.0/700) > 1e-12 {
		t.Errorf("prior %v", m.Prior)
	}
	if math.Abs(m.M[1][1]-90.5/102) > 1e-12 || math.Abs(m.U[0][1]-300.5/601) > 1e-12 {
		t.Errorf("m %v u %v", m.M, m.U)
	}
}

func TestModelJSONRoundTrip(t *testing.T) {
	tb := table(t,
		normalize.Record{Given: "José", Family: "García", BirthDate: "2010-03-04", SSID: "1604822"},
		normalize.Record{Given: "Pepe", Family: "Garcia", BirthDate: "2010-04-03", SSID: "1604822"},
		normalize.Record{Given: "Ana", Family: "Smith", BirthDate: "2011-01-01"})
	m, err := EstimateU(context.Background(), StudentComparisons(), tb, UOptions{Pairs: 100, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := LoadModel(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(m, back); d != "" {
		t.Errorf("model after a JSON round trip (-saved +loaded):\n%s", d)
	}
	for _, bad := range []string{`{"version": 2}`, `nonsense`, strings.Replace(buf.String(), `"prior": 0.1`, `"prior": 1.5`, 1)} {
		if _, err := LoadModel(strings.NewReader(bad)); err == nil {
			t.Errorf("LoadModel(%.40q…): want an error", bad)
		}
	}
}

func TestExplainSumsToWeight(t *testing.T) {
	tb := table(t,
		normalize.Record{Given: "José", Family: "García-López", BirthDate: "2010-03-04", SSID: "1604822", Sex: "M", Zip: "84101", Address: "1 Main St"},
		normalize.Record{Given: "Pepe", Family: "Garcia", BirthDate: "2010-04-03", SSID: "1604828", Sex: "M", Zip: "84101"},
		normalize.Record{Given: "Ana", Family: "Smith", BirthDate: "2011-01-01", Sex: "F"},
		normalize.Record{Given: "Garcia", Family: "Jose", BirthDate: "2010-03-04"})
	m, err := EstimateU(context.Background(), StudentComparisons(), tb, UOptions{Pairs: 1000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Scorer(tb, tb)
	if err != nil {
		t.Fatal(err)
	}
	for i := range tb.Len() {
		for j := range tb.Len() {
			e := s.Explain(i, j)
			sum := e.Prior
			for _, term := range e.Terms {
				sum += term.Weight
				sum += term.TermFrequency
			}
			if sum != e.Weight || e.Weight != s.Weight(i, j) {
				t.Errorf("pair %d,%d: terms sum to %v, explanation says %v, Weight %v", i, j, sum, e.Weight, s.Weight(i, j))
			}
			if len(e.Terms) != len(m.Comparisons) {
				t.Errorf("%d terms for %d comparisons", len(e.Terms), len(m.Comparisons))
			}
		}
	}
	if !strings.Contains(s.Explain(0, 1).String(), "given_name nickname") {
		t.Errorf("explanation: %s", s.Explain(0, 1))
	}
	// A scorer is safe for concurrent use.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				s.Weight(0, 1)
				s.Key(2, 3)
			}
		}()
	}
	wg.Wait()
}

func TestCompareVectorDoesNotAllocate(t *testing.T) {
	tb := table(t,
		normalize.Record{Given: "José", Family: "García-López", BirthDate: "2010-03-04", SSID: "1604822", Sex: "M", Zip: "84101", Address: "1 Main St", OtherNames: []string{"Pepe Garcia"}},
		normalize.Record{Given: "Nguyễn", Family: "Garcia", BirthDate: "2010-04-03", SSID: "1604828", Sex: "M", Zip: "84101", Address: "1 Main Street"})
	m, _ := NewModel(StudentComparisons(), 0.1)
	s, err := m.Scorer(tb, tb)
	if err != nil {
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(100, func() { s.Key(0, 1); s.Weight(0, 1) }); a != 0 {
		t.Errorf("Key+Weight allocate %v times per pair", a)
	}
}

// TestEMOptions checks the session options: an ignored comparison keeps its m and u and
// adds no evidence, a fixed one keeps them, FixM keeps every m, and AllPairs makes the
// prior a share of all pairs.
func TestEMOptions(t *testing.T) {
	comps := []Comparison{Exact(normalize.RoleSex), Exact(normalize.RoleZip), Exact(normalize.RoleLEA)}
	start, err := NewModel(comps, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	key := func(l ...uint8) uint64 {
		var k uint64
		for c, v := range l {
			k |= uint64(v) << (4 * c)
		}
		return k
	}
	// Levels: 1 exact, 2 else.
	counts := PatternCounts{key(1, 1, 1): 300, key(1, 1, 2): 40, key(2, 2, 2): 500, key(2, 1, 2): 90, key(1, 2, 1): 70}
	ctx := context.Background()

	m, _, err := TrainEM(ctx, counts, start, EMOptions{Ignore: []bool{false, true, false}, Fixed: []bool{true, false, false}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []int{0, 1} {
		if d := cmp.Diff(start.M[c], m.M[c]); d != "" {
			t.Errorf("comparison %d is ignored or fixed, yet m moved:\n%s", c, d)
		}
		if d := cmp.Diff(start.U[c], m.U[c]); d != "" {
			t.Errorf("comparison %d is ignored or fixed, yet u moved:\n%s", c, d)
		}
	}
	if cmp.Equal(start.M[2], m.M[2]) {
		t.Error("the free comparison's m did not move")
	}

	onlyPrior, _, err := TrainEM(ctx, counts, m, EMOptions{FixU: true, FixM: true, AllPairs: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(m.M, onlyPrior.M); d != "" {
		t.Errorf("FixM moved m:\n%s", d)
	}
	if total := float64(counts.Total()); !(onlyPrior.Prior > 0 && onlyPrior.Prior <= total/1e6) {
		t.Errorf("prior %g over a million pairs, want at most %g", onlyPrior.Prior, total/1e6)
	}
	if _, _, err := TrainEM(ctx, counts, start, EMOptions{Ignore: []bool{true}}); err == nil {
		t.Error("an Ignore of the wrong length gave no error")
	}
}

// TestScorerFor: a scorer rebound to another query table scores exactly as one made for it.
func TestScorerFor(t *testing.T) {
	p := normalize.NewPreparer(normalize.Options{})
	recs := []normalize.Record{
		{Given: "Ana", Family: "Soto", BirthDate: "2011-05-04", Sex: "F", SSID: "5550001111", Zip: "84604"},
		{Given: "Anna", Family: "Soto", BirthDate: "2011-04-05", Sex: "F", Zip: "84604"},
		{Given: "Sione", Family: "Havili", BirthDate: "2010-01-30", Sex: "M", SSID: "5550002222"},
		{Given: "Ana", Family: "Smith", BirthDate: "2009-02-03", Sex: "F"},
	}
	b := normalize.NewTable(len(recs), 0)
	for i, r := range recs {
		p.Fill(b, i, r)
	}
	m, err := NewModel(StudentComparisons(), 0.1)
	if err != nil {
		t.Fatal(err)
	}
	m.TermFrequencies = CountTerms(m.Comparisons, b)
	base, err := m.Scorer(normalize.NewTable(0, 0), b)
	if err != nil {
		t.Fatal(err)
	}
	q := normalize.NewTable(1, 0)
	p.Fill(q, 0, normalize.Record{Given: "Ana", Family: "Soto", BirthDate: "2011-05-04", Sex: "F"})
	direct, err := m.Scorer(q, b)
	if err != nil {
		t.Fatal(err)
	}
	rebound := base.For(q)
	for j := range recs {
		if d := cmp.Diff(direct.Explain(0, j), rebound.Explain(0, j)); d != "" {
			t.Errorf("record %d (-direct +rebound):\n%s", j, d)
		}
	}
}

// TestEstimateUOfRequiredLevel: u of a level that counts only under a requirement is how
// often strangers reach the level itself. Sixty strangers, no two given names alike,
// whose SSIDs were issued in sequence: many pairs are a digit apart, none counts (the
// given names differ), and u of one_edit is their share, not the floor a sample without
// one would give.
func TestEstimateUOfRequiredLevel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var recs []normalize.Record
	for i := range 60 {
		given := make([]byte, 7)
		for k := range given {
			given[k] = byte('a' + rng.IntN(26))
		}
		recs = append(recs, normalize.Record{
			Given: string(given), Family: "Smith",
			SSID: strconv.Itoa(4000000100 + i), BirthDate: fmt.Sprintf("2010-01-%02d", 1+i%28),
		})
	}
	tb := table(t, recs...)
	comps := StudentComparisons()
	m, err := EstimateU(t.Context(), comps, tb, UOptions{Pairs: 10_000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Scorer(tb, tb)
	if err != nil {
		t.Fatal(err)
	}
	c := slices.IndexFunc(comps, func(x Comparison) bool { return x.Name == "ssid" })
	oneEdit := slices.Index(comps[c].LevelNames(), "one_edit")
	var reached, counted, pairs float64
	for i := range tb.Len() {
		for j := i + 1; j < tb.Len(); j++ {
			pairs++
			if int(LevelOf(s.RawKey(i, j), c)) == oneEdit {
				reached++
			}
			if int(LevelOf(s.Key(i, j), c)) == oneEdit {
				counted++
			}
		}
	}
	if reached == 0 || counted != 0 {
		t.Fatalf("the roll should reach one_edit without counting it: %v reached, %v counted", reached, counted)
	}
	// Every pair is drawn (1,770 of them, under 10,000): u is the share, smoothed.
	if got, want := m.U[c][oneEdit], reached/pairs; math.Abs(got-want) > 0.01 {
		t.Errorf("u of ssid one_edit = %.4f, want about %.4f, the share of pairs a digit apart", got, want)
	}
}

// TestCommonNameExactOverFuzzier: a given name so common its term-frequency adjustment is
// at its floor still weighs, agreeing exactly, no less than any fuzzier level does: Sam
// and Sam are not weaker evidence than Sam and Samantha (nicknames).
func TestCommonNameExactOverFuzzier(t *testing.T) {
	p := normalize.NewPreparer(normalize.Options{})
	var recs []normalize.Record
	for range 40 {
		recs = append(recs, normalize.Record{Given: "Sam", Family: "x"})
	}
	recs = append(recs, normalize.Record{Given: "Samantha", Family: "x"})
	b := normalize.NewTable(len(recs), 0)
	for i, r := range recs {
		p.Fill(b, i, r)
	}
	m, err := DefaultModel([]Comparison{GivenName()}, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	m.TermFrequencies = CountTerms(m.Comparisons, b)
	s, err := m.Scorer(b, b)
	if err != nil {
		t.Fatal(err)
	}
	exact, nickname := s.Explain(0, 1), s.Explain(0, len(recs)-1)
	if exact.Terms[0].LevelName != "exact" || nickname.Terms[0].LevelName != "nickname" {
		t.Fatalf("levels %s and %s, want exact and nickname", exact.Terms[0].LevelName, nickname.Terms[0].LevelName)
	}
	if exact.Terms[0].TermFrequency >= 0 {
		t.Fatalf("Sam, 40 of 41 records: term-frequency adjustment %+.2f, want a penalty", exact.Terms[0].TermFrequency)
	}
	if exact.Weight < nickname.Weight {
		t.Errorf("Sam and Sam weigh %.2f, under Sam and Samantha's %.2f", exact.Weight, nickname.Weight)
	}
}

// TestCountTermsSwappedNames: a value the other name field writes ten times as often or
// more is counted as common as it is there (Jones on a swapped record's given name, and
// Benjamin on its family name); names common in both fields (Thomas, Lee: as given names
// 4 and 1, as family names 2 and 7) and names of one field alone keep their own counts.
func TestCountTermsSwappedNames(t *testing.T) {
	var recs []normalize.Record
	add := func(n int, given, family string) {
		for range n {
			recs = append(recs, normalize.Record{Given: given, Family: family})
		}
	}
	add(20, "Benjamin", "Jones")
	add(4, "Thomas", "Lee")
	add(2, "Ana", "Thomas")
	add(1, "Lee", "Soto")
	add(3, "Mia", "Lee")
	add(1, "Jones", "Benjamin") // swapped
	comps := []Comparison{GivenName(), FamilyName()}
	tfs := CountTerms(comps, table(t, recs...))
	got := map[string]map[string]int64{"given": tfs[0].Counts, "family": tfs[1].Counts}
	want := map[string]map[string]int64{
		"given":  {"benjamin": 20, "thomas": 4, "ana": 2, "lee": 1, "mia": 3, "jones": 20},
		"family": {"jones": 20, "lee": 7, "thomas": 2, "soto": 1, "benjamin": 20},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("counts (-want +got):\n%s", d)
	}
	if tfs[0].Total != int64(len(recs)) || tfs[1].Total != int64(len(recs)) {
		t.Errorf("totals %d and %d, want %d", tfs[0].Total, tfs[1].Total, len(recs))
	}
}
