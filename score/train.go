package score

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/studentlink/studentlink/normalize"
)

// UOptions configure EstimateU.
type UOptions struct {
	// Pairs is the number of random record pairs to draw (default 1,000,000), in 8 shares
	// drawn in parallel, each with its own generator seeded from Seed.
	Pairs int
	// Seed makes the draw reproducible.
	Seed uint64
	// Sources, when set, gives each record's source; only pairs from different sources
	// are drawn (linking, where pairs within a source are never compared).
	Sources []int32
	// Order, when set, lists the records in a canonical order (by record ID, say); draws
	// index into it, so that the same records give the same sample whatever their order
	// in the table.
	Order []int32
	// Prior is the starting prior of the returned model (default 0.1).
	Prior float64
	// Scorer, when set, is a scorer of t with any model whose compact copy of t
	// EstimateU reuses (see Scorer.WithModel) instead of making its own.
	Scorer *Scorer
	// Exclude, when set, leaves out the pairs it reports (the candidate pairs, when the
	// sample stands for the pairs blocking did not choose).
	Exclude func(i, j int) bool
}

// Sample is the comparison vectors of pairs drawn from a table.
type Sample struct {
	Patterns PatternCounts
	// Raw counts the same pairs' vectors before the requirements (Scorer.RawKey): how
	// often strangers reach a level by chance, which is its u wherever the requirement
	// holds (strangers' SSIDs a digit apart are as common among namesakes as among any
	// two children, and common where a state issues its numbers densely).
	Raw PatternCounts
	// Drawn is the number of pairs counted; Exhaustive says they are every eligible pair
	// rather than a random draw.
	Drawn      int64
	Exhaustive bool
}

// EstimateU returns a starting model for the comparisons on table t: u of every level
// estimated from random pairs of records (almost all of which do not match), default m,
// and term frequencies counted over t.
func EstimateU(ctx context.Context, comps []Comparison, t *normalize.Table, opt UOptions) (Model, error) {
	prior := opt.Prior
	if prior == 0 {
		prior = 0.1
	}
	m, err := NewModel(comps, prior)
	if err != nil {
		return Model{}, err
	}
	m.TermFrequencies = CountTerms(comps, t)
	if t.Len() < 2 {
		return m, nil
	}
	var s *Scorer
	if opt.Scorer != nil && opt.Scorer.a == t && opt.Scorer.b == t {
		s, err = opt.Scorer.WithModel(m)
	} else {
		s, err = m.Scorer(t, t)
	}
	if err != nil {
		return Model{}, err
	}
	sample, err := SamplePatterns(ctx, s, opt)
	if err != nil {
		return Model{}, err
	}
	m.U = UFromSample(len(m.U), func(c int) int { return len(m.U[c]) }, sample.Raw)
	return m, nil
}

// SamplePatterns counts the comparison vectors of opt.Pairs (default 1,000,000) random
// pairs of the scorer's table, in 8 shares drawn in parallel, each with its own generator
// seeded from opt.Seed, so that the count does not depend on scheduling. When the table
// has no more eligible pairs than that (pairs across sources when opt.Sources is set, not
// excluded by opt.Exclude), it counts every one of them instead.
func SamplePatterns(ctx context.Context, s *Scorer, opt UOptions) (Sample, error) {
	t := s.b
	n := t.Len()
	if s.a != t {
		return Sample{}, errors.New("score: sampling pairs needs a scorer of one table against itself")
	}
	if opt.Sources != nil && len(opt.Sources) != n {
		return Sample{}, fmt.Errorf("score: %d sources for %d records", len(opt.Sources), n)
	}
	if opt.Order != nil && len(opt.Order) != n {
		return Sample{}, fmt.Errorf("score: order of %d records for %d records", len(opt.Order), n)
	}
	pairs := opt.Pairs
	if pairs <= 0 {
		pairs = 1_000_000
	}
	if n < 2 {
		return Sample{Patterns: PatternCounts{}, Raw: PatternCounts{}, Exhaustive: true}, nil
	}
	if float64(n)*float64(n-1)/2 <= float64(pairs) {
		return allPatterns(ctx, s, opt)
	}
	const shares = 8
	perShare := make([]PatternCounts, shares)
	drawn := make([]int64, shares)
	var wg sync.WaitGroup
	var cancelled atomic.Bool
	var nextShare atomic.Int32
	for range min(runtime.GOMAXPROCS(0), shares) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				w := int(nextShare.Add(1)) - 1
				if w >= shares {
					return
				}
				share := pairs / shares
				if w < pairs%shares {
					share++
				}
				perShare[w], drawn[w] = drawShare(ctx, s, opt, n, w, share)
				if perShare[w] == nil {
					cancelled.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	if cancelled.Load() {
		return Sample{}, ctx.Err()
	}
	out := Sample{Raw: PatternCounts{}}
	for w := range perShare {
		out.Raw.Merge(perShare[w])
		out.Drawn += drawn[w]
	}
	return out.required(s), nil
}

// required fills Patterns from Raw: each raw vector with the requirements applied.
func (out Sample) required(s *Scorer) Sample {
	out.Patterns = PatternCounts{}
	for k, n := range out.Raw {
		out.Patterns[s.Require(k)] += n
	}
	return out
}

// drawShare draws share random pairs with generator w and counts their comparison
// vectors before the requirements (RawKey). It returns nil when ctx is cancelled.
func drawShare(ctx context.Context, s *Scorer, opt UOptions, n, w, share int) (PatternCounts, int64) {
	counts := PatternCounts{}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5eed+uint64(w)))
	drawn := 0
	for tries := 0; drawn < share && tries < 4*share; tries++ {
		if tries%65536 == 0 && ctx.Err() != nil {
			return nil, 0
		}
		i, j := rng.IntN(n), rng.IntN(n)
		if opt.Order != nil {
			i, j = int(opt.Order[i]), int(opt.Order[j])
		}
		if i == j || (opt.Sources != nil && opt.Sources[i] == opt.Sources[j]) || (opt.Exclude != nil && opt.Exclude(i, j)) {
			continue
		}
		drawn++
		counts[s.RawKey(i, j)]++
	}
	return counts, int64(drawn)
}

