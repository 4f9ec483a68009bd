package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	goldenfile "github.com/studentlink/studentlink/internal/golden"
	"github.com/studentlink/studentlink/match"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, which -update rewrites.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got, *update)
}

// runSummary runs f and returns the summary with the input files' folder written DIR,
// and the error.
func runSummary(t *testing.T, dir string, f Flags) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	f.Quiet = true
	err := Run(context.Background(), f, &stdout, &stderr)
	return strings.ReplaceAll(stdout.String(), dir, "DIR"), err
}

// section returns the summary's lines from the one starting with from up to the first
// starting with to.
func section(summary, from, to string) string {
	var b strings.Builder
	in := false
	for line := range strings.Lines(summary) {
		switch {
		case strings.HasPrefix(line, from):
			in = true
		case strings.HasPrefix(line, to):
			in = false
		}
		if in {
			b.WriteString(line)
		}
	}
	return b.String()
}

func writeText(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A roll whose broken rows are of several kinds, one of them a quote opened on line 7 and
// never closed, which takes the file's other 66 lines as one field: the summary counts
// the lines set aside, groups the rows by fault, warns of the row that swallowed the
// file, and, as a row was not UTF-8, says to name the encoding (unless it was named).
func TestSkipBadRowsSummary(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("record_id,first_name,last_name,birth_date\n" + // line 1
		"1,Ana,Ruiz,2011-01-02\n" + // 2
		"2,Ana,Ruiz,2011-01-02\n" + // 3
		"3,Jos\xe9,Ruiz,2011-01-02\n" + // 4: Windows-1252
		"1,Ann,Ruiz,2011-01-02\n" + // 5: ID used
		"5,Ben,Hall\n" + // 6: a field short
		"6,\"Cy,Lee,2010-02-03\n") // 7: the quote opens and is never closed
	for i := 8; i <= 73; i++ {
		fmt.Fprintf(&b, "%d,Dee,Lo,2010-02-03\n", i)
	}
	in, rejects := filepath.Join(dir, "roll.csv"), filepath.Join(dir, "rejects.csv")
	writeText(t, in, b.String())
	for _, tc := range []struct {
		name, encoding, golden string
	}{
		{"no encoding named", "", "skip-bad-rows.golden"},
		{"utf-8 named", "utf-8", "skip-bad-rows-utf8.golden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			summary, err := runSummary(t, dir, Flags{In: []string{in}, Preset: "student", Encoding: tc.encoding, SkipBadRows: rejects})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.golden, section(summary, "input:", "columns of"))
		})
	}
}

// The column table keeps one alignment whether or not a line says how its column
// matched.
func TestColumnTableAligns(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "district.csv")
	writeText(t, in, "RECORD_ID,first_name,Last_Name,DOB,sex,StudentNumber,Notes\n1,Ana,Ruiz,2011-01-02,F,77,x\n2,Ana,Ruiz,2011-01-02,F,78,y\n")
	summary, err := runSummary(t, dir, Flags{In: []string{in}, Preset: "student"})
	if err != nil {
		t.Fatal(err)
	}
	table := section(summary, "columns of", "records:")
	golden(t, "columns.golden", table)
	roleAt, howAt := -1, -1
	for line := range strings.Lines(table) {
		if strings.HasSuffix(line, " \n") {
			t.Errorf("trailing spaces: %q", line)
		}
		if !strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "  ignored:") || strings.HasPrefix(line, "  not in the file:") {
			continue
		}
		header := 2 + len(strings.Fields(line)[0])
		role := header + len(line[header:]) - len(strings.TrimLeft(line[header:], " "))
		if roleAt < 0 {
			roleAt = role
		}
		if role != roleAt {
			t.Errorf("role at column %d, want %d:\n%s", role, roleAt, table)
		}
		if how := strings.Index(line, "(column "); how >= 0 {
			if howAt < 0 {
				howAt = how
			}
			if how != howAt {
				t.Errorf("how it matched at column %d, want %d:\n%s", how, howAt, table)
			}
		}
	}
}

