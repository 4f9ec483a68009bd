package backpack_test

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/studentlink/studentlink/backpack"
)

// where is a resource's place: its file and index.
type where struct {
	File  string
	Index int
}

func (w where) String() string { return fmt.Sprintf("%s[%d]", w.File, w.Index) }

// withoutStudents returns sub without the records refused and every resource about them,
// and the places of the resources about them other than their Student resources.
func withoutStudents(sub *backpack.Submission, refused []string) (*backpack.Submission, []where) {
	out := *sub
	var about []where
	gone := func(rec string, src backpack.Source) bool {
		if !slices.Contains(refused, rec) {
			return false
		}
		if w := (where{src.File, src.Index}); !slices.Contains(about, w) {
			about = append(about, w)
		}
		return true
	}
	out.Students = nil
	for _, s := range sub.Students {
		if !slices.Contains(refused, s.Record) {
			out.Students = append(out.Students, s)
			continue
		}
		if s.AssociationSource.File != "" {
			gone(s.Record, s.AssociationSource)
		}
		for _, v := range s.OtherValues {
			if !strings.HasSuffix(v.Source.File, "students.json") {
				gone(s.Record, v.Source)
			}
		}
	}
	out.Enrollments = slices.DeleteFunc(slices.Clone(sub.Enrollments), func(x backpack.Enrollment) bool { return gone(x.Record, x.Source) })
	out.SectionLinks = slices.DeleteFunc(slices.Clone(sub.SectionLinks), func(x backpack.SectionEnrollment) bool { return gone(x.Record, x.Source) })
	out.Grades = slices.DeleteFunc(slices.Clone(sub.Grades), func(x backpack.Grade) bool { return gone(x.Record, x.Source) })
	out.Transcripts = slices.DeleteFunc(slices.Clone(sub.Transcripts), func(x backpack.CourseRecord) bool { return gone(x.Record, x.Source) })
	out.Attendance = slices.DeleteFunc(slices.Clone(sub.Attendance), func(x backpack.AttendanceEvent) bool { return gone(x.Record, x.Source) })
	out.Assessments = slices.DeleteFunc(slices.Clone(sub.Assessments), func(x backpack.AssessmentResult) bool { return gone(x.Record, x.Source) })
	slices.SortFunc(about, func(a, b where) int { return strings.Compare(a.String(), b.String()) })
	return &out, about
}

// leftOut sorts Import's errors into the resources refused for their own faults and
// those left out because their student's Student resource was refused, each with the
// refused Student resource it names.
func leftOut(t *testing.T, errs []error) (own []where, forStudent map[where]backpack.RefusedStudentError) {
	t.Helper()
	forStudent = map[where]backpack.RefusedStudentError{}
	for _, err := range errs {
		var ie *backpack.ImportError
		if !errors.As(err, &ie) {
			t.Fatalf("error %v is a %T, not an *ImportError", err, err)
		}
		var rs *backpack.RefusedStudentError
		if errors.As(err, &rs) {
			forStudent[where{ie.File, ie.Index}] = *rs
		} else {
			own = append(own, where{ie.File, ie.Index})
		}
	}
	return own, forStudent
}

