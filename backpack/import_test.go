package backpack_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// counts is the number of resources of each kind in a submission.
type counts struct {
	Students, Enrollments, Sections, SectionLinks, Grades, Transcripts, Attendance,
	Staff, StaffSections, Credentials, Assessments int
}

func countsOf(s *backpack.Submission) counts {
	return counts{len(s.Students), len(s.Enrollments), len(s.Sections), len(s.SectionLinks), len(s.Grades),
		len(s.Transcripts), len(s.Attendance), len(s.Staff), len(s.StaffSections), len(s.Credentials), len(s.Assessments)}
}

func TestImportEmbeddedCounts(t *testing.T) {
	// The array lengths of the files in testdata/edfi/<LEA>/ (attendance: school and
	// section events together; courseOfferings.json is not a resource Import reads).
	tests := []struct {
		lea  string
		want counts
	}{
		{"255901", counts{Students: 10, Enrollments: 4, Sections: 8, SectionLinks: 3, Grades: 6, Transcripts: 0,
			Attendance: 61 + 20, Staff: 5, StaffSections: 8, Credentials: 5, Assessments: 18}},
		{"255902", counts{Students: 4, Enrollments: 4, Sections: 2, SectionLinks: 3, Grades: 3, Transcripts: 4,
			Attendance: 4, Staff: 2, StaffSections: 2, Credentials: 2, Assessments: 1}},
	}
	fsys := edfiFS(t)
	for _, tt := range tests {
		t.Run(tt.lea, func(t *testing.T) {
			sub, errs := backpack.Import(fsys, tt.lea, backpack.ImportOptions{LEA: tt.lea, Submitted: "2023-01-01"})
			if len(errs) > 0 {
				t.Fatalf("Import: %d errors, first %v", len(errs), errs[0])
			}
			if sub.LEA != tt.lea || sub.Submitted != "2023-01-01" {
				t.Errorf("LEA, Submitted = %q, %q", sub.LEA, sub.Submitted)
			}
			if diff := cmp.Diff(tt.want, countsOf(sub)); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
			for _, s := range sub.Students {
				if s.Record != backpack.RecordID(tt.lea, s.StudentUniqueID) || s.FirstName == "" || s.BirthDate == "" {
					t.Errorf("student %+v: record ID, name or birth date missing", s)
				}
				if s.Source.LEA != tt.lea || s.Source.Record != s.Record || !strings.HasSuffix(s.Source.File, "students.json") {
					t.Errorf("student %s: source %+v", s.Record, s.Source)
				}
			}
		})
	}
}

func importLEA(t *testing.T, lea string, opt backpack.ImportOptions) *backpack.Submission {
	t.Helper()
	opt.LEA = lea
	sub, errs := backpack.Import(edfiFS(t), lea, opt)
	if len(errs) > 0 {
		t.Fatalf("Import %s: %v", lea, errs)
	}
	return sub
}

func student(t *testing.T, sub *backpack.Submission, record string) backpack.StudentRecord {
	t.Helper()
	for _, s := range sub.Students {
		if s.Record == record {
			return s
		}
	}
	t.Fatalf("no student %s in LEA %s", record, sub.LEA)
	return backpack.StudentRecord{}
}

