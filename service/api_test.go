package service_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/service"
)

// TestSearch: demographics in, likely candidates out with Ed-Fi's Score, every call
// audited.
func TestSearch(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		e := newEnv(t, db)
		before := len(e.audit())

		exact := e.search("255902", lisa)
		if len(exact) != 1 {
			t.Fatalf("Lisa Woods: %d candidates, want 1: %+v", len(exact), exact)
		}
		got := exact[0]
		if got.FirstName != "Lisa" || got.LastSurname != "Woods" || got.BirthDate != "2008-09-13" || got.SexType != "Female" {
			t.Errorf("candidate's core properties: %+v", got)
		}
		if got.Score < 90 || got.Score > 100 {
			t.Errorf("score of an exact match %v, want 90–100", got.Score)
		}

		// Typos and a short name lower the score; a stranger gets no candidate at all.
		near := e.search("255902", e.nearOf(got.UniqueID, lisaNear...))
		if len(near) != 1 || near[0].Score >= got.Score {
			t.Errorf("a near record: %+v, want Lisa (%s) alone with a score under %v", near, got.UniqueID, got.Score)
		}
		if none := e.search("255902", service.IdentityRequest{FirstName: "Zebulon", LastSurname: "Quagmire", BirthDate: "1999-01-01"}); len(none) != 0 {
			t.Errorf("a stranger got candidates: %+v", none)
		}

		// A batch of two answers each request in order.
		var both service.SearchResponse
		e.call(e.key("01"), "POST", "/identity/v2/search", []service.IdentityRequest{lisa, {FirstName: "Zebulon", LastSurname: "Quagmire", BirthDate: "1999-01-01"}}, &both)
		if len(both.SearchResponses) != 2 || len(both.SearchResponses[0].Responses) != 1 || len(both.SearchResponses[1].Responses) != 0 {
			t.Errorf("batch of two: %+v", both)
		}

		for _, bad := range []struct {
			name string
			key  string
			body any
			want int
		}{
			{"no key", "", []service.IdentityRequest{lisa}, http.StatusUnauthorized},
			{"wrong key", "slk_nope", []service.IdentityRequest{lisa}, http.StatusUnauthorized},
			{"reviewers' key", e.key(""), []service.IdentityRequest{lisa}, http.StatusForbidden},
			{"no birth date", e.key("01"), []service.IdentityRequest{{FirstName: "Lisa", LastSurname: "Woods"}}, http.StatusBadRequest},
			{"impossible date", e.key("01"), []service.IdentityRequest{{FirstName: "Lisa", LastSurname: "Woods", BirthDate: "2008-13-45"}}, http.StatusBadRequest},
			{"not JSON", e.key("01"), "{", http.StatusBadRequest},
			{"empty batch", e.key("01"), []service.IdentityRequest{}, http.StatusBadRequest},
		} {
			if code, _ := e.call(bad.key, "POST", "/identity/v2/search", bad.body, nil); code != bad.want {
				t.Errorf("%s: status %d, want %d", bad.name, code, bad.want)
			}
		}

		entries := e.audit()[before:]
		searches := entriesOf(entries, "identity", "")
		if len(searches) < 4 {
			t.Fatalf("%d identity entries for at least 4 answered searches: %+v", len(searches), searches)
		}
		if !strings.Contains(searches[0].Note, got.UniqueID) || !strings.Contains(searches[0].Actor, "LEA 255902") {
			t.Errorf("audit of the first search: %+v", searches[0])
		}
	})
}

