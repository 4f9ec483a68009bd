package match

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/studentlink/studentlink/block"
	"github.com/studentlink/studentlink/score"
)

// Decision is a reviewer's verdict on whether two records are the same student.
type Decision struct {
	A    string    `json:"a"`
	B    string    `json:"b"`
	Same bool      `json:"same"`
	By   string    `json:"by,omitempty"`
	At   time.Time `json:"at,omitzero"`
}

// ReviewItem is a pair a person should decide: its weight fell between the thresholds,
// or clustering refused a link over the upper threshold.
type ReviewItem struct {
	A, B        string
	Weight      float64
	Probability float64
	// Reason says why the pair is in the queue.
	Reason      string
	Explanation score.Explanation
}

// Review reasons besides the refusal reasons.
const ReviewBetween = "match weight between the lower and upper thresholds"

// Result is the outcome of a run: every input record in exactly one cluster.
type Result struct {
	Prepared *Prepared
	// Label is each record's cluster; StudentIDs names each cluster.
	Label      []int32
	StudentIDs []string
	// Links are the links that joined records, a spanning forest of each cluster.
	Links    []Link
	Refusals []Refusal
	Review   []ReviewItem
	// IDChanges lists students that split or merged since the earlier run.
	IDChanges      []IDChange
	CandidatePairs int64
	Model          *score.Model
	// Settings are the settings the run used: the linker's, less what Dropped lists.
	Settings Settings
	// Training reports how the model was trained (nil when it was loaded); Dropped what
	// was left out for want of data; Blocking the candidates of each rule and the blocks
	// over the cap.
	Training *TrainingReport
	Dropped  []Dropped
	Blocking block.Report

	clustering clustering
	scorer     *score.Scorer
	best       []best
	upper      float64
}

// Run links the roll: prepare, train unless the linker has a model (or opt.Retrain), score
// every candidate pair, cluster, queue the uncertain pairs for review and assign student
// IDs. It stops early with ctx's error when ctx is cancelled.
func (l *Linker) Run(ctx context.Context, roll *Roll, opt RunOptions) (*Result, error) {
	p, err := l.Prepare(ctx, roll, opt)
	if err != nil {
		return nil, err
	}
	return l.RunPrepared(ctx, p, opt)
}

// RunPrepared is Run on a roll already prepared with Prepare.
func (l *Linker) RunPrepared(ctx context.Context, p *Prepared, opt RunOptions) (*Result, error) {
	var cands *candidates
	if l.model == nil || opt.Retrain {
		if err := l.adapt(p); err != nil {
			return nil, err
		}
		blank, err := score.NewModel(l.settings.Comparisons, 0.5)
		if err != nil {
			return nil, err
		}
		if cands, err = l.compare(ctx, p, &blank, opt); err != nil {
			return nil, err
		}
		if err := l.train(ctx, p, cands, opt); err != nil {
			return nil, err
		}
	} else {
		var err error
		if cands, err = l.compare(ctx, p, l.model, opt); err != nil {
			return nil, err
		}
	}
	sc, err := p.scorerFor(*l.model)
	if err != nil {
		return nil, err
	}
	s, err := l.scoreCandidates(ctx, p, sc, cands, opt)
	if err != nil {
		return nil, err
	}
	report(opt.Progress, StageCluster, 0, 1)
	roll := p.Roll
	must, apart, err := decisionPairs(roll, opt.Decisions)
	if err != nil {
		return nil, err
	}
	th := l.settings.Thresholds
	var links []Link
	for _, k := range s.links {
		if k.Weight >= th.Upper {
			links = append(links, k)
		}
	}
	var keptApart func(a, b int32) string // nil when nothing keeps records apart outright
	if len(apart) > 0 || l.settings.Mode == ModeLink {
		keptApart = func(a, b int32) string {
			switch {
			case apart[orderedPair(a, b)]:
				return "a reviewer decided they are different"
			case l.sameSourceApart(p, a, b):
				return "one record per source (link mode)"
			}
			return ""
		}
	}
	var levels []uint8
	judge := func(a, b int32) (string, bool) {
		key := sc.Key(int(a), int(b))
		if len(l.cannot) > 0 {
			levels = levels[:0]
			for c := range sc.Len() {
				levels = append(levels, score.LevelOf(key, c))
			}
			if rule := l.cannotLink(levels); rule != "" {
				return rule, false
			}
		}
		w := sc.KeyWeight(key, int(a))
		if w < th.Different {
			return fmt.Sprintf("match weight %.2f under the different threshold %g", w, th.Different), false
		}
		return "", w >= th.Upper
	}
	c := clusterLinks(clusterInput{
		n: roll.Len(), rank: p.Rank, must: must, apart: keptApart, judge: judge, thin: p.Thin, maxSize: l.settings.MaxClusterSize,
	}, links)
	res := &Result{
		Prepared: p, Label: c.label, Links: c.edges, Refusals: c.refusals,
		CandidatePairs: s.pairs, Model: l.model, Settings: l.settings, Training: l.trained, Dropped: l.dropped,
		Blocking: cands.report, clustering: c, scorer: sc, best: s.best, upper: th.Upper,
	}
	for _, k := range s.links {
		if k.Weight < th.Upper && c.label[k.A] != c.label[k.B] && !apart[orderedPair(k.A, k.B)] {
			res.Review = append(res.Review, res.reviewItem(k, ReviewBetween))
		}
	}
	for _, r := range c.refusals {
		res.Review = append(res.Review, res.reviewItem(r.Link, r.Reason))
	}
	slices.SortFunc(res.Review, func(x, y ReviewItem) int {
		if x.Weight != y.Weight {
			if x.Weight > y.Weight {
				return -1
			}
			return 1
		}
		if x.A != y.A {
			if x.A < y.A {
				return -1
			}
			return 1
		}
		if x.B < y.B {
			return -1
		}
		if x.B > y.B {
			return 1
		}
		return 0
	})
	lowest := make([]string, len(c.size))
	for i, lab := range c.label {
		if id := roll.IDs[i]; lowest[lab] == "" || id < lowest[lab] {
			lowest[lab] = id
		}
	}
	res.StudentIDs, res.IDChanges = assignStudentIDs(roll.IDs, c.label, lowest, opt.EarlierIDs)
	report(opt.Progress, StageCluster, 1, 1)
	return res, nil
}

