package backpack_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// Staff of the sample LEAs. Lisa, Jerry and Diana have records at both 255901 and 255902
// but enrollments only at 255902 (255901 sent their records and no enrollment: it is
// their former LEA), Tevita is at 255902 only; no one at 255999.
var (
	clerk      = backpack.StaffUser{ID: "clerk", LEA: "255902", Permissions: backpack.PermRequest}
	registrar  = backpack.StaffUser{ID: "registrar", LEA: "255902", Permissions: backpack.PermView | backpack.PermRequest}
	viewer     = backpack.StaffUser{ID: "viewer", LEA: "255902", Permissions: backpack.PermView}
	nobody     = backpack.StaffUser{ID: "nobody", LEA: "255902"}
	anonymous  = backpack.StaffUser{LEA: "255902", Permissions: backpack.PermView | backpack.PermRequest}
	blankID    = backpack.StaffUser{ID: "  ", LEA: "255902", Permissions: backpack.PermView | backpack.PermRequest}
	oldClerk   = backpack.StaffUser{ID: "clerk", LEA: "255901", Permissions: backpack.PermView | backpack.PermRequest}
	farStaff   = backpack.StaffUser{ID: "far", LEA: "255999", Permissions: backpack.PermView | backpack.PermRequest}
	stateStaff = backpack.StaffUser{ID: "enrollment service", LEA: "state", Permissions: backpack.PermHandOff}
	lisaSSID   = "1000604822"
	jerrySSID  = "1000604871"
	dianaSSID  = "1000604855"
	tevitaSSID = "1000777001"
)

// requests returns an empty workflow over an in-memory log.
func requests(t testing.TB) (*backpack.Requests, *backpack.Log) {
	t.Helper()
	log := memLog(t)
	r, err := backpack.NewRequests(log)
	if err != nil {
		t.Fatal(err)
	}
	r.Now = clock()
	return r, log
}

// samples builds the backpacks of the students the sample LEAs share, and Tevita's.
type samples struct{ lisa, jerry, diana, tevita *backpack.Backpack }

func sampleBackpacks(t testing.TB) samples {
	s := newStore(t)
	return samples{build(t, s, "S-lisa", lisaOld, lisaNew), build(t, s, "S-jerry", jerryOld, jerryNew),
		build(t, s, "S-diana", dianaOld, dianaNew), build(t, s, "S-tevita", tevitaNew)}
}

// workflow returns requests at LEA 255902 with one of each state: pending (Lisa),
// forwarded (Jerry), rejected (Diana).
func workflow(t *testing.T) (r *backpack.Requests, log *backpack.Log, bp samples, pending, forwarded, rejected string) {
	t.Helper()
	r, log = requests(t)
	bp = sampleBackpacks(t)
	var ids []string
	for _, ssid := range []string{lisaSSID, jerrySSID, dianaSSID} {
		req, err := r.Submit("255902", "guardian-"+ssid[7:], ssid)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, req.ID)
	}
	if _, err := r.Approve(clerk, ids[1], bp.jerry); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Reject(clerk, ids[2], "the SSID does not match our records"); err != nil {
		t.Fatal(err)
	}
	return r, log, bp, ids[0], ids[1], ids[2]
}

