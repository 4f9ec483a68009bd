package backpack_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// A second Student resource with a studentUniqueId already used in the same students.json
// is left out and reported, naming the first; when it is another student (name, birth date
// or birth sex differ) the resources about that ID are left out too, as they may be about
// either. Before, the duplicate was folded into the first student as other values, and the
// import reported nothing.
func TestImportDuplicateStudentUniqueID(t *testing.T) {
	lisa := `{"studentUniqueId":"604822","firstName":"Lisa","lastSurname":"Woods","birthDate":"2012-03-04","birthSexDescriptor":"uri://ed-fi.org/SexDescriptor#Female"}`
	other := `{"studentUniqueId":"7","firstName":"Ann","lastSurname":"Other","birthDate":"2012-05-06"}`
	enrol := func(uid string) string {
		return `{"studentReference":{"studentUniqueId":"` + uid + `"},"schoolReference":{"schoolId":10},"entryDate":"2022-08-22"}`
	}
	seoa := `[{"studentReference":{"studentUniqueId":"604822"},"sexDescriptor":"uri://ed-fi.org/SexDescriptor#Female"}]`
	type left struct {
		File  string
		Index int
		Why   string // what the error says
	}
	tests := []struct {
		name     string
		second   string // the Student resource at index 2 of students.json
		students []string
		enrolled []string // the studentUniqueIds of the enrollments imported
		sex      string   // Lisa's sex after the import
		left     []left
	}{
		{
			name:     "another student given the ID",
			second:   `{"studentUniqueId":"604822","firstName":"Glenn","lastSurname":"Gross","birthDate":"2011-07-08","birthSexDescriptor":"uri://ed-fi.org/SexDescriptor#Male"}`,
			students: []string{"604822 Lisa Woods", "7 Ann Other"},
			enrolled: []string{"7"},
			left: []left{
				{"lea/students.json", 2, "studentUniqueId 604822 already used by the student at index 0 (lea/students.json)"},
				{"lea/studentEducationOrganizationAssociations.json", 0, "studentUniqueId 604822 is used by two different Student resources (lea/students.json[0] and [2])"},
				{"lea/studentSchoolAssociations.json", 0, "which student this resource is about cannot be told"},
			},
		},
		{
			name:     "only the birth sex differs",
			second:   strings.Replace(lisa, "Female", "Male", 1),
			students: []string{"604822 Lisa Woods", "7 Ann Other"},
			enrolled: []string{"7"},
			left: []left{
				{"lea/students.json", 2, "already used by the student at index 0"},
				{"lea/studentEducationOrganizationAssociations.json", 0, "cannot be told"},
				{"lea/studentSchoolAssociations.json", 0, "cannot be told"},
			},
		},
		{
			name:     "the same student sent twice",
			second:   lisa,
			students: []string{"604822 Lisa Woods", "7 Ann Other"},
			enrolled: []string{"604822", "7"},
			sex:      "Female",
			left:     []left{{"lea/students.json", 2, "studentUniqueId 604822 already used by the student at index 0 (lea/students.json); this Student resource is left out, a duplicate of it"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"lea/students.json": {Data: []byte("[" + lisa + "," + other + "," + tt.second + "]")},
				"lea/studentEducationOrganizationAssociations.json": {Data: []byte(seoa)},
				"lea/studentSchoolAssociations.json":                {Data: []byte("[" + enrol("604822") + "," + enrol("7") + "]")},
			}
			sub, errs := backpack.Import(fsys, "lea", backpack.ImportOptions{LEA: "9", Submitted: "2024-06-30", Now: importNow})
			var got []left
			for _, err := range errs {
				var ie *backpack.ImportError
				var dup *backpack.DuplicateStudentError
				if !errors.As(err, &ie) || !errors.As(err, &dup) {
					t.Fatalf("%v is a %T, not an *ImportError wrapping a *DuplicateStudentError", err, err)
				}
				l := left{ie.File, ie.Index, ""}
				for _, w := range tt.left {
					if w.File == l.File && w.Index == l.Index && strings.Contains(err.Error(), w.Why) {
						l.Why = w.Why
					}
				}
				if l.Why == "" {
					l.Why = err.Error()
				}
				got = append(got, l)
			}
			if diff := cmp.Diff(tt.left, got); diff != "" {
				t.Errorf("left out (-want +got):\n%s", diff)
			}
			var students []string
			for _, s := range sub.Students {
				students = append(students, s.StudentUniqueID+" "+s.FirstName+" "+s.LastSurname)
				if len(s.OtherValues) != 0 {
					t.Errorf("student %s took other values %+v", s.StudentUniqueID, s.OtherValues)
				}
				if s.StudentUniqueID == "604822" && s.Sex != tt.sex && tt.sex != "" {
					t.Errorf("Lisa's sex %q, want %q", s.Sex, tt.sex)
				}
			}
			if diff := cmp.Diff(tt.students, students); diff != "" {
				t.Errorf("students (-want +got):\n%s", diff)
			}
			var enrolled []string
			for _, e := range sub.Enrollments {
				enrolled = append(enrolled, strings.TrimPrefix(e.Record, "9/"))
			}
			if diff := cmp.Diff(tt.enrolled, enrolled); diff != "" {
				t.Errorf("enrollments (-want +got):\n%s", diff)
			}
		})
	}
}
