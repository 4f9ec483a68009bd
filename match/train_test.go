package match

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/studentlink/studentlink/internal/synth"
	"github.com/studentlink/studentlink/score"
)

// TestSmallAndPartialRolls runs the student preset on rolls too small or too thin to
// train on: each runs to completion, every record gets a student, and the training report
// and the dropped list say what was done.
func TestSmallAndPartialRolls(t *testing.T) {
	tests := []struct {
		name     string
		csv      string
		students int
		review   int      // pairs left for review
		warnings []string // each must appear in some warning
		dropped  []string // comparisons dropped
	}{
		{"two records", "record_id,first_name,last_name,birth_date\n1,Ann,Lee,2010-01-02\n2,Ann,Lee,2010-01-02\n", 1, 0,
			[]string{"only 1 candidate pairs", "u at the documented defaults"}, []string{"ssid", "sex", "location", "class_of"}},
		{"header only", "record_id,first_name,last_name,birth_date\n", 0, 0,
			[]string{"no record has a value", "no pairs to train on"}, nil},
		// A name a letter apart and a town, no birth date: too little for a roll that
		// cannot tell how often its pairs are one student. A reviewer decides.
		{"no birth date", "record_id,first_name,last_name,city\n1,Ann,Lee,Provo\n2,Anne,Lee,Provo\n3,Bob,Smith,Orem\n", 3, 1,
			[]string{"m at the documented defaults"}, []string{"birth_date", "ssid", "sex", "class_of"}},
		{"names only", "record_id,first_name,last_name\n1,Ann,Lee\n2,Ann,Lee\n3,Bob,Smith\n", 2, 0,
			[]string{"m at the documented defaults", "without their frequencies"}, []string{"birth_date", "ssid", "sex", "location", "class_of"}},
		// A shared birth date is not a student: a given name missing and the family
		// names different, in a roll of two and in a roll of six.
		{"two records, only a birth date shared", "record_id,first_name,last_name,birth_date\n1,,Johnson,2012-03-04\n2,Liam,Garcia,2012-03-04\n", 2, 0,
			[]string{"the prior 1/1000"}, []string{"ssid", "sex", "location", "class_of"}},
		{"six records, a birth date and a town shared", "record_id,first_name,last_name,birth_date,city\n" +
			"1,,Johnson,2012-03-04,Springfield\n2,Liam,Garcia,2012-03-04,Springfield\n3,Noah,Smith,2011-07-19,Springfield\n" +
			"4,Ava,Brown,2010-01-30,Ogdenville\n5,Mia,Davis,2013-11-02,Springfield\n6,Lucas,Wilson,2012-03-04,Capital City\n", 6, 0,
			[]string{"the prior 1/1000"}, []string{"ssid", "sex", "class_of"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := New(StudentSettings())
			if err != nil {
				t.Fatal(err)
			}
			res := runCSV(t, l, tt.csv)
			if len(res.Label) != res.Prepared.Roll.Len() || len(res.StudentIDs) != tt.students {
				t.Errorf("%d labels for %d records, %d students (want %d)", len(res.Label), res.Prepared.Roll.Len(), len(res.StudentIDs), tt.students)
			}
			if len(res.Review) != tt.review {
				t.Errorf("%d pairs for review, want %d: %v", len(res.Review), tt.review, res.Review)
			}
			if res.Training == nil {
				t.Fatal("no training report")
			}
			for _, w := range tt.warnings {
				if !slices.ContainsFunc(res.Training.Warnings, func(s string) bool { return strings.Contains(s, w) }) {
					t.Errorf("no warning says %q: %q", w, res.Training.Warnings)
				}
			}
			var dropped []string
			for _, d := range res.Dropped {
				if d.Kind == "comparison" {
					dropped = append(dropped, d.Name)
				}
			}
			if d := cmp.Diff(tt.dropped, dropped); d != "" {
				t.Errorf("dropped comparisons (-want +got):\n%s", d)
			}
			for _, d := range res.Dropped {
				if len(d.Roles) == 0 && d.Kind != "cannot-link rule" {
					t.Errorf("%s names no missing role", d)
				}
			}
			for _, c := range res.Settings.Comparisons {
				if slices.Contains(dropped, c.Name) {
					t.Errorf("comparison %s is dropped yet in the run's settings", c.Name)
				}
			}
		})
	}
}

