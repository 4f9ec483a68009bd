package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// chart builds one inline SVG chart. Every element that stands for data carries the
// class "mark", so that a test can tell a chart with data from an empty one.
type chart struct {
	b    strings.Builder
	w, h float64
}

func newChart(name string, w, h float64, label string) *chart {
	c := &chart{w: w, h: h}
	fmt.Fprintf(&c.b, `<svg class="chart" data-chart="%s" role="img" aria-label="%s" viewBox="0 0 %g %g" width="%g" height="%g" xmlns="http://www.w3.org/2000/svg">`,
		html.EscapeString(name), html.EscapeString(label), w, h, w, h)
	return c
}

// rect draws a bar; title is its tooltip. A mark is data; other rects are decoration.
func (c *chart) rect(x, y, w, h float64, class, title string, mark bool) {
	if w < 0 {
		x, w = x+w, -w
	}
	if h < 0 {
		y, h = y+h, -h
	}
	if mark {
		class = strings.TrimSpace(class + " mark")
	}
	fmt.Fprintf(&c.b, `<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" class="%s">`, x, y, math.Max(w, 0.5), h, class)
	if title != "" {
		fmt.Fprintf(&c.b, `<title>%s</title>`, html.EscapeString(title))
	}
	c.b.WriteString(`</rect>`)
}

func (c *chart) line(x1, y1, x2, y2 float64, class string) {
	fmt.Fprintf(&c.b, `<line x1="%.2f" y1="%.2f" x2="%.2f" y2="%.2f" class="%s"/>`, x1, y1, x2, y2, class)
}

// text writes a label; anchor is start, middle or end.
func (c *chart) text(x, y float64, anchor, class, s string) {
	fmt.Fprintf(&c.b, `<text x="%.2f" y="%.2f" text-anchor="%s" class="%s">%s</text>`, x, y, anchor, class, html.EscapeString(s))
}

// polyline draws a data line through the points.
func (c *chart) polyline(xs, ys []float64, class, title string) {
	var pts strings.Builder
	for k := range xs {
		fmt.Fprintf(&pts, "%.2f,%.2f ", xs[k], ys[k])
	}
	fmt.Fprintf(&c.b, `<polyline points="%s" class="%s mark"><title>%s</title></polyline>`, strings.TrimSpace(pts.String()), class, html.EscapeString(title))
}

// dot marks one data point.
func (c *chart) dot(x, y float64, class, title string) {
	fmt.Fprintf(&c.b, `<circle cx="%.2f" cy="%.2f" r="3.5" class="%s mark"><title>%s</title></circle>`, x, y, class, html.EscapeString(title))
}

func (c *chart) html() template.HTML {
	c.b.WriteString(`</svg>`)
	return template.HTML(c.b.String())
}

// scale maps [lo, hi] linearly onto [a, b].
type scale struct{ lo, hi, a, b float64 }

func (s scale) at(v float64) float64 {
	if s.hi == s.lo {
		return (s.a + s.b) / 2
	}
	return s.a + (v-s.lo)/(s.hi-s.lo)*(s.b-s.a)
}

// ticks returns about n round values spanning [lo, hi].
func ticks(lo, hi float64, n int) []float64 {
	if !(hi > lo) {
		return []float64{lo}
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []float64
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		out = append(out, math.Round(v/step)*step)
	}
	return out
}

// xAxis draws a horizontal axis at y with ticks and a caption.
func (c *chart) xAxis(s scale, y float64, n int, format, caption string) {
	c.line(s.a, y, s.b, y, "axis")
	for _, v := range ticks(s.lo, s.hi, n) {
		x := s.at(v)
		c.line(x, y, x, y+4, "axis")
		c.text(x, y+16, "middle", "tick", fmt.Sprintf(format, v))
	}
	if caption != "" {
		c.text((s.a+s.b)/2, y+32, "middle", "caption", caption)
	}
}

// yAxis draws a vertical axis at x with ticks and a caption.
func (c *chart) yAxis(s scale, x float64, n int, format, caption string) {
	c.line(x, s.a, x, s.b, "axis")
	for _, v := range ticks(math.Min(s.lo, s.hi), math.Max(s.lo, s.hi), n) {
		y := s.at(v)
		c.line(x-4, y, x, y, "axis")
		c.text(x-6, y+4, "end", "tick", fmt.Sprintf(format, v))
	}
	if caption != "" {
		fmt.Fprintf(&c.b, `<text transform="translate(%.2f %.2f) rotate(-90)" text-anchor="middle" class="caption">%s</text>`, x-44, (s.a+s.b)/2, html.EscapeString(caption))
	}
}
