package report

import (
	"fmt"
	"html/template"
	"math"

	"github.com/studentlink/studentlink/match"
)

// levelsChart draws one comparison's levels: m and u (0 to 1) and the match weight in
// bits, each level a row; weights share the scale maxWeight so comparisons compare.
func levelsChart(c match.ComparisonLevels, maxWeight float64) template.HTML {
	const label, panel, gap, row, top = 170.0, 130.0, 50.0, 22.0, 34.0
	wPanel := 2 * panel
	width := label + 2*(panel+gap) + wPanel + 60
	h := top + row*float64(len(c.Levels)) + 36
	ch := newChart("levels:"+c.Name, width, h, "m, u and match weight of the levels of "+c.Name)
	mX := label
	uX := mX + panel + gap
	wX := uX + panel + gap
	ch.text(mX+panel/2, 16, "middle", "caption", "m (share of matches)")
	ch.text(uX+panel/2, 16, "middle", "caption", "u (share of non-matches)")
	ch.text(wX+wPanel/2, 16, "middle", "caption", "match weight, bits")
	ws := scale{-maxWeight, maxWeight, wX, wX + wPanel}
	ch.line(ws.at(0), top-6, ws.at(0), h-30, "zero")
	for k, l := range c.Levels {
		y := top + row*float64(k)
		ch.text(label-8, y+14, "end", "label", l.Name)
		ch.rect(mX, y+3, panel*l.M, row-8, "m", fmt.Sprintf("%s %s: m = %.4g", c.Name, l.Name, l.M), true)
		ch.text(mX+panel*l.M+4, y+14, "start", "value", fmt.Sprintf("%.3g", l.M))
		ch.rect(uX, y+3, panel*l.U, row-8, "u", fmt.Sprintf("%s %s: u = %.4g", c.Name, l.Name, l.U), true)
		ch.text(uX+panel*l.U+4, y+14, "start", "value", fmt.Sprintf("%.3g", l.U))
		class := "pos"
		if l.Weight < 0 {
			class = "neg"
		}
		x0, x1 := ws.at(0), ws.at(l.Weight)
		ch.rect(x0, y+3, x1-x0, row-8, class, fmt.Sprintf("%s %s: weight %+.2f bits (m/u = %.3g)", c.Name, l.Name, l.Weight, math.Exp2(l.Weight)), true)
		anchor, dx := "start", 4.0
		if l.Weight < 0 {
			anchor, dx = "end", -4
		}
		ch.text(x1+dx, y+14, anchor, "value", fmt.Sprintf("%+.1f", l.Weight))
	}
	ch.xAxis(ws, h-30, 4, "%g", "")
	return ch.html()
}

// histogramChart draws the candidate pairs by match weight, on a log scale, with the
// thresholds marked; with truth, the pairs of one student over them.
func histogramChart(r *match.Report) template.HTML {
	const width, height, left, right, top, bottom = 760.0, 300.0, 64.0, 20.0, 28.0, 48.0
	ch := newChart("histogram", width, height, "candidate pairs by match weight")
	th := r.Settings.Thresholds
	lo, hi := th.Lower, th.Upper
	var most int64 = 1
	for _, b := range r.Histogram {
		lo, hi = math.Min(lo, b.From), math.Max(hi, b.From+match.HistogramWidth)
		most = max(most, b.Pairs)
	}
	lo, hi = math.Floor(lo)-1, math.Ceil(hi)+1
	xs := scale{lo, hi, left, width - right}
	ys := scale{0, math.Log10(float64(most) + 1), height - bottom, top}
	withTruth := r.Evaluation != nil
	for _, b := range r.Histogram {
		x0, x1 := xs.at(b.From), xs.at(b.From+match.HistogramWidth)
		y := ys.at(math.Log10(float64(b.Pairs) + 1))
		ch.rect(x0+0.5, y, x1-x0-1, height-bottom-y, "bar", fmt.Sprintf("weight %g to %g: %d pairs", b.From, b.From+match.HistogramWidth, b.Pairs), true)
		if withTruth && b.TruePairs > 0 {
			yt := ys.at(math.Log10(float64(b.TruePairs) + 1))
			ch.rect(x0+0.5, yt, x1-x0-1, height-bottom-yt, "true", fmt.Sprintf("weight %g to %g: %d pairs of one student", b.From, b.From+match.HistogramWidth, b.TruePairs), true)
		}
	}
	thresholdLines(ch, xs, top, height-bottom, th)
	ch.xAxis(xs, height-bottom, 10, "%g", "match weight (bits)")
	ch.yAxis(ys, left, 4, "%.0f", "log10(pairs + 1)")
	if withTruth {
		ch.rect(width-right-170, 6, 10, 10, "true", "", false)
		ch.text(width-right-155, 15, "start", "legend", "pairs of one student (truth)")
	}
	return ch.html()
}

