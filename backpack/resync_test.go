package backpack_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// indent0 pretty-prints a compact JSON resource as Python's json.dumps(obj, indent=0)
// does: a line break after every '{', '[' and ',', and no indentation.
func indent0(t *testing.T, compact string) string {
	t.Helper()
	return render(t, compact, "", "", false)
}

// studentIDs lists the imported students' IDs in order.
func studentIDs(sub *backpack.Submission) []string {
	var ids []string
	for _, s := range sub.Students {
		ids = append(ids, s.StudentUniqueID)
	}
	return ids
}

// seoa is a studentEducationOrganizationAssociation with a nested races array, as the
// ODS/API serves it.
func seoa(uid string) string {
	return `{"educationOrganizationReference":{"educationOrganizationId":255901},"studentReference":{"studentUniqueId":"` + uid +
		`"},"sexDescriptor":"uri://ed-fi.org/SexDescriptor#Male","races":[{"raceDescriptor":"uri://ed-fi.org/RaceDescriptor#White"},` +
		`{"raceDescriptor":"uri://ed-fi.org/RaceDescriptor#Asian"}]}`
}

// withNames is a Student resource with a nested otherNames array of objects.
func withNames(uid string) string {
	return studentJSON(uid, `,"otherNames":[{"otherNameTypeDescriptor":"uri://ed-fi.org/OtherNameTypeDescriptor#Nickname","firstName":"Al"},`+
		`{"otherNameTypeDescriptor":"uri://ed-fi.org/OtherNameTypeDescriptor#Alias","firstName":"Bo"}]`)
}

// gotError is an import error as the resync tests compare it.
type gotError struct {
	File   string
	Index  int
	Offset int64
	Has    string // a part of the message
}

