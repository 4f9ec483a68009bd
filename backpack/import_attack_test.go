package backpack_test

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// importNow is the time the import tests run at.
var importNow = func() time.Time { return time.Date(2024, 9, 1, 12, 0, 0, 0, time.UTC) }

// importErrors imports one file and returns its errors as *ImportErrors.
func importFile(t *testing.T, name, data string) (*backpack.Submission, []*backpack.ImportError) {
	t.Helper()
	fsys := fstest.MapFS{"lea/" + name + ".json": {Data: []byte(data)}}
	sub, errs := backpack.Import(fsys, "lea", backpack.ImportOptions{LEA: "9", Submitted: "2024-06-30", Now: importNow})
	var out []*backpack.ImportError
	for _, err := range errs {
		var ie *backpack.ImportError
		if !errors.As(err, &ie) {
			t.Fatalf("%v is a %T, not an *ImportError", err, err)
		}
		out = append(out, ie)
	}
	return sub, out
}

func studentJSON(uid, extra string) string {
	return fmt.Sprintf(`{"studentUniqueId":%q,"firstName":"A","lastSurname":"B","birthDate":"2012-01-02"%s}`, uid, extra)
}

// A malformed resource costs only itself: syntax errors, repeated keys, nesting too deep,
// a missing comma — each is reported with its index and byte offset, and every good
// resource of the file before and after it is imported.
func TestImportStreamsPastMalformed(t *testing.T) {
	deep := strings.Repeat(`{"x":`, backpack.MaxResourceDepth+5) + "1" + strings.Repeat("}", backpack.MaxResourceDepth+5)
	elems := []string{
		studentJSON("1", ""),
		`{"studentUniqueId":"2","firstName":"Syntax",}`,           // trailing comma inside
		studentJSON("3", `,"deep":`+deep),                         // over-deep
		studentJSON("4", ""),                                      // good
		`{"studentUniqueId":"5","firstName":"X","FirstName":"Y"}`, // repeated key in another case
		`{"studentUniqueId":"6","firstName":"Z","firstName":"W"}`, // repeated key
		`{"studentUniqueId":"7","firstName":"unclosed"]`,          // wrong closer
		studentJSON("8", ""),                                      // good
		`"a string"`,                                              // not an object
		`{"studentUniqueId":"10","firstName":"Q","lastSurname":"R","birthDate":"2012-01-02","x":"\"]}{["}`, // brackets in a string
	}
	data := "[\n  " + strings.Join(elems, ",\n  ") + " " + studentJSON("11", "") + "\n]\n" // 11: no comma before it
	sub, errs := importFile(t, "students", data)
	var ids []string
	for _, s := range sub.Students {
		ids = append(ids, s.StudentUniqueID)
	}
	if diff := cmp.Diff([]string{"1", "4", "8", "10"}, ids); diff != "" {
		t.Errorf("imported (-want +got):\n%s", diff)
	}
	wantBad := map[int]string{1: "invalid character", 2: "nested deeper", 4: "another case", 5: "appears twice", 6: `']' closes '{'`,
		8: "not a JSON object", 10: "no comma"}
	got := map[int]string{}
	for _, ie := range errs {
		got[ie.Index] = ie.Err.Error()
		if ie.Index < 0 || ie.Index >= 11 {
			t.Errorf("error %v at index %d", ie, ie.Index)
			continue
		}
		// The offset points at the resource's first byte.
		if ie.Offset < 0 || int(ie.Offset) >= len(data) || (ie.Index < len(elems) && !strings.HasPrefix(data[ie.Offset:], elems[ie.Index])) {
			t.Errorf("resource %d: offset %d does not point at it", ie.Index, ie.Offset)
		}
		if !strings.Contains(ie.Error(), fmt.Sprintf("lea/students.json[%d] at byte %d", ie.Index, ie.Offset)) {
			t.Errorf("error %q does not name file, index and offset", ie)
		}
	}
	for i, want := range wantBad {
		if !strings.Contains(got[i], want) {
			t.Errorf("resource %d: error %q, want %q", i, got[i], want)
		}
	}
	if len(errs) != len(wantBad) {
		t.Errorf("%d errors, want %d: %v", len(errs), len(wantBad), errs)
	}
}

func TestImportFileErrors(t *testing.T) {
	tests := []struct {
		name, data string
		imported   int
		want       string
	}{
		{"not an array", `{"studentUniqueId":"1"}`, 0, "want a JSON array"},
		{"empty", ``, 0, "empty"},
		{"cut short", "[" + studentJSON("1", "") + ", " + studentJSON("2", "")[:20], 1, "ends inside this resource"},
		{"comma after the last", "[" + studentJSON("1", "") + ",]", 1, "comma after the last"},
		{"data after the array", "[" + studentJSON("1", "") + "] []", 1, "data after the array"},
		{"unexpected closer", "[" + studentJSON("1", "") + ", }, " + studentJSON("2", "") + "]", 2, "unexpected '}'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub, errs := importFile(t, "students", tt.data)
			if len(sub.Students) != tt.imported {
				t.Errorf("%d students imported, want %d", len(sub.Students), tt.imported)
			}
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.want) {
				t.Errorf("errors %v, want one with %q", errs, tt.want)
			}
		})
	}
}

