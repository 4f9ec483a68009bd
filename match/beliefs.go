package match

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/studentlink/studentlink/score"
)

// RuleTest is a belief rule tested on the candidate pairs an identifier calls one person,
// or, where no identifier can tell, on those the trained model does (see
// CannotLink.MaxMatchShare).
type RuleTest struct {
	Rule string `json:"rule"`
	// Anchor is the comparison whose exact level says one person, oneChildAnchor for a
	// rule on classes (the records that share given name, family name and birth date),
	// or "" when the model's match class was the test.
	Anchor string `json:"anchor"`
	// ByModel says the pairs were the model's match class, each candidate pair counted
	// by its probability of being one person (rounded to whole pairs), because fewer
	// than minAnchorPairs anchored pairs could be judged.
	ByModel bool `json:"by_model,omitempty"`
	// Judged are the anchored pairs the rule's other conditions can be judged on; Met
	// those that meet them.
	Judged   int64   `json:"judged"`
	Met      int64   `json:"met"`
	MaxShare float64 `json:"max_share"`
	// SetAside says the rule was left out of the run: at least minAnchorPairs judged and
	// minRuleMet met, the share surely over MaxShare (the lower bound of its 99% Wilson
	// interval), and, with a loaded model, set aside by its training roll too
	// (Training.SetAside).
	SetAside bool `json:"set_aside"`
}

// minAnchorPairs is the fewest anchored pairs a belief rule is tested on, and minRuleMet
// the fewest of them that must meet it to set it aside: in a small roll, a few sets of
// twins under one SSID each would otherwise make the share and take away the rule that
// keeps them apart.
const (
	minAnchorPairs = 50
	minRuleMet     = 20
)

// testTrainingRules tests the belief rules on the roll just trained on, with the model
// it gave (learnt: the comparisons whose m EM or a session learnt from the roll, nil
// where none) and its one child's classes (classesOfOneChild), records the rules it set
// aside in the settings (Training.SetAside), and says so in the report.
func (l *Linker) testTrainingRules(counts score.PatternCounts, m *score.Model, learnt []bool, oneChild oneChildClasses, rep *TrainingReport) {
	l.settings.Training.SetAside = nil
	rep.RuleTests = l.testRules(counts, false, m, learnt, oneChild)
	for _, d := range l.aside {
		l.settings.Training.SetAside = append(l.settings.Training.SetAside, d.Name)
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("cannot-link rule %q: %s", d.Name, d.Reason))
	}
}

// learntM says which comparisons' m training learnt from the roll: not known beforehand
// (fixed, nil where none was: Training.M, the class read off the roll) nor sent back to
// the documented defaults. Under "defaults" none was, nor where EM had to hold its class
// at the identity floor on a comparison some pair agrees on exactly (TrainingReport.EM's
// Bound): a class that needed holding there took in others than the student (namesakes
// across a state), and one class serves every comparison.
func learntM(comps []score.Comparison, counts score.PatternCounts, fixed []bool, rep *TrainingReport) []bool {
	learnt := make([]bool, len(comps))
	if rep.Method == "defaults" {
		return learnt
	}
	for c, b := range rep.EM.Bound {
		if b != 0 && anyExact(counts, c) {
			return learnt
		}
	}
	for k, c := range comps {
		learnt[k] = !(k < len(fixed) && fixed[k]) && !slices.Contains(rep.Defaulted, c.Name)
	}
	return learnt
}

