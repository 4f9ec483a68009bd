package service_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/studentlink/studentlink/service"
)

// visitor is a person using the pages through an HTTP client with cookies.
type visitor struct {
	t      *testing.T
	e      *env
	client *http.Client
}

func (e *env) visitor(t *testing.T) *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{t: t, e: e, client: &http.Client{Jar: jar}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get loads a page and returns its status and body.
func (u *visitor) get(path string) (int, string) {
	u.t.Helper()
	resp, err := u.client.Get(u.e.http.URL + path)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post submits a form and returns the status and body of the page it ends on.
func (u *visitor) post(path string, form url.Values) (int, string) {
	u.t.Helper()
	resp, err := u.client.PostForm(u.e.http.URL+path, form)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// token returns the CSRF token of a page.
func (u *visitor) token(path string) string {
	u.t.Helper()
	_, body := u.get(path)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		u.t.Fatalf("no CSRF token on %s", path)
	}
	return m[1]
}

func (u *visitor) signIn(name, password string) (int, string) {
	return u.post("/signin", url.Values{"csrf": {u.token("/signin")}, "username": {name}, "password": {password}})
}

// TestPagesAuth: sign-in, sessions, CSRF, roles, permissions and LEA scope on the pages.
func TestPagesAuth(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	lisaID := e.studentOf(lisa)

	anon := e.visitor(t)
	if code, body := anon.get("/staff"); code != http.StatusOK || !strings.Contains(body, `action="/signin"`) {
		t.Errorf("a page without a session: %d, want the sign-in form", code)
	}
	if code, _ := anon.signIn("registrar.255902", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("a wrong password: %d", code)
	}
	if code, _ := anon.signIn("nobody", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("an unknown user: %d", code)
	}
	// The sign-in form's token must match its cookie.
	if code, _ := e.visitor(t).post("/signin", url.Values{"csrf": {"forged"}, "username": {"registrar.255902"}, "password": {e.password("registrar.255902")}}); code != http.StatusForbidden {
		t.Errorf("sign-in without the form's token: %d", code)
	}

	staff := e.visitor(t)
	if code, _ := staff.signIn("registrar.255902", e.password("registrar.255902")); code != http.StatusOK {
		t.Fatalf("signing in: %d", code)
	}
	if code, body := staff.get("/staff?q=woods"); code != http.StatusOK || !strings.Contains(body, lisaID) {
		t.Errorf("the staff search for woods: %d, Lisa (%s) missing", code, lisaID)
	}
	if code, body := staff.get("/staff/requests"); code != http.StatusOK || !strings.Contains(body, "No records found") {
		t.Errorf("the empty requests page: %d %q", code, body)
	}
	// Another role's page, a POST without the token, a stranger's student.
	if code, _ := staff.get("/guardian"); code != http.StatusForbidden {
		t.Errorf("staff on the guardian page: %d", code)
	}
	if code, _ := staff.get("/review"); code != http.StatusForbidden {
		t.Errorf("staff on the review queue: %d", code)
	}
	if code, _ := staff.post("/staff/requests/R000001/approve", url.Values{}); code != http.StatusForbidden {
		t.Errorf("a POST without the CSRF token: %d", code)
	}
	var other string
	{
		var rs service.SearchResponse
		e.call(e.key("01"), "POST", "/identity/v2/search", []service.IdentityRequest{{FirstName: "Logan", LastSurname: "Stewart", BirthDate: "2005-12-28"}}, &rs)
		if len(rs.SearchResponses[0].Responses) == 0 {
			t.Fatal("the roll's Logan Stewart is not found")
		}
		other = rs.SearchResponses[0].Responses[0].UniqueID // a student of LEA 05 only
	}
	if code, body := staff.get("/staff/students/" + other); code != http.StatusForbidden || !strings.Contains(body, "Refused") {
		t.Errorf("staff of 255902 opening a student of LEA 05: %d", code)
	}
	if code, body := staff.get("/staff/students/S-does-not-exist"); code != http.StatusForbidden || !strings.Contains(body, "Refused") {
		t.Errorf("an unknown student is refused like another LEA's: %d", code)
	}
	if code, body := staff.get("/staff/students/" + lisaID + "/grades"); code != http.StatusOK || !strings.Contains(body, "ALG-1") || !strings.Contains(body, "source") {
		t.Errorf("Lisa's grades: %d", code)
	}

	// A guardian may ask only for their own children.
	guardian := e.visitor(t)
	guardian.signIn("guardian.woods", e.password("guardian.woods"))
	tok := guardian.token("/guardian")
	if code, _ := guardian.post("/guardian/requests", url.Values{"csrf": {tok}, "ssid": {"1000604906"}}); code != http.StatusForbidden {
		t.Errorf("a guardian asking for another family's child: %d", code)
	}
	if code, _ := guardian.post("/guardian/requests", url.Values{"csrf": {tok}, "ssid": {lisaSSID}}); code != http.StatusOK {
		t.Errorf("the guardian's request: %d", code)
	}
	if code, _ := guardian.post("/guardian/requests", url.Values{"csrf": {tok}, "ssid": {lisaSSID}}); code != http.StatusOK {
		t.Errorf("pressing the button twice: %d", code)
	}
	if n := len(e.srv.PendingRequests("255902")); n != 1 {
		t.Errorf("%d pending requests after pressing twice, want 1", n)
	}
	// Rejecting needs a reason; the view-only teacher cannot decide at all.
	id := e.srv.PendingRequests("255902")[0].ID
	teacher := e.visitor(t)
	teacher.signIn("teacher.255902", e.password("teacher.255902"))
	if code, _ := teacher.post("/staff/requests/"+id+"/approve", url.Values{"csrf": {teacher.token("/staff")}}); code != http.StatusForbidden {
		t.Errorf("view-only staff approving: %d", code)
	}
	stok := staff.token("/staff/requests")
	if code, _ := staff.post("/staff/requests/"+id+"/reject", url.Values{"csrf": {stok}}); code != http.StatusConflict {
		t.Errorf("a rejection without a reason: %d", code)
	}
	if code, _ := staff.post("/staff/requests/"+id+"/reject", url.Values{"csrf": {stok}, "reason": {"Please ask at the front office."}}); code != http.StatusOK {
		t.Errorf("rejecting: %d", code)
	}
	if _, body := guardian.get("/guardian"); !strings.Contains(body, "Rejected") || !strings.Contains(body, "front office") || !strings.Contains(body, "Retrieve Backpack File") {
		t.Errorf("the guardian's page after a rejection lacks the reason or the Retrieve button")
	}

	// Signing out ends the session.
	staff.post("/signout", url.Values{"csrf": {staff.token("/staff")}})
	if _, body := staff.get("/staff"); !strings.Contains(body, `action="/signin"`) {
		t.Error("the session outlived signing out")
	}
}

// TestReviewPages: the queue lists the run's pairs; a pair shows both records side by
// side with the model's explanation; the decision form records it.
func TestReviewPages(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	r := e.visitor(t)
	r.signIn("reviewer", e.password("reviewer"))
	code, body := r.get("/review")
	ids := regexp.MustCompile(`href="/review/(V\d+)"`).FindAllStringSubmatch(body, -1)
	if code != http.StatusOK || len(ids) == 0 {
		t.Fatalf("the queue: %d with %d items", code, len(ids))
	}
	id := ids[0][1]
	code, body = r.get("/review/" + id)
	for _, want := range []string{"Record A", "Record B", "first_name", "birth_date", "prior", "match weight", "Same student", "Different students"} {
		if !strings.Contains(body, want) {
			t.Errorf("review %s lacks %q", id, want)
		}
	}
	if code != http.StatusOK {
		t.Fatalf("review %s: %d", id, code)
	}
	tok := csrfField.FindStringSubmatch(body)[1]
	if code, _ := r.post("/review/"+id, url.Values{"csrf": {tok}, "decision": {"different"}}); code != http.StatusOK {
		t.Errorf("deciding: %d", code)
	}
	if _, body := r.get("/review"); strings.Contains(body, `href="/review/`+id+`"`) {
		t.Error("the decided pair is still queued")
	}
	if _, body := r.get("/review/" + id); !strings.Contains(body, "Decided <strong>different</strong> by reviewer") {
		t.Error("the decided pair does not say so")
	}
	if code, _ := r.post("/review/"+id, url.Values{"csrf": {tok}, "decision": {"same"}}); code != http.StatusConflict {
		t.Errorf("deciding twice: %d", code)
	}
}

// TestPasswordHash: passwords are stored salted with PBKDF2 at the production count, and
// only the right password matches.
func TestPasswordHash(t *testing.T) {
	if productionIterations < 600_000 {
		t.Errorf("production PBKDF2 iterations %d, want at least 600,000", productionIterations)
	}
	service.SetPasswordIterations(productionIterations)
	defer service.SetPasswordIterations(1000)
	a, err := service.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := service.HashPassword("correct horse")
	if a == b || !strings.HasPrefix(a, "pbkdf2-sha256$600000$") {
		t.Errorf("hashes %q and %q: want distinct salts at 600,000 iterations", a, b)
	}
	for _, c := range []struct {
		stored, password string
		want             bool
	}{
		{a, "correct horse", true},
		{a, "correct horse ", false},
		{a, "", false},
		{"", "", false},
		{"pbkdf2-sha256$0$AAAA$AAAA", "x", false},
		{"md5$1$x$y", "x", false},
		{strings.Replace(a, "$600000$", "$1$", 1), "correct horse", false},
	} {
		if got := service.CheckPassword(c.stored, c.password); got != c.want {
			t.Errorf("CheckPassword(%q, %q) = %v", c.stored, c.password, got)
		}
	}
}
