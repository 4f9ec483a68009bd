package service_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// FuzzAPIBodies posts any bytes to every call that reads a body: the answer is never a
// server error, and the server goes on answering (no panic, no state broken).
func FuzzAPIBodies(f *testing.F) {
	for _, seed := range []string{
		`[{"firstName":"Lisa","lastSurname":"Woods","birthDate":"2008-09-13"}]`,
		`{"firstName":"Lisa","lastSurname":"Woods","birthDate":"2008-09-13T00:00:00","sexType":"uri://ed-fi.org/SexDescriptor#Female"}`,
		`["S3bbe4117402e", "", "../../etc"]`,
		`{"student":{"studentUniqueId":"F-1","firstName":"A","lastSurname":"B","birthDate":"2010-01-01"},"studentSchoolAssociation":{"studentReference":{"studentUniqueId":"F-1"},"schoolReference":{"schoolId":6001},"entryDate":"2024-08-20"}}`,
		`{"student":{"studentUniqueId":"F-2"},"studentSchoolAssociation":{"studentReference":{"studentUniqueId":"F-3"}}}`,
		`{"same": true}`, `null`, `[]`, `{}`, `[null]`, `"x"`, ``, `{"firstName":1}`, "\xff\xfe",
		`[{"firstName":"A","lastSurname":"B","birthDate":"0000-00-00"}]`,
		`[{"firstName":"A","lastSurname":"B","birthDate":"2010-02-30","identificationCodes":[{"studentIdentificationSystemDescriptor":"State","identificationCode":"abc"}]}]`,
	} {
		f.Add([]byte(seed))
	}
	e := newEnv(f, sqliteDB(f))
	paths := []string{"/identity/v2/search", "/identity/v2/find", "/identity/v2/identities", "/state/v1/enrollments"}
	key := e.key("06")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, p := range paths {
			req, _ := http.NewRequest("POST", e.http.URL+p, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+key)
			resp, err := e.http.Client().Do(req)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Errorf("%s with %q: %d %s", p, body, resp.StatusCode, msg)
			}
		}
	})
}
