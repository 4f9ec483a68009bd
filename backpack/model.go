package backpack

import (
	"cmp"
	"strings"
)

// Source says where a submitted value came from: the LEA, the record it submitted, when,
// and the file and position it was read from.
type Source struct {
	LEA string `json:"lea"`
	// Record is the submitting record's ID (see RecordID).
	Record string `json:"record"`
	// Submitted is the submission's date, YYYY-MM-DD (or an RFC 3339 time); later sorts
	// later.
	Submitted string `json:"submitted,omitempty"`
	File      string `json:"file,omitempty"`
	Index     int    `json:"index"`
}

// RecordID is the ID of the student record an LEA submitted under its own unique ID:
// "LEA/studentUniqueId". Records read from a CSV roll keep the roll's record IDs instead.
func RecordID(lea, studentUniqueID string) string { return lea + "/" + studentUniqueID }

// StudentRecord is one LEA's record of a student: the Ed-Fi Student resource with the
// LEA's StudentEducationOrganizationAssociation (sex, races, ethnicity, IDs, address).
type StudentRecord struct {
	Record          string `json:"record"`
	StudentUniqueID string `json:"student_unique_id"`
	FirstName       string `json:"first_name,omitempty"`
	MiddleName      string `json:"middle_name,omitempty"`
	LastSurname     string `json:"last_surname,omitempty"`
	Suffix          string `json:"suffix,omitempty"`
	BirthDate       string `json:"birth_date,omitempty"`
	// Sex is the descriptor's code value: Female, Male, Non-binary or Not Selected.
	Sex   string   `json:"sex,omitempty"`
	Races []string `json:"races,omitempty"`
	// HispanicLatino is "true", "false" or "" (not reported).
	HispanicLatino string `json:"hispanic_latino,omitempty"`
	// SSID is the State identification code.
	SSID                string               `json:"ssid,omitempty"`
	IdentificationCodes []IdentificationCode `json:"identification_codes,omitempty"`
	Address             Address              `json:"address,omitzero"`
	// Source is where the record came from; AssociationSource, when set, is where its
	// sex, races, ethnicity, IDs and address came from (the LEA's
	// studentEducationOrganizationAssociation).
	Source            Source `json:"source"`
	AssociationSource Source `json:"association_source,omitzero"`
	// OtherValues are values of the record's demographic fields that another resource of
	// the same record submitted — a second association, a second State ID, a birth sex
	// beside the association's sex — each with its
	// source. They are candidates beside the values above, never overwriting them.
	OtherValues []FieldValue `json:"other_values,omitempty"`
}

// FieldValue is a submitted value of one demographic field (see DemographicFields).
type FieldValue struct {
	Field  string `json:"field"`
	Value  string `json:"value"`
	Source Source `json:"source"`
}

// IdentificationCode is an ID a system assigned to the student.
type IdentificationCode struct {
	System       string `json:"system"`
	AssigningOrg string `json:"assigning_org,omitempty"`
	Code         string `json:"code"`
}

