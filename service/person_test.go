package service_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/studentlink/studentlink/service"
)

// TestPersonText: a person's text is refused with 400 naming the property, alike by
// create, search and enrollment, when a name is longer than Ed-Fi's 75 characters or
// any property holds a control character or a bidirectional formatting character;
// 75 characters, counted as characters and not bytes, are accepted.
func TestPersonText(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	person := func(first, last string) map[string]any {
		return map[string]any{"firstName": first, "lastSurname": last, "birthDate": "2011-02-03"}
	}
	marshal := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	enrolled := func(first, last string) string {
		return marshal(enrollment("01", "T-1", first, "", last, "2011-02-03", "Female", ""))
	}
	long := strings.Repeat("A", 300_000)
	state := "uri://ed-fi.org/StudentIdentificationSystemDescriptor#State"
	withCode := person("Ana", "Quill")
	withCode["identificationCodes"] = []map[string]string{{"studentIdentificationSystemDescriptor": state, "identificationCode": strings.Repeat("1", 61)}}
	withMiddle := person("Ana", "Quill")
	withMiddle["middleName"] = "Jo\u200f"
	withPlace := person("Ana", "Quill")
	withPlace["birthLocation"] = map[string]string{"city": "Provo\n"}
	for _, c := range []struct {
		name, path, body string
		status           int
		want             string // the message's start; "" for an accepted call
	}{
		{"create: a 300,000-character firstName", "/identity/v2/identities", marshal(person(long, "Quill")), http.StatusBadRequest,
			"identity: firstName must be at most 75 characters; got 300000"},
		{"create: NUL and RLO in lastSurname", "/identity/v2/identities", `{"firstName":"Ana","lastSurname":"Ctl\u0000\u202e","birthDate":"2011-02-03"}`, http.StatusBadRequest,
			`identity: lastSurname must not hold control or bidirectional formatting characters; got U+0000 at character 4 of "Ctl\x00\u202e"`},
		{"create: RLO alone", "/identity/v2/identities", marshal(person("Ana", "Quill\u202e")), http.StatusBadRequest,
			"identity: lastSurname must not hold control or bidirectional formatting characters; got U+202E"},
		{"create: an isolate", "/identity/v2/identities", marshal(person("An\u2066a", "Quill")), http.StatusBadRequest,
			"identity: firstName must not hold control or bidirectional formatting characters; got U+2066"},
		{"create: RLM in middleName", "/identity/v2/identities", marshal(withMiddle), http.StatusBadRequest,
			"identity: middleName must not hold control or bidirectional formatting characters; got U+200F"},
		{"create: a newline in birthLocation.city", "/identity/v2/identities", marshal(withPlace), http.StatusBadRequest,
			"identity: birthLocation.city must not hold control or bidirectional formatting characters; got U+000A"},
		{"create: a 61-character identificationCode", "/identity/v2/identities", marshal(withCode), http.StatusBadRequest,
			"identity: identificationCodes[0].identificationCode must be at most 60 characters; got 61"},
		{"create: 75 two-byte characters", "/identity/v2/identities", marshal(person(strings.Repeat("é", 75), "Quill")), http.StatusCreated, ""},
		{"search: a 76-character firstName", "/identity/v2/search", "[" + marshal(person("Ana", "Quill")) + "," + marshal(person(strings.Repeat("B", 76), "Quill")) + "]", http.StatusBadRequest,
			"search request 1: firstName must be at most 75 characters; got 76"},
		{"search: NUL in lastSurname", "/identity/v2/search", `{"firstName":"Ana","lastSurname":"Qu\u0000ill","birthDate":"2011-02-03"}`, http.StatusBadRequest,
			"search request 0: lastSurname must not hold control or bidirectional formatting characters; got U+0000"},
		{"enrollment: a 300,000-character firstName", "/state/v1/enrollments", enrolled(long, "Quill"), http.StatusBadRequest,
			"enrollment: student: firstName must be at most 75 characters; got 300000"},
		{"enrollment: NUL and RLO in lastSurname", "/state/v1/enrollments", enrolled("Ana", "Ctl\x00\u202e"), http.StatusBadRequest,
			"enrollment: student: lastSurname must not hold control or bidirectional formatting characters; got U+0000"},
		{"enrollment: LRM in firstName", "/state/v1/enrollments", enrolled("Ana\u200e", "Quill"), http.StatusBadRequest,
			"enrollment: student: firstName must not hold control or bidirectional formatting characters; got U+200E"},
		{"enrollment: a 61-character SSID", "/state/v1/enrollments", marshal(enrollment("01", "T-2", "Ana", "", "Quill", "2011-02-03", "Female", strings.Repeat("1", 61))), http.StatusBadRequest,
			"enrollment: studentEducationOrganizationAssociation: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, msg := rawCall(t, e, e.key("01"), "POST", c.path, c.body)
			if code != c.status || !strings.HasPrefix(msg, c.want) {
				t.Errorf("%d %q, want %d %q…", code, clip(msg), c.status, c.want)
			}
		})
	}
	// Nothing refused was kept: no student carries the long name or the override.
	for _, q := range []service.IdentityRequest{{FirstName: long[:75], LastSurname: "Quill", BirthDate: "2011-02-03"},
		{FirstName: "Ana", LastSurname: "Ctl", BirthDate: "2011-02-03"}} {
		for _, r := range e.search("01", q) {
			if r.Score == 100 {
				t.Errorf("a refused person was kept as %s", r.UniqueID)
			}
		}
	}
}

// clip shortens a message for a test's report.
func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