// thresholdLines marks the thresholds within a chart's x scale.
func thresholdLines(ch *chart, xs scale, top, bottom float64, th match.Thresholds) {
	for k, t := range []struct {
		v     float64
		name  string
		class string
	}{{th.Upper, "link", "upper"}, {th.Lower, "review", "lower"}, {th.Different, "different", "different"}} {
		if t.v < xs.lo || t.v > xs.hi {
			continue
		}
		x := xs.at(t.v)
		ch.line(x, top, x, bottom, "threshold "+t.class)
		ch.text(x+3, top+10+float64(k)*12, "start", "threshold-label", fmt.Sprintf("%s %g", t.name, t.v))
	}
}

// blockingChart draws each blocking rule's new candidates, and with truth the pair
// completeness reached by it and the rules before.
func blockingChart(r *match.Report) template.HTML {
	const label, barW, row, top = 330.0, 300.0, 24.0, 24.0
	h := top + row*float64(len(r.Blocking)) + 40
	ch := newChart("blocking", label+barW+140, h, "candidate pairs per blocking rule")
	var most int64 = 1
	for _, b := range r.Blocking {
		most = max(most, b.Candidates)
	}
	xs := scale{0, float64(most), label, label + barW}
	ch.text(label, 14, "start", "caption", "new candidate pairs (and pair completeness so far)")
	for k, b := range r.Blocking {
		y := top + row*float64(k)
		ch.text(label-8, y+15, "end", "label", shorten(b.Rule, 52))
		ch.rect(label, y+4, xs.at(float64(b.Candidates))-label, row-8, "bar", fmt.Sprintf("%s: %d new candidate pairs in %d blocks", b.Rule, b.Candidates, b.Blocks), true)
		v := fmt.Sprint(b.Candidates)
		if b.PairCompleteness >= 0 {
			v += fmt.Sprintf("  (%.4f)", b.PairCompleteness)
		}
		ch.text(xs.at(float64(b.Candidates))+4, y+15, "start", "value", v)
	}
	ch.xAxis(xs, h-36, 4, "%.0f", "")
	return ch.html()
}

// prChart draws precision against recall over the thresholds of the sweep, with the
// upper threshold's point marked.
func prChart(r *match.Report) template.HTML {
	const size, left, bottom, pad = 360.0, 56.0, 48.0, 16.0
	ch := newChart("precision-recall", size+left+pad, size+bottom+pad, "precision against recall")
	minP := 1.0
	for _, p := range r.Sweep {
		minP = math.Min(minP, p.Precision)
	}
	minP = math.Floor(minP*10) / 10
	xs := scale{0, 1, left, left + size}
	ys := scale{minP, 1, pad + size, pad}
	var px, py []float64
	for _, p := range r.Sweep {
		px = append(px, xs.at(p.Recall))
		py = append(py, ys.at(p.Precision))
	}
	ch.polyline(px, py, "curve", "precision and recall of the candidate pairs at each threshold")
	if p, ok := pointAt(r.Sweep, r.Settings.Thresholds.Upper); ok {
		ch.dot(xs.at(p.Recall), ys.at(p.Precision), "at-upper", fmt.Sprintf("link threshold %g: precision %.4f, recall %.4f", r.Settings.Thresholds.Upper, p.Precision, p.Recall))
	}
	ch.xAxis(xs, pad+size, 5, "%.1f", "recall")
	ch.yAxis(ys, left, 5, "%.2f", "precision")
	return ch.html()
}

// pointAt returns the sweep point of the lowest threshold at or above w.
func pointAt(sweep []match.SweepPoint, w float64) (match.SweepPoint, bool) {
	var best match.SweepPoint
	found := false
	for _, p := range sweep {
		if p.Weight >= w && (!found || p.Weight < best.Weight) {
			best, found = p, true
		}
	}
	return best, found
}

