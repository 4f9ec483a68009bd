package service_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/service"
)

// enrollRaw posts an enrollment and returns the status, the raw answer and the answer
// decoded.
func enrollRaw(t *testing.T, e *env, lea string, req service.EnrollmentRequest) (int, string, service.EnrollmentResponse) {
	t.Helper()
	body, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	hr, _ := http.NewRequest("POST", e.http.URL+"/state/v1/enrollments", strings.NewReader(string(body)))
	hr.Header.Set("Authorization", "Bearer "+e.key(lea))
	resp, err := e.http.Client().Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out service.EnrollmentResponse
	json.Unmarshal(raw, &out)
	return resp.StatusCode, string(raw), out
}

// handoffsTo counts the handoffs of a student's backpack to an LEA in the audit log.
func handoffsTo(e *env, student, lea string) int {
	n := 0
	for _, x := range entriesOf(e.audit(), backpack.ActionHandoff, student) {
		if strings.HasSuffix(x.Note, "LEA "+lea) {
			n++
		}
	}
	return n
}

// TestEnrolledElsewhereWaitsForReview: Lisa Woods is enrolled at LEA 255902 now (an
// enrollment without an exit date). An LEA that knows her names, birth date and SSID
// (255901, which held her once; 01, which never did, with her surname misspelled) and
// posts an open enrollment is not handed her backpack, with 255902's address in it: the
// enrollment waits for a state reviewer, the answer saying why without naming 255902 or
// anything of hers, and 255901's staff still cannot open her pages. Once a reviewer
// decides it the same student, the backpack is handed over as after any review. 255902,
// which holds her open enrollment, enrolling her again is handed it at once.
func TestEnrolledElsewhereWaitsForReview(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		e := newClockedEnv(t, db, &clock{at: time.Now()}) // sessions run on the wall clock
		lisaID := e.studentOf(lisa)
		staff := e.visitor(t)
		if code, _ := staff.signIn("registrar.255901", e.password("registrar.255901")); code != http.StatusOK {
			t.Fatalf("sign-in: %d", code)
		}
		page := "/staff/students/" + lisaID + "/demographics"
		if code, _ := staff.get(page); code != http.StatusForbidden {
			t.Fatalf("255901's registrar on Lisa's demographics before: %d, want 403", code)
		}

		waits := func(name, lea string, req service.EnrollmentRequest) service.EnrollmentResponse {
			t.Helper()
			code, raw, got := enrollRaw(t, e, lea, req)
			if code != http.StatusAccepted || got.Outcome != "review" || got.Backpack != nil || got.ReviewID == "" || got.StudentUniqueID != "" {
				t.Errorf("%s: %d %s; want 202, a review, no backpack", name, code, raw)
			}
			if !strings.Contains(got.Note, "enrolled at another LEA") || !strings.Contains(got.Note, "reviewer") {
				t.Errorf("%s: note %q does not say why it waits", name, got.Note)
			}
			for _, leak := range []string{"255902", "Harbor", "W-22001", "Sybil", lisaID} {
				if strings.Contains(raw, leak) {
					t.Errorf("%s: the answer discloses %q: %s", name, leak, raw)
				}
			}
			if n := handoffsTo(e, lisaID, lea); n != 0 {
				t.Errorf("%s: %d handoffs of Lisa's backpack to LEA %s", name, n, lea)
			}
			return got
		}
		former := waits("255901, which held her once", "255901",
			enrollment("255901", "604822-again", "Lisa", "", "Woods", "2008-09-13", "Female", lisaSSID))
		waits("01, with her surname misspelled", "01",
			enrollment("01", "K-77", "Lisa", "", "Wods", "2008-09-13", "Female", lisaSSID))
		if code, _ := staff.get(page); code != http.StatusForbidden {
			t.Errorf("255901's registrar on Lisa's demographics after the enrollment: %d, want 403", code)
		}
		// Read again, it still waits, and says why.
		var again service.EnrollmentResponse
		if code, _ := e.call(e.key("255901"), "GET", "/state/v1/enrollments/"+former.EnrollmentID, nil, &again); code != http.StatusAccepted ||
			again.Backpack != nil || !strings.Contains(again.Note, "enrolled at another LEA") {
			t.Errorf("255901 reads its enrollment: %d %+v", code, again)
		}

		// The reviewer sees why, and decides.
		var queue struct{ Reviews []service.ReviewItem }
		e.call(e.key(""), "GET", "/state/v1/reviews", nil, &queue)
		found := false
		for _, rv := range queue.Reviews {
			if rv.ReviewID == former.ReviewID {
				found = strings.Contains(rv.Reason, "enrolled at another LEA")
			}
		}
		if !found {
			t.Errorf("review %s is not queued with its reason: %+v", former.ReviewID, queue.Reviews)
		}
		var d service.ReviewDecision
		if code, _ := e.call(e.key(""), "POST", "/state/v1/reviews/"+former.ReviewID+"/decision", map[string]bool{"same": true}, &d); code != http.StatusOK || d.Student != lisaID {
			t.Fatalf("decision: %d %+v", code, d)
		}
		var decided service.EnrollmentResponse
		if code, _ := e.call(e.key("255901"), "GET", "/state/v1/enrollments/"+former.EnrollmentID, nil, &decided); code != http.StatusOK ||
			decided.Outcome != "match" || decided.StudentUniqueID != lisaID || !enrolledAt(decided.Backpack, "255902") || decided.Note != "" {
			t.Errorf("after the reviewer's decision: %d %+v; want the match with her backpack", code, decided)
		}
		if n := handoffsTo(e, lisaID, "255901"); n != 1 {
			t.Errorf("%d handoffs to 255901 after the decision, want 1", n)
		}
		if code, _ := staff.get(page); code != http.StatusOK {
			t.Errorf("255901's registrar on Lisa's demographics after the decision: %d, want 200", code)
		}

		// 255902 holds her open enrollment: its own further enrollment is handed over.
		code, raw, own := enrollRaw(t, e, "255902", enrollment("255902", "W-22001-b", "Lisa", "", "Woods", "2008-09-13", "Female", lisaSSID))
		if code != http.StatusOK || own.Outcome != "match" || own.Backpack == nil {
			t.Errorf("255902 enrolls her again: %d %s; want the match with her backpack at once", code, raw)
		}
	})
}

