package service_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/studentlink/studentlink/service"
)

// TestAPIAnswers: refusals answer with the status that says what went wrong and a
// message in the caller's terms — the request's property names, never a Go type, a
// package or a file the service read the request as.
func TestAPIAnswers(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	lea, reviewers := e.key("255902"), e.key("")
	student := func(raw string) string {
		req := enrollment("255902", "M-1", "Ana", "", "Garcia", "2012-03-04", "Female", "")
		return `{"student":` + raw + `,"studentSchoolAssociation":` + string(req.StudentSchoolAssociation) + `}`
	}
	huge := `[{"firstName":"` + strings.Repeat("a", 5<<20) + `"}]`
	for _, c := range []struct {
		name, key, method, path, body string
		status                        int
		want                          string // the message starts with it
	}{
		{"a body over the limit: search", lea, "POST", "/identity/v2/search", huge, 413, "search takes a JSON array of identity search requests: the request body is larger than the 4 MiB"},
		{"a body over the limit: find", lea, "POST", "/identity/v2/find", huge, 413, "find takes a JSON array of student IDs: the request body is larger"},
		{"a body over the limit: enrollment", lea, "POST", "/state/v1/enrollments", huge, 413, "the request body is larger"},
		{"no key", "", "GET", "/identity/v2/identities/S1", "", 401, "an API key is needed"},
		{"an unknown key", "slk_forged", "GET", "/identity/v2/identities/S1", "", 401, "the API key is not recognised"},
		{"an unknown identity path", lea, "GET", "/identity/v2/students", "", 404, "no API call GET /identity/v2/students"},
		{"an unknown state path", lea, "POST", "/state/v1/nothing", "{}", 404, "no API call POST /state/v1/nothing"},
		{"a call's path with another method", lea, "GET", "/identity/v2/find", "", 405, "GET /identity/v2/find: this call takes POST"},
		{"an identity with an unknown sex", lea, "POST", "/identity/v2/identities", `{"firstName":"A","lastSurname":"B","birthDate":"2010-01-01","sexType":"Purple"}`, 400,
			`identity: sexType: "uri://ed-fi.org/SexDescriptor#Purple" is not one of the code values`},
		{"an identity as an array", lea, "POST", "/identity/v2/identities", `[{"firstName":"A"}]`, 400, "the request body must be an object, not a JSON array"},
		{"find with an object", lea, "POST", "/identity/v2/find", `{"ids":["S1"]}`, 400, "find takes a JSON array of student IDs: the request body must be an array, not a JSON object"},
		{"find with a number", lea, "POST", "/identity/v2/find", `["S1", 5]`, 400, "find takes a JSON array of student IDs: each element of the request body must be a string, not a JSON number"},
		{"a birth date with garbage after it", lea, "POST", "/identity/v2/search", `[{"firstName":"Lisa","lastSurname":"Woods","birthDate":"2008-09-13Tgarbage"}]`, 400,
			`search request 0: birthDate must be a date (YYYY-MM-DD) or an RFC 3339 date and time`},
		{"a birth date and time of day without a zone", lea, "POST", "/identity/v2/identities", `{"firstName":"A","lastSurname":"B","birthDate":"2010-01-01T08:30:00"}`, 400,
			`identity: birthDate must be a date (YYYY-MM-DD) or an RFC 3339 date and time`},
		{"a sex of another namespace", lea, "POST", "/identity/v2/search", `[{"firstName":"Lisa","lastSurname":"Woods","birthDate":"2008-09-13","sexType":"uri://evil.example#Female"}]`, 400,
			`search request 0: sexType must be a code (Female, Male…) or an Ed-Fi descriptor`},
		{"a student that is a number", lea, "POST", "/state/v1/enrollments", student("5"), 400, "enrollment: student must be an object (an Ed-Fi student), not a JSON number"},
		{"no student", lea, "POST", "/state/v1/enrollments", student("null"), 400, "enrollment: student is required"},
		{"an enrollment with an unknown sex", lea, "POST", "/state/v1/enrollments",
			student(`{"studentUniqueId":"M-1","firstName":"Ana","lastSurname":"Garcia","birthDate":"2012-03-04","birthSexDescriptor":"uri://ed-fi.org/SexDescriptor#Purple"}`), 400,
			`enrollment: student: birthSexDescriptor: "uri://ed-fi.org/SexDescriptor#Purple" is not one of the code values`},
		{"a decision about an unknown record", reviewers, "POST", "/state/v1/decisions", `{"a":"255902/W-22001","b":"nope","same":true}`, 404, `no record "nope"`},
		{"a decision about one record", reviewers, "POST", "/state/v1/decisions", `{"a":"nope","b":"nope","same":true}`, 422, `a decision is about two records; got "nope" twice`},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, ctype, msg := rawCall(t, e, c.key, c.method, c.path, c.body)
			if status != c.status || !strings.HasPrefix(msg, c.want) {
				t.Errorf("%d %q, want %d %q…", status, msg, c.status, c.want)
			}
			if !strings.HasPrefix(ctype, "application/json") {
				t.Errorf("answered in %q, want JSON", ctype)
			}
			for _, leak := range []string{"service.", "backpack", "posted/", "json:", "(<nil>)", "V0"} {
				if strings.Contains(msg, leak) {
					t.Errorf("the message %q says %q", msg, leak)
				}
			}
		})
	}
	// What the checks must still let through.
	for _, q := range []service.IdentityRequest{
		{FirstName: "Lisa", LastSurname: "Woods", BirthDate: "2008-09-13T00:00:00Z", SexType: "Female"},
		{FirstName: "Lisa", LastSurname: "Woods", BirthDate: "2008-09-13T08:30:00.5-05:00", SexType: "uri://ed-fi.org/SexDescriptor#Female"},
		// Midnight without a zone: how Ed-Fi clients commonly send a date.
		{FirstName: "Lisa", LastSurname: "Woods", BirthDate: "2008-09-13T00:00:00", SexType: "Female"},
		{FirstName: "Lisa", LastSurname: "Woods", BirthDate: "2008-09-13T00:00:00.0000000", SexType: "Female"},
	} {
		if rs := e.search("255902", q); len(rs) != 1 || rs[0].FirstName != "Lisa" {
			t.Errorf("%+v: %+v, want Lisa", q, rs)
		}
	}
}

