package service_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestInvalidUTF8PathsAudited: a path holding bytes that are not UTF-8 (%ff, %fe) is
// answered as any unknown ID is (404, or the refusal the caller gets anyway), never 500,
// and every such call is audited, the bytes written escaped (\xff) in the entry's note,
// which the audit log takes only as valid UTF-8. On both stores: PostgreSQL refuses
// such bytes in a query's parameters.
func TestInvalidUTF8PathsAudited(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		e := newEnv(t, db)
		staff, reviewer, guardian := e.visitor(t), e.visitor(t), e.visitor(t)
		for _, v := range []struct {
			who  *visitor
			name string
		}{{staff, "registrar.255902"}, {reviewer, "reviewer"}, {guardian, "guardian.woods"}} {
			if code, _ := v.who.signIn(v.name, e.password(v.name)); code != http.StatusOK {
				t.Fatalf("sign-in of %s: %d", v.name, code)
			}
		}
		staffCSRF, reviewerCSRF, guardianCSRF := staff.token("/staff"), reviewer.token("/review"), guardian.token("/guardian")
		lea, state := e.key("255902"), e.key("")
		for _, c := range []struct {
			name   string
			call   func() int
			status int
			note   string // what an entry's note says, the bytes escaped
		}{
			{"GET identities/%ff%fe", func() int {
				code, _, _ := rawCall(t, e, lea, "GET", "/identity/v2/identities/%ff%fe", "")
				return code
			}, http.StatusNotFound, `get identity \xff\xfe: not found`},
			{"GET results/%ff", func() int { code, _, _ := rawCall(t, e, lea, "GET", "/identity/v2/results/%ff", ""); return code }, http.StatusNotFound, `results of batch \xff: not found`},
			{"GET enrollments/%ff", func() int { code, _, _ := rawCall(t, e, lea, "GET", "/state/v1/enrollments/%ff", ""); return code }, http.StatusNotFound, `GET /state/v1/enrollments/\xff answered 404`},
			{"GET an unknown API path with %ff", func() int { code, _, _ := rawCall(t, e, lea, "GET", "/identity/v2/%ff", ""); return code }, http.StatusNotFound, `GET /identity/v2/\xff answered 404: no API call GET /identity/v2/\xff`},
			{"GET identities/%ff without a key", func() int {
				code, _, _ := rawCall(t, e, "", "GET", "/identity/v2/identities/%ff", "")
				return code
			}, http.StatusUnauthorized, `GET /identity/v2/identities/\xff answered 401`},
			{"POST reviews/%ff/decision", func() int {
				code, _, _ := rawCall(t, e, state, "POST", "/state/v1/reviews/%ff/decision", `{"same": true}`)
				return code
			}, http.StatusNotFound, `POST /state/v1/reviews/\xff/decision answered 404`},
			{"GET /staff/students/%ff", func() int { code, _ := staff.get("/staff/students/%ff"); return code }, http.StatusForbidden, `GET /staff/students/\xff answered 403: Refused: permission denied: student \xff is neither enrolled`},
			{"GET /staff/students/%ff/demographics", func() int { code, _ := staff.get("/staff/students/%ff/demographics"); return code }, http.StatusForbidden, `GET /staff/students/\xff/demographics answered 403`},
			{"GET /staff/students/x/%ff", func() int { code, _ := staff.get("/staff/students/x/%ff"); return code }, http.StatusNotFound, `GET /staff/students/x/\xff answered 404`},
			{"POST /staff/requests/%ff/approve", func() int {
				code, _ := staff.post("/staff/requests/%ff/approve", url.Values{"csrf": {staffCSRF}})
				return code
			}, 0, `POST /staff/requests/\xff/approve answered`},
			{"GET /review/%ff", func() int { code, _ := reviewer.get("/review/%ff"); return code }, http.StatusNotFound, `GET /review/\xff answered 404`},
			{"POST /review/%ff", func() int {
				code, _ := reviewer.post("/review/%ff", url.Values{"csrf": {reviewerCSRF}, "decision": {"same"}})
				return code
			}, http.StatusNotFound, `POST /review/\xff answered 404`},
			{"POST /guardian/requests with SSID %ff", func() int {
				code, _ := guardian.post("/guardian/requests", url.Values{"csrf": {guardianCSRF}, "ssid": {"\xff"}})
				return code
			}, 0, `(guardian.woods asked for SSID \xff)`},
			{"POST /signin as %ff", func() int { code, _ := e.visitor(t).signIn("\xff", "wrong"); return code }, http.StatusUnauthorized, `sign-in of "\xff" from 127.0.0.1 refused`},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := len(e.audit())
				code := c.call()
				if code >= 500 || (c.status != 0 && code != c.status) {
					t.Errorf("answered %d, want %d (never 500)", code, c.status)
				}
				if code < 400 {
					return // a page shown or a redirect: not a refusal
				}
				after := e.audit()[before:] // verified
				found := false
				for _, x := range after {
					if !utf8.ValidString(x.Note) {
						t.Errorf("an entry's note is not UTF-8: %q", x.Note)
					}
					found = found || strings.Contains(x.Note, c.note)
				}
				if !found {
					t.Errorf("no audit entry says %q: %+v", c.note, after)
				}
			})
		}
	})
}
