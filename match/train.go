package match

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

// StageTrain is reported through RunOptions.Progress while EM runs (Done is the
// iteration).
const StageTrain = "train"

// TrainingReport says how a model was trained: on what, how EM went, and what looked
// wrong and was replaced by the documented defaults (score.DefaultParameters).
type TrainingReport struct {
	// Method is "em" (EM over every pair of the roll), "sessions" (Training.Sessions) or
	// "defaults" (too little to train on).
	Method string `json:"method"`
	// CandidatePairs are the blocked pairs; AllPairs the pairs the mode compares before
	// blocking; SampledPairs the pairs blocking left out whose comparison vectors were
	// counted (all of them when Exhaustive) to stand for the rest.
	CandidatePairs int64          `json:"candidate_pairs"`
	AllPairs       float64        `json:"all_pairs"`
	SampledPairs   int64          `json:"sampled_pairs"`
	Exhaustive     bool           `json:"exhaustive"`
	EM             score.EMReport `json:"em"`
	// Prior is the share of all pairs that match, as estimated.
	Prior float64 `json:"prior"`
	// Defaulted lists the comparisons whose m was set to the documented defaults.
	Defaulted []string `json:"defaulted,omitempty"`
	// Warnings say what looked wrong, by comparison and level, and what was done.
	Warnings []string `json:"warnings,omitempty"`
	// RuleTests say how each cannot-link rule with a MaxMatchShare fared against the
	// roll trained on (Result.RuleTests: against the roll a run linked).
	RuleTests []RuleTest `json:"rule_tests,omitempty"`
}

// TrainingReport returns the report of the linker's last training, or nil when its model
// was loaded or not yet trained.
func (l *Linker) TrainingReport() *TrainingReport { return l.trained }

// minTrainPairs is the fewest candidate pairs EM learns m from; with fewer, m stays at
// the documented defaults and the prior is minPriorRoll's.
const minTrainPairs = 20

// minPriorRoll is the size of roll whose prior (one duplicate a record, 1/N) a roll too
// small to train on is given. A roll of a few records says nothing about how often its
// pairs are one student; its own 1/N (1/2 for two records) would let a shared birth
// date alone join two children.
const minPriorRoll = 1000

// minSampleForU is the fewest sampled pairs u is estimated from; with fewer (a roll of a
// dozen records), u stays at the documented defaults.
const minSampleForU = 200

// Train estimates the model from the prepared roll itself, without labels (see train).
func (l *Linker) Train(ctx context.Context, p *Prepared, opt RunOptions) error {
	if err := l.checkNames(p); err != nil {
		return err
	}
	if err := l.adapt(p); err != nil {
		return err
	}
	blank, err := score.NewModel(l.settings.Comparisons, 0.5)
	if err != nil {
		return err
	}
	c, err := l.compare(ctx, p, &blank, opt)
	if err != nil {
		return err
	}
	return l.train(ctx, p, c, opt)
}

