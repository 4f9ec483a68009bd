package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/studentlink/studentlink/internal/testkit"
)

// twoLEAs writes two LEAs' files from the sample roll, each numbering its records 1, 2,
// 3 … as LEAs number their students independently, and the truth with a source column.
func twoLEAs(t *testing.T, dir string) (a, b, truth string) {
	t.Helper()
	rows := testkit.ReadCSV(t, filepath.Join("..", "..", "testdata", "synth", "roll.csv"))
	student := map[string]string{}
	for _, r := range testkit.ReadCSV(t, filepath.Join("..", "..", "testdata", "synth", "truth.csv"))[1:] {
		student[r[0]] = r[1]
	}
	a, b, truth = filepath.Join(dir, "lea01.csv"), filepath.Join(dir, "lea02.csv"), filepath.Join(dir, "truth.csv")
	files := map[string][][]string{a: {rows[0]}, b: {rows[0]}}
	truthRows := [][]string{{"record_id", "source", "student_id"}}
	for _, r := range rows[1:] {
		var path string
		switch r[1] {
		case "01":
			path = a
		case "02":
			path = b
		default:
			continue
		}
		id := strconv.Itoa(len(files[path]))
		truthRows = append(truthRows, []string{id, path, student[r[0]]})
		r[0] = id
		files[path] = append(files[path], r)
	}
	for path, rs := range files {
		writeCSV(t, path, rs)
	}
	writeCSV(t, truth, truthRows)
	return a, b, truth
}