func TestImportDescriptorsAndSSID(t *testing.T) {
	old := importLEA(t, "255901", backpack.ImportOptions{})
	nw := importLEA(t, "255902", backpack.ImportOptions{})

	lisa := student(t, old, lisaOld)
	want := backpack.StudentRecord{
		Record: lisaOld, StudentUniqueID: "604822", FirstName: "Lisa", MiddleName: "Sybil", LastSurname: "Woods",
		BirthDate: "2008-09-13", Sex: "Female", Races: []string{"Asian"}, HispanicLatino: "false", SSID: "1000604822",
		IdentificationCodes: []backpack.IdentificationCode{
			{System: "Local", AssigningOrg: "Local", Code: "822"},
			{System: "SSN", AssigningOrg: "SSN", Code: "9343262721"},
			{System: "State", AssigningOrg: "SEA", Code: "1000604822"},
		},
		Address: backpack.Address{Street: "54 Rocky Clarendon Avenue", City: "Grand Bend", State: "TX", PostalCode: "78834"},
	}
	// The sources are checked apart.
	got := lisa
	got.Source, got.AssociationSource = backpack.Source{}, backpack.Source{}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Lisa at 255901 (-want +got):\n%s", diff)
	}
	if lisa.AssociationSource.File != "255901/studentEducationOrganizationAssociations.json" || lisa.AssociationSource.Index != 7 ||
		lisa.AssociationSource.Record != lisaOld {
		t.Errorf("Lisa's association source = %+v", lisa.AssociationSource)
	}
	if lisa.Source.File != "255901/students.json" || lisa.Source.Index != 0 {
		t.Errorf("Lisa's source = %+v", lisa.Source)
	}

	if d := student(t, nw, dianaNew); !slices.Equal(d.Races, []string{"Asian", "White"}) || d.SSID != "1000604585" {
		t.Errorf("Diana at 255902: races %q, SSID %q; want [Asian White], 1000604585", d.Races, d.SSID)
	}
	if j := student(t, nw, jerryNew); j.SSID != "" || j.Sex != "Male" {
		t.Errorf("Jerry at 255902: SSID %q (he has only a Local code), sex %q", j.SSID, j.Sex)
	}

	var grade string
	for _, e := range old.Enrollments {
		if e.Record == jerryOld {
			grade = e.GradeLevel
		}
	}
	if grade != "5" {
		t.Errorf("Jerry's enrollment grade level = %q, want 5 (from Fifth grade)", grade)
	}
	for _, a := range nw.Assessments {
		if a.GradeLevel != "5" || a.AdministrationDate != "2021-04-01" || a.PerformanceLevels[0].Level != "Met Standard" {
			t.Errorf("assessment: grade %q, date %q, level %q", a.GradeLevel, a.AdministrationDate, a.PerformanceLevels[0].Level)
		}
	}
}

func TestImportDescriptorOverride(t *testing.T) {
	// A state's own namespace mapped onto the Ed-Fi code values.
	fsys := fstest.MapFS{
		"x/students.json": {Data: []byte(`[{"studentUniqueId":"7","firstName":"A","lastSurname":"B","birthDate":"2012-01-02"}]`)},
		"x/studentEducationOrganizationAssociations.json": {Data: []byte(`[{"studentReference":{"studentUniqueId":"7"},
			"sexDescriptor":"uri://ut.gov/SexDescriptor#F","races":[{"raceDescriptor":"uri://ut.gov/RaceDescriptor#AS"}],
			"studentIdentificationCodes":[{"studentIdentificationSystemDescriptor":"uri://tx.gov/IDSystem#SSID","identificationCode":"204-618-837"}]}]`)},
	}
	for _, tt := range []struct {
		name        string
		desc        map[string]string
		ssid, sex   string
		races       []string
		errorQuotes string
	}{
		{"mapped", map[string]string{"uri://tx.gov/IDSystem#SSID": "State", "uri://ut.gov/SexDescriptor#F": "Female",
			"uri://ut.gov/RaceDescriptor#AS": "Asian"}, "204618837", "Female", []string{"Asian"}, ""},
		{"unmapped: the state's codes are not Ed-Fi's", nil, "", "", nil, "uri://ut.gov/SexDescriptor#F"},
		{"mapped to a value outside the vocabulary", map[string]string{"uri://ut.gov/SexDescriptor#F": "F",
			"uri://ut.gov/RaceDescriptor#AS": "Asian"}, "", "", nil, "uri://ut.gov/SexDescriptor#F"},
	} {
		sub, errs := backpack.Import(fsys, "x", backpack.ImportOptions{LEA: "9", Descriptors: tt.desc})
		if tt.errorQuotes != "" {
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), strconv.Quote(tt.errorQuotes)) {
				t.Errorf("%s: errors %v, want one quoting %q", tt.name, errs, tt.errorQuotes)
			}
			continue
		}
		if len(errs) > 0 || len(sub.Students) != 1 {
			t.Fatalf("%s: %v, %d students", tt.name, errs, len(sub.Students))
		}
		s := sub.Students[0]
		if s.SSID != tt.ssid || s.Sex != tt.sex || !slices.Equal(s.Races, tt.races) {
			t.Errorf("%s: SSID %q sex %q races %q; want %q %q %q", tt.name, s.SSID, s.Sex, s.Races, tt.ssid, tt.sex, tt.races)
		}
	}
}

