package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	studentlink "github.com/studentlink/studentlink"
	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/internal/testkit"
)

// files lists the files in dir.
func files(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// A tables release holds tables only: no record file whose rows could be counted, no
// keys. Every cell is a count of at least the minimum, "N<min" or "suppressed".
func TestTablesRelease(t *testing.T) {
	for _, min := range []int{10, 20} {
		dir := t.TempDir()
		var out bytes.Buffer
		if err := run(&out, &out, options{out: dir, study: "s", min: min, ledger: ledgerIn(t)}); err != nil {
			t.Fatal(err)
		}
		var students int
		if _, err := fmt.Sscanf(out.String(), "%d students", &students); err != nil || students < 1980 || students > 2020 {
			t.Errorf("want about 2000 students in the summary: %s", out.String())
		}
		if !strings.Contains(out.String(), fmt.Sprintf("audit: ")) || !strings.Contains(out.String(), fmt.Sprintf("none is pinned or known to be between 1 and %d", min-1)) {
			t.Errorf("no audit in the summary:\n%s", out.String())
		}
		if got := files(t, dir); strings.Join(got, " ") != "lea_by_grade.csv sex_by_grade.csv" {
			t.Errorf("a tables release wrote %v", got)
		}
		for _, name := range []string{"lea_by_grade.csv", "sex_by_grade.csv"} {
			rows := testkit.ReadCSV(t, filepath.Join(dir, name))
			small, other := 0, 0
			for _, row := range rows[1:] {
				for _, c := range row[1:] {
					n, err := strconv.Atoi(c)
					switch {
					case c == fmt.Sprintf("N<%d", min):
						small++
					case c == "suppressed":
						other++
					case err != nil || n < min:
						t.Errorf("%s: published cell %q", name, c)
					}
				}
			}
			if small == 0 {
				t.Errorf("%s: no cell labelled N<%d", name, min)
			}
			// The summary says what the table shows and no more: not how many
			// "suppressed" cells count under min (with none, each would count min or more).
			want := fmt.Sprintf("%d labelled N<%d and %d labelled \"suppressed\"\n", small, min, other)
			line := ""
			for l := range strings.Lines(out.String()) {
				if strings.HasPrefix(l, name+" ") {
					line = l
				}
			}
			if !strings.HasSuffix(line, want) || strings.Contains(line, "protect") || strings.Contains(line, "give them away") {
				t.Errorf("summary line %q, want it to end %q and say nothing more of the suppressed cells", line, want)
			}
		}
	}
	for _, min := range []int{9, 0, -5} {
		if err := run(&bytes.Buffer{}, &bytes.Buffer{}, options{study: "s", min: min, ledger: ledgerIn(t)}); err == nil {
			t.Errorf("-min %d accepted", min)
		}
	}
}

func TestTablesReleaseEdFi(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, &out, options{study: "s", min: 10, edfi: true, ledger: ledgerIn(t)}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"11 students from 11 backpacks", "assessment1_level_by_grade.csv (level on ", "\nlea_by_grade.csv\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("want %q in:\n%s", want, out.String())
		}
	}
}

// An LEA or a performance level is shown only when students have it, so a reader knows
// it counts one at least: its total labelled N<10 would say 1 to 9. The Ed-Fi sample's 11
// students make every LEA and level small: none may show N<10 as its total. Grades and
// sexes are declared (every one is shown, empty or not), so theirs may.
func TestTablesReleaseEdFiCategories(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(&out, &out, options{out: dir, study: "s", min: 10, edfi: true, ledger: ledgerIn(t)}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "merged into") {
		t.Errorf("no merge reported:\n%s", out.String())
	}
	for _, name := range files(t, dir) {
		rows := testkit.ReadCSV(t, filepath.Join(dir, name))
		if got := rows[0][1 : len(rows[0])-1]; len(got) != 19 || got[0] != "IT" {
			t.Errorf("%s: grades %v, want all 19 declared", name, got)
		}
		if name == "sex_by_grade.csv" {
			continue
		}
		for _, row := range rows[1 : len(rows)-1] {
			if total := row[len(row)-1]; total == "N<10" {
				t.Errorf("%s: %s's total is %s: between 1 and 9", name, row[0], total)
			}
		}
	}
}

