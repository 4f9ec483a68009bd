package service

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/normalize"
)

// viaFiles reads an identity request as the search read it before it had a direct path:
// the request written as Ed-Fi resource files, imported by backpack.Import, written as
// the student CSV and read by a Roll of the linker's settings.
func viaFiles(s *Server, lea string, q IdentityRequest) (normalize.Record, error) {
	if err := identityRequired(q); err != nil {
		return normalize.Record{}, err
	}
	res, err := identityResource("search", q)
	if err != nil {
		return normalize.Record{}, err
	}
	sub, err := importResources(lea, s.now().Format("2006-01-02"), res)
	if err != nil {
		return normalize.Record{}, err
	}
	var buf bytes.Buffer
	if err := backpack.WriteStudentCSV(&buf, sub); err != nil {
		return normalize.Record{}, err
	}
	roll, err := s.linker.Settings().NewRoll()
	if err != nil {
		return normalize.Record{}, err
	}
	if err := roll.ReadCSV("query", &buf); err != nil {
		return normalize.Record{}, err
	}
	return roll.Record(0), nil
}

// FuzzIdentityRecord: a search request becomes the record the files would have made of
// it, and is refused when they would have refused it; a refusal names the request's
// field.
func FuzzIdentityRecord(f *testing.F) {
	for _, q := range []IdentityRequest{
		{FirstName: "Lisa", MiddleName: "Sybil", LastSurname: "Woods", BirthDate: "2008-09-13", SexType: "Female"},
		{FirstName: " Lisa ", LastSurname: "Woods\t", GenerationCodeSuffix: "Jr", BirthDate: "2008-09-13T00:00:00", SexType: "uri://ed-fi.org/SexDescriptor#Female"},
		{FirstName: "O'Brien, \"Jr\"", LastSurname: "Núñez\nGarcía", BirthDate: "2010-02-28", SexType: "Male",
			IdentificationCodes: []IdentificationCode{{System: "uri://ed-fi.org/StudentIdentificationSystemDescriptor#State", Code: "1000604822"}}},
		{FirstName: "A", LastSurname: "B", BirthDate: "2010-02-30"},
		{FirstName: "A", LastSurname: "B", BirthDate: "0000-00-00"},
		{FirstName: "A", LastSurname: "B", BirthDate: "2010-01-01", SexType: "F"},
		{FirstName: "A", LastSurname: "B", BirthDate: "2010-01-01",
			IdentificationCodes: []IdentificationCode{{System: "uri://ed-fi.org/StudentIdentificationSystemDescriptor#State", Code: "abc"}}},
		{FirstName: "A", LastSurname: "B", BirthDate: "2010-01-01", IdentificationCodes: []IdentificationCode{{System: "State", Code: "1000604822"}}},
		{FirstName: "A", LastSurname: " ", BirthDate: "2010-01-01"},
	} {
		var sys, code string
		if len(q.IdentificationCodes) > 0 {
			sys, code = q.IdentificationCodes[0].System, q.IdentificationCodes[0].Code
		}
		f.Add(q.FirstName, q.MiddleName, q.LastSurname, q.GenerationCodeSuffix, q.BirthDate, q.SexType, sys, code)
	}
	s, err := Open(context.Background(), Config{DB: filepath.Join(f.TempDir(), "s.db"), Seed: SampleSeed, AuditKey: []byte("the identity record test's audit key")})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	f.Fuzz(func(t *testing.T, first, middle, last, suffix, birth, sex, sys, code string) {
		q := IdentityRequest{FirstName: first, MiddleName: middle, LastSurname: last, GenerationCodeSuffix: suffix, BirthDate: birth, SexType: sex}
		if sys != "" || code != "" {
			q.IdentificationCodes = []IdentificationCode{{System: sys, Code: code}}
		}
		// The request as the API gets it: decoded from JSON (which makes any string UTF-8).
		body, err := json.Marshal(q)
		if err != nil {
			t.Fatal(err)
		}
		q = IdentityRequest{}
		if err := json.Unmarshal(body, &q); err != nil {
			t.Fatal(err)
		}
		want, wantErr := viaFiles(s, "255902", q)
		got, err := s.identityRecord("255902", q)
		switch {
		case (err == nil) != (wantErr == nil):
			t.Fatalf("%+v: direct path error %v, through files %v", q, err, wantErr)
		case err != nil:
			// The direct path names the request's field; the files named theirs.
			field, _, _ := strings.Cut(err.Error(), ":")
			field = strings.TrimPrefix(field, "identification")
			if field == "sexType" { // what the Student resource calls birthSexDescriptor
				field = "birthSexDescriptor"
			}
			if !strings.Contains(wantErr.Error(), field) || strings.Contains(err.Error(), "backpack:") {
				t.Errorf("%+v: error %q, through files %q", q, err, wantErr)
			}
		default:
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%+v: the direct path's record differs (-files +direct):\n%s", q, diff)
			}
		}
	})
}
