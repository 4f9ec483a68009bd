package service_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/service"
)

// splitEnrollment enrolls Lisa at LEA 03 (a match once a reviewer confirms it, as she is
// enrolled at 255902 now; handed her backpack), then has a
// reviewer decide that the new record is not the student of her Ed-Fi records and relinks,
// so that the record moves to a student of its own. It returns the enrollment's location
// and Lisa's ID.
func splitEnrollment(t *testing.T, e *env) (loc, lisaID string) {
	t.Helper()
	ctx := context.Background()
	lisaID = e.studentOf(lisa)
	got, loc := enrollConfirmed(t, e, "03", enrollment("03", "L-100", "Lisa", "", "Woods", "2008-09-13", "Female", lisaSSID))
	if got.StudentUniqueID != lisaID || got.Backpack == nil {
		t.Fatalf("enrollment: %+v", got)
	}
	for _, other := range []string{"255901/604822", "255902/W-22001"} {
		var d service.ReviewDecision
		if code, _ := e.call(e.key(""), "POST", "/state/v1/decisions", map[string]any{"a": got.RecordID, "b": other, "same": false}, &d); code != http.StatusOK {
			t.Fatalf("the decision against %s: %d %+v", other, code, d)
		}
	}
	var rep service.RelinkReport
	if code, _ := e.call(e.key(""), "POST", "/state/v1/relink", nil, &rep); code != http.StatusOK {
		t.Fatalf("relink: %d", code)
	}
	now, ok, err := e.srv.StudentOf(ctx, got.RecordID)
	if err != nil || !ok || now == lisaID {
		t.Fatalf("after the split and relink %s is with %q (%v %v); the test needs it moved from %s", got.RecordID, now, ok, err, lisaID)
	}
	return loc, lisaID
}

// TestEnrollmentAfterSplit: once a reviewer has moved an enrollment's record away from
// the student it matched, the enrollment is answered without that student's backpack,
// saying so, and no further handoff is made; also after a restart.
func TestEnrollmentAfterSplit(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		e := newEnv(t, db)
		loc, lisaID := splitEnrollment(t, e)
		handoffs := func() int { return len(entriesOf(e.audit(), backpack.ActionHandoff, lisaID)) }
		before := handoffs()
		check := func(when string) {
			t.Helper()
			var got service.EnrollmentResponse
			code, _ := e.call(e.key("03"), "GET", loc, nil, &got)
			if code != http.StatusOK {
				t.Fatalf("%s: GET %s: %d", when, loc, code)
			}
			if got.Backpack != nil {
				t.Errorf("%s: the enrollment still hands over a backpack (student %s, records %v)", when, got.Backpack.StudentID, got.Backpack.Records)
			}
			if got.StudentUniqueID == lisaID || !strings.Contains(got.Note, "moved") {
				t.Errorf("%s: answered %+v; want the record's new student and a note that a reviewer moved it", when, got)
			}
			if n := handoffs(); n != before {
				t.Errorf("%s: %d more handoffs of %s audited", when, n-before, lisaID)
			}
		}
		check("after the relink")
		e.restart()
		check("after a restart")
	})
}

// TestHandoffGrantAfterSplit: the staff of an LEA handed a student's backpack at
// enrollment see the student's pages only while the LEA holds a record of the student:
// once a reviewer has moved the LEA's record to another student, the old student's
// pages are refused as any student out of scope, also after a restart (which replays
// the handoff); the record's student now is shown.
func TestHandoffGrantAfterSplit(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		e := newEnv(t, db)
		password, err := e.srv.CreateAccount(context.Background(), service.Account{Username: "registrar.03", Role: service.RoleStaff, LEA: "03",
			Permissions: backpack.PermView | backpack.PermRequest})
		if err != nil {
			t.Fatal(err)
		}
		loc, lisaID := splitEnrollment(t, e)
		var enr service.EnrollmentResponse
		e.call(e.key("03"), "GET", loc, nil, &enr)
		now := enr.StudentUniqueID
		check := func(when string) {
			t.Helper()
			staff := e.visitor(t)
			if code, _ := staff.signIn("registrar.03", password); code != http.StatusOK {
				t.Fatalf("%s: sign-in: %d", when, code)
			}
			if code, body := staff.get("/staff/students/" + lisaID); code != http.StatusForbidden || !strings.Contains(body, "Refused") || strings.Contains(body, "255901/604822") {
				t.Errorf("%s: registrar of LEA 03 opens the student its record was moved from (%s): %d", when, lisaID, code)
			}
			if code, _ := staff.get("/staff/students/" + lisaID + "/grades"); code != http.StatusForbidden {
				t.Errorf("%s: registrar of LEA 03 opens the grades of %s: %d", when, lisaID, code)
			}
			if now == "" {
				t.Fatalf("%s: the enrollment names no student now: %+v", when, enr)
			}
			if code, _ := staff.get("/staff/students/" + now); code != http.StatusOK {
				t.Errorf("%s: registrar of LEA 03 cannot open its record's student %s: %d", when, now, code)
			}
		}
		check("after the relink")
		e.restart()
		check("after a restart")
	})
}

