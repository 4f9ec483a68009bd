package match

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
)

// perLEARolls splits the sample roll into one file per LEA. With renumber, records are
// numbered 1, 2, 3 … within each file, as LEAs number their students, so that every
// number is used by every LEA. It returns the files' text by source name and each
// record's true student.
func perLEARolls(t *testing.T, renumber bool) (names []string, files map[string]string, truth map[RecordRef]string) {
	t.Helper()
	data, err := os.ReadFile(sampleRoll)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	byOld := map[string]string{}
	tf, err := os.ReadFile(sampleTruth)
	if err != nil {
		t.Fatal(err)
	}
	trows, err := csv.NewReader(bytes.NewReader(tf)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range trows[1:] {
		byOld[r[0]] = r[1]
	}
	bufs := map[string]*bytes.Buffer{}
	counts := map[string]int{}
	truth = map[RecordRef]string{}
	for _, row := range rows[1:] {
		name := "lea" + row[1] + ".csv"
		b, ok := bufs[name]
		if !ok {
			b = &bytes.Buffer{}
			w := csv.NewWriter(b)
			_ = w.Write(rows[0])
			w.Flush()
			bufs[name] = b
			names = append(names, name)
		}
		counts[name]++
		id := row[0]
		if renumber {
			id = strconv.Itoa(counts[name])
		}
		truth[RecordRef{Source: name, ID: id}] = byOld[row[0]]
		row[0] = id
		w := csv.NewWriter(b)
		_ = w.Write(row)
		w.Flush()
	}
	files = map[string]string{}
	for n, b := range bufs {
		files[n] = b.String()
	}
	return names, files, truth
}

func readSources(t *testing.T, s Settings, names []string, files map[string]string) *Roll {
	t.Helper()
	roll, err := s.NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if err := roll.ReadCSV(n, strings.NewReader(files[n])); err != nil {
			t.Fatal(err)
		}
	}
	return roll
}

// TestOverlappingLocalIDs links LEAs that number their students independently: every
// record ID is used by every LEA, in link and in link_and_dedupe mode. Linking is as good
// as with IDs unique across the LEAs.
func TestOverlappingLocalIDs(t *testing.T) {
	ctx := context.Background()
	run := func(t *testing.T, mode Mode, renumber bool) (*Linker, *Result, []string, []string, map[string]string) {
		names, files, truthOf := perLEARolls(t, renumber)
		s := StudentSettings()
		s.Mode = mode
		roll := readSources(t, s, names, files)
		l, res := linkRoll(t, s, roll)
		truth := make([]string, roll.Len())
		for i := range truth {
			truth[i] = truthOf[roll.Ref(i)]
		}
		return l, res, truth, names, files
	}
	evaluate := func(t *testing.T, mode Mode, res *Result, truth []string) Evaluation {
		var sources []int32
		if mode == ModeLink {
			sources = res.Prepared.Roll.Source // link mode is judged on pairs across LEAs
		}
		ev, err := Evaluate(res.Label, truth, sources)
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	for _, tc := range []struct {
		mode Mode
		// f1 is the least F1 over the pairs the mode links: link mode keeps each file's
		// records apart, and the sample has duplicates within an LEA, so a student with two
		// records in one LEA can link only one of them to another LEA's.
		f1 float64
	}{
		{ModeLinkAndDedupe, 0.99},
		{ModeLink, 0.93},
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			l, res, truth, names, files := run(t, tc.mode, true)
			roll := res.Prepared.Roll
			s := l.Settings()
			if _, ok := roll.Index("1"); ok {
				t.Fatal(`record ID "1" should be used by every LEA`)
			}
			ev := evaluate(t, tc.mode, res, truth)
			_, unique, uniqueTruth, _, _ := run(t, tc.mode, false)
			evUnique := evaluate(t, tc.mode, unique, uniqueTruth)
			t.Logf("%s, IDs shared by every LEA: %v", tc.mode, ev)
			t.Logf("%s, IDs unique: %v", tc.mode, evUnique)
			if ev.F1 < tc.f1 || ev.F1 < evUnique.F1-0.005 {
				t.Errorf("F1 %.4f, want at least %.2f and within 0.005 of %.4f with unique IDs", ev.F1, tc.f1, evUnique.F1)
			}
			for i := range roll.Len() {
				for j := range roll.Len() {
					if i < j && roll.IDs[i] == roll.IDs[j] && res.Label[i] == res.Label[j] && truth[i] != truth[j] {
						t.Fatalf("records %v and %v share an ID and were merged, but are different students", roll.Ref(i), roll.Ref(j))
					}
				}
			}

			// The clusters file names each record by ID and source; read back as the
			// earlier IDs, a rerun keeps every student's ID.
			var out bytes.Buffer
			if err := res.WriteClusters(&out); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(out.String(), "record_id,source,cluster_id,") {
				t.Fatalf("clusters header: %q", strings.SplitN(out.String(), "\n", 2)[0])
			}
			earlier, err := ReadStudentIDs("clusters.csv", &out)
			if err != nil {
				t.Fatal(err)
			}
			for i := range roll.Len() {
				if _, ok := earlier[roll.Ref(i).Key()]; !ok {
					t.Fatalf("no earlier ID for record %v", roll.Ref(i))
				}
			}
			// The state's IDs, not the ones a run derives: the rerun must keep these.
			for k, id := range earlier {
				earlier[k] = "STATE-" + id
			}
			again, err := l.Run(ctx, readSources(t, s, names, files), RunOptions{EarlierIDs: earlier})
			if err != nil {
				t.Fatal(err)
			}
			for i := range roll.Len() {
				if got, want := again.StudentIDs[again.Label[i]], "STATE-"+res.StudentIDs[res.Label[i]]; got != want {
					t.Errorf("record %v: student %s on the rerun, %s before", roll.Ref(i), got, want)
				}
			}
			if len(again.IDChanges) != 0 {
				t.Errorf("ID changes on an identical rerun: %v", again.IDChanges)
			}
		})
	}
}

