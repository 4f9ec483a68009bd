package match

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/studentlink/studentlink/block"
	"github.com/studentlink/studentlink/score"
)

// Decision is a reviewer's verdict on whether two records are the same student. Records
// are named by ID and, where several sources use an ID, by source (SourceA, SourceB; ""
// names the one record with the ID).
type Decision struct {
	A       string    `json:"a"`
	SourceA string    `json:"source_a,omitempty"`
	B       string    `json:"b"`
	SourceB string    `json:"source_b,omitempty"`
	Same    bool      `json:"same"`
	By      string    `json:"by,omitempty"`
	At      time.Time `json:"at,omitzero"`
	// Where says where the verdict was read ("decisions.csv:3"), for errors; empty for
	// verdicts made otherwise.
	Where string `json:"where,omitempty"`
}

// ReviewItem is a pair a person should decide: its weight fell between the thresholds,
// or clustering refused a link over the upper threshold.
type ReviewItem struct {
	// A and B are the records' IDs, SourceA and SourceB their sources; RecordA and RecordB
	// their indexes in the roll.
	A, B             string
	SourceA, SourceB string
	RecordA, RecordB int32
	Weight           float64
	Probability      float64
	// Reason says why the pair is in the queue.
	Reason string
	// Against and Rule are set for a refused link (RefusedDifferent): the two records,
	// one in A's student and one in B's, that are clearly different, and the rule, the
	// threshold or the decision that says so.
	Against [2]RecordRef
	Rule    string
	// Explanation is the model's account of the pair's weight.
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
	// IDChanges lists students that split or merged since the earlier run, and
	// EarlierFound counts the records RunOptions.EarlierIDs gave a student ID: far fewer
	// than the roll's records says the earlier IDs name other records.
	IDChanges      []IDChange
	EarlierFound   int
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
	// RuleTests say how each cannot-link rule with a MaxMatchShare fared against this
	// roll, whether the model was trained on it or loaded: what they set aside, Dropped
	// lists.
	RuleTests []RuleTest
	// DecisionNotes lists the reviewer verdicts (RunOptions.Decisions) not honoured as
	// given: skipped for a record no longer in the roll, or replaced by a later verdict on
	// the same pair.
	DecisionNotes []string

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
	if err := l.checkPrepared(p); err != nil {
		return nil, err
	}
	if err := l.checkNames(p); err != nil {
		return nil, err
	}
	var cands *candidates
	var ruleTests []RuleTest
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
		ruleTests = l.trained.RuleTests
	} else {
		var err error
		if cands, err = l.compare(ctx, p, l.model, opt); err != nil {
			return nil, err
		}
		ruleTests = l.testRules(cands.counts, true, l.model, nil, l.oneChildClassesOf(p.Table))
		l.setAsideWithout(presentRoles(p.Table))
	}
	l.useGivenNames(p.Table)
	sc, err := p.scorerFor(*l.model)
	if err != nil {
		return nil, err
	}
	s, err := l.scoreCandidates(ctx, p, sc, cands, opt)
	if err != nil {
		return nil, err
	}
	cands.pairs = nil // scored: let the tens of millions of pairs go before clustering
	report(opt.Progress, StageCluster, 0, 1)
	roll := p.Roll
	must, apart, decisionNotes, err := decisionPairs(roll, opt.Decisions)
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
	judge := func(a, b int32) (string, bool) {
		raw := sc.RawKey(int(a), int(b))
		key := sc.Require(raw)
		if rule := l.cannotLink(raw, p.Table, int(a), p.Table, int(b)); rule != "" {
			return rule, false
		}
		w := sc.KeyWeight(key, int(a))
		if w < th.Different {
			return fmt.Sprintf("match weight %.2f under the different threshold %g", w, th.Different), false
		}
		return "", w >= th.Upper
	}
	observes := func(rule string, a, b int32) bool {
		return l.observes(rule, sc.RawKey(int(a), int(b)), p.Table, int(a), p.Table, int(b))
	}
	c := clusterLinks(clusterInput{
		n: roll.Len(), rank: p.Rank, must: must, apart: keptApart, judge: judge, observes: observes, thin: p.Thin, maxSize: l.settings.MaxClusterSize,
	}, links)
	res := &Result{
		Prepared: p, Label: c.label, Links: c.edges, Refusals: c.refusals,
		CandidatePairs: s.pairs, Model: l.model, Settings: l.runSettings(), Training: l.trained, Dropped: l.Dropped(), RuleTests: ruleTests,
		Blocking: cands.report, DecisionNotes: decisionNotes, clustering: c, scorer: sc, best: s.best, upper: th.Upper,
	}
	for _, k := range s.links {
		if k.Weight < th.Upper && c.label[k.A] != c.label[k.B] && !apart[orderedPair(k.A, k.B)] {
			res.Review = append(res.Review, res.reviewItem(k, ReviewBetween))
		}
	}
	for _, r := range c.refusals {
		if apart[orderedPair(r.A, r.B)] {
			continue // decided by a reviewer already: not asked again
		}
		it := res.reviewItem(r.Link, r.Reason)
		if r.Rule != "" {
			it.Against = [2]RecordRef{roll.Ref(int(r.Against[0])), roll.Ref(int(r.Against[1]))}
			if it.RecordA != r.A {
				it.Against[0], it.Against[1] = it.Against[1], it.Against[0]
			}
			it.Rule = r.Rule
		}
		res.Review = append(res.Review, it)
	}
	slices.SortFunc(res.Review, func(x, y ReviewItem) int {
		return cmp.Or(cmp.Compare(y.Weight, x.Weight), compareRefs(roll, x.RecordA, y.RecordA), compareRefs(roll, x.RecordB, y.RecordB))
	})
	if res.StudentIDs, res.IDChanges, res.EarlierFound, err = studentIDs(roll, c.label, len(c.size), opt.EarlierIDs); err != nil {
		return nil, err
	}
	report(opt.Progress, StageCluster, 1, 1)
	return res, nil
}

