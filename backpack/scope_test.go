package backpack_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// movedSSID is the SSID of the student who moved in scopeBackpacks.
const movedSSID = "1000900001"

// scopeBackpacks builds one student's backpacks for the scope audit, the requests'
// clock (clock) reading 2024-09-01. moved holds enrollments: at LEA 100 (the former LEA:
// two enrollments, the last exited 2024-06-01), at LEA 200 (the new LEA, open, with the
// new address), at LEA 300 (exiting 2025-06-05, in the future), at LEA 500 (exiting
// 2024-09-01, today) and at LEA 600 (an exit date that is not a date), and LEA 700's
// record without an enrollment. demographics holds the records of LEAs 100 and 200 and
// no enrollment.
func scopeBackpacks(t *testing.T) (moved, demographics *backpack.Backpack) {
	t.Helper()
	sub := func(lea, street string, enrollments ...[2]string) *backpack.Submission {
		rec := backpack.RecordID(lea, "s1")
		src := backpack.Source{LEA: lea, Record: rec, Submitted: "2024-08-30"}
		s := &backpack.Submission{LEA: lea, Submitted: src.Submitted, Students: []backpack.StudentRecord{{
			Record: rec, StudentUniqueID: "s1", FirstName: "Ana", LastSurname: "Moved", BirthDate: "2012-03-04",
			SSID: movedSSID, Address: backpack.Address{Street: street, City: "Provo", State: "UT"}, Source: src}}}
		for _, e := range enrollments {
			s.Enrollments = append(s.Enrollments, backpack.Enrollment{Record: rec, LEA: lea, SchoolID: 1,
				EntryDate: e[0], ExitDate: e[1], Source: src})
		}
		return s
	}
	store, err := backpack.NewStore(
		sub("100", "1 Old Rd", [2]string{"2021-08-23", "2022-06-01"}, [2]string{"2022-08-22", "2024-06-01"}),
		sub("200", "9 New St", [2]string{"2024-08-20", ""}),
		sub("300", "3 Part Way", [2]string{"2024-08-20", "2025-06-05"}),
		sub("500", "5 Last Day", [2]string{"2023-08-20", "2024-09-01"}),
		sub("600", "6 Odd Ln", [2]string{"2023-08-20", "June 1st"}),
		&backpack.Submission{LEA: "700", Students: []backpack.StudentRecord{{Record: "700/s1", StudentUniqueID: "s1",
			SSID: movedSSID, Source: backpack.Source{LEA: "700", Record: "700/s1"}}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	moved = build(t, store, "S-moved", "100/s1", "200/s1", "300/s1", "500/s1", "600/s1", "700/s1")
	store, err = backpack.NewStore(sub("100", "1 Old Rd"), sub("200", "9 New St"))
	if err != nil {
		t.Fatal(err)
	}
	demographics = build(t, store, "S-demographics", "100/s1", "200/s1")
	return moved, demographics
}

// A student's scope is where they are now: staff of an LEA the student left (every
// enrollment there exited before today) neither view the backpack, with the new LEA's
// address, nor approve a guardian request filed there; staff of an LEA with an open
// enrollment (no exit date, exiting today or later) or one the backpack was handed to
// do. A backpack without enrollments says nothing of which LEA is current: every LEA that
// sent a record stays in scope.
func TestStaffScopeIsCurrent(t *testing.T) {
	moved, demographics := scopeBackpacks(t)
	tests := []struct {
		name string
		lea  string
		b    *backpack.Backpack
		why  string // a part of the refusal; "" when allowed
	}{
		{"former LEA, enrollments exited", "100", moved, "student S-moved's enrollments at LEA 100 ended on 2024-06-01"},
		{"new LEA, open enrollment", "200", moved, ""},
		{"enrollment exiting in the future", "300", moved, ""},
		{"handed to the LEA", "400", moved, ""},
		{"enrollment exiting today", "500", moved, ""},
		{"exit date that is not a date", "600", moved, `exit date "June 1st" that is not a date`},
		{"LEA that sent a record and no enrollment", "700", moved, "LEA 700 submitted a record of student S-moved but no enrollment"},
		{"LEA that never had the student", "999", moved, "neither enrolled at LEA 999 nor handed to it"},
		{"demographics only, one LEA that sent a record", "100", demographics, ""},
		{"demographics only, the other LEA", "200", demographics, ""},
		{"demographics only, LEA that never had the student", "999", demographics, "neither enrolled at LEA 999 nor handed to it"},
	}
	type outcome struct {
		View, Approve bool // allowed
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, log := requests(t)
			if err := r.HandOffAs(stateStaff, moved, "400"); err != nil {
				t.Fatal(err)
			}
			staff := backpack.StaffUser{ID: "staff@" + tt.lea, LEA: tt.lea, Permissions: backpack.PermView | backpack.PermRequest}
			req, err := r.Submit(tt.lea, "guardian", movedSSID)
			if err != nil {
				t.Fatal(err)
			}
			before := len(entriesOf(t, log))
			v, viewErr := r.StaffView(staff, tt.b)
			approved, approveErr := r.Approve(staff, req.ID, tt.b)
			ok := tt.why == ""
			if diff := cmp.Diff(outcome{ok, ok}, outcome{viewErr == nil, approveErr == nil}); diff != "" {
				t.Fatalf("allowed (-want +got):\n%s\nStaffView: %v\nApprove: %v", diff, viewErr, approveErr)
			}
			if ok {
				if v.Audience != backpack.AudienceStaff || v.StudentID != tt.b.StudentID || approved.Status != backpack.Forwarded || approved.StudentID != tt.b.StudentID {
					t.Errorf("StaffView = %+v; Approve = %+v", v, approved)
				}
				if got := len(entriesOf(t, log)) - before; got != 2 {
					t.Errorf("%d entries logged for a view and an approval", got)
				}
				return
			}
			var te *backpack.TransitionError
			if !errors.As(approveErr, &te) {
				t.Errorf("Approve = %v, want a *TransitionError", approveErr)
			}
			for what, err := range map[string]error{"StaffView": viewErr, "Approve": approveErr} {
				if !errors.Is(err, backpack.ErrDenied) || !strings.Contains(err.Error(), tt.why) {
					t.Errorf("%s = %v; want ErrDenied saying %q", what, err, tt.why)
				}
			}
			if v != nil {
				t.Errorf("StaffView gave %+v", v)
			}
			if got := len(entriesOf(t, log)); got != before {
				t.Errorf("%d entries logged for refusals", got-before)
			}
			if got, err := r.Get(staff, req.ID); err != nil || got.Status != backpack.Pending {
				t.Errorf("after the refusal the request is %+v (%v), want it Pending", got, err)
			}
		})
	}
}

// A handoff lasts while the LEA's enrollment does: the state hands nothing to an LEA
// whose enrollments all ended (an enrollment posted with an exit date in the past), and
// a backpack handed to an LEA is out of its staff's scope once its enrollments end.
func TestHandoffEndsWithTheEnrollment(t *testing.T) {
	moved, _ := scopeBackpacks(t)
	r, log := requests(t)
	before := len(entriesOf(t, log))
	err := r.HandOffAs(stateStaff, moved, "100")
	if !errors.Is(err, backpack.ErrDenied) || !strings.Contains(err.Error(), "handoff to LEA 100 refused: student S-moved's enrollments at LEA 100 ended on 2024-06-01") {
		t.Errorf("handoff to the former LEA: %v, want ErrDenied naming its last exit date", err)
	}
	if got := len(entriesOf(t, log)); got != before {
		t.Errorf("%d entries logged for a refused handoff", got-before)
	}
	if err := r.HandOffAs(stateStaff, moved, "300"); err != nil {
		t.Fatalf("handoff to an LEA whose enrollment exits next year: %v", err)
	}
	staff := backpack.StaffUser{ID: "staff@300", LEA: "300", Permissions: backpack.PermView}
	if _, err := r.StaffView(staff, moved); err != nil {
		t.Fatalf("view before the exit date: %v", err)
	}
	r.Now = func() time.Time { return time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC) }
	if _, err := r.StaffView(staff, moved); !errors.Is(err, backpack.ErrDenied) || !strings.Contains(err.Error(), "ended on 2025-06-05") {
		t.Errorf("view after the exit date, the backpack handed: %v, want ErrDenied", err)
	}
}