// train estimates the model by EM over every pair of the roll, as if nothing had been
// blocked: the candidate pairs counted exactly and the rest stood for by a random sample
// of them (or counted one by one in a small roll). The non-match class is then the
// roll's strangers and the prior the share of all pairs that match, estimated, so match
// weights are posterior log-odds over the whole roll. Every M step keeps the weights
// ordered as the levels are and holds names and birth dates at agreeing for at least
// half of one person's pairs (identityFloor). A fit that still looks wrong (score.CheckFit) sends the
// comparisons at fault back to their documented default m, and EM runs again with them
// fixed; with too few candidates, every m is at its default and only the prior is
// estimated. Everything done is in the TrainingReport.
func (l *Linker) train(ctx context.Context, p *Prepared, c *candidates, opt RunOptions) error {
	defer func() { c.index = nil }()
	tr := l.settings.Training
	comps := l.settings.Comparisons
	rep := &TrainingReport{Method: "em", CandidatePairs: c.n, AllPairs: c.allPairs}
	if l.noData {
		rep.Warnings = append(rep.Warnings, "no record has a value for any role the comparisons read: nothing can link")
	}
	n := float64(p.Table.Len())
	start, err := score.DefaultModel(comps, min(0.5, max(n/max(c.allPairs, 1), 1e-9)))
	if err != nil {
		return err
	}
	start.TermFrequencies = score.CountTerms(comps, p.Table)
	sample, err := l.sampleStrangers(ctx, p, c, &start, rep)
	if err != nil {
		return err
	}
	start, fixed := l.knownM(start)
	oneChild := l.oneChildClassesOf(p.Table)
	fixed = readClassM(&start, fixed, oneChild, rep)
	emOpt := score.EMOptions{
		FixU: tr.FixU, MaxIterations: tr.MaxIterations, Tolerance: tr.Tolerance, Fixed: fixed, MinExact: identityFloors(comps),
		PseudoU:  minPriorRoll,
		Progress: func(it int, _ float64) { report(opt.Progress, StageTrain, int64(it), 0) },
	}
	if sample.Drawn > 0 && c.allPairs > float64(c.n) {
		emOpt.Background = sample.Patterns
		emOpt.BackgroundScale = (c.allPairs - float64(c.n)) / float64(sample.Drawn)
	}
	if len(emOpt.Background) == 0 && len(c.counts) == 0 {
		// Nothing at all to learn from (a roll of one record): the defaults, and the
		// prior a roll too small to train on gets.
		start.Prior = 1 / max(n, minPriorRoll)
		rep.Method, rep.Prior = "defaults", start.Prior
		rep.Warnings = append(rep.Warnings, "no pairs to train on: every parameter at the documented defaults")
		l.testTrainingRules(c.counts, nil, nil, oneChild, rep)
		l.model, l.trained = &start, rep
		return nil
	}
	// With training sessions, EM's report stands only where no session runs: its m give
	// way to the sessions'.
	emRep := rep
	if len(l.sessions) > 0 {
		emRep = &TrainingReport{Method: rep.Method}
	}
	var m score.Model
	if c.n < minTrainPairs {
		// Too little to train on: the documented defaults, and the prior of a roll of
		// at least minPriorRoll records in which every record has one other of its student.
		emRep.Method = "defaults"
		emRep.Warnings = append(emRep.Warnings, fmt.Sprintf("only %d candidate pairs: m at the documented defaults, the prior 1/%d (as if every record had one duplicate in a roll of at least %d)", c.n, int(max(n, minPriorRoll)), minPriorRoll))
		m = start
		m.Prior = 1 / max(n, minPriorRoll)
		if n < minPriorRoll && m.TermFrequencies != nil {
			// Two "Lee" among three records is not a frequency: a name would count as
			// common for being on the duplicate.
			m.TermFrequencies = nil
			emRep.Warnings = append(emRep.Warnings, fmt.Sprintf("a roll of %d records: names weighed without their frequencies", int(n)))
		}
	} else {
		m, emRep.EM, err = l.fitEM(ctx, c.counts, start, emOpt, emRep)
	}
	if err != nil {
		return err
	}
	if len(l.sessions) > 0 {
		withU := start
		withU.U = sessionU(start.U, m.U, sample)
		sm, ran, err := l.trainSessions(ctx, withU, c.counts, c.allPairs, emOpt)
		if err != nil {
			return err
		}
		if ran {
			m = sm
			rep.Method = "sessions"
		} else {
			// No session had minSessionPairs pairs (a small roll): EM over every
			// candidate pair, which the report's Method says.
			rep.Method, rep.EM = emRep.Method, emRep.EM
			rep.Warnings = append(rep.Warnings, emRep.Warnings...)
			rep.Defaulted = append(rep.Defaulted, emRep.Defaulted...)
		}
	}
	holdInitials(&m, p.Table)
	holdPrior(&m, n, rep)
	rep.Prior = m.Prior
	l.testTrainingRules(c.counts, &m, learntM(comps, c.counts, fixed, rep), oneChild, rep)
	l.model, l.trained = &m, rep
	return nil
}

// holdPrior holds the prior of a roll of fewer than minPriorRoll records at 1/minPriorRoll
// at most, with a warning: from a few dozen pairs EM's estimate is as likely a
// household's or a class's as the students' (0.27 in seven records, 0.89 in eight, where
// a shared given name and birthday then joined two children).
func holdPrior(m *score.Model, n float64, rep *TrainingReport) {
	if n >= minPriorRoll || m.Prior <= 1.0/minPriorRoll {
		return
	}
	rep.Warnings = append(rep.Warnings, fmt.Sprintf("a roll of %d records: the estimated prior %.3g held at 1/%d", int(n), m.Prior, minPriorRoll))
	m.Prior = 1.0 / minPriorRoll
}

