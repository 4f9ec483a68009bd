package report

import (
	"fmt"
	"html/template"
	"io"
	"math"

	"github.com/studentlink/studentlink/match"
)

// page is what the template shows: the report and its charts, drawn.
type page struct {
	R          *match.Report
	Blocking   template.HTML
	Levels     []template.HTML
	Histogram  template.HTML
	PR, Sweep  template.HTML
	Examples   []example
	SweepTable []match.SweepPoint
}

type example struct {
	match.ReportExample
	Chart template.HTML
}

// WriteHTML writes the report as one HTML page that needs nothing else: no script, no
// font, no image from anywhere.
func WriteHTML(w io.Writer, r *match.Report) error {
	p := page{R: r, Blocking: blockingChart(r), Histogram: histogramChart(r)}
	maxWeight := 1.0
	for _, c := range r.Comparisons {
		for _, l := range c.Levels {
			maxWeight = math.Max(maxWeight, math.Abs(l.Weight))
		}
	}
	maxWeight = math.Ceil(maxWeight)
	for _, c := range r.Comparisons {
		p.Levels = append(p.Levels, levelsChart(c, maxWeight))
	}
	if len(r.Sweep) > 0 {
		p.PR, p.Sweep = prChart(r), sweepChart(r)
		p.SweepTable = thin(r.Sweep, 40)
	}
	for k, ex := range r.Examples {
		p.Examples = append(p.Examples, example{ex, waterfallChart(fmt.Sprintf("%s-%d", ex.Kind, k+1), ex, r.Settings.Thresholds)})
	}
	return pageTemplate.Execute(w, p)
}

// thin keeps at most n points of the sweep, evenly spaced, the first and last included.
func thin(points []match.SweepPoint, n int) []match.SweepPoint {
	if len(points) <= n {
		return points
	}
	out := make([]match.SweepPoint, 0, n)
	for k := range n {
		out = append(out, points[k*(len(points)-1)/(n-1)])
	}
	return out
}

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct": func(v float64) string { return fmt.Sprintf("%.2f%%", 100*v) },
	"f4":  func(v float64) string { return fmt.Sprintf("%.4f", v) },
	"f2":  func(v float64) string { return fmt.Sprintf("%.2f", v) },
	"g":   func(v float64) string { return fmt.Sprintf("%.4g", v) },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.R.Title}}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; color: #222; margin: 24px auto; max-width: 1000px; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; } h3 { font-size: 15px; margin-bottom: 4px; }
