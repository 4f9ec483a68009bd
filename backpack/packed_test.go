package backpack

import (
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

func ptr[T any](v T) *T { return &v }

// samplePacked returns values of every type the store packs, with the cases a packing
// can get wrong: nil and empty slices, nil pointers and pointers to zero, unicode,
// negative numbers and a zero section key.
func samplePacked() (StudentRecord, recordFacts) {
	st := StudentRecord{Record: "01/7", StudentUniqueID: "7", FirstName: "José", LastSurname: "Núñez-O'Brien",
		BirthDate: "2012-02-08", Races: []string{"White", "Asian"}, SSID: "4000000014",
		IdentificationCodes: []IdentificationCode{{System: "State", Code: "4000000014"}},
		Address:             Address{Street: "1 Main St", City: "Provo", State: "UT", PostalCode: "84601"},
		Source:              Source{LEA: "01", Record: "01/7", File: "students.json", Index: 3},
		OtherValues:         []FieldValue{{Field: "first_name", Value: "Jose", Source: Source{LEA: "01", Index: -1}}},
	}
	key := SectionKey{LocalCourseCode: "ALG-1", SchoolID: 101, SchoolYear: 2024, SectionIdentifier: "S1", SessionName: "Fall"}
	f := recordFacts{
		Enrollments: []Enrollment{{Record: "01/7", LEA: "01", SchoolID: 101, EntryDate: "2024-08-20", GradeLevel: "06"}},
		Sections:    []SectionKey{key, {}},
		Grades: []Grade{{Record: "01/7", Section: key, GradingPeriod: "Q1", GradeType: "Final", Letter: "A", Numeric: ptr(93.5)},
			{Record: "01/7", Section: key, GradingPeriod: "Q2", GradeType: "Final", Numeric: ptr(0.0)}},
		Transcripts: []CourseRecord{{Record: "01/7", CourseCode: "ALG-1", SchoolYear: 2024, EarnedCredits: ptr(-0.5)}},
		Attendance:  []AttendanceEvent{{Record: "01/7", Date: "2024-09-01", Category: "Tardy", Minutes: ptr(-3)}},
		Assessments: []AssessmentResult{{Record: "01/7", AssessmentIdentifier: "MATH", Scores: []ScoreResult{},
			PerformanceLevels: []PerformanceLevel{{Level: "Proficient"}}}},
	}
	return st, f
}

// TestPackRoundTrip: what the store packs it gives back equal, nil and empty told apart.
func TestPackRoundTrip(t *testing.T) {
	st, f := samplePacked()
	y := newSymbols()
	var a arena
	spSt, buf := packValue(&a, y, nil, &st)
	spF, _ := packValue(&a, y, buf, &f)
	var gotSt StudentRecord
	var gotF recordFacts
	if err := unpackValue(&a, y, spSt, &gotSt); err != nil {
		t.Fatal(err)
	}
	if err := unpackValue(&a, y, spF, &gotF); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(st, gotSt); diff != "" {
		t.Errorf("student record (-packed +unpacked):\n%s", diff)
	}
	if diff := cmp.Diff(f, gotF, cmp.AllowUnexported(recordFacts{})); diff != "" {
		t.Errorf("facts (-packed +unpacked):\n%s", diff)
	}
	if gotF.Assessments[0].Scores == nil || gotF.Transcripts[0].FinalNumeric != nil {
		t.Error("an empty slice came back nil, or a nil pointer non-nil")
	}
}

// TestArenaLargeRecord: a record larger than a chunk gets a chunk of its own, and the
// records around it are intact.
func TestArenaLargeRecord(t *testing.T) {
	var a arena
	small := a.put([]byte("before"))
	big := a.put([]byte(strings.Repeat("x", arenaChunk+10)))
	after := a.put([]byte("after"))
	if string(a.get(small)) != "before" || len(a.get(big)) != arenaChunk+10 || string(a.get(after)) != "after" {
		t.Errorf("arena gave back %q, %d bytes, %q", a.get(small), len(a.get(big)), a.get(after))
	}
}

// TestSymbolsChain: strings whose hashes collide (here all of them) keep their own
// symbols, found again by id and lookup.
func TestSymbolsChain(t *testing.T) {
	for name, hash := range map[string]func(string) uint64{
		"seeded":    newSymbols().hash,
		"colliding": func(string) uint64 { return 42 },
	} {
		y := newSymbols()
		y.hash = hash
		words := []string{"a", "b", "", "a b", "Ω"}
		ids := map[string]uint32{}
		for _, w := range words {
			ids[w] = y.id(w)
		}
		if len(y.strs) != len(words) {
			t.Errorf("%s: %d symbols for %d distinct words", name, len(y.strs), len(words))
		}
		for _, w := range words {
			if got := y.id(w); got != ids[w] || y.strs[got] != w {
				t.Errorf("%s: id(%q) = %d (%q), want %d", name, w, got, y.strs[got], ids[w])
			}
			if got, ok := y.lookup(w); !ok || got != ids[w] {
				t.Errorf("%s: lookup(%q) = %d, %v", name, w, got, ok)
			}
		}
		if _, ok := y.lookup("absent"); ok {
			t.Errorf("%s: lookup found a string never added", name)
		}
	}
}

// TestStoreKeepsSubmission: a store gives back what it was given, shares one copy of a
// repeated string, and never writes to the submission.
func TestStoreKeepsSubmission(t *testing.T) {
	make := func() *Submission {
		st, f := samplePacked()
		st.Record = strings.Clone("01/7")
		return &Submission{LEA: "01", Students: []StudentRecord{st}, Enrollments: f.Enrollments, Grades: f.Grades,
			Transcripts: f.Transcripts, Attendance: f.Attendance, Assessments: f.Assessments}
	}
	sub, want := make(), make()
	callerRecord := unsafe.StringData(sub.Students[0].Record)
	s, err := NewStore(sub)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, sub); diff != "" {
		t.Errorf("the submission changed (-before +after):\n%s", diff)
	}
	if unsafe.StringData(sub.Students[0].Record) != callerRecord {
		t.Error("the submission's own strings were rewritten")
	}
	got, ok := s.Student("01/7")
	if !ok {
		t.Fatal("record 01/7 not in the store")
	}
	if diff := cmp.Diff(want.Students[0], got); diff != "" {
		t.Errorf("student record (-submitted +stored):\n%s", diff)
	}
	if unsafe.StringData(got.Record) != unsafe.StringData(got.Source.Record) {
		t.Error("the record's ID is kept twice")
	}
	b, err := s.Build("S1", []string{"01/7"}, Survivorship{})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Grades) != 2 || len(b.Enrollments) != 1 || len(b.Assessments) != 1 {
		t.Errorf("backpack holds %d grades, %d enrollments, %d assessments; want 2, 1, 1", len(b.Grades), len(b.Enrollments), len(b.Assessments))
	}
}