func orderedPair(a, b int32) [2]int32 {
	if a > b {
		a, b = b, a
	}
	return [2]int32{a, b}
}

// decisionPairs resolves reviewer decisions to record indexes.
func decisionPairs(roll *Roll, ds []Decision) (must [][2]int32, apart map[[2]int32]bool, err error) {
	apart = map[[2]int32]bool{}
	for k, d := range ds {
		a, okA := roll.Index(d.A)
		b, okB := roll.Index(d.B)
		if !okA || !okB {
			missing := d.A
			if okA {
				missing = d.B
			}
			return nil, nil, fmt.Errorf("match: decision %d (%s, %s): record %q is not in the roll", k+1, d.A, d.B, missing)
		}
		if d.Same {
			must = append(must, [2]int32{int32(a), int32(b)})
		} else {
			apart[orderedPair(int32(a), int32(b))] = true
		}
	}
	return must, apart, nil
}

// reviewItem describes link k for a reviewer, record IDs in order.
func (r *Result) reviewItem(k Link, reason string) ReviewItem {
	a, b := k.A, k.B
	ids := r.Prepared.Roll.IDs
	if ids[a] > ids[b] {
		a, b = b, a
	}
	return ReviewItem{
		A: ids[a], B: ids[b], Weight: k.Weight, Probability: score.Probability(k.Weight),
		Reason: reason, Explanation: r.scorer.Explain(int(a), int(b)),
	}
}

// Clusters returns the records of each cluster, by index, in label order.
func (r *Result) Clusters() [][]int32 {
	out := make([][]int32, len(r.clustering.size))
	for i, lab := range r.Label {
		out[lab] = append(out[lab], int32(i))
	}
	return out
}

// StudentOf returns the student ID of the record with the given ID.
func (r *Result) StudentOf(recordID string) (string, bool) {
	i, ok := r.Prepared.Roll.Index(recordID)
	if !ok {
		return "", false
	}
	return r.StudentIDs[r.Label[i]], true
}

// LinkExplanation is one link of a chain with the model's account of it.
type LinkExplanation struct {
	A, B        string
	Explanation score.Explanation
}

// Why explains the relation of two records. Records of one student: the chain of links
// that joined them, each with its explanation. Records of different students: their own
// comparison, in a single-element chain, and Together false.
func (r *Result) Why(a, b string) (chain []LinkExplanation, together bool, err error) {
	roll := r.Prepared.Roll
	ia, okA := roll.Index(a)
	ib, okB := roll.Index(b)
	if !okA || !okB {
		missing := a
		if okA {
			missing = b
		}
		return nil, false, fmt.Errorf("match: record %q is not in the roll", missing)
	}
	if r.Label[ia] != r.Label[ib] || ia == ib {
		return []LinkExplanation{{A: a, B: b, Explanation: r.scorer.Explain(ia, ib)}}, ia == ib, nil
	}
	from := int32(ia)
	for _, k := range r.clustering.path(int32(ia), int32(ib)) {
		to := k.B
		if to == from {
			to = k.A
		}
		chain = append(chain, LinkExplanation{A: roll.IDs[from], B: roll.IDs[to], Explanation: r.scorer.Explain(int(from), int(to))})
		from = to
	}
	return chain, true, nil
}