// -id-changes counts students against an earlier run's -out: without -ids there is none,
// and the run stops before it writes a file of nothing.
func TestIDChangesNeedsIDs(t *testing.T) {
	dir := t.TempDir()
	changes := filepath.Join(dir, "changes.csv")
	_, err := runSummary(t, dir, Flags{Preset: "student", IDChanges: changes})
	if err == nil || !strings.Contains(err.Error(), "-id-changes needs -ids") {
		t.Errorf("error %v, want one that says -id-changes needs -ids", err)
	}
	if _, err := os.Stat(changes); !os.IsNotExist(err) {
		t.Errorf("%s written: %v", changes, err)
	}
}

// A rerun with -ids on the same records from a renamed file finds every record's earlier
// ID once -ids-renamed says the old file name (in the earlier -out) is the new one, and
// says so; unsaid, or with -ids from a run on other records, none is found and a warning
// says why.
func TestIDsSummary(t *testing.T) {
	dir := t.TempDir()
	roll := "record_id,lea_id,school_id,ssid,first_name,middle_name,last_name,suffix,birth_date,sex,grade_level,address,city,zip,entry_date\n" +
		"R1,01,,,Emma,,Johnson,,2012-05-01,F,5,12 Oak St,Provo,84601,\n" +
		"R2,01,,,Emma,,Johnson,,05/01/2012,F,5,12 Oak St,Provo,84601,\n" +
		"R3,01,,,Liam,,Chen,,2011-02-03,M,6,9 Elm St,Orem,84057,\n"
	sept, oct := filepath.Join(dir, "sept.csv"), filepath.Join(dir, "oct.csv")
	writeText(t, sept, roll)
	writeText(t, oct, roll)
	out := filepath.Join(dir, "out.csv")
	if _, err := runSummary(t, dir, Flags{Preset: "student", In: []string{sept}, Out: out}); err != nil {
		t.Fatal(err)
	}
	summary, err := runSummary(t, dir, Flags{Preset: "student", In: []string{oct}, IDs: out, Out: filepath.Join(dir, "out2.csv")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(summary, "earlier IDs:    0 of 3") || !strings.Contains(summary, "warning:        most records are not in DIR/out.csv") {
		t.Errorf("summary, the rename unsaid:\n%s", summary)
	}
	summary, err = runSummary(t, dir, Flags{Preset: "student", In: []string{oct}, IDs: out, IDsRenamed: sept + "=" + oct, Out: filepath.Join(dir, "out2.csv")})
	if err != nil {
		t.Fatal(err)
	}
	if want := "earlier IDs:    3 of 3 record(s) found in DIR/out.csv\n"; !strings.Contains(summary, want) || strings.Contains(summary, "warning:        most records") {
		t.Errorf("summary:\n%s\nwant %q and no warning", summary, want)
	}
	other := filepath.Join(dir, "other.csv")
	writeText(t, other, "record_id,source,cluster_id\nX1,x.csv,S1\n")
	summary, err = runSummary(t, dir, Flags{Preset: "student", In: []string{oct}, IDs: other, Out: filepath.Join(dir, "out3.csv")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(summary, "earlier IDs:    0 of 3") || !strings.Contains(summary, "warning:        most records are not in DIR/other.csv") {
		t.Errorf("summary with other records' IDs:\n%s", summary)
	}
}

// One -encoding windows-1252 for a Windows-1252 file and a UTF-8 one: both read right,
// and the summary says which file was read as UTF-8.
func TestMixedEncodings(t *testing.T) {
	dir := t.TempDir()
	header := "record_id,first_name,last_name,birth_date\n"
	utf8File, cp1252File := filepath.Join(dir, "utf8.csv"), filepath.Join(dir, "cp1252.csv")
	writeText(t, utf8File, header+"A1,José,Núñez,2012-05-01\n")
	writeText(t, cp1252File, header+"B1,Jos\xe9,N\xfa\xf1ez,2012-05-01\n")
	out := filepath.Join(dir, "out.csv")
	summary, err := runSummary(t, dir, Flags{Preset: "student", In: []string{utf8File, cp1252File}, Encoding: "windows-1252", Out: out})
	if err != nil {
		t.Fatal(err)
	}
	if want := "encoding:       DIR/utf8.csv read as UTF-8, which it is, not windows-1252\n"; !strings.Contains(summary, want) || strings.Count(summary, "encoding:") != 1 {
		t.Errorf("summary:\n%s\nwant the one line %q", summary, want)
	}
	o, err := Execute(context.Background(), Flags{Preset: "student", In: []string{utf8File, cp1252File}, Encoding: "windows-1252", Quiet: true}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	roll := o.Result.Prepared.Roll
	for i := range roll.Len() {
		if rec := roll.Record(i); rec.Given != "José" || rec.Family != "Núñez" {
			t.Errorf("record %s read as %q %q, want José Núñez", roll.IDs[i], rec.Given, rec.Family)
		}
	}
}

// TestLinkModeOneFileHint: link mode on one file links nothing, and the summary says so
// and names the mode that would; with two files it says nothing of the kind.
func TestLinkModeOneFileHint(t *testing.T) {
	dir := t.TempDir()
	roll := filepath.Join(dir, "roll.csv")
	writeText(t, roll, smallRoll)
	const hint = "link mode links records of different files only"
	out, err := runSummary(t, dir, Flags{In: []string{roll}, Mode: "link"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, hint) {
		t.Errorf("one file in link mode, no hint:\n%s", out)
	}
	other := filepath.Join(dir, "other.csv")
	writeText(t, other, smallRoll)
	if out, err = runSummary(t, dir, Flags{In: []string{roll, other}, Mode: "link"}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, hint) {
		t.Errorf("two files in link mode, the one-file hint:\n%s", out)
	}
}

// TestColumnsOfSourcesNamed names every source of a group of files with one header (or
// the first five and how many more), not a range that reads as every file between.
func TestColumnsOfSourcesNamed(t *testing.T) {
	dir := t.TempDir()
	var in []string
	for _, name := range []string{"a.csv", "b.csv", "c.csv"} {
		header := "record_id,first_name,last_name,birth_date\n"
		if name == "b.csv" {
			header = "record_id,FirstName,LastName,DOB\n"
		}
		p := filepath.Join(dir, name)
		writeText(t, p, header+name+"-1,Ana,Ruiz,2011-01-02\n")
		in = append(in, p)
	}
	summary, err := runSummary(t, dir, Flags{In: in, Preset: "student"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "columns of 2 sources (DIR/a.csv, DIR/c.csv):"; !strings.Contains(summary, want) {
		t.Errorf("summary lacks %q:\n%s", want, section(summary, "columns of", "records:"))
	}
}

func TestDescribeRuleTest(t *testing.T) {
	tests := []struct {
		test match.RuleTest
		want string
	}{
		{match.RuleTest{Rule: "different birth dates", Anchor: "ssid", Judged: 419, Met: 7, MaxShare: 0.02},
			`"different birth dates": 7 of 419 pairs agreeing on ssid meet it (at most 2.0% allowed): kept`},
		{match.RuleTest{Rule: "different given names and sexes", ByModel: true, Judged: 129394, Met: 4662, MaxShare: 0.02, SetAside: true},
			`"different given names and sexes": 4662 of 129394 pairs the model calls one student (each by its probability) meet it (at most 2.0% allowed): set aside`},
	}
	for _, tt := range tests {
		if got := describeRuleTest(tt.test); got != tt.want {
			t.Errorf("describeRuleTest(%+v)\n got %s\nwant %s", tt.test, got, tt.want)
		}
	}
}
