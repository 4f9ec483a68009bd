package match

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/normalize"
)

var febrlID = regexp.MustCompile(`^(rec-\d+)`)

// febrlTruth returns the true cluster of each record: the original's number in rec_id.
func febrlTruth(r *Roll) []string {
	out := make([]string, r.Len())
	for i, id := range r.IDs {
		out[i] = febrlID.FindString(id)
	}
	return out
}

func readRoll(t testing.TB, s Settings, paths ...string) *Roll {
	t.Helper()
	r, err := s.NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if err := r.ReadCSVFile(p); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func TestFEBRL(t *testing.T) {
	tests := []struct {
		name  string
		mode  Mode
		files []string
	}{
		{"dataset1", ModeDedupe, []string{"dataset1.csv"}},
		{"dataset2", ModeDedupe, []string{"dataset2.csv"}},
		{"dataset3", ModeDedupe, []string{"dataset3.csv"}},
		{"dataset4", ModeLink, []string{"dataset4a.csv", "dataset4b.csv"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := PersonSettings()
			s.Mode = tc.mode
			var paths []string
			for _, f := range tc.files {
				paths = append(paths, "../testdata/febrl/"+f)
			}
			roll := readRoll(t, s, paths...)
			_, res := linkRoll(t, s, roll)
			var sources []int32
			if tc.mode == ModeLink {
				sources = roll.Source
			}
			ev, err := Evaluate(res.Label, febrlTruth(roll), sources)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %v; candidates %d, review %d, refused %d", tc.name, ev, res.CandidatePairs, len(res.Review), len(res.Refusals))
			if ev.F1 < 0.98 {
				t.Errorf("F1 = %.4f, want ≥ 0.98 (precision %.4f, recall %.4f)", ev.F1, ev.Precision, ev.Recall)
			}
			if len(res.Label) != roll.Len() {
				t.Errorf("%d labels for %d records", len(res.Label), roll.Len())
			}
		})
	}
}

// TestRunStableIDs checks that student IDs do not depend on input order or GOMAXPROCS.
func TestRunStableIDs(t *testing.T) {
	s := PersonSettings()
	data, err := os.ReadFile("../testdata/febrl/dataset1.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	shuffled := append([]string{lines[0]}, lines[1:]...)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled)-1, func(i, j int) {
		shuffled[i+1], shuffled[j+1] = shuffled[j+1], shuffled[i+1]
	})
	run := func(text string, procs int) map[string]string {
		prev := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(prev)
		roll, err := s.NewRoll()
		if err != nil {
			t.Fatal(err)
		}
		if err := roll.ReadCSV("in.csv", strings.NewReader(text)); err != nil {
			t.Fatal(err)
		}
		_, res := linkRoll(t, s, roll)
		out := map[string]string{}
		for i, id := range roll.IDs {
			out[id] = res.StudentIDs[res.Label[i]]
		}
		return out
	}
	a := run(strings.Join(lines, "\n"), 1)
	b := run(strings.Join(shuffled, "\n"), 2)
	if d := cmp.Diff(a, b); d != "" {
		t.Errorf("student IDs differ between input orders / GOMAXPROCS (-sorted,1 +shuffled,2):\n%s", d)
	}
}

