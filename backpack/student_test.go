package backpack_test

import (
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// studentFiles writes a student and its identification codes as the two Ed-Fi resource
// files Import reads.
func studentFiles(t *testing.T, st backpack.StudentResource, codes []backpack.StudentIdentificationCode) fstest.MapFS {
	t.Helper()
	student, err := json.Marshal([]map[string]string{{"studentUniqueId": st.StudentUniqueID, "firstName": st.FirstName,
		"middleName": st.MiddleName, "lastSurname": st.LastSurname, "generationCodeSuffix": st.GenerationCodeSuffix,
		"birthDate": st.BirthDate, "birthSexDescriptor": st.BirthSexDescriptor}})
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{"posted/students.json": {Data: student}}
	if len(codes) > 0 {
		var ids []map[string]string
		for _, c := range codes {
			ids = append(ids, map[string]string{"studentIdentificationSystemDescriptor": c.SystemDescriptor,
				"assigningOrganizationIdentificationCode": c.AssigningOrg, "identificationCode": c.Code})
		}
		seoa, err := json.Marshal([]any{map[string]any{"studentReference": map[string]string{"studentUniqueId": st.StudentUniqueID},
			"studentIdentificationCodes": ids}})
		if err != nil {
			t.Fatal(err)
		}
		fsys["posted/studentEducationOrganizationAssociations.json"] = &fstest.MapFile{Data: seoa}
	}
	return fsys
}

// TestImportStudentAsImport: ImportStudent gives the submission Import gives for the same
// student written as files, and refuses what Import refuses, naming the file and field.
func TestImportStudentAsImport(t *testing.T) {
	now := time.Date(2024, 6, 30, 12, 0, 0, 0, time.UTC)
	opt := backpack.ImportOptions{LEA: "255901", Submitted: "2024-06-30", Now: func() time.Time { return now }}
	lisa := backpack.StudentResource{StudentUniqueID: "604822", FirstName: "Lisa", MiddleName: "Sybil", LastSurname: "Woods",
		GenerationCodeSuffix: "Jr", BirthDate: "2008-09-13T00:00:00", BirthSexDescriptor: "uri://ed-fi.org/SexDescriptor#Female"}
	state := backpack.StudentIdentificationCode{SystemDescriptor: "uri://ed-fi.org/StudentIdentificationSystemDescriptor#State", Code: "1000-604-822"}
	local := backpack.StudentIdentificationCode{SystemDescriptor: "uri://ed-fi.org/StudentIdentificationSystemDescriptor#Local", AssigningOrg: "255901", Code: "822"}
	with := func(f func(*backpack.StudentResource)) backpack.StudentResource { s := lisa; f(&s); return s }
	for _, c := range []struct {
		name    string
		student backpack.StudentResource
		codes   []backpack.StudentIdentificationCode
		wantErr string // "" when the student is taken
	}{
		{"names, birth date and sex", lisa, nil, ""},
		{"and identification codes", lisa, []backpack.StudentIdentificationCode{local, state}, ""},
		{"no sex", with(func(s *backpack.StudentResource) { s.BirthSexDescriptor = "" }), nil, ""},
		{"impossible date", with(func(s *backpack.StudentResource) { s.BirthDate = "2008-13-45" }), nil,
			`backpack: posted/students.json[0]: birthDate: "2008-13-45" is not a real date or time`},
		{"future date", with(func(s *backpack.StudentResource) { s.BirthDate = "2030-01-01" }), nil, "birthDate: \"2030-01-01\" is in the future"},
		{"sex not Ed-Fi's", with(func(s *backpack.StudentResource) { s.BirthSexDescriptor = "uri://ed-fi.org/SexDescriptor#F" }), nil,
			`birthSexDescriptor: "uri://ed-fi.org/SexDescriptor#F" is not one of the code values`},
		{"no unique ID", with(func(s *backpack.StudentResource) { s.StudentUniqueID = "" }), nil, "studentUniqueId: missing"},
		{"an SSID that is not one", lisa, []backpack.StudentIdentificationCode{{SystemDescriptor: state.SystemDescriptor, Code: "0000000000"}},
			"backpack: posted/studentEducationOrganizationAssociations.json[0]: studentIdentificationCodes[0].identificationCode: "},
		{"a system that is no descriptor", lisa, []backpack.StudentIdentificationCode{{SystemDescriptor: "State", Code: "1000604822"}},
			`studentIdentificationCodes[0].studentIdentificationSystemDescriptor: "State" is not a descriptor`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := backpack.ImportStudent("posted", opt, c.student, c.codes)
			want, errs := backpack.Import(studentFiles(t, c.student, c.codes), "posted", opt)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, c.wantErr)
				}
				var ie *backpack.ImportError
				if len(errs) != 1 || !errors.As(err, &ie) || !errors.As(errs[0], new(*backpack.ImportError)) ||
					ie.Err.Error() != errs[0].(*backpack.ImportError).Err.Error() {
					t.Errorf("ImportStudent: %v; Import: %v", err, errs)
				}
				return
			}
			if err != nil || len(errs) > 0 {
				t.Fatalf("ImportStudent: %v; Import: %v", err, errs)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ImportStudent differs from Import (-Import +ImportStudent):\n%s", diff)
			}
		})
	}
	if _, err := backpack.ImportStudent("posted", backpack.ImportOptions{Submitted: "2024-06-30"}, lisa, nil); err == nil {
		t.Error("no LEA: no error")
	}
}

// TestImportSmallFileBuffer: a one-student file is read through a buffer of its own size,
// not a 64 KB one.
func TestImportSmallFileBuffer(t *testing.T) {
	fsys := studentFiles(t, backpack.StudentResource{StudentUniqueID: "1", FirstName: "Ann", LastSurname: "Lee", BirthDate: "2010-01-02"}, nil)
	opt := backpack.ImportOptions{LEA: "255901", Submitted: "2024-06-30"}
	const runs = 50
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		if _, errs := backpack.Import(fsys, "posted", opt); len(errs) > 0 {
			t.Fatal(errs)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 32<<10 {
		t.Errorf("importing one small student file allocates %d bytes, want under 32 KB", per)
	}
}
