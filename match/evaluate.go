package match

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/studentlink/studentlink/block"
)

// Evaluation compares predicted clusters with true ones, counting record pairs.
type Evaluation struct {
	Records           int
	TrueClusters      int
	PredictedClusters int
	// TruePairs are pairs of records in the same true cluster; PredictedPairs those in
	// the same predicted cluster; TruePositives those in both. In link mode only pairs
	// whose records come from different sources count.
	TruePairs, PredictedPairs, TruePositives int64
	Precision, Recall, F1                    float64
}

func (e Evaluation) String() string {
	return fmt.Sprintf("records %d, clusters %d (true %d), pairs predicted %d / true %d / correct %d, precision %.4f recall %.4f F1 %.4f",
		e.Records, e.PredictedClusters, e.TrueClusters, e.PredictedPairs, e.TruePairs, e.TruePositives,
		e.Precision, e.Recall, e.F1)
}

// Evaluate scores predicted cluster labels against true labels, both given per record.
// When sources is nil every pair counts (dedupe); otherwise sources[i] is record i's
// source and only pairs from different sources count (link). It counts pairs from cluster
// sizes, so it never enumerates them.
func Evaluate[P, T comparable](predicted []P, truth []T, sources []int32) (Evaluation, error) {
	n := len(predicted)
	if len(truth) != n {
		return Evaluation{}, fmt.Errorf("match: evaluate: %d predicted labels but %d true labels", n, len(truth))
	}
	if sources != nil && len(sources) != n {
		return Evaluation{}, fmt.Errorf("match: evaluate: %d labels but %d sources", n, len(sources))
	}
	pred := intern(predicted)
	tru := intern(truth)
	type both struct{ p, t int32 }
	e := Evaluation{Records: n, PredictedClusters: count(pred), TrueClusters: count(tru)}
	e.PredictedPairs = pairsWithin(n, func(i int) int32 { return pred[i] }, sources)
	e.TruePairs = pairsWithin(n, func(i int) int32 { return tru[i] }, sources)
	cells := make(map[both]int32, n)
	cellOf := make([]int32, n)
	for i := range n {
		k := both{pred[i], tru[i]}
		c, ok := cells[k]
		if !ok {
			c = int32(len(cells))
			cells[k] = c
		}
		cellOf[i] = c
	}
	e.TruePositives = pairsWithin(n, func(i int) int32 { return cellOf[i] }, sources)
	e.Precision = ratio(e.TruePositives, e.PredictedPairs)
	e.Recall = ratio(e.TruePositives, e.TruePairs)
	if e.Precision+e.Recall > 0 {
		e.F1 = 2 * e.Precision * e.Recall / (e.Precision + e.Recall)
	}
	return e, nil
}

// ratio returns a/b, or 1 when both are zero (nothing to find and nothing claimed).
func ratio(a, b int64) float64 {
	if b == 0 {
		if a == 0 {
			return 1
		}
		return 0
	}
	return float64(a) / float64(b)
}

// intern maps labels to dense ids in order of first appearance.
func intern[L comparable](labels []L) []int32 {
	ids := make(map[L]int32, len(labels)/2+1)
	out := make([]int32, len(labels))
	for i, l := range labels {
		id, ok := ids[l]
		if !ok {
			id = int32(len(ids))
			ids[l] = id
		}
		out[i] = id
	}
	return out
}

func count(ids []int32) int {
	var max int32 = -1
	for _, id := range ids {
		if id > max {
			max = id
		}
	}
	return int(max + 1)
}

// pairsWithin counts pairs of records sharing a group. With sources, pairs from the same
// source are left out: a group of n records of which n_s come from source s holds
// C(n,2) − Σ C(n_s,2) cross-source pairs.
func pairsWithin(n int, group func(int) int32, sources []int32) int64 {
	sizes := map[int32]int64{}
	for i := range n {
		sizes[group(i)]++
	}
	var total int64
	for _, k := range sizes {
		total += k * (k - 1) / 2
	}
	if sources == nil {
		return total
	}
	type groupSource struct{ g, s int32 }
	bySource := map[groupSource]int64{}
	for i := range n {
		bySource[groupSource{group(i), sources[i]}]++
	}
	for _, k := range bySource {
		total -= k * (k - 1) / 2
	}
	return total
}

// SweepPoint is pairwise precision and recall when pairs scoring at least Weight link.
type SweepPoint struct {
	Weight                float64
	Pairs, TruePositives  int64
	Precision, Recall, F1 float64
}

// Sweep accumulates scored candidate pairs, labelled true or false, into weight bins so
// that precision and recall at every threshold can be read off without holding the pairs.
// The zero value is not ready; use NewSweep. A Sweep is not safe for concurrent use: give
// each goroutine its own and Merge them.
type Sweep struct {
	binWidth   float64
	truePos    map[int64]int64
	falsePos   map[int64]int64
	truePairs  int64
	candidates int64
}

// NewSweep returns a sweep with bins binWidth wide (in match-weight bits; 0.5 if not
// positive). truePairs is the number of true pairs in the data, candidates or not, the
// denominator of recall.
func NewSweep(binWidth float64, truePairs int64) *Sweep {
	if !(binWidth > 0) {
		binWidth = 0.5
	}
	return &Sweep{binWidth: binWidth, truePos: map[int64]int64{}, falsePos: map[int64]int64{}, truePairs: truePairs}
}

// Add records one scored pair.
func (s *Sweep) Add(weight float64, isTrue bool) {
	bin := int64(math.Floor(weight / s.binWidth))
	if isTrue {
		s.truePos[bin]++
	} else {
		s.falsePos[bin]++
	}
	s.candidates++
}

// Merge adds the pairs recorded in o (which must have the same bin width).
func (s *Sweep) Merge(o *Sweep) {
	for b, c := range o.truePos {
		s.truePos[b] += c
	}
	for b, c := range o.falsePos {
		s.falsePos[b] += c
	}
	s.candidates += o.candidates
}

// Points returns one point per occupied bin, from the highest threshold down: the pairs
// whose weight is at least the bin's lower edge, and their precision, recall and F1.
func (s *Sweep) Points() []SweepPoint {
	seen := map[int64]bool{}
	var bins []int64
	for _, m := range []map[int64]int64{s.truePos, s.falsePos} {
		for b := range m {
			if !seen[b] {
				seen[b] = true
				bins = append(bins, b)
			}
		}
	}
	sort.Slice(bins, func(i, j int) bool { return bins[i] > bins[j] })
	points := make([]SweepPoint, 0, len(bins))
	var tp, all int64
	for _, b := range bins {
		tp += s.truePos[b]
		all += s.truePos[b] + s.falsePos[b]
		p := SweepPoint{Weight: float64(b) * s.binWidth, Pairs: all, TruePositives: tp,
			Precision: ratio(tp, all), Recall: ratio(tp, s.truePairs)}
		if p.Precision+p.Recall > 0 {
			p.F1 = 2 * p.Precision * p.Recall / (p.Precision + p.Recall)
		}
		points = append(points, p)
	}
	return points
}

// MeasureBlocking reports how many true pairs the linker's blocking rules make candidates
// on a prepared roll, given each record's true label (block.Measure under the linker's
// mode and block cap). In link mode only pairs across sources count.
func (l *Linker) MeasureBlocking(ctx context.Context, p *Prepared, truth []string, opt RunOptions) (block.Completeness, error) {
	c, _, err := block.Measure(ctx, p.Table, l.settings.Blocking, l.blockOptions(p, opt), truth)
	return c, err
}
