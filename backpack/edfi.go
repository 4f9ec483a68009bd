package backpack

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/studentlink/studentlink/normalize"
)

// ImportOptions configure Import.
type ImportOptions struct {
	// LEA is the submitting LEA's ID; required.
	LEA string
	// Submitted is the submission date given to resources without a _lastModifiedDate.
	Submitted string
	// Descriptors maps descriptor URIs (a state's own namespaces) to code values. A URI not
	// in it maps to the text after its '#'.
	Descriptors map[string]string
}

// ImportError is a resource that could not be read: its file, its index in the file's
// array, and why. The other resources are imported.
type ImportError struct {
	File  string
	Index int // -1 when the whole file is unreadable
	Err   error
}

func (e *ImportError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("backpack: %s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("backpack: %s[%d]: %v", e.File, e.Index, e.Err)
}

func (e *ImportError) Unwrap() error { return e.Err }

// Resource files Import reads, each optional.
var resourceFiles = []string{
	"students", "studentEducationOrganizationAssociations", "studentSchoolAssociations",
	"sections", "studentSectionAssociations", "grades", "courseTranscripts",
	"studentSectionAttendanceEvents", "studentSchoolAttendanceEvents", "staffs",
	"staffSectionAssociations", "credentials", "studentAssessments",
}

// Import reads one LEA's Ed-Fi ODS/API JSON resource files from dir in fsys: each file
// (students.json, studentSchoolAssociations.json, …) holds an array of resources as the
// API serves them. Missing files are fine, a missing dir is an *ImportError with Index -1.
// A malformed resource is reported as an *ImportError with its file and index and
// skipped; the returned errors list every one.
// Descriptor URIs become code values; sex, grade levels and dates are checked with
// package normalize.
func Import(fsys fs.FS, dir string, opt ImportOptions) (*Submission, []error) {
	if opt.LEA == "" {
		return nil, []error{errors.New("backpack: import: ImportOptions.LEA is required")}
	}
	im := &importer{opt: opt, sub: &Submission{LEA: opt.LEA, Submitted: opt.Submitted}, seoa: map[string]int{}}
	if fi, err := fs.Stat(fsys, dir); err != nil || !fi.IsDir() {
		if err == nil {
			err = errors.New("not a directory")
		}
		return im.sub, []error{&ImportError{File: dir, Index: -1, Err: err}}
	}
	for _, name := range resourceFiles {
		file := path.Join(dir, name+".json")
		data, err := fs.ReadFile(fsys, file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			im.errs = append(im.errs, &ImportError{File: file, Index: -1, Err: err})
			continue
		}
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			im.errs = append(im.errs, &ImportError{File: file, Index: -1, Err: fmt.Errorf("not a JSON array of resources: %w", err)})
			continue
		}
		for i, raw := range items {
			src := Source{LEA: opt.LEA, Submitted: opt.Submitted, File: file, Index: i}
			if err := im.resource(name, raw, src); err != nil {
				im.errs = append(im.errs, &ImportError{File: file, Index: i, Err: err})
			}
		}
	}
	return im.sub, im.errs
}

type importer struct {
	opt  ImportOptions
	sub  *Submission
	seoa map[string]int // record → index in sub.Students, for associations read first
	errs []error
}

// code maps a descriptor URI to its code value.
func (im *importer) code(uri string) string {
	if c, ok := im.opt.Descriptors[uri]; ok {
		return c
	}
	if i := strings.LastIndexByte(uri, '#'); i >= 0 {
		return uri[i+1:]
	}
	return uri
}

// date checks an Ed-Fi date and returns it as YYYY-MM-DD ("" stays "").
func date(field, s string) (string, error) {
	d, err := normalize.ParseDate(s, normalize.DateOptions{})
	if err != nil {
		return "", fmt.Errorf("%s: %w", field, err)
	}
	if d.IsZero() {
		return "", nil
	}
	return d.String(), nil
}

// dateRange checks a beginDate and an endDate.
func dateRange(begin, end string) (string, string, error) {
	b, err := date("beginDate", begin)
	if err != nil {
		return "", "", err
	}
	e, err := date("endDate", end)
	return b, e, err
}

func need(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("%s is missing", field)
	}
	return nil
}

