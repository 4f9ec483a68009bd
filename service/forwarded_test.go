package service_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/studentlink/studentlink/service"
)

// withAddress gives an enrollment's association a home address.
func withAddress(req service.EnrollmentRequest, street string) service.EnrollmentRequest {
	var seoa map[string]any
	json.Unmarshal(req.StudentEducationOrganizationAssociation, &seoa)
	seoa["addresses"] = []map[string]string{{"addressTypeDescriptor": "uri://ed-fi.org/AddressTypeDescriptor#Home",
		"streetNumberName": street, "city": "Provo", "stateAbbreviationDescriptor": "uri://ed-fi.org/StateAbbreviationDescriptor#UT", "postalCode": "84601"}}
	req.StudentEducationOrganizationAssociation, _ = json.Marshal(seoa)
	return req
}

// approveLatest has the registrar of LEA 255902 approve its oldest pending request.
func approveLatest(t *testing.T, e *env, staff *visitor) {
	t.Helper()
	pending := e.srv.PendingRequests("255902")
	if len(pending) != 1 {
		t.Fatalf("%d pending requests, want 1", len(pending))
	}
	if code, _ := staff.post("/staff/requests/"+pending[0].ID+"/approve", url.Values{"csrf": {staff.token("/staff")}}); code != http.StatusOK {
		t.Fatalf("approving %s: %d", pending[0].ID, code)
	}
}

// TestGuardianSeesWhatWasApproved: the guardian sees the backpack as it was when staff
// approved the request, also after a restart; a record another LEA enrolls later (a new
// address) reaches the guardian only when an Update Backpack request is approved.
func TestGuardianSeesWhatWasApproved(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		e := newEnv(t, db)
		guardian := e.visitor(t)
		guardian.signIn("guardian.woods", e.password("guardian.woods"))
		staff := e.visitor(t)
		staff.signIn("registrar.255902", e.password("registrar.255902"))
		request := func() {
			t.Helper()
			if code, _ := guardian.post("/guardian/requests", url.Values{"csrf": {guardian.token("/guardian")}, "ssid": {lisaSSID}}); code != http.StatusOK {
				t.Fatalf("the guardian's request: %d", code)
			}
		}
		page := func() string {
			t.Helper()
			code, body := guardian.get("/guardian")
			if code != http.StatusOK {
				t.Fatalf("the guardian's page: %d", code)
			}
			return body
		}

		request()
		approveLatest(t, e, staff)
		approved := page()
		if !strings.Contains(approved, "Forwarded") || !strings.Contains(approved, "Demographics") {
			t.Fatalf("the approved backpack is not shown:\n%s", approved)
		}

		later := withAddress(enrollment("03", "L-300", "Lisa", "", "Woods", "2008-09-13", "Female", lisaSSID), "77 Later Lane")
		enrollConfirmed(t, e, "03", later) // she is enrolled at 255902: a reviewer confirms it
		if now := page(); now != approved {
			t.Errorf("the page changed without an approval; it shows the later address: %v", strings.Contains(now, "Later Lane"))
		}
		e.restart()
		if now := page(); now != approved {
			t.Errorf("after a restart the page is not the approved one; it shows the later address: %v", strings.Contains(now, "Later Lane"))
		}

		request() // Update Backpack
		if now := page(); strings.Contains(now, "Later Lane") || !strings.Contains(now, "Update") {
			t.Errorf("while the update waits, the page shows the later address or no pending update")
		}
		approveLatest(t, e, staff)
		if now := page(); !strings.Contains(now, "77 Later Lane") {
			t.Errorf("the approved update does not show the later address")
		}
	})
}