// TestOverlappingIDs links two LEAs whose record IDs are the same numbers, in link and
// link_and_dedupe mode, and reruns with -ids: every student keeps their ID.
func TestOverlappingIDs(t *testing.T) {
	dir := t.TempDir()
	a, b, truth := twoLEAs(t, dir)
	// Link mode keeps each file's records apart, and the sample has duplicates within an
	// LEA: of a student's two records in one file only one can link to the other file's.
	for mode, minRecall := range map[string]float64{"link": 0.8, "link_and_dedupe": 0.95} {
		t.Run(mode, func(t *testing.T) {
			out, pairs, again := filepath.Join(dir, mode+"-1.csv"), filepath.Join(dir, mode+"-pairs.csv"), filepath.Join(dir, mode+"-2.csv")
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), []string{"-quiet", "-a", a, "-b", b, "-mode", mode, "-truth-file", truth, "-out", out, "-pairs", pairs}, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			t.Log(strings.TrimSpace(stdout.String()))
			// Link mode refuses the links that would join a file's duplicates, and says
			// which mode would make them.
			if hint := strings.Contains(stdout.String(), "-mode link_and_dedupe links within a file too"); hint != (mode == "link") {
				t.Errorf("mode %s: the summary suggests link_and_dedupe: %v\n%s", mode, hint, stdout.String())
			}
			m := regexp.MustCompile(`precision ([0-9.]+)  recall ([0-9.]+)`).FindStringSubmatch(stdout.String())
			if m == nil {
				t.Fatalf("no evaluation in the summary:\n%s", stdout.String())
			}
			if p, _ := strconv.ParseFloat(m[1], 64); p < 0.99 {
				t.Errorf("precision %s", m[1])
			}
			if r, _ := strconv.ParseFloat(m[2], 64); r < minRecall {
				t.Errorf("recall %s, want at least %g", m[2], minRecall)
			}
			linked := testkit.ReadCSV(t, pairs)[1:]
			if len(linked) < 10 {
				t.Fatalf("%d pairs linked across the LEAs", len(linked))
			}
			sameID := 0
			for _, p := range linked {
				if p[0] == p[2] {
					sameID++
				}
			}
			t.Logf("%d pairs linked across the LEAs, %d of them between records with the same ID", len(linked), sameID)
			// The state's IDs are its own, not what this run would derive: give every
			// student another, and the rerun with -ids must keep each.
			first := testkit.ReadCSV(t, out)
			issued := map[string]string{} // derived → the state's
			for k, row := range first[1:] {
				if _, ok := issued[row[2]]; !ok {
					issued[row[2]] = fmt.Sprintf("STATE-%04d", k)
				}
				first[k+1][2] = issued[row[2]]
			}
			ids := filepath.Join(dir, mode+"-ids.csv")
			writeCSV(t, ids, first)
			stdout.Reset()
			if code := run(context.Background(), []string{"-quiet", "-a", a, "-b", b, "-mode", mode, "-ids", ids, "-out", again}, &stdout, &stderr); code != 0 {
				t.Fatalf("rerun: exit %d: %s", code, stderr.String())
			}
			second := testkit.ReadCSV(t, again)
			if len(first) != len(second) {
				t.Fatalf("%d rows, then %d", len(first), len(second))
			}
			for k := range first {
				if strings.Join(first[k][:3], ",") != strings.Join(second[k][:3], ",") {
					t.Errorf("row %d: %v, then %v", k, first[k], second[k])
				}
			}
			if want := fmt.Sprintf("earlier IDs:    %d of %d record(s) found", len(first)-1, len(first)-1); !strings.Contains(stdout.String(), want) {
				t.Errorf("summary lacks %q:\n%s", want, stdout.String())
			}
			if strings.Contains(stdout.String(), "id changes") {
				t.Errorf("ID changes on a rerun:\n%s", stdout.String())
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, &stdout, &stderr); code != 0 || stdout.Len() > 0 || !strings.Contains(stderr.String(), "link_and_dedupe") {
		t.Errorf("-h: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

func writeCSV(t *testing.T, path string, rows [][]string) {
	t.Helper()
	var b bytes.Buffer
	if err := csv.NewWriter(&b).WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A model trained in link_and_dedupe mode runs in that mode when link loads it: link's
// own default (link) yields to the model, and an explicit -mode link is refused.
func TestLoadedModelKeepsItsMode(t *testing.T) {
	dir := t.TempDir()
	a, b, _ := twoLEAs(t, dir)
	model := filepath.Join(dir, "model.json")
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"training", []string{"-mode", "link_and_dedupe"}, 0, ", mode link_and_dedupe\n", "saved to " + model},
		{"no -mode", nil, 0, ", mode link_and_dedupe\n", "mode link_and_dedupe); not trained again"},
		{"-mode link", []string{"-mode", "link"}, 1, "", "link: -mode link, but the model in " + model + " was trained in link_and_dedupe mode"},
	} {
		var stdout, stderr bytes.Buffer
		args := append([]string{"-quiet", "-a", a, "-b", b, "-model", model}, tc.args...)
		if code := run(context.Background(), args, &stdout, &stderr); code != tc.code {
			t.Fatalf("%s: exit %d, want %d: %s", tc.name, code, tc.code, stderr.String())
		}
		first, _, _ := strings.Cut(stdout.String(), "\n")
		if tc.stdout != "" && !strings.HasSuffix(first+"\n", tc.stdout) {
			t.Errorf("%s: summary opens %q, want it to end %q", tc.name, first, tc.stdout)
		}
		if !strings.Contains(stderr.String(), tc.stderr) {
			t.Errorf("%s: stderr lacks %q:\n%s", tc.name, tc.stderr, stderr.String())
		}
	}
}

// TestSourcesByPath: record IDs and sources from an earlier run find their records by
// file, not by file name. Two LEAs send roll.csv each, in folders A and B.
func TestSourcesByPath(t *testing.T) {
	dir := t.TempDir()
	a0, b0, _ := twoLEAs(t, dir)
	for from, to := range map[string]string{a0: filepath.Join(dir, "A", "roll.csv"), b0: filepath.Join(dir, "B", "roll.csv")} {
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(from, to); err != nil {
			t.Fatal(err)
		}
	}
	link := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"-quiet"}, args...), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	t.Chdir(dir)
	if code, _, stderr := link("-a", "A/roll.csv", "-b", "B/roll.csv", "-out", "ab1.csv"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	first := testkit.ReadCSV(t, "ab1.csv")
	studentOf := func(rows [][]string, rename map[string]string) map[[2]string]string {
		out := map[[2]string]string{}
		for _, r := range rows[1:] {
			out[[2]string{cmp.Or(rename[r[1]], r[1]), r[0]}] = r[2]
		}
		return out
	}
	want := studentOf(first, nil)

	t.Run("rerun from another folder", func(t *testing.T) {
		t.Chdir(filepath.Join(dir, "A"))
		code, stdout, stderr := link("-a", "roll.csv", "-b", "../B/roll.csv", "-ids", "../ab1.csv", "-out", "../ab2.csv", "-id-changes", "../changes.csv")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		n := len(first) - 1
		if !strings.Contains(stdout, fmt.Sprintf("earlier IDs:    %d of %d record(s) found", n, n)) {
			t.Errorf("not every record found:\n%s", stdout)
		}
		got := studentOf(testkit.ReadCSV(t, "../ab2.csv"), map[string]string{"roll.csv": "A/roll.csv", "../B/roll.csv": "B/roll.csv"})
		if !maps.Equal(got, want) {
			t.Errorf("student IDs changed on the rerun from A/")
		}
	})
	t.Run("another folder's file of the same name is not this one", func(t *testing.T) {
		// The earlier IDs of B's records only, and a run of A's roll.csv with another
		// LEA's file: B/roll.csv is on disk and not in the run, so none of its IDs may
		// reach A's records, though the file names agree.
		var bOnly [][]string
		for _, r := range first {
			if r[1] != "A/roll.csv" {
				bOnly = append(bOnly, r)
			}
		}
		writeCSV(t, "b-only.csv", bOnly)
		other := testkit.ReadCSV(t, "B/roll.csv")
		writeCSV(t, "other.csv", other[:4])
		code, stdout, stderr := link("-a", "A/roll.csv", "-b", "other.csv", "-ids", "b-only.csv", "-out", "ab3.csv")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.Contains(stdout, "earlier IDs:    0 of ") {
			t.Errorf("B's IDs found records in A:\n%s\n%s", stdout, stderr)
		}
	})
	t.Run("an LEA added beside one linked before", func(t *testing.T) {
		// A's IDs from a run of A alone (here: A's rows of the first run); B's records,
		// numbered as A's are, must not take A's IDs, nor stop the run.
		var aOnly [][]string
		for _, r := range first {
			if r[1] != "B/roll.csv" {
				aOnly = append(aOnly, r)
			}
		}
		writeCSV(t, "a-only.csv", aOnly)
		code, stdout, stderr := link("-a", "A/roll.csv", "-b", "B/roll.csv", "-ids", "a-only.csv", "-out", "ab4.csv")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.Contains(stdout, fmt.Sprintf("earlier IDs:    %d of %d record(s) found", len(aOnly)-1, len(first)-1)) {
			t.Errorf("A's records not all found, or B's found by A's IDs:\n%s", stdout)
		}
		got := studentOf(testkit.ReadCSV(t, "ab4.csv"), nil)
		for key, id := range want {
			if key[0] == "A/roll.csv" && got[key] != id {
				t.Errorf("A's record %s: student %s, was %s", key[1], got[key], id)
			}
		}
		// A's record 1 gone from A's file since: B's record 1 still does not take
		// its ID.
		rows := testkit.ReadCSV(t, "A/roll.csv")
		writeCSV(t, "A/roll.csv", append(rows[:1:1], rows[2:]...))
		defer writeCSV(t, "A/roll.csv", rows)
		if code, _, stderr := link("-a", "A/roll.csv", "-b", "B/roll.csv", "-ids", "a-only.csv", "-out", "ab5.csv"); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if id := studentOf(testkit.ReadCSV(t, "ab5.csv"), nil)[[2]string{"B/roll.csv", "1"}]; id == want[[2]string{"A/roll.csv", "1"}] && id != want[[2]string{"B/roll.csv", "1"}] {
			t.Errorf("B's record 1 took A's record 1's student ID %s", id)
		}
	})
	t.Run("a name that is a file here and another beside the IDs file", func(t *testing.T) {
		// Written from inside A, the IDs file names A's file "roll.csv"; read from
		// inside B, "roll.csv" is B's file too: which one is not known, so neither takes
		// its IDs, and B's records are not given A's students'.
		t.Chdir(filepath.Join(dir, "A"))
		if code, _, stderr := link("-a", "roll.csv", "-b", "../B/roll.csv", "-mode", "link_and_dedupe", "-out", "ids-from-a.csv"); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		fromA := studentOf(testkit.ReadCSV(t, "ids-from-a.csv"), map[string]string{"roll.csv": "A/roll.csv", "../B/roll.csv": "B/roll.csv"})
		t.Chdir(filepath.Join(dir, "B"))
		if code, _, stderr := link("-a", "../A/roll.csv", "-b", "roll.csv", "-mode", "link_and_dedupe", "-ids", "../A/ids-from-a.csv", "-out", "../ab6.csv"); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		got := studentOf(testkit.ReadCSV(t, "../ab6.csv"), map[string]string{"../A/roll.csv": "A/roll.csv", "roll.csv": "B/roll.csv"})
		for key, id := range got {
			if key[0] == "B/roll.csv" && id != fromA[key] && id == fromA[[2]string{"A/roll.csv", key[1]}] {
				t.Errorf("B's record %s took A's record %s's student ID %s", key[1], key[1], id)
			}
		}
	})
	t.Run("one file twice", func(t *testing.T) {
		code, _, stderr := link("-a", "A/roll.csv", "-b", "./A/roll.csv")
		if code == 0 || !strings.Contains(stderr, "is the file already read as source A/roll.csv") {
			t.Errorf("exit %d: %s", code, stderr)
		}
	})
}
