package backpack

import (
	"errors"
	"time"
)

// StudentResource is an Ed-Fi students resource given as values rather than as JSON:
// the fields Import reads from students.json.
type StudentResource struct {
	StudentUniqueID      string
	FirstName            string
	MiddleName           string
	LastSurname          string
	GenerationCodeSuffix string
	BirthDate            string // an Ed-Fi date or date-time
	BirthSexDescriptor   string // a descriptor URI
}

// StudentIdentificationCode is one of the studentIdentificationCodes of an Ed-Fi
// studentEducationOrganizationAssociation, as posted.
type StudentIdentificationCode struct {
	SystemDescriptor string // studentIdentificationSystemDescriptor, a descriptor URI
	AssigningOrg     string // assigningOrganizationIdentificationCode
	Code             string // identificationCode
}

// ImportStudent reads one student given as values: the students resource and, when codes
// are given, a studentEducationOrganizationAssociation of the same student holding those
// identification codes (a State one gives the SSID). Each value is checked and kept
// exactly as Import checks and keeps it from students.json and
// studentEducationOrganizationAssociations.json, without reading or writing JSON; the
// submission's sources name those files under dir. A value Import would refuse is an
// *ImportError naming the resource's file and the field.
func ImportStudent(dir string, opt ImportOptions, st StudentResource, codes []StudentIdentificationCode) (*Submission, error) {
	if opt.LEA == "" {
		return nil, errors.New("backpack: import: ImportOptions.LEA is required")
	}
	im := &importer{opt: opt, sub: &Submission{LEA: opt.LEA, Submitted: opt.Submitted}, records: map[string]int{},
		seen: map[string]*seenStudent{}, now: time.Now()}
	if opt.Now != nil {
		im.now = opt.Now()
	}
	c := im.checks()
	c.date("ImportOptions.Submitted", opt.Submitted, past)
	if c.err != nil {
		return nil, &ImportError{File: dir, Index: -1, Offset: -1, Err: c.err}
	}
	add := func(name string, r resource) error {
		file := dir + "/" + name + ".json"
		if err := r.add(im, Source{LEA: opt.LEA, Submitted: opt.Submitted, File: file}); err != nil {
			return &ImportError{File: file, Index: 0, Offset: -1, Err: err}
		}
		return nil
	}
	if err := add("students", &edfiStudent{StudentUniqueID: st.StudentUniqueID, FirstName: st.FirstName, MiddleName: st.MiddleName,
		LastSurname: st.LastSurname, GenerationCodeSuffix: st.GenerationCodeSuffix, BirthDate: st.BirthDate,
		BirthSexDescriptor: st.BirthSexDescriptor}); err != nil {
		return nil, err
	}
	if len(codes) > 0 {
		a := &edfiStudentEdOrg{StudentReference: studentRef{st.StudentUniqueID}}
		a.IDs = make([]struct {
			System string `json:"studentIdentificationSystemDescriptor"`
			Org    string `json:"assigningOrganizationIdentificationCode"`
			Code   string `json:"identificationCode"`
		}, len(codes))
		for k, x := range codes {
			a.IDs[k].System, a.IDs[k].Org, a.IDs[k].Code = x.SystemDescriptor, x.AssigningOrg, x.Code
		}
		if err := add("studentEducationOrganizationAssociations", a); err != nil {
			return nil, err
		}
	}
	return im.sub, nil
}
