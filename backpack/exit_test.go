package backpack_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// on returns a Now reading 09:00 UTC on the day, YYYY-MM-DD.
func on(t *testing.T, day string) func() time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		t.Fatal(err)
	}
	return func() time.Time { return d.Add(9 * time.Hour) }
}

// exitEntries returns the log's ActionExit entries, without what the log fills in.
func exitEntries(t *testing.T, log *backpack.Log) []backpack.Entry {
	t.Helper()
	var out []backpack.Entry
	for _, e := range entriesOf(t, log) {
		if e.Action == backpack.ActionExit {
			e.Seq, e.Time, e.Prev, e.Hash = 0, time.Time{}, "", ""
			out = append(out, e)
		}
	}
	return out
}

// An exit recorded after an enrollment was submitted open ends the LEA's scope after its
// date: the LEA's staff view the backpack and approve requests for it up to the exit
// day, and are refused from the day after, as is a handoff to the LEA. Recorded by the
// state, an exit before the one submitted ends the enrollment early. Each is in the log.
func TestRecordExitEndsScope(t *testing.T) {
	moved, _ := scopeBackpacks(t)
	tests := []struct {
		name     string
		by       backpack.StaffUser
		lea      string
		exit     string
		days     map[string]bool // day → in scope
		lastExit string          // named by a refusal
	}{
		{"the LEA's registrar, an open enrollment", backpack.StaffUser{ID: "registrar@200", LEA: "200", Permissions: backpack.PermView},
			"200", "2024-09-05",
			map[string]bool{"2024-09-01": true, "2024-09-04": true, "2024-09-05": true, "2024-09-06": false, "2025-01-01": false}, "2024-09-05"},
		{"the state, before the exit submitted", stateStaff, "300", "2024-12-20",
			map[string]bool{"2024-12-20": true, "2024-12-21": false, "2025-06-05": false}, "2024-12-20"},
		{"the state, on the entry day", stateStaff, "200", "2024-08-20",
			map[string]bool{"2024-08-20": true, "2024-08-21": false}, "2024-08-20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, log := requests(t)
			r.Now = on(t, "2024-09-01")
			if err := r.RecordExit(tt.by, moved, tt.lea, tt.exit); err != nil {
				t.Fatal(err)
			}
			want := []backpack.Entry{{Action: backpack.ActionExit, StudentID: "S-moved", Records: moved.Records, Actor: tt.by.ID,
				Note: "exit from LEA " + tt.lea + " on " + tt.exit + " recorded"}}
			if diff := cmp.Diff(want, exitEntries(t, log)); diff != "" {
				t.Errorf("logged (-want +got):\n%s", diff)
			}
			staff := backpack.StaffUser{ID: "staff@" + tt.lea, LEA: tt.lea, Permissions: backpack.PermView | backpack.PermRequest}
			for day, inScope := range tt.days {
				r.Now = on(t, day)
				_, viewErr := r.StaffView(staff, moved)
				req, err := r.Submit(tt.lea, "guardian", movedSSID)
				if err != nil {
					t.Fatal(err)
				}
				_, approveErr := r.Approve(staff, req.ID, moved)
				handErr := r.HandOffAs(stateStaff, moved, tt.lea)
				got := map[string]bool{"StaffView": viewErr == nil, "Approve": approveErr == nil, "HandOffAs": handErr == nil}
				wantOK := map[string]bool{"StaffView": inScope, "Approve": inScope, "HandOffAs": inScope}
				if diff := cmp.Diff(wantOK, got); diff != "" {
					t.Errorf("on %s, allowed (-want +got):\n%s\nStaffView: %v\nApprove: %v\nHandOffAs: %v", day, diff, viewErr, approveErr, handErr)
				}
				if !inScope {
					why := "student S-moved's enrollments at LEA " + tt.lea + " ended on " + tt.lastExit + ", the exit recorded after the enrollment was submitted"
					if !errors.Is(viewErr, backpack.ErrDenied) || !strings.Contains(viewErr.Error(), why) {
						t.Errorf("on %s, StaffView = %v, want ErrDenied saying %q", day, viewErr, why)
					}
				}
			}
			if err := log.Verify(); err != nil {
				t.Error(err)
			}
		})
	}
}