// holdInitials holds the weight of a given name's initial level at most at what its
// letter says: one record's given name is an initial as often whether the pair is one
// child or two, so the level's m over u is at most one over the share of strangers whose
// given names share a first letter (about 1/14 in an English roll). EM and the defaults
// otherwise put it beside an exact name, and "S" against "Sofia" outweighed two family
// names that differ.
func holdInitials(m *score.Model, t *normalize.Table) {
	q := firstLetterAgreement(t)
	for c, comp := range m.Comparisons {
		if l := slices.Index(comp.LevelNames(), "initial"); comp.Kind == score.KindGivenName && l >= 0 && q > 0 {
			m.U[c][l] = max(m.U[c][l], m.M[c][l]*q)
		}
	}
}

// firstLetterAgreement is the share of pairs of the roll's given names that begin with
// the same byte, the names drawn at random; 0 for a roll without given names.
func firstLetterAgreement(t *normalize.Table) float64 {
	var counts [256]float64
	var n float64
	for _, g := range t.Given {
		if g.Key != "" {
			counts[g.Key[0]]++
			n++
		}
	}
	var q float64
	for _, k := range counts {
		q += (k / max(n, 1)) * (k / max(n, 1))
	}
	return q
}

// setAsideWithout sets aside, for a run of a loaded model, each rule whose With names a
// comparison the roll has no value for (training dropped such rules from its own roll:
// adapt): a rule for rolls with birth dates where one record's is missing, under a
// model trained on such a roll, would call every pair of a roll without any such a
// pair.
func (l *Linker) setAsideWithout(present map[normalize.Role]bool) {
	var kept []compiledCannotLink
	for _, c := range l.cannot {
		var gone []normalize.Role
		for _, name := range c.with {
			if j := slices.IndexFunc(l.settings.Comparisons, func(x score.Comparison) bool { return x.Name == name }); j >= 0 {
				gone = append(gone, missingRoles(l.settings.Comparisons[j], present)...)
			}
		}
		if len(gone) > 0 {
			l.aside = append(l.aside, Dropped{Kind: "cannot-link rule", Name: c.name, Roles: gone})
			continue
		}
		kept = append(kept, c)
	}
	l.cannot = kept
}

// anchors returns the comparisons whose exact level says one person (those Training.M
// sets, the SSID), sorted.
func (l *Linker) anchors() []int {
	var anchors []int
	for name := range l.settings.Training.M {
		if k := slices.IndexFunc(l.settings.Comparisons, func(c score.Comparison) bool { return c.Name == name }); k >= 0 {
			anchors = append(anchors, k)
		}
	}
	slices.Sort(anchors)
	return anchors
}

// runSettings returns the settings as the last run used them: without the cannot-link
// rules its roll set aside.
func (l *Linker) runSettings() Settings {
	s := l.settings
	if len(l.aside) == 0 {
		return s
	}
	s.CannotLink = slices.DeleteFunc(slices.Clone(s.CannotLink), func(r CannotLink) bool {
		return slices.ContainsFunc(l.aside, func(d Dropped) bool { return d.Name == r.Name })
	})
	return s
}

// nameAgreement is the share of the model's match class, among the candidate pairs with a
// name on both records, whose given or family names agree: the same, a nickname, a part
// of a compound name, or a typo within the first Jaro–Winkler threshold. ok is false
// where no pair has a name on both records (a roll without names).
func nameAgreement(counts score.PatternCounts, m score.Model) (share float64, ok bool) {
	type name struct {
		comp  int
		agree uint32 // level bits
	}
	var names []name
	for c, comp := range m.Comparisons {
		var levels []string
		switch comp.Kind {
		case score.KindGivenName:
			levels = []string{"exact", "nickname"}
		case score.KindFamilyName:
			levels = []string{"exact", "token"}
		default:
			continue
		}
		if len(comp.Thresholds) > 0 {
			levels = append(levels, score.JaroWinklerLevel(comp.Thresholds[0]))
		}
		var bits uint32
		for l, ln := range comp.LevelNames() {
			if slices.Contains(levels, ln) {
				bits |= 1 << l
			}
		}
		names = append(names, name{c, bits})
	}
	var class, agreeing float64
	for key, n := range counts {
		judged, agree := false, false
		for _, nm := range names {
			l := score.LevelOf(key, nm.comp)
			judged = judged || l != score.LevelNull
			agree = agree || nm.agree&(1<<l) != 0
		}
		if !judged {
			continue
		}
		p := score.Probability(m.PatternWeight(key)) * float64(n)
		class += p
		if agree {
			agreeing += p
		}
	}
	if class == 0 {
		return 0, false
	}
	return agreeing / class, true
}

