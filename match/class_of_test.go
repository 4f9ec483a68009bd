package match

import (
	"slices"
	"strings"
	"testing"

	"github.com/studentlink/studentlink/internal/synth"
	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

// TestClassMReadOffTheRoll: the m of the class comparison is read off the records that
// share names and birth date. A roll whose grade is the one each record's student
// entered in gives one child one class; the same roll with every record's entry date
// replaced by the first day its student entered (today's grade beside the first entry,
// as some exports write them) gives one child several, and there the class weighs
// little, with a warning, roll with SSIDs or without.
func TestClassMReadOffTheRoll(t *testing.T) {
	gen, err := synth.Generate(synth.DefaultConfig(1000))
	if err != nil {
		t.Fatal(err)
	}
	truth := gen.Truth()
	firstEntry := map[int32]string{}
	for i, r := range gen.Records {
		if e, ok := firstEntry[truth[i]]; r.EntryDate != "" && (!ok || r.EntryDate < e) {
			firstEntry[truth[i]] = r.EntryDate
		}
	}
	firstEntered := synth.Roll{Records: slices.Clone(gen.Records)}
	for i := range firstEntered.Records {
		if firstEntered.Records[i].EntryDate != "" {
			firstEntered.Records[i].EntryDate = firstEntry[truth[i]]
		}
	}
	withoutSSIDs := func(r *synth.Roll) *synth.Roll {
		out := synth.Roll{Records: slices.Clone(r.Records)}
		for i := range out.Records {
			out.Records[i].SSID = ""
		}
		return &out
	}
	for _, tt := range []struct {
		name      string
		roll      *synth.Roll
		minExact  float64
		maxExact  float64
		warnClass bool // and the rule on classes years apart set aside
	}{
		{"grade entered in", gen, 0.98, 1, false},
		{"today's grade, first entry", &firstEntered, 0, 0.3, true},
		{"grade entered in, no SSIDs", withoutSSIDs(gen), 0.98, 1, false},
		{"today's grade, first entry, no SSIDs", withoutSSIDs(&firstEntered), 0, 0.3, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := StudentSettings()
			l, res := linkRoll(t, s, readSynth(t, s, synthSource{"roll.csv", tt.roll}))
			m := l.Model()
			c := slices.IndexFunc(m.Comparisons, func(x score.Comparison) bool { return x.Name == "class_of" })
			if c < 0 {
				t.Fatal("no class_of comparison in the run's model")
			}
			if exact := m.M[c][score.LevelExact]; exact < tt.minExact || exact > tt.maxExact {
				t.Errorf("class_of exact m %.4f, want %.2f to %.2f", exact, tt.minExact, tt.maxExact)
			}
			warned := slices.ContainsFunc(res.Training.Warnings, func(w string) bool { return strings.HasPrefix(w, "class_of:") })
			if warned != tt.warnClass {
				t.Errorf("warned about classes %v, want %v (warnings %q)", warned, tt.warnClass, res.Training.Warnings)
			}
			k := slices.IndexFunc(res.RuleTests, func(r RuleTest) bool { return r.Rule == classesApartRule })
			if k < 0 {
				t.Fatalf("rule %q not tested: %+v", classesApartRule, res.RuleTests)
			}
			if r := res.RuleTests[k]; r.Anchor != oneChildAnchor || r.Judged < minAnchorPairs || r.SetAside != tt.warnClass {
				t.Errorf("rule %q: test %+v, want judged on one child's records, at least %d, set aside %v", classesApartRule, r, minAnchorPairs, tt.warnClass)
			}
			kept := slices.ContainsFunc(res.Settings.CannotLink, func(c CannotLink) bool { return c.Name == classesApartRule })
			if kept == tt.warnClass {
				t.Errorf("rule %q kept for the run: %v, want %v", classesApartRule, kept, !tt.warnClass)
			}
		})
	}
}