// TestSearchAsync: a batch larger than AsyncAbove is accepted (202 with a Location) and
// answered through results/{token}, which only the LEA that made it may read.
func TestSearchAsync(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	var batch []service.IdentityRequest
	for range 11 {
		batch = append(batch, lisa)
	}
	var first service.SearchResponse
	code, h := e.call(e.key("255902"), "POST", "/identity/v2/search", batch, &first)
	if code != http.StatusAccepted || first.Status != "Incomplete" || !strings.HasPrefix(h.Get("Location"), "/identity/v2/results/") {
		t.Fatalf("batch of 11: %d %+v, Location %q", code, first, h.Get("Location"))
	}
	loc := h.Get("Location")
	var res service.SearchResponse
	deadline := time.Now().Add(20 * time.Second)
	for res.Status != "Complete" {
		if time.Now().After(deadline) {
			t.Fatal("the batch did not complete in 20 s")
		}
		if code, _ := e.call(e.key("255902"), "GET", loc, nil, &res); code != http.StatusOK {
			t.Fatalf("results: status %d", code)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(res.SearchResponses) != 11 {
		t.Fatalf("%d responses for 11 requests", len(res.SearchResponses))
	}
	for i, sr := range res.SearchResponses {
		if len(sr.Responses) != 1 || sr.Responses[0].FirstName != "Lisa" {
			t.Errorf("request %d: %+v", i, sr.Responses)
		}
	}
	if code, _ := e.call(e.key("255901"), "GET", loc, nil, nil); code != http.StatusNotFound {
		t.Errorf("another LEA read the batch: status %d", code)
	}
}

// TestCreateAndFindRetired: POST identities makes a new student; a person the index
// knows is refused; a near one gets an ID and goes to review, and when a reviewer merges
// it, find and GET redirect the retired ID to the survivor.
func TestCreateAndFindRetired(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		e := newEnv(t, db)
		key := e.key("255902")
		ofa := service.IdentityRequest{FirstName: "Ofa", LastSurname: "Vainikolo", BirthDate: "2015-03-09", SexType: "Female"}
		var first string
		code, h := e.call(key, "POST", "/identity/v2/identities", ofa, &first)
		if code != http.StatusCreated || first == "" || h.Get("Location") != "/identity/v2/identities/"+first {
			t.Fatalf("create: %d %q %q", code, first, h.Get("Location"))
		}
		var got service.IdentityResponse
		if code, _ := e.call(key, "GET", "/identity/v2/identities/"+first, nil, &got); code != http.StatusOK {
			t.Fatalf("get: %d", code)
		}
		want := service.IdentityResponse{UniqueID: first, Score: 100, FirstName: "Ofa", LastSurname: "Vainikolo", BirthDate: "2015-03-09", SexType: "Female"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("get (-want +got):\n%s", diff)
		}

		// The same person again: refused with the known ID.
		if code, _ := e.call(key, "POST", "/identity/v2/identities", ofa, nil); code != http.StatusConflict {
			t.Errorf("creating a known person: %d, want 409", code)
		}

		// A near record: created, and queued for the reviewers.
		near := e.nearOf(first,
			service.IdentityRequest{FirstName: "O.", LastSurname: "Vainikool", BirthDate: "2015-09-03", SexType: "Female"},
			service.IdentityRequest{FirstName: "O.", LastSurname: "Vainikolo", BirthDate: "2016-03-09", SexType: "Female"},
			service.IdentityRequest{FirstName: "O.", LastSurname: "Vainikool", BirthDate: "2015-03-09", SexType: "Female"})
		var second string
		if code, _ := e.call(key, "POST", "/identity/v2/identities", near, &second); code != http.StatusCreated || second == first {
			t.Fatalf("create near: %d %q", code, second)
		}
		var queue struct{ Reviews []service.ReviewItem }
		e.call(e.key(""), "GET", "/state/v1/reviews", nil, &queue)
		i := slices.IndexFunc(queue.Reviews, func(r service.ReviewItem) bool {
			return r.A.StudentUniqueID == second && r.B.StudentUniqueID == first
		})
		if i < 0 {
			t.Fatalf("no review of %s against %s in %+v", second, first, queue.Reviews)
		}
		rv := queue.Reviews[i]
		if rv.A.Fields["first_name"] != near.FirstName || rv.B.Fields["first_name"] != "Ofa" || len(rv.Explanation.Terms) == 0 {
			t.Errorf("review shows %+v", rv)
		}

		var d service.ReviewDecision
		if code, _ := e.call(e.key(""), "POST", "/state/v1/reviews/"+rv.ReviewID+"/decision", map[string]bool{"same": true}, &d); code != http.StatusOK {
			t.Fatalf("decision: %d", code)
		}
		if d.Outcome != "merged" || d.Student != first || d.Retired != second {
			t.Fatalf("decision: %+v, want %s retired into %s", d, second, first)
		}
		if code, _ := e.call(e.key(""), "POST", "/state/v1/reviews/"+rv.ReviewID+"/decision", map[string]bool{"same": false}, nil); code != http.StatusConflict {
			t.Errorf("deciding twice: %d, want 409", code)
		}

		check := func() {
			t.Helper()
			var found service.SearchResponse
			e.call(key, "POST", "/identity/v2/find", []string{second, first, "S-unknown"}, &found)
			if len(found.SearchResponses) != 3 {
				t.Fatalf("find: %+v", found)
			}
			for k, wantID := range []string{first, first} {
				rs := found.SearchResponses[k].Responses
				if len(rs) != 1 || rs[0].UniqueID != wantID {
					t.Errorf("find answer %d: %+v, want %s", k, rs, wantID)
				}
			}
			if rs := found.SearchResponses[2].Responses; len(rs) != 0 {
				t.Errorf("find of an unknown ID: %+v", rs)
			}
			var byRetired service.IdentityResponse
			if code, _ := e.call(key, "GET", "/identity/v2/identities/"+second, nil, &byRetired); code != http.StatusOK || byRetired.UniqueID != first {
				t.Errorf("get by the retired ID: %d %+v", code, byRetired)
			}
			// The survivor keeps the name and birth date it was known by: the merged
			// record's typos tie with them (one LEA each) and do not replace them.
			var bySurvivor service.IdentityResponse
			e.call(key, "GET", "/identity/v2/identities/"+first, nil, &bySurvivor)
			for what, got := range map[string]service.IdentityResponse{"get": bySurvivor, "get by the retired ID": byRetired, "find": found.SearchResponses[1].Responses[0]} {
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s after the merge (-want +got):\n%s", what, diff)
				}
			}
			// Another LEA holds no record of the student: find tells it nothing.
			var other service.SearchResponse
			e.call(e.key("255901"), "POST", "/identity/v2/find", []string{first}, &other)
			if len(other.SearchResponses) != 1 || len(other.SearchResponses[0].Responses) != 0 {
				t.Errorf("another LEA found %+v", other)
			}
		}
		check()
		e.restart() // the merge and the redirect persist
		check()
	})
}