// Other LEAs keep their scope when one LEA's exit is recorded, and the LEA keeps the
// enrollments the exit did not end: one it entered after the exit (the student came
// back).
func TestRecordExitEndsThatEnrollmentOnly(t *testing.T) {
	moved, _ := scopeBackpacks(t)
	r, _ := requests(t)
	r.Now = on(t, "2024-09-01")
	if err := r.RecordExit(stateStaff, moved, "200", "2024-09-05"); err != nil {
		t.Fatal(err)
	}
	r.Now = on(t, "2024-10-01")
	if _, err := r.StaffView(backpack.StaffUser{ID: "s", LEA: "300", Permissions: backpack.PermView}, moved); err != nil {
		t.Errorf("LEA 300, whose exit was not recorded: %v", err)
	}
	// The student enrolls at LEA 200 again on 2024-09-20: a backpack built since holds
	// the new enrollment, which the exit on 2024-09-05 did not end.
	rec := backpack.RecordID("200", "s1")
	src := backpack.Source{LEA: "200", Record: rec, Submitted: "2024-09-21"}
	store, err := backpack.NewStore(&backpack.Submission{LEA: "200", Submitted: src.Submitted,
		Students: []backpack.StudentRecord{{Record: rec, StudentUniqueID: "s1", SSID: movedSSID, Source: src}},
		Enrollments: []backpack.Enrollment{
			{Record: rec, LEA: "200", SchoolID: 1, EntryDate: "2024-08-20", Source: src},
			{Record: rec, LEA: "200", SchoolID: 2, EntryDate: "2024-09-20", Source: src},
		}})
	if err != nil {
		t.Fatal(err)
	}
	back := build(t, store, "S-moved", rec)
	staff := backpack.StaffUser{ID: "s", LEA: "200", Permissions: backpack.PermView}
	if _, err := r.StaffView(staff, back); err != nil {
		t.Errorf("LEA 200 after the student came back: %v", err)
	}
	if _, err := r.StaffView(staff, moved); !errors.Is(err, backpack.ErrDenied) {
		t.Errorf("LEA 200, the backpack without the new enrollment: %v, want ErrDenied", err)
	}
}

// Recording the same exit again changes nothing and logs nothing more; another date for
// the same student and LEA is refused, naming both, and the first stands.
func TestRecordExitIdempotent(t *testing.T) {
	moved, _ := scopeBackpacks(t)
	r, log := requests(t)
	r.Now = on(t, "2024-09-01")
	registrar := backpack.StaffUser{ID: "registrar@200", LEA: "200", Permissions: backpack.PermView}
	for range 2 {
		if err := r.RecordExit(registrar, moved, "200", "2024-09-05"); err != nil {
			t.Fatal(err)
		}
		if err := r.RecordExit(stateStaff, moved, "200", "2024-09-05"); err != nil {
			t.Fatal(err)
		}
	}
	before := entriesOf(t, log)
	err := r.RecordExit(registrar, moved, "200", "2024-09-30")
	const want = `backpack: exit of student S-moved from LEA 200 on "2024-09-30" refused: an exit on 2024-09-05 is recorded already`
	if err == nil || err.Error() != want {
		t.Errorf("another date: %v, want %q", err, want)
	}
	if diff := cmp.Diff(before, entriesOf(t, log)); diff != "" {
		t.Errorf("the refusal logged (-before +after):\n%s", diff)
	}
	if got := len(exitEntries(t, log)); got != 1 {
		t.Errorf("%d exits logged for one exit recorded four times", got)
	}
	r.Now = on(t, "2024-09-10")
	if _, err := r.StaffView(registrar, moved); !errors.Is(err, backpack.ErrDenied) || !strings.Contains(err.Error(), "ended on 2024-09-05") {
		t.Errorf("after the first exit: %v, want ErrDenied naming it", err)
	}
}

