package backpack_test

import (
	"bytes"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
	goldenfile "github.com/studentlink/studentlink/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/backpack")

func TestSubmissionRoundTrip(t *testing.T) {
	for _, sub := range submissions(t) {
		t.Run(sub.LEA, func(t *testing.T) {
			var buf bytes.Buffer
			if err := backpack.WriteJSON(&buf, sub); err != nil {
				t.Fatal(err)
			}
			back, err := backpack.ReadSubmission(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(sub, back); diff != "" {
				t.Errorf("round trip (-written +read):\n%s", diff)
			}
		})
	}
}

func TestBackpackRoundTrip(t *testing.T) {
	bps := allBackpacks(t)
	if len(bps) == 0 {
		t.Fatal("no backpacks")
	}
	for _, b := range bps {
		t.Run(b.StudentID, func(t *testing.T) {
			if diff := cmp.Diff(b, roundTrip(t, b), ignoreSeal); diff != "" {
				t.Errorf("round trip (-written +read):\n%s", diff)
			}
		})
	}
}

func TestReadRejects(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"unknown field", `{"student_id":"S1","nickname":"x"}`},
		{"wrong type", `{"student_id":7}`},
		{"not JSON", `student`},
		{"empty", ``},
		{"two values", `{"student_id":"S1"} {"student_id":"S2"}`},
		{"trailing text", `{"student_id":"S1"} and more`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if b, err := backpack.ReadBackpack(strings.NewReader(tt.in)); err == nil {
				t.Errorf("ReadBackpack(%q) = %+v, want an error", tt.in, b)
			}
			if s, err := backpack.ReadSubmission(strings.NewReader(strings.ReplaceAll(tt.in, "student_id", "lea"))); err == nil {
				t.Errorf("ReadSubmission = %+v, want an error", s)
			}
		})
	}
}

// TestLisaGolden pins Lisa Woods's backpack merged from both LEAs. Run with -update to
// rewrite testdata/backpack/lisa.golden.json after a deliberate change.
func TestLisaGolden(t *testing.T) {
	b := build(t, newStore(t), "lisa-woods", lisaOld, lisaNew)
	var buf bytes.Buffer
	if err := backpack.WriteJSON(&buf, b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "testdata", "backpack", "lisa.golden.json")
	goldenfile.Check(t, path, buf.String(), *update)
	want := buf.Bytes()
	// The golden file reads back to the same backpack.
	back, err := backpack.ReadBackpack(bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, back, ignoreSeal); diff != "" {
		t.Errorf("golden backpack (-built +read):\n%s", diff)
	}
}

// FuzzReadBackpack: ReadBackpack never panics, and what it accepts writes and reads
// back unchanged.
func FuzzReadBackpack(f *testing.F) {
	b := build(f, newStore(f), "lisa-woods", lisaOld, lisaNew)
	// A small seed: the fuzzer crawls on the whole backpack.
	b.Attendance, b.Teachers, b.Grades = b.Attendance[:1], b.Teachers[:1], b.Grades[:1]
	var buf bytes.Buffer
	if err := backpack.WriteJSON(&buf, b); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(`{"student_id":"S","records":["a"],"demographics":[{"name":"ssid","value":"1"}]}`))
	f.Add([]byte(`{"grades":[{"fact":{"numeric":1e400}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := backpack.ReadBackpack(bytes.NewReader(data))
		if err != nil {
			return
		}
		// Input may hold values WriteJSON leaves out (an empty list): what is written once
		// must read and write back byte for byte.
		var once, twice bytes.Buffer
		if err := backpack.WriteJSON(&once, b); err != nil {
			t.Fatalf("WriteJSON of a read backpack: %v", err)
		}
		back, err := backpack.ReadBackpack(bytes.NewReader(once.Bytes()))
		if err != nil {
			t.Fatalf("ReadBackpack of WriteJSON: %v\n%s", err, once.Bytes())
		}
		if err := backpack.WriteJSON(&twice, back); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(once.String(), twice.String()); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}

// FuzzReadSubmission: ReadSubmission never panics, and what it accepts writes and reads
// back unchanged.
func FuzzReadSubmission(f *testing.F) {
	for _, sub := range submissions(f) {
		// Small seeds: the fuzzer crawls on the whole submissions.
		sub.Students, sub.Enrollments, sub.Sections = sub.Students[:1], sub.Enrollments[:1], sub.Sections[:1]
		sub.SectionLinks, sub.Grades, sub.Attendance = sub.SectionLinks[:1], sub.Grades[:1], sub.Attendance[:1]
		sub.Staff, sub.StaffSections, sub.Credentials = sub.Staff[:1], sub.StaffSections[:1], sub.Credentials[:1]
		sub.Assessments, sub.Transcripts = sub.Assessments[:1], sub.Transcripts[:min(1, len(sub.Transcripts))]
		var buf bytes.Buffer
		if err := backpack.WriteJSON(&buf, sub); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Add([]byte(`{"lea":"1","students":[{"record":"1/2","races":[]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := backpack.ReadSubmission(bytes.NewReader(data))
		if err != nil {
			return
		}
		// Input may hold values WriteJSON leaves out (an empty list): what is written once
		// must read and write back byte for byte.
		var once, twice bytes.Buffer
		if err := backpack.WriteJSON(&once, s); err != nil {
			t.Fatalf("WriteJSON of a read submission: %v", err)
		}
		back, err := backpack.ReadSubmission(bytes.NewReader(once.Bytes()))
		if err != nil {
			t.Fatalf("ReadSubmission of WriteJSON: %v\n%s", err, once.Bytes())
		}
		if err := backpack.WriteJSON(&twice, back); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(once.String(), twice.String()); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}