// TestTrainingKeepsLevelsOrdered trains on RLdata10000, where every duplicate has exactly
// one field wrong and EM alone puts birth_date's one_digit level above exact (the
// project's earlier model: +9.4 against +5.2): every level must come out ordered, and the
// report must say what EM wanted where a bound held it.
func TestTrainingKeepsLevelsOrdered(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on 10,000 records")
	}
	l, res := linkRoll(t, StudentSettings(), rldataRoll(t, "../testdata/rldata/RLdata10000.csv"))
	m := l.Model()
	for c, comp := range m.Comparisons {
		if lv := score.LevelsOrdered(m.M[c], m.U[c]); lv != 0 {
			t.Errorf("%s level %s out of order", comp.Name, comp.LevelNames()[lv])
		}
	}
	if w := score.CheckFit(*m); len(w) != 0 {
		t.Errorf("the trained model still draws warnings: %v", w)
	}
	tr := res.Training
	if tr.Method != "em" || !tr.EM.Converged || !(tr.Prior > 0 && tr.Prior < 1e-3) {
		t.Errorf("training report %+v", tr)
	}
	t.Logf("training: %+v", tr)
}

// rldataRoll reads an RLdata file as a student roll: first name parts as given and
// middle name, the family name parts as one family name, the birth date from its parts.
func rldataRoll(t *testing.T, path string) *Roll {
	t.Helper()
	rows := mustReadCSV(t, path)
	var b strings.Builder
	b.WriteString("record_id,first_name,middle_name,last_name,birth_date\n")
	for _, r := range rows[1:] {
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s-%02s-%02s\n", r[0], r[1], r[2], strings.TrimSpace(r[3]+" "+r[4]), r[5], r[6], r[7])
	}
	roll, err := StudentSettings().NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	if err := roll.ReadCSV(path, strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
	return roll
}

func TestTrainCancelled(t *testing.T) {
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	roll := readRoll(t, StudentSettings(), sampleRoll)
	p, err := l.Prepare(context.Background(), roll, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Train(ctx, p, RunOptions{}); err == nil {
		t.Error("training with a cancelled context gave no error")
	}
}

// TestRollTestsBeliefRules trains on rolls whose birth dates are and are not recorded
// with care: where many of the pairs that share an SSID have birth dates wrong in every
// part (FEBRL 3: about 7%), the "different birth dates" rule is set aside for the run
// with a warning, though the saved model keeps it for the rolls it links next; where they are recorded with care
// (the synthetic roll, also with four SSIDs in five blanked, where EM alone would take
// the birth date for unreliable) or no SSID anchors the test (Splink's fake people), it
// stands. The rule that one SSID on two children with different given names and birth
// dates says two children goes with it where the one-SSID twins rule is set aside too
// (FEBRL 3, whose given names are often replaced), and stands elsewhere.
func TestRollTestsBeliefRules(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on suite sets")
	}
	rules := []string{differentBirthDates, oneSSIDTwins, "one SSID, two children: different given names and birth dates"}
	tests := []struct {
		set      string
		setAside bool
	}{
		{"febrl3", true},
		{"synth", false},
		{"synth-sparse-ssid", false},
		{"fake_1000", false},
	}
	for _, tt := range tests {
		t.Run(tt.set, func(t *testing.T) {
			roll := sparseSSIDRoll(t)
			if tt.set != "synth-sparse-ssid" {
				roll = suiteRoll(t, tt.set)
			}
			l, res := linkRoll(t, StudentSettings(), roll)
			for _, rule := range rules {
				if tt.set == "fake_1000" && rule != differentBirthDates {
					continue // dropped: no SSIDs
				}
				warned := slices.ContainsFunc(res.Training.Warnings, func(w string) bool {
					return strings.Contains(w, fmt.Sprintf("cannot-link rule %q", rule)) && strings.Contains(w, "set aside")
				})
				kept := slices.ContainsFunc(res.Settings.CannotLink, func(c CannotLink) bool { return c.Name == rule })
				if !slices.ContainsFunc(l.Settings().CannotLink, func(c CannotLink) bool { return c.Name == rule }) {
					t.Errorf("rule %q: left out of the linker's settings, which a saved model carries", rule)
				}
				listed := slices.ContainsFunc(res.Dropped, func(d Dropped) bool {
					return d.Kind == "cannot-link rule" && d.Name == rule && strings.Contains(d.String(), "set aside")
				})
				if warned != tt.setAside || kept == tt.setAside || listed != tt.setAside {
					t.Errorf("rule %q: warned %v, kept %v, listed as dropped %v; want set aside %v (warnings %q)", rule, warned, kept, listed, tt.setAside, res.Training.Warnings)
				}
			}
			saved, err := reload(l)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(l.Settings().CannotLink, saved.Settings().CannotLink); d != "" {
				t.Errorf("saved model's cannot-link rules differ (-trained +saved):\n%s", d)
			}
		})
	}
}

// sparseSSIDRoll is the synthetic roll with the SSIDs of four records in five blanked.
func sparseSSIDRoll(t *testing.T) *Roll {
	t.Helper()
	rows := mustReadCSV(t, "../testdata/synth/roll.csv")
	k := slices.Index(rows[0], "ssid")
	var b strings.Builder
	w := csv.NewWriter(&b)
	for i, r := range rows {
		if i > 0 && i%5 != 0 {
			r[k] = ""
		}
		w.Write(r)
	}
	w.Flush()
	roll, err := StudentSettings().NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	if err := roll.ReadCSV("sparse.csv", strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
	return roll
}

func TestAnchoredShare(t *testing.T) {
	comps := StudentSettings().Comparisons
	at := func(name string) int {
		return slices.IndexFunc(comps, func(c score.Comparison) bool { return c.Name == name })
	}
	level := func(name, level string) uint64 {
		k := at(name)
		return uint64(slices.Index(comps[k].LevelNames(), level)) << (4 * k)
	}
	ssid := at("ssid")
	// Pairs by comparison vector; the comparisons not named are null.
	given := level("given_name", "exact")
	counts := score.PatternCounts{
		level("ssid", "exact") | given | level("birth_date", "exact"):     90,
		level("ssid", "exact") | given | level("birth_date", "else"):      6,
		level("ssid", "exact") | given:                                    30, // no birth dates: not judged
		level("ssid", "one_edit") | given | level("birth_date", "else"):   40, // not anchored
		level("ssid", "else") | given | level("birth_date", "else"):       500,
		level("ssid", "exact") | given | level("birth_date", "one_digit"): 4,
		// Siblings under one SSID, their given names different, alike or one missing: not
		// tested on. Names swapped: tested on. Given names different and
		// the same birth date (twins, or a preferred name): judged, as without
		// NotTestedOn, since they do not meet the rule.
		level("ssid", "exact") | level("given_name", "jaro_winkler>=0.85") | level("birth_date", "else"):                   5,
		level("ssid", "exact") | level("given_name", "else") | level("birth_date", "exact"):                                50,
		level("ssid", "exact") | level("given_name", "else") | level("birth_date", "else"):                                 20,
		level("ssid", "exact") | level("given_name", "else") | level("name_swap", "swapped") | level("birth_date", "else"): 3,
		level("ssid", "exact") | level("birth_date", "else"):                                                               7,
	}
	rules := studentCannotLink()
	k := slices.IndexFunc(rules, func(c CannotLink) bool { return c.Name == "different birth dates" })
	if k < 0 {
		t.Fatal("no different-birth-dates rule")
	}
	rule := rules[k] // SSIDs not the same, birth dates else; not tested on siblings
	judged, met := anchoredShare(comps, counts, []int{ssid}, rule)
	if judged != 153 || met != 9 {
		t.Errorf("anchoredShare = %d judged, %d met; want 153, 9", judged, met)
	}
	rule.NotTestedOn = nil
	judged, met = anchoredShare(comps, counts, []int{ssid}, rule)
	if judged != 185 || met != 41 {
		t.Errorf("without NotTestedOn: anchoredShare = %d judged, %d met; want 185, 41", judged, met)
	}
	// A rule whose every other condition admits null judges nothing.
	judged, met = anchoredShare(comps, counts, []int{ssid}, CannotLink{Conditions: []Condition{{Comparison: "birth_date", Levels: []string{"null", "else"}}}})
	if judged != 0 || met != 0 {
		t.Errorf("null-admitting rule: %d judged, %d met; want 0, 0", judged, met)
	}
}

// TestTrainingRefusesAClassOfStrangers trains on a synthetic roll of 20,000 records without
// SSIDs, where EM alone settles on a class of strangers who share a given name and a sex:
// it would have them agree on the birth date in 12% of pairs, a third of them outside the
// candidate pairs, and linked at precision 0.93 (at 10^5 records such a fit linked Ana
// Vasquez with Ana Gonzalez, born the same day, at precision 0.62). Training says so and
// falls back to the documented defaults, and the run keeps its precision.
func TestTrainingRefusesAClassOfStrangers(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on 20,000 records")
	}
	cfg := synth.DefaultConfig(0)
	cfg.Records = 20_000
	gen, err := synth.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	gen.DropSSIDs()
	res := runSynth(t, gen)
	tr := res.Training
	if tr == nil || tr.Method != "defaults" || !slices.ContainsFunc(tr.Warnings, func(w string) bool { return strings.Contains(w, "not the student") }) {
		t.Fatalf("training report %+v: want the documented defaults, with the warning that EM's class is not the student", tr)
	}
	ev, err := Evaluate(res.Label, gen.Truth(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Precision < 0.97 || ev.Recall < 0.9 {
		t.Errorf("%s; want precision ≥ 0.97 and recall ≥ 0.9", ev)
	}
	t.Log(ev)
}

// TestTrainingRefusesAClassOfLookAlikes: twelve girls born the same day on one street,
// no two of one name. EM, trained on the roll alone, put every pair in its match class
// (prior 1); a class that agrees on no name is not the student, and neither is the
// prior that would make it one.
func TestTrainingRefusesAClassOfLookAlikes(t *testing.T) {
	names := [][2]string{{"Ava", "Brown"}, {"Sophia", "Davis"}, {"Mia", "Lopez"}, {"Zoe", "Nguyen"}, {"Chloe", "Wright"}, {"Grace", "Hill"},
		{"Lily", "Scott"}, {"Ruby", "Young"}, {"Ivy", "King"}, {"Nora", "Baker"}, {"Ella", "Adams"}, {"Lucy", "Perez"}}
	roll := studentHeader
	for i, n := range names {
		roll += fmt.Sprintf("g%d,0%d,01001,,%s,,%s,,2015-02-02,F,3,%d Main St,Springfield,62701,2023-08-20\n", i, 1+i%2, n[0], n[1], i+1)
	}
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, roll)
	sizes := map[int32]int{}
	for _, lab := range res.Label {
		sizes[lab]++
	}
	for lab, n := range sizes {
		if n > 2 {
			t.Errorf("student %s holds %d of the twelve girls", res.StudentIDs[lab], n)
		}
	}
	tr := res.Training
	if tr == nil || tr.Prior > 0.01 || !slices.ContainsFunc(tr.Warnings, func(w string) bool { return strings.Contains(w, "agrees on a given or family name in 0 of its pairs") }) {
		t.Errorf("training report %+v: want the warning that EM's class agrees on no name, and a small prior", tr)
	}
}

// TestOneRecordPrior: a roll of one record reports the prior a roll too small to train
// on gets (1/1000), not one pair in two.
func TestOneRecordPrior(t *testing.T) {
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, "record_id,first_name,last_name,birth_date\n1,Ann,Lee,2010-01-02\n")
	if res.Training == nil || res.Training.Prior != 1.0/minPriorRoll || res.Model.Prior != 1.0/minPriorRoll {
		t.Errorf("training %+v, model prior %g: want the prior 1/%d", res.Training, res.Model.Prior, minPriorRoll)
	}
}

// TestSetAsideWithOne trains on a roll whose birth dates are often wrong under one SSID
// (FEBRL 3) with the one-SSID twins rule untestable (its share raised out of reach): the
// birth-date rule is set aside, the rule joining both stands.
func TestSetAsideWithOne(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on a suite set")
	}
	s := StudentSettings()
	k := slices.IndexFunc(s.CannotLink, func(c CannotLink) bool { return c.Name == oneSSIDTwins })
	s.CannotLink[k].MaxMatchShare = 0.9
	_, res := linkRoll(t, s, suiteRoll(t, "febrl3"))
	var names []string
	for _, c := range res.Settings.CannotLink {
		names = append(names, c.Name)
	}
	if slices.Contains(names, differentBirthDates) || !slices.Contains(names, oneSSIDTwins) ||
		!slices.Contains(names, "one SSID, two children: different given names and birth dates") {
		t.Fatalf("the run's rules %q: want the birth-date rule set aside and the one-SSID rules kept", names)
	}
}