func TestRunDecisionsAndEarlierIDs(t *testing.T) {
	s := PersonSettings()
	roll := readRoll(t, s, "../testdata/febrl/dataset1.csv")
	l, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := l.Run(ctx, roll, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Find a linked pair and a record apart from it, and reverse both verdicts.
	var together [2]string
	for _, c := range first.Clusters() {
		if len(c) >= 2 {
			together = [2]string{roll.IDs[c[0]], roll.IDs[c[1]]}
			break
		}
	}
	// loner is a record of another student.
	var loner string
	ta, _ := roll.Index(together[0])
	for _, c := range first.Clusters() {
		if first.Label[c[0]] != first.Label[ta] {
			loner = roll.IDs[c[0]]
			break
		}
	}
	earlier := map[string]string{}
	for i, id := range roll.IDs {
		earlier[id] = first.StudentIDs[first.Label[i]]
	}
	second, err := l.Run(ctx, roll, RunOptions{
		EarlierIDs: earlier,
		Decisions: []Decision{
			{A: together[0], B: together[1], Same: false},
			{A: loner, B: together[0], Same: true},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	sa, _ := second.StudentOf(together[0])
	sb, _ := second.StudentOf(together[1])
	sl, _ := second.StudentOf(loner)
	if sa == sb {
		t.Errorf("records %s and %s were decided different but share student %s", together[0], together[1], sa)
	}
	if sl != sa {
		t.Errorf("records %s and %s were decided the same but are students %s and %s", loner, together[0], sl, sa)
	}
	if len(second.IDChanges) == 0 {
		t.Error("no ID changes reported after a split and a merge")
	}
	// Unchanged students keep their IDs.
	kept := 0
	for i, id := range roll.IDs {
		if second.StudentIDs[second.Label[i]] == earlier[id] {
			kept++
		}
	}
	if kept < roll.Len()-5 {
		t.Errorf("only %d of %d records kept their student ID", kept, roll.Len())
	}
	// A verdict on a record that has left the roll is skipped with a note naming it; one
	// whose source was renamed since finds its record by the bare ID.
	gone, err := l.Run(ctx, roll, RunOptions{Decisions: []Decision{
		{A: "nope", B: loner, Where: "d.csv:2"},
		{A: together[0], SourceA: "old-name.csv", B: together[1], SourceB: "old-name.csv", Same: false, Where: "d.csv:3"},
	}})
	if err != nil {
		t.Fatalf("a verdict on a record gone stopped the run: %v", err)
	}
	if len(gone.DecisionNotes) != 1 || !strings.Contains(gone.DecisionNotes[0], `d.csv:2 (nope,`) || !strings.Contains(gone.DecisionNotes[0], "skipped") {
		t.Errorf("notes = %q, want one naming d.csv:2 and the record nope as skipped", gone.DecisionNotes)
	}
	if sa, _ := gone.StudentOf(together[0]); sa == mustStudent(t, gone, together[1]) {
		t.Errorf("verdict under a renamed source not honoured: %s and %s share %s", together[0], together[1], sa)
	}
	// A later verdict on the same pair corrects an earlier one: by its time, else by its
	// place (a second decisions file).
	day := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name     string
		verdicts []Decision
		apart    bool
	}{
		{"later file", []Decision{{A: together[0], B: together[1], Same: false, Where: "a.csv:2"}, {A: together[0], B: together[1], Same: true, Where: "b.csv:2"}}, false},
		{"later time", []Decision{{A: together[0], B: together[1], Same: false, At: day.Add(time.Hour), Where: "a.csv:2"}, {A: together[0], B: together[1], Same: true, At: day, Where: "b.csv:2"}}, true},
	} {
		res, err := l.Run(ctx, roll, RunOptions{Decisions: tt.verdicts})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if apart := mustStudent(t, res, together[0]) != mustStudent(t, res, together[1]); apart != tt.apart {
			t.Errorf("%s: apart = %v, want %v", tt.name, apart, tt.apart)
		}
		if len(res.DecisionNotes) != 1 || !strings.Contains(res.DecisionNotes[0], "replaced by the later verdict") {
			t.Errorf("%s: notes = %q, want one replaced verdict", tt.name, res.DecisionNotes)
		}
	}
	// Verdicts that contradict each other through a third record are an error naming
	// them all, not one of them dropped.
	contradict := []Decision{
		{A: loner, B: together[0], Same: true, Where: "d.csv:2"},
		{A: together[0], B: together[1], Same: true, Where: "d.csv:3"},
		{A: loner, B: together[1], Same: false, Where: "d.csv:4"},
	}
	_, err = l.Run(ctx, roll, RunOptions{Decisions: contradict})
	if err == nil {
		t.Fatal("contradicting verdicts honoured")
	}
	for _, want := range []string{"d.csv:4", "d.csv:2, d.csv:3", loner, together[1]} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("contradicting verdicts: error %q does not name %q", err, want)
		}
	}
}

func TestRunCancelled(t *testing.T) {
	s := PersonSettings()
	roll := readRoll(t, s, "../testdata/febrl/dataset1.csv")
	l, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Run(ctx, roll, RunOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestSaveLoad(t *testing.T) {
	s := PersonSettings()
	roll := readRoll(t, s, "../testdata/febrl/dataset1.csv")
	l, res := linkRoll(t, s, roll)
	var buf bytes.Buffer
	if err := l.Save(&buf); err != nil {
		t.Fatal(err)
	}
	l2, err := Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(l.Model(), l2.Model()); d != "" {
		t.Errorf("model after save/load (-saved +loaded):\n%s", d)
	}
	res2, err := l2.Run(context.Background(), roll, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(res.StudentIDs, res2.StudentIDs); d != "" {
		t.Errorf("loaded model clusters differently:\n%s", d)
	}
	if _, err := Load(strings.NewReader(`{"version": 99}`)); err == nil {
		t.Error("loading version 99: want error")
	}
	// A model saved before birth_date's two_digits level: its m and u have a level less.
	if _, err := Load(strings.NewReader(`{"version": 1}`)); !errors.Is(err, ErrModelVersion) || !strings.Contains(err.Error(), "train the model again") {
		t.Errorf("loading a version 1 model: err = %v, want one that says to train again", err)
	}
	if _, err := Load(strings.NewReader(`not json`)); err == nil {
		t.Error("loading garbage: want error")
	}
}

func TestWhy(t *testing.T) {
	s := PersonSettings()
	roll := readRoll(t, s, "../testdata/febrl/dataset3.csv")
	_, res := linkRoll(t, s, roll)
	checked := 0
	for _, c := range res.Clusters() {
		if len(c) < 3 {
			continue
		}
		a, b := roll.IDs[c[0]], roll.IDs[c[len(c)-1]]
		chain, together, err := res.Why(a, b)
		if err != nil || !together || len(chain) == 0 {
			t.Fatalf("Why(%s, %s) = %d links, %v, %v", a, b, len(chain), together, err)
		}
		if chain[0].A != a || chain[len(chain)-1].B != b {
			t.Errorf("chain from %s to %s runs %s … %s", a, b, chain[0].A, chain[len(chain)-1].B)
		}
		for k := 1; k < len(chain); k++ {
			if chain[k].A != chain[k-1].B {
				t.Errorf("chain broken at link %d: %s then %s", k, chain[k-1].B, chain[k].A)
			}
		}
		for _, link := range chain {
			if link.Explanation.Weight < s.Thresholds.Upper {
				t.Errorf("link %s–%s in a chain has weight %.2f below the upper threshold", link.A, link.B, link.Explanation.Weight)
			}
		}
		checked++
		if checked == 20 {
			break
		}
	}
	if checked == 0 {
		t.Fatal("no cluster of 3 or more records to explain")
	}
	for _, c := range res.Clusters() {
		if len(c) != 1 {
			continue
		}
		ap, ok, err := res.WhyApart(roll.IDs[c[0]])
		if err != nil {
			t.Fatal(err)
		}
		if ok && ap.Weight >= ap.Upper && ap.Refused == "" {
			t.Errorf("record %s is apart but its best candidate %s scores %.2f ≥ %.2f with no refusal", ap.Record, ap.Best, ap.Weight, ap.Upper)
		}
	}
}

// TestRunPreparedConcurrently runs two linkers on one Prepared at once (run with -race):
// they share its scorer's copy of the table and give the same students.
func TestRunPreparedConcurrently(t *testing.T) {
	s := StudentSettings()
	roll := readRoll(t, s, sampleRoll)
	var linkers [2]*Linker
	for k := range linkers {
		l, err := New(s)
		if err != nil {
			t.Fatal(err)
		}
		linkers[k] = l
	}
	p, err := linkers[0].Prepare(context.Background(), roll, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var results [2]*Result
	var errs [2]error
	var wg sync.WaitGroup
	for k := range linkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[k], errs[k] = linkers[k].RunPrepared(context.Background(), p, RunOptions{})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(results[0].StudentIDs, results[1].StudentIDs); diff != "" {
		t.Errorf("two runs on one Prepared differ (-first +second):\n%s", diff)
	}
}

// mustStudent returns the student of the record with the ID, failing the test if none.
func mustStudent(t *testing.T, res *Result, id string) string {
	t.Helper()
	s, ok := res.StudentOf(id)
	if !ok {
		t.Fatalf("record %q has no student", id)
	}
	return s
}

// TestProgressOneAtATime: Progress is called from one goroutine at a time, as its doc
// promises, though the compare and score stages run on several workers; every stage
// reports, and a stage with a total ends at it.
func TestProgressOneAtATime(t *testing.T) {
	s := PersonSettings()
	roll := readRoll(t, s, "../testdata/febrl/dataset1.csv")
	l, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	var inside atomic.Int32
	var overlaps int
	last := map[string]Progress{}
	progress := func(p Progress) {
		if inside.Add(1) != 1 {
			overlaps++
		}
		last[p.Stage] = p
		time.Sleep(10 * time.Microsecond) // widen the window two callers would meet in
		inside.Add(-1)
	}
	if _, err := l.Run(context.Background(), roll, RunOptions{Progress: progress, Workers: 4}); err != nil {
		t.Fatal(err)
	}
	if overlaps > 0 {
		t.Errorf("Progress called from %d goroutines at once", overlaps+1)
	}
	for _, stage := range []string{StagePrepare, StageBlock, StageCompare, StageTrain, StageScore, StageCluster} {
		p, ok := last[stage]
		if !ok {
			t.Errorf("stage %s never reported", stage)
		}
		if p.Total > 0 && p.Done > p.Total {
			t.Errorf("stage %s: %d done of %d", stage, p.Done, p.Total)
		}
	}
	// The run's rules: those whose columns the roll has.
	if p, rules := last[StageBlock], len(l.Settings().Blocking); p.Total != int64(rules) || p.Done != p.Total {
		t.Errorf("stage %s ended at %d of %d, want every one of the %d rules", StageBlock, p.Done, p.Total, rules)
	}
}

func TestNearSSIDs(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"4000000014", "4000000015", true},
		{"4000000019", "4000000020", true},
		{"4000000010", "4000000019", true},
		{"4000000010", "4000000020", true},  // 400000001 and 400000002 with check digits
		{"4000000701", "4000000711", true},  // consecutive, a check digit after them
		{"4000000790", "4000000803", true},  // …079 and …080
		{"4000000701", "4000000721", false}, // …070 and …072
		{"4000000701", "4000000801", false},
		{"7925975", "7925075", false}, // a typo in a middle digit
		{"0000000014", "0000000015", true},
		{"400000014", "4000000015", false}, // lengths differ
		{"", "4000000015", false},
		{"40000000A4", "4000000015", false},
		{"99999999999999999999", "99999999999999999998", false}, // over 19 digits
		{"AE1234567", "AE1234568", true},                        // Ohio's: the same letters, numbers issued together
		{"AE1234567", "AF1234568", false},                       // other letters
		{"AE1234567", "1234568", false},
		{"AE", "AE", false}, // no number
	}
	for _, tt := range tests {
		ta := normalize.NewTable(1, 0)
		tb := normalize.NewTable(1, 0)
		ta.SSID[0], tb.SSID[0] = tt.a, tt.b
		for _, mistyped := range []bool{false, true} {
			if got := nearSSIDs(ta, 0, tb, 0, mistyped); got != tt.want {
				t.Errorf("nearSSIDs(%q, %q, mistyped %v) = %v, want %v", tt.a, tt.b, mistyped, got, tt.want)
			}
		}
	}
}

// TestNearSSIDsMistyped: SSIDs two typos apart are issued together, one mistyped, only
// where one typo undone leaves them so (CannotLink.MistypedTwinSSIDs).
func TestNearSSIDsMistyped(t *testing.T) {
	tests := []struct {
		a, b     string
		mistyped bool // a twin's SSID mistyped; strictly, none is issued together
	}{
		{"1000008311", "1000508312", true}, // 8311 and 8312, a 5 for a 0
		{"1000008311", "1000003812", true}, // 8311 and 8312, two digits swapped
		{"1000008311", "1000580312", false},
		{"1000008311", "1000083121", false},
		{"1000008311", "1000803112", false},
		{"3485821748", "3458281748", false}, // two swaps: one child's SSID
		{"1233617", "1233871", false},       // a digit wrong and two swapped, neither undone near
		{"40000000A4", "4000000015", false}, // not a number
	}
	for _, tt := range tests {
		ta := normalize.NewTable(1, 0)
		tb := normalize.NewTable(1, 0)
		ta.SSID[0], tb.SSID[0] = tt.a, tt.b
		if got := nearSSIDs(ta, 0, tb, 0, false); got {
			t.Errorf("nearSSIDs(%q, %q) = true, want false", tt.a, tt.b)
		}
		if got := nearSSIDs(ta, 0, tb, 0, true); got != tt.mistyped {
			t.Errorf("nearSSIDs(%q, %q, mistyped) = %v, want %v", tt.a, tt.b, got, tt.mistyped)
		}
	}
}

// TestLoadSettingsFormat: settings written by this library load; settings of an earlier
// format, whose birth-date else held what two_digits holds now, are refused with what to
// do, not read with another meaning.
func TestLoadSettingsFormat(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, s any) string {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	inCode := StudentSettings()
	inCode.Format = 0 // settings built in code, as a program does, without a format
	if l, err := New(inCode); err != nil || l.Settings().Format != SettingsFormat {
		t.Fatalf("New on settings without a format: err %v; want them taken as format %d", err, SettingsFormat)
	}
	current := StudentSettings()
	got, err := LoadSettings(write("current.json", current))
	if err != nil {
		t.Fatalf("current settings: %v", err)
	}
	if d := cmp.Diff(current, got); d != "" {
		t.Errorf("settings after a round trip (-written +read):\n%s", d)
	}
	for _, tt := range []struct {
		format int
		want   string
	}{
		{0, "have no format (format 1)"}, // a file from before formats: no "format" key
		{1, "are format 1"},
		{-1, "are format -1"},
		{SettingsFormat + 1, "written by a newer library"},
	} {
		s := StudentSettings()
		s.Format = tt.format
		if _, err := LoadSettings(write("other.json", s)); err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "-print-settings") {
			t.Errorf("format %d settings: err = %v, want a refusal saying %q and the remedy", tt.format, err, tt.want)
		}
	}
}

// TestLoadSettingsRefuses: a misspelt or unknown key, trailing content, and a path that
// is not a regular file are errors naming what is wrong, not defaults kept in silence.
func TestLoadSettingsRefuses(t *testing.T) {
	dir := t.TempDir()
	b, err := json.Marshal(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	good := string(b)
	for _, tt := range []struct {
		name, content, want string
	}{
		{"misspelt key", strings.Replace(good, `"thresholds"`, `"threshold"`, 1), `unknown field "threshold"`},
		{"unknown key inside", strings.Replace(good, `"upper"`, `"uper"`, 1), `unknown field "uper"`},
		{"trailing content", good + ` {"name":"x"}`, "more after the settings' JSON object"},
	} {
		path := filepath.Join(dir, "s.json")
		if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadSettings(path); err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: err = %v, want it to name %s and say %q", tt.name, err, path, tt.want)
		}
	}
	for _, path := range []string{dir, os.DevNull} {
		if _, err := LoadSettings(path); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("LoadSettings(%s) = %v, want not a regular file", path, err)
		}
	}
}
