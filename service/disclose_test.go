package service_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/service"
)

// TestSearchDisclosesOnlyWhatWasSent: a search tells an LEA holding no record of a
// candidate only the ID, the score and what it sent (a wrong birth date stays wrong, no
// middle name or sex is added); an LEA holding a record of the student gets the state's
// values.
func TestSearchDisclosesOnlyWhatWasSent(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	lisaID := e.studentOf(lisa)
	rough := service.IdentityRequest{FirstName: "Lisa", LastSurname: "Woods", BirthDate: "2008-09-14"}
	for _, c := range []struct {
		name, lea string
		want      service.IdentityResponse
	}{
		{"an LEA holding no record", "01", service.IdentityResponse{UniqueID: lisaID, FirstName: "Lisa", LastSurname: "Woods", BirthDate: "2008-09-14"}},
		{"an LEA holding a record", "255902", service.IdentityResponse{UniqueID: lisaID, FirstName: "Lisa", MiddleName: "Sybil", LastSurname: "Woods",
			BirthDate: "2008-09-13", SexType: "Female"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := e.search(c.lea, rough)
			if len(got) == 0 || got[0].Score <= 0 {
				t.Fatalf("no scored candidate: %+v", got)
			}
			if diff := cmp.Diff(c.want, got[0], cmpopts.IgnoreFields(service.IdentityResponse{}, "Score")); diff != "" {
				t.Errorf("the candidate (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEnrollmentNeedsSSIDToMatch: an enrollment the index matches on names and dates
// alone (no SSID, or one no record of the student carries) waits for a reviewer and
// gets no backpack, on posting or after; with the student's SSID it is matched at once
// at the LEA where she is enrolled now (255902), and elsewhere waits for a reviewer too
// (see TestEnrolledElsewhereWaitsForReview).
func TestEnrollmentNeedsSSIDToMatch(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	lisaID := e.studentOf(lisa)
	for _, c := range []struct {
		name, lea, uid, ssid string
		status               int
		outcome              string
	}{
		{"no SSID", "01", "K-1", "", http.StatusAccepted, "review"},
		{"another SSID", "01", "K-2", "1999999999", http.StatusAccepted, "review"},
		{"the student's SSID, at another LEA", "01", "K-3", lisaSSID, http.StatusAccepted, "review"},
		{"the student's SSID, at her LEA", "255902", "K-4", lisaSSID, http.StatusOK, "match"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := enrollment(c.lea, c.uid, "Lisa", "Sybil", "Woods", "2008-09-13", "Female", c.ssid)
			var got service.EnrollmentResponse
			code, h := e.call(e.key(c.lea), "POST", "/state/v1/enrollments", req, &got)
			if code != c.status || got.Outcome != c.outcome || (got.Backpack != nil) != (c.outcome == "match") {
				t.Fatalf("posted: %d %s (backpack %v), want %d %s", code, got.Outcome, got.Backpack != nil, c.status, c.outcome)
			}
			var again service.EnrollmentResponse
			if code, _ := e.call(e.key(c.lea), "GET", h.Get("Location"), nil, &again); code != c.status || (again.Backpack != nil) != (c.outcome == "match") {
				t.Errorf("read again: %d, backpack %v", code, again.Backpack != nil)
			}
			handoffs := 0
			for _, x := range entriesOf(e.audit(), backpack.ActionHandoff, lisaID) {
				if x.Note == "backpack handed to LEA "+c.lea {
					handoffs++
				}
			}
			if c.outcome != "match" && handoffs != 0 {
				t.Errorf("Lisa's backpack was handed to LEA %s %d times", c.lea, handoffs)
			}
		})
	}
}