// Ed-Fi resource shapes, only the fields the backpack keeps.
type (
	studentRef struct {
		StudentUniqueID string `json:"studentUniqueId"`
	}
	sectionRef struct {
		LocalCourseCode   string `json:"localCourseCode"`
		SchoolID          int64  `json:"schoolId"`
		SchoolYear        int    `json:"schoolYear"`
		SectionIdentifier string `json:"sectionIdentifier"`
		SessionName       string `json:"sessionName"`
	}
	meta struct {
		LastModified string `json:"_lastModifiedDate"`
	}
)

func (r sectionRef) key() (SectionKey, error) {
	k := SectionKey(r)
	if k.SectionIdentifier == "" || k.SchoolID == 0 {
		return k, errors.New("section reference: sectionIdentifier and schoolId are required")
	}
	return k, nil
}

// resource reads one resource of the named file.
func (im *importer) resource(name string, raw json.RawMessage, src Source) error {
	var m meta
	if err := json.Unmarshal(raw, &m); err == nil && m.LastModified != "" {
		src.Submitted = m.LastModified
	}
	switch name {
	case "students":
		return im.student(raw, src)
	case "studentEducationOrganizationAssociations":
		return im.seoaResource(raw, src)
	case "studentSchoolAssociations":
		return im.enrollment(raw, src)
	case "sections":
		return im.section(raw, src)
	case "studentSectionAssociations":
		return im.sectionEnrollment(raw, src)
	case "grades":
		return im.grade(raw, src)
	case "courseTranscripts":
		return im.transcript(raw, src)
	case "studentSectionAttendanceEvents", "studentSchoolAttendanceEvents":
		return im.attendance(raw, src)
	case "staffs":
		return im.staff(raw, src)
	case "staffSectionAssociations":
		return im.staffSection(raw, src)
	case "credentials":
		return im.credential(raw, src)
	case "studentAssessments":
		return im.assessment(raw, src)
	}
	return fmt.Errorf("unknown resource %q", name)
}

// studentAt returns the student record for uid, creating a placeholder that a students
// resource fills later.
func (im *importer) studentAt(uid string) *StudentRecord {
	rec := RecordID(im.opt.LEA, uid)
	if i, ok := im.seoa[rec]; ok {
		return &im.sub.Students[i]
	}
	im.seoa[rec] = len(im.sub.Students)
	im.sub.Students = append(im.sub.Students, StudentRecord{Record: rec, StudentUniqueID: uid})
	return &im.sub.Students[len(im.sub.Students)-1]
}