// A records release needs the state's secret and holds records only, k-anonymous:
// counting its rows by any of the quasi-identifiers finds no group under the minimum.
func TestRecordsRelease(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("a state secret of 32 bytes......"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "x")
	if err := run(&bytes.Buffer{}, &bytes.Buffer{}, options{out: out, records: true, study: "s", min: 10, ledger: ledgerIn(t)}); err == nil || !strings.Contains(err.Error(), "-secret-file") {
		t.Errorf("-records without a secret: %v", err)
	}
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("tiny"), 0o600)
	if err := run(&bytes.Buffer{}, &bytes.Buffer{}, options{out: out, records: true, secretFile: short, study: "s", min: 10, ledger: ledgerIn(t)}); err == nil {
		t.Error("-records with a 4-byte secret")
	}
	var summary bytes.Buffer
	if err := run(&summary, &summary, options{out: out, records: true, secretFile: secret, study: "s", min: 10, ledger: ledgerIn(t)}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"generalised: birth_year: ", "left out: ", "smallest group"} {
		if !strings.Contains(summary.String(), want) {
			t.Errorf("want %q in:\n%s", want, summary.String())
		}
	}
	if got := files(t, out); strings.Join(got, " ") != "records.csv scores.csv" {
		t.Errorf("a records release wrote %v", got)
	}
	rows := testkit.ReadCSV(t, filepath.Join(out, "records.csv"))
	for subset := 1; subset < 1<<6; subset++ {
		groups := map[string]int{}
		for _, row := range rows[1:] {
			var key []string
			for q := range 6 {
				if subset&(1<<q) != 0 {
					key = append(key, row[1+q])
				}
			}
			groups[strings.Join(key, "|")]++
		}
		for key, n := range groups {
			if n < 10 {
				t.Fatalf("%d rows share %q on columns %06b", n, key, subset)
			}
		}
	}
	// No SSID, record ID, family name or street of the roll appears in the release.
	roll, err := studentlink.Testdata.ReadFile("testdata/synth/roll.csv")
	if err != nil {
		t.Fatal(err)
	}
	all, err := csv.NewReader(bytes.NewReader(roll)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(out, "records.csv"))
	for _, row := range all[1:] {
		for _, col := range []int{0, 3, 6, 11} { // record_id, ssid, last_name, address
			if v := row[col]; len(v) > 4 && bytes.Contains(data, []byte(v)) {
				t.Fatalf("the release contains %q (column %s)", v, all[0][col])
			}
		}
	}
}

// Without -out the tables are the data on stdout; what was done goes to stderr.
func TestRunTablesOnStdout(t *testing.T) {
	var data, talk bytes.Buffer
	if err := run(&data, &talk, options{study: "s", min: 10, ledger: ledgerIn(t)}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(data.String(), "\nlea_by_grade.csv\n") || strings.Contains(data.String(), "audit:") {
		t.Errorf("stdout should hold the tables alone:\n%s", data.String())
	}
	if !strings.Contains(talk.String(), "audit:") {
		t.Errorf("stderr should say what was audited:\n%s", talk.String())
	}
}

// -out refuses a directory holding a release of the other kind: records beside tables
// of one population undo the tables' suppression by counting rows. The same kind again
// is fine. (Each kind claims in a ledger of its own here, so that -out's check is what
// refuses; TestLedgerRefusesTheOtherKind runs them with one ledger.)
func TestOutRefusesTheOtherKind(t *testing.T) {
	dir := t.TempDir()
	tablesLedger, recordsLedger := filepath.Join(dir, "tables.ledger"), filepath.Join(dir, "records.ledger")
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("a state secret of 32 bytes......"), 0o600); err != nil {
		t.Fatal(err)
	}
	tables, records := filepath.Join(dir, "tables"), filepath.Join(dir, "records")
	if err := run(&bytes.Buffer{}, &bytes.Buffer{}, options{out: tables, study: "s", min: 10, edfi: true, ledger: tablesLedger}); err != nil {
		t.Fatal(err)
	}
	if err := run(&bytes.Buffer{}, &bytes.Buffer{}, options{out: records, records: true, secretFile: secret, study: "s", min: 10, edfi: true, ledger: recordsLedger}); err != nil {
		t.Fatal(err)
	}
	before := files(t, tables)
	if err := run(&bytes.Buffer{}, &bytes.Buffer{}, options{out: tables, records: true, secretFile: secret, study: "s", min: 10, edfi: true, ledger: tablesLedger}); err == nil || !strings.Contains(err.Error(), "tables release") {
		t.Errorf("records into a tables release: %v", err)
	}
	if got := files(t, tables); !slices.Equal(got, before) {
		t.Errorf("the refused run wrote %v", got)
	}
	if err := run(&bytes.Buffer{}, &bytes.Buffer{}, options{out: records, study: "s", min: 10, edfi: true, ledger: recordsLedger}); err == nil || !strings.Contains(err.Error(), "record-level release") {
		t.Errorf("tables into a records release: %v", err)
	}
	if got := files(t, records); strings.Join(got, " ") != "records.csv scores.csv" {
		t.Errorf("the refused run wrote %v", got)
	}
	if err := run(&bytes.Buffer{}, &bytes.Buffer{}, options{out: tables, study: "s", min: 10, edfi: true, ledger: tablesLedger}); err != nil {
		t.Errorf("tables again into the tables release: %v", err)
	}
	scores := testkit.ReadCSV(t, filepath.Join(records, "scores.csv"))
	if strings.Join(scores[0], ",") != "key,subject,performance,score" {
		t.Errorf("scores.csv header %v", scores[0])
	}
	for _, row := range scores[1:] {
		if strings.Contains(row[1], "grade") || strings.Contains(row[1], "20") {
			t.Errorf("scores.csv names the assessment %q", row[1])
		}
	}
}