func TestImportLastModified(t *testing.T) {
	fsys := fstest.MapFS{"a/students.json": {Data: []byte(`[
		{"studentUniqueId":"1","firstName":"A","lastSurname":"B","birthDate":"2012-01-02","_lastModifiedDate":"2024-03-01T10:00:00Z"},
		{"studentUniqueId":"2","firstName":"B","lastSurname":"C","birthDate":"2012-01-02"}]`)}}
	sub, errs := backpack.Import(fsys, "a", backpack.ImportOptions{LEA: "1", Submitted: "2023-06-30"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if got := []string{sub.Students[0].Source.Submitted, sub.Students[1].Source.Submitted}; !slices.Equal(got, []string{"2024-03-01T10:00:00Z", "2023-06-30"}) {
		t.Errorf("submitted = %q", got)
	}
}

func TestImportMissingLEA(t *testing.T) {
	sub, errs := backpack.Import(edfiFS(t), "255901", backpack.ImportOptions{})
	if sub != nil || len(errs) != 1 {
		t.Fatalf("Import without LEA = %v, %v; want nil and one error", sub, errs)
	}
}

// badFS holds resource files with malformed resources among good ones.
var badFS = fstest.MapFS{
	"lea/students.json": {Data: []byte(`[
		{"studentUniqueId":"1","firstName":"Ana","lastSurname":"Ruiz","birthDate":"2012-01-02"},
		{"studentUniqueId":"2","firstName":5,"lastSurname":"Wrong Type","birthDate":"2012-01-02"},
		{"firstName":"No","lastSurname":"ID","birthDate":"2012-01-02"},
		{"studentUniqueId":"3","firstName":"Feb","lastSurname":"Thirtieth","birthDate":"2010-02-30"},
		{"studentUniqueId":"4","firstName":"Bea","lastSurname":"Lund","birthDate":"2013-05-06"},
		{"studentUniqueId":"5","firstName":"Cal","lastSurname":"Sexless","birthDate":"2013-05-06","birthSexDescriptor":"uri://ed-fi.org/SexDescriptor#Banana"},
		"not an object",
		{"studentUniqueId":"1","firstName":"Ana","lastSurname":"Ruiz","birthDate":"2012-01-02"}
	]`)},
	"lea/studentEducationOrganizationAssociations.json": {Data: []byte(`[
		{"studentReference":{"studentUniqueId":"1"},"sexDescriptor":"uri://ed-fi.org/SexDescriptor#Female"},
		{"studentReference":{"studentUniqueId":"4"},"sexDescriptor":"uri://ed-fi.org/SexDescriptor#Banana",
		 "races":[{"raceDescriptor":"uri://ed-fi.org/RaceDescriptor#White"}]},
		{"studentReference":{"studentUniqueId":"4"},"sexDescriptor":"uri://ed-fi.org/SexDescriptor#Male",
		 "races":[{"raceDescriptor":"uri://ed-fi.org/RaceDescriptor#Asian"}],
		 "addresses":[{"streetNumberName":"1 Elm St","city":"Provo"}],
		 "studentIdentificationCodes":[{"studentIdentificationSystemDescriptor":"uri://ed-fi.org/StudentIdentificationSystemDescriptor#State","identificationCode":"SSID-ABC"}]}
	]`)},
	"lea/studentSchoolAssociations.json": {Data: []byte(`[
		{"studentReference":{"studentUniqueId":"1"},"schoolReference":{"schoolId":10},"entryDate":"2022-08-22","entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Fifth grade"},
		{"studentReference":{"studentUniqueId":"1"},"schoolReference":{"schoolId":10},"entryDate":"2022-13-22"},
		{"studentReference":{"studentUniqueId":"1"},"schoolReference":{"schoolId":10},"entryDate":"2022-08-22","entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Twentieth grade"},
		{"studentReference":{"studentUniqueId":"1"},"entryDate":"2022-08-22"}
	]`)},
	"lea/grades.json":   {Data: []byte(`{"not": "an array"}`)},
	"lea/sections.json": {Data: []byte(`[{"sectionIdentifier":"S1"}]`)},
	"lea/credentials.json": {Data: []byte(`[{"credentialIdentifier":"C1","issuanceDate":"2010-02-30"},
		{"credentialIdentifier":"C2","issuanceDate":"2010-02-28"}]`)},
}

func TestImportMalformed(t *testing.T) {
	sub, errs := backpack.Import(badFS, "lea", backpack.ImportOptions{LEA: "77", Submitted: "2024-01-01"})
	type loc struct {
		File  string
		Index int
	}
	var got []loc
	for _, err := range errs {
		var ie *backpack.ImportError
		if !errors.As(err, &ie) {
			t.Fatalf("error %v is a %T, not an *ImportError", err, err)
		}
		if !strings.Contains(err.Error(), ie.File) {
			t.Errorf("error %q does not name its file", err)
		}
		got = append(got, loc{ie.File, ie.Index})
	}
	want := []loc{
		{"lea/students.json", 1},                                 // firstName is a number
		{"lea/students.json", 2},                                 // no studentUniqueId
		{"lea/students.json", 3},                                 // 2010-02-30
		{"lea/students.json", 5},                                 // unknown birth sex
		{"lea/students.json", 6},                                 // not an object
		{"lea/students.json", 7},                                 // studentUniqueId 1 again
		{"lea/studentEducationOrganizationAssociations.json", 1}, // unknown sex
		{"lea/studentEducationOrganizationAssociations.json", 2}, // State code not an ID
		{"lea/studentSchoolAssociations.json", 1},                // month 13
		{"lea/studentSchoolAssociations.json", 2},                // unknown grade
		{"lea/studentSchoolAssociations.json", 3},                // no school
		{"lea/sections.json", 0},                                 // no schoolId
		{"lea/grades.json", -1},                                  // not an array
		{"lea/credentials.json", 0},                              // 2010-02-30
	}
	key := func(l loc) string { return fmt.Sprintf("%s[%d]", l.File, l.Index) }
	gotKeys, wantKeys := make([]string, len(got)), make([]string, len(want))
	for i := range got {
		gotKeys[i] = key(got[i])
	}
	for i := range want {
		wantKeys[i] = key(want[i])
	}
	slices.Sort(gotKeys)
	slices.Sort(wantKeys)
	if diff := cmp.Diff(wantKeys, gotKeys); diff != "" {
		t.Errorf("import errors (-want +got):\n%s\nerrors: %v", diff, errs)
	}

	// The good resources of the same files are imported, untouched by the bad ones.
	var ids []string
	for _, s := range sub.Students {
		ids = append(ids, s.StudentUniqueID)
	}
	if diff := cmp.Diff([]string{"1", "4"}, ids); diff != "" {
		t.Errorf("students imported (-want +got):\n%s", diff)
	}
	byID := map[string]backpack.StudentRecord{}
	for _, s := range sub.Students {
		byID[s.StudentUniqueID] = s
	}
	ana, bea := byID["1"], byID["4"]
	if ana.LastSurname != "Ruiz" || ana.Sex != "Female" {
		t.Errorf("student 1 = %+v; the duplicate at index 7 must not overwrite it", ana)
	}
	// The duplicate (alike, so its student's associations are kept) is left out.
	if len(ana.OtherValues) != 0 {
		t.Errorf("student 1's other values %+v: the duplicate at index 7 was folded in", ana.OtherValues)
	}
	// Both of Bea's associations are malformed: nothing of them may stick.
	if bea.Sex != "" || len(bea.Races) != 0 || bea.SSID != "" || bea.Address != (backpack.Address{}) || len(bea.IdentificationCodes) != 0 {
		t.Errorf("student 4 took values from a rejected association: %+v", bea)
	}
	if bea.AssociationSource != (backpack.Source{}) {
		t.Errorf("student 4 has an association source %+v from a rejected association", bea.AssociationSource)
	}
	if len(sub.Enrollments) != 1 || sub.Enrollments[0].GradeLevel != "5" {
		t.Errorf("enrollments = %+v, want the one good one", sub.Enrollments)
	}
	if len(sub.Credentials) != 1 || sub.Credentials[0].ID != "C2" {
		t.Errorf("credentials = %+v, want C2 only", sub.Credentials)
	}
	if len(sub.Grades) != 0 || len(sub.Sections) != 0 {
		t.Errorf("grades %d, sections %d; want none", len(sub.Grades), len(sub.Sections))
	}
}

// An association of a student missing from students.json still gives the LEA's record
// of that student, with the association's values and source.
func TestImportAssociationWithoutStudent(t *testing.T) {
	fsys := fstest.MapFS{
		"a/students.json": {Data: []byte(`[{"studentUniqueId":"1","firstName":"A","lastSurname":"B","birthDate":"2012-01-02"}]`)},
		"a/studentEducationOrganizationAssociations.json": {Data: []byte(`[
			{"studentReference":{"studentUniqueId":"1"},"sexDescriptor":"uri://ed-fi.org/SexDescriptor#Male"},
			{"studentReference":{"studentUniqueId":"2"},"sexDescriptor":"uri://ed-fi.org/SexDescriptor#Male",
			 "studentIdentificationCodes":[{"studentIdentificationSystemDescriptor":"uri://ed-fi.org/StudentIdentificationSystemDescriptor#State","identificationCode":"5500017"}]}]`)},
	}
	sub, errs := backpack.Import(fsys, "a", backpack.ImportOptions{LEA: "1"})
	if len(errs) != 0 || len(sub.Students) != 2 {
		t.Fatalf("%d students, errors %v", len(sub.Students), errs)
	}
	src := backpack.Source{LEA: "1", Record: "1/2", File: "a/studentEducationOrganizationAssociations.json", Index: 1}
	want := backpack.StudentRecord{Record: "1/2", StudentUniqueID: "2", Sex: "Male", SSID: "5500017",
		IdentificationCodes: []backpack.IdentificationCode{{System: "State", Code: "5500017"}}, Source: src, AssociationSource: src}
	if diff := cmp.Diff(want, sub.Students[1]); diff != "" {
		t.Errorf("association-only student (-want +got):\n%s", diff)
	}
}

// FuzzImport feeds arbitrary bytes to Import as each resource file: it must never panic,
// and every problem must be an *ImportError naming that file.
func FuzzImport(f *testing.F) {
	names := []string{
		"students", "studentEducationOrganizationAssociations", "studentSchoolAssociations",
		"sections", "studentSectionAssociations", "grades", "courseTranscripts",
		"studentSectionAttendanceEvents", "studentSchoolAttendanceEvents", "staffs",
		"staffSectionAssociations", "credentials", "studentAssessments",
	}
	fsys := edfiFS(f)
	for k, n := range names {
		for _, lea := range []string{"255901", "255902"} {
			if data, err := fs.ReadFile(fsys, lea+"/"+n+".json"); err == nil {
				f.Add(uint8(k), data)
			}
		}
	}
	for _, file := range badFS {
		f.Add(uint8(0), file.Data)
		f.Add(uint8(1), file.Data)
	}
	f.Add(uint8(0), []byte(`[null, 1, "x", [], {}]`))
	f.Add(uint8(1), []byte(`[{"studentReference":{"studentUniqueId":"1"},"studentIdentificationCodes":[{"studentIdentificationSystemDescriptor":"#State","identificationCode":"1-2"}]}]`))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		name := names[int(which)%len(names)]
		file := "lea/" + name + ".json"
		mfs := fstest.MapFS{file: {Data: data}}
		if name != "students" { // give the facts a student to belong to
			mfs["lea/students.json"] = &fstest.MapFile{Data: []byte(`[{"studentUniqueId":"1","firstName":"A","lastSurname":"B","birthDate":"2012-01-02"}]`)}
		}
		sub, errs := backpack.Import(mfs, "lea", backpack.ImportOptions{LEA: "9"})
		if sub == nil {
			t.Fatal("Import returned no submission")
		}
		for _, err := range errs {
			var ie *backpack.ImportError
			if !errors.As(err, &ie) || ie.File != file || ie.Index < -1 || ie.Offset < -1 || ie.Offset > int64(len(data)) {
				t.Fatalf("error %v (%T) is not an *ImportError for %s within its %d bytes", err, err, file, len(data))
			}
			_ = err.Error()
		}
		for _, s := range sub.Students {
			if s.StudentUniqueID == "" || s.Record != backpack.RecordID("9", s.StudentUniqueID) {
				t.Fatalf("student without ID or with a wrong record ID: %+v", s)
			}
		}
		// Whatever was imported must survive a JSON round trip.
		var buf bytes.Buffer
		if err := backpack.WriteJSON(&buf, sub); err != nil {
			t.Fatal(err)
		}
		back, err := backpack.ReadSubmission(&buf)
		if err != nil {
			t.Fatalf("ReadSubmission of WriteJSON: %v", err)
		}
		if diff := cmp.Diff(sub, back); diff != "" {
			t.Fatalf("round trip (-imported +read):\n%s", diff)
		}
	})
}

