package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	studentlink "github.com/studentlink/studentlink"
	"github.com/studentlink/studentlink/internal/report"
	"github.com/studentlink/studentlink/internal/testkit"
	"github.com/studentlink/studentlink/match"
)

// sampleReport links the embedded sample roll and builds its report, with the roll's
// truth when truth is set.
func sampleReport(t *testing.T, truth bool) *match.Report {
	t.Helper()
	data, err := studentlink.Testdata.ReadFile("testdata/synth/roll.csv")
	if err != nil {
		t.Fatal(err)
	}
	roll, err := match.StudentSettings().NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	if err := roll.ReadCSV("roll.csv", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	l, err := match.New(match.StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := l.Run(ctx, roll, match.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var opt match.ReportOptions
	if truth {
		tf, err := studentlink.Testdata.ReadFile("testdata/synth/truth.csv")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(tf)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		student := map[string]string{}
		for _, r := range rows[1:] {
			student[r[0]] = r[1]
		}
		for _, id := range roll.IDs {
			opt.Truth = append(opt.Truth, student[id])
		}
	}
	rep, err := match.NewReport(ctx, res, opt)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestWriteHTMLSelfContained checks the page asks for nothing from anywhere and escapes
// what it shows.
func TestWriteHTMLSelfContained(t *testing.T) {
	rep := sampleReport(t, false)
	rep.Title = `<script>alert(1)</script> & "roll"`
	rep.Sources[0].Name = `<img src=x onerror=alert(1)>`
	var b bytes.Buffer
	if err := report.WriteHTML(&b, rep); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script", "<img", "<link", "<iframe", "url(", "@import"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	if m := regexp.MustCompile(`<[^>]*\s(src|href|action)=`).FindString(page); m != "" {
		t.Errorf("the page loads something: %s", m)
	}
	ns := `xmlns="http://www.w3.org/2000/svg"`
	if n := strings.Count(page, "://") - strings.Count(page, ns); n != 0 {
		t.Errorf("the page names %d addresses besides the SVG namespace", n)
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the title is not escaped")
	}
	// Without truth, no truth charts.
	if strings.Contains(page, `data-chart="precision-recall"`) {
		t.Error("a precision-recall chart without truth")
	}
}

// TestReportInChromium opens the report in headless Chromium: the page loads with no
// console error, every chart the report should have is there with data in it, and a
// screenshot is taken (left in $STUDENTLINK_SCREENSHOTS, or the temporary directory).
func TestReportInChromium(t *testing.T) {
	exe := testkit.Chromium(t)
	rep := sampleReport(t, true)
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.WriteHTML(f, rep); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.UserDataDir(t.TempDir()), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.WindowSize(1100, 900))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelTime := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelTime()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	var mu sync.Mutex
	var problems []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				problems = append(problems, fmt.Sprintf("console.%s", ev.Type))
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				problems = append(problems, fmt.Sprintf("%s: %s (%s)", ev.Entry.Level, ev.Entry.Text, ev.Entry.URL))
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	enableLog := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, log.Enable, cdp.Empty{})
		return err
	})
	if err := chromedp.Do(ctx, enableLog, chromedp.Navigate("file://"+path), chromedp.WaitReady("body")); err != nil {
		t.Fatalf("loading the report: %v", err)
	}
	type chartData struct {
		Name   string `json:"name"`
		Marks  int    `json:"marks"`
		Width  int    `json:"width"`
		Height int    `json:"height"`
	}
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[[]chartData](`Array.from(document.querySelectorAll("svg.chart")).map(s => {
		const r = s.getBoundingClientRect();
		return {name: s.dataset.chart, marks: s.querySelectorAll(".mark").length, width: Math.round(r.width), height: Math.round(r.height)};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"blocking": false, "histogram": false, "precision-recall": false, "threshold-sweep": false}
	for _, c := range rep.Comparisons {
		want["levels:"+c.Name] = false
	}
	waterfalls := 0
	for _, c := range charts {
		if c.Marks == 0 || c.Width < 100 || c.Height < 40 {
			t.Errorf("chart %s: %d data marks, %d×%d px", c.Name, c.Marks, c.Width, c.Height)
		}
		if _, ok := want[c.Name]; ok {
			want[c.Name] = true
		}
		if strings.HasPrefix(c.Name, "waterfall:") {
			waterfalls++
		}
	}
	for name, seen := range want {
		if !seen {
			t.Errorf("no %s chart in the page", name)
		}
	}
	if waterfalls != len(rep.Examples) || waterfalls == 0 {
		t.Errorf("%d waterfall charts for %d examples", waterfalls, len(rep.Examples))
	}
	// Every level's bars: m, u and weight.
	levels := 0
	for _, c := range rep.Comparisons {
		levels += len(c.Levels)
	}
	marks := 0
	for _, c := range charts {
		if strings.HasPrefix(c.Name, "levels:") {
			marks += c.Marks
		}
	}
	if marks != 3*levels {
		t.Errorf("%d bars in the level charts for %d levels, want 3 each", marks, levels)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if len(png) < 10_000 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("screenshot is %d bytes, not a page's PNG", len(png))
	}
	shots := os.Getenv("STUDENTLINK_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "studentlink-screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(shots, "model-report.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s (%d charts)", shot, len(charts))
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Errorf("the page logged problems: %s", strings.Join(problems, "; "))
	}
}

// TestBlockingNoteNamesWhereTheShareIs: the blocking section's note says where pair
// completeness is shown (the table's column, and brackets in the chart) and only with
// truth; without truth it speaks of no share.
func TestBlockingNoteNamesWhereTheShareIs(t *testing.T) {
	for _, truth := range []bool{false, true} {
		var b bytes.Buffer
		if err := report.WriteHTML(&b, sampleReport(t, truth)); err != nil {
			t.Fatal(err)
		}
		page := b.String()
		_, blocking, _ := strings.Cut(page, `<h2 id="blocking">`)
		note, _, _ := strings.Cut(blocking, "</p>")
		if strings.Contains(note, "in brackets the share") {
			t.Errorf("truth %v: the note puts the share in brackets alone: %s", truth, note)
		}
		hasColumn := strings.Contains(blocking, "<th class=\"n\">pair completeness so far</th>")
		says := strings.Contains(note, "pair completeness so far (in the table's last column")
		if hasColumn != truth || says != truth {
			t.Errorf("truth %v: table column %v, note names it %v: %s", truth, hasColumn, says, note)
		}
	}
}
