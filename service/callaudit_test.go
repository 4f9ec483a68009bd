package service_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/service"
)

// rawCall makes an API call with a raw body and returns the status, the Content-Type
// and the error message of the answer.
func rawCall(t *testing.T, e *env, key, method, path, body string) (int, string, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, e.http.URL+path, rd)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct {
		Message string `json:"message"`
	}
	json.Unmarshal(raw, &out)
	return resp.StatusCode, resp.Header.Get("Content-Type"), out.Message
}

// audited is what a test checks of an audit entry.
type audited struct{ Action, Actor string }

// TestRefusedCallsAudited: an API call refused for want of a key, for the wrong key, or
// for a body that does not fit is in the audit chain, committed before its answer, with
// its status, who made it (never the key itself), its path and what it asked for; the
// chain still verifies.
func TestRefusedCallsAudited(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	lea := e.key("255902")
	reviewers := `api key "state reviewers" (state reviewers)`
	leaActor := `api key "SIS of LEA 255902" (LEA 255902)`
	tooMany := make([]string, 1001)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("S-%d", i)
	}
	many, _ := json.Marshal(tooMany)
	lisaBody := `[{"firstName":"Lisa","lastSurname":"Woods","birthDate":"2008-09-13"}]`
	for _, c := range []struct {
		name, key, method, path, body string
		status                        int
		want                          audited
		note                          []string // what the note must say
	}{
		{"no key", "", "POST", "/identity/v2/search", lisaBody, 401,
			audited{"identity", "no API key from 127.0.0.1"}, []string{"POST /identity/v2/search answered 401", "an API key is needed"}},
		{"unknown key", "slk_not-a-key", "POST", "/identity/v2/find", `["S1"]`, 401,
			audited{"identity", "unknown API key from 127.0.0.1"}, []string{"answered 401", "not recognised"}},
		{"reviewers' key for an LEA's call", e.key(""), "POST", "/identity/v2/search", lisaBody, 403,
			audited{"identity", reviewers}, []string{"answered 403"}},
		{"an LEA's key for the reviewers' call", lea, "GET", "/state/v1/reviews", "", 403,
			audited{"review", leaActor}, []string{"GET /state/v1/reviews answered 403"}},
		{"malformed JSON", lea, "POST", "/identity/v2/search", `[{"firstName":`, 400,
			audited{"identity", leaActor}, []string{"answered 400", "not JSON"}},
		{"missing fields", lea, "POST", "/identity/v2/search", `[{"firstName":"Lisa"}]`, 400,
			audited{"identity", leaActor}, []string{"answered 400", "lastSurname is required"}},
		{"empty batch", lea, "POST", "/identity/v2/find", `[]`, 400,
			audited{"identity", leaActor}, []string{"answered 400", "asked for 0 ID(s)", "1 to 1000 requests"}},
		{"batch over 1,000", lea, "POST", "/identity/v2/find", string(many), 400,
			audited{"identity", leaActor}, []string{"asked for 1001 ID(s): \"S-0\", \"S-1\"", "and 951 more", "got 1001"}},
		{"body too large", lea, "POST", "/identity/v2/identities", `{"firstName":"` + strings.Repeat("a", 5<<20) + `"}`, 413,
			audited{"identity", leaActor}, []string{"answered 413", "larger than"}},
		{"unknown enrollment", lea, "GET", "/state/v1/enrollments/E-none", "", 404,
			audited{"enroll", leaActor}, []string{"GET /state/v1/enrollments/E-none answered 404"}},
		{"unknown API path", lea, "GET", "/identity/v2/nothing", "", 404,
			audited{"identity", leaActor}, []string{"GET /identity/v2/nothing answered 404"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(e.audit())
			status, _, msg := rawCall(t, e, c.key, c.method, c.path, c.body)
			if status != c.status {
				t.Fatalf("status %d %q, want %d", status, msg, c.status)
			}
			after := e.audit()[before:] // verified
			if len(after) != 1 {
				t.Fatalf("%d audit entries for the call, want 1: %+v", len(after), after)
			}
			if diff := cmp.Diff(c.want, audited{after[0].Action, after[0].Actor}); diff != "" {
				t.Errorf("entry (-want +got):\n%s", diff)
			}
			for _, w := range c.note {
				if !strings.Contains(after[0].Note, w) {
					t.Errorf("note %q lacks %q", after[0].Note, w)
				}
			}
			if c.key != "" && strings.Contains(after[0].Note+after[0].Actor, c.key) {
				t.Errorf("the entry names the key: %+v", after[0])
			}
			if len(after[0].Note) > 2000 {
				t.Errorf("the note quotes %d bytes", len(after[0].Note))
			}
		})
	}
}