// TestLoadedModelTestsRules loads a model trained on FEBRL 3, whose roll set belief rules
// aside, and links two rolls with it: on FEBRL 3 again the rules are set aside again; on
// a roll too small to test them (twins and a sibling under one SSID) they all stand.
func TestLoadedModelTestsRules(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on a suite set")
	}
	trained, _ := linkRoll(t, StudentSettings(), suiteRoll(t, "febrl3"))
	l, err := reload(trained)
	if err != nil {
		t.Fatal(err)
	}
	aside := func(res *Result) []string {
		var out []string
		for _, d := range res.Dropped {
			if strings.Contains(d.Reason, "set aside") {
				out = append(out, d.Name)
			}
		}
		return out
	}
	want := []string{oneSSIDTwins, differentBirthDates,
		"twins: same family name and home, different given names, one SSID, a birth date missing",
		"one SSID, two children: different given names and birth dates",
		"one SSID, two children: different given names, a birth date's part different",
		"one SSID, two strangers: given names, family names and birth dates different",
		"different family names and birth dates"}
	res, err := l.Run(bgContext(), suiteRoll(t, "febrl3"), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, aside(res)); d != "" {
		t.Errorf("FEBRL 3 through its loaded model: rules set aside (-want +got):\n%s", d)
	}
	if len(res.RuleTests) == 0 {
		t.Error("no rule tests reported for a loaded model's run")
	}
	res = runCSV(t, l, twinRoll)
	if got := aside(res); len(got) > 0 {
		t.Errorf("twin roll through FEBRL 3's model: rules set aside %q, want none", got)
	}
	checkChildren(t, res)
}