// Values that cannot be true are errors quoting them, never clamped or rewritten: the
// resource is not imported.
func TestImportRejectsImplausible(t *testing.T) {
	assoc := func(extra string) string {
		return `[{"studentReference":{"studentUniqueId":"1"}` + extra + `}]`
	}
	enrollment := func(extra string) string {
		return `[{"studentReference":{"studentUniqueId":"1"},"schoolReference":{"schoolId":10},"entryDate":"2022-08-22"` + extra + `}]`
	}
	tests := []struct {
		name, file, data, quote string
	}{
		{"future _lastModifiedDate", "students", "[" + studentJSON("1", `,"_lastModifiedDate":"9999-12-31"`) + "]", "9999-12-31"},
		{"_lastModifiedDate an hour ahead", "students", "[" + studentJSON("1", `,"_lastModifiedDate":"2024-09-01T13:00:00Z"`) + "]", "2024-09-01T13:00:00Z"},
		{"birth date in the future", "students", `[{"studentUniqueId":"1","birthDate":"2099-01-01"}]`, "2099-01-01"},
		{"negative year", "students", `[{"studentUniqueId":"1","birthDate":"-2010-01-01"}]`, "-2010-01-01"},
		{"US date", "students", `[{"studentUniqueId":"1","birthDate":"01/02/2010"}]`, "01/02/2010"},
		{"unpadded date", "students", `[{"studentUniqueId":"1","birthDate":"2010-1-2"}]`, "2010-1-2"},
		{"February 30", "students", `[{"studentUniqueId":"1","birthDate":"2010-02-30"}]`, "2010-02-30"},
		{"year 1066", "students", `[{"studentUniqueId":"1","birthDate":"1066-10-14"}]`, "1066-10-14"},
		{"hour 25", "students", "[" + studentJSON("1", `,"_lastModifiedDate":"2024-03-01T25:00:00Z"`) + "]", "2024-03-01T25:00:00Z"},
		{"unknown sex", "students", `[{"studentUniqueId":"1","birthSexDescriptor":"uri://ed-fi.org/SexDescriptor#Banana"}]`, "uri://ed-fi.org/SexDescriptor#Banana"},
		{"race text", "studentEducationOrganizationAssociations", assoc(`,"races":[{"raceDescriptor":"uri://ed-fi.org/RaceDescriptor#Martian"}]`), "uri://ed-fi.org/RaceDescriptor#Martian"},
		{"race without a namespace", "studentEducationOrganizationAssociations", assoc(`,"races":[{"raceDescriptor":"Asian"}]`), "Asian"},
		{"placeholder SSID", "studentEducationOrganizationAssociations", assoc(`,"studentIdentificationCodes":[{"studentIdentificationSystemDescriptor":"uri://ed-fi.org/StudentIdentificationSystemDescriptor#State","identificationCode":"000000000"}]`), "000000000"},
		{"grade -1", "studentSchoolAssociations", enrollment(`,"entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#-1"`), "uri://ed-fi.org/GradeLevelDescriptor#-1"},
		{"grade as a bare number", "studentSchoolAssociations", enrollment(`,"entryGradeLevelDescriptor":"5"`), `"5"`},
		{"exit before entry", "studentSchoolAssociations", enrollment(`,"exitWithdrawDate":"2021-06-01"`), "2021-06-01"},
		{"entry decades ahead", "studentSchoolAssociations", `[{"studentReference":{"studentUniqueId":"1"},"schoolReference":{"schoolId":10},"entryDate":"2099-08-22"}]`, "2099-08-22"},
		{"negative school", "studentSchoolAssociations", `[{"studentReference":{"studentUniqueId":"1"},"schoolReference":{"schoolId":-4},"entryDate":"2022-08-22"}]`, "-4"},
		{"attendance over a whole day", "studentSchoolAttendanceEvents", `[{"studentReference":{"studentUniqueId":"1"},"schoolReference":{"schoolId":10},"eventDate":"2022-09-01","attendanceEventCategoryDescriptor":"uri://ed-fi.org/AttendanceEventCategoryDescriptor#Tardy","eventDuration":1.5}]`, "1.5"},
		{"attendance in the future", "studentSchoolAttendanceEvents", `[{"studentReference":{"studentUniqueId":"1"},"schoolReference":{"schoolId":10},"eventDate":"2025-09-01","attendanceEventCategoryDescriptor":"uri://ed-fi.org/AttendanceEventCategoryDescriptor#Tardy"}]`, "2025-09-01"},
		{"school year 3024", "studentAssessments", `[{"studentAssessmentIdentifier":"a","assessmentReference":{"assessmentIdentifier":"M"},"studentReference":{"studentUniqueId":"1"},"schoolYearTypeReference":{"schoolYear":3024}}]`, "3024"},
		{"negative years teaching", "staffs", `[{"staffUniqueId":"s","yearsOfPriorTeachingExperience":-3}]`, "-3"},
		{"two code values in a grade", "studentSchoolAssociations", enrollment(`,"entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Fifth grade#Twelfth grade"`), "uri://ed-fi.org/GradeLevelDescriptor#Fifth grade#Twelfth grade"},
		{"a sex descriptor as a grade", "studentSchoolAssociations", enrollment(`,"entryGradeLevelDescriptor":"uri://ed-fi.org/SexDescriptor#Fifth grade"`), `"uri://ed-fi.org/SexDescriptor#Fifth grade" is a SexDescriptor, not a GradeLevelDescriptor`},
		{"a sex descriptor as a race", "studentEducationOrganizationAssociations", assoc(`,"races":[{"raceDescriptor":"uri://x/SexDescriptor#White"}]`), `"uri://x/SexDescriptor#White" is a SexDescriptor, not a RaceDescriptor`},
		{"a grade descriptor as a sex", "students", "[" + studentJSON("1", `,"birthSexDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Female"`) + "]", "uri://ed-fi.org/GradeLevelDescriptor#Female"},
		{"a student without names or birth date", "students", `[{"studentUniqueId":"2"}]`, "firstName, lastSurname, birthDate: missing"},
		{"a student without a surname", "students", `[{"studentUniqueId":"2","firstName":"A","birthDate":"2012-01-02"}]`, "lastSurname: missing"},
		{"entry two years ahead", "studentSchoolAssociations", `[{"studentReference":{"studentUniqueId":"1"},"schoolReference":{"schoolId":10},"entryDate":"2026-09-01"}]`, "2026-09-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub, errs := importFile(t, tt.file, tt.data)
			if len(errs) != 1 {
				t.Fatalf("%d errors, want 1: %v", len(errs), errs)
			}
			msg := errs[0].Error()
			if !strings.Contains(msg, tt.quote) || errs[0].Index != 0 {
				t.Errorf("error %q does not quote %s at index 0", msg, tt.quote)
			}
			n := len(sub.Students) + len(sub.Enrollments) + len(sub.Attendance) + len(sub.Assessments) + len(sub.Staff)
			if n != 0 {
				t.Errorf("the rejected resource was imported: %+v", sub)
			}
		})
	}
	// A time well in the past with a zone, and a date of today, are fine.
	sub, errs := importFile(t, "students", "["+studentJSON("1", `,"_lastModifiedDate":"2024-09-01T05:59:59.1234567-06:00"`)+","+
		`{"studentUniqueId":"2","firstName":"A","lastSurname":"B","birthDate":"2024-09-01"}]`)
	if len(errs) != 0 || len(sub.Students) != 2 || sub.Students[0].Source.Submitted != "2024-09-01T05:59:59.1234567-06:00" {
		t.Errorf("plausible dates: %v, %+v", errs, sub.Students)
	}
}