// Address is the student's home address.
type Address struct {
	Street     string `json:"street,omitempty"`
	City       string `json:"city,omitempty"`
	State      string `json:"state,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
}

// String returns the address on one line, blank parts left out.
func (a Address) String() string {
	var parts []string
	for _, p := range []string{a.Street, a.City, strings.TrimSpace(a.State + " " + a.PostalCode)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// SectionKey is the natural key of an Ed-Fi Section.
type SectionKey struct {
	LocalCourseCode   string `json:"local_course_code"`
	SchoolID          int64  `json:"school_id"`
	SchoolYear        int    `json:"school_year"`
	SectionIdentifier string `json:"section_identifier"`
	SessionName       string `json:"session_name"`
}

// IsZero reports whether k is the zero key (an event not tied to a section).
func (k SectionKey) IsZero() bool { return k == SectionKey{} }

// Section describes a class section: its course and name.
type Section struct {
	Key        SectionKey `json:"key"`
	CourseCode string     `json:"course_code,omitempty"`
	Name       string     `json:"name,omitempty"`
	Credits    *float64   `json:"credits,omitempty"`
	Source     Source     `json:"source"`
}

// Enrollment is a student's enrollment at a school.
type Enrollment struct {
	Record   string `json:"record"`
	LEA      string `json:"lea"`
	SchoolID int64  `json:"school_id"`
	// School is the school as the source wrote it when that is not an Ed-Fi school ID
	// (a positive integer written without leading zeros, as "A12" or "0123" are not);
	// SchoolID is then 0. Import never sets it; FromRoll does.
	School     string `json:"school,omitempty"`
	EntryDate  string `json:"entry_date"`
	ExitDate   string `json:"exit_date,omitempty"`
	ExitType   string `json:"exit_type,omitempty"`
	GradeLevel string `json:"grade_level,omitempty"`
	Source     Source `json:"source"`
}

// SchoolCode returns the enrollment's school as written: School, or SchoolID in decimal
// ("" when neither is set).
func (e Enrollment) SchoolCode() string { return cmp.Or(e.School, id64(e.SchoolID)) }

// SectionEnrollment says a student attended a section.
type SectionEnrollment struct {
	Record    string     `json:"record"`
	Section   SectionKey `json:"section"`
	BeginDate string     `json:"begin_date,omitempty"`
	EndDate   string     `json:"end_date,omitempty"`
	Source    Source     `json:"source"`
}

// Grade is a grade earned in a section for a grading period.
type Grade struct {
	Record                  string     `json:"record"`
	Section                 SectionKey `json:"section"`
	GradingPeriod           string     `json:"grading_period"`
	GradingPeriodName       string     `json:"grading_period_name,omitempty"`
	GradingPeriodSchoolYear int        `json:"grading_period_school_year,omitempty"`
	GradeType               string     `json:"grade_type"`
	Letter                  string     `json:"letter,omitempty"`
	Numeric                 *float64   `json:"numeric,omitempty"`
	Source                  Source     `json:"source"`
}

// CourseRecord is a course on the student's transcript (course history).
type CourseRecord struct {
	Record                  string   `json:"record"`
	CourseCode              string   `json:"course_code"`
	CourseTitle             string   `json:"course_title,omitempty"`
	EducationOrganizationID int64    `json:"education_organization_id"`
	SchoolYear              int      `json:"school_year"`
	Term                    string   `json:"term"`
	Result                  string   `json:"result"`
	FinalLetter             string   `json:"final_letter,omitempty"`
	FinalNumeric            *float64 `json:"final_numeric,omitempty"`
	AttemptedCredits        *float64 `json:"attempted_credits,omitempty"`
	EarnedCredits           *float64 `json:"earned_credits,omitempty"`
	GradeLevel              string   `json:"grade_level,omitempty"`
	// TakenAt names the school where the course was taken when it was not the reporting
	// one (Ed-Fi's external education organization).
	TakenAt string `json:"taken_at,omitempty"`
	Source  Source `json:"source"`
}

// AttendanceEvent is a section (or, with a zero Section, a school-day) attendance event.
type AttendanceEvent struct {
	Record   string     `json:"record"`
	Section  SectionKey `json:"section,omitzero"`
	SchoolID int64      `json:"school_id,omitempty"`
	Date     string     `json:"date"`
	Category string     `json:"category"`
	Reason   string     `json:"reason,omitempty"`
	// Duration is the share of the day or section (Ed-Fi eventDuration).
	Duration *float64 `json:"duration,omitempty"`
	Minutes  *int     `json:"minutes,omitempty"`
	Source   Source   `json:"source"`
}

// Staff is a staff member as an LEA submitted them.
type Staff struct {
	StaffUniqueID string `json:"staff_unique_id"`
	FirstName     string `json:"first_name,omitempty"`
	MiddleName    string `json:"middle_name,omitempty"`
	LastSurname   string `json:"last_surname,omitempty"`
	// HighestEducation is the highest completed level of education.
	HighestEducation string          `json:"highest_education,omitempty"`
	YearsTeaching    *float64        `json:"years_teaching,omitempty"`
	CredentialRefs   []CredentialRef `json:"credential_refs,omitempty"`
	Source           Source          `json:"source"`
}

// CredentialRef points at a credential by its natural key.
type CredentialRef struct {
	ID           string `json:"id"`
	StateOfIssue string `json:"state_of_issue"`
}

// StaffSection says a staff member taught a section.
type StaffSection struct {
	StaffUniqueID string     `json:"staff_unique_id"`
	Section       SectionKey `json:"section"`
	Position      string     `json:"position,omitempty"`
	BeginDate     string     `json:"begin_date,omitempty"`
	EndDate       string     `json:"end_date,omitempty"`
	Source        Source     `json:"source"`
}

// Credential is a licence, certificate or endorsement.
type Credential struct {
	ID                 string   `json:"id"`
	StateOfIssue       string   `json:"state_of_issue"`
	Type               string   `json:"type"`
	Field              string   `json:"field,omitempty"`
	TeachingCredential string   `json:"teaching_credential,omitempty"`
	IssuanceDate       string   `json:"issuance_date,omitempty"`
	EffectiveDate      string   `json:"effective_date,omitempty"`
	ExpirationDate     string   `json:"expiration_date,omitempty"`
	GradeLevels        []string `json:"grade_levels,omitempty"`
	Source             Source   `json:"source"`
}

// Teacher is one of the student's teachers: the staff member, the student's sections they
// taught, and their credentials.
type Teacher struct {
	StaffUniqueID string       `json:"staff_unique_id"`
	LEA           string       `json:"lea"`
	FirstName     string       `json:"first_name,omitempty"`
	MiddleName    string       `json:"middle_name,omitempty"`
	LastSurname   string       `json:"last_surname,omitempty"`
	Sections      []SectionKey `json:"sections"`
	Position      string       `json:"position,omitempty"`
	Credentials   []Credential `json:"credentials,omitempty"`
}

// AssessmentResult is a student's result on an assessment.
type AssessmentResult struct {
	Record                      string             `json:"record"`
	AssessmentIdentifier        string             `json:"assessment_identifier"`
	Namespace                   string             `json:"namespace"`
	StudentAssessmentIdentifier string             `json:"student_assessment_identifier"`
	AdministrationDate          string             `json:"administration_date,omitempty"`
	SchoolYear                  int                `json:"school_year,omitempty"`
	GradeLevel                  string             `json:"grade_level,omitempty"`
	Scores                      []ScoreResult      `json:"scores,omitempty"`
	PerformanceLevels           []PerformanceLevel `json:"performance_levels,omitempty"`
	Source                      Source             `json:"source"`
}

// ScoreResult is one reported score; Result is a string as in Ed-Fi.
type ScoreResult struct {
	Method   string `json:"method"`
	DataType string `json:"data_type,omitempty"`
	Result   string `json:"result"`
}

// PerformanceLevel is a performance level reached under a reporting method.
type PerformanceLevel struct {
	Method string `json:"method,omitempty"`
	Level  string `json:"level"`
}

// Submission is everything one LEA submitted.
type Submission struct {
	LEA string `json:"lea"`
	// Submitted is the default submission date of its resources.
	Submitted     string              `json:"submitted,omitempty"`
	Students      []StudentRecord     `json:"students,omitempty"`
	Enrollments   []Enrollment        `json:"enrollments,omitempty"`
	Sections      []Section           `json:"sections,omitempty"`
	SectionLinks  []SectionEnrollment `json:"section_enrollments,omitempty"`
	Grades        []Grade             `json:"grades,omitempty"`
	Transcripts   []CourseRecord      `json:"transcripts,omitempty"`
	Attendance    []AttendanceEvent   `json:"attendance,omitempty"`
	Staff         []Staff             `json:"staff,omitempty"`
	StaffSections []StaffSection      `json:"staff_sections,omitempty"`
	Credentials   []Credential        `json:"credentials,omitempty"`
	Assessments   []AssessmentResult  `json:"assessments,omitempty"`
}