// TestRefusedFitSmallRollPrior links seven records in which EM's class is no student (it
// agrees on given names in one pair of twenty): the fit is refused, and the prior, which
// EM put at 0.27, is held at 1/minPriorRoll, so that Jordan Lee and Jordan Bell, who share
// a given name, a birth day and a street, stay apart.
func TestRefusedFitSmallRollPrior(t *testing.T) {
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, studentHeader+
		"lee-1,01,01001,,Jordan,,Lee,,2014-02-03,M,3,7 Birch St,Lehi,84043,2020-08-20\n"+
		"kris-1,01,01001,,Kris,,Stone,,2010-02-03,M,7,19 Birch St,Lehi,84043,2020-08-20\n"+
		"chris-1,02,02001,,Chris,,Stone,,2010-02-03,F,7,19 Birch St,Lehi,84043,2020-08-20\n"+
		"bell-1,01,01001,4000000300,Jordan,,Bell,,2014-06-03,M,3,70 Birch St,Lehi,84043,2020-08-20\n"+
		"jordyn-1,02,02001,4000000301,Jordyn,,Bell,,2014-06-03,F,3,70 Birch St,Lehi,84043,2020-08-20\n"+
		"jesse-1,01,01001,4000000310,Jesse,,Cruz,,2012-06-03,M,5,80 Birch St,Lehi,84043,2020-08-20\n"+
		"jessie-1,02,02001,4000000311,Jessie,,Cruz,,2012-06-03,F,5,80 Birch St,Lehi,84043,2020-08-20\n")
	checkChildren(t, res)
	if got, want := res.Model.Prior, 1.0/minPriorRoll; got > want {
		t.Errorf("prior %g, want at most %g", got, want)
	}
	if !slices.ContainsFunc(res.Training.Warnings, func(w string) bool { return strings.Contains(w, "held at 1/1000") }) {
		t.Errorf("no warning that the prior was held: %q", res.Training.Warnings)
	}
}

