package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/studentlink/studentlink/internal/testkit"
	"github.com/studentlink/studentlink/match"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// dedupe runs the program with args and returns its exit status, stdout and stderr.
func dedupe(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errs bytes.Buffer
	code := run(context.Background(), args, &out, &errs)
	return code, out.String(), errs.String()
}

func writeCSV(t *testing.T, path string, rows [][]string) {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// columns indexes a CSV header by name.
func columns(t *testing.T, header []string, names ...string) []int {
	t.Helper()
	var out []int
	for _, n := range names {
		k := -1
		for c, h := range header {
			if h == n {
				k = c
			}
		}
		if k < 0 {
			t.Fatalf("header %v has no %s", header, n)
		}
		out = append(out, k)
	}
	return out
}

// studentsOf reads a clusters file into record (source, ID) → student ID.
func studentsOf(t *testing.T, path string) map[[2]string]string {
	t.Helper()
	rows := testkit.ReadCSV(t, path)
	c := columns(t, rows[0], "record_id", "source", "cluster_id")
	out := map[[2]string]string{}
	for _, r := range rows[1:] {
		out[[2]string{r[c[1]], r[c[0]]}] = r[c[2]]
	}
	return out
}

// TestReviewRoundTrip is the reviewer's loop through the program: a run writes the
// clusters and the review file; a reviewer fills in verdicts; a second run with
// -decisions and -ids honours them, keeps every other student's ID and writes the
// students that split or merged.
func TestReviewRoundTrip(t *testing.T) {
	dir := t.TempDir()
	out1, review, out2, changes := filepath.Join(dir, "c1.csv"), filepath.Join(dir, "review.csv"), filepath.Join(dir, "c2.csv"), filepath.Join(dir, "changes.csv")
	code, stdout, stderr := dedupe(t, "-quiet", "-out", out1, "-review", review)
	if code != 0 {
		t.Fatalf("first run: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "pair(s) for review") {
		t.Fatalf("summary: %s", stdout)
	}
	rows := testkit.ReadCSV(t, review)
	if len(rows) < 4 {
		t.Fatalf("%d review rows: the test needs three", len(rows)-1)
	}
	c := columns(t, rows[0], "record_a", "source_a", "record_b", "source_b", "verdict", "by", "at", "a.first_name", "b.first_name")
	// A reviewer decides three pairs and leaves the rest.
	verdicts := []string{"same", "different", "Different"}
	type pair struct{ a, b [2]string }
	var decided []pair
	for k, v := range verdicts {
		r := rows[k+1]
		if r[c[7]] == "" && r[c[8]] == "" {
			t.Errorf("review row %d shows no first names side by side", k+1)
		}
		r[c[4]], r[c[5]], r[c[6]] = v, "reviewer@state", "2024-06-01"
		decided = append(decided, pair{[2]string{r[c[1]], r[c[0]]}, [2]string{r[c[3]], r[c[2]]}})
	}
	writeCSV(t, review, rows)

	code, stdout, stderr = dedupe(t, "-quiet", "-decisions", review, "-ids", out1, "-out", out2, "-id-changes", changes)
	if code != 0 {
		t.Fatalf("second run: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "decisions:      3 reviewer verdict(s) honoured") {
		t.Errorf("summary does not count the verdicts:\n%s", stdout)
	}
	before, after := studentsOf(t, out1), studentsOf(t, out2)
	for k, d := range decided {
		same := after[d.a] == after[d.b]
		if same != (k == 0) {
			t.Errorf("pair %v/%v decided %s: students %s and %s", d.a, d.b, verdicts[k], after[d.a], after[d.b])
		}
	}
	// Every record of a student no decision touched keeps its ID.
	touched := map[string]bool{}
	for _, d := range decided {
		for _, r := range [][2]string{d.a, d.b} {
			touched[before[r]], touched[after[r]] = true, true
		}
	}
	kept, moved := 0, 0
	for r, id := range before {
		if touched[id] || touched[after[r]] {
			continue
		}
		if after[r] == id {
			kept++
		} else {
			moved++
			t.Errorf("record %v: student %s, then %s, though no verdict touched it", r, id, after[r])
		}
	}
	if kept < len(before)-10 {
		t.Errorf("only %d of %d records kept their student ID", kept, len(before))
	}
	ch := testkit.ReadCSV(t, changes)
	if len(ch) < 2 || strings.Join(ch[0], ",") != "kind,earlier,now" {
		t.Errorf("id changes file: %v", ch)
	}

	// The same verdicts again change nothing more.
	out3 := filepath.Join(dir, "c3.csv")
	if code, _, stderr := dedupe(t, "-quiet", "-decisions", review, "-ids", out2, "-out", out3); code != 0 {
		t.Fatalf("third run: exit %d: %s", code, stderr)
	}
	if third := studentsOf(t, out3); !maps.Equal(third, after) {
		t.Error("a rerun with the same verdicts and IDs changed students")
	}
}

func TestHelp(t *testing.T) {
	code, stdout, stderr := dedupe(t, "-h")
	if code != 0 || stdout != "" || !strings.Contains(stderr, "usage: dedupe") || !strings.Contains(stderr, "-skip-bad-rows") {
		t.Errorf("-h: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code, _, stderr := dedupe(t, "-nope"); code != 2 || !strings.Contains(stderr, "-nope") {
		t.Errorf("a bad flag: exit %d, %q", code, stderr)
	}
	if code, _, stderr := dedupe(t, "roll.csv"); code != 2 || !strings.Contains(stderr, `unexpected argument "roll.csv"`) {
		t.Errorf("a bare argument: exit %d, %q", code, stderr)
	}
}

// districtRoll is a district export: its own column names, a Windows-1252 é, and two
// broken rows.
const districtRoll = "RECORD_ID,Last_Name,FirstName,DOB,Gender,SSID,District,Notes\n" +
	"1,Garcia,José,2012-03-04,F,1234567890,7,a\n" +
	"2,Garcia,Jose,2012-03-04,F,1234567890,8,b\n" +
	"3,Nguyen,Anh,2011-05-06,M,2234567891,7\n" + // a field short
	"4,Okafor,Chidi,2010-07-08,M,3234567892,8,c\n" +
	"4,Okafor,Chidi,2010-07-08,M,3234567892,8,d\n" + // ID used
	"5,Smith,Ann,2013-01-02,F,4234567893,7,e\n"

func TestDistrictFile(t *testing.T) {
	dir := t.TempDir()
	encode := func(name string, e encoding.Encoding) string {
		b := []byte(districtRoll)
		if e != nil {
			var err error
			if b, err = e.NewEncoder().Bytes(b); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	utf8Path := encode("utf8.csv", nil)
	students := map[string]map[[2]string]string{}
	for _, tc := range []struct {
		name, path, enc string
	}{
		{"utf-8", utf8Path, ""},
		{"windows-1252", encode("cp1252.csv", charmap.Windows1252), "windows-1252"},
		{"utf-16", encode("utf16.csv", unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)), "utf-16"},
		{"utf-16le without a mark, unnamed", encode("utf16le.csv", unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, rejects := filepath.Join(dir, tc.name+"-out.csv"), filepath.Join(dir, tc.name+"-rejects.csv")
			code, stdout, stderr := dedupe(t, "-quiet", "-in", tc.path, "-encoding", tc.enc, "-skip-bad-rows", rejects, "-out", out)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, want := range []string{
				"6 row(s) read, 4 kept, 2 set aside",
				"DOB", "birth_date", "a name districts use", "Gender", "sex", "RECORD_ID", "ignored: Notes",
			} {
				if !strings.Contains(stdout, want) {
					t.Errorf("summary lacks %q:\n%s", want, stdout)
				}
			}
			rej := testkit.ReadCSV(t, rejects)
			if len(rej) != 3 || rej[1][1] != "4" || rej[2][1] != "6" || !strings.Contains(rej[2][2], `record ID "4" already used`) {
				t.Errorf("rejects: %v", rej)
			}
			got := map[[2]string]string{}
			for k, v := range studentsOf(t, out) {
				got[[2]string{"", k[1]}] = v // the file's name differs between encodings
			}
			students[tc.name] = got
		})
	}
	for _, enc := range []string{"windows-1252", "utf-16", "utf-16le without a mark, unnamed"} {
		if !maps.Equal(students[enc], students["utf-8"]) {
			t.Errorf("%s: students %v, from the UTF-8 copy %v", enc, students[enc], students["utf-8"])
		}
	}
	// Without -skip-bad-rows the first broken row stops the run, naming file and line.
	code, _, stderr := dedupe(t, "-quiet", "-in", utf8Path)
	if code != 1 || !strings.Contains(stderr, "utf8.csv:4: 7 fields, want 8") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	// Windows-1252 read as UTF-8 says what to do.
	code, _, stderr = dedupe(t, "-quiet", "-in", filepath.Join(dir, "cp1252.csv"))
	if code != 1 || !strings.Contains(stderr, "name its encoding") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	// "-" sends the rows set aside to stdout, as it does every other output, and the
	// summary to stderr; two outputs cannot share stdout.
	code, stdout, stderr := dedupe(t, "-quiet", "-in", utf8Path, "-skip-bad-rows", "-")
	if code != 0 || !strings.HasPrefix(stdout, "file,line,reason\n") || strings.Count(stdout, "\n") != 3 || !strings.Contains(stderr, "2 set aside") {
		t.Errorf("-skip-bad-rows -: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat("-"); err == nil {
		t.Error(`-skip-bad-rows - made a file named "-"`)
	}
	code, _, stderr = dedupe(t, "-quiet", "-in", utf8Path, "-skip-bad-rows", "-", "-out", "-")
	if code == 0 || !strings.Contains(stderr, "both write to stdout") {
		t.Errorf("-skip-bad-rows - -out -: exit %d: %s", code, stderr)
	}
}

func TestColumnsAndPrintSettings(t *testing.T) {
	code, stdout, stderr := dedupe(t, "-print-settings", "-columns", "given_name=Prénom,birth_date=Né le,id=Matricule", "-mode", "dedupe")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s match.Settings
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("-print-settings output is not settings JSON: %v\n%s", err, stdout)
	}
	if s.IDColumn != "Matricule" || s.Mode != match.ModeDedupe {
		t.Errorf("settings: id %q, mode %q", s.IDColumn, s.Mode)
	}
	named := map[string]string{}
	for _, c := range s.Columns {
		named[string(c.Role)] = c.Name
	}
	if named["given_name"] != "Prénom" || named["birth_date"] != "Né le" {
		t.Errorf("columns: %v", named)
	}
	// The printed settings are a settings file to start from.
	dir := t.TempDir()
	settings := filepath.Join(dir, "s.json")
	if err := os.WriteFile(settings, []byte(stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "fr.csv")
	if err := os.WriteFile(in, []byte("Matricule,Prénom,Né le,last_name\n1,Zoé,2012-01-02,Roy\n2,Zoe,2012-01-02,Roy\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = dedupe(t, "-quiet", "-settings", settings, "-in", in, "-out", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "record_id,source,cluster_id") || strings.Contains(stdout, "settings:") {
		t.Errorf("-out - : stdout should hold the clusters alone:\n%s", stdout)
	}
	if !strings.Contains(stderr, "settings:") || !strings.Contains(stderr, "Prénom") {
		t.Errorf("-out - : the summary should go to stderr:\n%s", stderr)
	}
	// A missing required column shows the header read.
	other := filepath.Join(dir, "other.csv")
	if err := os.WriteFile(other, []byte("Nom,Prenom\nRoy,Zoé\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = dedupe(t, "-quiet", "-settings", settings, "-in", other)
	if code != 1 || !strings.Contains(stderr, `required column "Matricule" (the record ID) is missing from the header; read: "Nom", "Prenom" (if the file has it under another name, say which: -columns id=Header)`) {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

func TestModelSaysLoadedOrSaved(t *testing.T) {
	model := filepath.Join(t.TempDir(), "model.json")
	_, _, stderr := dedupe(t, "-quiet", "-model", model)
	if !strings.Contains(stderr, "model: trained on this roll and saved to "+model) {
		t.Errorf("first run: %s", stderr)
	}
	_, _, stderr = dedupe(t, "-quiet", "-model", model)
	if !strings.Contains(stderr, "model: loaded from "+model) || strings.Contains(stderr, "warning") {
		t.Errorf("second run: %s", stderr)
	}
	// A model saved by an earlier version of the preset, whose rules differed, says so.
	b, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	now := match.StudentSettings().Version
	old := bytes.Replace(b, []byte(`"`+now+`"`), []byte(`"student-0"`), 1)
	if bytes.Equal(old, b) {
		t.Fatalf("no %q in the saved model", now)
	}
	if err := os.WriteFile(model, old, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, stderr = dedupe(t, "-quiet", "-model", model)
	if want := "warning: the model was trained with student-0, and the student preset is now " + now; !strings.Contains(stderr, want) {
		t.Errorf("an older model: stderr lacks %q:\n%s", want, stderr)
	}
}

func TestReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.html")
	code, _, stderr := dedupe(t, "-quiet", "-report", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`data-chart="histogram"`, `data-chart="precision-recall"`, `data-chart="levels:given_name"`, "testdata/synth/roll.csv"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("report lacks %s", want)
		}
	}
}

// The package doc, which go doc shows, lists every flag.
func TestDocListsEveryFlag(t *testing.T) {
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(src[:bytes.Index(src, []byte("package main"))])
	fs, _ := flags(&bytes.Buffer{})
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(doc, "//\t-"+f.Name+" ") {
			t.Errorf("the package doc does not list -%s", f.Name)
		}
	})
}

// A file in its own layout: a birth date in year, month and day columns found without
// -columns, dates that cannot be read counted by field with the first shown, and a
// day-first file said to be one.
func TestSummaryOfDatesAndProblems(t *testing.T) {
	dir := t.TempDir()
	parts, dayFirst := filepath.Join(dir, "parts.csv"), filepath.Join(dir, "uk.csv")
	writeCSV(t, parts, [][]string{
		{"id", "first_name", "last_name", "birth_year", "birth_month", "birth_day"},
		{"p1", "Ana", "Ruiz", "2011", "1", "2"},
		{"p2", "Ana", "Ruiz", "2011", "1", "2"},
		{"p3", "Ben", "Hall", "2010", "2", "30"},
	})
	writeCSV(t, dayFirst, [][]string{
		{"id", "first_name", "last_name", "dob"},
		{"u1", "Cy", "Lee", "25/04/2010"},
		{"u2", "Dee", "Lo", "03/04/2010"},
	})
	code, stdout, stderr := dedupe(t, "-quiet", "-in", parts, "-in", dayFirst)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"birth_year   birth_date   (column birth_date, matched by the birth date's year, month and day columns)",
		"1 value(s) could not be used in full",
		`  birth_date: 1, the first ` + parts + `:4: record "p3": birth_date "2010 2 30"`,
		"birth dates read day first (03/04/2010 is 3 April): 1 of them can be read no other way, 0 only month first",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
}

// A loaded model runs in the mode it was trained in: the summary says that mode, and a
// -mode that differs is refused, naming both, rather than ignored.
func TestLoadedModelMode(t *testing.T) {
	model := filepath.Join(t.TempDir(), "model.json")
	if code, _, stderr := dedupe(t, "-quiet", "-mode", "link_and_dedupe", "-model", model); code != 0 {
		t.Fatalf("training run: exit %d: %s", code, stderr)
	}
	for _, tc := range []struct {
		name      string
		args      []string
		code      int
		stdout    string // the summary's settings line
		stderrHas string
	}{
		{"no -mode", nil, 0, "mode link_and_dedupe", "mode link_and_dedupe); not trained again"},
		{"the model's mode", []string{"-mode", "link_and_dedupe"}, 0, "mode link_and_dedupe", "loaded"},
		{"link", []string{"-mode", "link"}, 1, "",
			"dedupe: -mode link, but the model in " + model + " was trained in link_and_dedupe mode"},
		{"dedupe", []string{"-mode", "dedupe"}, 1, "",
			"dedupe: -mode dedupe, but the model in " + model + " was trained in link_and_dedupe mode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := dedupe(t, append([]string{"-quiet", "-model", model}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, stderr)
			}
			settings, _, _ := strings.Cut(stdout, "\n")
			if got := settings[strings.LastIndex(settings, ",")+1:]; tc.stdout != "" && strings.TrimSpace(got) != tc.stdout {
				t.Errorf("summary's settings line %q, want it to end %q", settings, tc.stdout)
			}
			if tc.code != 0 && stdout != "" {
				t.Errorf("a refused run wrote to stdout:\n%s", stdout)
			}
			if !strings.Contains(stderr, tc.stderrHas) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderrHas, stderr)
			}
		})
	}
}

// TestOversizeBlockReported: a block over the cap is named in the summary by rule, key
// and size, and its identical records still end up one student.
func TestOversizeBlockReported(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := dedupe(t, "-print-settings")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s match.Settings
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	s.MaxBlock = 4
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	settings := filepath.Join(dir, "s.json")
	if err := os.WriteFile(settings, b, 0o644); err != nil {
		t.Fatal(err)
	}
	rows := [][]string{{"record_id", "first_name", "last_name", "birth_date", "ssid"}}
	for k := range 6 {
		rows = append(rows, []string{fmt.Sprint("r", k), "Maya", "Okafor", "2012-03-04", "4000000099"})
	}
	rows = append(rows, []string{"other", "Liam", "Chen", "2011-02-03", "4000000123"})
	in := filepath.Join(dir, "in.csv")
	writeCSV(t, in, rows)
	out := filepath.Join(dir, "out.csv")
	code, stdout, stderr = dedupe(t, "-quiet", "-settings", settings, "-in", in, "-out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !regexp.MustCompile(`oversize block: rule ssid, key \S+: 6 records, over the cap of 4`).MatchString(stdout) {
		t.Errorf("summary does not report the ssid block of 6 over the cap of 4:\n%s", stdout)
	}
	students := map[string]int{}
	for _, row := range testkit.ReadCSV(t, out)[1:] {
		if row[0] != "other" {
			students[row[2]]++
		}
	}
	if len(students) != 1 {
		t.Errorf("six identical rows became %d students: %v", len(students), students)
	}
}

// TestPersonPresetWarnsOfTwins: the person preset has no rule that keeps twins apart, and
// the summary says so where it is used; the student preset's does not.
func TestPersonPresetWarnsOfTwins(t *testing.T) {
	in := filepath.Join(t.TempDir(), "twins.csv")
	writeCSV(t, in, [][]string{
		{"rec_id", "given_name", "surname", "date_of_birth", "soc_sec_id"},
		{"1", "Emma", "Johnson", "20140506", "4000000014"},
		{"2", "Olivia", "Johnson", "20140506", "4000000015"},
	})
	const warning = "no cannot-link rule keeps twins apart"
	for preset, want := range map[string]bool{"person": true, "student": false} {
		code, stdout, stderr := dedupe(t, "-quiet", "-preset", preset, "-in", in, "-out", os.DevNull)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", preset, code, stderr)
		}
		if got := strings.Contains(stdout, warning); got != want {
			t.Errorf("-preset %s: warning shown %v, want %v:\n%s", preset, got, want, stdout)
		}
	}
}
