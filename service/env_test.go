package service_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/service"
)

// env is a server on the embedded sample, reached over HTTP.
type env struct {
	t        testing.TB
	db       string
	auditKey []byte // the audit key, the same at every start
	clk      *clock // the server's time; nil: the real time
	anchor   string // the audit anchor's file, the same at every start
	srv      *service.Server
	http     *httptest.Server
	creds    *service.Credentials
}

// newEnv starts a server on the database, loading the sample when it is empty.
func newEnv(t testing.TB, db string) *env {
	t.Helper()
	return openEnv(t, &env{db: db, auditKey: testKey(), anchor: anchorFile(t)})
}

// anchorFile is where a test keeps its audit anchor.
func anchorFile(t testing.TB) string { return filepath.Join(t.TempDir(), "audit.anchor") }

// newClockedEnv is newEnv with a server that tells the time by clk.
func newClockedEnv(t testing.TB, db string, clk *clock) *env {
	t.Helper()
	return openEnv(t, &env{db: db, auditKey: testKey(), clk: clk, anchor: anchorFile(t)})
}

// testKey is a new audit key.
func testKey() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

// config is the server's configuration in the environment.
func (e *env) config() service.Config {
	cfg := service.Config{DB: e.db, Seed: service.SampleSeed, AuditKey: e.auditKey, AuditAnchor: e.anchor}
	if tt, ok := e.t.(*testing.T); ok {
		cfg.Logf = tt.Logf // a fuzz target may not log through its F
	}
	if e.clk != nil {
		cfg.Now = e.clk.now
	}
	return cfg
}

// openEnv opens a server as e says (its database, keys and clock) and serves it.
func openEnv(t testing.TB, e *env) *env {
	t.Helper()
	e.t = t
	srv, err := service.Open(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	e.srv, e.http, e.creds = srv, httptest.NewServer(srv.Handler()), srv.FirstStart
	t.Cleanup(e.close)
	return e
}

func (e *env) close() {
	if e.http != nil {
		e.http.Close()
		e.srv.Close()
		e.http = nil
	}
}

// restart stops the server and opens the same database again, keeping the secrets.
func (e *env) restart() {
	e.t.Helper()
	creds := e.creds
	e.close()
	next := openEnv(e.t, &env{db: e.db, auditKey: e.auditKey, clk: e.clk, anchor: e.anchor})
	if next.creds != nil {
		e.t.Fatal("a restart loaded the sample again")
	}
	*e = *next
	e.creds = creds
}

// key returns the API key of an LEA ("" for the state's reviewers).
func (e *env) key(lea string) string {
	e.t.Helper()
	for _, k := range e.creds.APIKeys {
		if k.LEA == lea {
			return k.Key
		}
	}
	e.t.Fatalf("no key for LEA %q", lea)
	return ""
}

// password returns an account's password.
func (e *env) password(username string) string {
	e.t.Helper()
	for _, a := range e.creds.Accounts {
		if a.Username == username {
			return a.Password
		}
	}
	e.t.Fatalf("no account %q", username)
	return ""
}

// call makes an API call with a key and a JSON body (nil: none) and decodes the answer
// into out (nil: not decoded). It returns the status and headers.
func (e *env) call(key, method, path string, body, out any) (int, http.Header) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.http.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, raw, err)
		}
	}
	if resp.StatusCode >= 300 {
		e.t.Logf("%s %s → %d %s", method, path, resp.StatusCode, strings.TrimSpace(string(raw)))
	}
	return resp.StatusCode, resp.Header
}