// sweepChart draws precision, recall and F1 of the candidate pairs against the threshold.
func sweepChart(r *match.Report) template.HTML {
	const width, height, left, right, top, bottom = 760.0, 300.0, 56.0, 20.0, 20.0, 48.0
	ch := newChart("threshold-sweep", width, height, "precision, recall and F1 by threshold")
	lo, hi := r.Settings.Thresholds.Lower, r.Settings.Thresholds.Upper
	for _, p := range r.Sweep {
		lo, hi = math.Min(lo, p.Weight), math.Max(hi, p.Weight)
	}
	xs := scale{math.Floor(lo) - 1, math.Ceil(hi) + 1, left, width - right}
	ys := scale{0, 1, height - bottom, top}
	series := []struct {
		name, class string
		get         func(match.SweepPoint) float64
	}{
		{"precision", "precision", func(p match.SweepPoint) float64 { return p.Precision }},
		{"recall", "recall", func(p match.SweepPoint) float64 { return p.Recall }},
		{"F1", "f1", func(p match.SweepPoint) float64 { return p.F1 }},
	}
	for k, s := range series {
		var px, py []float64
		for _, p := range r.Sweep {
			px = append(px, xs.at(p.Weight))
			py = append(py, ys.at(s.get(p)))
		}
		ch.polyline(px, py, s.class, s.name+" of the pairs at or above each threshold")
		ch.line(width-right-90, top+14*float64(k)+6, width-right-74, top+14*float64(k)+6, s.class)
		ch.text(width-right-70, top+14*float64(k)+10, "start", "legend", s.name)
	}
	thresholdLines(ch, xs, top, height-bottom, r.Settings.Thresholds)
	ch.xAxis(xs, height-bottom, 10, "%g", "threshold (match weight, bits)")
	ch.yAxis(ys, left, 5, "%.1f", "")
	return ch.html()
}

// waterfallChart explains one pair: the prior, then each comparison's weight (and
// term-frequency adjustment) added in turn, to the final match weight.
func waterfallChart(id string, ex match.ReportExample, th match.Thresholds) template.HTML {
	e := ex.Explanation
	type step struct {
		name string
		w    float64
	}
	steps := []step{{"prior", e.Prior}}
	for _, t := range e.Terms {
		steps = append(steps, step{t.Comparison + ": " + t.LevelName, t.Weight})
		if t.TermFrequency != 0 {
			steps = append(steps, step{t.Comparison + ": how common the value is", t.TermFrequency})
		}
	}
	lo, hi, run := math.Min(0, th.Lower), math.Max(0, th.Upper), 0.0
	for _, s := range steps {
		run += s.w
		lo, hi = math.Min(lo, math.Min(run, run-s.w)), math.Max(hi, math.Max(run, run-s.w))
	}
	const label, barW, row, top = 250.0, 420.0, 20.0, 8.0
	h := top + row*float64(len(steps)+1) + 44
	ch := newChart("waterfall:"+id, label+barW+70, h, "how the match weight of "+ex.A.String()+" and "+ex.B.String()+" adds up")
	xs := scale{math.Floor(lo) - 1, math.Ceil(hi) + 1, label, label + barW}
	run = 0
	for k, s := range steps {
		y := top + row*float64(k)
		class := "pos"
		if s.w < 0 {
			class = "neg"
		}
		ch.text(label-8, y+14, "end", "label", s.name)
		ch.rect(xs.at(run), y+3, xs.at(run+s.w)-xs.at(run), row-6, class, fmt.Sprintf("%s: %+.2f bits", s.name, s.w), true)
		run += s.w
		ch.text(math.Max(xs.at(run), xs.at(run-s.w))+4, y+14, "start", "value", fmt.Sprintf("%+.2f", s.w))
	}
	y := top + row*float64(len(steps))
	ch.text(label-8, y+14, "end", "label total", "match weight")
	ch.rect(xs.at(0), y+3, xs.at(e.Weight)-xs.at(0), row-6, "total", fmt.Sprintf("match weight %.2f (p %.4f)", e.Weight, e.Probability), true)
	ch.text(math.Max(xs.at(e.Weight), xs.at(0))+4, y+14, "start", "value", fmt.Sprintf("%.2f", e.Weight))
	ch.line(xs.at(0), top, xs.at(0), y+row, "zero")
	thresholdLines(ch, xs, top, y+row, match.Thresholds{Upper: th.Upper, Lower: th.Lower, Different: math.Inf(-1)})
	ch.xAxis(xs, h-36, 8, "%g", "match weight (bits)")
	return ch.html()
}

// shorten cuts s to n runes, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
