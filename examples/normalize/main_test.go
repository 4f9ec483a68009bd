package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	goldenfile "github.com/studentlink/studentlink/internal/golden"
	"golang.org/x/text/encoding/charmap"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// normalizeRun runs the program with args and returns its exit status, stdout and stderr.
func normalizeRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errs bytes.Buffer
	code := run(args, &out, &errs)
	return code, out.String(), errs.String()
}

func TestRunSample(t *testing.T) {
	code, got, stderr := normalizeRun(t)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"record r01",
		`family "garcia lopez" key "garcialopez"`,
		"birth 2012-03-04",
		`problem: birth_date "13/45/2011"`,
		`problem: birth_date "2010-02-30"`,
		`problem: ssid "not known"`,
		`suffix "jr"`,
		"sex Female  grade 4",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if n := strings.Count(got, "record r"); n != 12 {
		t.Errorf("%d records printed, want 12", n)
	}
	if !strings.Contains(stderr, "columns of testdata/normalize/sample_roll.csv:") || strings.Contains(stderr, "record r01") {
		t.Errorf("stderr should say what each column was taken for, and hold no records:\n%s", stderr)
	}
}

// districtRoll is an export as a district writes it: its own header names, in its own
// order, and a value in Windows-1252 once encoded.
const districtRoll = `RECORD_ID,Last_Name,FirstName,DOB,Gender,SSID,Notes
d1,García,José,03/04/2012,M,482913765,transfer
d2,Smith,Bobby,2011-12-01,F,,
`

// A district's header is read through the same aliases as dedupe's, in any encoding: the
// records come out prepared (pinned in testdata/district.golden), the same from a
// Windows-1252 copy, and stderr says which column was taken for what.
func TestDistrictHeader(t *testing.T) {
	dir := t.TempDir()
	utf8Path, cp1252Path := filepath.Join(dir, "district.csv"), filepath.Join(dir, "district-1252.csv")
	cp, err := charmap.Windows1252.NewEncoder().Bytes([]byte(districtRoll))
	if err != nil {
		t.Fatal(err)
	}
	for path, b := range map[string][]byte{utf8Path: []byte(districtRoll), cp1252Path: cp} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, got, stderr := normalizeRun(t, "-in", utf8Path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	goldenfile.Check(t, filepath.Join("testdata", "district.golden"), got, *update)
	for _, line := range []string{
		"  DOB        birth_date   (column birth_date, matched by a name districts use)",
		"  FirstName  given_name   (column first_name, matched by name, case and punctuation aside)",
		"  ignored: Notes",
	} {
		if !strings.Contains(stderr, line) {
			t.Errorf("stderr lacks %q:\n%s", line, stderr)
		}
	}
	code, again, stderr := normalizeRun(t, "-in", cp1252Path, "-encoding", "windows-1252")
	if code != 0 {
		t.Fatalf("windows-1252: exit %d: %s", code, stderr)
	}
	if d := cmp.Diff(got, again); d != "" {
		t.Errorf("the Windows-1252 copy reads otherwise (-utf-8 +windows-1252):\n%s", d)
	}
}

// A file normalize can make nothing of is an error that shows the header, not a run of
// empty records.
func TestUnusableHeader(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, csv, stderr string
	}{
		{"no column normalize prepares", "RECORD_ID,Foo,Bar\n1,a,b\n", "no column of the header (RECORD_ID, Foo, Bar) is one normalize prepares"},
		{"no record ID", "Kid,Born\nAna,2012-01-02\n", `required column "record_id" (the record ID) is missing from the header; read: "Kid", "Born"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".csv")
			if err := os.WriteFile(path, []byte(tc.csv), 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := normalizeRun(t, "-in", path)
			if code != 1 || stdout != "" || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1, no stdout and %q", code, stdout, stderr, tc.stderr)
			}
		})
	}
}