// TestInitialSaysItsLetter trains on a synthetic roll of one school year without SSIDs
// (EM's fit refused, the defaults used) with Sofia Park and "S" Lee added, born the same
// day two doors apart: the initial weighs at most what a shared first letter says among
// the roll's given names, and the two, whose family names differ, are not one student.
func TestInitialSaysItsLetter(t *testing.T) {
	cfg := synth.DefaultConfig(5000)
	cfg.Years = 1
	gen, err := synth.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	gen.DropSSIDs()
	var buf bytes.Buffer
	if err := gen.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	buf.WriteString("N1,03,03001,,Sofia,,Park,,2013-05-06,F,4,9 Elm St,Provo,84601,2020-08-20\n")
	buf.WriteString("N2,04,04001,,S,,Lee,,2013-05-06,F,4,11 Elm St,Provo,84601,2020-08-20\n")
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	g := slices.Index(rows[0], "first_name")
	counts := map[byte]float64{}
	var names float64
	for _, r := range rows[1:] {
		if r[g] != "" {
			counts[strings.ToLower(r[g])[0]]++
			names++
		}
	}
	var q float64
	for _, n := range counts {
		q += n / names * n / names
	}
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, buf.String())
	n := res.Prepared.Roll.Len()
	if res.Label[n-1] == res.Label[n-2] {
		t.Errorf("Sofia Park and S Lee linked: %s", res.scorer.Explain(n-2, n-1))
	}
	for _, c := range ModelLevels(res.Model) {
		for _, lv := range c.Levels {
			if c.Name == "given_name" && lv.Name == "initial" && lv.Weight > math.Log2(1/q)+1e-6 {
				t.Errorf("given_name initial weighs %.2f, over the %.2f a shared first letter says (q %.4f)", lv.Weight, math.Log2(1/q), q)
			}
		}
	}
}