table { border-collapse: collapse; margin: 8px 0; } td, th { padding: 2px 10px 2px 0; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #555; } .warn { color: #a33; }
svg.chart { display: block; margin: 6px 0 14px; max-width: 100%; height: auto; font: 11px system-ui, sans-serif; }
svg .axis, svg .zero { stroke: #888; stroke-width: 1; }
svg .tick, svg .value { fill: #444; } svg .caption, svg .legend { fill: #222; } svg .label { fill: #222; }
svg .bar { fill: #8aa4c8; } svg .true { fill: #3c9a5f; fill-opacity: .85; }
svg .m { fill: #3c9a5f; } svg .u { fill: #c98b3c; } svg .pos { fill: #3c9a5f; } svg .neg { fill: #c0504d; } svg .total { fill: #4a6fa5; }
svg .threshold { stroke-width: 1.5; stroke-dasharray: 4 3; } svg .upper { stroke: #1b7f3b; } svg .lower { stroke: #c98b3c; } svg .different { stroke: #c0504d; }
svg .threshold-label { fill: #333; }
svg polyline { fill: none; stroke-width: 2; } svg .curve { stroke: #4a6fa5; } svg .precision { stroke: #4a6fa5; } svg .recall { stroke: #c98b3c; } svg .f1 { stroke: #3c9a5f; }
svg line.precision, svg line.recall, svg line.f1 { stroke-width: 2; } svg .at-upper { fill: #1b7f3b; }
</style>
</head>
<body>
<h1>{{.R.Title}}</h1>
<p class="note">Settings {{.R.Settings.Name}} ({{.R.Settings.Version}}), mode {{.R.Settings.Mode}}.
A pair links at a match weight of {{.R.Settings.Thresholds.Upper}} bits or more, goes to review from {{.R.Settings.Thresholds.Lower}},
and two records under {{.R.Settings.Thresholds.Different}} never share a student. The prior is {{g .R.Settings.Prior}} ({{f2 .R.Settings.PriorWeight}} bits): the weight of a pair before any evidence.</p>

<h2 id="summary">Run</h2>
{{with .R.Summary}}<table>
<tr><td>records</td><td class="n">{{.Records}}</td><td>from {{.Sources}} source(s){{if $.R.Summary.RowsRead}}; {{.RowsRead}} row(s) read, {{.RowsRejected}} set aside{{end}}</td></tr>
<tr><td>values that could not be used</td><td class="n">{{.Problems}}</td><td></td></tr>
<tr><td>candidate pairs</td><td class="n">{{.CandidatePairs}}</td><td></td></tr>
<tr><td>students</td><td class="n">{{.Students}}</td><td>{{.Singletons}} with one record</td></tr>
<tr><td>links</td><td class="n">{{.Links}}</td><td>{{.Refused}} refused</td></tr>
<tr><td>pairs for review</td><td class="n">{{.Review}}</td><td></td></tr>
<tr><td>students split or merged since the earlier run</td><td class="n">{{.IDChanges}}</td><td></td></tr>
</table>{{end}}
{{if .R.Elapsed}}<p class="note">Linked in {{f2 .R.Elapsed}} s.</p>{{end}}
{{with .R.Evaluation}}<p>Against the truth: {{.TrueClusters}} true students, {{.TruePairs}} true pairs; pairwise precision {{f4 .Precision}}, recall {{f4 .Recall}}, F1 {{f4 .F1}}.</p>{{end}}

<h2 id="columns">Columns and roles</h2>
{{range .R.Sources}}<h3>{{.Name}} — {{.Records}} record(s)</h3>
<table><tr><th>column in the file</th><th>fills</th><th>role</th><th>matched by</th></tr>
{{range .Columns}}<tr><td>{{.Header}}</td>{{if .Column}}<td>{{.Column}}</td><td>{{if .Role}}{{.Role}}{{else}}record ID{{end}}</td><td>{{.How}}</td>{{else}}<td class="note" colspan="3">ignored</td>{{end}}</tr>
{{end}}</table>
{{if .Missing}}<p class="note">Not in the file: {{range $i, $m := .Missing}}{{if $i}}, {{end}}{{$m}}{{end}}.</p>{{end}}
{{end}}
{{if .R.Dropped}}<p class="warn">Left out for want of data: {{range $i, $d := .R.Dropped}}{{if $i}}; {{end}}{{$d.Kind}} {{$d.Name}}{{end}}.</p>{{end}}

<h2 id="blocking">Blocking rules</h2>
<p class="note">Each rule's new candidates: the candidate pairs it makes that no earlier rule made{{if .R.Completeness}}; pair completeness so far (in the table's last column, and in brackets beside the chart's bars) is the share of true pairs that the rule and the rules before it make candidates{{end}}.</p>
{{.Blocking}}
<table><tr><th>rule</th><th class="n">new candidates</th><th class="n">blocks</th><th class="n">blocks over the cap</th>{{if .R.Completeness}}<th class="n">pair completeness so far</th>{{end}}</tr>
{{range .R.Blocking}}<tr><td>{{.Rule}}</td><td class="n">{{.Candidates}}</td><td class="n">{{.Blocks}}</td><td class="n">{{len .Oversize}}</td>{{if $.R.Completeness}}<td class="n">{{f4 .PairCompleteness}}</td>{{end}}</tr>
{{end}}</table>
{{with .R.Completeness}}<p>{{.Found}} of {{.TruePairs}} true pairs are candidates (pair completeness {{f4 .PairCompleteness}}); reduction ratio {{f4 .ReductionRatio}}.</p>{{end}}

<h2 id="model">Comparisons: m, u and match weight per level</h2>
<p class="note">m is how often a level occurs among pairs of one student, u among pairs of different students; the weight log2(m/u) is what the level adds to a pair's match weight.</p>
{{range $i, $c := .R.Comparisons}}<h3>{{$c.Name}}</h3>
{{index $.Levels $i}}
{{end}}

<h2 id="histogram">Match weights of the candidate pairs</h2>
<p class="note">Every candidate pair by match weight (log scale), with the link, review and different thresholds.</p>
{{.Histogram}}

<h2 id="training">Training</h2>
{{with .R.Training}}<table>
<tr><td>method</td><td>{{.Method}}</td></tr>
<tr><td>candidate pairs</td><td class="n">{{.CandidatePairs}}</td></tr>
<tr><td>other pairs {{if .Exhaustive}}counted{{else}}sampled{{end}}</td><td class="n">{{.SampledPairs}}</td></tr>
<tr><td>EM iterations</td><td class="n">{{.EM.Iterations}} ({{if .EM.Converged}}converged{{else}}did not converge{{end}})</td></tr>
<tr><td>log-likelihood</td><td class="n">{{g .EM.LogLikelihood}}</td></tr>
<tr><td>prior</td><td class="n">{{g .Prior}}</td></tr>
</table>
{{if .Defaulted}}<p class="warn">m set to the documented defaults for: {{range $i, $d := .Defaulted}}{{if $i}}, {{end}}{{$d}}{{end}}.</p>{{end}}
{{if .Warnings}}<ul class="warn">{{range .Warnings}}<li>{{.}}</li>{{end}}</ul>{{else}}<p>No warnings.</p>{{end}}
{{else}}<p>The model was loaded, not trained on this roll.</p>{{end}}

{{if .SweepTable}}<h2 id="truth">Precision and recall by threshold</h2>
<p class="note">Precision and recall of the candidate pairs scoring at or above each threshold (before clustering), against the truth; the dot is the link threshold.</p>
{{.PR}}
{{.Sweep}}
<table><tr><th class="n">threshold</th><th class="n">pairs</th><th class="n">correct</th><th class="n">precision</th><th class="n">recall</th><th class="n">F1</th></tr>
{{range .SweepTable}}<tr><td class="n">{{.Weight}}</td><td class="n">{{.Pairs}}</td><td class="n">{{.TruePositives}}</td><td class="n">{{f4 .Precision}}</td><td class="n">{{f4 .Recall}}</td><td class="n">{{f4 .F1}}</td></tr>
{{end}}</table>{{end}}

<h2 id="examples">Links and review pairs explained</h2>
{{range .Examples}}<h3>{{if eq .Kind "link"}}Link{{else}}Review{{end}}: {{.A}} and {{.B}} — weight {{f2 .Explanation.Weight}} (p {{f4 .Explanation.Probability}})</h3>
{{if .Reason}}<p class="note">{{.Reason}}</p>{{end}}
{{.Chart}}
{{else}}<p>No links and no review pairs to explain.</p>
{{end}}
</body>
</html>
`))