// TestApprovalAfterSplit: staff may not approve a guardian's request for a student their
// LEA no longer holds a record of. LEA 03 enrolls Lisa without her SSID; a reviewer
// confirms the match and the enrollment is handed her backpack; then a reviewer moves
// the record to a student of its own. A guardian at LEA 03 asks for Lisa's backpack by
// her SSID: the approval is refused 409, saying why, audited, and nothing is forwarded;
// the request still waits, also after a restart; and the staff may still reject it.
func TestApprovalAfterSplit(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		e := newEnv(t, db)
		ctx := context.Background()
		lisaID := e.studentOf(lisa)
		staffPassword, err := e.srv.CreateAccount(ctx, service.Account{Username: "registrar.03", Role: service.RoleStaff, LEA: "03",
			Permissions: backpack.PermView | backpack.PermRequest})
		if err != nil {
			t.Fatal(err)
		}
		guardianPassword, err := e.srv.CreateAccount(ctx, service.Account{Username: "guardian.03", Role: service.RoleGuardian, LEA: "03",
			Students: []string{lisaSSID}})
		if err != nil {
			t.Fatal(err)
		}

		var got service.EnrollmentResponse
		code, h := e.call(e.key("03"), "POST", "/state/v1/enrollments", enrollment("03", "L-101", "Lisa", "", "Woods", "2008-09-13", "Female", ""), &got)
		if code != http.StatusAccepted || got.ReviewID == "" {
			t.Fatalf("enrollment without an SSID: %d %+v; want it in review", code, got)
		}
		var d service.ReviewDecision
		if code, _ := e.call(e.key(""), "POST", "/state/v1/reviews/"+got.ReviewID+"/decision", map[string]bool{"same": true}, &d); code != http.StatusOK || d.Student != lisaID {
			t.Fatalf("confirming the match: %d %+v", code, d)
		}
		var placed service.EnrollmentResponse
		if code, _ := e.call(e.key("03"), "GET", h.Get("Location"), nil, &placed); code != http.StatusOK || placed.Backpack == nil {
			t.Fatalf("the enrollment once confirmed: %d %+v; want Lisa's backpack handed over", code, placed)
		}
		for _, other := range []string{"255901/604822", "255902/W-22001"} {
			if code, _ := e.call(e.key(""), "POST", "/state/v1/decisions", map[string]any{"a": got.RecordID, "b": other, "same": false}, &d); code != http.StatusOK {
				t.Fatalf("the decision against %s: %d", other, code)
			}
		}
		var rep service.RelinkReport
		if code, _ := e.call(e.key(""), "POST", "/state/v1/relink", nil, &rep); code != http.StatusOK {
			t.Fatalf("relink: %d", code)
		}
		if now, ok, err := e.srv.StudentOf(ctx, got.RecordID); err != nil || !ok || now == lisaID {
			t.Fatalf("after the split and relink %s is with %q (%v %v); the test needs it moved from %s", got.RecordID, now, ok, err, lisaID)
		}

		guardian := e.visitor(t)
		guardian.signIn("guardian.03", guardianPassword)
		if code, _ := guardian.post("/guardian/requests", url.Values{"csrf": {guardian.token("/guardian")}, "ssid": {lisaSSID}}); code != http.StatusOK {
			t.Fatalf("the guardian's request: %d", code)
		}
		pending := e.srv.PendingRequests("03")
		if len(pending) != 1 {
			t.Fatalf("%d pending requests at LEA 03, want 1", len(pending))
		}
		id := pending[0].ID
		refusal := "LEA 03 holds no record of student " + lisaID
		check := func(when string) {
			t.Helper()
			staff := e.visitor(t)
			staff.signIn("registrar.03", staffPassword)
			tok := staff.token("/staff")
			before := len(e.audit())
			code, body := staff.post("/staff/requests/"+id+"/approve", url.Values{"csrf": {tok}})
			if code != http.StatusConflict || !strings.Contains(body, refusal) {
				t.Errorf("%s: approving %s: %d, want 409 saying %q:\n%s", when, id, code, refusal, body)
			}
			added := e.audit()[before:]
			if len(added) != 1 || added[0].StudentID != lisaID || !strings.Contains(added[0].Note, refusal) {
				t.Errorf("%s: the refusal's audit entries: %+v", when, added)
			}
			if n := len(e.srv.PendingRequests("03")); n != 1 {
				t.Errorf("%s: %d pending requests at LEA 03, want the one still waiting", when, n)
			}
			if _, page := guardian.get("/guardian"); strings.Contains(page, "Demographics") {
				t.Errorf("%s: the guardian is shown a backpack", when)
			}
		}
		check("after the relink")
		e.restart()
		guardian = e.visitor(t)
		guardian.signIn("guardian.03", guardianPassword)
		check("after a restart")

		staff := e.visitor(t)
		staff.signIn("registrar.03", staffPassword)
		if code, _ := staff.post("/staff/requests/"+id+"/reject", url.Values{"csrf": {staff.token("/staff")}, "reason": {"Lisa is no longer enrolled here."}}); code != http.StatusOK {
			t.Errorf("rejecting %s: %d", id, code)
		}
	})
}