// TestRejectReasonBounded: a rejection's reason over the bound is refused with a message
// that says so (422), and the request stays pending; the form says the bound too.
func TestRejectReasonBounded(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	guardian := e.visitor(t)
	guardian.signIn("guardian.woods", e.password("guardian.woods"))
	guardian.post("/guardian/requests", url.Values{"csrf": {guardian.token("/guardian")}, "ssid": {lisaSSID}})
	id := e.srv.PendingRequests("255902")[0].ID
	staff := e.visitor(t)
	staff.signIn("registrar.255902", e.password("registrar.255902"))
	_, page := staff.get("/staff/requests")
	if !strings.Contains(page, `maxlength="1000"`) {
		t.Error("the reason field does not say its bound")
	}
	code, body := staff.post("/staff/requests/"+id+"/reject", url.Values{"csrf": {staff.token("/staff")}, "reason": {strings.Repeat("x", 2<<20)}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "A reason can be at most 1000 characters; this one has 2097152") {
		t.Errorf("a 2 MB reason: %d %q", code, body[:min(len(body), 2000)])
	}
	if n := len(e.srv.PendingRequests("255902")); n != 1 {
		t.Errorf("%d pending requests, want 1", n)
	}
	if code, _ := staff.post("/staff/requests/"+id+"/reject", url.Values{"csrf": {staff.token("/staff")}, "reason": {strings.Repeat("x", 1000)}}); code != http.StatusOK {
		t.Errorf("a reason of 1000 characters: %d", code)
	}
}