// FuzzUnpack: damaged packed bytes give an error or a value, never a panic.
func FuzzUnpack(f *testing.F) {
	st, facts := samplePacked()
	y := newSymbols()
	f.Add(pack(nil, y, reflect.ValueOf(&st).Elem()))
	f.Add(pack(nil, y, reflect.ValueOf(&facts).Elem()))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		var a arena
		sp := a.put(b)
		var x StudentRecord
		_ = unpackValue(&a, y, sp, &x)
		var g recordFacts
		_ = unpackValue(&a, y, sp, &g)
	})
}

// TestOwnCopy: a struct the store keeps unpacked comes out equal, with slices and
// pointers of its own.
func TestOwnCopy(t *testing.T) {
	orig := Staff{StaffUniqueID: "T1", FirstName: "Ana", YearsTeaching: ptr(7.0),
		CredentialRefs: []CredentialRef{{ID: "C1", StateOfIssue: "UT"}}}
	x := orig
	ownCopy(newSymbols(), nil, &x)
	if diff := cmp.Diff(orig, x); diff != "" {
		t.Errorf("copy (-original +copy):\n%s", diff)
	}
	if &x.CredentialRefs[0] == &orig.CredentialRefs[0] || x.YearsTeaching == orig.YearsTeaching {
		t.Error("the copy shares a slice or a pointer with the original")
	}
}