// audit returns the store's audit chain, which must verify.
func (e *env) audit() []backpack.Entry {
	e.t.Helper()
	entries, err := e.srv.Audit(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return entries
}

// entriesOf returns the audit entries of an action about a student.
func entriesOf(entries []backpack.Entry, action, student string) []backpack.Entry {
	var out []backpack.Entry
	for _, x := range entries {
		if x.Action == action && (student == "" || x.StudentID == student) {
			out = append(out, x)
		}
	}
	return out
}

// Sample people (the Ed-Fi sample's Lisa Woods has records at LEAs 255901 and 255902).
const (
	lisaSSID = "1000604822"
)

var lisa = service.IdentityRequest{FirstName: "Lisa", LastSurname: "Woods", BirthDate: "2008-09-13", SexType: "Female"}

// search runs one identity search and returns its responses.
func (e *env) search(lea string, q service.IdentityRequest) []service.IdentityResponse {
	e.t.Helper()
	var out service.SearchResponse
	if code, _ := e.call(e.key(lea), "POST", "/identity/v2/search", []service.IdentityRequest{q}, &out); code != http.StatusOK {
		e.t.Fatalf("search: status %d", code)
	}
	if out.Status != "Complete" || len(out.SearchResponses) != 1 {
		e.t.Fatalf("search: %+v", out)
	}
	return out.SearchResponses[0].Responses
}

// studentOf returns the student ID search gives the person, who must be found.
func (e *env) studentOf(q service.IdentityRequest) string {
	e.t.Helper()
	rs := e.search("255902", q)
	if len(rs) == 0 {
		e.t.Fatalf("%+v: not found", q)
	}
	return rs[0].UniqueID
}

// schoolOf is a school of an LEA of the sample: the roll's LEA 03 has 03001 (Ed-Fi's
// schoolId 3001), the Ed-Fi LEAs their own.
func schoolOf(lea string) int64 {
	switch lea {
	case "255901":
		return 255901107
	case "255902":
		return 255902001
	}
	n, _ := strconv.ParseInt(lea, 10, 64)
	return n*1000 + 1
}

// grades are Ed-Fi's grade levels from Kindergarten (age 5) to Twelfth grade.
var grades = strings.Split("Kindergarten,First grade,Second grade,Third grade,Fourth grade,Fifth grade,Sixth grade,"+
	"Seventh grade,Eighth grade,Ninth grade,Tenth grade,Eleventh grade,Twelfth grade", ",")

// gradeFor is the grade of a student born on birth (YYYY-MM-DD) entering on 2024-08-20,
// as backpack checks it (Twelfth grade past 17; Tenth grade for a date it cannot read).
func gradeFor(birth string) string {
	year, err := strconv.Atoi(birth[:min(4, len(birth))])
	if err != nil {
		return "Tenth grade"
	}
	return grades[max(0, min(len(grades)-1, 2024-year-1-5))]
}

// enrollment is an Ed-Fi enrollment of a student at a school of an LEA.
func enrollment(lea, uid, first, middle, last, birth, sex, ssid string) service.EnrollmentRequest {
	student, _ := json.Marshal(map[string]string{"studentUniqueId": uid, "firstName": first, "middleName": middle, "lastSurname": last, "birthDate": birth})
	ssa, _ := json.Marshal(map[string]any{"studentReference": map[string]string{"studentUniqueId": uid},
		"schoolReference": map[string]int64{"schoolId": schoolOf(lea)}, "entryDate": "2024-08-20",
		"entryGradeLevelDescriptor": "uri://ed-fi.org/GradeLevelDescriptor#" + gradeFor(birth)})
	seoa := map[string]any{"studentReference": map[string]string{"studentUniqueId": uid}, "sexDescriptor": "uri://ed-fi.org/SexDescriptor#" + sex}
	if ssid != "" {
		seoa["studentIdentificationCodes"] = []map[string]string{{
			"studentIdentificationSystemDescriptor":   "uri://ed-fi.org/StudentIdentificationSystemDescriptor#State",
			"assigningOrganizationIdentificationCode": "SEA", "identificationCode": ssid}}
	}
	seoaJSON, _ := json.Marshal(seoa)
	return service.EnrollmentRequest{Student: student, StudentSchoolAssociation: ssa, StudentEducationOrganizationAssociation: seoaJSON}
}

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }

// nearOf returns the first variant that a search places for review against the student:
// the best candidate is the student with a score under 94 (a weight under the upper
// threshold), so that the test holds whatever the model's exact weights.
func (e *env) nearOf(student string, variants ...service.IdentityRequest) service.IdentityRequest {
	e.t.Helper()
	for _, q := range variants {
		rs := e.search("255902", q)
		if len(rs) > 0 && rs[0].UniqueID == student && rs[0].Score >= 50 && rs[0].Score < 94 {
			return q
		}
	}
	e.t.Fatalf("no variant is placed for review against %s", student)
	return service.IdentityRequest{}
}

// lisaNear are records of Lisa Woods with little to go on.
var lisaNear = []service.IdentityRequest{
	{FirstName: "Lis", LastSurname: "Wodos", BirthDate: "2008-09-14", SexType: "Female"},
	{FirstName: "L.", LastSurname: "Woods", BirthDate: "2009-09-13", SexType: "Female"},
	{FirstName: "L.", LastSurname: "Wodos", BirthDate: "2008-09-13", SexType: "Female"},
	{FirstName: "Liza", LastSurname: "Wodos", BirthDate: "2008-09-14", SexType: "Female"},
}
