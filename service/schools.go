package service

// The schools of each LEA, as the LEAs' submissions name them (their enrollments'
// schools), so that an enrollment an LEA posts can be held to its own schools: a key
// posting an enrollment at another LEA's school would otherwise put a record in that
// LEA's name into the state's data.

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/studentlink/studentlink/backpack"
)

// schoolKey writes a school or organisation ID for comparison: an ID of digits as its
// number (the roll writes 03001 where Ed-Fi's schoolId is the integer 3001), anything
// else as written.
func schoolKey(id string) string {
	id = strings.TrimSpace(id)
	if n, err := strconv.ParseUint(id, 10, 64); err == nil {
		return strconv.FormatUint(n, 10)
	}
	return id
}

// schoolsOf returns, by school (schoolKey), the LEAs whose submissions enrolled students
// there.
func schoolsOf(subs []*backpack.Submission) map[string][]string {
	out := map[string][]string{}
	for _, sub := range subs {
		for _, e := range sub.Enrollments {
			k, lea := schoolKey(e.SchoolCode()), cmp.Or(e.LEA, sub.LEA)
			if k != "" && !slices.Contains(out[k], lea) {
				out[k] = append(out[k], lea)
			}
		}
	}
	return out
}

// checkSchool checks that an enrollment an LEA posted is at one of its schools: a school
// no submission named is refused as unknown, one of another LEA as not the caller's.
func (s *Server) checkSchool(lea string, sub *backpack.Submission) error {
	for _, e := range sub.Enrollments {
		code := e.SchoolCode()
		leas, known := s.schools[schoolKey(code)]
		switch {
		case !known:
			return fmt.Errorf("studentSchoolAssociation: schoolReference.schoolId: school %s is not a school the state knows of LEA %s (the schools are those of the LEAs' submissions)", code, lea)
		case !slices.Contains(leas, lea):
			return fmt.Errorf("studentSchoolAssociation: schoolReference.schoolId: school %s is a school of LEA %s, not of LEA %s, whose key posted the enrollment", code, strings.Join(leas, ", "), lea)
		}
	}
	return nil
}

// checkEdOrg checks that a posted studentEducationOrganizationAssociation is the
// caller's: its educationOrganizationReference, when given, names the caller's LEA or
// one of its schools.
func (s *Server) checkEdOrg(lea string, raw json.RawMessage) error {
	if v := bytes.TrimSpace(raw); len(v) == 0 || string(v) == "null" {
		return nil
	}
	var seoa struct {
		Ref *struct {
			ID json.Number `json:"educationOrganizationId"`
		} `json:"educationOrganizationReference"`
	}
	if err := json.Unmarshal(raw, &seoa); err != nil {
		return fmt.Errorf("studentEducationOrganizationAssociation: educationOrganizationReference: %v", err)
	}
	if seoa.Ref == nil {
		return nil // the association is the caller's by being posted with its key
	}
	id := schoolKey(seoa.Ref.ID.String())
	if id == schoolKey(lea) || slices.Contains(s.schools[id], lea) {
		return nil
	}
	return fmt.Errorf("studentEducationOrganizationAssociation: educationOrganizationReference.educationOrganizationId: %s is neither LEA %s, whose key posted the enrollment, nor one of its schools", seoa.Ref.ID, lea)
}