// A state's own descriptor namespace mapped by ImportOptions.Descriptors: the mapped code
// is what is checked and kept.
func TestImportStateDescriptors(t *testing.T) {
	fsys := fstest.MapFS{
		"x/students.json": {Data: []byte(`[{"studentUniqueId":"7","firstName":"A","lastSurname":"B","birthDate":"2012-01-02",
			"birthSexDescriptor":"uri://tx.gov/SexDescriptor#02"}]`)},
		"x/studentEducationOrganizationAssociations.json": {Data: []byte(`[{"studentReference":{"studentUniqueId":"7"},
			"sexDescriptor":"uri://tx.gov/SexDescriptor#02"}]`)},
		"x/studentSchoolAssociations.json": {Data: []byte(`[{"studentReference":{"studentUniqueId":"7"},"schoolReference":{"schoolId":1},
			"entryDate":"2022-08-22","entryGradeLevelDescriptor":"uri://tx.gov/GradeLevelDescriptor#G5"}]`)},
		"x/courseTranscripts.json": {Data: []byte(`[{"courseAttemptResultDescriptor":"uri://ed-fi.org/CourseAttemptResultDescriptor#Pass",
			"courseReference":{"courseCode":"M5","educationOrganizationId":1},
			"studentAcademicRecordReference":{"educationOrganizationId":1,"schoolYear":2023,"studentUniqueId":"7","termDescriptor":"uri://ed-fi.org/TermDescriptor#Fall Semester"},
			"whenTakenGradeLevelDescriptor":"uri://tx.gov/GradeLevelDescriptor#G5"}]`)},
		"x/studentAssessments.json": {Data: []byte(`[{"studentAssessmentIdentifier":"a1","assessmentReference":{"assessmentIdentifier":"M"},
			"studentReference":{"studentUniqueId":"7"},"whenAssessedGradeLevelDescriptor":"uri://tx.gov/GradeLevelDescriptor#G5"}]`)},
	}
	desc := map[string]string{
		"uri://tx.gov/SexDescriptor#02":        "Female",
		"uri://tx.gov/GradeLevelDescriptor#G5": "Fifth grade",
	}
	sub, errs := backpack.Import(fsys, "x", backpack.ImportOptions{LEA: "9", Descriptors: desc})
	if len(errs) > 0 {
		t.Fatalf("Import with the state's descriptors mapped: %v", errs)
	}
	type got struct{ Sex, Enrolled, Taken, Assessed string }
	g := got{sub.Students[0].Sex, sub.Enrollments[0].GradeLevel, sub.Transcripts[0].GradeLevel, sub.Assessments[0].GradeLevel}
	if diff := cmp.Diff(got{"Female", "5", "5", "5"}, g); diff != "" {
		t.Errorf("mapped codes (-want +got):\n%s", diff)
	}
	// Unmapped, the same codes are unknown and reported.
	_, errs = backpack.Import(fsys, "x", backpack.ImportOptions{LEA: "9"})
	if len(errs) != 5 {
		t.Errorf("unmapped: %d errors, want 5: %v", len(errs), errs)
	}
}

// A directory that is not there (a mistyped LEA) is an error, not an empty submission;
// a directory without any resource file is an empty submission.
func TestImportMissingDir(t *testing.T) {
	sub, errs := backpack.Import(edfiFS(t), "255903", backpack.ImportOptions{LEA: "255903"})
	var ie *backpack.ImportError
	if len(errs) != 1 || !errors.As(errs[0], &ie) || ie.File != "255903" || ie.Index != -1 || !errors.Is(errs[0], fs.ErrNotExist) {
		t.Errorf("Import of a missing directory: %v", errs)
	}
	if sub == nil || len(sub.Students) != 0 {
		t.Errorf("submission %+v", sub)
	}
	empty := fstest.MapFS{"e/README.txt": {Data: []byte("nothing here")}}
	if sub, errs := backpack.Import(empty, "e", backpack.ImportOptions{LEA: "1"}); len(errs) != 0 || sub == nil {
		t.Errorf("Import of a directory without resources: %v, %v", sub, errs)
	}
}