func orderedPair(a, b int32) [2]int32 {
	if a > b {
		a, b = b, a
	}
	return [2]int32{a, b}
}

// decisionPairs resolves reviewer decisions to record indexes. A verdict naming a record
// no longer in the roll (a student who left) is skipped with a note; a source named
// otherwise than the roll names it (the file moved or renamed) is read as the bare record
// ID where only one source uses it. Where one pair is decided more than once, the latest
// verdict holds (by At, then by order given: a second decisions file corrects the first),
// and the others are noted as replaced. Verdicts that contradict each other through others
// (two records kept apart that "same" verdicts join) are an error naming them: honouring
// either silently would drop the other.
func decisionPairs(roll *Roll, ds []Decision) (must [][2]int32, apart map[[2]int32]bool, notes []string, err error) {
	apart = map[[2]int32]bool{}
	if len(ds) == 0 {
		return nil, apart, nil, nil // no union of a million records to check nothing with
	}
	where := func(k int) string {
		if ds[k].Where != "" {
			return ds[k].Where
		}
		return fmt.Sprintf("decision %d", k+1)
	}
	ends := make([][2]int32, len(ds))
	latest := map[[2]int32]int{} // pair → the verdict that holds
	for k, d := range ds {
		a, goneA, errA := decisionRecord(roll, d.SourceA, d.A)
		b, goneB, errB := decisionRecord(roll, d.SourceB, d.B)
		if err := cmp.Or(errA, errB); err != nil {
			if !goneA && !goneB {
				return nil, nil, nil, fmt.Errorf("match: %s (%s, %s): %w", where(k), d.A, d.B, err)
			}
			notes = append(notes, fmt.Sprintf("%s (%s, %s): %v: skipped", where(k), d.A, d.B, err))
			ends[k] = [2]int32{-1, -1}
			continue
		}
		ends[k] = [2]int32{a, b}
		pair := orderedPair(a, b)
		if prev, ok := latest[pair]; ok {
			if ds[prev].At.After(d.At) && !d.At.IsZero() {
				if ds[prev].Same != d.Same {
					notes = append(notes, fmt.Sprintf("%s (%s, %s): replaced by the later verdict at %s", where(k), d.A, d.B, where(prev)))
				}
				continue
			}
			if ds[prev].Same != d.Same {
				notes = append(notes, fmt.Sprintf("%s (%s, %s): replaced by the later verdict at %s", where(prev), d.A, d.B, where(k)))
			}
		}
		latest[pair] = k
	}
	u := newUnion(roll.Len())
	var different []int // indexes in ds
	held := make([]bool, len(ds))
	for _, k := range latest {
		held[k] = true
	}
	for k, d := range ds {
		if !held[k] {
			continue
		}
		a, b := ends[k][0], ends[k][1]
		if d.Same {
			must = append(must, [2]int32{a, b})
			u.join(a, b)
		} else {
			apart[orderedPair(a, b)] = true
			different = append(different, k)
		}
	}
	for _, k := range different {
		a, b := ends[k][0], ends[k][1]
		if u.find(a) == u.find(b) {
			return nil, nil, nil, fmt.Errorf("match: %s says %s and %s are different, but verdicts of the same join them: %s; decide again",
				where(k), roll.Ref(int(a)), roll.Ref(int(b)), sameChain(ds, held, ends, where, a, b))
		}
	}
	return must, apart, notes, nil
}

