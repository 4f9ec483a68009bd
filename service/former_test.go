package service_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/service"
)

// enrollmentWithExit is enrollment with the association's exit date set.
func enrollmentWithExit(t *testing.T, lea, uid, first, last, birth, sex, ssid, entry, exit string) service.EnrollmentRequest {
	t.Helper()
	r := enrollment(lea, uid, first, "", last, birth, sex, ssid)
	ssa, err := json.Marshal(map[string]any{"studentReference": map[string]string{"studentUniqueId": uid},
		"schoolReference": map[string]int64{"schoolId": schoolOf(lea)}, "entryDate": entry, "exitWithdrawDate": exit,
		"entryGradeLevelDescriptor": "uri://ed-fi.org/GradeLevelDescriptor#" + gradeFor(birth)})
	if err != nil {
		t.Fatal(err)
	}
	r.StudentSchoolAssociation = ssa
	return r
}

func enrolledAt(b *backpack.Backpack, lea string) bool {
	return b != nil && slices.ContainsFunc(b.Enrollments, func(f backpack.Fact[backpack.Enrollment]) bool { return f.Fact.LEA == lea })
}

// An LEA the student left gets no backpack through the enrollment API: not by posting an
// enrollment that ended years ago (LEA 255901 holds Lisa's record, not her enrollment,
// and knows her SSID: the enrollment waits for a reviewer, as she is enrolled at 255902
// now, and once confirmed it is placed, with no backpack), and not by reading or posting
// again its own enrollment once it ended and she enrolled elsewhere. Its staff page stays
// refused either way.
func TestFormerLEAGetsNoBackpack(t *testing.T) {
	t.Run("an enrollment posted with a past exit date", func(t *testing.T) {
		e := newClockedEnv(t, sqliteDB(t), &clock{at: time.Now()}) // sessions run on the wall clock
		lisaID := e.studentOf(lisa)
		staff := e.visitor(t)
		if code, _ := staff.signIn("registrar.255901", e.password("registrar.255901")); code != http.StatusOK {
			t.Fatalf("sign-in: %d", code)
		}
		if code, _ := staff.get("/staff/students/" + lisaID); code != http.StatusForbidden {
			t.Fatalf("the former LEA's staff page before: %d, want 403", code)
		}
		var queued service.EnrollmentResponse
		code, _ := e.call(e.key("255901"), "POST", "/state/v1/enrollments",
			enrollmentWithExit(t, "255901", "604822-past", "Lisa", "Woods", "2008-09-13", "Female", lisaSSID, "2021-08-20", "2022-06-01"), &queued)
		if code != http.StatusAccepted || queued.Outcome != "review" || queued.Backpack != nil {
			t.Errorf("past enrollment: %d outcome %s, backpack %v; want it to wait for a reviewer, no backpack", code, queued.Outcome, queued.Backpack != nil)
		}
		if code, _ := staff.get("/staff/students/" + lisaID); code != http.StatusForbidden {
			t.Errorf("the former LEA's staff page while it waits: %d, want 403", code)
		}
		if code, _ := e.call(e.key(""), "POST", "/state/v1/reviews/"+queued.ReviewID+"/decision", map[string]bool{"same": true}, nil); code != http.StatusOK {
			t.Fatalf("the reviewer's decision: %d", code)
		}
		var got service.EnrollmentResponse
		code, _ = e.call(e.key("255901"), "GET", "/state/v1/enrollments/"+queued.EnrollmentID, nil, &got)
		if code != http.StatusOK || got.Outcome != "match" || got.Backpack != nil || !strings.Contains(got.Note, "ended on 2022-06-01") {
			t.Errorf("past enrollment, confirmed: %d outcome %s, backpack %v, note %q; want the match placed, no backpack, the note naming the exit date",
				code, got.Outcome, got.Backpack != nil, got.Note)
		}
		if code, _ := staff.get("/staff/students/" + lisaID); code != http.StatusForbidden {
			t.Errorf("the former LEA's staff page after: %d, want 403", code)
		}
	})
	t.Run("its own enrollment, ended since", func(t *testing.T) {
		clk := &clock{at: clockStart} // 2025-03-03
		e := newClockedEnv(t, sqliteDB(t), clk)
		req := enrollmentWithExit(t, "03", "L-100", "Lisa", "Woods", "2008-09-13", "Female", lisaSSID, "2024-08-20", "2025-06-13")
		first, _ := enrollConfirmed(t, e, "03", req) // she is enrolled at 255902 too
		if first.Backpack == nil {
			t.Fatalf("enrollment at 03 while open: %+v", first)
		}
		clk.add(200 * 24 * time.Hour) // September 2025: she left 03 in June
		at04, _ := enrollConfirmed(t, e, "04", enrollment("04", "X-9", "Lisa", "", "Woods", "2008-09-13", "Female", lisaSSID))
		if !enrolledAt(at04.Backpack, "04") {
			t.Fatalf("enrollment at 04: %+v", at04)
		}
		var again, repost service.EnrollmentResponse
		if code, _ := e.call(e.key("03"), "GET", "/state/v1/enrollments/"+first.EnrollmentID, nil, &again); code != http.StatusOK || again.Backpack != nil || !strings.Contains(again.Note, "ended on 2025-06-13") {
			t.Errorf("03 reads its ended enrollment: %d, backpack %v (with 04's enrollment: %v), note %q; want no backpack",
				code, again.Backpack != nil, enrolledAt(again.Backpack, "04"), again.Note)
		}
		if code, _ := e.call(e.key("03"), "POST", "/state/v1/enrollments", req, &repost); code != http.StatusOK || repost.Backpack != nil {
			t.Errorf("03 posts its ended enrollment again: %d, backpack %v; want no backpack", code, repost.Backpack != nil)
		}
	})
}