// TestEnrollmentMatch: an enrollment matched with the student's SSID is answered with the
// backpack built from every LEA's records, and the merge and handoff are audited.
// Posting it again adds nothing. Lisa is enrolled at 255902 now, so LEA 03's enrollment
// of her waits for a reviewer's confirmation first (see TestEnrolledElsewhereWaitsForReview).
func TestEnrollmentMatch(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		e := newEnv(t, db)
		lisaID := e.studentOf(lisa)
		req := enrollment("03", "L-100", "Lisa", "", "Woods", "2008-09-13", "Female", lisaSSID)
		got, _ := enrollConfirmed(t, e, "03", req)
		if got.StudentUniqueID != lisaID || got.RecordID != "03/L-100" {
			t.Fatalf("enrollment: %+v", got)
		}
		b := got.Backpack
		if b == nil {
			t.Fatal("no backpack handed over")
		}
		// Lisa's records: one at each Ed-Fi LEA (255901 sent grades and attendance but no
		// enrollment, 255902 all three) and the new one.
		for _, r := range []string{"255901/604822", "255902/W-22001", "03/L-100"} {
			if !slices.Contains(b.Records, r) {
				t.Errorf("backpack records %v lack %s", b.Records, r)
			}
		}
		gradeLEAs := map[string]bool{}
		for _, f := range b.Grades {
			for _, src := range f.Sources {
				gradeLEAs[src.LEA] = true
			}
		}
		if !gradeLEAs["255901"] || !gradeLEAs["255902"] {
			t.Errorf("grades come from LEAs %v, want 255901 and 255902", gradeLEAs)
		}
		if !slices.ContainsFunc(b.Enrollments, func(f backpack.Fact[backpack.Enrollment]) bool {
			return f.Fact.LEA == "03" && f.Fact.SchoolID == 3001
		}) {
			t.Errorf("the new enrollment is not in the backpack: %+v", b.Enrollments)
		}
		if len(b.Teachers) == 0 || len(b.Attendance) == 0 {
			t.Errorf("backpack lacks the other LEAs' teachers or attendance: %d, %d", len(b.Teachers), len(b.Attendance))
		}

		entries := e.audit()
		merges := entriesOf(entries, backpack.ActionMerge, lisaID)
		handoffs := entriesOf(entries, backpack.ActionHandoff, lisaID)
		if len(merges) != 1 || merges[0].Weight == nil || merges[0].Explanation == "" || !slices.Contains(merges[0].Records, "03/L-100") {
			t.Errorf("merge entries: %+v", merges)
		}
		if len(handoffs) != 1 || !strings.Contains(handoffs[0].Note, "LEA 03") {
			t.Errorf("handoff entries: %+v", handoffs)
		}

		// The same enrollment again: the same answer, nothing added; other data under
		// the same studentUniqueId: a conflict.
		var again service.EnrollmentResponse
		if code, _ := e.call(e.key("03"), "POST", "/state/v1/enrollments", req, &again); code != http.StatusOK || again.EnrollmentID != got.EnrollmentID {
			t.Errorf("posting again: %d %+v", code, again)
		}
		if n := len(entriesOf(e.audit(), backpack.ActionMerge, lisaID)); n != 1 {
			t.Errorf("posting again merged again: %d merges", n)
		}
		other := enrollment("03", "L-100", "Lisa", "", "Woods", "2008-09-14", "Female", lisaSSID)
		if code, _ := e.call(e.key("03"), "POST", "/state/v1/enrollments", other, nil); code != http.StatusConflict {
			t.Errorf("other data under the same ID: %d, want 409", code)
		}
		// Only the LEA that posted it reads it.
		if code, _ := e.call(e.key("04"), "GET", "/state/v1/enrollments/"+got.EnrollmentID, nil, nil); code != http.StatusNotFound {
			t.Errorf("another LEA read the enrollment: %d", code)
		}
		// The new record is in the index at once: a search finds it under Lisa.
		e.restart()
		var after service.EnrollmentResponse
		if code, _ := e.call(e.key("03"), "GET", "/state/v1/enrollments/"+got.EnrollmentID, nil, &after); code != http.StatusOK || after.Backpack == nil || len(after.Backpack.Records) != len(b.Records) {
			t.Errorf("after a restart: %d %+v", code, after)
		}
	})
}