// testRules sets aside, for the run on this roll, the cannot-link rules (those with
// MaxMatchShare) that the roll contradicts: a belief about the data (a birth date is
// recorded with care), tested on the candidate pairs an identifier of known reliability (a
// comparison Training.M sets, the SSID) calls one person at its exact level. Among those
// of them that the rule's other conditions can be judged on (their comparisons not null),
// the share that meet the conditions must not surely pass MaxMatchShare. The count is the
// roll's, not EM's, wherever the identifier can judge at least minAnchorPairs: EM cannot
// tell a household or a namesake from the person where the identifier is missing from
// many records, and then its m says birth dates disagree as often as not.
//
// Where it cannot (a roll without SSIDs, or with too few judged), the test is the model's
// match class (testRule), provided the model learnt from this roll the m of every
// comparison the test reads (learnt; nil for a loaded model, whose training roll's
// verdict then decides): the documented defaults are a guess, not the roll, and EM's
// class has passed training's checks for a household. A model that learnt that a
// quarter of one child's records disagree on the birth date, weighing such a pair at a
// couple of bits against, would otherwise be overruled by a rule that says the
// opposite. Neither test can judge: the rule stands. A rule on classes
// (CannotLink.ClassesApart) is tested on the pairs of records that share given name,
// family name and birth date (oneChild): no comparison's level says two classes are
// years apart. A rule with SetAsideWith goes when every rule it names went.
//
// The settings keep every rule: a model trained on one roll and linking another tests
// them on that one, so that a roll too small to test (or one that bears the beliefs out)
// has them all. The run's rules are l.cannot, what it set aside l.aside.
func (l *Linker) testRules(counts score.PatternCounts, loaded bool, m *score.Model, learnt []bool, oneChild oneChildClasses) []RuleTest {
	comps := l.settings.Comparisons
	anchors := l.anchors()
	var tests []RuleTest
	l.aside = nil
	setAside := map[string]bool{}
	for _, r := range l.settings.CannotLink {
		if r.MaxMatchShare <= 0 {
			continue
		}
		var test RuleTest
		ok := true
		if r.ClassesApart {
			// A belief about classes, which no comparison's level states: tested on one
			// child's records, whatever the SSIDs.
			test = RuleTest{Rule: r.Name, Anchor: oneChildAnchor, Judged: oneChild.judged, Met: oneChild.apart, MaxShare: r.MaxMatchShare}
		} else {
			test, ok = testRule(comps, counts, anchors, r, m, learnt)
		}
		if !ok {
			continue
		}
		test.SetAside = test.Judged >= minAnchorPairs && test.Met >= minRuleMet && wilsonLower(test.Met, test.Judged) > r.MaxMatchShare &&
			(!loaded || slices.Contains(l.settings.Training.SetAside, r.Name))
		tests = append(tests, test)
		if test.SetAside {
			setAside[r.Name] = true
			what := "it"
			if len(r.Belief) > 0 {
				what = "the conditions it is tested on, " + describeConditions(r.Belief)
			}
			pairs := "candidate pairs that agree exactly on " + test.Anchor
			switch {
			case test.Anchor == oneChildAnchor:
				pairs = "pairs of records that share " + oneChildAnchor
			case test.ByModel:
				pairs = "candidate pairs the model calls one student (each by its probability)"
			}
			share := float64(test.Met) / float64(max(test.Judged, 1))
			l.aside = append(l.aside, Dropped{Kind: "cannot-link rule", Name: r.Name, Reason: fmt.Sprintf(
				"%d of %d %s meet %s (%.1f%%, surely over %.1f%%): set aside",
				test.Met, test.Judged, pairs, what, 100*share, 100*r.MaxMatchShare)})
		}
	}
	var kept []compiledCannotLink
	for _, r := range l.settings.CannotLink {
		switch {
		case setAside[r.Name]:
			continue
		case len(r.SetAsideWith) > 0 && !slices.ContainsFunc(r.SetAsideWith, func(n string) bool { return !setAside[n] }):
			var names []string
			for _, n := range r.SetAsideWith {
				names = append(names, strconv.Quote(n))
			}
			l.aside = append(l.aside, Dropped{Kind: "cannot-link rule", Name: r.Name,
				Reason: "set aside with " + strings.Join(names, " and ") + ", each set aside by the roll"})
			continue
		}
		kept = append(kept, compileCannotLink(comps, r))
	}
	l.cannot = kept
	return tests
}