func TestWilsonLower(t *testing.T) {
	tests := []struct {
		met, n int64
		lo, hi float64 // the bound lies in [lo, hi]
	}{
		{0, 0, 0, 0},
		{0, 100, 0, 1e-12},
		{3, 53, 0.015, 0.018},   // three twin pairs among a small district's SSID pairs
		{21, 424, 0.029, 0.032}, // FEBRL 1's birth dates
		{568, 4523, 0.11, 0.12}, // FEBRL 3's given names
		{100, 100, 0.94, 0.96},  // every pair
		{50, 100, 0.38, 0.39},   // half
		{1000, 100000, 0.0092, 0.0093},
	}
	for _, tt := range tests {
		got := wilsonLower(tt.met, tt.n)
		if got < tt.lo || got > tt.hi {
			t.Errorf("wilsonLower(%d, %d) = %.5f, want in [%g, %g]", tt.met, tt.n, got, tt.lo, tt.hi)
		}
		if tt.n > 0 && got > float64(tt.met)/float64(tt.n) {
			t.Errorf("wilsonLower(%d, %d) = %.5f, over the share itself", tt.met, tt.n, got)
		}
	}
}

// TestTrainsOnSharedSSIDs trains the student preset on a synthetic roll of 20,000 records
// whose SSIDs are issued in sequence. EM over every candidate pair put the birth date's
// exact m at 0.71 there (at 10^5 records its class took in namesakes born within a month,
// linked at precision 0.9956); read off the pairs that share an SSID, each level's m is
// what one child's pairs show, which the test counts from the truth.
func TestTrainsOnSharedSSIDs(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on 20,000 records")
	}
	cfg := synth.DefaultConfig(20_000)
	cfg.SSIDsDense = true
	gen, err := synth.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res := runSynth(t, gen)
	if tr := res.Training; tr == nil || tr.Method != "sessions" {
		t.Fatalf("training report %+v: want the SSID session", tr)
	}
	dob := slices.IndexFunc(res.Model.Comparisons, func(c score.Comparison) bool { return c.Name == "birth_date" })
	truth := gen.Truth()
	byStudent := map[int32][]int{}
	for i, st := range truth {
		byStudent[st] = append(byStudent[st], i)
	}
	var exact, compared int
	for _, recs := range byStudent {
		for x, a := range recs {
			for _, b := range recs[x+1:] {
				switch score.LevelOf(res.scorer.RawKey(a, b), dob) {
				case score.LevelNull:
				case score.LevelExact:
					exact++
					compared++
				default:
					compared++
				}
			}
		}
	}
	share := float64(exact) / float64(compared)
	if m := res.Model.M[dob][score.LevelExact]; math.Abs(m-share) > 0.03 {
		t.Errorf("birth_date exact: m %.3f, but %d of %d of one child's pairs (%.3f) agree", m, exact, compared, share)
	}
	ev, err := Evaluate(res.Label, truth, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Precision < 0.999 {
		t.Errorf("%s; want precision ≥ 0.999", ev)
	}
}

