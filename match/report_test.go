package match

import (
	"context"
	"encoding/json"
	"flag"
	"math"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var updateReport = flag.Bool("update-report", false, "rewrite testdata/report/golden.json")

// reportRun links the sample roll with the student preset, trained on it.
func reportRun(t *testing.T) (*Result, []string) {
	t.Helper()
	roll := readRoll(t, StudentSettings(), sampleRoll)
	_, res := linkRoll(t, StudentSettings(), roll)
	return res, readTruth(t, sampleTruth, roll)
}

// TestReportGolden pins the report's data for the sample roll under the student preset:
// a change to the preset, training or scoring shows here. After a deliberate change,
// rewrite it with go test ./match -run TestReportGolden -update-report and read the diff.
func TestReportGolden(t *testing.T) {
	res, truth := reportRun(t)
	rep, err := NewReport(context.Background(), res, ReportOptions{Truth: truth, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/report/golden.json"
	if *updateReport {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	var want Report
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	// Through JSON, as the golden file went, so that both sides hold the same types.
	b, err = json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var got Report
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got, cmpopts.EquateApprox(1e-9, 1e-12)); d != "" {
		t.Errorf("report (-%s +got); if the change is meant, rerun with -update-report:\n%s", golden, d)
	}
}

// TestReportAddsUp checks the report against the run it describes.
func TestReportAddsUp(t *testing.T) {
	res, truth := reportRun(t)
	ctx := context.Background()
	rep, err := NewReport(ctx, res, ReportOptions{Truth: truth, Examples: 3})
	if err != nil {
		t.Fatal(err)
	}
	var pairs, inRules int64
	for _, b := range rep.Histogram {
		pairs += b.Pairs
		if b.TruePairs > b.Pairs {
			t.Errorf("bin %g: %d true pairs of %d", b.From, b.TruePairs, b.Pairs)
		}
	}
	for _, r := range rep.Blocking {
		inRules += r.Candidates
	}
	if pairs != res.CandidatePairs || inRules != res.CandidatePairs {
		t.Errorf("histogram holds %d pairs, the rules %d; the run had %d candidates", pairs, inRules, res.CandidatePairs)
	}
	last := rep.Sweep[len(rep.Sweep)-1]
	if last.Pairs != res.CandidatePairs || last.TruePositives != rep.Completeness.Found {
		t.Errorf("lowest threshold: %d pairs, %d correct; want every candidate (%d) and every true pair found (%d)",
			last.Pairs, last.TruePositives, res.CandidatePairs, rep.Completeness.Found)
	}
	for k := 1; k < len(rep.Blocking); k++ {
		if rep.Blocking[k].PairCompleteness < rep.Blocking[k-1].PairCompleteness {
			t.Errorf("pair completeness falls from rule %d to %d", k-1, k)
		}
	}
	if pc := rep.Blocking[len(rep.Blocking)-1].PairCompleteness; pc != rep.Completeness.PairCompleteness {
		t.Errorf("completeness of every rule %g, of the run %g", pc, rep.Completeness.PairCompleteness)
	}
	links, review := 0, 0
	for _, ex := range rep.Examples {
		sum := ex.Explanation.Prior
		for _, term := range ex.Explanation.Terms {
			sum += term.Weight + term.TermFrequency
		}
		if math.Abs(sum-ex.Explanation.Weight) > 1e-9 {
			t.Errorf("%s %v/%v: terms add to %g, weight %g", ex.Kind, ex.A, ex.B, sum, ex.Explanation.Weight)
		}
		switch ex.Kind {
		case "link":
			links++
			if ex.Explanation.Weight < rep.Settings.Thresholds.Upper {
				t.Errorf("link %v/%v under the link threshold: %g", ex.A, ex.B, ex.Explanation.Weight)
			}
		case "review":
			review++
		}
	}
	if links != 3 || review != 3 {
		t.Errorf("%d links and %d review pairs explained, want 3 each", links, review)
	}
	noTruth, err := NewReport(ctx, res, ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if noTruth.Evaluation != nil || noTruth.Sweep != nil || noTruth.Blocking[0].PairCompleteness != -1 {
		t.Error("a report without truth has truth's sections")
	}
	if _, err := NewReport(ctx, res, ReportOptions{Truth: truth[1:]}); err == nil {
		t.Error("truth of the wrong length: want an error")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := NewReport(cancelled, res, ReportOptions{Truth: truth}); err == nil {
		t.Error("cancelled: want an error")
	}
}