// TestSharedIDsByRef checks that decisions and earlier IDs name records by source where
// sources share an ID, and that a bare shared ID is refused with the sources named.
func TestSharedIDsByRef(t *testing.T) {
	s := StudentSettings()
	l := trainedStudentLinker(t)
	roll, err := s.NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	a := studentHeader + "1,01,,,Emma,,Johnson,,2012-05-01,F,5,12 Oak St,Provo,84601,\n" +
		"2,01,,,Liam,,Chen,,2011-02-03,M,6,9 Elm St,Orem,84057,\n"
	b := studentHeader + "1,02,,,Noah,,Patel,,2010-07-08,M,7,3 Pine St,Lehi,84043,\n" +
		"2,02,,,Emma,,Johnson,,2012-05-01,F,5,12 Oak St,Provo,84601,\n"
	for _, src := range [][2]string{{"a.csv", a}, {"b.csv", b}} {
		if err := roll.ReadCSV(src[0], strings.NewReader(src[1])); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	res, err := l.Run(ctx, roll, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	student := func(res *Result, src, id string) string {
		i, err := res.Prepared.Roll.Find(RecordRef{Source: src, ID: id})
		if err != nil {
			t.Fatal(err)
		}
		return res.StudentIDs[res.Label[i]]
	}
	if student(res, "a.csv", "1") != student(res, "b.csv", "2") {
		t.Fatal("Emma's records in a.csv (1) and b.csv (2) did not link")
	}
	if student(res, "a.csv", "1") == student(res, "b.csv", "1") {
		t.Fatal("records 1 of a.csv and b.csv share an ID, not a student, but were merged")
	}
	if _, ok := res.StudentOf("2"); ok {
		t.Error("StudentOf(2) found a student, but two sources use the ID")
	}
	if got, ok := res.StudentOf(RecordRef{"b.csv", "2"}.Key()); !ok || got != student(res, "b.csv", "2") {
		t.Errorf("StudentOf by key = %q, %v", got, ok)
	}
	if ap, _, err := res.WhyApart(RecordRef{"b.csv", "1"}.Key()); err != nil || ap.Record != "1" {
		t.Errorf("WhyApart by key = %+v, %v", ap, err)
	}
	chain, together, err := res.WhyRefs(RecordRef{"a.csv", "1"}, RecordRef{"b.csv", "2"})
	if err != nil || !together || len(chain) != 1 || chain[0].SourceA != "a.csv" || chain[0].SourceB != "b.csv" {
		t.Errorf("WhyRefs = %+v, %v, %v", chain, together, err)
	}
	if _, _, err := res.Why("1", "2"); err == nil || !strings.Contains(err.Error(), "(a.csv, b.csv)") {
		t.Errorf("Why on shared IDs: err = %v, want the sources named", err)
	}

	// A decision names the records by source: the two Emmas are twins after all.
	apart, err := l.Run(ctx, roll, RunOptions{Decisions: []Decision{{A: "1", SourceA: "a.csv", B: "2", SourceB: "b.csv", Same: false}}})
	if err != nil {
		t.Fatal(err)
	}
	if student(apart, "a.csv", "1") == student(apart, "b.csv", "2") {
		t.Error("records decided different share a student")
	}
	_, err = l.Run(ctx, roll, RunOptions{Decisions: []Decision{{A: "1", B: "2", Same: false}}})
	if err == nil || !strings.Contains(err.Error(), `record ID "1" is used by several sources (a.csv, b.csv): name the source`) {
		t.Errorf("a decision on a bare shared ID: err = %v", err)
	}
	_, err = l.Run(ctx, roll, RunOptions{EarlierIDs: map[string]string{"1": "S1"}})
	if err == nil || !strings.Contains(err.Error(), `record "1", which several sources use (a.csv, b.csv)`) {
		t.Errorf("an earlier ID on a bare shared ID: err = %v", err)
	}
	earlier := map[string]string{RecordRef{"a.csv", "1"}.Key(): "S-EMMA", RecordRef{"b.csv", "1"}.Key(): "S-NOAH"}
	kept, err := l.Run(ctx, roll, RunOptions{EarlierIDs: earlier})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{student(kept, "a.csv", "1"), student(kept, "b.csv", "2"), student(kept, "b.csv", "1")}
	if d := cmp.Diff([]string{"S-EMMA", "S-EMMA", "S-NOAH"}, got); d != "" {
		t.Errorf("student IDs (-want +got):\n%s", d)
	}
}

// TestReviewRoundTrip writes the review queue, fills in verdicts as a reviewer would, reads
// them back and reruns: the verdicts hold and the other students keep their IDs.
func TestReviewRoundTrip(t *testing.T) {
	s := StudentSettings()
	roll := readRoll(t, s, sampleRoll)
	l, first := linkRoll(t, s, roll)
	ctx := context.Background()
	if len(first.Review) < 2 {
		t.Fatalf("only %d review items: the test needs two", len(first.Review))
	}
	var review bytes.Buffer
	if err := first.WriteReview(&review); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&review).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := rows[0]
	col := func(name string) int {
		for c, h := range header {
			if h == name {
				return c
			}
		}
		t.Fatalf("review header %v has no %s", header, name)
		return -1
	}
	// Both records' values side by side.
	ga, gb := col("a.first_name"), col("b.first_name")
	ia, _ := roll.Index(rows[1][col("record_a")])
	ib, _ := roll.Index(rows[1][col("record_b")])
	if rows[1][ga] != roll.Column(ia, "first_name") || rows[1][gb] != roll.Column(ib, "first_name") {
		t.Errorf("review row 1 shows first names %q, %q; the records hold %q, %q", rows[1][ga], rows[1][gb], roll.Column(ia, "first_name"), roll.Column(ib, "first_name"))
	}
	// A refused link names the rule and the two records it found different.
	refused := 0
	for k, it := range first.Review {
		if it.Reason != RefusedDifferent {
			continue
		}
		refused++
		row := rows[k+1]
		if it.Rule == "" || row[col("rule")] != it.Rule || row[col("conflict_a")] == "" || row[col("conflict_b")] == "" {
			t.Errorf("refused link %s/%s: rule %q, conflict %q/%q", it.A, it.B, row[col("rule")], row[col("conflict_a")], row[col("conflict_b")])
		}
		for side, ref := range it.Against {
			c, err := roll.Find(ref)
			if err != nil {
				t.Fatal(err)
			}
			own := [2]int32{it.RecordA, it.RecordB}[side]
			if first.Label[c] != first.Label[own] {
				t.Errorf("refused link %s/%s: conflict record %v is not in the student of record %d", it.A, it.B, ref, own)
			}
		}
	}
	if refused == 0 {
		t.Error("no refused link in the review queue: the test needs one")
	}
	rows[1][col("verdict")], rows[1][col("by")], rows[1][col("at")] = "Same", "ana", "2024-05-01"
	rows[2][col("verdict")] = "different"
	var filled bytes.Buffer
	w := csv.NewWriter(&filled)
	_ = w.WriteAll(rows)
	ds, err := ReadDecisions("review.csv", &filled)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || !ds[0].Same || ds[0].By != "ana" || ds[0].At.Format("2006-01-02") != "2024-05-01" || ds[1].Same {
		t.Fatalf("decisions = %+v", ds)
	}
	earlier := map[string]string{}
	for i := range roll.Len() {
		earlier[roll.IDs[i]] = first.StudentIDs[first.Label[i]]
	}
	second, err := l.Run(ctx, roll, RunOptions{Decisions: ds, EarlierIDs: earlier})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		sa, _ := second.StudentOf(d.A)
		sb, _ := second.StudentOf(d.B)
		if (sa == sb) != d.Same {
			t.Errorf("decided %s/%s same=%v, but students are %s and %s", d.A, d.B, d.Same, sa, sb)
		}
	}
	// A pair decided is not asked again.
	for _, it := range second.Review {
		for _, d := range ds {
			if (it.A == d.A && it.B == d.B) || (it.A == d.B && it.B == d.A) {
				t.Errorf("pair %s/%s, decided at %s, is in the review queue again: %s", d.A, d.B, d.Where, it.Reason)
			}
		}
	}
	moved := map[string]bool{}
	for _, d := range ds {
		moved[d.A], moved[d.B] = true, true
	}
	for i, id := range roll.IDs {
		if sid := second.StudentIDs[second.Label[i]]; sid != earlier[id] && !touched(first, second, i, moved) {
			t.Errorf("record %s moved from %s to %s though no decision touched its student", id, earlier[id], sid)
		}
	}
}

