package service_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/studentlink/studentlink/service"
)

// TestSSIDOfAnotherStudent: an LEA enrolls "Zed Zulu" with Lisa Woods's SSID. The index
// places him as a new student, and the pair goes to the reviewers. Lisa's guardian's
// request (at LEA 255902) is tied to Lisa: at once when Zed holds no record at that LEA;
// when he does, once a reviewer decides the two different (the SSID stays with Lisa, who
// carried it first). Zed's data never reaches the guardian.
func TestSSIDOfAnotherStudent(t *testing.T) {
	for _, c := range []struct {
		name        string
		lea         string // where Zed enrolls
		needsReview bool   // the approval waits for the reviewer's "different"
	}{
		{"another LEA", "04", false},
		{"the guardian's LEA", "255902", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, sqliteDB(t))
			lisaID := e.studentOf(lisa)
			var zed service.EnrollmentResponse
			code, _ := e.call(e.key(c.lea), "POST", "/state/v1/enrollments", enrollment(c.lea, "Z-1", "Zed", "", "Zulu", "2011-01-01", "Male", lisaSSID), &zed)
			if code != http.StatusCreated || zed.Outcome != "new" || zed.StudentUniqueID == lisaID {
				t.Fatalf("Zed's enrollment: %d %+v, want a new student", code, zed)
			}
			var queue struct{ Reviews []service.ReviewItem }
			e.call(e.key(""), "GET", "/state/v1/reviews", nil, &queue)
			i := slices.IndexFunc(queue.Reviews, func(r service.ReviewItem) bool { return r.A.RecordID == zed.RecordID })
			if i < 0 {
				t.Fatalf("no review of %s in the queue", zed.RecordID)
			}
			rv := queue.Reviews[i]
			if rv.B.StudentUniqueID != lisaID || !strings.Contains(rv.Reason, "SSID "+lisaSSID+" is already student "+lisaID) {
				t.Errorf("the review: %+v, want Zed against Lisa for the SSID", rv)
			}

			guardian := e.visitor(t)
			guardian.signIn("guardian.woods", e.password("guardian.woods"))
			guardian.post("/guardian/requests", url.Values{"csrf": {guardian.token("/guardian")}, "ssid": {lisaSSID}})
			staff := e.visitor(t)
			staff.signIn("registrar.255902", e.password("registrar.255902"))
			id := e.srv.PendingRequests("255902")[0].ID
			approve := func() (int, string) {
				return staff.post("/staff/requests/"+id+"/approve", url.Values{"csrf": {staff.token("/staff")}})
			}
			if c.needsReview {
				if code, body := approve(); code != http.StatusUnprocessableEntity || !strings.Contains(body, "a reviewer must settle them") {
					t.Fatalf("approving before the review: %d, want 422 naming the reviewer", code)
				}
				if code, _ := e.call(e.key(""), "POST", "/state/v1/reviews/"+rv.ReviewID+"/decision", map[string]bool{"same": false}, nil); code != http.StatusOK {
					t.Fatalf("the decision: %d", code)
				}
			}
			if code, body := approve(); code != http.StatusOK || !strings.Contains(body, "approved") {
				t.Fatalf("approving: %d", code)
			}
			_, page := guardian.get("/guardian")
			if !strings.Contains(page, "Lisa") || strings.Contains(page, "Zed") || strings.Contains(page, "Zulu") {
				t.Errorf("the guardian's page does not show Lisa alone:\n%s", page)
			}
		})
	}
}
