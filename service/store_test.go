package service_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/studentlink/studentlink/service"
)

// rawDB opens the test's database beside the server, to break it.
func rawDB(t *testing.T, db string) *sql.DB {
	driver, dsn := "sqlite", "file:"+db+"?_pragma=busy_timeout(10000)"
	if strings.HasPrefix(db, "postgres://") {
		driver, dsn = "pgx", db
	}
	x, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

// TestCommitFailure: when the store refuses a change, the caller is told, nothing of the
// change stays in memory (no phantom request, no audit entry), and the service goes on
// once the store is back: the chain verifies across the failure and a restart.
func TestCommitFailure(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		e := newEnv(t, db)
		raw := rawDB(t, db)
		g := e.visitor(t)
		g.signIn("guardian.woods", e.password("guardian.woods"))
		tok := g.token("/guardian")
		before := len(e.audit())

		if _, err := raw.Exec(`ALTER TABLE request_events RENAME TO request_events_away`); err != nil {
			t.Fatal(err)
		}
		if code, body := g.post("/guardian/requests", url.Values{"csrf": {tok}, "ssid": {lisaSSID}}); code != http.StatusInternalServerError || strings.Contains(body, "SQL") || strings.Contains(body, "request_events") {
			t.Errorf("a request the store refused was answered %d (the page must not show the store's error)", code)
		}
		if n := len(e.srv.PendingRequests("255902")); n != 0 {
			t.Errorf("a refused request is pending in memory: %d", n)
		}
		// The change left no entry; the call did: one saying it was refused.
		if after := e.audit()[before:]; len(after) != 1 || after[0].Action != "access" || after[0].Actor != "guardian.woods" ||
			!strings.Contains(after[0].Note, "POST /guardian/requests answered 500: Your request could not be saved") {
			t.Errorf("the refused request left audit entries %+v, want one of the refused call", after)
		}
		// Reads go on meanwhile, audited.
		if rs := e.search("255902", lisa); len(rs) != 1 {
			t.Errorf("search while the store refuses requests: %+v", rs)
		}

		if _, err := raw.Exec(`ALTER TABLE request_events_away RENAME TO request_events`); err != nil {
			t.Fatal(err)
		}
		if code, _ := g.post("/guardian/requests", url.Values{"csrf": {tok}, "ssid": {lisaSSID}}); code != http.StatusOK {
			t.Errorf("the request once the store is back: %d", code)
		}
		pending := e.srv.PendingRequests("255902")
		if len(pending) != 1 || pending[0].ID != "R000001" {
			t.Errorf("pending after the failure: %+v, want one request R000001", pending)
		}
		e.restart()
		if got := e.srv.PendingRequests("255902"); len(got) != 1 || got[0].ID != "R000001" {
			t.Errorf("pending after a restart: %+v", got)
		}
		e.audit() // verifies
	})
}

// TestConcurrent runs searches, enrollments, identity creations, guardian requests and
// review decisions at once (run with -race), then restarts: every acknowledged change is
// there once and the audit chain verifies, holding one entry per call.
func TestConcurrent(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		e := newEnv(t, db)
		ctx := context.Background()
		before := len(e.audit())
		var queue struct{ Reviews []service.ReviewItem }
		e.call(e.key(""), "GET", "/state/v1/reviews", nil, &queue)

		var wg sync.WaitGroup
		for c := range 4 {
			wg.Add(3)
			go func() { // searches
				defer wg.Done()
				for range 20 {
					if rs := e.search("255902", lisa); len(rs) != 1 {
						t.Errorf("search: %+v", rs)
					}
				}
			}()
			go func() { // enrollments of new students
				defer wg.Done()
				for k := range 5 {
					var got service.EnrollmentResponse
					req := crashEnrollment("04", fmt.Sprintf("C%d-%d", c, k), c, k)
					if code, _ := e.call(e.key("04"), "POST", "/state/v1/enrollments", req, &got); code != http.StatusCreated {
						t.Errorf("enrollment: %d", code)
					}
				}
			}()
			go func() { // reviews of the run's queue, split among the clients
				defer wg.Done()
				for i := c; i < len(queue.Reviews) && i < 8; i += 4 {
					code, _ := e.call(e.key(""), "POST", "/state/v1/reviews/"+queue.Reviews[i].ReviewID+"/decision", map[string]bool{"same": i%2 == 0}, nil)
					if code != http.StatusOK {
						t.Errorf("decision: %d", code)
					}
				}
			}()
		}
		g := e.visitor(t)
		g.signIn("guardian.woods", e.password("guardian.woods"))
		tok := g.token("/guardian")
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.post("/guardian/requests", url.Values{"csrf": {tok}, "ssid": {lisaSSID}})
		}()
		wg.Wait()

		e.restart()
		counts, err := e.srv.Counts(ctx, "04/C")
		if err != nil {
			t.Fatal(err)
		}
		if counts.Enrollments != 20 || counts.Records != 20 || counts.Indexed != counts.Placed {
			t.Errorf("counts after the concurrent run: %+v", counts)
		}
		if n := len(e.srv.PendingRequests("255902")); n != 1 {
			t.Errorf("%d pending requests, want 1", n)
		}
		entries := e.audit()[before:]
		identity, enroll, review := 0, 0, 0
		for _, x := range entries {
			switch x.Action {
			case "identity":
				identity++
			case "enroll":
				enroll++
			case "review":
				review++
			}
		}
		decided := min(len(queue.Reviews), 8)
		if identity != 80 || enroll != 20 || review != 1+decided {
			t.Errorf("audit entries: %d identity, %d enroll, %d review; want 80, 20, %d", identity, enroll, review, 1+decided)
		}
	})
}
