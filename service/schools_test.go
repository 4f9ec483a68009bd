package service_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/studentlink/studentlink/service"
)

// atSchool is an enrollment of a new student at a school given, with the association's
// education organisation (0: none named).
func atSchool(uid, family string, school, edOrg int64) service.EnrollmentRequest {
	req := enrollment("01", uid, "Ana", "", family, "2012-03-04", "Female", "")
	ssa, _ := json.Marshal(map[string]any{"studentReference": map[string]string{"studentUniqueId": uid},
		"schoolReference": map[string]int64{"schoolId": school}, "entryDate": "2024-08-20"})
	req.StudentSchoolAssociation = ssa
	if edOrg != 0 {
		seoa, _ := json.Marshal(map[string]any{"studentReference": map[string]string{"studentUniqueId": uid},
			"educationOrganizationReference": map[string]int64{"educationOrganizationId": edOrg}})
		req.StudentEducationOrganizationAssociation = seoa
	}
	return req
}

// TestEnrollmentSchoolScope: an LEA enrolls students only at its own schools (those its
// submissions named), and names only itself or one of its schools as the association's
// education organisation; refusals name the field and the school, and store nothing.
func TestEnrollmentSchoolScope(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	for _, c := range []struct {
		name   string
		req    service.EnrollmentRequest
		status int
		msg    []string // the message holds each
	}{
		{"its own school", atSchool("A-1", "Quispe", 1001, 0), http.StatusCreated, nil},
		{"its own school, itself as organisation", atSchool("A-2", "Mamani", 1002, 1), http.StatusCreated, nil},
		{"its own school as organisation", atSchool("A-3", "Huaman", 1003, 1003), http.StatusCreated, nil},
		{"another LEA's school", atSchool("A-4", "Condori", 255901107, 0), http.StatusBadRequest,
			[]string{"schoolReference.schoolId", "school 255901107 is a school of LEA 255901, not of LEA 01"}},
		{"an unknown school", atSchool("A-5", "Apaza", 990001, 0), http.StatusBadRequest,
			[]string{"schoolReference.schoolId", "school 990001 is not a school the state knows"}},
		{"another LEA as organisation", atSchool("A-6", "Ccama", 1001, 255901), http.StatusBadRequest,
			[]string{"educationOrganizationReference.educationOrganizationId", "255901 is neither LEA 01"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			body, _ := json.Marshal(c.req)
			status, _, msg := rawCall(t, e, e.key("01"), "POST", "/state/v1/enrollments", string(body))
			if status != c.status {
				t.Fatalf("status %d %q, want %d", status, msg, c.status)
			}
			for _, w := range c.msg {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
	counts, err := e.srv.Counts(t.Context(), "01/A-")
	if err != nil {
		t.Fatal(err)
	}
	if counts.Enrollments != 3 {
		t.Errorf("%d enrollments stored, want the 3 accepted", counts.Enrollments)
	}
}