// A malformed resource costs only itself, whatever the file's layout: after the fault
// the scan resumes at the next resource start (a ',' then an object that parses and is
// followed by the next resource or the array's end), so a well-formed resource is never
// passed over for its indentation (a tab, deeper, "},{" at a line's start), an object
// nested in a resource (indent-0 pretty-printing) is never read as a resource, nor a
// nested ']' as the array's end, and a stray ']' after the fault is still reported. The
// inputs are an audit's (F1, F2), which lost students 3 and 5, 6, 3 and SEOAs 3-5.
func TestImportResyncKeepsGoodResources(t *testing.T) {
	s := func(uid string) string { return studentJSON(uid, "") }
	noComma := func(r string) string { return strings.Replace(r, `"B",`, `"B" `, 1) }
	tests := []struct {
		name string
		file string // the resource file; students.json holds student 1 when it is another
		data string
		bad  string // a prefix of the faulty resource at the error's offset
		want []string
		errs []gotError // Offset -1: the offset of bad
	}{
		{"mixed indentation (t5)", "students",
			"[\n  " + s("1") + ",\n  " + noComma(s("2")) + ",\n\t" + s("3") + ",\n    " + s("5") + ",\n  " + s("4") + "\n]\n",
			`{"studentUniqueId":"2"`, []string{"1", "3", "5", "4"},
			[]gotError{{"students.json", 1, -1, `unexpected '"'`}}},
		{"a resource starting after '},' on its line (t3)", "students",
			"[\n  " + s("1") + ",\n  " + strings.TrimSuffix(s("2"), "}") + "\n  }," + s("3") + ",\n  " +
				strings.TrimSuffix(noComma(s("5")), "}") + "\n  }," + s("6") + ",\n  " + s("4") + "\n]\n",
			`{"studentUniqueId":"5"`, []string{"1", "2", "3", "6", "4"},
			[]gotError{{"students.json", 3, -1, `unexpected '"'`}}},
		{"one line, a stray ']' after the next resource (t9)", "students",
			"[" + s("1") + "," + noComma(s("2")) + "," + s("3") + "]," + s("4") + "]",
			`{"studentUniqueId":"2"`, []string{"1", "3", "4"},
			[]gotError{{"students.json", 1, -1, `unexpected '"'`}, {"students.json", 3, -2, "a stray ']' between resources"}}},
		{"indent 0, a comma missing (t7)", "studentEducationOrganizationAssociations",
			"[\n" + indent0(t, seoa("1")) + ",\n" +
				strings.Replace(indent0(t, seoa("2")), `#Male",`, `#Male"`, 1) + ",\n" +
				indent0(t, seoa("3")) + ",\n" + indent0(t, seoa("4")) + ",\n" + indent0(t, seoa("5")) + "\n]\n",
			"{\n\"educationOrganizationReference\": {\n\"educationOrganizationId\": 255901\n},\n\"studentReference\": {\n\"studentUniqueId\": \"2\"",
			[]string{"1", "3", "4", "5"},
			[]gotError{{"studentEducationOrganizationAssociations.json", 1, -1, `unexpected '"'`}}},
		{"indent 0, a closing brace missing", "students",
			"[\n" + indent0(t, withNames("1")) + ",\n" + strings.TrimSuffix(indent0(t, withNames("2")), "}") + ",\n" +
				indent0(t, withNames("3")) + ",\n" + indent0(t, withNames("4")) + "\n]\n",
			"{\n\"studentUniqueId\": \"2\"", []string{"1", "3", "4"},
			[]gotError{{"students.json", 1, -1, `unexpected '{'`}}},
		{"tab indentation, a stray quote", "students",
			"[\n\t" + s("1") + ",\n\t" + strings.Replace(withNames("2"), `"Al"`, `"A"l"`, 1) + ",\n\t" + withNames("3") + ",\n\t\t" + s("4") + "\n]\n",
			`{"studentUniqueId":"2"`, []string{"1", "3", "4"},
			[]gotError{{"students.json", 1, -1, `unexpected 'l' after a value`}}},
		{"one line, a closing brace missing in a nested object", "students",
			"[" + s("1") + "," + strings.Replace(withNames("2"), `"Al"}`, `"Al"`, 1) + "," + withNames("3") + "]",
			`{"studentUniqueId":"2"`, []string{"1", "3"},
			[]gotError{{"students.json", 1, -1, `unexpected '{'`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := "lea/" + tt.file + ".json"
			fsys := fstest.MapFS{file: {Data: []byte(tt.data)}}
			if tt.file != "students" {
				fsys["lea/students.json"] = &fstest.MapFile{Data: []byte("[" + s("1") + "]")}
			}
			sub, errs := backpack.Import(fsys, "lea", backpack.ImportOptions{LEA: "9", Submitted: "2024-06-30", Now: importNow})
			var ids []string
			if tt.file == "students" {
				for _, st := range sub.Students {
					ids = append(ids, st.StudentUniqueID)
				}
			} else {
				for _, st := range sub.Students {
					if st.Sex != "" {
						ids = append(ids, st.StudentUniqueID)
					}
				}
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("imported (-want +got):\n%s\nerrors: %v", diff, errs)
			}
			var want, got []gotError
			for _, w := range tt.errs {
				switch w.Offset {
				case -1:
					w.Offset = int64(strings.Index(tt.data, tt.bad))
				case -2:
					w.Offset = int64(strings.Index(tt.data, "],"))
				}
				want = append(want, w)
			}
			for k, err := range errs {
				var ie *backpack.ImportError
				if !errors.As(err, &ie) {
					t.Fatalf("%v is a %T, not an *ImportError", err, err)
				}
				g := gotError{strings.TrimPrefix(ie.File, "lea/"), ie.Index, ie.Offset, err.Error()}
				if k < len(want) && strings.Contains(g.Has, want[k].Has) {
					g.Has = want[k].Has
				}
				got = append(got, g)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// The students of Student resources a resync skips are refused with the faulty one, so
// that their associations do not make records without a name or birth date (an audit
// found student 3 imported from its SEOA and enrollment with an SSID, a sex and a grade
// but no name). Here student 3's resource follows the faulty one (a stray 'x') without a
// comma between them, so it is no resource start, and the scan resumes at student 4.
func TestImportResyncRefusesSkippedStudents(t *testing.T) {
	s := func(uid string) string { return studentJSON(uid, "") }
	students := "[\n" + s("1") + ",\n" + strings.Replace(s("2"), `"B",`, `"B"x,`, 1) + "\n" + s("3") + ",\n" + s("4") + "\n]\n"
	assoc := func(uid string) string {
		return `{"studentReference":{"studentUniqueId":"` + uid + `"},"schoolReference":{"schoolId":10},"entryDate":"2022-08-22"}`
	}
	seoa := func(uid string) string {
		return `{"educationOrganizationReference":{"educationOrganizationId":9},"studentReference":{"studentUniqueId":"` + uid +
			`"},"sexDescriptor":"uri://ed-fi.org/SexDescriptor#Male"}`
	}
	fsys := fstest.MapFS{
		"a/students.json": {Data: []byte(students)},
		"a/studentEducationOrganizationAssociations.json": {Data: []byte("[" + seoa("3") + "," + seoa("4") + "]")},
		"a/studentSchoolAssociations.json":                {Data: []byte("[" + assoc("1") + "," + assoc("3") + "," + assoc("4") + "]")},
	}
	sub, errs := backpack.Import(fsys, "a", backpack.ImportOptions{LEA: "9", Submitted: "2024-06-30", Now: importNow})
	own, left := leftOut(t, errs)
	if diff := cmp.Diff([]where{{"a/students.json", 1}}, own); diff != "" {
		t.Errorf("refused for their own faults (-want +got):\n%s\nerrors: %v", diff, errs)
	}
	want := map[where]backpack.RefusedStudentError{
		{"a/studentEducationOrganizationAssociations.json", 0}: {File: "a/students.json", Index: 1},
		{"a/studentSchoolAssociations.json", 1}:                {File: "a/students.json", Index: 1},
	}
	if diff := cmp.Diff(want, left); diff != "" {
		t.Errorf("left out for their student (-want +got):\n%s", diff)
	}
	var ids, enrolled []string
	for _, st := range sub.Students {
		ids = append(ids, st.StudentUniqueID)
		if st.FirstName == "" || st.BirthDate == "" {
			t.Errorf("student %s has no name or birth date: %+v", st.Record, st)
		}
	}
	for _, e := range sub.Enrollments {
		enrolled = append(enrolled, strings.TrimPrefix(e.Record, "9/"))
	}
	if diff := cmp.Diff([]string{"1", "4"}, ids); diff != "" {
		t.Errorf("students (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"1", "4"}, enrolled); diff != "" {
		t.Errorf("enrolled (-want +got):\n%s", diff)
	}
	// The skip is reported with the fault's and the next resource's byte offsets.
	next := strings.Index(students, s("4"))
	if msg := errs[0].Error(); !strings.Contains(msg, "students.json[1] at byte") || !strings.Contains(msg, "to the next resource, at byte "+strconv.Itoa(next)) {
		t.Errorf("error %q, want the skip to byte %d named", msg, next)
	}
}

// A faulty resource with a nested array of objects, each one a whole Student resource,
// more of them than the resync once followed (64): no nested object is a resource start,
// however many follow it, as the chain of them ends in a ']' followed by more of the
// resource; the scan resumes at the next resource, and nothing nested is reported or
// imported. Before, nested students 701-799 were imported as students of their own (701
// followed by 64 more objects was taken for a resource start).
func TestImportResyncNestedArrayEnd(t *testing.T) {
	for _, layout := range []string{"one line", "indent 0", "tabs"} {
		t.Run(layout, func(t *testing.T) {
			var inner []string
			for k := range 100 {
				inner = append(inner, studentJSON(strconv.Itoa(700+k), ""))
			}
			bad := `{"studentUniqueId":"1","firstName":"A"x,"k":[` + strings.Join(inner, ",") + `]}`
			next := studentJSON("2", "")
			switch layout {
			case "indent 0":
				bad, next = indent0(t, strings.Replace(bad, `"A"x`, `"A"`, 1)), indent0(t, next)
				bad = strings.Replace(bad, `"A",`, `"A"x,`, 1)
			case "tabs":
				var buf bytes.Buffer
				json.Indent(&buf, []byte(strings.Replace(bad, `"A"x`, `"A"`, 1)), "\t", "\t")
				bad = strings.Replace(buf.String(), `"A",`, `"A"x,`, 1)
			}
			data := "[" + bad + ",\n" + next + "]"
			sub, errs := importFile(t, "students", data)
			if diff := cmp.Diff([]string{"2"}, studentIDs(sub)); diff != "" {
				t.Errorf("imported (-want +got):\n%s", diff)
			}
			if len(errs) != 1 || errs[0].Index != 0 || errs[0].Offset != 1 || !strings.Contains(errs[0].Error(), "to the next resource, at byte "+strconv.Itoa(strings.Index(data, next))) {
				t.Errorf("errors %v, want one, of resource 0, skipping to student 2", errs)
			}
		})
	}
}

// A nested array longer than the resync follows (startChainBytes), after a fault in
// its resource: the brackets open since the fault (the resource's and the array's) put
// its objects inside the resource, so none is taken for a resource and its ']' for the
// array's end; the one error skips to the next resource, which is imported.
func TestImportResyncNestedArrayBeyondLookahead(t *testing.T) {
	var inner []string
	pad := strings.Repeat("p", 1000)
	for k := 0; len(inner)*1010 < 1<<20+50000; k++ {
		inner = append(inner, `{"n":"`+pad+strconv.Itoa(k)+`"}`)
	}
	bad := `{"studentUniqueId":"1","firstName":"A"x,"k":[` + strings.Join(inner, ",") + `]}`
	data := "[" + bad + ",\n" + studentJSON("2", "") + "]"
	sub, errs := importFile(t, "students", data)
	if diff := cmp.Diff([]string{"2"}, studentIDs(sub)); diff != "" {
		t.Errorf("imported (-want +got):\n%s", diff)
	}
	next := strings.Index(data, studentJSON("2", ""))
	if len(errs) != 1 || errs[0].Index != 0 || errs[0].Offset != 1 || !strings.Contains(errs[0].Error(), "to the next resource, at byte "+strconv.Itoa(next)) {
		t.Errorf("errors %v, want one, of resource 0, skipping to student 2", errs)
	}
}