// allPatterns counts the comparison vectors of every eligible pair, rows shared out among
// the cores.
func allPatterns(ctx context.Context, s *Scorer, opt UOptions) (Sample, error) {
	n := s.b.Len()
	workers := runtime.GOMAXPROCS(0)
	perWorker := make([]PatternCounts, workers)
	drawn := make([]int64, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		perWorker[w] = PatternCounts{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				for j := i + 1; j < n; j++ {
					if (opt.Sources != nil && opt.Sources[i] == opt.Sources[j]) || (opt.Exclude != nil && opt.Exclude(i, j)) {
						continue
					}
					perWorker[w][s.RawKey(i, j)]++
					drawn[w]++
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Sample{}, err
	}
	out := Sample{Raw: PatternCounts{}, Exhaustive: true}
	for w := range perWorker {
		out.Raw.Merge(perWorker[w])
		out.Drawn += drawn[w]
	}
	return out.required(s), nil
}

// UFromSample returns each comparison's level probabilities among the sampled pairs,
// with half a pair added to every level (the null level excepted) so that none is 0.
func UFromSample(comps int, levels func(c int) int, patterns PatternCounts) [][]float64 {
	out := make([][]float64, comps)
	for c := range out {
		out[c] = smoothed(LevelCounts(c, levels(c), patterns))
	}
	return out
}

// LevelCounts returns how many of the pairs counted in patterns reach each of the levels
// of comparison c (index 0, null, included), of which it has levels.
func LevelCounts(c, levels int, patterns PatternCounts) []float64 {
	counts := make([]float64, levels)
	for k, n := range patterns {
		if l := int(LevelOf(k, c)); l < len(counts) {
			counts[l] += float64(n)
		}
	}
	return counts
}

// smoothed turns level counts (index 0, null, ignored) into probabilities, with half a
// pair added to every level so that no level has probability 0.
func smoothed(counts []float64) []float64 {
	p := make([]float64, len(counts))
	total := 0.0
	for l := 1; l < len(counts); l++ {
		total += counts[l] + 0.5
	}
	for l := 1; l < len(counts); l++ {
		p[l] = (counts[l] + 0.5) / total
	}
	return p
}

// CountTerms counts, for each comparison with TermFrequency set, the values it reads in
// t; other comparisons get nil. A given or family name that the other name field writes
// far more often is counted as common as it is there (see nameAsCommonAsAnywhere).
func CountTerms(comps []Comparison, t *normalize.Table) []*TermFrequencies {
	out := make([]*TermFrequencies, len(comps))
	byKind := map[Kind]*TermFrequencies{}
	for c, comp := range comps {
		if !comp.TermFrequency {
			continue
		}
		k, err := compile(comp)
		if err != nil {
			continue
		}
		get := tfAccessor(k)
		tf := &TermFrequencies{Counts: map[string]int64{}}
		for i := range t.Len() {
			if v := get(t, i); v != "" {
				tf.Counts[v]++
				tf.Total++
			}
		}
		out[c] = tf
		byKind[k.Kind] = tf
	}
	if given, family := byKind[KindGivenName], byKind[KindFamilyName]; given != nil && family != nil {
		g, f := nameAsCommonAsAnywhere(given, family), nameAsCommonAsAnywhere(family, given)
		*given, *family = *g, *f
	}
	return out
}

// swappedNameFactor is how many times as often the other name field must write a value
// for nameAsCommonAsAnywhere to take it for a swapped record's: a name common in both
// fields (Thomas) is one of each, and its own field's count stands.
const swappedNameFactor = 10

// nameAsCommonAsAnywhere returns the counts of one name field (tf) with each value that
// the other field (other) writes at least swappedNameFactor times as often, scaled to
// tf's total, counted as common as it is there. A record whose given and family names
// were swapped carries "Jones" as a given name, rare there; two children's swapped
// records agreeing on it agree on a common family name, and weighed by its rarity as a
// given name they had joined two Benjamin Joneses born months apart.
func nameAsCommonAsAnywhere(tf, other *TermFrequencies) *TermFrequencies {
	out := &TermFrequencies{Total: tf.Total, Counts: make(map[string]int64, len(tf.Counts))}
	for v, n := range tf.Counts {
		if other.Total > 0 {
			if o := int64(math.Round(float64(other.Counts[v]) * float64(tf.Total) / float64(other.Total))); o >= swappedNameFactor*n {
				n = o
			}
		}
		out.Counts[v] = n
	}
	return out
}

// PatternCounts counts pairs by comparison vector (packed as Scorer.Key packs it).
type PatternCounts map[uint64]int64

// Merge adds o's counts.
func (p PatternCounts) Merge(o PatternCounts) {
	for k, n := range o {
		p[k] += n
	}
}

// Total returns the number of pairs counted.
func (p PatternCounts) Total() int64 {
	var n int64
	for _, c := range p {
		n += c
	}
	return n
}

// EMOptions configure TrainEM.
type EMOptions struct {
	// FixU keeps u as in the starting model; otherwise u is re-estimated too. FixM keeps
	// m; with both, EM estimates the prior alone.
	FixU, FixM bool
	// MaxIterations caps the iterations (default 100).
	MaxIterations int
	// Tolerance stops EM when no parameter moves more than it (default 1e-5).
	Tolerance float64
	// Ignore, by comparison index, leaves a comparison out of EM: it adds no evidence and
	// keeps its start m and u. Nil means none. A training session on pairs that agree on
	// some comparisons by construction (Splink's sessions) ignores those.
	Ignore []bool
	// Fixed, by comparison index, keeps a comparison's start m and u while using them as
	// evidence: m set from what is known (how often an SSID is mistyped) rather than
	// learnt.
	Fixed []bool
	// AllPairs, when positive, is the number of pairs the candidates were drawn from: the
	// prior becomes the share of all pairs that match, taking the pairs blocking left out
	// as non-matches, as it must be when u comes from random pairs.
	AllPairs float64
	// Background holds the comparison vectors of a sample of the pairs blocking left out,
	// each standing for BackgroundScale pairs. With it EM runs over every pair of the
	// roll, as if nothing had been blocked: the non-match class is then the roll's
	// strangers, not the near misses blocking chose, and the prior is the share of all
	// pairs that match.
	Background      PatternCounts
	BackgroundScale float64
	// MinExact, by comparison index, is the least m of the exact level (0: none): a
	// bound from what the comparison means, such as "most records of one person agree on
	// the birth date", that keeps EM from settling on a class other than the person (a
	// household shares a family name and an address, not a birth date). Where the bound
	// holds EM at it, the report's Bound lists the comparison.
	MinExact []float64
	// Progress, when set, is called after each iteration.
	Progress func(iteration int, maxChange float64)
	// Unordered lets fuzzier levels outweigh stronger ones. By default every M step keeps
	// each comparison's weights ordered as its levels are (see OrderLevels).
	Unordered bool
	// PseudoM and PseudoU weigh the start model's m and u as that many pairs of each
	// class seen before the data (a Dirichlet prior; 0: none). A roll of a few dozen
	// records holds a handful of matches: alone, they put a level's u at 10^-8 and its
	// weight at +19 bits on no more evidence than a few pairs. On a large roll the
	// pseudo-pairs vanish among the real ones.
	PseudoM, PseudoU float64
}

// EMReport says how training went. Converged is false when EM stopped at the iteration
// cap.
type EMReport struct {
	Iterations int
	Converged  bool
	// MaxChange is the largest parameter change of the last iteration.
	MaxChange float64
	// LogLikelihood is the data's log-likelihood under the model of the last E step.
	LogLikelihood float64
	// Pairs is the number of pairs EM ran over (candidates and background).
	Pairs float64
	// Matches is the number of pairs EM's match class holds in the last E step, and
	// CandidateMatches how many of them are candidate pairs (not background): a class
	// mostly outside the candidates is not the person blocking was built to find.
	Matches, CandidateMatches float64
	// Bound lists, by comparison index, the m EM would have given the exact level where
	// EMOptions.MinExact held it at its bound in the last iteration, else 0.
	Bound []float64
}

// pattern is a distinct comparison vector with its count, and how many of those pairs are
// candidates rather than background.
type pattern struct {
	levels     []uint8
	count      float64
	candidates float64
}

// TrainEM estimates the prior, m and (unless opt.FixU) u by expectation–maximisation over
// the distinct comparison vectors of the candidate pairs and their counts, from the start
// model. Null levels carry no information and are skipped. The term frequencies of start
// are kept.
func TrainEM(ctx context.Context, counts PatternCounts, start Model, opt EMOptions) (Model, EMReport, error) {
	if err := start.Validate(); err != nil {
		return Model{}, EMReport{}, err
	}
	if len(counts) == 0 && len(opt.Background) == 0 {
		return Model{}, EMReport{}, errors.New("score: EM needs at least one candidate pair")
	}
	maxIter := opt.MaxIterations
	if maxIter <= 0 {
		maxIter = 100
	}
	tol := opt.Tolerance
	if tol <= 0 {
		tol = 1e-5
	}
	nc := len(start.Comparisons)
	if (opt.Ignore != nil && len(opt.Ignore) != nc) || (opt.Fixed != nil && len(opt.Fixed) != nc) || (opt.MinExact != nil && len(opt.MinExact) != nc) {
		return Model{}, EMReport{}, fmt.Errorf("score: EM options ignore %d and fix %d comparisons of a model of %d", len(opt.Ignore), len(opt.Fixed), nc)
	}
	ignored := func(c int) bool { return opt.Ignore != nil && opt.Ignore[c] }
	fixed := func(c int) bool { return ignored(c) || (opt.Fixed != nil && opt.Fixed[c]) }
	weights := make(map[uint64]float64, len(counts)+len(opt.Background))
	for k, n := range counts {
		weights[k] += float64(n)
	}
	if opt.BackgroundScale > 0 {
		for k, n := range opt.Background {
			weights[k] += float64(n) * opt.BackgroundScale
		}
	}
	pats := make([]pattern, 0, len(weights))
	keys := make([]uint64, 0, len(weights))
	for k := range weights {
		keys = append(keys, k)
	}
	slices.Sort(keys) // a fixed order makes the floating-point sums reproducible
	for _, k := range keys {
		p := pattern{levels: make([]uint8, nc), count: weights[k], candidates: float64(counts[k])}
		for c := range nc {
			p.levels[c] = LevelOf(k, c)
			if int(p.levels[c]) >= len(start.M[c]) {
				return Model{}, EMReport{}, fmt.Errorf("score: pattern %x has level %d for comparison %q, which has %d levels",
					k, p.levels[c], start.Comparisons[c].Name, len(start.M[c]))
			}
		}
		pats = append(pats, p)
	}
	m := cloneModel(start)
	var rep EMReport
	newM := make([][]float64, nc)
	newU := make([][]float64, nc)
	for c := range nc {
		newM[c] = make([]float64, len(m.M[c]))
		newU[c] = make([]float64, len(m.U[c]))
	}
	for rep.Iterations < maxIter {
		if err := ctx.Err(); err != nil {
			return Model{}, rep, err
		}
		rep.Iterations++
		for c := range nc {
			clear(newM[c])
			clear(newU[c])
		}
		var matched, candMatched, total, loglik float64
		for _, p := range pats {
			// Posterior that the pattern is a match, from the log-likelihoods of the two
			// classes.
			lm, lu := math.Log(m.Prior), math.Log1p(-m.Prior)
			for c, l := range p.levels {
				if l != LevelNull && !ignored(c) {
					lm += math.Log(math.Max(m.M[c][l], minProbability))
					lu += math.Log(math.Max(m.U[c][l], minProbability))
				}
			}
			g := 1 / (1 + math.Exp(lu-lm))
			loglik += p.count * (max(lm, lu) + math.Log1p(math.Exp(-math.Abs(lm-lu))))
			wm, wu := p.count*g, p.count*(1-g)
			matched += wm
			candMatched += p.candidates * g
			total += p.count
			for c, l := range p.levels {
				if l != LevelNull {
					newM[c][l] += wm
					newU[c][l] += wu
				}
			}
		}
		change := 0.0
		move := func(dst, sums, prior []float64, pseudo float64) {
			t := pseudo
			for l := 1; l < len(sums); l++ {
				t += sums[l]
			}
			if t == 0 {
				return
			}
			for l := 1; l < len(sums); l++ {
				dst[l] = (sums[l] + pseudo*prior[l]) / t
			}
		}
		for c := range nc {
			if fixed(c) {
				continue
			}
			oldM, oldU := slices.Clone(m.M[c]), slices.Clone(m.U[c])
			// The change is measured after the bounds and the order are kept: an M step
			// that leaves its bounds would otherwise count as movement for ever.
			if !opt.FixM {
				move(m.M[c], newM[c], start.M[c], opt.PseudoM)
			}
			if !opt.FixU {
				move(m.U[c], newU[c], start.U[c], opt.PseudoU)
			}
			floor := 0.0
			if opt.MinExact != nil {
				floor = opt.MinExact[c]
			}
			if rep.Bound == nil {
				rep.Bound = make([]float64, nc)
			}
			rep.Bound[c] = 0
			if m.M[c][LevelExact] < floor {
				rep.Bound[c] = max(m.M[c][LevelExact], minProbability) // never 0, which says unbound
			}
			for range 2 {
				liftExact(m.M[c], floor)
				if !opt.Unordered {
					OrderLevels(m.M[c], m.U[c])
				}
			}
			for l := 1; l < len(oldM); l++ {
				change = math.Max(change, math.Max(math.Abs(m.M[c][l]-oldM[l]), math.Abs(m.U[c][l]-oldU[l])))
			}
		}
		if opt.AllPairs > total {
			total = opt.AllPairs
		}
		prior := math.Min(math.Max(matched/total, 1e-12), 1-1e-9)
		change = math.Max(change, math.Abs(prior-m.Prior)/m.Prior) // relative: the prior may be tiny
		m.Prior = prior
		rep.MaxChange, rep.LogLikelihood, rep.Pairs = change, loglik, total
		rep.Matches, rep.CandidateMatches = matched, candMatched
		if opt.Progress != nil {
			opt.Progress(rep.Iterations, change)
		}
		if change < tol {
			rep.Converged = true
			break
		}
	}
	return m, rep, nil
}

// liftExact raises m's exact level to floor, scaling the other levels down to keep the
// sum: the most likely m under the bound.
func liftExact(m []float64, floor float64) {
	x := m[LevelExact]
	if x >= floor || x >= 1 {
		return
	}
	scale := (1 - floor) / (1 - x)
	for l := LevelExact + 1; l < len(m); l++ {
		m[l] *= scale
	}
	m[LevelExact] = floor
}

func cloneModel(m Model) Model {
	out := m
	out.Comparisons = slices.Clone(m.Comparisons)
	out.M = make([][]float64, len(m.M))
	out.U = make([][]float64, len(m.U))
	for c := range m.M {
		out.M[c] = slices.Clone(m.M[c])
		out.U[c] = slices.Clone(m.U[c])
	}
	out.TermFrequencies = slices.Clone(m.TermFrequencies)
	return out
}

// TrainLabelled estimates m from the comparison vectors of pairs known to match and u
// from pairs known not to, and the prior from their proportion (or keeps start's prior
// when keepPrior is set, since labelled samples are rarely drawn at the true rate).
func TrainLabelled(start Model, matches, nonMatches PatternCounts, keepPrior bool) (Model, error) {
	if err := start.Validate(); err != nil {
		return Model{}, err
	}
	if len(matches) == 0 || len(nonMatches) == 0 {
		return Model{}, errors.New("score: labelled training needs both matching and non-matching pairs")
	}
	m := cloneModel(start)
	estimate := func(counts PatternCounts, dst [][]float64) {
		for c := range dst {
			sums := make([]float64, len(dst[c]))
			for k, n := range counts {
				if l := LevelOf(k, c); int(l) < len(sums) {
					sums[l] += float64(n)
				}
			}
			dst[c] = smoothed(sums)
		}
	}
	estimate(matches, m.M)
	estimate(nonMatches, m.U)
	if !keepPrior {
		nm, nu := float64(matches.Total()), float64(nonMatches.Total())
		m.Prior = nm / (nm + nu)
	}
	return m, nil
}
