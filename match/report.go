package match

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/studentlink/studentlink/block"
	"github.com/studentlink/studentlink/score"
)

// Report is the model report of a run: what a person needs to judge the model and its
// thresholds, as data, for programs that draw their own charts (internal/report draws it
// as one HTML page). NewReport builds it from a Result.
type Report struct {
	Title string `json:"title"`
	// Elapsed is the run's time in seconds, when the caller timed it.
	Elapsed  float64        `json:"elapsed_seconds,omitempty"`
	Summary  ReportSummary  `json:"summary"`
	Settings ReportSettings `json:"settings"`
	Sources  []ReportSource `json:"sources"`
	// Blocking has one row per blocking rule the run used, in order.
	Blocking []ReportRule `json:"blocking"`
	// Comparisons give m, u and the match weight of every level of every comparison.
	Comparisons []ComparisonLevels `json:"comparisons"`
	// Histogram counts the candidate pairs by match weight, in bins HistogramWidth wide.
	Histogram []WeightBin `json:"histogram"`
	// Training is how the model was trained (nil when it was loaded); Dropped what the
	// run left out for want of data.
	Training *TrainingReport `json:"training,omitempty"`
	Dropped  []Dropped       `json:"dropped,omitempty"`
	// With truth: the clusters' pairwise evaluation, the blocking rules' pair
	// completeness, and precision and recall of the candidate pairs at every threshold
	// (from the highest down).
	Evaluation   *Evaluation         `json:"evaluation,omitempty"`
	Completeness *block.Completeness `json:"completeness,omitempty"`
	Sweep        []SweepPoint        `json:"sweep,omitempty"`
	// Examples explain a sample of links and review pairs term by term.
	Examples []ReportExample `json:"examples"`
}

// HistogramWidth is the width of Report.Histogram's bins, in bits of match weight.
const HistogramWidth = 1.0

// ReportSummary counts what the run did.
type ReportSummary struct {
	Records        int   `json:"records"`
	Sources        int   `json:"sources"`
	Problems       int   `json:"problems"`
	CandidatePairs int64 `json:"candidate_pairs"`
	Students       int   `json:"students"`
	// Singletons are the students with one record.
	Singletons int `json:"singletons"`
	Links      int `json:"links"`
	Refused    int `json:"refused"`
	Review     int `json:"review"`
	IDChanges  int `json:"id_changes"`
	// RowsRead and RowsRejected count the input rows, when the caller read the files
	// (ReadCount); a roll holds only the rows kept.
	RowsRead     int `json:"rows_read,omitempty"`
	RowsRejected int `json:"rows_rejected,omitempty"`
}

// ReportSettings are the settings that decide outcomes.
type ReportSettings struct {
	Name       string     `json:"name"`
	Version    string     `json:"version"`
	Mode       Mode       `json:"mode"`
	Thresholds Thresholds `json:"thresholds"`
	// Prior is the model's share of pairs that match, PriorWeight its log2 odds: the
	// match weight of a pair before any evidence.
	Prior       float64 `json:"prior"`
	PriorWeight float64 `json:"prior_weight"`
	MaxBlock    int     `json:"max_block,omitempty"`
}

// ReportSource is one input source: its records and what each column of its header
// filled.
type ReportSource struct {
	Name    string      `json:"name"`
	Records int         `json:"records"`
	Columns []ColumnUse `json:"columns"`
	// Missing are the settings columns the header lacks.
	Missing []string `json:"missing,omitempty"`
}

// ReportRule is one blocking rule's candidates.
type ReportRule struct {
	Rule string `json:"rule"`
	// Candidates are the pairs this rule admits that no earlier rule does.
	Candidates int64 `json:"candidates"`
	Blocks     int   `json:"blocks"`
	// Oversize are the blocks over the cap, skipped.
	Oversize []block.Block `json:"oversize,omitempty"`
	// PairCompleteness, with truth, is the share of true pairs that this rule and the
	// rules before it make candidates (-1 without truth).
	PairCompleteness float64 `json:"pair_completeness"`
}

// ComparisonLevels are a comparison's levels with their parameters.
type ComparisonLevels struct {
	Name   string        `json:"name"`
	Levels []LevelParams `json:"levels"`
}

// LevelParams are a level's m and u and its match weight log2(m/u), as the scorer uses
// it (each probability held at least 1e-6).
type LevelParams struct {
	Name   string  `json:"name"`
	M      float64 `json:"m"`
	U      float64 `json:"u"`
	Weight float64 `json:"weight"`
}