func (im *importer) student(raw json.RawMessage, src Source) error {
	var r struct {
		StudentUniqueID      string `json:"studentUniqueId"`
		FirstName            string `json:"firstName"`
		MiddleName           string `json:"middleName"`
		LastSurname          string `json:"lastSurname"`
		GenerationCodeSuffix string `json:"generationCodeSuffix"`
		BirthDate            string `json:"birthDate"`
		BirthSexDescriptor   string `json:"birthSexDescriptor"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	if err := need("studentUniqueId", r.StudentUniqueID); err != nil {
		return err
	}
	bd, err := date("birthDate", r.BirthDate)
	if err != nil {
		return err
	}
	if _, err := normalize.ParseSex(im.code(r.BirthSexDescriptor)); err != nil {
		return fmt.Errorf("birthSexDescriptor: %w", err)
	}
	s := im.studentAt(r.StudentUniqueID)
	if s.Source.File != "" && strings.HasSuffix(s.Source.File, "students.json") {
		return fmt.Errorf("studentUniqueId %q appears twice", r.StudentUniqueID)
	}
	s.FirstName, s.MiddleName, s.LastSurname = r.FirstName, r.MiddleName, r.LastSurname
	s.Suffix, s.BirthDate = r.GenerationCodeSuffix, bd
	if s.Sex == "" && r.BirthSexDescriptor != "" {
		s.Sex = im.code(r.BirthSexDescriptor)
	}
	src.Record = s.Record
	s.Source = src
	return nil
}

func (im *importer) seoaResource(raw json.RawMessage, src Source) error {
	var r struct {
		StudentReference studentRef `json:"studentReference"`
		SexDescriptor    string     `json:"sexDescriptor"`
		Hispanic         *bool      `json:"hispanicLatinoEthnicity"`
		Races            []struct {
			Race string `json:"raceDescriptor"`
		} `json:"races"`
		Addresses []struct {
			Type       string `json:"addressTypeDescriptor"`
			Street     string `json:"streetNumberName"`
			City       string `json:"city"`
			State      string `json:"stateAbbreviationDescriptor"`
			PostalCode string `json:"postalCode"`
		} `json:"addresses"`
		IDs []struct {
			System string `json:"studentIdentificationSystemDescriptor"`
			Org    string `json:"assigningOrganizationIdentificationCode"`
			Code   string `json:"identificationCode"`
		} `json:"studentIdentificationCodes"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	if err := need("studentReference.studentUniqueId", r.StudentReference.StudentUniqueID); err != nil {
		return err
	}
	if _, err := normalize.ParseSex(im.code(r.SexDescriptor)); err != nil {
		return fmt.Errorf("sexDescriptor: %w", err)
	}
	// Read everything before touching the student, so a rejected association leaves no
	// trace.
	var races []string
	for _, x := range r.Races {
		races = append(races, im.code(x.Race))
	}
	slices.Sort(races)
	var addr Address
	for k, a := range r.Addresses {
		if k == 0 || im.code(a.Type) == "Home" {
			addr = Address{Street: a.Street, City: a.City, State: im.code(a.State), PostalCode: a.PostalCode}
		}
	}
	var ids []IdentificationCode
	ssid := ""
	for _, c := range r.IDs {
		sys := im.code(c.System)
		ids = append(ids, IdentificationCode{System: sys, AssigningOrg: c.Org, Code: c.Code})
		if sys == "State" {
			clean, err := normalize.CleanID(c.Code)
			if err != nil {
				return fmt.Errorf("studentIdentificationCodes: State code: %w", err)
			}
			ssid = clean
		}
	}
	s := im.studentAt(r.StudentReference.StudentUniqueID)
	if r.SexDescriptor != "" {
		s.Sex = im.code(r.SexDescriptor)
	}
	if r.Hispanic != nil {
		s.HispanicLatino = fmt.Sprint(*r.Hispanic)
	}
	s.Races, s.Address, s.IdentificationCodes, s.SSID = races, addr, ids, ssid
	src.Record = s.Record
	s.AssociationSource = src
	if s.Source.File == "" {
		s.Source = src
	}
	return nil
}

func (im *importer) enrollment(raw json.RawMessage, src Source) error {
	var r struct {
		StudentReference studentRef `json:"studentReference"`
		SchoolReference  struct {
			SchoolID int64 `json:"schoolId"`
		} `json:"schoolReference"`
		EntryDate  string `json:"entryDate"`
		EntryGrade string `json:"entryGradeLevelDescriptor"`
		ExitDate   string `json:"exitWithdrawDate"`
		ExitType   string `json:"exitWithdrawTypeDescriptor"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	if err := need("studentReference.studentUniqueId", r.StudentReference.StudentUniqueID); err != nil {
		return err
	}
	if r.SchoolReference.SchoolID == 0 {
		return errors.New("schoolReference.schoolId is missing")
	}
	entry, err := date("entryDate", r.EntryDate)
	if err != nil {
		return err
	}
	if err := need("entryDate", entry); err != nil {
		return err
	}
	exit, err := date("exitWithdrawDate", r.ExitDate)
	if err != nil {
		return err
	}
	g, err := normalize.ParseGrade(im.code(r.EntryGrade))
	if err != nil {
		return fmt.Errorf("entryGradeLevelDescriptor: %w", err)
	}
	rec := RecordID(im.opt.LEA, r.StudentReference.StudentUniqueID)
	src.Record = rec
	im.sub.Enrollments = append(im.sub.Enrollments, Enrollment{
		Record: rec, LEA: im.opt.LEA, SchoolID: r.SchoolReference.SchoolID, EntryDate: entry,
		ExitDate: exit, ExitType: im.code(r.ExitType), GradeLevel: g.String(), Source: src,
	})
	return nil
}

func (im *importer) section(raw json.RawMessage, src Source) error {
	var r struct {
		SectionIdentifier string `json:"sectionIdentifier"`
		Offering          struct {
			LocalCourseCode string `json:"localCourseCode"`
			SchoolID        int64  `json:"schoolId"`
			SchoolYear      int    `json:"schoolYear"`
			SessionName     string `json:"sessionName"`
		} `json:"courseOfferingReference"`
		SectionName string   `json:"sectionName"`
		Credits     *float64 `json:"availableCredits"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	k, err := sectionRef{r.Offering.LocalCourseCode, r.Offering.SchoolID, r.Offering.SchoolYear, r.SectionIdentifier, r.Offering.SessionName}.key()
	if err != nil {
		return err
	}
	im.sub.Sections = append(im.sub.Sections, Section{Key: k, CourseCode: r.Offering.LocalCourseCode, Name: r.SectionName, Credits: r.Credits, Source: src})
	return nil
}

func (im *importer) sectionEnrollment(raw json.RawMessage, src Source) error {
	var r struct {
		StudentReference studentRef `json:"studentReference"`
		SectionReference sectionRef `json:"sectionReference"`
		BeginDate        string     `json:"beginDate"`
		EndDate          string     `json:"endDate"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	if err := need("studentReference.studentUniqueId", r.StudentReference.StudentUniqueID); err != nil {
		return err
	}
	k, err := r.SectionReference.key()
	if err != nil {
		return err
	}
	begin, end, err := dateRange(r.BeginDate, r.EndDate)
	if err != nil {
		return err
	}
	rec := RecordID(im.opt.LEA, r.StudentReference.StudentUniqueID)
	src.Record = rec
	im.sub.SectionLinks = append(im.sub.SectionLinks, SectionEnrollment{Record: rec, Section: k, BeginDate: begin, EndDate: end, Source: src})
	return nil
}

func (im *importer) grade(raw json.RawMessage, src Source) error {
	var r struct {
		Period struct {
			Descriptor string `json:"gradingPeriodDescriptor"`
			Name       string `json:"gradingPeriodName"`
			SchoolYear int    `json:"schoolYear"`
		} `json:"gradingPeriodReference"`
		SSA struct {
			sectionRef
			StudentUniqueID string `json:"studentUniqueId"`
		} `json:"studentSectionAssociationReference"`
		GradeType string   `json:"gradeTypeDescriptor"`
		Letter    string   `json:"letterGradeEarned"`
		Numeric   *float64 `json:"numericGradeEarned"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	if err := need("studentSectionAssociationReference.studentUniqueId", r.SSA.StudentUniqueID); err != nil {
		return err
	}
	k, err := r.SSA.sectionRef.key()
	if err != nil {
		return err
	}
	if r.Letter == "" && r.Numeric == nil {
		return errors.New("neither letterGradeEarned nor numericGradeEarned is given")
	}
	rec := RecordID(im.opt.LEA, r.SSA.StudentUniqueID)
	src.Record = rec
	im.sub.Grades = append(im.sub.Grades, Grade{
		Record: rec, Section: k, GradingPeriod: im.code(r.Period.Descriptor), GradingPeriodName: r.Period.Name,
		GradingPeriodSchoolYear: r.Period.SchoolYear, GradeType: im.code(r.GradeType),
		Letter: r.Letter, Numeric: r.Numeric, Source: src,
	})
	return nil
}

func (im *importer) transcript(raw json.RawMessage, src Source) error {
	var r struct {
		Result string `json:"courseAttemptResultDescriptor"`
		Course struct {
			CourseCode string `json:"courseCode"`
			EdOrgID    int64  `json:"educationOrganizationId"`
		} `json:"courseReference"`
		Record struct {
			EdOrgID         int64  `json:"educationOrganizationId"`
			SchoolYear      int    `json:"schoolYear"`
			StudentUniqueID string `json:"studentUniqueId"`
			Term            string `json:"termDescriptor"`
		} `json:"studentAcademicRecordReference"`
		Title      string   `json:"courseTitle"`
		Attempted  *float64 `json:"attemptedCredits"`
		Earned     *float64 `json:"earnedCredits"`
		Letter     string   `json:"finalLetterGradeEarned"`
		Numeric    *float64 `json:"finalNumericGradeEarned"`
		GradeLevel string   `json:"whenTakenGradeLevelDescriptor"`
		External   string   `json:"externalEducationOrganizationNameOfInstitution"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	if err := need("studentAcademicRecordReference.studentUniqueId", r.Record.StudentUniqueID); err != nil {
		return err
	}
	if err := need("courseReference.courseCode", r.Course.CourseCode); err != nil {
		return err
	}
	g, err := normalize.ParseGrade(im.code(r.GradeLevel))
	if err != nil {
		return fmt.Errorf("whenTakenGradeLevelDescriptor: %w", err)
	}
	rec := RecordID(im.opt.LEA, r.Record.StudentUniqueID)
	src.Record = rec
	im.sub.Transcripts = append(im.sub.Transcripts, CourseRecord{
		Record: rec, CourseCode: r.Course.CourseCode, CourseTitle: r.Title, EducationOrganizationID: r.Course.EdOrgID,
		SchoolYear: r.Record.SchoolYear, Term: im.code(r.Record.Term), Result: im.code(r.Result),
		FinalLetter: r.Letter, FinalNumeric: r.Numeric, AttemptedCredits: r.Attempted, EarnedCredits: r.Earned,
		GradeLevel: g.String(), TakenAt: r.External, Source: src,
	})
	return nil
}

func (im *importer) attendance(raw json.RawMessage, src Source) error {
	var r struct {
		Category         string      `json:"attendanceEventCategoryDescriptor"`
		EventDate        string      `json:"eventDate"`
		SectionReference *sectionRef `json:"sectionReference"`
		SchoolReference  struct {
			SchoolID int64 `json:"schoolId"`
		} `json:"schoolReference"`
		StudentReference studentRef `json:"studentReference"`
		Reason           string     `json:"attendanceEventReason"`
		Duration         *float64   `json:"eventDuration"`
		Minutes          *int       `json:"sectionAttendanceDuration"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	if err := need("studentReference.studentUniqueId", r.StudentReference.StudentUniqueID); err != nil {
		return err
	}
	d, err := date("eventDate", r.EventDate)
	if err != nil {
		return err
	}
	if err := need("eventDate", d); err != nil {
		return err
	}
	if err := need("attendanceEventCategoryDescriptor", r.Category); err != nil {
		return err
	}
	ev := AttendanceEvent{Date: d, Category: im.code(r.Category), Reason: r.Reason, Duration: r.Duration, Minutes: r.Minutes}
	if r.SectionReference != nil {
		if ev.Section, err = r.SectionReference.key(); err != nil {
			return err
		}
		ev.SchoolID = ev.Section.SchoolID
	} else {
		if r.SchoolReference.SchoolID == 0 {
			return errors.New("neither sectionReference nor schoolReference is given")
		}
		ev.SchoolID = r.SchoolReference.SchoolID
	}
	ev.Record = RecordID(im.opt.LEA, r.StudentReference.StudentUniqueID)
	src.Record = ev.Record
	ev.Source = src
	im.sub.Attendance = append(im.sub.Attendance, ev)
	return nil
}

type credentialRef struct {
	ID    string `json:"credentialIdentifier"`
	State string `json:"stateOfIssueStateAbbreviationDescriptor"`
}

func (im *importer) staff(raw json.RawMessage, src Source) error {
	var r struct {
		StaffUniqueID string   `json:"staffUniqueId"`
		FirstName     string   `json:"firstName"`
		MiddleName    string   `json:"middleName"`
		LastSurname   string   `json:"lastSurname"`
		Education     string   `json:"highestCompletedLevelOfEducationDescriptor"`
		YearsTeaching *float64 `json:"yearsOfPriorTeachingExperience"`
		Credentials   []struct {
			Ref credentialRef `json:"credentialReference"`
		} `json:"credentials"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	if err := need("staffUniqueId", r.StaffUniqueID); err != nil {
		return err
	}
	st := Staff{StaffUniqueID: r.StaffUniqueID, FirstName: r.FirstName, MiddleName: r.MiddleName, LastSurname: r.LastSurname,
		HighestEducation: im.code(r.Education), YearsTeaching: r.YearsTeaching, Source: src}
	for _, c := range r.Credentials {
		st.CredentialRefs = append(st.CredentialRefs, CredentialRef{ID: c.Ref.ID, StateOfIssue: im.code(c.Ref.State)})
	}
	im.sub.Staff = append(im.sub.Staff, st)
	return nil
}

func (im *importer) staffSection(raw json.RawMessage, src Source) error {
	var r struct {
		SectionReference sectionRef `json:"sectionReference"`
		StaffReference   struct {
			StaffUniqueID string `json:"staffUniqueId"`
		} `json:"staffReference"`
		BeginDate string `json:"beginDate"`
		EndDate   string `json:"endDate"`
		Position  string `json:"classroomPositionDescriptor"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	if err := need("staffReference.staffUniqueId", r.StaffReference.StaffUniqueID); err != nil {
		return err
	}
	k, err := r.SectionReference.key()
	if err != nil {
		return err
	}
	begin, end, err := dateRange(r.BeginDate, r.EndDate)
	if err != nil {
		return err
	}
	im.sub.StaffSections = append(im.sub.StaffSections, StaffSection{StaffUniqueID: r.StaffReference.StaffUniqueID,
		Section: k, Position: im.code(r.Position), BeginDate: begin, EndDate: end, Source: src})
	return nil
}

func (im *importer) credential(raw json.RawMessage, src Source) error {
	var r struct {
		credentialRef
		Type        string `json:"credentialTypeDescriptor"`
		Field       string `json:"credentialFieldDescriptor"`
		Teaching    string `json:"teachingCredentialDescriptor"`
		Issuance    string `json:"issuanceDate"`
		Effective   string `json:"effectiveDate"`
		Expiration  string `json:"expirationDate"`
		GradeLevels []struct {
			Grade string `json:"gradeLevelDescriptor"`
		} `json:"gradeLevels"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	if err := need("credentialIdentifier", r.ID); err != nil {
		return err
	}
	c := Credential{ID: r.ID, StateOfIssue: im.code(r.State), Type: im.code(r.Type), Field: im.code(r.Field),
		TeachingCredential: im.code(r.Teaching), Source: src}
	var err error
	if c.IssuanceDate, err = date("issuanceDate", r.Issuance); err != nil {
		return err
	}
	if c.EffectiveDate, err = date("effectiveDate", r.Effective); err != nil {
		return err
	}
	if c.ExpirationDate, err = date("expirationDate", r.Expiration); err != nil {
		return err
	}
	for _, g := range r.GradeLevels {
		c.GradeLevels = append(c.GradeLevels, im.code(g.Grade))
	}
	im.sub.Credentials = append(im.sub.Credentials, c)
	return nil
}

func (im *importer) assessment(raw json.RawMessage, src Source) error {
	var r struct {
		ID  string `json:"studentAssessmentIdentifier"`
		Ref struct {
			ID        string `json:"assessmentIdentifier"`
			Namespace string `json:"namespace"`
		} `json:"assessmentReference"`
		StudentReference studentRef `json:"studentReference"`
		SchoolYear       struct {
			SchoolYear int `json:"schoolYear"`
		} `json:"schoolYearTypeReference"`
		AdministrationDate string `json:"administrationDate"`
		GradeLevel         string `json:"whenAssessedGradeLevelDescriptor"`
		Scores             []struct {
			Method   string `json:"assessmentReportingMethodDescriptor"`
			DataType string `json:"resultDatatypeTypeDescriptor"`
			Result   string `json:"result"`
		} `json:"scoreResults"`
		Levels []struct {
			Method string `json:"assessmentReportingMethodDescriptor"`
			Level  string `json:"performanceLevelDescriptor"`
		} `json:"performanceLevels"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	if err := need("studentReference.studentUniqueId", r.StudentReference.StudentUniqueID); err != nil {
		return err
	}
	if err := need("assessmentReference.assessmentIdentifier", r.Ref.ID); err != nil {
		return err
	}
	d, err := date("administrationDate", r.AdministrationDate)
	if err != nil {
		return err
	}
	g, err := normalize.ParseGrade(im.code(r.GradeLevel))
	if err != nil {
		return fmt.Errorf("whenAssessedGradeLevelDescriptor: %w", err)
	}
	a := AssessmentResult{
		Record: RecordID(im.opt.LEA, r.StudentReference.StudentUniqueID), AssessmentIdentifier: r.Ref.ID,
		Namespace: r.Ref.Namespace, StudentAssessmentIdentifier: r.ID, AdministrationDate: d,
		SchoolYear: r.SchoolYear.SchoolYear, GradeLevel: g.String(),
	}
	for _, s := range r.Scores {
		a.Scores = append(a.Scores, ScoreResult{Method: im.code(s.Method), DataType: im.code(s.DataType), Result: s.Result})
	}
	for _, l := range r.Levels {
		a.PerformanceLevels = append(a.PerformanceLevels, PerformanceLevel{Method: im.code(l.Method), Level: im.code(l.Level)})
	}
	src.Record = a.Record
	a.Source = src
	im.sub.Assessments = append(im.sub.Assessments, a)
	return nil
}