// What RecordExit refuses: staff of another LEA or without the permission, a date that
// is not one, an exit before the entry, an LEA with no enrollment or none left open, a
// backpack not built by a Store, an exit the log cannot record. Nothing is logged and
// the LEA's scope is unchanged.
func TestRecordExitRefuses(t *testing.T) {
	moved, _ := scopeBackpacks(t)
	own := func(lea string) backpack.StaffUser {
		return backpack.StaffUser{ID: "registrar@" + lea, LEA: lea, Permissions: backpack.PermView}
	}
	handMade := *moved
	handMade.Enrollments = nil
	tests := []struct {
		name   string
		staff  backpack.StaffUser
		b      *backpack.Backpack
		lea    string
		exit   string
		denied bool   // wraps ErrDenied
		want   string // a part of the error
	}{
		{"staff of another LEA", own("100"), moved, "200", "2024-09-05", true, "staff registrar@100 of LEA 100 may record exits from LEA 100 only, not from LEA 200"},
		{"staff without PermView", backpack.StaffUser{ID: "r", LEA: "200", Permissions: backpack.PermRequest}, moved, "200", "2024-09-05", true, "lacks the permission to view backpacks"},
		{"staff without an ID", backpack.StaffUser{LEA: "200", Permissions: backpack.PermView}, moved, "200", "2024-09-05", true, ""},
		{"an LEA that is not an ID", stateStaff, moved, "", "2024-09-05", false, "exit refused"},
		{"a date without its zeros", own("200"), moved, "200", "2024-9-5", false, `exit of student S-moved from LEA 200 on "2024-9-5" refused: the exit date is not a date written YYYY-MM-DD`},
		{"a date-time", own("200"), moved, "200", "2024-09-05T00:00:00Z", false, "not a date written YYYY-MM-DD"},
		{"no date", own("200"), moved, "200", "", false, "not a date written YYYY-MM-DD"},
		{"no such day", own("200"), moved, "200", "2024-02-30", false, "not a date written YYYY-MM-DD"},
		{"before the entry", own("200"), moved, "200", "2024-08-19", false, `exit of student S-moved from LEA 200 on "2024-08-19" refused: the exit date is before the entry date 2024-08-20 of its enrollment at school 1`},
		{"an LEA with a record and no enrollment", own("700"), moved, "700", "2024-09-05", false, `exit of student S-moved from LEA 700 on "2024-09-05" refused: the student has no enrollment at LEA 700`},
		{"an LEA that never had the student", stateStaff, moved, "999", "2024-09-05", false, "the student has no enrollment at LEA 999"},
		{"enrollments ended already", own("100"), moved, "100", "2024-07-01", false, "the student's enrollments at LEA 100 ended on 2024-06-01 already"},
		{"a later exit than the one submitted", stateStaff, moved, "300", "2025-07-01", false, "the student's enrollments at LEA 300 ended on 2025-06-05 already"},
		{"an exit date that is not a date", own("600"), moved, "600", "2024-09-05", false, "have exit dates that are not dates"},
		{"a backpack changed after it was built", own("200"), &handMade, "200", "2024-09-05", true, "not built by a Store"},
		{"no backpack", own("200"), nil, "200", "2024-09-05", true, "not built by a Store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, log := requests(t)
			r.Now = on(t, "2024-09-01")
			before := entriesOf(t, log)
			err := r.RecordExit(tt.staff, tt.b, tt.lea, tt.exit)
			if err == nil || errors.Is(err, backpack.ErrDenied) != tt.denied || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("RecordExit = %v; want an error saying %q, ErrDenied %v", err, tt.want, tt.denied)
			}
			if diff := cmp.Diff(before, entriesOf(t, log)); diff != "" {
				t.Errorf("a refusal logged (-before +after):\n%s", diff)
			}
			r.Now = on(t, "2025-01-01")
			if _, err := r.StaffView(own("200"), moved); err != nil {
				t.Errorf("LEA 200 lost its scope: %v", err)
			}
		})
	}
	t.Run("a workflow NewRequests did not make", func(t *testing.T) {
		var r backpack.Requests
		if err := r.RecordExit(stateStaff, moved, "200", "2024-09-05"); err == nil {
			t.Error("a zero Requests recorded an exit")
		}
	})
	t.Run("a log that cannot record it", func(t *testing.T) {
		dir := t.TempDir()
		log, err := backpack.OpenLog(filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor"), auditKey)
		if err != nil {
			t.Fatal(err)
		}
		r, err := backpack.NewRequests(log)
		if err != nil {
			t.Fatal(err)
		}
		r.Now = on(t, "2024-09-01")
		log.Close()
		if err := r.RecordExit(stateStaff, moved, "200", "2024-09-05"); err == nil || !strings.Contains(err.Error(), "closed") {
			t.Fatalf("RecordExit on a closed log = %v", err)
		}
		r.Now = on(t, "2025-01-01")
		if _, err := r.StaffView(own("200"), moved); err == nil || errors.Is(err, backpack.ErrDenied) || !strings.Contains(err.Error(), "closed") {
			t.Errorf("after the unrecorded exit, StaffView = %v: want the scope kept, the view refused by the closed log alone", err)
		}
	})
}

