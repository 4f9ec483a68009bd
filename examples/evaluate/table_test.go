package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	goldenfile "github.com/studentlink/studentlink/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// childEnv, set, makes the test binary act as the program: the suite runs each set in a
// child process of its own executable, which under test is this binary.
const childEnv = "STUDENTLINK_EVALUATE_AS_PROGRAM"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(program())
	}
	os.Exit(m.Run())
}

// golden compares got with testdata/name, which -update rewrites.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got, *update)
}

// A failed set reads "error" in its row, in the column a reader looks at, and never as
// an F1 of 0; the table keeps its columns.
func TestTableShowsErrors(t *testing.T) {
	rows := []Row{
		{Set: "febrl1", Mode: "dedupe", Columns: []string{"given_name"}, Records: 1000, Candidates: 2500, PairsPerRecord: 2.5,
			Completeness: 1, Precision: 0.99, Recall: 0.98, F1: 0.985, TruePairs: 500, Seconds: 1.25, PeakMB: 40},
		{Set: "census", Mode: "link", Err: "datasets: open secondstring-census/census.csv: file does not exist"},
	}
	var table, md bytes.Buffer
	WriteTable(&table, rows)
	WriteMarkdown(&md, rows)
	golden(t, "table.golden", table.String())
	golden(t, "table.md.golden", md.String())
	for what, out := range map[string]string{"table": table.String(), "markdown": md.String()} {
		if strings.Contains(out, "does not exist") {
			t.Errorf("the %s holds the error message, which belongs on stderr:\n%s", what, out)
		}
	}
}

// A set whose files are missing is an error on stderr and in its row, and the suite exits
// 1 after printing the table, the sets that ran included.
func TestFailedSetExitsNonZero(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a set")
	}
	t.Setenv(childEnv, "1")
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "rldata", "RLdata500.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "rldata"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rldata", "RLdata500.csv"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-data", dir, "-sets", "rldata500,febrl1"}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("table:\n%s", stdout.String())
	}
	if f := strings.Fields(lines[1]); f[0] != "rldata500" || f[len(f)-3] == "error" || f[len(f)-3] == "0.0000" {
		t.Errorf("rldata500's row: %q", lines[1])
	}
	if f := strings.Fields(lines[2]); f[0] != "febrl1" || f[len(f)-3] != "error" {
		t.Errorf("febrl1's row should read error in the F1 column: %q", lines[2])
	}
	for _, want := range []string{"febrl1           error: ", "febrl/dataset1.csv", "evaluate: 1 of 2 set(s) failed: febrl1"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if strings.Contains(stderr.String(), "F1 0.0000") {
		t.Errorf("a failed set is reported as F1 0:\n%s", stderr.String())
	}
}