// A student whose Student resource is refused (a future _lastModifiedDate or birth date,
// a date that is not an Ed-Fi date, a syntax error) is left out with every resource
// about it, each reported: no record without a name or birth date comes of it, and the
// other students are imported as if the refused ones had never been submitted.
func TestImportRefusedStudentLeavesOutItsResources(t *testing.T) {
	base, err := fs.Sub(edfiFS(t), "255902")
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }
	opt := backpack.ImportOptions{LEA: "255902", Submitted: "2023-01-01", Now: now}
	whole, errs := backpack.Import(base, ".", opt)
	if len(errs) > 0 {
		t.Fatalf("the unedited submission: %v", errs)
	}
	students, err := fs.ReadFile(base, "students.json")
	if err != nil {
		t.Fatal(err)
	}
	const (
		id1 = `"studentUniqueId": "W-22002",`
		bd2 = `"birthDate": "2014-09-21"`
		bd3 = `"birthDate": "2013-03-05"`
	)
	type edit struct{ old, new string }
	tests := []struct {
		name    string
		edits   []edit
		refused []int // indexes in students.json
		unknown bool  // the refused resource's studentUniqueId cannot be read
	}{
		{"future _lastModifiedDate", []edit{{id1, id1 + ` "_lastModifiedDate": "2031-01-01",`}}, []int{1}, false},
		{"future birth date", []edit{{bd2, `"birthDate": "2099-01-01"`}}, []int{2}, false},
		{"birth date with a sign", []edit{{bd3, `"birthDate": "+2013-03-05"`}}, []int{3}, false},
		{"all three", []edit{{id1, id1 + ` "_lastModifiedDate": "2031-01-01",`}, {bd2, `"birthDate": "2099-01-01"`},
			{bd3, `"birthDate": "+2013-03-05"`}}, []int{1, 2, 3}, false},
		{"syntax error", []edit{{`"firstName": "Jerry",`, `"firstName": "Jerry"`}}, []int{1}, false},
		{"syntax error hiding the ID", []edit{{id1, `"studentUniqueId" "W-22002",`}}, []int{1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := string(students)
			for _, e := range tt.edits {
				if strings.Count(data, e.old) != 1 {
					t.Fatalf("students.json holds %q %d times, want once", e.old, strings.Count(data, e.old))
				}
				data = strings.Replace(data, e.old, e.new, 1)
			}
			fsys := fstest.MapFS{"students.json": {Data: []byte(data)}}
			files, err := fs.ReadDir(base, ".")
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				if f.Name() != "students.json" {
					b, err := fs.ReadFile(base, f.Name())
					if err != nil {
						t.Fatal(err)
					}
					fsys[f.Name()] = &fstest.MapFile{Data: b}
				}
			}
			var refused []string
			var wantOwn []where
			for _, i := range tt.refused {
				refused = append(refused, whole.Students[i].Record)
				wantOwn = append(wantOwn, where{"students.json", i})
			}
			want, wantAbout := withoutStudents(whole, refused)

			sub, errs := backpack.Import(fsys, ".", opt)
			own, forStudent := leftOut(t, errs)
			if diff := cmp.Diff(wantOwn, own); diff != "" {
				t.Errorf("resources refused for their own faults (-want +got):\n%s\nerrors: %v", diff, errs)
			}
			var about []where
			for w, rs := range forStudent {
				about = append(about, w)
				if rs.File != "students.json" || !slices.Contains(tt.refused, rs.Index) || rs.Unknown != tt.unknown {
					t.Errorf("%v: left out for %+v, want one of the refused Student resources %v (unknown ID %v)", w, rs, tt.refused, tt.unknown)
				}
			}
			slices.SortFunc(about, func(a, b where) int { return strings.Compare(a.String(), b.String()) })
			if diff := cmp.Diff(wantAbout, about); diff != "" {
				t.Errorf("resources left out for their student (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want, sub, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("submission (-the unedited one without the refused students +got):\n%s", diff)
			}
			for _, s := range sub.Students {
				if s.FirstName == "" || s.LastSurname == "" || s.BirthDate == "" {
					t.Errorf("student %s has no name or birth date: %+v", s.Record, s)
				}
			}
		})
	}
}

