package backpack

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

// TestStoreSharesStrings: the facts a store keeps for a record share one copy of its ID
// (and of any other repeated string), while the submission added is left as it was, its
// strings and its nested slices not the store's.
func TestStoreSharesStrings(t *testing.T) {
	fresh := func(s string) string { return strings.Clone(s) } // a separate allocation each call
	sub := &Submission{
		LEA: "01",
		Students: []StudentRecord{{Record: fresh("01/7"), StudentUniqueID: "7", FirstName: "Ana",
			Races: []string{fresh("White"), fresh("Asian")}, Source: Source{LEA: "01", Record: fresh("01/7")}}},
		Enrollments: []Enrollment{
			{Record: fresh("01/7"), LEA: "01", SchoolID: 1, EntryDate: fresh("2024-08-20"), Source: Source{LEA: "01", Record: fresh("01/7")}},
			{Record: fresh("01/7"), LEA: "01", SchoolID: 2, EntryDate: fresh("2024-08-20"), Source: Source{LEA: "01", Record: fresh("01/7")}},
		},
		Assessments: []AssessmentResult{{Record: fresh("01/7"), AssessmentIdentifier: "MATH", Namespace: "uri://state",
			StudentAssessmentIdentifier: "a1", Scores: []ScoreResult{{Method: fresh("Scale score"), Result: "512"}}}},
	}
	before := *sub
	before.Students = []StudentRecord{sub.Students[0]}
	before.Students[0].Races = []string{sub.Students[0].Races[0], sub.Students[0].Races[1]}
	callerRecord := unsafe.StringData(sub.Enrollments[1].Record)

	s, err := NewStore(sub)
	if err != nil {
		t.Fatal(err)
	}
	f := s.facts["01/7"]
	first := unsafe.StringData(s.student["01/7"].Record)
	for name, got := range map[string]string{
		"student source":      s.student["01/7"].Source.Record,
		"enrollment 1":        f.enrollments[0].Record,
		"enrollment 2":        f.enrollments[1].Record,
		"enrollment 2 source": f.enrollments[1].Source.Record,
		"assessment":          f.assessments[0].Record,
	} {
		if unsafe.StringData(got) != first {
			t.Errorf("%s: record ID %q is a copy of its own, want the one the student's record holds", name, got)
		}
	}
	if unsafe.StringData(f.enrollments[0].EntryDate) != unsafe.StringData(f.enrollments[1].EntryDate) {
		t.Error("equal entry dates are kept as two copies")
	}
	if diff := cmp.Diff(before.Students, sub.Students); diff != "" {
		t.Errorf("the submission's students changed (-before +after):\n%s", diff)
	}
	if unsafe.StringData(sub.Enrollments[1].Record) != callerRecord {
		t.Error("the submission's own strings were rewritten")
	}
	if &s.student["01/7"].Races[0] == &sub.Students[0].Races[0] || &f.assessments[0].Scores[0] == &sub.Assessments[0].Scores[0] {
		t.Error("the store shares a slice with the submission: a later change to it would change the store")
	}
}
