package service_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/service"
)

// TestPageReadsAudited: the pages that list students, requests or reviews write an
// entry each time they are shown, naming who saw them and what they listed.
func TestPageReadsAudited(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	lisaID := e.studentOf(lisa)
	guardian := e.visitor(t)
	guardian.signIn("guardian.woods", e.password("guardian.woods"))
	guardian.post("/guardian/requests", url.Values{"csrf": {guardian.token("/guardian")}, "ssid": {lisaSSID}})
	request := e.srv.PendingRequests("255902")[0].ID
	staff := e.visitor(t)
	staff.signIn("registrar.255902", e.password("registrar.255902"))
	reviewer := e.visitor(t)
	reviewer.signIn("reviewer", e.password("reviewer"))

	for _, c := range []struct {
		name   string
		who    *visitor
		path   string
		want   audited
		note   []string
		absent string // a student the note must not name
	}{
		{"the staff's list", staff, "/staff", audited{"access", "registrar.255902"}, []string{"GET /staff: ", "of LEA 255902 listed", lisaID}, ""},
		{"the staff's search", staff, "/staff?q=Woods", audited{"access", "registrar.255902"}, []string{`listed for "Woods"`, lisaID}, ""},
		{"a search naming no one", staff, "/staff?q=Zebulon", audited{"access", "registrar.255902"}, []string{"0 student(s) of LEA 255902 listed"}, lisaID},
		{"the requests", staff, "/staff/requests", audited{"access", "registrar.255902"}, []string{"1 pending request(s) of LEA 255902 shown: " + request}, ""},
		{"the review queue", reviewer, "/review", audited{"review", "reviewer"}, []string{"GET /review: queue shown,", "pending"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(e.audit())
			if code, _ := c.who.get(c.path); code != http.StatusOK {
				t.Fatalf("status %d", code)
			}
			after := e.audit()[before:]
			if len(after) != 1 {
				t.Fatalf("%d entries, want 1: %+v", len(after), after)
			}
			if diff := cmp.Diff(c.want, audited{after[0].Action, after[0].Actor}); diff != "" {
				t.Errorf("entry (-want +got):\n%s", diff)
			}
			for _, w := range c.note {
				if !strings.Contains(after[0].Note, w) {
					t.Errorf("note %q lacks %q", after[0].Note, w)
				}
			}
			if c.absent != "" && strings.Contains(after[0].Note, c.absent) {
				t.Errorf("note %q names %s", after[0].Note, c.absent)
			}
		})
	}
}

// TestSearchAuditNamesStudents: a search's and a find's entries carry the IDs of the
// students answered, one entry per student, so that the log says who was told of whom;
// a search naming no one writes one entry without a student.
func TestSearchAuditNamesStudents(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	lisaID := e.studentOf(lisa)
	logan := service.IdentityRequest{FirstName: "Logan", LastSurname: "Stewart", BirthDate: "2005-12-28"}
	loganID := e.studentOf(logan)
	for _, c := range []struct {
		name, path string
		body       any
		want       []string // the entries' students, in order
	}{
		{"a search of two", "/identity/v2/search", []service.IdentityRequest{lisa, logan}, []string{lisaID, loganID}},
		{"a search naming no one", "/identity/v2/search", []service.IdentityRequest{{FirstName: "Zebulon", LastSurname: "Quagmire", BirthDate: "1999-01-01"}}, []string{""}},
		{"a find", "/identity/v2/find", []string{lisaID}, []string{lisaID}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(e.audit())
			if code, _ := e.call(e.key("255902"), "POST", c.path, c.body, nil); code != http.StatusOK {
				t.Fatalf("status %d", code)
			}
			var got []string
			for _, x := range entriesOf(e.audit()[before:], "identity", "") {
				got = append(got, x.StudentID)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("the entries' students (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMergeEntriesSayWhy: every merge entry has a note saying which record joined which
// student and what placed it there: the index at an enrollment, or a reviewer.
func TestMergeEntriesSayWhy(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	lisaID := e.studentOf(lisa)
	var matched service.EnrollmentResponse
	// 255902, where she is enrolled now: matched by the index at once.
	if code, _ := e.call(e.key("255902"), "POST", "/state/v1/enrollments", enrollment("255902", "L-100", "Lisa", "", "Woods", "2008-09-13", "Female", lisaSSID), &matched); code != http.StatusOK {
		t.Fatalf("the enrollment: %d", code)
	}
	near := e.nearOf(lisaID, lisaNear...)
	var queued service.EnrollmentResponse
	e.call(e.key("05"), "POST", "/state/v1/enrollments", enrollment("05", "L-200", near.FirstName, "", near.LastSurname, near.BirthDate, "Female", ""), &queued)
	if queued.ReviewID == "" {
		t.Fatalf("the near enrollment was not queued: %+v", queued)
	}
	if code, _ := e.call(e.key(""), "POST", "/state/v1/reviews/"+queued.ReviewID+"/decision", map[string]bool{"same": true}, nil); code != http.StatusOK {
		t.Fatalf("the decision: %d", code)
	}
	merges := entriesOf(e.audit(), backpack.ActionMerge, lisaID)
	want := map[string][]string{
		"255902/L-100": {"record 255902/L-100 joined student " + lisaID, "enrollment " + matched.EnrollmentID + " at LEA 255902 placed by the index"},
		"05/L-200":     {"record 05/L-200 joined student " + lisaID, "review " + queued.ReviewID + " decided"},
	}
	for record, says := range want {
		i := slices.IndexFunc(merges, func(x backpack.Entry) bool { return slices.Contains(x.Records, record) })
		if i < 0 {
			t.Errorf("no merge entry of %s", record)
			continue
		}
		for _, w := range says {
			if !strings.Contains(merges[i].Note, w) {
				t.Errorf("the merge of %s says %q, lacking %q", record, merges[i].Note, w)
			}
		}
	}
}