// TestFindAuditNamesAskedIDs: a find's entry names the IDs asked for, found or not, as
// well as the students answered.
func TestFindAuditNamesAskedIDs(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	lisaID := e.studentOf(lisa)
	before := len(e.audit())
	var got service.SearchResponse
	if code, _ := e.call(e.key("255902"), "POST", "/identity/v2/find", []string{lisaID, "S-unknown"}, &got); code != http.StatusOK {
		t.Fatalf("find: %d", code)
	}
	after := entriesOf(e.audit()[before:], "identity", "")
	if len(after) != 1 {
		t.Fatalf("%d identity entries, want 1: %+v", len(after), after)
	}
	for _, w := range []string{fmt.Sprintf("2 ID(s): %q, \"S-unknown\"", lisaID), "answered with " + lisaID} {
		if !strings.Contains(after[0].Note, w) {
			t.Errorf("note %q lacks %q", after[0].Note, w)
		}
	}
}

// TestRefusedPagesAudited: a page refused to a visitor or a signed-in account — a form
// without its CSRF token, a guardian asking for another family's child, staff of another
// LEA or with view only deciding a request — is in the audit chain with who was refused;
// the chain still verifies.
func TestRefusedPagesAudited(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	guardian := e.visitor(t)
	guardian.signIn("guardian.woods", e.password("guardian.woods"))
	tok := guardian.token("/guardian")
	if code, _ := guardian.post("/guardian/requests", url.Values{"csrf": {tok}, "ssid": {lisaSSID}}); code != http.StatusOK {
		t.Fatalf("the guardian's request: %d", code)
	}
	id := e.srv.PendingRequests("255902")[0].ID
	other := e.visitor(t)
	other.signIn("registrar.255901", e.password("registrar.255901"))
	teacher := e.visitor(t)
	teacher.signIn("teacher.255902", e.password("teacher.255902"))
	staff := e.visitor(t)
	staff.signIn("registrar.255902", e.password("registrar.255902"))

	for _, c := range []struct {
		name   string
		do     func() int
		status int
		want   audited
		note   string
	}{
		{"no CSRF token", func() int { c, _ := staff.post("/staff/requests/"+id+"/approve", url.Values{}); return c }, 403,
			audited{"access", "registrar.255902"}, "POST /staff/requests/" + id + "/approve answered 403: Refused: the form is stale"},
		{"another family's child", func() int {
			c, _ := guardian.post("/guardian/requests", url.Values{"csrf": {tok}, "ssid": {"1000604906"}})
			return c
		}, 403, audited{"access", "guardian.woods"}, "POST /guardian/requests answered 403"},
		{"staff of another LEA approving", func() int {
			c, _ := other.post("/staff/requests/"+id+"/approve", url.Values{"csrf": {other.token("/staff")}})
			return c
		}, 403, audited{"access", "registrar.255901"}, "answered 403: Refused"},
		{"view-only staff approving", func() int {
			c, _ := teacher.post("/staff/requests/"+id+"/approve", url.Values{"csrf": {teacher.token("/staff")}})
			return c
		}, 403, audited{"access", "teacher.255902"}, "answered 403"},
		{"staff of another LEA viewing", func() int {
			c, _ := other.get("/staff/students/" + e.studentOf(service.IdentityRequest{FirstName: "Logan", LastSurname: "Stewart", BirthDate: "2005-12-28"}))
			return c
		},
			403, audited{"access", "registrar.255901"}, "answered 403"},
		{"a guardian on a staff page", func() int { c, _ := guardian.get("/staff"); return c }, 403,
			audited{"access", "guardian.woods"}, "GET /staff answered 403"},
		{"a forged sign-in form", func() int {
			c, _ := e.visitor(t).post("/signin", url.Values{"csrf": {"forged"}, "username": {"registrar.255902"}})
			return c
		}, 403, audited{"access", "sign-in form from 127.0.0.1"}, "POST /signin answered 403"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(e.audit())
			if got := c.do(); got != c.status {
				t.Fatalf("status %d, want %d", got, c.status)
			}
			after := e.audit()[before:]
			i := len(after) - 1
			if i < 0 {
				t.Fatal("no audit entry")
			}
			if diff := cmp.Diff(c.want, audited{after[i].Action, after[i].Actor}); diff != "" {
				t.Errorf("entry (-want +got):\n%s", diff)
			}
			if !strings.Contains(after[i].Note, c.note) {
				t.Errorf("note %q lacks %q", after[i].Note, c.note)
			}
		})
	}
	if n := len(e.srv.PendingRequests("255902")); n != 1 {
		t.Errorf("%d pending requests after the refusals, want 1", n)
	}
	e.restart() // the chain, refusals and all, verifies at start
	if got := e.audit(); len(got) == 0 || got[len(got)-1].Action == "" {
		t.Errorf("the chain after a restart: %d entries", len(got))
	}
}