// TestSmallRollTrainsByEM: a roll of 300 records has too few pairs sharing an SSID for
// the preset's session (minSessionPairs), and trains by EM over every candidate pair.
func TestSmallRollTrainsByEM(t *testing.T) {
	gen, err := synth.Generate(synth.DefaultConfig(300))
	if err != nil {
		t.Fatal(err)
	}
	res := runSynth(t, gen)
	if len(res.Settings.Training.Sessions) == 0 {
		t.Fatal("the roll has SSIDs, but the run's settings have no session: the test tries nothing")
	}
	if tr := res.Training; tr == nil || tr.Method != "em" || tr.EM.Iterations == 0 {
		t.Fatalf("training report %+v: want EM", tr)
	}
}

// TestSessionU: a level no sampled pair reached takes EM's u where EM's is higher; a
// level the sample saw keeps the sample's, and each comparison's u still sums to 1. With
// too few sampled pairs (u at the defaults) nothing changes.
func TestSessionU(t *testing.T) {
	// One comparison of three levels (exact, fuzzy, else): 300 sampled pairs at else,
	// 100 fuzzy, none exact.
	raw := score.PatternCounts{2: 100, 3: 300}
	sampled := [][]float64{{0, 0.5 / 401.5, 100.5 / 401.5, 300.5 / 401.5}}
	tests := []struct {
		name  string
		em    []float64
		drawn int64
		want  []float64
	}{
		{"EM higher where unseen", []float64{0, 0.01, 0.2, 0.79}, 400, normalized([]float64{0, 0.01, 100.5 / 401.5, 300.5 / 401.5})},
		{"EM lower where unseen", []float64{0, 1e-6, 0.2, 0.8}, 400, sampled[0]},
		{"too few sampled", []float64{0, 0.01, 0.2, 0.79}, minSampleForU - 1, sampled[0]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sessionU(sampled, [][]float64{tt.em}, score.Sample{Raw: raw, Drawn: tt.drawn})
			if diff := cmp.Diff([][]float64{tt.want}, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("sessionU (-want +got):\n%s", diff)
			}
			if sum := got[0][1] + got[0][2] + got[0][3]; math.Abs(sum-1) > 1e-12 {
				t.Errorf("u sums to %g", sum)
			}
		})
	}
}

func normalized(p []float64) []float64 {
	out := slices.Clone(p)
	total := 0.0
	for _, v := range out[1:] {
		total += v
	}
	for l := 1; l < len(out); l++ {
		out[l] /= total
	}
	return out
}

// TestTrainingRefusesAClassOfHouseholds: on the synthetic roll without SSIDs, EM's class
// took in siblings (a family name and a home shared, given names and birth dates
// different); training says so and falls back to the documented defaults, under which
// siblings stay apart.
func TestTrainingRefusesAClassOfHouseholds(t *testing.T) {
	s := StudentSettings()
	roll := readRoll(t, s, sampleRollNoSSID)
	l, res := linkRoll(t, s, roll)
	tr := l.TrainingReport()
	if tr == nil || tr.Method != "defaults" || !slices.ContainsFunc(tr.Warnings, func(w string) bool { return strings.Contains(w, "a household, not the student") }) {
		t.Fatalf("training report %+v: want the documented defaults, with the warning that EM's class is households", tr)
	}
	ev, err := Evaluate(res.Label, readTruth(t, sampleTruth, roll), nil)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Precision < 0.998 {
		t.Errorf("%s; want precision ≥ 0.998 (0.9947 with EM's households)", ev)
	}
}

