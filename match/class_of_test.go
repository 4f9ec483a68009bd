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
		warnClass bool
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
		})
	}
}

// TestClassesOfOneChild: every pair of records sharing given name, family name and birth
// date is judged (Ana's three make three pairs, two of them of different classes, Ben's
// two one more); an initial, a missing date or a missing class leaves a record out.
func TestClassesOfOneChild(t *testing.T) {
	recs := []normalize.Record{
		{Given: "Ana", Family: "Lopez", BirthDate: "2011-05-01", Grade: "5", EntryDate: "2022-08-20"},  // 2030
		{Given: "Ana", Family: "Lopez", BirthDate: "2011-05-01", Grade: "4", EntryDate: "2021-08-20"},  // 2030
		{Given: "Ana", Family: "Lopez", BirthDate: "2011-05-01", Grade: "4", EntryDate: "2022-08-20"},  // 2031
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
	judged, differ := classesOfOneChild(tb)
	if judged != 4 || differ != 2 {
		t.Errorf("judged %d, differ %d; want 4 and 2", judged, differ)
	}
}