// A student's second association and a second State ID become candidates with their
// sources, and the backpack lists the disagreements as conflicts; nothing is overwritten.
func TestImportRepeatedAssociations(t *testing.T) {
	stateID := func(code string) string {
		return `{"studentIdentificationSystemDescriptor":"uri://ed-fi.org/StudentIdentificationSystemDescriptor#State","identificationCode":"` + code + `"}`
	}
	fsys := fstest.MapFS{
		"lea/students.json": {Data: []byte("[" + studentJSON("1", `,"birthSexDescriptor":"uri://ed-fi.org/SexDescriptor#Female"`) + "]")},
		"lea/studentEducationOrganizationAssociations.json": {Data: []byte(`[
			{"studentReference":{"studentUniqueId":"1"},"sexDescriptor":"uri://ed-fi.org/SexDescriptor#Male",
			 "addresses":[{"streetNumberName":"1 Elm St","city":"Provo"}],
			 "studentIdentificationCodes":[` + stateID("2046188370") + `,` + stateID("2046188371") + `]},
			{"studentReference":{"studentUniqueId":"1"},"sexDescriptor":"uri://ed-fi.org/SexDescriptor#Male",
			 "addresses":[{"streetNumberName":"9 Oak Ave","city":"Orem"}],
			 "studentIdentificationCodes":[` + stateID("2046188372") + `]}]`)},
	}
	sub, errs := backpack.Import(fsys, "lea", backpack.ImportOptions{LEA: "9", Submitted: "2024-06-30", Now: importNow})
	if len(errs) != 0 || len(sub.Students) != 1 {
		t.Fatalf("%d students, errors %v", len(sub.Students), errs)
	}
	s := sub.Students[0]
	if s.SSID != "2046188370" || s.Sex != "Male" || s.Address.Street != "1 Elm St" {
		t.Errorf("the first association's values were not kept: %+v", s)
	}
	src := func(file string, index int) backpack.Source {
		return backpack.Source{LEA: "9", Record: "9/1", Submitted: "2024-06-30", File: "lea/" + file + ".json", Index: index}
	}
	seoa := "studentEducationOrganizationAssociations"
	want := []backpack.FieldValue{
		{Field: "sex", Value: "Female", Source: src("students", 0)},
		{Field: "ssid", Value: "2046188371", Source: src(seoa, 0)},
		{Field: "ssid", Value: "2046188372", Source: src(seoa, 1)},
		{Field: "sex", Value: "Male", Source: src(seoa, 1)},
		{Field: "address", Value: "9 Oak Ave, Orem", Source: src(seoa, 1)},
	}
	if diff := cmp.Diff(want, s.OtherValues); diff != "" {
		t.Errorf("other values (-want +got):\n%s", diff)
	}
	if n := len(s.IdentificationCodes); n != 3 {
		t.Errorf("%d identification codes kept, want 3", n)
	}
	store, err := backpack.NewStore(sub)
	if err != nil {
		t.Fatal(err)
	}
	b := build(t, store, "S", "9/1")
	var conflicts []string
	for _, c := range b.Conflicts {
		conflicts = append(conflicts, c.Field)
	}
	if diff := cmp.Diff([]string{"sex", "ssid", "address"}, conflicts); diff != "" {
		t.Errorf("conflicts (-want +got):\n%s", diff)
	}
	var ssids []string
	for _, c := range field(b, "ssid").Candidates {
		ssids = append(ssids, c.Value+"@"+strconv.Itoa(c.Source.Index))
	}
	slices.Sort(ssids)
	if diff := cmp.Diff([]string{"2046188370@0", "2046188371@0", "2046188372@1"}, ssids); diff != "" {
		t.Errorf("SSID candidates (-want +got):\n%s", diff)
	}
}