// decisionRecord finds the record a verdict names: by source and ID, else (the source
// named otherwise) by the bare ID where one source alone uses it. gone says no source
// has a record of that ID: the record has left the roll. A bare ID several sources use
// is an error, not gone.
func decisionRecord(roll *Roll, source, id string) (i int32, gone bool, err error) {
	j, err := roll.find(RecordRef{Source: source, ID: id})
	if err == nil {
		return int32(j), false, nil
	}
	if _, any := roll.byID[id]; !any {
		return -1, true, err
	}
	if source != "" {
		if j, bareErr := roll.find(RecordRef{ID: id}); bareErr == nil {
			return int32(j), false, nil
		}
	}
	return -1, false, err
}

// sameChain names the "same" verdicts held that join records a and b, in the order of a
// path from a to b; ends are each verdict's records.
func sameChain(ds []Decision, held []bool, ends [][2]int32, where func(int) string, a, b int32) string {
	next := map[int32][]int{} // record → the "same" verdicts that name it
	for k, d := range ds {
		if d.Same && held[k] {
			x, y := ends[k][0], ends[k][1]
			next[x] = append(next[x], k)
			next[y] = append(next[y], k)
		}
	}
	// Breadth first from a; via records the verdict that reached them.
	via := map[int32]int{a: -1}
	queue := []int32{a}
	for len(queue) > 0 && via[b] == 0 {
		r := queue[0]
		queue = queue[1:]
		for _, k := range next[r] {
			x, y := ends[k][0], ends[k][1]
			o := x
			if o == r {
				o = y
			}
			if _, seen := via[o]; !seen {
				via[o] = k + 1
				queue = append(queue, o)
			}
		}
	}
	var path []string
	for r := b; r != a && via[r] > 0; {
		k := via[r] - 1
		path = append(path, where(k))
		x, y := ends[k][0], ends[k][1]
		if x == r {
			r = y
		} else {
			r = x
		}
	}
	slices.Reverse(path)
	return strings.Join(path, ", ")
}