// ledgerIn returns a release ledger of the test's own.
func ledgerIn(t *testing.T) string {
	return filepath.Join(t.TempDir(), "ledger.json")
}

// The auditor's attack: tables and records of one population written by two runs into
// two folders. With the state's one ledger, the second run is refused and writes
// nothing, whichever kind comes first, as are the same students' records a second time;
// without -ledger nothing is published.
func TestLedgerRefusesTheOtherKind(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("a state secret of 32 bytes......"), 0o600); err != nil {
		t.Fatal(err)
	}
	tables := options{study: "s", min: 10, edfi: true}
	records := options{records: true, secretFile: secret, study: "s", min: 10, edfi: true}
	for _, order := range [][2]options{{tables, records}, {records, tables}} {
		ledger := filepath.Join(t.TempDir(), "state", "ledger.json")
		first, second := order[0], order[1]
		first.out, first.ledger = filepath.Join(t.TempDir(), "first"), ledger
		second.out, second.ledger = filepath.Join(t.TempDir(), "second"), ledger
		if err := run(&bytes.Buffer{}, &bytes.Buffer{}, first); err != nil {
			t.Fatal(err)
		}
		err := run(&bytes.Buffer{}, &bytes.Buffer{}, second)
		if err == nil || !strings.Contains(err.Error(), "already released as the other kind") || !strings.Contains(err.Error(), first.out) {
			t.Errorf("records %v after records %v: %v, want refused naming %s", second.records, first.records, err, first.out)
		}
		if _, err := os.Stat(second.out); err == nil {
			t.Errorf("the refused run wrote %v", files(t, second.out))
		}
		// The same tables again add nothing; the same students' records again would join
		// with the first on the key.
		again := first
		again.out = filepath.Join(t.TempDir(), "again")
		switch err := run(&bytes.Buffer{}, &bytes.Buffer{}, again); {
		case !again.records && err != nil:
			t.Errorf("the same tables again: %v", err)
		case again.records && (err == nil || !strings.Contains(err.Error(), "already released at record level")):
			t.Errorf("the same records again: %v, want refused", err)
		}
	}
	tables.ledger = ""
	if err := run(&bytes.Buffer{}, &bytes.Buffer{}, tables); err == nil || !strings.Contains(err.Error(), "-ledger") {
		t.Errorf("no ledger: %v", err)
	}
}

// The second audit's attack: the same tables at -min 10, then at -min 13, into two
// folders. Read together they pin suppressed cells; with one ledger the second run is
// refused and writes nothing.
func TestLedgerRefusesTablesAtAnotherMinimum(t *testing.T) {
	ledger := filepath.Join(t.TempDir(), "ledger.json")
	first := options{out: filepath.Join(t.TempDir(), "A"), study: "s", min: 10, ledger: ledger}
	if err := run(&bytes.Buffer{}, &bytes.Buffer{}, first); err != nil {
		t.Fatal(err)
	}
	second := first
	second.out, second.min = filepath.Join(t.TempDir(), "B"), 13
	err := run(&bytes.Buffer{}, &bytes.Buffer{}, second)
	if !errors.Is(err, backpack.ErrTablesDisclose) || !strings.Contains(err.Error(), first.out) {
		t.Errorf("-min 13 after -min 10: %v, want refused naming %s", err, first.out)
	}
	if _, err := os.Stat(second.out); err == nil {
		t.Errorf("the refused run wrote %v", files(t, second.out))
	}
}

// -ledger and -secret-file that are not regular files (/dev/full reads without end) or
// are too large are refused, naming the flag and file, before anything is read.
func TestRunRefusesUnboundedFiles(t *testing.T) {
	dir := t.TempDir()
	sparse := func(name string, size int64) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(size); err != nil { // sparse: no disk used
			t.Fatal(err)
		}
		return p
	}
	bigLedger, bigSecret := sparse("ledger.json", backpack.MaxLedgerSize+1), sparse("secret", 4<<10+1)
	out := filepath.Join(dir, "rel")
	tests := []struct {
		name string
		o    options
		want string
	}{
		{"ledger a device", options{out: out, ledger: os.DevNull}, "-ledger " + os.DevNull + ": not a regular file"},
		{"ledger a folder", options{out: out, ledger: dir}, "-ledger " + dir + ": not a regular file"},
		{"ledger too large", options{out: out, ledger: bigLedger}, "-ledger " + bigLedger + ": larger than 256 MB"},
		{"secret a device", options{out: out, records: true, secretFile: os.DevNull, ledger: ledgerIn(t)}, "-secret-file " + os.DevNull + ": not a regular file"},
		{"secret too large", options{out: out, records: true, secretFile: bigSecret, ledger: ledgerIn(t)}, "-secret-file " + bigSecret + ": larger than 4096 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.study, tt.o.min = "s", 10
			err := run(&bytes.Buffer{}, &bytes.Buffer{}, tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run = %v, want an error with %q", err, tt.want)
			}
		})
	}
}