// A value without a zone may have meant any zone, but no zone runs more than 14 hours
// ahead of UTC: a date-only value is in the future past the latest date anywhere on
// Earth, a zone-less date-time past now + 14 h. At 05:00 UTC on 1 September it is at most
// 19:00 on 1 September anywhere, so 2 September has not begun.
func TestImportFutureWithoutZone(t *testing.T) {
	at := func(h int) func() time.Time {
		return func() time.Time { return time.Date(2024, 9, 1, h, 0, 0, 0, time.UTC) }
	}
	tests := []struct {
		name  string
		now   func() time.Time
		extra string
		ok    bool
	}{
		{"birth date tomorrow everywhere", at(5), `,"birthDate":"2024-09-02"`, false},
		{"_lastModifiedDate tomorrow everywhere", at(5), `,"_lastModifiedDate":"2024-09-02"`, false},
		{"birth date today in Kiribati", at(12), `,"birthDate":"2024-09-02"`, true},
		{"birth date today", at(5), `,"birthDate":"2024-09-01"`, true},
		{"zone-less time 16 h ahead", at(12), `,"_lastModifiedDate":"2024-09-02T04:00:00"`, false},
		{"zone-less time 13 h ahead", at(12), `,"_lastModifiedDate":"2024-09-02T01:00:00"`, true},
		{"zoned time 13 h ahead", at(12), `,"_lastModifiedDate":"2024-09-02T01:00:00Z"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			birth := `,"birthDate":"2012-01-02"`
			if strings.Contains(tt.extra, "birthDate") {
				birth = ""
			}
			data := `[{"studentUniqueId":"1","firstName":"A","lastSurname":"B"` + birth + tt.extra + `}]`
			fsys := fstest.MapFS{"lea/students.json": {Data: []byte(data)}}
			sub, errs := backpack.Import(fsys, "lea", backpack.ImportOptions{LEA: "9", Submitted: "2024-06-30", Now: tt.now})
			if tt.ok != (len(errs) == 0) || tt.ok != (sub != nil && len(sub.Students) == 1) {
				t.Errorf("%s at %v: errors %v", tt.extra, tt.now(), errs)
			}
			if !tt.ok && len(errs) == 1 && !strings.Contains(errs[0].Error(), "in the future") {
				t.Errorf("error %v", errs[0])
			}
		})
	}
}

// Every address of an association is kept: the first Home address (else the first) is
// the student's, the others other values with the association as their source. The
// backpack offers them as address candidates.
func TestImportKeepsEveryAddress(t *testing.T) {
	addr := func(typ, street string) string {
		return `{"addressTypeDescriptor":"uri://ed-fi.org/AddressTypeDescriptor#` + typ + `","streetNumberName":"` + street + `","city":"Provo"}`
	}
	fsys := fstest.MapFS{
		"lea/students.json": {Data: []byte("[" + studentJSON("1", "") + "]")},
		"lea/studentEducationOrganizationAssociations.json": {Data: []byte(`[
			{"studentReference":{"studentUniqueId":"1"},"addresses":[` + addr("Mailing", "PO Box 7") + `,` + addr("Home", "1 Elm St") + `,` +
			addr("Temporary", "3 Ash Ct") + `,` + addr("Home", "5 Fir Ln") + `,` + addr("Mailing", "PO Box 7") + `]},
			{"studentReference":{"studentUniqueId":"1"},"addresses":[` + addr("Home", "9 Oak Ave") + `,` + addr("Work", "2 Main St") + `]}]`)},
	}
	sub, errs := backpack.Import(fsys, "lea", backpack.ImportOptions{LEA: "9", Submitted: "2024-06-30", Now: importNow})
	if len(errs) != 0 || len(sub.Students) != 1 {
		t.Fatalf("%d students, errors %v", len(sub.Students), errs)
	}
	s := sub.Students[0]
	if got := s.Address.String(); got != "1 Elm St, Provo" {
		t.Errorf("address %q, want the first Home address", got)
	}
	src := func(index int) backpack.Source {
		return backpack.Source{LEA: "9", Record: "9/1", Submitted: "2024-06-30", File: "lea/studentEducationOrganizationAssociations.json", Index: index}
	}
	want := []backpack.FieldValue{
		{Field: "address", Value: "PO Box 7, Provo", Source: src(0)},
		{Field: "address", Value: "3 Ash Ct, Provo", Source: src(0)},
		{Field: "address", Value: "5 Fir Ln, Provo", Source: src(0)},
		{Field: "address", Value: "2 Main St, Provo", Source: src(1)},
		{Field: "address", Value: "9 Oak Ave, Provo", Source: src(1)},
	}
	if diff := cmp.Diff(want, s.OtherValues); diff != "" {
		t.Errorf("other values (-want +got):\n%s", diff)
	}
	store, err := backpack.NewStore(sub)
	if err != nil {
		t.Fatal(err)
	}
	b := build(t, store, "S", "9/1")
	var got []string
	for _, c := range field(b, "address").Candidates {
		got = append(got, c.Value)
	}
	slices.Sort(got)
	wantCands := []string{"1 Elm St, Provo", "2 Main St, Provo", "3 Ash Ct, Provo", "5 Fir Ln, Provo", "9 Oak Ave, Provo", "PO Box 7, Provo"}
	if diff := cmp.Diff(wantCands, got); diff != "" {
		t.Errorf("address candidates (-want +got):\n%s", diff)
	}
}

// A resource whose fault would swallow the ones after it — a closing brace missing, a
// stray quote, a string left open — is reported with where the fault was and how many
// bytes were skipped, and the scan resumes at the next resource: the rest of the file is
// imported.
func TestImportResynchronises(t *testing.T) {
	for _, tt := range []struct {
		name, bad, want string
	}{
		{"missing closing brace", `{"studentUniqueId":"2","firstName":"X"`, `unexpected '{'`},
		{"stray quote", `{"studentUniqueId":"2","firstName":"X"Y"}`, `unexpected 'Y' after a value`},
		{"unterminated string", `{"studentUniqueId":"2","firstName":"X}`, "a string left open"},
	} {
		for _, indent := range []string{"", "  "} {
			t.Run(fmt.Sprintf("%s, indent %q", tt.name, indent), func(t *testing.T) {
				elems := []string{studentJSON("1", ""), tt.bad, studentJSON("3", ""), studentJSON("4", ""), studentJSON("5", "")}
				data := "[\n" + indent + strings.Join(elems, ",\n"+indent) + "\n]\n"
				sub, errs := importFile(t, "students", data)
				var ids []string
				for _, s := range sub.Students {
					ids = append(ids, s.StudentUniqueID)
				}
				if diff := cmp.Diff([]string{"1", "3", "4", "5"}, ids); diff != "" {
					t.Errorf("imported (-want +got):\n%s", diff)
				}
				if len(errs) != 1 {
					t.Fatalf("errors %v, want one", errs)
				}
				var ie *backpack.ImportError
				if !errors.As(errs[0], &ie) || ie.Index != 1 || !strings.HasPrefix(data[ie.Offset:], tt.bad) {
					t.Fatalf("error %v: want resource 1 at its offset", errs[0])
				}
				next := int64(strings.Index(data, studentJSON("3", "")))
				if at := faultAt(ie.Err.Error()); at < ie.Offset || at > next { // a missing brace shows at the next resource's own "{"
					t.Errorf("the fault is placed at byte %d, outside resource 1 and the start of the next (bytes %d–%d)", at, ie.Offset, next)
				}
				wantSkip := fmt.Sprintf("skipped %d bytes to the next resource, at byte %d", next-faultAt(ie.Err.Error()), next)
				if msg := ie.Error(); !strings.Contains(msg, tt.want) || !strings.Contains(msg, wantSkip) || !strings.Contains(msg, "students.json[1] at byte") {
					t.Errorf("error %q, want %q and %q", msg, tt.want, wantSkip)
				}
			})
		}
	}
	// A fault in the last resource skips the rest of the file, and says so.
	data := "[\n" + studentJSON("1", "") + ",\n" + `{"studentUniqueId":"2","firstName":"X}` + "\n]\n"
	sub, errs := importFile(t, "students", data)
	if len(sub.Students) != 1 || len(errs) != 1 || !strings.Contains(errs[0].Error(), "skipped the rest of the file") {
		t.Errorf("%d imported; errors %v", len(sub.Students), errs)
	}
}

// faultAt reads the byte offset of the fault from a resynchronised resource's error.
func faultAt(msg string) int64 {
	var at int64
	if i := strings.Index(msg, " at byte "); i >= 0 {
		fmt.Sscanf(msg[i+len(" at byte "):], "%d", &at)
	}
	return at
}

// Dates no student can have are errors quoting them: a birth date more than 100 years
// ago, and an enrollment in a grade the student is far too young or old for on its
// entry date (a newborn in Twelfth grade). Ordinary ages, a student who skipped or
// repeated a few grades, and grades without a usual age pass.
func TestImportRejectsImplausibleAges(t *testing.T) {
	const grade = "uri://ed-fi.org/GradeLevelDescriptor#"
	for _, tt := range []struct {
		name, birth, entry, grade string
		quote                     string // in the error; "" when imported
	}{
		{"born 1900", "1900-01-01", "", "", `"1900-01-01" is more than 100 years ago`},
		{"born today, Twelfth grade", "2024-09-01", "2024-09-01", "Twelfth grade", `is 0; that grade is for ages 14 to 23`},
		{"enrolled before birth", "2024-09-01", "2024-08-20", "Twelfth grade", `the student was born after it, on 2024-09-01`},
		{"six in Twelfth grade", "2018-01-01", "2024-08-20", "Twelfth grade", `"uri://ed-fi.org/GradeLevelDescriptor#Twelfth grade" on 2024-08-20`},
		{"thirty in Kindergarten", "1994-01-01", "2024-08-20", "Kindergarten", `is 30`},
		{"twelve in Fifth grade", "2012-01-02", "2024-08-20", "Fifth grade", ""},
		{"seventeen in Twelfth grade", "2007-03-01", "2024-08-20", "Twelfth grade", ""},
		{"fourteen, a year ahead in Tenth grade", "2010-08-21", "2024-08-20", "Tenth grade", ""},
		{"forty, Adult Education", "1984-05-05", "2024-08-20", "Adult Education", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			files := fstest.MapFS{"lea/students.json": {Data: []byte(fmt.Sprintf(`[{"studentUniqueId":"1","firstName":"A","lastSurname":"B","birthDate":%q}]`, tt.birth))}}
			if tt.entry != "" {
				files["lea/studentSchoolAssociations.json"] = &fstest.MapFile{Data: []byte(fmt.Sprintf(
					`[{"studentReference":{"studentUniqueId":"1"},"schoolReference":{"schoolId":1},"entryDate":%q,"entryGradeLevelDescriptor":%q}]`, tt.entry, grade+tt.grade))}
			}
			sub, errs := backpack.Import(files, "lea", backpack.ImportOptions{LEA: "9", Submitted: "2024-06-30", Now: importNow})
			switch {
			case tt.quote == "" && len(errs) > 0:
				t.Errorf("refused: %v", errs)
			case tt.quote != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.quote)):
				t.Errorf("errors %v, want one quoting %q", errs, tt.quote)
			case tt.quote != "" && tt.entry != "" && len(sub.Enrollments) != 0:
				t.Errorf("the implausible enrollment was imported")
			}
		})
	}
}