// Apart explains why a record is in a cluster of its own: its best candidate (ok false
// when blocking gave it none), that pair's explanation, and the upper threshold it missed.
type Apart struct {
	Record, Best string
	Weight       float64
	Upper        float64
	Explanation  score.Explanation
	Refused      string // a refusal reason when the link was over the threshold but refused
}

// WhyApart explains the record's best candidate and why it did not link.
func (r *Result) WhyApart(recordID string) (Apart, bool, error) {
	roll := r.Prepared.Roll
	i, ok := roll.Index(recordID)
	if !ok {
		return Apart{}, false, fmt.Errorf("match: record %q is not in the roll", recordID)
	}
	bb := r.best[i]
	if bb.other < 0 {
		return Apart{Record: recordID, Upper: r.upper, Weight: math.Inf(-1)}, false, nil
	}
	ap := Apart{Record: recordID, Best: roll.IDs[bb.other], Weight: bb.weight, Upper: r.upper,
		Explanation: r.scorer.Explain(i, int(bb.other))}
	for _, f := range r.Refusals {
		if orderedPair(f.A, f.B) == orderedPair(int32(i), bb.other) {
			ap.Refused = f.Reason
		}
	}
	return ap, true, nil
}

// WriteClusters writes one row per record, sorted by student then record ID:
// record_id, cluster_id (the student ID), the weight of the strongest link that placed the
// record in its cluster (empty for a record on its own; "inf" for a reviewer's decision),
// and the cluster's size.
func (r *Result) WriteClusters(w io.Writer) error {
	roll := r.Prepared.Roll
	order := make([]int, roll.Len())
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		sa, sb := r.StudentIDs[r.Label[a]], r.StudentIDs[r.Label[b]]
		if sa != sb {
			if sa < sb {
				return -1
			}
			return 1
		}
		if roll.IDs[a] < roll.IDs[b] {
			return -1
		}
		return 1
	})
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"record_id", "cluster_id", "match_weight", "cluster_size"})
	for _, i := range order {
		lab := r.Label[i]
		weight := ""
		if p := r.clustering.placed[i]; !math.IsNaN(p) {
			weight = strconv.FormatFloat(p, 'f', 3, 64)
		}
		_ = cw.Write([]string{roll.IDs[i], r.StudentIDs[lab], weight, strconv.Itoa(int(r.clustering.size[lab]))})
	}
	cw.Flush()
	return cw.Error()
}

// WriteReview writes the review queue as CSV: both record IDs, the weight and
// probability, the reason, and the explanation in one line.
func (r *Result) WriteReview(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"record_a", "record_b", "match_weight", "match_probability", "reason", "explanation"})
	for _, it := range r.Review {
		_ = cw.Write([]string{it.A, it.B, strconv.FormatFloat(it.Weight, 'f', 3, 64),
			strconv.FormatFloat(it.Probability, 'f', 4, 64), it.Reason, it.Explanation.String()})
	}
	cw.Flush()
	return cw.Error()
}

// WriteProblems writes the values that could not be used, one row each: source, line,
// record ID, field, value and what was wrong. Their records were kept with the value
// treated as missing.
func (r *Result) WriteProblems(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"source", "line", "record_id", "field", "value", "problem"})
	for _, p := range r.Prepared.Problems {
		_ = cw.Write([]string{p.Source, strconv.Itoa(p.Line), p.RecordID, p.Field, p.Value, p.Err.Error()})
	}
	cw.Flush()
	return cw.Error()
}

// WritePairs writes every pair of records from different sources that share a student,
// with the pair's own match weight: record_a, source_a, record_b, source_b, student_id,
// match_weight.
func (r *Result) WritePairs(w io.Writer) error {
	roll := r.Prepared.Roll
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"record_a", "source_a", "record_b", "source_b", "student_id", "match_weight"})
	for lab, members := range r.Clusters() {
		for x, a := range members {
			for _, b := range members[x+1:] {
				if roll.Source[a] == roll.Source[b] {
					continue
				}
				_ = cw.Write([]string{roll.IDs[a], roll.Sources[roll.Source[a]], roll.IDs[b], roll.Sources[roll.Source[b]],
					r.StudentIDs[lab], strconv.FormatFloat(r.scorer.Weight(int(a), int(b)), 'f', 3, 64)})
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