// fitEM runs EM, checks the fit, and reruns with the comparisons at fault fixed at their
// default m (their u as sampled) until the fit passes; when the fault is the whole model,
// every m goes to its default and only the prior is estimated.
func (l *Linker) fitEM(ctx context.Context, counts score.PatternCounts, start score.Model, opt score.EMOptions, rep *TrainingReport) (score.Model, score.EMReport, error) {
	nc := len(start.Comparisons)
	fixed := make([]bool, nc)
	if opt.Fixed != nil {
		copy(fixed, opt.Fixed)
	}
	for round := 0; ; round++ {
		opt.Fixed = fixed
		m, em, err := score.TrainEM(ctx, counts, start, opt)
		if err != nil {
			return score.Model{}, em, fmt.Errorf("match: EM: %w", err)
		}
		pressed, at := 1.0, -1 // the exact level EM pressed hardest against its floor
		for c, b := range em.Bound {
			if b == 0 || !anyExact(counts, c) {
				continue // unbound, or bound on a level no pair reaches (birth years alone)
			}
			if round == 0 {
				rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s exact: EM would put m at %.3g, under %.2g, as if its class were not the person: held at %.2g",
					start.Comparisons[c].Name, b, opt.MinExact[c], opt.MinExact[c]))
			}
			if b < pressed {
				pressed, at = b, c
			}
		}
		if why := notTheStudent(pressed, em); why != "" {
			// One class serves every comparison: where it is not the person for one, it is
			// not for any.
			return defaultsAndPrior(ctx, counts, start, opt, fixed, rep,
				fmt.Sprintf("EM's class agrees exactly on %s in %.3g of its pairs%s: not the student", start.Comparisons[at].Name, pressed, why))
		}
		if share, ok := householdShare(counts, m); ok && share > maxHouseholdShare {
			return defaultsAndPrior(ctx, counts, start, opt, fixed, rep,
				fmt.Sprintf("EM's class differs outright on both the given name and the birth date in %.3g of its pairs, over %.2g: a household, not the student", share, maxHouseholdShare))
		}
		if matches := m.Prior * em.Pairs; matches < minTrainPairs {
			// A handful of pairs of one student cannot say how often a level holds for
			// them: EM would give a level seen on three of them +19 bits.
			return defaultsAndPrior(ctx, counts, start, opt, fixed, rep,
				fmt.Sprintf("EM found %.1f pairs of one student, fewer than %d", matches, minTrainPairs))
		}
		if share, ok := nameAgreement(counts, m); ok && share < minNameAgreement {
			return defaultsAndPrior(ctx, counts, start, opt, fixed, rep,
				fmt.Sprintf("EM's class agrees on a given or family name in %.3g of its pairs, under %.2g: not the student", share, minNameAgreement))
		}
		warnings := score.CheckFit(m)
		if len(warnings) == 0 {
			return m, em, nil
		}
		whole := false
		for _, w := range warnings {
			rep.Warnings = append(rep.Warnings, w.String())
			if w.Comparison == "" {
				whole = true
				continue
			}
			k := slices.IndexFunc(start.Comparisons, func(c score.Comparison) bool { return c.Name == w.Comparison })
			if k >= 0 && !fixed[k] {
				fixed[k] = true
				setDefaultM(&start, k)
				rep.Defaulted = append(rep.Defaulted, w.Comparison)
				rep.Warnings = append(rep.Warnings, w.Comparison+": m set to the documented defaults")
			}
		}
		if whole || round == nc || !slices.Contains(fixed, false) {
			return defaultsAndPrior(ctx, counts, start, opt, fixed, rep, "")
		}
	}
}