// A race given twice is one race, and a descriptor in another namespace than Ed-Fi's is
// read by its type and code value.
func TestImportRacesOnce(t *testing.T) {
	fsys := fstest.MapFS{
		"lea/students.json": {Data: []byte("[" + studentJSON("1", "") + "]")},
		"lea/studentEducationOrganizationAssociations.json": {Data: []byte(`[{"studentReference":{"studentUniqueId":"1"},"races":[` +
			`{"raceDescriptor":"uri://ed-fi.org/RaceDescriptor#White"},{"raceDescriptor":"uri://ut.gov/RaceDescriptor#White"},{"raceDescriptor":"uri://ed-fi.org/RaceDescriptor#Asian"}]}]`)},
	}
	sub, errs := backpack.Import(fsys, "lea", backpack.ImportOptions{LEA: "9", Submitted: "2024-06-30", Now: importNow})
	if len(errs) != 0 || len(sub.Students) != 1 {
		t.Fatalf("%v, %d students", errs, len(sub.Students))
	}
	if diff := cmp.Diff([]string{"Asian", "White"}, sub.Students[0].Races); diff != "" {
		t.Errorf("races (-want +got):\n%s", diff)
	}
}

// One-line files, as the ODS/API returns them: a fault in one resource — a closing brace
// missing, a stray quote, a string left open, a stray ']', a bad escape — costs that
// resource alone, reported with its index and byte offset, and the rest are imported.
func TestImportResynchronisesOneLine(t *testing.T) {
	for _, tt := range []struct {
		name, bad, want string
	}{
		{"missing closing brace", `{"studentUniqueId":"2","firstName":"X","lastSurname":"B","birthDate":"2012-01-02"`, `unexpected '{'`},
		{"missing brace after a comma", `{"studentUniqueId":"2","firstName":"X","lastSurname":"B","birthDate":"2012-01-02",`, `unexpected '{'`},
		{"stray quote", `{"studentUniqueId":"2","firstName":"A"x","lastSurname":"B","birthDate":"2012-01-02"}`, `unexpected 'x' after a value`},
		{"string left open inside", `{"studentUniqueId":"2","firstName":"A,"lastSurname":"B","birthDate":"2012-01-02"}`, `unexpected 'l' after a value`},
		{"string left open at the end", `{"studentUniqueId":"2","firstName":"X}`, "the next resource starts before it"},
		{"stray ']'", `{"studentUniqueId":"2"}]`, ""},
		{"bad escape", `{"studentUniqueId":"2","firstName":"a\qb","lastSurname":"B","birthDate":"2012-01-02"}`, "invalid character"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := "[" + strings.Join([]string{studentJSON("1", ""), tt.bad, studentJSON("3", ""), studentJSON("4", ""), studentJSON("5", "")}, ",") + "]"
			sub, errs := importFile(t, "students", data)
			var ids []string
			for _, s := range sub.Students {
				ids = append(ids, s.StudentUniqueID)
			}
			if diff := cmp.Diff([]string{"1", "3", "4", "5"}, ids); diff != "" {
				t.Errorf("imported (-want +got):\n%s\nerrors %v", diff, errs)
			}
			if len(errs) == 0 {
				t.Fatal("no error")
			}
			for _, ie := range errs {
				if ie.Index < 1 || ie.Offset < int64(len("[")+len(studentJSON("1", ""))) || ie.Offset >= int64(strings.Index(data, studentJSON("3", ""))) {
					t.Errorf("error %v: want it in resource 1, at or after its offset", ie)
				}
			}
			if ie := errs[0]; ie.Index != 1 || !strings.HasPrefix(data[ie.Offset:], tt.bad) || !strings.Contains(ie.Error(), tt.want) {
				t.Errorf("error %v: want resource 1 at its offset, saying %q", ie, tt.want)
			}
		})
	}
}