// CurrentLEAs lists the LEAs an enrollment holds the student at on the day, recorded
// exits counted: the LEAs of StaffView's scope that are there by enrollment, not by a
// handoff. RecordedExit and EnrolledAt say what was recorded and where an enrollment is.
func TestCurrentLEAs(t *testing.T) {
	moved, _ := scopeBackpacks(t)
	tests := []struct {
		day  string
		exit string // recorded for LEA 200 before the day, "" for none
		want []string
	}{
		{"2024-09-01", "", []string{"200", "300", "500"}}, // 500 exits that day
		{"2024-09-02", "", []string{"200", "300"}},
		{"2025-06-06", "", []string{"200"}},
		{"2024-09-06", "2024-09-05", []string{"300"}},
		{"2024-09-05", "2024-09-05", []string{"200", "300"}},
	}
	for _, tt := range tests {
		r, _ := requests(t)
		if tt.exit != "" {
			r.Now = on(t, "2024-09-01")
			if err := r.RecordExit(stateStaff, moved, "200", tt.exit); err != nil {
				t.Fatal(err)
			}
		}
		r.Now = on(t, tt.day)
		if diff := cmp.Diff(tt.want, r.CurrentLEAs(moved)); diff != "" {
			t.Errorf("%s, exit %q: current LEAs (-want +got):\n%s", tt.day, tt.exit, diff)
		}
		if got := r.RecordedExit(moved.StudentID, "200"); got != tt.exit {
			t.Errorf("%s: recorded exit %q, want %q", tt.day, got, tt.exit)
		}
		// The same rule as the staff view's scope, LEA by LEA.
		for _, lea := range []string{"100", "200", "300", "500", "600", "700"} {
			staff := backpack.StaffUser{ID: "staff@" + lea, LEA: lea, Permissions: backpack.PermView}
			_, err := r.StaffView(staff, moved)
			current := false
			for _, c := range r.CurrentLEAs(moved) {
				current = current || c == lea
			}
			if (err == nil) != current {
				t.Errorf("%s, exit %q: LEA %s current %v, but its staff view err = %v", tt.day, tt.exit, lea, current, err)
			}
		}
	}
	for lea, want := range map[string]bool{"100": true, "600": true, "700": false, "800": false} {
		if got := moved.EnrolledAt(lea); got != want {
			t.Errorf("EnrolledAt(%s) = %v, want %v", lea, got, want)
		}
	}
}