// notTheStudent says why EM's class is not the student ("" if it may be), from the least
// share of its pairs agreeing exactly on a name or the birth date where EM pressed that
// share against identityFloor (pressed; 1 if nowhere) and from where its pairs lie. Records
// of one student agree on each far more often than strangers do: the suite's most damaged
// sets (febrl-dsgen C) still at 23–36%, where a class of strangers who share a given name
// and a sex agrees on the birth date in 3–21% (synthetic state rolls without SSIDs) and two
// lists of different people on their names in under 7% (census). Under strangersExact the
// class is strangers whatever else holds; under half the floor it is where it also lies
// largely outside the candidate pairs, which blocking is built to find nearly all of a
// student's pairs among (the suite's sets put 0–29% of their class outside, the synthetic
// rolls without SSIDs 31–93%).
func notTheStudent(pressed float64, em score.EMReport) string {
	outside := (em.Matches - em.CandidateMatches) / max(em.Matches, 1)
	switch {
	case pressed < strangersExact:
		return fmt.Sprintf(", under %.2g", strangersExact)
	case pressed < identityFloor/2 && outside > maxMissedShare:
		return fmt.Sprintf(", under %.2g, and %.0f%% of them lie outside the candidate pairs blocking found (over %.0f%%)", identityFloor/2, 100*outside, 100*maxMissedShare)
	}
	return ""
}

// strangersExact is the share of a class's pairs agreeing exactly on a name or the birth
// date under which the class is not the person (notTheStudent).
const strangersExact = 0.1

// maxMissedShare is the share of EM's class outside the candidate pairs over which a
// class pressed under half the identity floor is not the person (notTheStudent).
const maxMissedShare = 0.25

// setDefaultM sets comparison k's m to the documented defaults, ordered as its levels.
func setDefaultM(m *score.Model, k int) {
	m.M[k], _ = score.DefaultParameters(m.Comparisons[k])
	score.OrderLevels(m.M[k], m.U[k])
}

// defaultsAndPrior sets every m not fixed (known from Training.M, or defaulted already)
// to the documented defaults and estimates the prior alone, saying why in the report.
func defaultsAndPrior(ctx context.Context, counts score.PatternCounts, start score.Model, opt score.EMOptions, fixed []bool, rep *TrainingReport, why string) (score.Model, score.EMReport, error) {
	rep.Method = "defaults"
	if why != "" {
		why += ": "
	}
	rep.Warnings = append(rep.Warnings, why+"every m set to the documented defaults; only the prior estimated")
	for k := range start.Comparisons {
		if !fixed[k] {
			setDefaultM(&start, k)
		}
	}
	m, em, err := priorOnly(ctx, counts, start, opt)
	if err != nil {
		return m, em, err
	}
	records := (1 + math.Sqrt(1+8*em.Pairs)) / 2
	if m.Prior*em.Pairs < 1 {
		// Not one pair of the roll one student: the defaults fit no pair the roll has
		// (a roll of names and places alone, whose pairs the defaults weigh as
		// strangers'), and at such a prior nothing would ever link.
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("the estimated prior %.3g expects no pair of the roll's %.0f to be one student: the prior is 1/%d instead (one duplicate a record)", m.Prior, em.Pairs, int(max(records, minPriorRoll))))
		m.Prior = 1 / max(records, minPriorRoll)
	} else if share, ok := nameAgreement(counts, m); ok && share < minNameAgreement {
		// Pairs that share no name, each a little likelier one child than two under the
		// defaults (a birthday and a street), would all be one child at the prior that
		// best explains them: a roll of a few look-alikes says nothing of its prior.
		m.Prior = 1 / max(records, minPriorRoll)
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("at the prior that fits the roll best (every pair one student), the match class agrees on a given or family name in %.3g of its pairs: the prior is 1/%d instead", share, int(max(records, minPriorRoll))))
	}
	return m, em, nil
}

// minNameAgreement is the least share of EM's class whose given or family names agree
// (nameAgreement): the records of one student agree on a name far more often (the
// suite's most damaged set, febrl-dsgen C, 0.76; every other 0.93–1.0), a class of
// look-alikes who share a birthday and a street never does.
const minNameAgreement = identityFloor / 2

// maxIdentifyingU is the most u of the exact level of a name, birth date or ID that a
// sample of different people can give.
const maxIdentifyingU = 0.5

// identifying reports whether a comparison tells people apart: names, birth dates, IDs.
func identifying(c score.Comparison) bool {
	switch c.Kind {
	case score.KindGivenName, score.KindFamilyName, score.KindBirthDate, score.KindID:
		return true
	}
	return false
}

// identityFloor is the least share of one person's pairs that agree exactly on a name or
// the birth date: below it, EM's class is not the person (a household shares a family
// name and an address, not a given name or a birth date).
const identityFloor = 0.5