// A UTF-8 byte order mark before the array is skipped, in a one-line file and in a
// pretty-printed one; one anywhere else is an error.
func TestImportByteOrderMark(t *testing.T) {
	for _, tt := range []struct {
		name, data string
		ok         bool
	}{
		{"one line", "\ufeff[" + studentJSON("1", "") + "]", true},
		{"pretty", "\ufeff[\n  " + studentJSON("1", "") + "\n]\n", true},
		{"after the bracket", "[\ufeff" + studentJSON("1", "") + "]", false},
		{"broken", "\xef\xbb[" + studentJSON("1", "") + "]", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sub, errs := importFile(t, "students", tt.data)
			if got := len(errs) == 0 && len(sub.Students) == 1; got != tt.ok {
				t.Errorf("imported %d, errors %v; want ok %v", len(sub.Students), errs, tt.ok)
			}
		})
	}
}

// TestImportEnrollmentForNextYear: a student registered in summer for the coming school
// year is enrolled ahead of time, up to a year.
func TestImportEnrollmentForNextYear(t *testing.T) {
	_, errs := importFile(t, "studentSchoolAssociations", `[{"studentReference":{"studentUniqueId":"1"},"schoolReference":{"schoolId":10},"entryDate":"2025-08-20"}]`)
	if len(errs) != 0 {
		t.Errorf("an enrollment for next school year refused: %v", errs)
	}
}