// Which students a refused Student resource takes with it: the one of its ID, unless
// another Student resource of that ID was imported; when its ID cannot be read, every
// student with no Student resource imported (it may be any of them).
func TestImportRefusedStudentWhich(t *testing.T) {
	const (
		good    = `{"studentUniqueId":"1","firstName":"A","lastSurname":"B","birthDate":"2012-01-02"}`
		bad2    = `{"studentUniqueId":"2","firstName":"C","lastSurname":"D","birthDate":"2099-01-02"}`
		again2  = `{"studentUniqueId":"2","firstName":"C","lastSurname":"D","birthDate":"2012-03-04"}`
		noID    = `{"firstName":"E","lastSurname":"F","birthDate":"2012-01-02"}`
		assoc   = `{"studentReference":{"studentUniqueId":"%s"},"schoolReference":{"schoolId":10},"entryDate":"2022-08-22"}`
		enrolls = "a/studentSchoolAssociations.json"
	)
	tests := []struct {
		name     string
		students []string
		assocOf  []string // the students of the enrollments, in order
		want     []string // the students of the enrollments imported
		left     map[where]backpack.RefusedStudentError
	}{
		{"refused", []string{good, bad2}, []string{"1", "2"}, []string{"1"},
			map[where]backpack.RefusedStudentError{{enrolls, 1}: {File: "a/students.json", Index: 1}}},
		{"refused, then imported", []string{good, bad2, again2}, []string{"1", "2"}, []string{"1", "2"}, map[where]backpack.RefusedStudentError{}},
		{"imported, then refused", []string{again2, bad2}, []string{"2"}, []string{"2"}, map[where]backpack.RefusedStudentError{}},
		{"an association-only student stays", []string{good, bad2}, []string{"3", "2"}, []string{"3"},
			map[where]backpack.RefusedStudentError{{enrolls, 1}: {File: "a/students.json", Index: 1}}},
		{"no ID: association-only students go", []string{good, noID, noID}, []string{"1", "3"}, []string{"1"},
			map[where]backpack.RefusedStudentError{{enrolls, 1}: {File: "a/students.json", Index: 1, Unknown: true, More: 1}}},
		// A fault after which no resource starts skips the rest of the file, which may
		// have held other students: the students named in the skipped bytes (3) are
		// refused by name, and association-only students (4) as maybe among them. (A
		// stray 'x', as a comma missing alone skips nothing: see
		// TestImportMissingCommaSkipsNothing.)
		{"the rest skipped", []string{good, `{"studentUniqueId":"2","firstName":"C"x"lastSurname":"D","birthDate":"2012-03-04"}`,
			`{"studentUniqueId":"3","firstName":"E" "lastSurname":"F","birthDate":"2012-03-04"}`},
			[]string{"1", "2", "3", "4"}, []string{"1"}, map[where]backpack.RefusedStudentError{
				{enrolls, 1}: {File: "a/students.json", Index: 1}, {enrolls, 2}: {File: "a/students.json", Index: 1},
				{enrolls, 3}: {File: "a/students.json", Index: 1, Unknown: true, Rest: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var assocs []string
			for _, id := range tt.assocOf {
				assocs = append(assocs, fmt.Sprintf(assoc, id))
			}
			fsys := fstest.MapFS{
				"a/students.json": {Data: []byte("[" + strings.Join(tt.students, ",\n") + "]")},
				enrolls:           {Data: []byte("[" + strings.Join(assocs, ",\n") + "]")},
			}
			sub, errs := backpack.Import(fsys, "a", backpack.ImportOptions{LEA: "9", Submitted: "2023-01-01"})
			_, left := leftOut(t, errs)
			if diff := cmp.Diff(tt.left, left); diff != "" {
				t.Errorf("left out for their student (-want +got):\n%s\nerrors: %v", diff, errs)
			}
			var got []string
			for _, e := range sub.Enrollments {
				got = append(got, strings.TrimPrefix(e.Record, "9/"))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("students of the enrollments imported (-want +got):\n%s", diff)
			}
			for _, s := range sub.Students {
				if s.FirstName == "" || s.BirthDate == "" {
					t.Errorf("student %s has no name or birth date: %+v", s.Record, s)
				}
			}
		})
	}
}

// A students.json that is not an array of resources refuses every student it may have
// held: an association of a student cannot make a record without a name of it.
func TestImportRefusedStudentsFile(t *testing.T) {
	fsys := fstest.MapFS{
		"a/students.json": {Data: []byte(`{"studentUniqueId":"1","firstName":"A","lastSurname":"B","birthDate":"2012-01-02"}`)},
		"a/studentEducationOrganizationAssociations.json": {Data: []byte(`[{"studentReference":{"studentUniqueId":"1"},"sexDescriptor":"uri://ed-fi.org/SexDescriptor#Male"}]`)},
	}
	sub, errs := backpack.Import(fsys, "a", backpack.ImportOptions{LEA: "9"})
	own, left := leftOut(t, errs)
	if diff := cmp.Diff([]where{{"a/students.json", -1}}, own); diff != "" {
		t.Errorf("refused for their own faults (-want +got):\n%s", diff)
	}
	want := map[where]backpack.RefusedStudentError{
		{"a/studentEducationOrganizationAssociations.json", 0}: {File: "a/students.json", Index: -1, Unknown: true}}
	if diff := cmp.Diff(want, left); diff != "" {
		t.Errorf("left out for their student (-want +got):\n%s", diff)
	}
	if len(sub.Students) != 0 {
		t.Errorf("students %+v, want none", sub.Students)
	}
}
