package match

import (
	"hash/fnv"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/internal/datasets"
	"github.com/studentlink/studentlink/score"
)

// TestTestRulesByModel: where no anchor can judge a belief rule, the model's match class
// does, each pair counted by the probability its other fields give it, and only with m
// the roll taught the model.
func TestTestRulesByModel(t *testing.T) {
	s := StudentSettings()
	comps := s.Comparisons
	at := func(name string) int {
		return slices.IndexFunc(comps, func(c score.Comparison) bool { return c.Name == name })
	}
	level := func(name, level string) uint64 {
		k := at(name)
		return uint64(slices.Index(comps[k].LevelNames(), level)) << (4 * k)
	}
	m, err := score.DefaultModel(comps, 0x1p-25)
	if err != nil {
		t.Fatal(err)
	}
	// Names that agree say one person beyond doubt, whatever the birth dates (the model
	// learnt that one child's often differ); a family name that differs, two.
	set := func(comp, lv string, mv, uv float64) {
		k, l := at(comp), slices.Index(comps[at(comp)].LevelNames(), lv)
		m.M[k][l], m.U[k][l] = mv, uv
	}
	set("given_name", "exact", 0.9, 0.9*0x1p-20)
	set("family_name", "exact", 0.9, 0.9*0x1p-20)
	set("family_name", "else", 0x1p-50, 0.9)
	set("birth_date", "else", 0.1, 0.9)
	names := level("given_name", "exact") | level("family_name", "exact")
	strangers := level("given_name", "exact") | level("family_name", "else")
	careless := score.PatternCounts{
		names | level("birth_date", "exact"):    400,
		names | level("birth_date", "else"):     40,
		strangers | level("birth_date", "else"): 1000, // two people: counts for nothing
		names:                                   30,   // no birth dates: not judged
	}
	careful := score.PatternCounts{
		names | level("birth_date", "exact"):    440,
		strangers | level("birth_date", "else"): 1000,
	}
	anchored := score.PatternCounts{
		names | level("birth_date", "exact") | level("ssid", "exact"): 60,
		names | level("birth_date", "else"):                           40,
	}
	learnt := make([]bool, len(comps))
	for k := range learnt {
		learnt[k] = true
	}
	notBirthDate := slices.Clone(learnt)
	notBirthDate[at("birth_date")] = false

	tests := []struct {
		name      string
		counts    score.PatternCounts
		learnt    []bool
		loaded    bool
		trainedOn []string // Training.SetAside of a loaded model
		want      *RuleTest
	}{
		{"careless birth dates", careless, learnt, false, nil,
			&RuleTest{ByModel: true, Judged: 440, Met: 40, SetAside: true}},
		{"careful birth dates", careful, learnt, false, nil,
			&RuleTest{ByModel: true, Judged: 440, Met: 0}},
		// The SSIDs judge none: their count stands, as without a model.
		{"birth date's m not learnt", careless, notBirthDate, false, nil, &RuleTest{Anchor: "ssid"}},
		{"no model learnt", careless, make([]bool, len(comps)), false, nil, &RuleTest{Anchor: "ssid"}},
		{"anchored pairs judge", anchored, learnt, false, nil,
			&RuleTest{Anchor: "ssid", Judged: 60, Met: 0}},
		{"loaded model, training kept it", careless, nil, true, nil,
			&RuleTest{ByModel: true, Judged: 440, Met: 40}},
		{"loaded model, training set it aside", careless, nil, true, []string{differentBirthDates},
			&RuleTest{ByModel: true, Judged: 440, Met: 40, SetAside: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := StudentSettings()
			s.Training.SetAside = tt.trainedOn
			l := &Linker{settings: s}
			tests := l.testRules(tt.counts, tt.loaded, &m, tt.learnt, oneChildClasses{})
			var got *RuleTest
			if k := slices.IndexFunc(tests, func(r RuleTest) bool { return r.Rule == differentBirthDates }); k >= 0 {
				got = &tests[k]
			}
			if tt.want != nil {
				tt.want.Rule, tt.want.MaxShare = differentBirthDates, 0.02
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("test of %q (-want +got):\n%s", differentBirthDates, d)
			}
			kept := slices.ContainsFunc(l.cannot, func(c compiledCannotLink) bool { return c.name == differentBirthDates })
			if aside := tt.want != nil && tt.want.SetAside; kept == aside {
				t.Errorf("rule kept for the run: %v, want %v", kept, !aside)
			}
		})
	}
}