// touched reports whether record i shared a student, in either run, with a record a
// decision named.
func touched(first, second *Result, i int, moved map[string]bool) bool {
	roll := first.Prepared.Roll
	for j, id := range roll.IDs {
		if moved[id] && (first.Label[j] == first.Label[i] || second.Label[j] == second.Label[i]) {
			return true
		}
	}
	return false
}

func TestReadDecisionsErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty, no header row"},
		{"no verdict column", "record_a,record_b\n1,2\n", `no verdict column; read: "record_a", "record_b"`},
		{"bad verdict", "record_a,record_b,verdict\n1,2,maybe\n", `d.csv:2: verdict "maybe": want same or different`},
		{"one record", "record_a,record_b,verdict\n1,,same\n", "d.csv:2: a verdict needs both records"},
		{"bad date", "record_a,record_b,verdict,at\n1,2,same,yesterday\n", `d.csv:2: at: "yesterday" is not a date`},
		{"month or day first", "record_a,record_b,verdict,at\n1,2,same,2/1/2024\n", `d.csv:2: at: "2/1/2024" could be month first or day first`},
		{"both ways", "record_a,record_b,verdict\n1,2,same\n2,1,different\n", "d.csv:3: records 1 and 2 were decided the other way"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadDecisions("d.csv", strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	ds, err := ReadDecisions("d.csv", strings.NewReader("record_a,source_a,record_b,source_b,verdict,by,at\n1,x.csv,1,y.csv,DIFFERENT,bo,2024-05-01T10:00:00Z\n3,,4,,,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Decision{{A: "1", SourceA: "x.csv", B: "1", SourceB: "y.csv", By: "bo", At: ds[0].At, Where: "d.csv:2"}}
	if d := cmp.Diff(want, ds); d != "" || ds[0].At.IsZero() {
		t.Errorf("decisions (-want +got):\n%s", d)
	}
	// The same file saved by a spreadsheet as "Unicode text": UTF-16 with a byte-order
	// mark.
	fromSheet, err := ReadDecisions("d16.csv", strings.NewReader(toUTF16LE("record_a,source_a,record_b,source_b,verdict,by,at\n1,x.csv,1,y.csv,DIFFERENT,bo,2024-05-01T10:00:00Z\n")))
	if err != nil {
		t.Fatal(err)
	}
	want[0].Where = "d16.csv:2"
	if d := cmp.Diff(want, fromSheet); d != "" {
		t.Errorf("UTF-16 decisions (-want +got):\n%s", d)
	}
	// Saved by a spreadsheet of a locale that separates fields with semicolons, its
	// dates rewritten month first.
	semi, err := ReadDecisions("ds.csv", strings.NewReader("record_a;source_a;record_b;source_b;verdict;by;at\n1;x.csv;1;y.csv;DIFFERENT;bo;5/13/2024\n"))
	if err != nil {
		t.Fatal(err)
	}
	want[0].Where, want[0].At = "ds.csv:2", time.Date(2024, 5, 13, 0, 0, 0, 0, time.UTC)
	if d := cmp.Diff(want, semi); d != "" {
		t.Errorf("semicolon decisions (-want +got):\n%s", d)
	}
}

// TestFindBySourcePath: a decision naming a file the roll did not read finds no record,
// though a file of the roll has its name in another folder; the same file by another
// path, and a file moved since (gone from its old path), are found.
func TestFindBySourcePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, d := range []string{"A", "B"} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "roll.csv"), []byte("id,first,last\n1001,Ana,Lopez\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, _ := NewRoll("id", testColumns())
	if err := r.ReadCSVFile("A/roll.csv"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		source string
		found  bool
	}{
		{"A/roll.csv", true},
		{"./A/roll.csv", true},
		{filepath.Join(dir, "A", "roll.csv"), true},
		{"B/roll.csv", false},             // another LEA's file of the same name
		{"exports/2023/roll.csv", true},   // gone from there: moved
		{"exports/2023/other.csv", false}, // no file of the roll has that name
	} {
		_, err := r.Find(RecordRef{Source: tt.source, ID: "1001"})
		if (err == nil) != tt.found {
			t.Errorf("Find(%s): %v, want found %v", tt.source, err, tt.found)
		}
	}
	if err := r.ReadCSVFile("./A/roll.csv"); err == nil || !strings.Contains(err.Error(), "is the file already read as source A/roll.csv") {
		t.Errorf("the same file twice: %v", err)
	}
}

// toUTF16LE writes s as UTF-16, little-endian, after a byte-order mark.
func toUTF16LE(s string) string {
	b := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

func FuzzReadDecisions(f *testing.F) {
	f.Add("record_a,record_b,verdict,by,at\n1,2,same,ana,2024-05-01\n")
	f.Add("record_a,source_a,record_b,source_b,verdict\n1,a,1,b,different\n1,a,1,b,same\n")
	f.Fuzz(func(t *testing.T, in string) {
		ds, err := ReadDecisions("f.csv", strings.NewReader(in))
		if err != nil {
			return
		}
		for _, d := range ds {
			if d.A == "" || d.B == "" {
				t.Fatalf("decision without both records: %+v", d)
			}
		}
	})
}

func TestReadStudentIDs(t *testing.T) {
	got, err := ReadStudentIDs("c.csv", strings.NewReader("record_id,source,cluster_id\n1,a.csv,S1\n1,b.csv,S2\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{RecordRef{"a.csv", "1"}.Key(): "S1", RecordRef{"b.csv", "1"}.Key(): "S2"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// Records are keyed by source and ID alone, even an ID one source alone used: another
	// LEA's file numbers its students alike (a renamed file is said: RenameEarlierSource).
	got, err = ReadStudentIDs("c.csv", strings.NewReader("record_id,source,cluster_id\n1,a.csv,S1\n1,b.csv,S2\n2,a.csv,S3\n2,a.csv,S3\n"))
	if err != nil {
		t.Fatal(err)
	}
	want = map[string]string{RecordRef{"a.csv", "1"}.Key(): "S1", RecordRef{"b.csv", "1"}.Key(): "S2", RecordRef{"a.csv", "2"}.Key(): "S3"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("IDs of one source (-want +got):\n%s", d)
	}
	got, err = ReadStudentIDs("c.csv", strings.NewReader("record_id,cluster_id\n1,S1\n"))
	if err != nil || got["1"] != "S1" {
		t.Errorf("no source column: %v, %v", got, err)
	}
	for _, in := range []string{"id,student\n1,S\n", "record_id,cluster_id\n1,S1\n1,S2\n"} {
		if _, err := ReadStudentIDs("c.csv", strings.NewReader(in)); err == nil {
			t.Errorf("ReadStudentIDs(%q): want an error", in)
		}
	}
}

func ExampleReadDecisions() {
	review := "record_a,source_a,record_b,source_b,verdict,by,at\n" +
		"1001,lea1.csv,1001,lea2.csv,different,ana,2024-05-01\n" +
		"1002,lea1.csv,2040,lea2.csv,,,\n" // undecided: skipped
	ds, err := ReadDecisions("review.csv", strings.NewReader(review))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range ds {
		fmt.Printf("%s@%s and %s@%s: same %v, by %s\n", d.A, d.SourceA, d.B, d.SourceB, d.Same, d.By)
	}
	// Output: 1001@lea1.csv and 1001@lea2.csv: same false, by ana
}

// TestRerunOnRenamedFile: the same roll read again from a renamed file (October's export),
// with a new record that becomes the lowest of its student's, keeps every student's ID
// once the earlier clusters file's old file name is said to be the new one
// (RenameEarlierSource); unsaid, nothing tells the export from another LEA's file of
// the same record IDs, and no record takes an earlier ID.
func TestRerunOnRenamedFile(t *testing.T) {
	s := StudentSettings()
	l := trainedStudentLinker(t)
	data, err := os.ReadFile(sampleRoll)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	roll, err := s.NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	if err := roll.ReadCSV("roll-sept.csv", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	first, err := l.Run(ctx, roll, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := first.WriteClusters(&out); err != nil {
		t.Fatal(err)
	}
	earlier, err := ReadStudentIDs("clusters.csv", &out)
	if err != nil {
		t.Fatal(err)
	}
	// A copy of a record of a student with several, under an ID that sorts first.
	var copied int
	for _, c := range first.Clusters() {
		if len(c) > 1 {
			copied = int(c[0])
			break
		}
	}
	header := roll.Headers[roll.Source[copied]]
	row := roll.Row(copied)
	row[slices.Index(header, "record_id")] = "0000-new"
	var added strings.Builder
	w := csv.NewWriter(&added)
	_ = w.Write(header)
	_ = w.Write(row)
	w.Flush()
	again, err := s.NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	if err := again.ReadCSV("roll-oct.csv", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if err := again.ReadCSV("added.csv", strings.NewReader(added.String())); err != nil {
		t.Fatal(err)
	}
	unsaid, err := l.Run(ctx, again, RunOptions{EarlierIDs: maps.Clone(earlier)})
	if err != nil {
		t.Fatal(err)
	}
	if unsaid.EarlierFound != 0 {
		t.Errorf("%d records found in the earlier IDs of another file name", unsaid.EarlierFound)
	}
	if n := RenameEarlierSource(earlier, "roll-sept.csv", "roll-oct.csv"); n != roll.Len() {
		t.Errorf("%d records renamed, want %d", n, roll.Len())
	}
	second, err := l.Run(ctx, again, RunOptions{EarlierIDs: earlier})
	if err != nil {
		t.Fatal(err)
	}
	if second.EarlierFound != roll.Len() {
		t.Errorf("%d of %d records found in the earlier IDs", second.EarlierFound, roll.Len())
	}
	for i := range roll.Len() {
		if got, want := second.StudentIDs[second.Label[i]], first.StudentIDs[first.Label[i]]; got != want {
			t.Errorf("record %s: student %s on the rerun, %s before", roll.IDs[i], got, want)
		}
	}
	n := again.Len() - 1
	if second.Label[n] != second.Label[copied] {
		t.Errorf("the copy of record %s is not with it", roll.IDs[copied])
	}
}

// TestSharedIDsInMovedFiles: two LEAs' files using the same IDs, rerun from another
// folder (or the same file by another path): the earlier IDs and the decisions name the
// files as they were, and still find every record.
func TestSharedIDsInMovedFiles(t *testing.T) {
	s := StudentSettings()
	l := trainedStudentLinker(t)
	a := studentHeader + "1,01,,,Emma,,Johnson,,2012-05-01,F,5,12 Oak St,Provo,84601,\n" +
		"2,01,,,Liam,,Chen,,2011-02-03,M,6,9 Elm St,Orem,84057,\n"
	b := studentHeader + "1,02,,,Noah,,Patel,,2010-07-08,M,7,3 Pine St,Lehi,84043,\n" +
		"2,02,,,Emma,,Johnson,,2012-05-01,F,5,12 Oak St,Provo,84601,\n"
	read := func(names ...string) *Roll {
		roll, err := s.NewRoll()
		if err != nil {
			t.Fatal(err)
		}
		for k, src := range []string{a, b} {
			if err := roll.ReadCSV(names[k], strings.NewReader(src)); err != nil {
				t.Fatal(err)
			}
		}
		return roll
	}
	ctx := context.Background()
	first, err := l.Run(ctx, read("sept/lea1.csv", "sept/lea2.csv"), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	earlier := map[string]string{}
	for i := range first.Prepared.Roll.Len() {
		earlier[first.Prepared.Roll.Ref(i).Key()] = "STATE-" + first.StudentIDs[first.Label[i]]
	}
	for _, names := range [][]string{{"./sept/lea1.csv", "sept//lea2.csv"}, {"oct/lea1.csv", "oct/lea2.csv"}} {
		roll := read(names...)
		again, err := l.Run(ctx, roll, RunOptions{EarlierIDs: earlier, Decisions: []Decision{
			{A: "1", SourceA: "sept/lea1.csv", B: "2", SourceB: "sept/lea2.csv", Same: false},
		}})
		if err != nil {
			t.Fatalf("%v: %v", names, err)
		}
		if again.EarlierFound != roll.Len() {
			t.Errorf("%v: %d of %d records found in the earlier IDs", names, again.EarlierFound, roll.Len())
		}
		if again.Label[0] == again.Label[3] {
			t.Errorf("%v: the verdict naming the files as they were was not honoured", names)
		}
		for i := range roll.Len() {
			if got := again.StudentIDs[again.Label[i]]; !strings.HasPrefix(got, "STATE-") && i != 0 && i != 3 {
				t.Errorf("%v: record %v got %s, a new ID", names, roll.Ref(i), got)
			}
		}
	}
}

func TestParseDecidedSlashDates(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Time
	}{
		{"5/13/2024", time.Date(2024, 5, 13, 0, 0, 0, 0, time.UTC)},
		{"13/5/2024", time.Date(2024, 5, 13, 0, 0, 0, 0, time.UTC)},
		{"3/3/2024", time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC)},
		{"13/5/2024 14:30", time.Date(2024, 5, 13, 14, 30, 0, 0, time.UTC)},
	} {
		got, err := parseDecided(tt.in)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseDecided(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := parseDecided("2/1/2024"); err == nil {
		t.Error("2/1/2024, month or day first, accepted")
	}
}