// TestTransferAfterExitHandedAtOnce: a student whose enrollment at her former LEA has
// ended (an exit date past) is handed her backpack at once when another LEA enrolls her
// with her SSID; while that enrollment was still open, an enrollment elsewhere waited
// for a reviewer.
func TestTransferAfterExitHandedAtOnce(t *testing.T) {
	clk := &clock{at: clockStart} // 2025-03-03
	e := newClockedEnv(t, sqliteDB(t), clk)
	const ssid = "7300118842"
	var first service.EnrollmentResponse
	if code, _ := e.call(e.key("03"), "POST", "/state/v1/enrollments",
		enrollmentWithExit(t, "03", "N-1", "Nora", "Quillfeather", "2010-04-21", "Female", ssid, "2024-08-20", "2025-06-13"), &first); code != http.StatusCreated || first.Outcome != "new" {
		t.Fatalf("Nora at 03: %d %+v, want a new student", code, first)
	}
	code, raw, early := enrollRaw(t, e, "05", enrollment("05", "Q-5", "Nora", "", "Quillfeather", "2010-04-21", "Female", ssid))
	if code != http.StatusAccepted || early.Backpack != nil || !strings.Contains(early.Note, "enrolled at another LEA") {
		t.Errorf("05 enrolls her while 03's enrollment is open: %d %s; want 202, waiting for a reviewer", code, raw)
	}
	clk.add(200 * 24 * time.Hour) // September 2025: she left 03 in June
	var moved service.EnrollmentResponse
	if code, _ := e.call(e.key("04"), "POST", "/state/v1/enrollments",
		enrollment("04", "Q-4", "Nora", "", "Quillfeather", "2010-04-21", "Female", ssid), &moved); code != http.StatusOK ||
		moved.Outcome != "match" || moved.StudentUniqueID != first.StudentUniqueID || !enrolledAt(moved.Backpack, "03") || !enrolledAt(moved.Backpack, "04") {
		t.Errorf("04 enrolls her after she left 03: %d %+v; want the match with her backpack at once", code, moved)
	}
}

// enrollConfirmed posts an enrollment of a student another LEA has enrolled now, which
// waits for a reviewer (the answer saying so), has the state's reviewers decide it the
// same student, and returns the enrollment as its LEA reads it then (a match with the
// backpack) and its Location.
func enrollConfirmed(t *testing.T, e *env, lea string, req service.EnrollmentRequest) (service.EnrollmentResponse, string) {
	t.Helper()
	var queued service.EnrollmentResponse
	code, h := e.call(e.key(lea), "POST", "/state/v1/enrollments", req, &queued)
	if code != http.StatusAccepted || queued.Outcome != "review" || !strings.Contains(queued.Note, "enrolled at another LEA") {
		t.Fatalf("enrollment at %s: %d %+v; want it to wait for a reviewer, the student being enrolled elsewhere", lea, code, queued)
	}
	if code, _ := e.call(e.key(""), "POST", "/state/v1/reviews/"+queued.ReviewID+"/decision", map[string]bool{"same": true}, nil); code != http.StatusOK {
		t.Fatalf("the reviewer's decision on %s: %d", queued.ReviewID, code)
	}
	loc := h.Get("Location")
	var got service.EnrollmentResponse
	if code, _ := e.call(e.key(lea), "GET", loc, nil, &got); code != http.StatusOK || got.Outcome != "match" {
		t.Fatalf("enrollment at %s after the decision: %d %+v", lea, code, got)
	}
	return got, loc
}