func TestHouseholdShare(t *testing.T) {
	comps := StudentSettings().Comparisons
	m, err := score.DefaultModel(comps, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	given := slices.IndexFunc(comps, func(c score.Comparison) bool { return c.Kind == score.KindGivenName })
	birth := slices.IndexFunc(comps, func(c score.Comparison) bool { return c.Kind == score.KindBirthDate })
	level := func(c int, name string) uint64 { return uint64(slices.Index(comps[c].LevelNames(), name)) << (4 * c) }
	sibling := level(given, "else") | level(birth, "else")
	child := level(given, "exact") | level(birth, "exact")
	noBirth := level(given, "else")
	noGiven := level(birth, "exact")
	for _, tc := range []struct {
		name   string
		counts score.PatternCounts
		want   float64
		ok     bool
	}{
		{"no pair with both", score.PatternCounts{noBirth: 5}, 0, false},
		{"children only", score.PatternCounts{child: 10, noBirth: 5}, 0, true},
		{"siblings only", score.PatternCounts{sibling: 10, noGiven: 3}, 1, true},
		{"no birth date the same: years alone", score.PatternCounts{sibling: 10}, 0, false},
	} {
		got, ok := householdShare(tc.counts, m)
		if ok != tc.ok || math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: householdShare = %g, %v; want %g, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
	mixed := score.PatternCounts{child: 10, sibling: 10}
	if got, _ := householdShare(mixed, m); got <= 0 || got >= 0.5 {
		t.Errorf("children and as many siblings: householdShare = %g, want in (0, 0.5): a sibling pair weighs less", got)
	}
}

// TestPriorNotAtItsFloor: where the prior alone, m at the defaults, would expect not one
// pair of the roll to be one student (every pair unlike the defaults' student), it is
// one duplicate a record instead, with a warning: at 1e-12 nothing would ever link.
func TestPriorNotAtItsFloor(t *testing.T) {
	comps := []score.Comparison{score.Location(0.9)}
	start, err := score.DefaultModel(comps, 1e-4)
	if err != nil {
		t.Fatal(err)
	}
	names := comps[0].LevelNames()
	other := uint64(slices.Index(names, "else"))
	counts := score.PatternCounts{other: 5000}
	rep := &TrainingReport{}
	m, _, err := defaultsAndPrior(context.Background(), counts, start, score.EMOptions{MaxIterations: 100, Tolerance: 1e-6}, []bool{false}, rep, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := 1.0 / minPriorRoll; m.Prior != want {
		t.Errorf("prior %g, want %g", m.Prior, want)
	}
	if !slices.ContainsFunc(rep.Warnings, func(w string) bool { return strings.Contains(w, "expects no pair") }) {
		t.Errorf("no warning of the prior: %q", rep.Warnings)
	}
}

// TestOneFamilyNameEveryRecord: an export that wrote one family name on every record (a
// roll without SSIDs). Random pairs all agree on it, as in a roll of few people, and u
// was set to the documented default: agreeing on the name weighed +7.4, and thousands of
// children merged (precision 0.27 on the 27,451-record synthetic roll). Random pairs
// seldom agree on the given name or birth date, so the roll holds different people: the
// name's u is the sample's, no evidence, and the report says so.
func TestOneFamilyNameEveryRecord(t *testing.T) {
	gen, err := synth.Generate(synth.DefaultConfig(2000))
	if err != nil {
		t.Fatal(err)
	}
	gen.DropSSIDs()
	for i := range gen.Records {
		gen.Records[i].Last = "Smith"
	}
	l, res := linkSynth(t, gen)
	ev, err := Evaluate(res.Label, gen.Truth(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("precision %.4f recall %.4f", ev.Precision, ev.Recall)
	if ev.Precision < 0.9 {
		t.Errorf("precision %.4f, want at least 0.9", ev.Precision)
	}
	rep := l.TrainingReport()
	if !slices.ContainsFunc(rep.Warnings, func(w string) bool {
		return strings.HasPrefix(w, "family_name exact:") && strings.Contains(w, "no evidence")
	}) {
		t.Errorf("warnings %q, want family_name's agreement called no evidence", rep.Warnings)
	}
}
