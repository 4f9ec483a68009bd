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

// layouts render resources as a file in the layouts senders write: one line (as the
// ODS/API serves them), two-space and tab indentation, and indent 0 (Python's
// json.dumps(obj, indent=0)). Each resource is rendered alone, so that a fault can be
// put into it as text.
var layouts = []struct {
	name           string
	prefix, indent string
	compact        bool
}{
	{"one line", "", "", true},
	{"two spaces", "  ", "  ", false},
	{"tabs", "\t", "\t", false},
	{"indent 0", "", "", false},
}

func render(t *testing.T, compact string, prefix, indent string, oneLine bool) string {
	t.Helper()
	if oneLine {
		return compact
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(compact), prefix, indent); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// fileOf joins rendered resources as a file of the layout.
func fileOf(rendered []string, prefix string, oneLine bool) string {
	if oneLine {
		return "[" + strings.Join(rendered, ",") + "]"
	}
	return "[\n" + prefix + strings.Join(rendered, ",\n"+prefix) + "\n]\n"
}

// A '}' that closes a resource before its end — a stray one, or one where a ']' belongs —
// leaves the resource's brackets balanced, so nothing looked wrong until its next key:
// the part before it was imported as the whole resource (a student without its other
// names; an SEOA with its sex and without its races, refusing nothing), and the rest of
// it was read as more elements (its keys, its otherNames array), each reported apart. Now a ',' and a key (or a ':')
// after a resource's closing brace is a fault of that resource: it is reported with its
// index and offset and resynchronised past, its student refused, and nothing of it is
// imported, in every layout.
func TestImportResyncEarlyCloser(t *testing.T) {
	evil := `{"studentUniqueId":"666","firstName":"Evil","lastSurname":"V","birthDate":"2012-01-01"}`
	student := func(uid string) string {
		return studentJSON(uid, `,"otherNames":[{"firstName":"Al"},`+evil+`]`)
	}
	tests := []struct {
		name, file   string
		make         func(uid string) string
		after, fault string // the fault, put into resource 2 after the first after
	}{
		{"a stray '}' in a Student", "students", student, `"2012-01-02"`, "}"},
		{"a stray '}' in an SEOA", "studentEducationOrganizationAssociations", seoa, `#Male"`, "}"},
		{"a stray ']' in a Student", "students", student, `"2012-01-02"`, "]"},
	}
	for _, tt := range tests {
		for _, l := range layouts {
			t.Run(tt.name+", "+l.name, func(t *testing.T) {
				var rendered []string
				for _, uid := range []string{"1", "2", "3", "4"} {
					r := render(t, tt.make(uid), l.prefix, l.indent, l.compact)
					if uid == "2" {
						i := strings.Index(r, tt.after) + len(tt.after)
						r = r[:i] + tt.fault + r[i:]
					}
					rendered = append(rendered, r)
				}
				data := fileOf(rendered, l.prefix, l.compact)
				fsys := fstest.MapFS{"lea/" + tt.file + ".json": {Data: []byte(data)}}
				if tt.file != "students" {
					var ss []string
					for _, uid := range []string{"1", "2", "3", "4"} {
						ss = append(ss, studentJSON(uid, ""))
					}
					fsys["lea/students.json"] = &fstest.MapFile{Data: []byte("[" + strings.Join(ss, ",") + "]")}
				}
				sub, errs := backpack.Import(fsys, "lea", backpack.ImportOptions{LEA: "9", Submitted: "2024-06-30", Now: importNow})
				var ids []string
				for _, s := range sub.Students {
					if tt.file == "students" || s.Sex != "" || len(s.Races) > 0 {
						ids = append(ids, s.StudentUniqueID)
					}
				}
				if diff := cmp.Diff([]string{"1", "3", "4"}, ids); diff != "" {
					t.Errorf("imported (-want +got):\n%s\nerrors: %v\n%s", diff, errs, data)
				}
				if len(errs) != 1 {
					t.Fatalf("errors %v, want one", errs)
				}
				var ie *backpack.ImportError
				if !errors.As(errs[0], &ie) || ie.Index != 1 || ie.Offset != int64(strings.Index(data, rendered[1])) {
					t.Errorf("error %v: want resource 1 at byte %d", errs[0], strings.Index(data, rendered[1]))
				}
			})
		}
	}
}

// Two faults in one file: resource 1 has a stray 'x' (after which the scan must
// resynchronise), and resource 2 lost its closing brace after its otherNames array,
// whose last object is a whole student. "]," and then '{' after that object was taken
// for a stray ']' between resources after the fault, so the nested student 666 was
// imported as a resource of its own. Now a ']' in the chain after a candidate makes it
// no start: the scan resumes at student 4, and the students in the bytes it skipped (2,
// 3, 666) are refused, never imported.
func TestImportResyncTwoFaults(t *testing.T) {
	evil := `{"studentUniqueId":"666","firstName":"Evil","lastSurname":"V","birthDate":"2012-01-01"}`
	student := func(uid string) string {
		return studentJSON(uid, `,"otherNames":[{"firstName":"Al"},`+evil+`]`)
	}
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) {
			var rendered []string
			for _, uid := range []string{"1", "2", "3", "4"} {
				r := render(t, student(uid), l.prefix, l.indent, l.compact)
				switch uid {
				case "2":
					i := strings.Index(r, `"A"`) + len(`"A"`)
					r = r[:i] + "x" + r[i:]
				case "3":
					r = strings.TrimRight(strings.TrimSuffix(r, "}"), " \t\n")
				}
				rendered = append(rendered, r)
			}
			data := fileOf(rendered, l.prefix, l.compact)
			assoc := func(uid string) string {
				return `{"studentReference":{"studentUniqueId":"` + uid + `"},"schoolReference":{"schoolId":10},"entryDate":"2022-08-22"}`
			}
			fsys := fstest.MapFS{
				"lea/students.json":                  {Data: []byte(data)},
				"lea/studentSchoolAssociations.json": {Data: []byte("[" + assoc("1") + "," + assoc("3") + "," + assoc("666") + "," + assoc("4") + "]")},
			}
			sub, errs := backpack.Import(fsys, "lea", backpack.ImportOptions{LEA: "9", Submitted: "2024-06-30", Now: importNow})
			ids := studentIDs(sub)
			var enrolled []string
			for _, e := range sub.Enrollments {
				enrolled = append(enrolled, strings.TrimPrefix(e.Record, "9/"))
			}
			if diff := cmp.Diff([]string{"1", "4"}, ids); diff != "" {
				t.Errorf("imported (-want +got):\n%s\nerrors: %v", diff, errs)
			}
			if diff := cmp.Diff([]string{"1", "4"}, enrolled); diff != "" {
				t.Errorf("enrolled (-want +got):\n%s\nerrors: %v", diff, errs)
			}
			own, left := leftOut(t, errs)
			if diff := cmp.Diff([]where{{"lea/students.json", 1}}, own); diff != "" {
				t.Errorf("refused for their own faults (-want +got):\n%s\nerrors: %v", diff, errs)
			}
			want := map[where]backpack.RefusedStudentError{
				{"lea/studentSchoolAssociations.json", 1}: {File: "lea/students.json", Index: 1},
				{"lea/studentSchoolAssociations.json", 2}: {File: "lea/students.json", Index: 1},
			}
			if diff := cmp.Diff(want, left); diff != "" {
				t.Errorf("left out for their student (-want +got):\n%s", diff)
			}
			if len(errs) > 0 && !strings.Contains(errs[0].Error(), "to the next resource, at byte "+strconv.Itoa(strings.Index(data, rendered[3]))) {
				t.Errorf("error %v: want the skip to student 4 named", errs[0])
			}
		})
	}
}