// WeightBin counts candidate pairs with a match weight in [From, From+HistogramWidth).
type WeightBin struct {
	From  float64 `json:"from"`
	Pairs int64   `json:"pairs"`
	// TruePairs, with truth, are the pairs in the bin whose records are one student.
	TruePairs int64 `json:"true_pairs,omitempty"`
}

// ReportExample is a link or a review pair explained.
type ReportExample struct {
	// Kind is "link" or "review".
	Kind string    `json:"kind"`
	A    RecordRef `json:"a"`
	B    RecordRef `json:"b"`
	// Reason is the review reason ("" for a link).
	Reason      string            `json:"reason,omitempty"`
	Explanation score.Explanation `json:"explanation"`
}

// ReportOptions configure NewReport.
type ReportOptions struct {
	// Truth, when set, is each record's true student: the report then evaluates the
	// clusters, the blocking rules and every threshold against it.
	Truth []string
	// Examples is how many links and how many review pairs to explain (default 4 each).
	Examples int
	// Workers score the candidate pairs again for the histogram (default GOMAXPROCS).
	Workers int
}

// NewReport builds the report of a run. It generates and scores the candidate pairs
// again, in parallel and without holding them, for the histogram and, with truth, the
// threshold sweep; with truth it also measures the blocking rules' pair completeness,
// one prefix of the rules at a time. It stops with ctx's error when ctx is cancelled.
func NewReport(ctx context.Context, res *Result, opt ReportOptions) (*Report, error) {
	p := res.Prepared
	roll := p.Roll
	if opt.Truth != nil && len(opt.Truth) != roll.Len() {
		return nil, fmt.Errorf("match: report: %d true IDs for %d records", len(opt.Truth), roll.Len())
	}
	if opt.Examples <= 0 {
		opt.Examples = 4
	}
	s := res.Settings
	m := res.Model
	rep := &Report{
		Title: "studentlink model report",
		Settings: ReportSettings{Name: s.Name, Version: s.Version, Mode: s.Mode, Thresholds: s.Thresholds,
			Prior: m.Prior, PriorWeight: math.Log2(m.Prior / (1 - m.Prior)), MaxBlock: s.MaxBlock},
		Comparisons: ModelLevels(m),
		Training:    res.Training,
		Dropped:     res.Dropped,
	}
	rep.Summary = summarize(res)
	for k, name := range roll.Sources {
		src := ReportSource{Name: name, Columns: roll.Header(k)}
		for _, c := range roll.Missing(k) {
			src.Missing = append(src.Missing, c.Name)
		}
		rep.Sources = append(rep.Sources, src)
	}
	for _, s := range roll.Source {
		rep.Sources[s].Records++
	}
	for _, r := range res.Blocking.Rules {
		rep.Blocking = append(rep.Blocking, ReportRule{Rule: r.Rule, Candidates: r.Candidates, Blocks: r.Blocks, Oversize: r.Oversize, PairCompleteness: -1})
	}
	bo := (&Linker{settings: s}).blockOptions(p, RunOptions{Workers: opt.Workers})
	var sweep *Sweep
	if opt.Truth != nil {
		var sources []int32
		if s.Mode == ModeLink {
			sources = roll.Source
		}
		ev, err := Evaluate(res.Label, opt.Truth, sources)
		if err != nil {
			return nil, err
		}
		rep.Evaluation = &ev
		sweep = NewSweep(0.5, ev.TruePairs)
		for k := range rep.Blocking {
			c, _, err := block.Measure(ctx, p.Table, s.Blocking[:k+1], bo, opt.Truth)
			if err != nil {
				return nil, fmt.Errorf("match: report: blocking: %w", err)
			}
			rep.Blocking[k].PairCompleteness = c.PairCompleteness
			if k == len(rep.Blocking)-1 {
				rep.Completeness = &c
			}
		}
	}
	hist, err := res.scoreAgain(ctx, bo, opt.Truth, sweep)
	if err != nil {
		return nil, err
	}
	rep.Histogram = hist
	if sweep != nil {
		rep.Sweep = sweep.Points()
	}
	rep.Examples = res.examples(opt.Examples)
	return rep, nil
}