func TestRequestInvalidTransitions(t *testing.T) {
	tests := []struct {
		name       string
		staff      backpack.StaffUser
		which      string // pending, forwarded, rejected or unknown
		reject     bool
		reason     string
		backpack   string // lisa (default), jerry, tevita, unsealed
		transition bool   // a *TransitionError
		denied     bool   // wraps ErrDenied
	}{
		{"approve forwarded", clerk, "forwarded", false, "", "jerry", true, false},
		{"reject forwarded", clerk, "forwarded", true, "changed my mind", "", true, false},
		{"approve rejected", clerk, "rejected", false, "", "", true, false},
		{"reject rejected", clerk, "rejected", true, "again", "", true, false},
		{"approve without PermRequest (view only)", viewer, "pending", false, "", "", false, true},
		{"reject without PermRequest (view only)", viewer, "pending", true, "no", "", false, true},
		{"approve without permissions", nobody, "pending", false, "", "", false, true},
		{"reject without permissions", nobody, "pending", true, "no", "", false, true},
		{"approve by unnamed staff", anonymous, "pending", false, "", "", false, true},
		{"reject by unnamed staff", anonymous, "pending", true, "no", "", false, true},
		{"approve by staff with a blank ID", blankID, "pending", false, "", "", false, true},
		{"approve by staff of another LEA", oldClerk, "pending", false, "", "", false, true},
		{"reject by staff of another LEA", oldClerk, "pending", true, "no", "", false, true},
		{"approve with another student's backpack", clerk, "pending", false, "", "tevita", true, true},
		{"approve with a backpack not built by a Store", clerk, "pending", false, "", "unsealed", true, true},
		{"approve with no backpack", clerk, "pending", false, "", "none", true, true},
		{"approve unknown request", registrar, "unknown", false, "", "", false, true},
		{"reject unknown request", registrar, "unknown", true, "no", "", false, true},
		{"reject without a reason", registrar, "pending", true, "", "", true, false},
		{"reject with a blank reason", registrar, "pending", true, "  \t", "", true, false},
		{"reject forwarded without a reason", registrar, "forwarded", true, "", "", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, log, bp, pending, forwarded, rejected := workflow(t)
			id := map[string]string{"pending": pending, "forwarded": forwarded, "rejected": rejected, "unknown": "R999999"}[tt.which]
			b := map[string]*backpack.Backpack{"": bp.lisa, "jerry": bp.jerry, "tevita": bp.tevita, "unsealed": roundTrip(t, bp.lisa), "none": nil}[tt.backpack]
			before, _ := r.Get(registrar, id)
			entries := len(entriesOf(t, log))
			queue, _ := r.Pending(registrar)
			var err error
			var got backpack.Request
			if tt.reject {
				got, err = r.Reject(tt.staff, id, tt.reason)
			} else {
				got, err = r.Approve(tt.staff, id, b)
			}
			if err == nil {
				t.Fatal("the transition was allowed")
			}
			if got != (backpack.Request{}) {
				t.Errorf("a refused transition returned the request %+v", got)
			}
			var te *backpack.TransitionError
			if errors.As(err, &te) != tt.transition {
				t.Errorf("error %v (%T): *TransitionError %v, want %v", err, err, !tt.transition, tt.transition)
			}
			if te != nil {
				to := backpack.Forwarded
				if tt.reject {
					to = backpack.Rejected
				}
				if te.Request != id || te.From != before.Status || te.To != to || te.Reason == "" {
					t.Errorf("TransitionError %+v; want request %s from %s to %s with a reason", te, id, before.Status, to)
				}
			}
			if errors.Is(err, backpack.ErrDenied) != tt.denied {
				t.Errorf("errors.Is(%v, ErrDenied) = %v, want %v", err, !tt.denied, tt.denied)
			}
			after, _ := r.Get(registrar, id)
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("the request changed (-before +after):\n%s", diff)
			}
			if now, _ := r.Pending(registrar); !cmp.Equal(queue, now) {
				t.Errorf("the pending queue changed: %v → %v", queue, now)
			}
			if n := len(entriesOf(t, log)); n != entries {
				t.Errorf("a refused transition was logged (%d entries, had %d)", n, entries)
			}
		})
	}
}