// A descriptor's type is its namespace's last segment in any case, with or without a
// ".xml" ending (older namespaces name the descriptor's file): the forms senders wrote
// before types were checked import; another type is still refused.
func TestImportDescriptorTypeForms(t *testing.T) {
	for _, tt := range []struct {
		uri, want string // want "" when refused
	}{
		{"uri://ed-fi.org/SexDescriptor#Female", "Female"},
		{"uri://ed-fi.org/sexdescriptor#Female", "Female"},
		{"uri://ed-fi.org/SEXDESCRIPTOR#Male", "Male"},
		{"http://ed-fi.org/Descriptor/SexDescriptor.xml#Female", "Female"},
		{"http://ed-fi.org/Descriptor/sexdescriptor.XML#Male", "Male"},
		{"uri://ed-fi.org/GradeLevelDescriptor#Female", ""},
		{"http://ed-fi.org/Descriptor/RaceDescriptor.xml#Female", ""},
		{"uri://ed-fi.org/SexDescriptorxml#Female", ""},
		{"uri://ed-fi.org/.xml#Female", ""},
	} {
		sub, errs := importFile(t, "students", "["+studentJSON("1", `,"birthSexDescriptor":"`+tt.uri+`"`)+"]")
		got := ""
		if len(errs) == 0 && len(sub.Students) == 1 {
			got = sub.Students[0].Sex
		}
		if got != tt.want {
			t.Errorf("%s: sex %q, errors %v; want %q", tt.uri, got, errs, tt.want)
		}
	}
}

