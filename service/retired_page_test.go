package service_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/studentlink/studentlink/service"
)

// The staff page refuses another LEA's student by the ID as asked: given a retired ID,
// it named the survivor the retired ID was merged into (two IDs of one child, told to
// an LEA holding no record of either), and its text told a retired ID from one that
// never existed.
func TestStaffPageRefusalNamesTheIDAsAsked(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	key := e.key("255902")
	ofa := service.IdentityRequest{FirstName: "Ofa", LastSurname: "Vainikolo", BirthDate: "2015-03-09", SexType: "Female"}
	var survivor, retired string
	e.call(key, "POST", "/identity/v2/identities", ofa, &survivor)
	near := e.nearOf(survivor,
		service.IdentityRequest{FirstName: "O.", LastSurname: "Vainikool", BirthDate: "2015-09-03", SexType: "Female"},
		service.IdentityRequest{FirstName: "O.", LastSurname: "Vainikolo", BirthDate: "2016-03-09", SexType: "Female"},
		service.IdentityRequest{FirstName: "O.", LastSurname: "Vainikool", BirthDate: "2015-03-09", SexType: "Female"})
	e.call(key, "POST", "/identity/v2/identities", near, &retired)
	var queue struct{ Reviews []service.ReviewItem }
	e.call(e.key(""), "GET", "/state/v1/reviews", nil, &queue)
	i := slices.IndexFunc(queue.Reviews, func(r service.ReviewItem) bool {
		return r.A.StudentUniqueID == retired && r.B.StudentUniqueID == survivor
	})
	if i < 0 {
		t.Fatalf("no review of %s and %s in %+v", retired, survivor, queue.Reviews)
	}
	e.call(e.key(""), "POST", "/state/v1/reviews/"+queue.Reviews[i].ReviewID+"/decision", map[string]bool{"same": true}, nil)

	u := e.visitor(t)
	u.signIn("registrar.255901", e.password("registrar.255901"))
	refusal := regexp.MustCompile(`Refused: [^<]*`)
	asked := func(id string) string {
		code, body := u.get("/staff/students/" + id)
		if code != http.StatusForbidden {
			t.Fatalf("GET /staff/students/%s: %d, want 403", id, code)
		}
		if strings.Contains(body, survivor) {
			t.Errorf("GET /staff/students/%s names the survivor %s", id, survivor)
		}
		return strings.ReplaceAll(refusal.FindString(body), id, "ID")
	}
	if got, never := asked(retired), asked("S-doesnotexist"); got != never || got == "" {
		t.Errorf("refusals differ (or are empty):\nretired: %q\nnever:   %q", got, never)
	}
}
