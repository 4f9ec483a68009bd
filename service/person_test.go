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

// TestPersonTextEncoding: a name that is not valid UTF-8 is refused with 400 naming the
// property and the byte, by create, search and enrollment alike, never kept with the
// byte turned into U+FFFD; so is a lone surrogate escape, which JSON decodes to U+FFFD.
// Zero-width and other invisible format characters (Unicode Cf) are refused as the
// bidirectional marks are, naming the property.
func TestPersonTextEncoding(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	person := func(first, last string) string {
		return `{"firstName":"` + first + `","lastSurname":"` + last + `","birthDate":"2011-02-03"}`
	}
	enrolled := func(first, middle, last string) string {
		b, err := json.Marshal(enrollment("01", "T-9", first, middle, last, "2011-02-03", "Female", ""))
		if err != nil {
			t.Fatal(err)
		}
		return strings.ReplaceAll(string(b), "XFF", "\xff") // json.Marshal would write U+FFFD
	}
	cf := "must not hold invisible formatting characters (zero-width spaces and joiners, soft hyphens, byte order marks: Unicode Cf); got "
	joiner := "must not hold a zero-width joiner or non-joiner ("
	for _, c := range []struct {
		name, path, body string
		want             string // the message's start, after a 400
	}{
		{"create: 0xFF in firstName", "/identity/v2/identities", person("A\xff", "Quill"),
			"firstName must be valid UTF-8: byte 0xFF at byte 2 of its text (byte 16 of the request body) is not"},
		{"create: a truncated é in lastSurname", "/identity/v2/identities", person("Ana", "Quill\xc3"),
			"lastSurname must be valid UTF-8: byte 0xC3 at byte 6 of its text"},
		{"create: a lone surrogate", "/identity/v2/identities", person(`A\udcff`, "Quill"),
			"identity: firstName must not hold the replacement character"},
		{"search: 0xFF in the second request", "/identity/v2/search", "[" + person("Ana", "Quill") + ",\n" + person("Ana", "Q\xffuill") + "]",
			"search takes a JSON array of identity search requests: [1].lastSurname must be valid UTF-8: byte 0xFF at byte 2 of its text (byte 105 of the request body) is not"},
		{"search: one object", "/identity/v2/search", person("A\xfe", "Quill"),
			"search takes a JSON array of identity search requests: firstName must be valid UTF-8: byte 0xFE at byte 2 of its text"},
		{"search: in a property name", "/identity/v2/search", "{\"first\xffName\":\"Ana\"}",
			"search takes a JSON array of identity search requests: a property name must be valid UTF-8: byte 0xFF at byte 6 of its text"},
		{"enrollment: 0xFF in firstName", "/state/v1/enrollments", enrolled("AXFF", "", "Quill"),
			"student.firstName must be valid UTF-8: byte 0xFF at byte 2 of its text"},
		{"create: ZWSP in firstName", "/identity/v2/identities", person("Li\u200bsa", "Quill"), "identity: firstName " + cf + "U+200B at character 3"},
		{"create: ZWNJ", "/identity/v2/identities", person("Li\u200csa", "Quill"), "identity: firstName " + joiner + "U+200C at character 3"},
		{"create: ZWJ", "/identity/v2/identities", person("Li\u200dsa", "Quill"), "identity: firstName " + joiner + "U+200D at character 3"},
		{"create: a word joiner", "/identity/v2/identities", person("Lisa", "Qu\u2060ill"), "identity: lastSurname " + cf + "U+2060"},
		{"search: a BOM", "/identity/v2/search", person("\ufeffLisa", "Quill"), "search request 0: firstName " + cf + "U+FEFF at character 1"},
		{"search: a soft hyphen, escaped", "/identity/v2/search", person(`Li\u00adsa`, "Quill"), "search request 0: firstName " + cf + "U+00AD"},
		{"enrollment: ZWSP in middleName", "/state/v1/enrollments", enrolled("Ana", "J\u200bo", "Quill"), "enrollment: student: middleName " + cf + "U+200B"},
		{"enrollment: a soft hyphen in lastSurname", "/state/v1/enrollments", enrolled("Ana", "", "Qu\u00adill"), "enrollment: student: lastSurname " + cf + "U+00AD"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, msg := rawCall(t, e, e.key("01"), "POST", c.path, c.body)
			if code != http.StatusBadRequest || !strings.HasPrefix(msg, c.want) {
				t.Errorf("%d %q, want 400 %q…", code, clip(msg), c.want)
			}
		})
	}
	// Nothing refused was kept: no student is named A�, Li​sa or Quill with a soft hyphen.
	for _, q := range []service.IdentityRequest{{FirstName: "A", LastSurname: "Quill", BirthDate: "2011-02-03"},
		{FirstName: "Lisa", LastSurname: "Quill", BirthDate: "2011-02-03"}, {FirstName: "Ana", LastSurname: "Quill", BirthDate: "2011-02-03"}} {
		for _, r := range e.search("01", q) {
			if r.Score == 100 {
				t.Errorf("a refused person was kept as %s", r.UniqueID)
			}
		}
	}
}