// roundTrip returns b written as JSON and read back: the same content, not built by a
// Store.
func roundTrip(t testing.TB, b *backpack.Backpack) *backpack.Backpack {
	t.Helper()
	var buf bytes.Buffer
	if err := backpack.WriteJSON(&buf, b); err != nil {
		t.Fatal(err)
	}
	back, err := backpack.ReadBackpack(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func TestRequestTransitions(t *testing.T) {
	r, log, bp, pending, forwarded, rejected := workflow(t)
	if got, _ := r.Pending(clerk); len(got) != 1 || got[0].ID != pending {
		t.Fatalf("pending = %+v", got)
	}
	f, _ := r.Get(clerk, forwarded)
	if f.Status != backpack.Forwarded || f.DecidedBy != "clerk" || f.Decided.IsZero() || f.Reason != "" || f.StudentID != "S-jerry" {
		t.Errorf("forwarded request = %+v", f)
	}
	rj, _ := r.Get(clerk, rejected)
	if rj.Status != backpack.Rejected || rj.DecidedBy != "clerk" || rj.Reason != "the SSID does not match our records" {
		t.Errorf("rejected request = %+v", rj)
	}
	got, err := r.Approve(registrar, pending, bp.lisa)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != backpack.Forwarded || got.DecidedBy != "registrar" || got.StudentID != "S-lisa" {
		t.Errorf("approved = %+v", got)
	}
	if p, _ := r.Pending(clerk); len(p) != 0 {
		t.Errorf("pending after approval: %+v", p)
	}
	// The guardian's copy names neither the internal student ID nor the staff member.
	mine := r.GuardianRequests("guardian-822")
	wantReq := got
	wantReq.StudentID, wantReq.DecidedBy = "", ""
	if diff := cmp.Diff([]backpack.Request{wantReq}, mine); diff != "" {
		t.Errorf("the guardian's requests (-want +got):\n%s", diff)
	}
	if sid, err := r.ForwardedStudent("guardian-822", pending); err != nil || sid != "S-lisa" {
		t.Errorf("ForwardedStudent = %q, %v", sid, err)
	}
	if _, err := r.ForwardedStudent("guardian-other", pending); !errors.Is(err, backpack.ErrDenied) {
		t.Errorf("ForwardedStudent of another guardian's request: %v", err)
	}
	// Three submissions and three decisions, each logged by its actor.
	var lines []string
	for _, e := range entriesOf(t, log) {
		if e.Action != backpack.ActionRequest {
			t.Errorf("entry %+v: action", e)
		}
		lines = append(lines, e.Actor+": "+e.Note)
	}
	want := []string{
		"guardian-822: request R000001 for SSID 1000604822: submitted Retrieve at LEA 255902",
		"guardian-871: request R000002 for SSID 1000604871: submitted Retrieve at LEA 255902",
		"guardian-855: request R000003 for SSID 1000604855: submitted Retrieve at LEA 255902",
		"clerk: request R000002 for SSID 1000604871: approved: backpack of student S-jerry forwarded",
		"clerk: request R000003 for SSID 1000604855: rejected: the SSID does not match our records",
		"registrar: request R000001 for SSID 1000604822: approved: backpack of student S-lisa forwarded",
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	if err := log.Verify(); err != nil {
		t.Error(err)
	}
}

func TestSubmitRefuses(t *testing.T) {
	tests := []struct {
		name, lea, guardian, ssid string
		noSSID                    bool
	}{
		{"no SSID", "255902", "g", "", true},
		{"blank SSID", "255902", "g", "   ", true},
		{"not an ID", "255902", "g", "Lisa Woods", true},
		{"digits mixed with letters", "255902", "g", "10006O4822", true},
		{"zero", "255902", "g", "0", true},
		{"zero in dashes", "255902", "g", "-0-", true},
		{"three digits in slashes", "255902", "g", "1/2/3", true},
		{"placeholder zeros", "255902", "g", "000000000", true},
		{"placeholder nines", "255902", "g", "999-99-9999", true},
		{"placeholder run", "255902", "g", "123456789", true},
		{"too long", "255902", "g", "12345678901234567", true},
		{"no guardian", "255902", "", lisaSSID, false},
		{"blank guardian", "255902", " \t", lisaSSID, false},
		{"NUL guardian", "255902", "\x00", lisaSSID, false},
		{"guardian with a zero-width space", "255902", "mom\u200b", lisaSSID, false},
		{"no LEA", "", "g", lisaSSID, false},
		{"LEA with a control character", "2559\n02", "g", lisaSSID, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, log := requests(t)
			req, err := r.Submit(tt.lea, tt.guardian, tt.ssid)
			if err == nil {
				t.Fatalf("Submit = %+v, want an error", req)
			}
			if errors.Is(err, backpack.ErrNoSSID) != tt.noSSID {
				t.Errorf("errors.Is(%v, ErrNoSSID) = %v", err, !tt.noSSID)
			}
			if len(entriesOf(t, log)) != 0 || len(r.GuardianRequests(tt.guardian)) != 0 {
				t.Error("a refused request was filed or logged")
			}
		})
	}
	r, _ := requests(t)
	req, err := r.Submit("255902", "g", " SSID: 1000-604-822 ")
	if err != nil {
		t.Fatal(err)
	}
	if req.StudentSSID != lisaSSID || req.Status != backpack.Pending || req.Kind != backpack.Retrieve || req.LEA != "255902" {
		t.Errorf("request = %+v", req)
	}
}

func TestRequestKinds(t *testing.T) {
	r, _ := requests(t)
	bp := sampleBackpacks(t)
	step := func(guardian, ssid string, want backpack.RequestKind) string {
		t.Helper()
		req, err := r.Submit("255902", guardian, ssid)
		if err != nil {
			t.Fatal(err)
		}
		if req.Kind != want {
			t.Errorf("%s for %s: kind %s, want %s", guardian, ssid, req.Kind, want)
		}
		return req.ID
	}
	id := step("mom", lisaSSID, backpack.Retrieve)
	step("mom", lisaSSID, backpack.Retrieve) // the first is not yet forwarded
	if _, err := r.Approve(clerk, id, bp.lisa); err != nil {
		t.Fatal(err)
	}
	step("mom", lisaSSID, backpack.Update)
	step("mom", "1000-604-822", backpack.Update) // the same SSID written differently
	step("dad", lisaSSID, backpack.Retrieve)     // another guardian
	step("mom", dianaSSID, backpack.Retrieve)    // another student
	id = step("dad", dianaSSID, backpack.Retrieve)
	if _, err := r.Reject(clerk, id, "not the guardian of record"); err != nil {
		t.Fatal(err)
	}
	step("dad", dianaSSID, backpack.Retrieve) // after a rejection, still Retrieve
	if p, _ := r.Pending(clerk); len(p) != 6 {
		t.Errorf("%d pending, want 6", len(p))
	} else {
		for i := 1; i < len(p); i++ {
			if p[i-1].ID >= p[i].ID || p[i-1].Created.After(p[i].Created) {
				t.Errorf("pending not oldest first: %s before %s", p[i-1].ID, p[i].ID)
			}
		}
	}
}

func TestStaffCan(t *testing.T) {
	tests := []struct {
		staff      backpack.StaffUser
		view, requ bool
	}{
		{registrar, true, true}, {clerk, false, true}, {viewer, true, false}, {nobody, false, false},
	}
	for _, tt := range tests {
		if tt.staff.Can(backpack.PermView) != tt.view || tt.staff.Can(backpack.PermRequest) != tt.requ {
			t.Errorf("%s: Can(view) %v, Can(request) %v", tt.staff.ID, tt.staff.Can(backpack.PermView), tt.staff.Can(backpack.PermRequest))
		}
		if !tt.staff.Can(0) {
			t.Errorf("%s: Can(no permission) is false", tt.staff.ID)
		}
	}
	if s := (backpack.PermView | backpack.PermRequest).String(); !strings.Contains(s, "0x3") {
		t.Errorf("combined permissions print as %q", s)
	}
}

// The attack of the review: a guardian view from a request the caller made up. Nothing
// but the workflow's own approved request, asked for by its guardian with the backpack
// approved, gives a view.
func TestForgedRequests(t *testing.T) {
	r, log, bp, pending, forwarded, _ := workflow(t)
	entries := len(entriesOf(t, log))
	// A Request value claiming to be forwarded is only a copy: the workflow reads its own.
	forged, _ := r.Get(clerk, pending)
	forged.Status, forged.StudentID = backpack.Forwarded, bp.lisa.StudentID
	attempts := []struct {
		name, guardian, id string
		b                  *backpack.Backpack
	}{
		{"pending request, copy set to Forwarded", forged.Guardian, forged.ID, bp.lisa},
		{"made-up request ID", "guardian-822", "R123456", bp.lisa},
		{"forwarded request, another guardian", "guardian-822", forwarded, bp.jerry},
		{"forwarded request, guardian name in another case", "GUARDIAN-871", forwarded, bp.jerry},
		{"forwarded request, another student's backpack", "guardian-871", forwarded, bp.lisa},
		{"forwarded request, backpack read back from JSON", "guardian-871", forwarded, roundTrip(t, bp.jerry)},
		{"forwarded request, backpack changed after Build", "guardian-871", forwarded, func() *backpack.Backpack {
			c := *bp.jerry
			c.Assessments = nil
			return &c
		}()},
		{"forwarded request, no backpack", "guardian-871", forwarded, nil},
		{"forwarded request, NUL guardian", "\x00", forwarded, bp.jerry},
	}
	for _, a := range attempts {
		t.Run(a.name, func(t *testing.T) {
			v, err := r.GuardianView(a.guardian, a.id, a.b)
			if v != nil || !errors.Is(err, backpack.ErrDenied) {
				t.Errorf("GuardianView = %v, %v; want ErrDenied", v, err)
			}
		})
	}
	if n := len(entriesOf(t, log)); n != entries {
		t.Errorf("refused views were logged: %d entries, had %d", n, entries)
	}
	// The real thing works, and is logged.
	v, err := r.GuardianView("guardian-871", forwarded, bp.jerry)
	if err != nil || v.Audience != backpack.AudienceGuardian {
		t.Fatalf("the approved guardian: %v, %v", v, err)
	}
	es := entriesOf(t, log)
	if last := es[len(es)-1]; last.Action != backpack.ActionView || last.Actor != "guardian-871" || last.StudentID != "S-jerry" {
		t.Errorf("the view's audit entry: %+v", last)
	}
}

// Staff may decide only their LEA's requests, see only their LEA's queue, and approve only
// with a backpack of a student enrolled at their LEA.
func TestCrossLEA(t *testing.T) {
	r, _, bp, pending, _, _ := workflow(t)
	if _, err := r.Get(oldClerk, pending); !errors.Is(err, backpack.ErrDenied) {
		t.Errorf("staff of another LEA read the request: %v", err)
	}
	if q, err := r.Pending(oldClerk); err != nil || len(q) != 0 {
		t.Errorf("another LEA's queue holds %v (%v)", q, err)
	}
	_, other := r.Approve(oldClerk, pending, bp.lisa)
	_, unknown := r.Approve(oldClerk, "R999999", bp.lisa)
	if !errors.Is(other, backpack.ErrDenied) || strings.ReplaceAll(other.Error(), pending, "R999999") != unknown.Error() {
		t.Errorf("staff of another LEA tell its request (%v) from a made-up one (%v)", other, unknown)
	}
	// A request at an LEA where the student is not enrolled cannot be approved there.
	req, err := r.Submit("255999", "guardian-x", lisaSSID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Approve(farStaff, req.ID, bp.lisa); !errors.Is(err, backpack.ErrDenied) {
		t.Errorf("approved at an LEA the student never attended: %v", err)
	}
	// Tevita was only at 255902: staff at 255901 may not approve a request for him.
	req, err = r.Submit("255901", "guardian-t", tevitaSSID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Approve(oldClerk, req.ID, bp.tevita); !errors.Is(err, backpack.ErrDenied) {
		t.Errorf("approved for a student of another LEA: %v", err)
	}
}

// A staff member may not decide the request they made as a guardian, whatever case or
// compatibility form (fullwidth letters) the guardian ID is written in.
func TestSelfApproval(t *testing.T) {
	r, _ := requests(t)
	bp := sampleBackpacks(t)
	for _, as := range []string{"clerk", "Clerk", "\uff43lerk", "\uff23\uff2c\uff25\uff32\uff2b", "cler\u212a"} { // ｃlerk, ＣＬＥＲＫ, Kelvin sign
		req, err := r.Submit("255902", as, lisaSSID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Approve(clerk, req.ID, bp.lisa); !errors.Is(err, backpack.ErrDenied) {
			t.Errorf("the guardian %q approved their own request as staff %q: %v", as, clerk.ID, err)
		} else if strings.Count(err.Error(), "backpack:") != 1 {
			t.Errorf("%v: the prefix repeats", err)
		}
		if _, err := r.Reject(clerk, req.ID, "mine"); !errors.Is(err, backpack.ErrDenied) {
			t.Errorf("the guardian %q rejected their own request: %v", as, err)
		}
		if _, err := r.Approve(registrar, req.ID, bp.lisa); err != nil {
			t.Errorf("a colleague approving: %v", err)
		}
	}
}

// Staff see the backpacks of students enrolled at their LEA or handed to it, and every
// view is logged.
func TestStaffViewScope(t *testing.T) {
	r, log := requests(t)
	bp := sampleBackpacks(t)
	tests := []struct {
		name  string
		staff backpack.StaffUser
		b     *backpack.Backpack
		ok    bool
	}{
		{"registrar, own student", registrar, bp.lisa, true},
		{"viewer, own student", viewer, bp.tevita, true},
		{"old LEA, shared student enrolled only at the new LEA", oldClerk, bp.diana, false},
		{"old LEA, student only at the new LEA", oldClerk, bp.tevita, false},
		{"LEA the student never attended", farStaff, bp.lisa, false},
		{"clerk without PermView", clerk, bp.lisa, false},
		{"no permissions", nobody, bp.lisa, false},
		{"unnamed staff", anonymous, bp.lisa, false},
		{"blank staff ID", blankID, bp.lisa, false},
		{"NUL staff ID", backpack.StaffUser{ID: "\x00", LEA: "255902", Permissions: backpack.PermView}, bp.lisa, false},
		{"staff ID with a newline", backpack.StaffUser{ID: "reg\nistrar", LEA: "255902", Permissions: backpack.PermView}, bp.lisa, false},
		{"no LEA", backpack.StaffUser{ID: "x", Permissions: backpack.PermView}, bp.lisa, false},
		{"backpack read back from JSON", registrar, roundTrip(t, bp.lisa), false},
		{"backpack given an enrollment at the staff's LEA", farStaff, func() *backpack.Backpack {
			c := *bp.lisa
			c.Enrollments = append(c.Enrollments, backpack.Fact[backpack.Enrollment]{Fact: backpack.Enrollment{LEA: "255999"}})
			return &c
		}(), false},
		{"no backpack", registrar, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(entriesOf(t, log))
			v, err := r.StaffView(tt.staff, tt.b)
			after := entriesOf(t, log)
			if !tt.ok {
				if v != nil || !errors.Is(err, backpack.ErrDenied) {
					t.Errorf("StaffView = %v, %v; want ErrDenied", v, err)
				}
				if len(after) != before {
					t.Error("a refused view was logged")
				}
				return
			}
			if err != nil || v.Audience != backpack.AudienceStaff || v.StudentID != tt.b.StudentID {
				t.Fatalf("StaffView = %+v, %v", v, err)
			}
			if len(after) != before+1 {
				t.Fatalf("%d entries logged for one view", len(after)-before)
			}
			e := after[before]
			if e.Action != backpack.ActionView || e.Actor != tt.staff.ID || e.StudentID != tt.b.StudentID || !strings.Contains(e.Note, tt.staff.LEA) {
				t.Errorf("view entry %+v", e)
			}
		})
	}
	// Only the state's staff hand backpacks over: an LEA's staff, even with every LEA
	// permission, cannot open another LEA's student to themselves.
	for _, who := range []backpack.StaffUser{farStaff, {ID: "far", LEA: "255999", Permissions: backpack.PermView | backpack.PermRequest}, {ID: "", LEA: "state", Permissions: backpack.PermHandOff}} {
		if err := r.HandOffAs(who, bp.lisa, farStaff.LEA); !errors.Is(err, backpack.ErrDenied) {
			t.Errorf("HandOffAs(%+v) = %v, want ErrDenied", who, err)
		}
	}
	if _, err := r.StaffView(farStaff, bp.lisa); !errors.Is(err, backpack.ErrDenied) {
		t.Errorf("a refused handoff opened Lisa: %v", err)
	}
	// Handed to the far LEA, Lisa's backpack is in its staff's scope.
	if err := r.HandOffAs(stateStaff, bp.lisa, farStaff.LEA); err != nil {
		t.Fatal(err)
	}
	if _, err := r.StaffView(farStaff, bp.lisa); err != nil {
		t.Errorf("after the handoff: %v", err)
	}
	if _, err := r.StaffView(farStaff, bp.jerry); !errors.Is(err, backpack.ErrDenied) {
		t.Errorf("the handoff of Lisa opened Jerry: %v", err)
	}
	for _, bad := range []struct {
		actor, lea string
		b          *backpack.Backpack
	}{{"", "255999", bp.jerry}, {"svc", "\x00", bp.jerry}, {"svc", "255999", roundTrip(t, bp.jerry)}} {
		state := stateStaff
		state.ID = bad.actor
		if err := r.HandOffAs(state, bad.b, bad.lea); err == nil {
			t.Errorf("HandOffAs(%q, %q) accepted", bad.actor, bad.lea)
		}
	}
	if err := log.Verify(); err != nil {
		t.Error(err)
	}
}

// When the audit log cannot record an action, the action does not happen.
func TestActionsNeedTheLog(t *testing.T) {
	if _, err := backpack.NewRequests(nil); err == nil {
		t.Error("NewRequests without a log")
	}
	dir := t.TempDir()
	log, err := backpack.OpenLog(filepath.Join(dir, "a"), filepath.Join(dir, "b"), auditKey)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := backpack.NewRequests(log)
	bp := sampleBackpacks(t)
	req, err := r.Submit("255902", "mom", lisaSSID)
	if err != nil {
		t.Fatal(err)
	}
	log.Close()
	if _, err := r.Submit("255902", "dad", lisaSSID); err == nil {
		t.Error("submitted with a closed log")
	}
	if _, err := r.Approve(clerk, req.ID, bp.lisa); err == nil {
		t.Error("approved with a closed log")
	}
	if got := r.GuardianRequests("mom"); len(got) != 1 || got[0].Status != backpack.Pending {
		t.Errorf("the request changed without its entry: %+v", got)
	}
	if v, err := r.StaffView(registrar, bp.lisa); err == nil || v != nil {
		t.Error("a view without its audit entry")
	}
}

// A workflow or log not made by its constructor refuses every action with an error, not
// a panic, and a zero Log is no log to record to.
func TestZeroValues(t *testing.T) {
	if _, err := backpack.NewRequests(&backpack.Log{}); err == nil {
		t.Error("NewRequests accepted a zero Log")
	}
	if _, err := (&backpack.Log{}).Append(backpack.Entry{Action: "view", Actor: "a"}); err == nil {
		t.Error("a zero Log appended with an empty HMAC key")
	}
	bp := sampleBackpacks(t)
	var r backpack.Requests
	calls := map[string]func() error{
		"Submit":           func() error { _, err := r.Submit("255902", "mom", lisaSSID); return err },
		"Get":              func() error { _, err := r.Get(registrar, "R000001"); return err },
		"Pending":          func() error { _, err := r.Pending(registrar); return err },
		"Approve":          func() error { _, err := r.Approve(registrar, "R000001", bp.lisa); return err },
		"Reject":           func() error { _, err := r.Reject(registrar, "R000001", "no"); return err },
		"HandOffAs":        func() error { return r.HandOffAs(stateStaff, bp.lisa, "255999") },
		"StaffView":        func() error { _, err := r.StaffView(registrar, bp.lisa); return err },
		"GuardianView":     func() error { _, err := r.GuardianView("mom", "R000001", bp.lisa); return err },
		"ForwardedStudent": func() error { _, err := r.ForwardedStudent("mom", "R000001"); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("panicked: %v", p)
				}
			}()
			if err := call(); err == nil {
				t.Error("no error")
			}
		})
	}
	if got := r.GuardianRequests("mom"); got != nil {
		t.Errorf("GuardianRequests = %v", got)
	}
}

// The auditor's look-alike guardians: IDs that render as "clerk" but are other identity
// keys, so that staff member clerk could approve a request "from a guardian" that is
// theirs. Submit refuses each; a staff ID with an invisible character is refused too,
// as the audit log would show it as another.
func TestLookalikeIDsRefused(t *testing.T) {
	r, _ := requests(t)
	bp := sampleBackpacks(t)
	for _, as := range []string{"cl\u034ferk", "clerk\ufe0f", "\u0441lerk", "clerk\u200d"} {
		req, err := r.Submit("255902", as, lisaSSID)
		if err == nil {
			_, approveErr := r.Approve(clerk, req.ID, bp.lisa)
			t.Errorf("guardian %q (renders as clerk) submitted a request; staff clerk's approval: %v", as, approveErr)
		}
	}
	odd := backpack.StaffUser{ID: "registrar\u034f", LEA: "255902", Permissions: backpack.PermView}
	if _, err := r.StaffView(odd, bp.lisa); err == nil {
		t.Errorf("staff ID %q (an invisible CGJ) accepted", odd.ID)
	}
}