// TestClassesOfOneChild: every pair of records sharing given name, family name and birth
// date is judged, counted as of different classes and as two years apart or more; an
// initial, a missing date or a missing class leaves a record out.
func TestClassesOfOneChild(t *testing.T) {
	recs := []normalize.Record{
		{Given: "Ana", Family: "Lopez", BirthDate: "2011-05-01", Grade: "5", EntryDate: "2022-08-20"},  // 2030
		{Given: "Ana", Family: "Lopez", BirthDate: "2011-05-01", Grade: "4", EntryDate: "2021-08-20"},  // 2030
		{Given: "Ana", Family: "Lopez", BirthDate: "2011-05-01", Grade: "4", EntryDate: "2022-08-20"},  // 2031
		{Given: "Ana", Family: "Lopez", BirthDate: "2011-05-01", Grade: "3", EntryDate: "2022-08-20"},  // 2032
		{Given: "Ana", Family: "Lopez", BirthDate: "2011-05-02", Grade: "5", EntryDate: "2022-08-20"},  // another day
		{Given: "A", Family: "Lopez", BirthDate: "2011-05-01", Grade: "5", EntryDate: "2022-08-20"},    // an initial
		{Given: "Ana", Family: "Lopez", Grade: "5", EntryDate: "2022-08-20"},                           // no date
		{Given: "Ana", Family: "Lopez", BirthDate: "2011-05-01", Grade: "PK", EntryDate: "2016-08-20"}, // no class
		{Given: "Ben", Family: "Lopez", BirthDate: "2011-05-01", Grade: "5", EntryDate: "2022-08-20"},
		{Given: "Ben", Family: "Lopez", BirthDate: "2011-05-01", Grade: "5", EntryDate: "2022-08-20"},
	}
	tb := normalize.NewTable(len(recs), 0)
	p := normalize.NewPreparer(normalize.Options{})
	for i, r := range recs {
		p.Fill(tb, i, r)
	}
	// Ana's four: 6 pairs, one of one class, three a year apart (2030–2031 twice,
	// 2031–2032), two two years apart (2030–2032); Ben's two: one pair of one class.
	if got, want := classesOfOneChild(tb), (oneChildClasses{judged: 7, differ: 5, apart: 2}); got != want {
		t.Errorf("classesOfOneChild = %+v, want %+v", got, want)
	}
}

func TestClassesApart(t *testing.T) {
	tests := []struct {
		x, y string
		want bool
	}{
		{"2030", "2030", false},
		{"2030", "2031", false}, // held back or moved up once
		{"2031", "2030", false},
		{"2030", "2032", true},
		{"2035", "2030", true},
		{"", "2030", false},
		{"2030", "", false},
		{"", "", false},
		{"20x0", "2040", false},
	}
	for _, tt := range tests {
		if got := classesApart(tt.x, tt.y); got != tt.want {
			t.Errorf("classesApart(%q, %q) = %v, want %v", tt.x, tt.y, got, tt.want)
		}
	}
}

// namesakesOfOneHome are two brothers of one name and home (James McDonald, classes of
// 2034 and 2032), one record of the younger without a birth date; and one child (Ava
// Reyes) held back a year, her class a year off where one record has no birth date.
const namesakesOfOneHome = studentHeader +
	"jamesy-1,01,01001,,James,,McDonald,,2016-06-12,M,02,1997 Willow Way,Layton,84042,2023-08-24\n" +
	"jamesy-2,02,02001,,James,,McDonald,,,M,03,1997 Willow Way,Layton,84042,2024-08-20\n" +
	"jameso-1,03,03001,,James,,McDonald,,2014-08-06,M,01,1997 Willow Way,Layton,84042,2020-08-21\n" +
	"ava-1,01,01002,,Ava,,Reyes,,2012-03-04,F,05,12 Oak St,Provo,84601,2022-08-20\n" +
	"ava-2,04,04001,,Ava,,Reyes,,,F,05,12 Oak St,Provo,84601,2023-08-21\n"

// TestClassesApartKeepNamesakesOfOneHomeApart: without a birth date on one record, a
// class two years off says another child of the name in that home; a year off is one
// child held back.
func TestClassesApartKeepNamesakesOfOneHomeApart(t *testing.T) {
	checkStudentRoll(t, namesakesOfOneHome)
}