// TestEnrollmentReview: an enrollment between the thresholds waits for a reviewer; once
// decided the same student, the LEA gets the backpack, and the decision persists.
func TestEnrollmentReview(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		e := newEnv(t, db)
		lisaID := e.studentOf(lisa)
		near := e.nearOf(lisaID, lisaNear...)
		req := enrollment("05", "L-200", near.FirstName, "", near.LastSurname, near.BirthDate, "Female", "")
		var got service.EnrollmentResponse
		code, h := e.call(e.key("05"), "POST", "/state/v1/enrollments", req, &got)
		if code != http.StatusAccepted || got.Outcome != "review" || got.ReviewID == "" || got.StudentUniqueID != "" || got.Backpack != nil {
			t.Fatalf("enrollment: %d %+v", code, got)
		}
		loc := h.Get("Location")
		var waiting service.EnrollmentResponse
		if code, _ := e.call(e.key("05"), "GET", loc, nil, &waiting); code != http.StatusAccepted || waiting.Outcome != "review" {
			t.Errorf("while in review: %d %+v", code, waiting)
		}
		// While in review the record is nobody's: a search does not give it as a candidate.
		if rs := e.search("05", near); len(rs) != 1 || rs[0].UniqueID != lisaID {
			t.Errorf("search while in review: %+v", rs)
		}

		var d service.ReviewDecision
		if code, _ := e.call(e.key(""), "POST", "/state/v1/reviews/"+got.ReviewID+"/decision", map[string]bool{"same": true}, &d); code != http.StatusOK {
			t.Fatalf("decision: %d", code)
		}
		if d.Outcome != "placed" || d.Student != lisaID {
			t.Fatalf("decision %+v, want placed with %s", d, lisaID)
		}
		e.restart()
		var placed service.EnrollmentResponse
		if code, _ := e.call(e.key("05"), "GET", loc, nil, &placed); code != http.StatusOK || placed.Outcome != "match" || placed.StudentUniqueID != lisaID {
			t.Fatalf("after the decision: %d %+v", code, placed)
		}
		if placed.Backpack == nil || !slices.Contains(placed.Backpack.Records, "05/L-200") || len(placed.Backpack.Grades) == 0 {
			t.Fatalf("backpack after the decision: %+v", placed.Backpack)
		}
		entries := e.audit()
		if rv := entriesOf(entries, "review", lisaID); len(rv) != 1 || rv[0].Actor != `api key "state reviewers" (state reviewers)` {
			t.Errorf("review entries: %+v", rv)
		}
		if m := entriesOf(entries, backpack.ActionMerge, lisaID); len(m) != 1 || !slices.Contains(m[0].Records, "05/L-200") {
			t.Errorf("merge entries: %+v", m)
		}
		if h := entriesOf(entries, backpack.ActionHandoff, lisaID); len(h) != 1 {
			t.Errorf("handoff entries: %+v", h)
		}
		// The decided record is in the index now: the same initial-only record finds it.
		var queue struct{ Reviews []service.ReviewItem }
		e.call(e.key(""), "GET", "/state/v1/reviews", nil, &queue)
		if slices.ContainsFunc(queue.Reviews, func(r service.ReviewItem) bool { return r.ReviewID == got.ReviewID }) {
			t.Error("the decided review is still in the queue")
		}
	})
}