// identityFloors returns the bound on the exact level of each comparison: identityFloor
// for names and birth dates, none for the rest.
func identityFloors(comps []score.Comparison) []float64 {
	out := make([]float64, len(comps))
	for c, comp := range comps {
		switch comp.Kind {
		case score.KindGivenName, score.KindFamilyName, score.KindBirthDate:
			out[c] = identityFloor
		}
	}
	return out
}

// anyExact reports whether any of the pairs counted agrees exactly on comparison c: in a
// roll of birth years alone none agrees on the day, and a class that never does says
// nothing.
func anyExact(counts score.PatternCounts, c int) bool {
	for key := range counts {
		if score.LevelOf(key, c) == score.LevelExact {
			return true
		}
	}
	return false
}

// priorOnly estimates the prior alone, m and u kept.
func priorOnly(ctx context.Context, counts score.PatternCounts, start score.Model, opt score.EMOptions) (score.Model, score.EMReport, error) {
	opt.FixM, opt.FixU, opt.Fixed = true, true, nil
	m, em, err := score.TrainEM(ctx, counts, start, opt)
	if err != nil {
		return score.Model{}, em, fmt.Errorf("match: EM, prior: %w", err)
	}
	return m, em, nil
}

// knownM returns start with the m of Training.M set, and which comparisons it set.
func (l *Linker) knownM(start score.Model) (score.Model, []bool) {
	known := l.settings.Training.M
	if len(known) == 0 {
		return start, nil
	}
	fixed := make([]bool, len(start.Comparisons))
	start.M = slices.Clone(start.M)
	for c, comp := range start.Comparisons {
		levels, ok := known[comp.Name]
		if !ok {
			continue
		}
		names := comp.LevelNames()
		m := make([]float64, len(names))
		rest, unset := 1.0, 0
		for k := 1; k < len(names); k++ {
			if p, ok := levels[names[k]]; ok {
				m[k] = p
				rest -= p
			} else {
				unset++
			}
		}
		for k := 1; k < len(names); k++ {
			if _, ok := levels[names[k]]; !ok {
				m[k] = max(rest, 1e-6) / float64(unset)
			}
		}
		score.OrderLevels(m, start.U[c])
		start.M[c], fixed[c] = m, true
	}
	return start, fixed
}

// sampleStrangers counts the comparison vectors of the pairs blocking left out (a random
// sample of them, or every one in a small roll) and sets start's u from them, but where
// the sample is too small or most of it agrees on an identifier (the same row many times),
// which the report says.
func (l *Linker) sampleStrangers(ctx context.Context, p *Prepared, c *candidates, start *score.Model, rep *TrainingReport) (score.Sample, error) {
	tr := l.settings.Training
	comps := start.Comparisons
	sc, err := p.scorerFor(*start)
	if err != nil {
		return score.Sample{}, err
	}
	var sources []int32
	if l.settings.Mode == ModeLink {
		sources = p.Roll.Source
	}
	sample, err := score.SamplePatterns(ctx, sc, score.UOptions{
		Pairs: tr.UPairs, Seed: tr.Seed, Sources: sources, Order: byRank(p.Rank),
		Exclude: func(i, j int) bool { return c.index.Candidate(int32(i), int32(j)) },
	})
	if err != nil {
		return score.Sample{}, fmt.Errorf("match: sampling pairs: %w", err)
	}
	rep.SampledPairs, rep.Exhaustive = sample.Drawn, sample.Exhaustive
	if sample.Drawn < minSampleForU {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("only %d pairs outside the candidates to learn u from: u at the documented defaults", sample.Drawn))
		return sample, nil
	}
	sampled := score.UFromSample(len(comps), func(k int) int { return len(start.U[k]) }, sample.Raw)
	// Strangers agree on an identifier rarely; when most random pairs agree on every
	// one, the roll is not one of different people and the sample cannot say what u is.
	// Where they agree on one and not on another, the roll holds different people who
	// all carry one value (a column an export filled with one name): agreeing on it is
	// no evidence, as its u says.
	many := false
	for k, comp := range comps {
		many = many || identifying(comp) && sampled[k][score.LevelExact] <= maxIdentifyingU
	}
	for k, comp := range comps {
		if identifying(comp) && sampled[k][score.LevelExact] > maxIdentifyingU {
			if !many {
				rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s exact: %.2f of random pairs agree, as if the roll held few people: u at the documented defaults",
					comp.Name, sampled[k][score.LevelExact]))
				continue
			}
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s exact: %.2f of random pairs agree, where they seldom agree on another identifier: one value nearly every record carries, no evidence",
				comp.Name, sampled[k][score.LevelExact]))
		}
		start.U[k] = sampled[k]
	}
	for k := range start.M {
		score.OrderLevels(start.M[k], start.U[k])
	}
	return sample, nil
}

