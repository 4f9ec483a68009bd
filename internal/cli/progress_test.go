package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/match"
)

// TestProgressLineInALog: written to a file (not a terminal) the report is one line per
// stage with the stage's last count, however fast the updates came, no carriage return.
func TestProgressLineInALog(t *testing.T) {
	var log bytes.Buffer
	report, end := progressLine(&log)
	for d := int64(1); d <= 500; d++ {
		report(match.Progress{Stage: match.StagePrepare, Done: d, Total: 500})
	}
	for d := int64(0); d <= 8; d++ {
		report(match.Progress{Stage: match.StageBlock, Done: d, Total: 8})
	}
	for d := int64(1); d <= 1000; d += 7 {
		report(match.Progress{Stage: match.StageCompare, Done: d})
	}
	for it := int64(1); it <= 12; it++ {
		report(match.Progress{Stage: match.StageTrain, Done: it})
	}
	report(match.Progress{Stage: match.StageScore, Done: 994, Total: 994})
	report(match.Progress{Stage: match.StageScore, Done: 994, Total: 994}) // a second worker's last
	report(match.Progress{Stage: match.StageCluster, Done: 0, Total: 1})
	end()
	want := []string{
		"prepare  500/500 (100%)",
		"block    8/8 rules",
		"compare  995 pairs",
		"train    EM iteration 12",
		"score    994/994 (100%)",
		"cluster  0/1 (0%)",
	}
	if strings.Contains(log.String(), "\r") {
		t.Errorf("carriage return in a log:\n%q", log.String())
	}
	if d := cmp.Diff(want, strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")); d != "" {
		t.Errorf("progress (-want +got):\n%s", d)
	}
}