// TestEnrollmentNew: a student new to the state gets a new ID and no backpack.
func TestEnrollmentNew(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	var got service.EnrollmentResponse
	code, _ := e.call(e.key("02"), "POST", "/state/v1/enrollments", enrollment("02", "N-1", "Ofa", "", "Vainikolo", "2015-03-09", "Female", ""), &got)
	if code != http.StatusCreated || got.Outcome != "new" || !strings.HasPrefix(got.StudentUniqueID, "S") || got.Backpack != nil {
		t.Fatalf("new student: %d %+v", code, got)
	}
	if id := e.studentOf(service.IdentityRequest{FirstName: "Ofa", LastSurname: "Vainikolo", BirthDate: "2015-03-09"}); id != got.StudentUniqueID {
		t.Errorf("search finds %s, want %s", id, got.StudentUniqueID)
	}
	for _, bad := range []service.EnrollmentRequest{
		{},
		{Student: enrollment("02", "N-2", "A", "", "B", "2015-03-09", "Female", "").Student},
		enrollment("02", "N-3", "A", "", "B", "2015-02-30", "Female", ""),
		enrollment("02", "N-4", "A", "", "B", "2015-03-09", "Purple", ""),
		// The school association is of another student than the one posted: refused
		// before anything is stored (once, it was stored and then refused by the backpack
		// store, at every start after).
		{Student: enrollment("02", "N-5", "A", "", "B", "2015-03-09", "Female", "").Student, StudentSchoolAssociation: enrollment("02", "N-6", "A", "", "B", "2015-03-09", "Female", "").StudentSchoolAssociation},
	} {
		if code, _ := e.call(e.key("02"), "POST", "/state/v1/enrollments", bad, nil); code != http.StatusBadRequest {
			t.Errorf("bad enrollment %s: %d, want 400", bad.Student, code)
		}
	}
}

// TestEnrollmentTwin: Lisa Woods's twin sister enrolls (same family name and birth date,
// no SSID). She looks like Lisa at a score of 90 or more, but the cannot-link rules hold
// for searches and placements as for the state's runs: search does not offer Lisa, the
// enrollment waits for a reviewer, told why, and no backpack of Lisa's is handed over.
func TestEnrollmentTwin(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	lisaID := e.studentOf(lisa)
	lily := service.IdentityRequest{FirstName: "Lily", LastSurname: "Woods", BirthDate: "2008-09-13", SexType: "Female"}
	if rs := e.search("03", lily); slices.ContainsFunc(rs, func(r service.IdentityResponse) bool { return r.UniqueID == lisaID }) {
		t.Errorf("search for the twin offers Lisa: %+v", rs)
	}
	var got service.EnrollmentResponse
	code, _ := e.call(e.key("03"), "POST", "/state/v1/enrollments", enrollment("03", "T-1", "Lily", "", "Woods", "2008-09-13", "Female", ""), &got)
	if got.Outcome == "match" || got.StudentUniqueID == lisaID || got.Backpack != nil {
		t.Fatalf("the twin's enrollment: %d %+v", code, got)
	}
	if code != http.StatusAccepted || got.Outcome != "review" {
		t.Errorf("the twin's enrollment: %d %s, want 202 review", code, got.Outcome)
	}
	if h := entriesOf(e.audit(), backpack.ActionHandoff, lisaID); len(h) != 0 {
		t.Errorf("Lisa's backpack was handed over: %+v", h)
	}
	// The reviewer is told which rule keeps them apart.
	var queue struct{ Reviews []service.ReviewItem }
	e.call(e.key(""), "GET", "/state/v1/reviews", nil, &queue)
	i := slices.IndexFunc(queue.Reviews, func(r service.ReviewItem) bool { return r.ReviewID == got.ReviewID })
	if i < 0 || !strings.Contains(queue.Reviews[i].Reason, "cannot-link rule") || queue.Reviews[i].Score < 90 {
		t.Errorf("the twin's review (want the rule named, Lisa's look-alike score 90 or more): %+v", queue.Reviews)
	}
}
