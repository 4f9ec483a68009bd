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
	n := t.Len()
	if n < 2 {
		return m, nil
	}
	if opt.Sources != nil && len(opt.Sources) != n {
		return Model{}, fmt.Errorf("score: %d sources for %d records", len(opt.Sources), n)
	}
	pairs := opt.Pairs
	if pairs <= 0 {
		pairs = 1_000_000
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
	// Workers draw fixed shares with their own seeded generators, so the estimate is the
	// same whatever the scheduling.
	if opt.Order != nil && len(opt.Order) != n {
		return Model{}, fmt.Errorf("score: order of %d records for %d records", len(opt.Order), n)
	}
	const shares = 8
	perWorker := make([][][]float64, shares)
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
				if !drawShare(ctx, s, t, opt, n, w, share, perWorker) {
					cancelled.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	if cancelled.Load() {
		return Model{}, ctx.Err()
	}
	counts := perWorker[0]
	for _, wc := range perWorker[1:] {
		for c := range counts {
			for l := range counts[c] {
				counts[c][l] += wc[c][l]
			}
		}
	}
	for c := range counts {
		m.U[c] = smoothed(counts[c])
	}
	return m, nil
}

// drawShare draws share random pairs with generator w and counts their levels into
// out[w]. It returns false when ctx is cancelled.
func drawShare(ctx context.Context, s *Scorer, t *normalize.Table, opt UOptions, n, w, share int, out [][][]float64) bool {
	counts := make([][]float64, len(s.comps))
	for c := range counts {
		counts[c] = make([]float64, s.comps[c].levels)
	}
	out[w] = counts
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5eed+uint64(w)))
	drawn := 0
	for tries := 0; drawn < share && tries < 4*share; tries++ {
		if tries%65536 == 0 && ctx.Err() != nil {
			return false
		}
		i, j := rng.IntN(n), rng.IntN(n)
		if opt.Order != nil {
			i, j = int(opt.Order[i]), int(opt.Order[j])
		}
		if i == j || (opt.Sources != nil && opt.Sources[i] == opt.Sources[j]) {
			continue
		}
		drawn++
		key := s.Key(i, j)
		for c := range s.comps {
			counts[c][LevelOf(key, c)]++
		}
	}
	return true
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
// t; other comparisons get nil.
func CountTerms(comps []Comparison, t *normalize.Table) []*TermFrequencies {
	out := make([]*TermFrequencies, len(comps))
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
}

// EMReport says how training went. Converged is false when EM stopped at the iteration
// cap.
type EMReport struct {
	Iterations int
	Converged  bool
	// MaxChange is the largest parameter change of the last iteration.
	MaxChange float64
}

// pattern is a distinct comparison vector with its count.
type pattern struct {
	levels []uint8
	count  float64
}

// TrainEM estimates the prior, m and (unless opt.FixU) u by expectation–maximisation over
// the distinct comparison vectors of the candidate pairs and their counts, from the start
// model. Null levels carry no information and are skipped. The term frequencies of start
// are kept.
func TrainEM(ctx context.Context, counts PatternCounts, start Model, opt EMOptions) (Model, EMReport, error) {
	if err := start.Validate(); err != nil {
		return Model{}, EMReport{}, err
	}
	if len(counts) == 0 {
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
	if (opt.Ignore != nil && len(opt.Ignore) != nc) || (opt.Fixed != nil && len(opt.Fixed) != nc) {
		return Model{}, EMReport{}, fmt.Errorf("score: EM options ignore %d and fix %d comparisons of a model of %d", len(opt.Ignore), len(opt.Fixed), nc)
	}
	ignored := func(c int) bool { return opt.Ignore != nil && opt.Ignore[c] }
	fixed := func(c int) bool { return ignored(c) || (opt.Fixed != nil && opt.Fixed[c]) }
	pats := make([]pattern, 0, len(counts))
	keys := make([]uint64, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys) // a fixed order makes the floating-point sums reproducible
	for _, k := range keys {
		p := pattern{levels: make([]uint8, nc), count: float64(counts[k])}
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
		var matched, total float64
		logPrior := math.Log(m.Prior) - math.Log(1-m.Prior)
		for _, p := range pats {
			// Posterior that the pattern is a match, from the log-likelihood ratio.
			llr := logPrior
			for c, l := range p.levels {
				if l != LevelNull && !ignored(c) {
					llr += math.Log(math.Max(m.M[c][l], minProbability)) - math.Log(math.Max(m.U[c][l], minProbability))
				}
			}
			g := 1 / (1 + math.Exp(-llr))
			wm, wu := p.count*g, p.count*(1-g)
			matched += wm
			total += p.count
			for c, l := range p.levels {
				if l != LevelNull {
					newM[c][l] += wm
					newU[c][l] += wu
				}
			}
		}
		change := 0.0
		move := func(dst []float64, sums []float64) {
			var t float64
			for l := 1; l < len(sums); l++ {
				t += sums[l]
			}
			if t == 0 {
				return
			}
			for l := 1; l < len(sums); l++ {
				v := sums[l] / t
				change = math.Max(change, math.Abs(v-dst[l]))
				dst[l] = v
			}
		}
		for c := range nc {
			if fixed(c) {
				continue
			}
			if !opt.FixM {
				move(m.M[c], newM[c])
			}
			if !opt.FixU {
				move(m.U[c], newU[c])
			}
		}
		if opt.AllPairs > total {
			total = opt.AllPairs
		}
		prior := math.Min(math.Max(matched/total, 1e-12), 1-1e-9)
		change = math.Max(change, math.Abs(prior-m.Prior)/m.Prior) // relative: the prior may be tiny
		m.Prior = prior
		rep.MaxChange = change
		if change < tol {
			rep.Converged = true
			break
		}
	}
	return m, rep, nil
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