// testRule counts rule r's test (testRules): on the anchored pairs, or, where they
// judge fewer than minAnchorPairs and m is given and learnt every comparison the test
// reads (learnt nil: a loaded model, taken as learnt), on the model's match class. ok is
// false where neither can judge: no anchor and no such model.
func testRule(comps []score.Comparison, counts score.PatternCounts, anchors []int, r CannotLink, m *score.Model, learnt []bool) (test RuleTest, ok bool) {
	test = RuleTest{Rule: r.Name, MaxShare: r.MaxMatchShare}
	if len(anchors) > 0 {
		test.Anchor = comps[anchors[0]].Name
		test.Judged, test.Met = anchoredShare(comps, counts, anchors, r)
		if test.Judged >= minAnchorPairs {
			return test, true
		}
	}
	checks := testedConditions(comps, nil, r)
	if m == nil || len(checks) == 0 || slices.ContainsFunc(checks, func(c condition) bool { return learnt != nil && !learnt[c.comp] }) {
		return test, len(anchors) > 0
	}
	judged, met := ruleShare(comps, counts, nil, r, func(key uint64) float64 {
		return score.Probability(m.PatternWeight(key))
	})
	return RuleTest{Rule: r.Name, ByModel: true, Judged: int64(math.Round(judged)), Met: int64(math.Round(met)), MaxShare: r.MaxMatchShare}, true
}

// wilsonLower is the lower bound of the 99% Wilson interval of the share met/n: a rule
// is set aside only where its share surely passes MaxMatchShare.
func wilsonLower(met, n int64) float64 {
	if n == 0 {
		return 0
	}
	const z = 2.326
	p, nf := float64(met)/float64(n), float64(n)
	return (p + z*z/(2*nf) - z*math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf))) / (1 + z*z/nf)
}

// describeConditions writes conditions as a reader of a run's summary would: each
// comparison with its levels, "given_name exact, sex else".
func describeConditions(conds []Condition) string {
	parts := make([]string, len(conds))
	for i, c := range conds {
		parts[i] = c.Comparison + " " + strings.Join(c.Levels, " or ")
	}
	return strings.Join(parts, ", ")
}

// anchoredShare counts the candidate pairs that agree exactly on an anchor and have a
// value on both sides for every other comparison the rule's conditions name without
// admitting null (judged), and those of them that meet those conditions (met); pairs
// that meet them and the rule's NotTestedOn as well count in neither, so that
// NotTestedOn only ever lowers the share. Conditions on an anchor, and conditions that
// admit null, are left aside: the anchor says one person, and a null says nothing. A
// rule with a Belief is tested on it instead of its conditions.
func anchoredShare(comps []score.Comparison, counts score.PatternCounts, anchors []int, r CannotLink) (judged, met int64) {
	j, m := ruleShare(comps, counts, anchors, r, func(key uint64) float64 {
		if slices.ContainsFunc(anchors, func(a int) bool { return score.LevelOf(key, a) == score.LevelExact }) {
			return 1
		}
		return 0
	})
	return int64(j), int64(m)
}

// testedConditions returns the conditions rule r is tested on (its Belief, else its
// conditions) that need a value on both records, without those on the anchors.
func testedConditions(comps []score.Comparison, anchors []int, r CannotLink) []condition {
	tested := r.Conditions
	if len(r.Belief) > 0 {
		tested = r.Belief
	}
	var checks []condition
	for _, c := range compileConditions(comps, "", tested).conds {
		if slices.Contains(anchors, c.comp) || !c.needsValue() {
			continue
		}
		checks = append(checks, c)
	}
	return checks
}

// ruleShare counts rule r's test as anchoredShare says, each candidate pattern's pairs
// counted at the weight one person (weigh: 1 or 0 for an anchor, a probability for a
// model).
func ruleShare(comps []score.Comparison, counts score.PatternCounts, anchors []int, r CannotLink, weigh func(key uint64) float64) (judged, met float64) {
	checks := testedConditions(comps, anchors, r)
	if len(checks) == 0 {
		return 0, 0
	}
	untested := compileConditions(comps, "", r.NotTestedOn)
	// In key order, so that a sum of probabilities rounds the same every run.
	for _, key := range slices.Sorted(maps.Keys(counts)) {
		n := counts[key]
		w := weigh(key)
		if w == 0 {
			continue
		}
		judgeable, meets := true, true
		for _, c := range checks {
			lv := score.LevelOf(key, c.comp)
			if lv == score.LevelNull {
				judgeable = false
				break
			}
			meets = meets && c.mask&(1<<lv) != 0
		}
		switch {
		case !judgeable, meets && len(r.NotTestedOn) > 0 && untested.holdsKey(key):
		case meets:
			judged += w * float64(n)
			met += w * float64(n)
		default:
			judged += w * float64(n)
		}
	}
	return judged, met
}