// summarize counts what the run did.
func summarize(res *Result) ReportSummary {
	roll := res.Prepared.Roll
	sum := ReportSummary{Records: roll.Len(), Sources: len(roll.Sources), Problems: len(res.Prepared.Problems),
		CandidatePairs: res.CandidatePairs, Students: len(res.StudentIDs), Links: len(res.Links), Refused: len(res.Refusals),
		Review: len(res.Review), IDChanges: len(res.IDChanges)}
	for _, size := range res.clustering.size {
		if size == 1 {
			sum.Singletons++
		}
	}
	return sum
}

// ModelLevels lists every comparison's levels (the null level aside) with m, u and the
// match weight.
func ModelLevels(m *score.Model) []ComparisonLevels {
	var out []ComparisonLevels
	for c, comp := range m.Comparisons {
		cl := ComparisonLevels{Name: comp.Name}
		for l, name := range comp.LevelNames() {
			if l == 0 {
				continue
			}
			cl.Levels = append(cl.Levels, LevelParams{Name: name, M: m.M[c][l], U: m.U[c][l], Weight: m.LevelWeight(c, l)})
		}
		out = append(out, cl)
	}
	return out
}

// scoreAgain generates and scores every candidate pair, counting them by match weight
// and, with truth, adding them to the sweep.
func (r *Result) scoreAgain(ctx context.Context, bo block.Options, truth []string, sweep *Sweep) ([]WeightBin, error) {
	p := r.Prepared
	type local struct {
		bins  map[int64]*WeightBin
		sweep *Sweep
	}
	var mu sync.Mutex
	locals := map[int]*local{}
	_, err := block.Pairs(ctx, p.Table, r.Settings.Blocking, bo, func(w int, batch []block.Pair) error {
		mu.Lock()
		lc := locals[w]
		if lc == nil {
			lc = &local{bins: map[int64]*WeightBin{}}
			if sweep != nil {
				lc.sweep = NewSweep(0.5, 0)
			}
			locals[w] = lc
		}
		mu.Unlock()
		for _, pr := range batch {
			wt := r.scorer.Weight(int(pr.A), int(pr.B))
			k := int64(math.Floor(wt / HistogramWidth))
			b := lc.bins[k]
			if b == nil {
				b = &WeightBin{From: float64(k) * HistogramWidth}
				lc.bins[k] = b
			}
			b.Pairs++
			if truth != nil {
				same := truth[pr.A] == truth[pr.B]
				if same {
					b.TruePairs++
				}
				lc.sweep.Add(wt, same)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("match: report: scoring candidates: %w", err)
	}
	all := map[int64]*WeightBin{}
	for _, lc := range locals {
		for k, b := range lc.bins {
			if a := all[k]; a != nil {
				a.Pairs += b.Pairs
				a.TruePairs += b.TruePairs
			} else {
				all[k] = b
			}
		}
		if sweep != nil {
			sweep.Merge(lc.sweep)
		}
	}
	out := make([]WeightBin, 0, len(all))
	for _, b := range all {
		out = append(out, *b)
	}
	slices.SortFunc(out, func(a, b WeightBin) int { return cmp.Compare(a.From, b.From) })
	return out, nil
}

// examples explains the n weakest links the model made (decisions aside: they have no
// weight to explain) and the n first review pairs.
func (r *Result) examples(n int) []ReportExample {
	roll := r.Prepared.Roll
	links := slices.DeleteFunc(slices.Clone(r.Links), func(l Link) bool { return math.IsInf(l.Weight, 0) })
	slices.SortFunc(links, func(x, y Link) int {
		return cmp.Or(cmp.Compare(x.Weight, y.Weight), compareRefs(roll, x.A, y.A), compareRefs(roll, x.B, y.B))
	})
	var out []ReportExample
	for _, l := range links[:min(n, len(links))] {
		a, b := l.A, l.B
		if compareRefs(roll, a, b) > 0 {
			a, b = b, a
		}
		out = append(out, ReportExample{Kind: "link", A: roll.Ref(int(a)), B: roll.Ref(int(b)), Explanation: r.scorer.Explain(int(a), int(b))})
	}
	for _, it := range r.Review[:min(n, len(r.Review))] {
		out = append(out, ReportExample{Kind: "review", A: roll.Ref(int(it.RecordA)), B: roll.Ref(int(it.RecordB)), Reason: it.Reason, Explanation: it.Explanation})
	}
	return out
}