func TestLearntM(t *testing.T) {
	comps := StudentSettings().Comparisons
	birth := slices.IndexFunc(comps, func(c score.Comparison) bool { return c.Name == "birth_date" })
	ssid := slices.IndexFunc(comps, func(c score.Comparison) bool { return c.Name == "ssid" })
	exact := score.PatternCounts{uint64(score.LevelExact) << (4 * birth): 5}
	bound := make([]float64, len(comps))
	bound[birth] = 0.3
	fixed := make([]bool, len(comps))
	fixed[ssid] = true
	all := func(v bool, except ...int) []bool {
		out := make([]bool, len(comps))
		for k := range out {
			out[k] = v != slices.Contains(except, k)
		}
		return out
	}
	tests := []struct {
		name   string
		counts score.PatternCounts
		fixed  []bool
		rep    TrainingReport
		want   []bool
	}{
		{"em", exact, nil, TrainingReport{Method: "em"}, all(true)},
		{"em, ssid known", exact, fixed, TrainingReport{Method: "em"}, all(true, ssid)},
		{"em, birth date defaulted", exact, nil, TrainingReport{Method: "em", Defaulted: []string{"birth_date"}}, all(true, birth)},
		{"defaults", exact, nil, TrainingReport{Method: "defaults"}, all(false)},
		{"class held at the floor", exact, nil, TrainingReport{Method: "em", EM: score.EMReport{Bound: bound}}, all(false)},
		// Held on a level no pair reaches (birth years alone): not a class held.
		{"held where no pair agrees", score.PatternCounts{}, nil, TrainingReport{Method: "em", EM: score.EMReport{Bound: bound}}, all(true)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, learntM(comps, tt.counts, tt.fixed, &tt.rep)); d != "" {
				t.Errorf("learntM (-want +got):\n%s", d)
			}
		})
	}
}

// TestSexesRecordedCarelesslyWithoutSSIDs: RLdata10000 has no SSID to anchor a belief
// rule's test, so the trained model's match class is the test. Given a sex (each person
// one, drawn at random), its duplicates bear out both beliefs the preset tests, birth
// dates and sexes recorded with care, and both rules stand. With a fifth of the records'
// sexes flipped, the rule that different given names and sexes say two children is set
// aside, as TestSexesRecordedCarelessly does it under SSIDs; the birth dates' stands.
func TestSexesRecordedCarelesslyWithoutSSIDs(t *testing.T) {
	if testing.Short() {
		t.Skip("links RLdata10000 twice")
	}
	set, err := datasets.Load(os.DirFS("../testdata"), "rldata10000")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(10000, 5))
	sexes := func(flip int) datasets.Set {
		out := set
		out.Sources = slices.Clone(set.Sources)
		for i, src := range out.Sources {
			recs := slices.Clone(src.Records)
			for k := range recs {
				// The truth only makes the column: each person's sex, as a roll records it.
				h := fnv.New32a()
				h.Write([]byte(set.Truth[recs[k].ID]))
				recs[k].Sex = []string{"M", "F"}[h.Sum32()%2]
				if flip > 0 && rng.IntN(flip) == 0 {
					recs[k].Sex = map[string]string{"M": "F", "F": "M"}[recs[k].Sex]
				}
			}
			out.Sources[i].Records = recs
		}
		return out
	}
	link := func(set datasets.Set) *Result {
		t.Helper()
		files, _, err := set.WriteCSV(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		_, res := linkRoll(t, StudentSettings(), readRoll(t, StudentSettings(), files...))
		return res
	}
	tested := func(res *Result, rule string) RuleTest {
		k := slices.IndexFunc(res.RuleTests, func(r RuleTest) bool { return r.Rule == rule })
		if k < 0 {
			t.Fatalf("rule %q not tested: %+v (training %q)", rule, res.RuleTests, res.Training.Warnings)
		}
		return res.RuleTests[k]
	}
	for _, tt := range []struct {
		name  string
		flip  int // one record in flip has its sex flipped; 0: none
		aside []string
	}{
		{"sexes recorded with care", 0, nil},
		{"a fifth of the sexes flipped", 5, []string{differentSexes}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := link(sexes(tt.flip))
			var aside []string
			for _, rule := range []string{differentBirthDates, differentSexes} {
				r := tested(res, rule)
				if !r.ByModel || r.Judged < minAnchorPairs {
					t.Errorf("rule %q: test %+v, want the model's, judged on at least %d pairs", rule, r, minAnchorPairs)
				}
				if r.SetAside {
					aside = append(aside, rule)
				}
				listed := slices.ContainsFunc(res.Dropped, func(d Dropped) bool {
					return d.Name == rule && strings.Contains(d.Reason, "the model calls one student")
				})
				if listed != r.SetAside {
					t.Errorf("rule %q: set aside %v, listed as dropped by the model's test %v", rule, r.SetAside, listed)
				}
			}
			if d := cmp.Diff(tt.aside, aside); d != "" {
				t.Errorf("rules set aside (-want +got):\n%s", d)
			}
		})
	}
}