// Resynchronising a one-line file never imports a fragment of the malformed resource: an
// object nested in it (here in otherNames) that looks like a student is no resource
// start, since it is not followed by the next resource or by the array's end and the
// file's. A good resource after the fault is found whatever its first key.
func TestImportResyncNoFragment(t *testing.T) {
	evil := `{"studentUniqueId":"666","firstName":"Evil","lastSurname":"V","birthDate":"2012-01-01"}`
	for _, tt := range []struct {
		name, bad, next string
		want            []string
	}{
		{"a student nested in otherNames, last of its array", `{"studentUniqueId":"2","otherNames":[{"firstName":"x"},` + evil + `],"firstName":"A" "lastSurname":"B","birthDate":"2012-01-02"}`,
			studentJSON("3", ""), []string{"1", "3"}},
		{"a student nested in otherNames, between others", `{"studentUniqueId":"2","otherNames":[{"firstName":"x"},` + evil + `,{"firstName":"y"}],"firstName":"A" "lastSurname":"B","birthDate":"2012-01-02"}`,
			studentJSON("3", ""), []string{"1", "3"}},
		{"a student nested, the next resource in another key order", `{"studentUniqueId":"2","otherNames":[{"firstName":"x"},` + evil + `],"firstName":"A" "lastSurname":"B","birthDate":"2012-01-02"}`,
			`{"firstName":"C","studentUniqueId":"3","lastSurname":"D","birthDate":"2012-01-03"}`, []string{"1", "3"}},
		{"a missing brace, the next resource in another key order", `{"studentUniqueId":"2","firstName":"X","lastSurname":"B","birthDate":"2012-01-02"`,
			`{"lastSurname":"D","studentUniqueId":"3","firstName":"C","birthDate":"2012-01-03"}`, []string{"1", "3"}},
		{"a stray quote, the next resource in another key order", `{"studentUniqueId":"2","firstName":"A"x","lastSurname":"B","birthDate":"2012-01-02"}`,
			`{"birthDate":"2012-01-03","studentUniqueId":"3","firstName":"C","lastSurname":"D"}`, []string{"1", "3"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, tail := range []string{"", "," + studentJSON("4", "")} {
				data := "[" + studentJSON("1", "") + "," + tt.bad + "," + tt.next + tail + "]"
				sub, errs := importFile(t, "students", data)
				var ids []string
				for _, s := range sub.Students {
					ids = append(ids, s.StudentUniqueID)
				}
				want := tt.want
				if tail != "" {
					want = append(slices.Clone(want), "4")
				}
				if diff := cmp.Diff(want, ids); diff != "" {
					t.Errorf("tail %q: imported (-want +got):\n%s\nerrors %v", tail, diff, errs)
				}
				if len(errs) != 1 || errs[0].Index != 1 || !strings.HasPrefix(data[errs[0].Offset:], tt.bad) {
					t.Errorf("tail %q: errors %v, want one, of resource 1 at its offset", tail, errs)
				}
			}
		})
	}
}
