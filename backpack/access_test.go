package backpack_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

var (
	clerk     = backpack.StaffUser{ID: "clerk", LEA: "255902", Permissions: backpack.PermRequest}
	registrar = backpack.StaffUser{ID: "registrar", LEA: "255902", Permissions: backpack.PermView | backpack.PermRequest}
	viewer    = backpack.StaffUser{ID: "viewer", LEA: "255902", Permissions: backpack.PermView}
	nobody    = backpack.StaffUser{ID: "nobody", LEA: "255902"}
	anonymous = backpack.StaffUser{LEA: "255902", Permissions: backpack.PermView | backpack.PermRequest}
	blankID   = backpack.StaffUser{ID: "  ", LEA: "255902", Permissions: backpack.PermView | backpack.PermRequest}
)

// workflow returns requests with one of each state: pending, forwarded, rejected.
func workflow(t *testing.T) (r *backpack.Requests, log *backpack.Log, pending, forwarded, rejected string) {
	t.Helper()
	log, _ = backpack.NewLog()
	log.Now = clock()
	r = backpack.NewRequests(log)
	r.Now = clock()
	var ids []string
	for _, ssid := range []string{"1000604822", "1000604871", "1000604855"} {
		req, err := r.Submit("guardian-"+ssid[7:], ssid)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, req.ID)
	}
	if _, err := r.Approve(clerk, ids[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Reject(clerk, ids[2], "the SSID does not match our records"); err != nil {
		t.Fatal(err)
	}
	return r, log, ids[0], ids[1], ids[2]
}

func TestRequestInvalidTransitions(t *testing.T) {
	tests := []struct {
		name       string
		staff      backpack.StaffUser
		which      string // pending, forwarded, rejected or unknown
		reject     bool
		reason     string
		transition bool // a *TransitionError
		denied     bool // wraps ErrDenied
	}{
		{"approve forwarded", clerk, "forwarded", false, "", true, false},
		{"reject forwarded", clerk, "forwarded", true, "changed my mind", true, false},
		{"approve rejected", clerk, "rejected", false, "", true, false},
		{"reject rejected", clerk, "rejected", true, "again", true, false},
		{"approve without PermRequest (view only)", viewer, "pending", false, "", true, true},
		{"reject without PermRequest (view only)", viewer, "pending", true, "no", true, true},
		{"approve without permissions", nobody, "pending", false, "", true, true},
		{"reject without permissions", nobody, "pending", true, "no", true, true},
		{"approve by unnamed staff", anonymous, "pending", false, "", true, true},
		{"reject by unnamed staff", anonymous, "pending", true, "no", true, true},
		{"approve by staff with a blank ID", blankID, "pending", false, "", true, true},
		{"approve unknown request", registrar, "unknown", false, "", false, false},
		{"reject unknown request", registrar, "unknown", true, "no", false, false},
		{"reject without a reason", registrar, "pending", true, "", true, false},
		{"reject with a blank reason", registrar, "pending", true, "  \t", true, false},
		{"reject forwarded without a reason", registrar, "forwarded", true, "", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, log, pending, forwarded, rejected := workflow(t)
			id := map[string]string{"pending": pending, "forwarded": forwarded, "rejected": rejected, "unknown": "R999999"}[tt.which]
			before, known := r.Get(id)
			entries := len(log.Entries())
			queue := r.Pending()
			var err error
			if tt.reject {
				_, err = r.Reject(tt.staff, id, tt.reason)
			} else {
				_, err = r.Approve(tt.staff, id)
			}
			if err == nil {
				t.Fatal("the transition was allowed")
			}
			var te *backpack.TransitionError
			if errors.As(err, &te) != tt.transition {
				t.Errorf("error %v (%T): *TransitionError %v, want %v", err, err, !tt.transition, tt.transition)
			}
			if te != nil && known {
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
			after, _ := r.Get(id)
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("the request changed (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(queue, r.Pending()); diff != "" {
				t.Errorf("the pending queue changed (-before +after):\n%s", diff)
			}
			if n := len(log.Entries()); n != entries {
				t.Errorf("a refused transition was logged (%d entries, had %d)", n, entries)
			}
		})
	}
}

func TestRequestTransitions(t *testing.T) {
	r, log, pending, forwarded, rejected := workflow(t)
	if got := r.Pending(); len(got) != 1 || got[0].ID != pending {
		t.Fatalf("pending = %+v", got)
	}
	f, _ := r.Get(forwarded)
	if f.Status != backpack.Forwarded || f.DecidedBy != "clerk" || f.Decided.IsZero() || f.Reason != "" {
		t.Errorf("forwarded request = %+v", f)
	}
	rj, _ := r.Get(rejected)
	if rj.Status != backpack.Rejected || rj.DecidedBy != "clerk" || rj.Reason != "the SSID does not match our records" {
		t.Errorf("rejected request = %+v", rj)
	}
	got, err := r.Approve(registrar, pending)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != backpack.Forwarded || got.DecidedBy != "registrar" {
		t.Errorf("approved = %+v", got)
	}
	if len(r.Pending()) != 0 {
		t.Errorf("pending after approval: %+v", r.Pending())
	}
	// Three submissions and three decisions, each logged by its actor.
	var lines []string
	for _, e := range log.Entries() {
		if e.Action != backpack.ActionRequest {
			t.Errorf("entry %+v: action", e)
		}
		lines = append(lines, e.Actor+": "+e.Note)
	}
	want := []string{
		"guardian-822: request R000001 for SSID 1000604822: submitted Retrieve",
		"guardian-871: request R000002 for SSID 1000604871: submitted Retrieve",
		"guardian-855: request R000003 for SSID 1000604855: submitted Retrieve",
		"clerk: request R000002 for SSID 1000604871: approved: forwarded",
		"clerk: request R000003 for SSID 1000604855: rejected: the SSID does not match our records",
		"registrar: request R000001 for SSID 1000604822: approved: forwarded",
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	if err := backpack.VerifyHead(log.Entries(), log.Head()); err != nil {
		t.Error(err)
	}
}

func TestSubmitRefuses(t *testing.T) {
	tests := []struct {
		name, guardian, ssid string
		noSSID               bool
	}{
		{"no SSID", "g", "", true},
		{"blank SSID", "g", "   ", true},
		{"not an ID", "g", "Lisa Woods", true},
		{"digits mixed with letters", "g", "10006O4822", true},
		{"no guardian", "", "1000604822", false},
		{"blank guardian", " \t", "1000604822", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, _ := backpack.NewLog()
			r := backpack.NewRequests(log)
			req, err := r.Submit(tt.guardian, tt.ssid)
			if err == nil {
				t.Fatalf("Submit = %+v, want an error", req)
			}
			if errors.Is(err, backpack.ErrNoSSID) != tt.noSSID {
				t.Errorf("errors.Is(%v, ErrNoSSID) = %v", err, !tt.noSSID)
			}
			if len(log.Entries()) != 0 || len(r.Pending()) != 0 {
				t.Error("a refused request was filed or logged")
			}
		})
	}
	r := backpack.NewRequests(nil)
	req, err := r.Submit("g", " SSID: 1000-604-822 ")
	if err != nil {
		t.Fatal(err)
	}
	if req.StudentSSID != "1000604822" || req.Status != backpack.Pending || req.Kind != backpack.Retrieve {
		t.Errorf("request = %+v", req)
	}
}

func TestRequestKinds(t *testing.T) {
	r := backpack.NewRequests(nil)
	r.Now = clock()
	step := func(guardian, ssid string, want backpack.RequestKind) string {
		t.Helper()
		req, err := r.Submit(guardian, ssid)
		if err != nil {
			t.Fatal(err)
		}
		if req.Kind != want {
			t.Errorf("%s for %s: kind %s, want %s", guardian, ssid, req.Kind, want)
		}
		return req.ID
	}
	id := step("mom", "111", backpack.Retrieve)
	step("mom", "111", backpack.Retrieve) // the first is not yet forwarded
	if _, err := r.Approve(clerk, id); err != nil {
		t.Fatal(err)
	}
	step("mom", "111", backpack.Update)
	step("mom", "1-1-1", backpack.Update) // the same SSID written differently
	step("dad", "111", backpack.Retrieve) // another guardian
	step("mom", "222", backpack.Retrieve) // another student
	id = step("dad", "222", backpack.Retrieve)
	if _, err := r.Reject(clerk, id, "not the guardian of record"); err != nil {
		t.Fatal(err)
	}
	step("dad", "222", backpack.Retrieve) // after a rejection, still Retrieve
	if p := r.Pending(); len(p) != 6 {
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

// TestRequestAtAnotherLEA: staff may decide only the requests made at their own LEA.
func TestRequestAtAnotherLEA(t *testing.T) {
	rs := backpack.NewRequests(nil)
	req, err := rs.SubmitTo("255902", "parent@example.org", "1000604822")
	if err != nil {
		t.Fatal(err)
	}
	other := backpack.StaffUser{ID: "clerk", LEA: "255901", Permissions: backpack.PermRequest}
	_, err = rs.Approve(other, req.ID)
	var te *backpack.TransitionError
	if !errors.As(err, &te) || !errors.Is(err, backpack.ErrDenied) {
		t.Fatalf("staff of another LEA approved: %v", err)
	}
	if got, _ := rs.Get(req.ID); got.Status != backpack.Pending {
		t.Errorf("status %s after a refused approval, want Pending", got.Status)
	}
	own := backpack.StaffUser{ID: "registrar", LEA: "255902", Permissions: backpack.PermRequest}
	if got, err := rs.Approve(own, req.ID); err != nil || got.Status != backpack.Forwarded {
		t.Errorf("own LEA's staff: %v, %v", got.Status, err)
	}
}