// sessionU is the u training sessions hold fixed: the strangers' sample's (sampled), but
// where no sampled pair reached a level, EM's estimate over every pair (em) when higher.
// An agreement the sample never saw sits at its floor of half a pair, too rare where the
// candidates hold siblings who share it: an address at 20,000 records, 1.25e-6 sampled
// and 2.3e-5 by EM (+18.3 bits against +14.1), linked twins whose names were swapped.
func sessionU(sampled, em [][]float64, sample score.Sample) [][]float64 {
	out := make([][]float64, len(sampled))
	for c := range sampled {
		out[c] = slices.Clone(sampled[c])
		if sample.Drawn < minSampleForU {
			continue // u at the documented defaults, not sampled
		}
		counts := score.LevelCounts(c, len(out[c]), sample.Raw)
		total := 0.0
		for l := 1; l < len(out[c]); l++ {
			if counts[l] == 0 && em[c][l] > out[c][l] {
				out[c][l] = em[c][l]
			}
			total += out[c][l]
		}
		for l := 1; l < len(out[c]); l++ {
			out[c][l] /= total
		}
	}
	return out
}

// minSessionPairs is the fewest candidate pairs a training session runs on: a level
// that one child's records reach once in a hundred pairs (a birth date's digit
// mistyped, a nickname) is seen about ten times in a thousand. On a roll of a few
// hundred students, where a session holds fewer, EM over every candidate pair does
// better (a session's dates all agreeing put one that differs at -20 bits).
const minSessionPairs = 1000

// sessionPseudoM is how many pairs at the documented default m a session's estimate
// starts from, so that a level no pair of the session reached is unlikely, not
// impossible.
const sessionPseudoM = 20

// trainSessions estimates m session by session, as Splink does: each session takes the
// candidate pairs that meet its conditions (an SSID in common; a given name and birth
// date in common …), leaves the comparisons of those conditions out — they agree by
// construction there — and estimates the others' m by EM with u fixed as start has it
// (train passes sessionU). A comparison's m is the mean over the sessions that estimated it. Last, the
// prior is estimated over all pairs with m and u fixed. ran is false, and m unset, when
// no session had minSessionPairs pairs: the caller trains otherwise.
func (l *Linker) trainSessions(ctx context.Context, start score.Model, counts score.PatternCounts, allPairs float64, opt score.EMOptions) (m score.Model, ran bool, err error) {
	nc := len(start.Comparisons)
	sum := make([][]float64, nc)
	runs := make([]int, nc)
	opt.FixU = true
	background, scale := opt.Background, opt.BackgroundScale
	opt.Background, opt.BackgroundScale = nil, 0
	sessionStart := start
	sessionStart.Prior = 0.5
	opt.PseudoM = sessionPseudoM
	for _, s := range l.sessions {
		sel := score.PatternCounts{}
		for k, n := range counts {
			if s.holdsKey(k) {
				sel[k] += n
			}
		}
		if sel.Total() < minSessionPairs {
			continue
		}
		opt.Ignore = make([]bool, nc)
		for _, c := range s.conds {
			opt.Ignore[c.comp] = true
		}
		m, _, err := score.TrainEM(ctx, sel, sessionStart, opt)
		if err != nil {
			return score.Model{}, false, fmt.Errorf("match: EM session %q: %w", s.name, err)
		}
		ran = true
		for c := range nc {
			if opt.Ignore[c] {
				continue
			}
			if sum[c] == nil {
				sum[c] = make([]float64, len(m.M[c]))
			}
			for k, v := range m.M[c] {
				sum[c][k] += v
			}
			runs[c]++
		}
	}
	out := start
	out.M = make([][]float64, nc)
	for c := range nc {
		out.M[c] = slices.Clone(start.M[c])
		if runs[c] > 0 {
			for k := range sum[c] {
				out.M[c][k] = sum[c][k] / float64(runs[c])
			}
		}
	}
	if !ran {
		return score.Model{}, false, nil
	}
	opt.Ignore = nil
	opt.Background, opt.BackgroundScale, opt.AllPairs = background, scale, allPairs
	m, _, err = priorOnly(ctx, counts, out, opt)
	return m, true, err
}
