package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// A reviewer's verdict naming a record the roll does not hold is not honoured, and the
// summary says so verdict by verdict, with its file and line, beside the count of those
// honoured.
func TestVerdictOnAMissingRecordIsNamed(t *testing.T) {
	dir := t.TempDir()
	roll := filepath.Join(dir, "roll.csv")
	writeText(t, roll, smallRoll)
	decisions := filepath.Join(dir, "review.csv")
	writeText(t, decisions, "record_a,source_a,record_b,source_b,verdict,by,at\n"+
		"R1,roll.csv,R9,roll.csv,same,ann,2026-01-01\n"+
		"R1,roll.csv,R3,roll.csv,different,ann,2026-01-01\n")
	summary, err := runSummary(t, dir, Flags{In: []string{roll}, Decisions: []string{decisions}})
	if err != nil {
		t.Fatal(err)
	}
	got := section(summary, "decisions:", "dropped:")
	want := "decisions:      1 reviewer verdict(s) honoured\n" +
		"  not honoured: DIR/review.csv:2 (R1, R9): record \"R9\" is not in source DIR/roll.csv: skipped\n"
	if got != want {
		t.Errorf("summary's decisions:\n%s\nwant:\n%s", got, want)
	}
	if strings.Count(summary, "not honoured") != 1 {
		t.Errorf("summary:\n%s", summary)
	}
}