// reviewItem describes link k for a reviewer, records in order of ID then source.
func (r *Result) reviewItem(k Link, reason string) ReviewItem {
	roll := r.Prepared.Roll
	a, b := k.A, k.B
	if compareRefs(roll, a, b) > 0 {
		a, b = b, a
	}
	return ReviewItem{
		A: roll.IDs[a], B: roll.IDs[b], SourceA: roll.Sources[roll.Source[a]], SourceB: roll.Sources[roll.Source[b]],
		RecordA: a, RecordB: b, Weight: k.Weight, Probability: score.Probability(k.Weight),
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

// StudentOf returns the student ID of the record with the given ID, or ID and source
// (RecordRef.Key) when several sources use the ID; false when no record or several have
// it.
func (r *Result) StudentOf(recordID string) (string, bool) {
	i, err := r.Prepared.Roll.Find(refOfKey(recordID))
	if err != nil {
		return "", false
	}
	return r.StudentIDs[r.Label[i]], true
}

// LinkExplanation is one link of a chain with the model's account of it: the records'
// IDs and sources.
type LinkExplanation struct {
	A, B             string
	SourceA, SourceB string
	Explanation      score.Explanation
}

// Why explains the relation of two records named by ID (WhyRefs names them by source
// too). Records of one student: the chain of links that joined them, each with its
// explanation. Records of different students: their own comparison, in a single-element
// chain, and Together false.
func (r *Result) Why(a, b string) (chain []LinkExplanation, together bool, err error) {
	return r.WhyRefs(RecordRef{ID: a}, RecordRef{ID: b})
}

// WhyRefs is Why for records named by source and ID.
func (r *Result) WhyRefs(a, b RecordRef) (chain []LinkExplanation, together bool, err error) {
	roll := r.Prepared.Roll
	ia, errA := roll.Find(a)
	ib, errB := roll.Find(b)
	if err := cmp.Or(errA, errB); err != nil {
		return nil, false, err
	}
	if r.Label[ia] != r.Label[ib] || ia == ib {
		return []LinkExplanation{r.explainLink(int32(ia), int32(ib))}, ia == ib, nil
	}
	from := int32(ia)
	for _, k := range r.clustering.path(int32(ia), int32(ib)) {
		to := k.B
		if to == from {
			to = k.A
		}
		chain = append(chain, r.explainLink(from, to))
		from = to
	}
	return chain, true, nil
}

// explainLink explains the pair of records a, b.
func (r *Result) explainLink(a, b int32) LinkExplanation {
	roll := r.Prepared.Roll
	return LinkExplanation{A: roll.IDs[a], B: roll.IDs[b], SourceA: roll.Sources[roll.Source[a]], SourceB: roll.Sources[roll.Source[b]],
		Explanation: r.scorer.Explain(int(a), int(b))}
}

// Apart explains why a record is in a cluster of its own: its best candidate (ok false
// when blocking gave it none), that pair's explanation, and the upper threshold it missed.
type Apart struct {
	Record, Best string
	// BestSource is the best candidate's source.
	BestSource  string
	Weight      float64
	Upper       float64
	Explanation score.Explanation
	Refused     string // a refusal reason when the link was over the threshold but refused
}

// WhyApart explains the record's best candidate and why it did not link. The record is
// named by ID, or by ID and source (RecordRef.Key) when several sources use the ID.
func (r *Result) WhyApart(recordID string) (Apart, bool, error) {
	roll := r.Prepared.Roll
	i, err := roll.Find(refOfKey(recordID))
	if err != nil {
		return Apart{}, false, err
	}
	ap, ok := r.whyApart(int32(i))
	return ap, ok, nil
}

func (r *Result) whyApart(i int32) (Apart, bool) {
	roll := r.Prepared.Roll
	bb := r.best[i]
	if bb.other < 0 {
		return Apart{Record: roll.IDs[i], Upper: r.upper, Weight: math.Inf(-1)}, false
	}
	ap := Apart{Record: roll.IDs[i], Best: roll.IDs[bb.other], BestSource: roll.Sources[roll.Source[bb.other]], Weight: bb.weight, Upper: r.upper,
		Explanation: r.scorer.Explain(int(i), int(bb.other))}
	for _, f := range r.Refusals {
		if orderedPair(f.A, f.B) == orderedPair(i, bb.other) {
			ap.Refused = f.Reason
		}
	}
	return ap, true
}

// WriteClusters writes one row per record, sorted by student, record ID and source:
// record_id, source, cluster_id (the student ID), the weight of the strongest link that
// placed the record in its cluster (empty for a record on its own; "inf" for a reviewer's
// decision), and the cluster's size.
func (r *Result) WriteClusters(w io.Writer) error {
	roll := r.Prepared.Roll
	order := make([]int32, roll.Len())
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		return cmp.Or(cmp.Compare(r.StudentIDs[r.Label[a]], r.StudentIDs[r.Label[b]]), compareRefs(roll, a, b))
	})
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"record_id", "source", "cluster_id", "match_weight", "cluster_size"})
	for _, i := range order {
		lab := r.Label[i]
		weight := ""
		if p := r.clustering.placed[i]; !math.IsNaN(p) {
			weight = strconv.FormatFloat(p, 'f', 3, 64)
		}
		_ = cw.Write([]string{roll.IDs[i], roll.Sources[roll.Source[i]], r.StudentIDs[lab], weight, strconv.Itoa(int(r.clustering.size[lab]))})
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
		_ = cw.Write([]string{p.Source, strconv.Itoa(p.Line), p.RecordID, p.Field, p.Value, p.Reason()})
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