// A comma missing changes neither the brackets nor what is a string, so the scan knows
// its depth after it and goes on to the resource's own end: the resource is reported
// and nothing else is skipped, however long the arrays nested in it. Before, the scan
// resynchronised: in an SEOA with 100 races, one race (followed by more than 64 others)
// was taken for a resource start, and each race after it was reported as a malformed
// resource, then the races' ']' too. A comma missing and then a stray quote in the same
// resource still resynchronises, at the next resource.
func TestImportMissingCommaSkipsNothing(t *testing.T) {
	var races []string
	for range 100 {
		races = append(races, `{"raceDescriptor":"uri://ed-fi.org/RaceDescriptor#White"}`)
	}
	long := func(uid string) string {
		return strings.Replace(seoa(uid), `"races":[`, `"races":[`+strings.Join(races, ",")+",", 1)
	}
	tests := []struct {
		name, after, fault string
		want               string // in the error
	}{
		{"a comma missing", `#Male"`, ` "x":1,`, `unexpected '"' after a value at byte`},
		{"a comma missing, then a stray quote", `#Male"`, ` "x":"1"",`, "(a comma missing?), then "},
	}
	for _, tt := range tests {
		for _, l := range layouts {
			t.Run(tt.name+", "+l.name, func(t *testing.T) {
				var rendered []string
				for _, uid := range []string{"1", "2", "3", "4"} {
					r := render(t, long(uid), l.prefix, l.indent, l.compact)
					if uid == "2" {
						i := strings.Index(r, tt.after) + len(tt.after)
						r = r[:i] + tt.fault + strings.TrimPrefix(r[i:], ",")
					}
					rendered = append(rendered, r)
				}
				data := fileOf(rendered, l.prefix, l.compact)
				fsys := fstest.MapFS{
					"lea/students.json": {Data: []byte("[" + studentJSON("1", "") + "," + studentJSON("2", "") + "," + studentJSON("3", "") + "," + studentJSON("4", "") + "]")},
					"lea/studentEducationOrganizationAssociations.json": {Data: []byte(data)},
				}
				sub, errs := backpack.Import(fsys, "lea", backpack.ImportOptions{LEA: "9", Submitted: "2024-06-30", Now: importNow})
				var ids []string
				for _, s := range sub.Students {
					if s.Sex != "" {
						ids = append(ids, s.StudentUniqueID)
					}
				}
				if diff := cmp.Diff([]string{"1", "3", "4"}, ids); diff != "" {
					t.Errorf("imported (-want +got):\n%s", diff)
				}
				if len(errs) != 1 {
					t.Fatalf("%d errors, want one: %.300v", len(errs), errs)
				}
				var ie *backpack.ImportError
				if !errors.As(errs[0], &ie) || ie.Index != 1 || ie.Offset != int64(strings.Index(data, rendered[1])) || !strings.Contains(ie.Error(), tt.want) {
					t.Errorf("error %v: want resource 1 at byte %d, saying %q", errs[0], strings.Index(data, rendered[1]), tt.want)
				}
			})
		}
	}
}
