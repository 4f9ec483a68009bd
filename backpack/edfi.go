package backpack

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/studentlink/studentlink/internal/strictjson"
)

// ImportOptions configure Import.
type ImportOptions struct {
	// LEA is the submitting LEA's ID; required.
	LEA string
	// Submitted is the submission date given to resources without a _lastModifiedDate.
	Submitted string
	// Descriptors maps descriptor URIs (a state's own namespaces) to code values. A URI not
	// in it maps to the text after its '#'. Sex, race and grade-level descriptors must map
	// to the Ed-Fi code values (Female, Asian, Fifth grade, …).
	Descriptors map[string]string
	// Now is the time dates are checked against (a birth date or _lastModifiedDate after
	// it is an error); nil means time.Now.
	Now func() time.Time
}

// ImportError is a resource that could not be read: its file, its index in the file's
// array and its byte offset, and why. The other resources are imported.
type ImportError struct {
	File   string
	Index  int   // -1 when the error is about the file, not one resource
	Offset int64 // byte offset in the file of the resource, or of the problem; -1 if none
	Err    error
}

func (e *ImportError) Error() string {
	at := e.File
	if e.Index >= 0 {
		at += fmt.Sprintf("[%d]", e.Index)
	}
	if e.Offset >= 0 {
		at += fmt.Sprintf(" at byte %d", e.Offset)
	}
	return fmt.Sprintf("backpack: %s: %v", at, e.Err)
}

func (e *ImportError) Unwrap() error { return e.Err }

// RefusedStudentError is why Import left out a resource about a student (an
// association, enrollment, grade, attendance event, transcript or assessment result)
// whose Student resource in students.json was refused: the resource is reported as an
// *ImportError wrapping it, so that no student becomes a record without a name and birth
// date from the resources about it. File and Index are the refused Student resource's.
//
// A syntax error in a Student resource makes the scan skip to the next resource start:
// every studentUniqueId in the skipped bytes is refused with it, as they may be of
// well-formed resources the scan passed over. When the refused resource's
// studentUniqueId could not be read (a syntax error hid it, or it was missing), or a
// syntax error in it made the scan skip the rest of the file (Rest), or it and the bytes
// skipped after it were larger than MaxResourceSize and not all kept (Partial), or
// students.json could not be read as an array (Index -1), Unknown is set, and
// every resource about a student with no Student resource imported is left out, as it
// may be about a student refused so; More counts the other Student resources refused so.
// A student whose Student resource was imported (an earlier or later students resource of
// the same ID) keeps its resources.
type RefusedStudentError struct {
	File    string
	Index   int
	Unknown bool
	Rest    bool
	Partial bool
	More    int
}

func (e *RefusedStudentError) Error() string {
	at := fmt.Sprintf("%s[%d]", e.File, e.Index)
	if !e.Unknown {
		return fmt.Sprintf("its Student resource (%s) was refused", at)
	}
	more := ""
	if e.More > 0 {
		more = fmt.Sprintf(" (and %d more Student resource(s) whose students are not known)", e.More)
	}
	const none = "no Student resource of it was imported, and "
	switch {
	case e.Index < 0:
		return fmt.Sprintf(none+"%s could not be read as an array of Student resources%s: it may have held this student's", e.File, more)
	case e.Rest:
		return fmt.Sprintf(none+"the rest of %s was skipped after the refused Student resource %s%s: it may have held this student's", e.File, at, more)
	case e.Partial:
		return fmt.Sprintf(none+"the refused Student resource %s and the bytes skipped after it were larger than %d bytes and not all read%s: they may have held this student's", at, MaxResourceSize, more)
	}
	return fmt.Sprintf(none+"the Student resource %s was refused before its studentUniqueId could be read%s: it may be this student's", at, more)
}

// DuplicateStudentError is why Import left out a Student resource whose studentUniqueId
// an earlier Student resource of the same students.json already used (File and Index are
// the first's, DuplicateIndex the one left out): the first is imported, the duplicate is
// reported as an *ImportError wrapping it. When the duplicate's name, birth date or birth
// sex differ from the first's (Differs), two students share the ID, and every resource
// about that studentUniqueId (an association, enrollment, grade, …) is left out too,
// reported with About set, as it may be about either of them.
type DuplicateStudentError struct {
	StudentUniqueID string
	File            string
	Index           int
	DuplicateIndex  int
	Differs         bool
	About           bool
}

func (e *DuplicateStudentError) Error() string {
	if e.About {
		return fmt.Sprintf("studentUniqueId %s is used by two different Student resources (%s[%d] and [%d]): which student this resource is about cannot be told",
			e.StudentUniqueID, e.File, e.Index, e.DuplicateIndex)
	}
	also := "a duplicate of it"
	if e.Differs {
		also = "with another name, birth date or birth sex: the resources about this studentUniqueId are left out too"
	}
	return fmt.Sprintf("studentUniqueId %s already used by the student at index %d (%s); this Student resource is left out, %s",
		e.StudentUniqueID, e.Index, e.File, also)
}

// resourceKinds are the files Import reads, each optional, in order (students before the
// resources that refer to them), each with the one reader instantiated for its shape.
var resourceKinds = []struct {
	name string
	read func(im *importer, file string, r io.Reader, size int64)
}{
	{"students", readResources[edfiStudent]},
	{"studentEducationOrganizationAssociations", readResources[edfiStudentEdOrg]},
	{"studentSchoolAssociations", readResources[edfiEnrollment]},
	{"sections", readResources[edfiSection]},
	{"studentSectionAssociations", readResources[edfiSectionEnrollment]},
	{"grades", readResources[edfiGrade]},
	{"courseTranscripts", readResources[edfiTranscript]},
	{"studentSectionAttendanceEvents", readResources[edfiAttendance]},
	{"studentSchoolAttendanceEvents", readResources[edfiAttendance]},
	{"staffs", readResources[edfiStaff]},
	{"staffSectionAssociations", readResources[edfiStaffSection]},
	{"credentials", readResources[edfiCredential]},
	{"studentAssessments", readResources[edfiAssessment]},
}

// Import reads one LEA's Ed-Fi ODS/API JSON resource files from dir in fsys: each file
// (students.json, studentSchoolAssociations.json, …) holds an array of resources as the
// API serves them. Missing files are fine; a missing dir is an *ImportError with Index
// -1.
//
// Each file is streamed one resource at a time. A malformed resource — bad JSON, a key
// repeated (in any case), nested deeper than MaxResourceDepth or larger than
// MaxResourceSize, a required field missing (a student's firstName, lastSurname and
// birthDate among them, named together), a date that is not an Ed-Fi date, impossible or
// in the future (an enrollment's entryDate: more than a year ahead, for next school
// year's registrations), a birth date more than 100 years ago, an enrollment in a grade the student (by the birth date students.json gave) is years too
// young or old for, a descriptor that is not one (namespace#CodeValue with one '#'), or
// for sex, race and grade level not of that descriptor type or not of the Ed-Fi
// vocabulary, an SSID CleanSSID refuses, a number out of range — is reported as
// an *ImportError with its file, index and byte offset and skipped; the rest of the file
// is imported. Nothing is clamped or rewritten to fit. A student's second
// studentEducationOrganizationAssociation and a second State ID add their values to
// StudentRecord.OtherValues, where they become candidates (and conflicts) in the
// backpack, instead of overwriting the first. A race given twice is kept once. A second
// Student resource with a studentUniqueId already used in students.json is left out and
// reported as an *ImportError wrapping a *DuplicateStudentError; when its values differ
// from the first's, so is every resource about that studentUniqueId.
//
// A resource about a student whose Student resource was refused is left out too, and
// reported as an *ImportError wrapping a *RefusedStudentError, so that a refused student
// does not become a record without a name or birth date: Submission.Students holds only
// students whose Student resource was imported, and students with no Student resource in
// students.json at all (only associations), which keep their associations' values —
// unless a Student resource whose studentUniqueId could not be read (or students.json
// itself) was refused, when they may be that student and are left out as well.
func Import(fsys fs.FS, dir string, opt ImportOptions) (*Submission, []error) {
	if opt.LEA == "" {
		return nil, []error{errors.New("backpack: import: ImportOptions.LEA is required")}
	}
	im := &importer{opt: opt, sub: &Submission{LEA: opt.LEA, Submitted: opt.Submitted}, records: map[string]int{},
		seen: map[string]*seenStudent{}, now: time.Now()}
	if opt.Now != nil {
		im.now = opt.Now()
	}
	if fi, err := fs.Stat(fsys, dir); err != nil || !fi.IsDir() {
		if err == nil {
			err = errors.New("not a directory")
		}
		return im.sub, []error{&ImportError{File: dir, Index: -1, Offset: -1, Err: err}}
	}
	c := im.checks()
	c.date("ImportOptions.Submitted", opt.Submitted, past)
	if c.err != nil {
		return im.sub, []error{&ImportError{File: dir, Index: -1, Offset: -1, Err: c.err}}
	}
	for _, k := range resourceKinds {
		file := path.Join(dir, k.name+".json")
		f, err := fsys.Open(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			im.errs = append(im.errs, &ImportError{File: file, Index: -1, Offset: -1, Err: err})
			if k.name == "students" {
				im.refusedUnknown = append(im.refusedUnknown, &RefusedStudentError{File: file, Index: -1, Unknown: true})
			}
			continue
		}
		size := int64(-1)
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
		k.read(im, file, f, size)
		f.Close()
	}
	return im.sub, im.errs
}

type importer struct {
	opt     ImportOptions
	now     time.Time
	sub     *Submission
	records map[string]int // record → index in sub.Students
	seen    map[string]*seenStudent
	errs    []error
	// refused maps the record of a student whose Student resource was refused to the
	// first such resource; refusedUnknown lists those whose studentUniqueId could not
	// be read, and students.json when it could not be read as an array.
	refused        map[string]*RefusedStudentError
	refusedUnknown []*RefusedStudentError
	// duplicates maps the record of a studentUniqueId two differing Student resources
	// used to why the resources about it are left out.
	duplicates map[string]*DuplicateStudentError
}

// studentResource is a resource about one student, by its studentUniqueId.
type studentResource interface {
	studentUniqueID() string
}

func (r *edfiStudent) studentUniqueID() string           { return r.StudentUniqueID }
func (r *edfiStudentEdOrg) studentUniqueID() string      { return r.StudentReference.StudentUniqueID }
func (r *edfiEnrollment) studentUniqueID() string        { return r.StudentReference.StudentUniqueID }
func (r *edfiSectionEnrollment) studentUniqueID() string { return r.StudentReference.StudentUniqueID }
func (r *edfiGrade) studentUniqueID() string             { return r.SSA.StudentUniqueID }
func (r *edfiTranscript) studentUniqueID() string        { return r.Record.StudentUniqueID }
func (r *edfiAttendance) studentUniqueID() string        { return r.StudentReference.StudentUniqueID }
func (r *edfiAssessment) studentUniqueID() string        { return r.StudentReference.StudentUniqueID }

// rawStudentUniqueID finds the studentUniqueId values in a resource that did not decode.
var rawStudentUniqueID = regexp.MustCompile(`(?i)"studentUniqueId"\s*:\s*("(?:[^"\\\n]|\\.)*")`)

// refuseStudent notes a refused Student resource, by its decoded studentUniqueId or,
// when it did not decode, the ones its bytes hold — the bytes the scan skipped after a
// syntax error in it included, which may hold other students' resources; skippedRest
// says the scan skipped the rest of the file after it, partial that raw does not hold
// every byte of it and of what was skipped: either may have hidden other students.
func (im *importer) refuseStudent(file string, index int, decoded string, raw []byte, skippedRest, partial bool) {
	var uids []string
	if decoded != "" {
		uids = []string{decoded}
	} else {
		for _, m := range rawStudentUniqueID.FindAllSubmatch(raw, -1) {
			var uid string
			if json.Unmarshal(m[1], &uid) == nil && uid != "" && !slices.Contains(uids, uid) {
				uids = append(uids, uid)
			}
		}
	}
	var known []string
	for _, uid := range uids {
		if checkID("ID", uid) == nil {
			known = append(known, uid)
		}
	}
	if len(known) == 0 || skippedRest || partial {
		im.refusedUnknown = append(im.refusedUnknown, &RefusedStudentError{File: file, Index: index, Unknown: true, Rest: skippedRest, Partial: partial && !skippedRest})
	}
	if len(known) == 0 {
		return
	}
	if im.refused == nil {
		im.refused = map[string]*RefusedStudentError{}
	}
	for _, uid := range known {
		if rec := RecordID(im.opt.LEA, uid); im.refused[rec] == nil {
			im.refused[rec] = &RefusedStudentError{File: file, Index: index}
		}
	}
}

// refusedStudent returns why a resource about the student uid is left out, nil if it is
// not: the student has no Student resource imported, and one was refused that is (or may
// be) the student's.
func (im *importer) refusedStudent(uid string) error {
	if checkID("ID", uid) != nil {
		return nil // the resource's own checks say why
	}
	rec := RecordID(im.opt.LEA, uid)
	if e := im.duplicates[rec]; e != nil {
		return e
	}
	if seen := im.seen[rec]; seen != nil && seen.student {
		return nil
	}
	if e := im.refused[rec]; e != nil {
		return e
	}
	if len(im.refusedUnknown) > 0 {
		e := *im.refusedUnknown[0]
		e.More = len(im.refusedUnknown) - 1
		return &e
	}
	return nil
}

// seenStudent says which resources a student record already holds values from.
type seenStudent struct {
	student, association bool
	birthSex             bool // Sex came from the students resource's birthSexDescriptor
}

func (im *importer) checks() *checks { return &checks{opt: &im.opt, now: im.now} }

// resource is an Ed-Fi resource shape: add checks it and adds it to the submission, or
// adds nothing and returns why.
type resource interface {
	lastModified() string
	add(im *importer, src Source) error
}

// meta holds the server's fields every resource has.
type meta struct {
	LastModified string `json:"_lastModifiedDate"`
}

func (m meta) lastModified() string { return m.LastModified }

// readResources is the one reader of every resource file: it streams the file's array,
// decodes each resource into a T after checking its keys, dates it by its
// _lastModifiedDate, and adds it, reporting each that fails with its index and offset.
// size is the file's size, -1 when not known.
func readResources[T any, P interface {
	*T
	resource
}](im *importer, file string, r io.Reader, size int64) {
	sc := newArrayScanner(r, size)
	for sc.next() {
		src := Source{LEA: im.opt.LEA, Submitted: im.opt.Submitted, File: file, Index: sc.index}
		err := sc.elemOK
		var res P = new(T)
		if err == nil {
			err = decodeResource(sc.elem, res)
		}
		decoded := err == nil
		if err == nil {
			c := im.checks()
			if m := c.timestamp("_lastModifiedDate", res.lastModified()); m != "" {
				src.Submitted = m
			}
			err = c.err
		}
		sr, about := any(res).(studentResource)
		_, isStudent := any(res).(*edfiStudent)
		if err == nil && about && !isStudent {
			err = im.refusedStudent(sr.studentUniqueID())
		}
		if err == nil {
			err = res.add(im, src)
		}
		if err != nil {
			im.errs = append(im.errs, &ImportError{File: file, Index: sc.index, Offset: sc.start, Err: err})
			var dup *DuplicateStudentError
			if isStudent && !errors.As(err, &dup) {
				uid := ""
				if decoded {
					uid = sr.studentUniqueID()
				}
				im.refuseStudent(file, sc.index, uid, sc.elem, sc.skippedRest, sc.partial)
			}
		}
	}
	if sc.err != nil {
		im.errs = append(im.errs, &ImportError{File: file, Index: -1, Offset: sc.errAt, Err: sc.err})
		if _, isStudent := any(P(new(T))).(*edfiStudent); isStudent && sc.index < 0 {
			// No Student resource was read at all.
			im.refusedUnknown = append(im.refusedUnknown, &RefusedStudentError{File: file, Index: -1, Unknown: true})
		}
	}
}

// decodeResource decodes one resource: a JSON object whose keys are each given once
// (encoding/json would take the last of two keys differing only in case).
func decodeResource(data []byte, v any) error {
	if len(data) == 0 || data[0] != '{' {
		return errors.New("not a JSON object")
	}
	if err := strictjson.Check(data, strictjson.Rules{MaxDepth: MaxResourceDepth}); err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// Ed-Fi references and resource shapes, only the fields the backpack keeps.
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
	credentialRef struct {
		ID    string `json:"credentialIdentifier"`
		State string `json:"stateOfIssueStateAbbreviationDescriptor"`
	}
)

func (r studentRef) record(im *importer, c *checks, field string) string {
	return RecordID(im.opt.LEA, c.id(field, r.StudentUniqueID))
}

func (r sectionRef) key(c *checks, field string) SectionKey {
	c.need(field+".sectionIdentifier", r.SectionIdentifier)
	c.positive(field+".schoolId", r.SchoolID)
	c.schoolYear(field+".schoolYear", r.SchoolYear)
	return SectionKey(r)
}

// keep adds a fact of a student record to list, its source stamped with the record, if
// the checks passed.
func keep[T any, P interface {
	*T
	provenance() (*string, *Source)
}](c *checks, fact T, src Source, list *[]T) error {
	if c.err != nil {
		return c.err
	}
	rec, s := P(&fact).provenance()
	src.Record = *rec
	*s = src
	*list = append(*list, fact)
	return nil
}

// studentAt returns the student record for uid, creating a placeholder that a students
// resource fills later.
func (im *importer) studentAt(rec, uid string) (*StudentRecord, *seenStudent) {
	if i, ok := im.records[rec]; ok {
		return &im.sub.Students[i], im.seen[rec]
	}
	im.records[rec] = len(im.sub.Students)
	im.seen[rec] = &seenStudent{}
	im.sub.Students = append(im.sub.Students, StudentRecord{Record: rec, StudentUniqueID: uid})
	return &im.sub.Students[len(im.sub.Students)-1], im.seen[rec]
}

// alsoSubmitted adds values of a resource that repeats one already read, for the fields
// that have a value, to the record's OtherValues.
func (s *StudentRecord) alsoSubmitted(values map[string]string, src Source) {
	for _, f := range DemographicFields {
		if v := values[f]; v != "" {
			s.OtherValues = append(s.OtherValues, FieldValue{Field: f, Value: v, Source: src})
		}
	}
}

type edfiStudent struct {
	meta
	StudentUniqueID      string `json:"studentUniqueId"`
	FirstName            string `json:"firstName"`
	MiddleName           string `json:"middleName"`
	LastSurname          string `json:"lastSurname"`
	GenerationCodeSuffix string `json:"generationCodeSuffix"`
	BirthDate            string `json:"birthDate"`
	BirthSexDescriptor   string `json:"birthSexDescriptor"`
}

func (r *edfiStudent) add(im *importer, src Source) error {
	c := im.checks()
	rec := studentRef{r.StudentUniqueID}.record(im, c, "studentUniqueId")
	birth := c.birthDate("birthDate", r.BirthDate)
	sex := c.coded("birthSexDescriptor", r.BirthSexDescriptor, edfiSexes)
	c.required([2]string{"firstName", r.FirstName}, [2]string{"lastSurname", r.LastSurname}, [2]string{"birthDate", r.BirthDate})
	if c.err != nil {
		return c.err
	}
	s, seen := im.studentAt(rec, r.StudentUniqueID)
	src.Record = rec
	if seen.student {
		// A second Student resource of one studentUniqueId is left out: folding it into
		// the first would make two students one. When it differs from the first, the
		// resources about that studentUniqueId cannot be told apart and are left out too.
		differs := s.FirstName != r.FirstName || s.MiddleName != r.MiddleName || s.LastSurname != r.LastSurname ||
			s.Suffix != r.GenerationCodeSuffix || s.BirthDate != birth || s.Sex != sex // students.json is read first: s.Sex is the birth sex
		dup := &DuplicateStudentError{StudentUniqueID: r.StudentUniqueID, File: s.Source.File, Index: s.Source.Index,
			DuplicateIndex: src.Index, Differs: differs}
		if differs && im.duplicates[rec] == nil {
			if im.duplicates == nil {
				im.duplicates = map[string]*DuplicateStudentError{}
			}
			about := *dup
			about.About = true
			im.duplicates[rec] = &about
		}
		return dup
	}
	seen.student = true
	s.FirstName, s.MiddleName, s.LastSurname, s.Suffix, s.BirthDate = r.FirstName, r.MiddleName, r.LastSurname, r.GenerationCodeSuffix, birth
	switch {
	case s.Sex == "":
		s.Sex, seen.birthSex = sex, sex != ""
	case sex != "" && sex != s.Sex: // the association's sex came first: keep both
		s.OtherValues = append(s.OtherValues, FieldValue{Field: "sex", Value: sex, Source: src})
	}
	s.Source = src
	return nil
}

type edfiStudentEdOrg struct {
	meta
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

func (r *edfiStudentEdOrg) add(im *importer, src Source) error {
	c := im.checks()
	rec := r.StudentReference.record(im, c, "studentReference.studentUniqueId")
	sex := c.coded("sexDescriptor", r.SexDescriptor, edfiSexes)
	var races []string
	for k, x := range r.Races {
		races = append(races, c.coded(fmt.Sprintf("races[%d].raceDescriptor", k), x.Race, edfiRaces))
	}
	slices.Sort(races)
	races = slices.Compact(races) // a race given twice is one race
	// The address is the first Home address, else the first; the others are kept as
	// other values of the field, with this association as their source.
	var addr Address
	var otherAddrs []Address
	home := false
	for k, a := range r.Addresses {
		at := fmt.Sprintf("addresses[%d]", k)
		typ, state := c.descriptor(at+".addressTypeDescriptor", a.Type), c.descriptor(at+".stateAbbreviationDescriptor", a.State)
		x := Address{Street: a.Street, City: a.City, State: state, PostalCode: a.PostalCode}
		switch {
		case k == 0:
			addr, home = x, typ == "Home"
		case typ == "Home" && !home:
			otherAddrs = append(otherAddrs, addr)
			addr, home = x, true
		default:
			otherAddrs = append(otherAddrs, x)
		}
	}
	var ids []IdentificationCode
	var ssids []string
	for k, x := range r.IDs {
		at := fmt.Sprintf("studentIdentificationCodes[%d]", k)
		sys := c.descriptor(at+".studentIdentificationSystemDescriptor", x.System)
		ids = append(ids, IdentificationCode{System: sys, AssigningOrg: x.Org, Code: x.Code})
		if sys == "State" {
			ssid, err := CleanSSID(x.Code)
			if err != nil {
				c.fail(at+".identificationCode", "%v", err)
			} else if !slices.Contains(ssids, ssid) {
				ssids = append(ssids, ssid)
			}
		}
	}
	// Everything is read before the student is touched, so a rejected association
	// leaves no trace.
	if c.err != nil {
		return c.err
	}
	hispanic := ""
	if r.Hispanic != nil {
		hispanic = fmt.Sprint(*r.Hispanic)
	}
	s, seen := im.studentAt(rec, r.StudentReference.StudentUniqueID)
	src.Record = rec
	values := map[string]string{"sex": sex, "races": strings.Join(races, "; "), "hispanic_latino": hispanic, "address": addr.String()}
	for _, code := range ids {
		if !slices.Contains(s.IdentificationCodes, code) {
			s.IdentificationCodes = append(s.IdentificationCodes, code)
		}
	}
	var kept []string
	for _, a := range otherAddrs {
		if v := a.String(); v != "" && v != addr.String() && !slices.Contains(kept, v) {
			kept = append(kept, v)
			s.OtherValues = append(s.OtherValues, FieldValue{Field: "address", Value: v, Source: src})
		}
	}
	if seen.association {
		for _, ssid := range ssids {
			s.OtherValues = append(s.OtherValues, FieldValue{Field: "ssid", Value: ssid, Source: src})
		}
		s.alsoSubmitted(values, src)
		return nil
	}
	seen.association = true
	if sex != "" {
		if seen.birthSex && s.Sex != sex { // the students resource's birth sex stays a candidate
			s.OtherValues = append(s.OtherValues, FieldValue{Field: "sex", Value: s.Sex, Source: s.Source})
		}
		s.Sex = sex
	}
	s.HispanicLatino, s.Races, s.Address = hispanic, races, addr
	if len(ssids) > 0 {
		s.SSID = ssids[0]
		for _, other := range ssids[1:] {
			s.OtherValues = append(s.OtherValues, FieldValue{Field: "ssid", Value: other, Source: src})
		}
	}
	s.AssociationSource = src
	if s.Source.File == "" {
		s.Source = src
	}
	return nil
}

type edfiEnrollment struct {
	meta
	StudentReference studentRef `json:"studentReference"`
	SchoolReference  struct {
		SchoolID int64 `json:"schoolId"`
	} `json:"schoolReference"`
	EntryDate  string `json:"entryDate"`
	EntryGrade string `json:"entryGradeLevelDescriptor"`
	ExitDate   string `json:"exitWithdrawDate"`
	ExitType   string `json:"exitWithdrawTypeDescriptor"`
}

func (r *edfiEnrollment) add(im *importer, src Source) error {
	c := im.checks()
	e := Enrollment{
		Record:     r.StudentReference.record(im, c, "studentReference.studentUniqueId"),
		LEA:        im.opt.LEA,
		SchoolID:   c.positive("schoolReference.schoolId", r.SchoolReference.SchoolID),
		EntryDate:  c.need("entryDate", c.date("entryDate", r.EntryDate, upcoming)),
		ExitDate:   c.date("exitWithdrawDate", r.ExitDate, scheduled),
		ExitType:   c.descriptor("exitWithdrawTypeDescriptor", r.ExitType),
		GradeLevel: c.grade("entryGradeLevelDescriptor", r.EntryGrade),
	}
	c.ordered("entryDate", e.EntryDate, "exitWithdrawDate", e.ExitDate)
	if i, ok := im.records[e.Record]; ok && c.err == nil {
		c.ageFitsGrade("entryGradeLevelDescriptor", r.EntryGrade, e.GradeLevel, im.sub.Students[i].BirthDate, e.EntryDate)
	}
	return keep(c, e, src, &im.sub.Enrollments)
}

type edfiSection struct {
	meta
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

func (r *edfiSection) add(im *importer, src Source) error {
	c := im.checks()
	o := r.Offering
	s := Section{Key: sectionRef{o.LocalCourseCode, o.SchoolID, o.SchoolYear, r.SectionIdentifier, o.SessionName}.key(c, "courseOfferingReference"),
		CourseCode: o.LocalCourseCode, Name: r.SectionName, Credits: c.amount("availableCredits", r.Credits, 0, 100), Source: src}
	if c.err != nil {
		return c.err
	}
	im.sub.Sections = append(im.sub.Sections, s)
	return nil
}

type edfiSectionEnrollment struct {
	meta
	StudentReference studentRef `json:"studentReference"`
	SectionReference sectionRef `json:"sectionReference"`
	BeginDate        string     `json:"beginDate"`
	EndDate          string     `json:"endDate"`
}

func (r *edfiSectionEnrollment) add(im *importer, src Source) error {
	c := im.checks()
	e := SectionEnrollment{Record: r.StudentReference.record(im, c, "studentReference.studentUniqueId"),
		Section: r.SectionReference.key(c, "sectionReference"), BeginDate: c.date("beginDate", r.BeginDate, scheduled),
		EndDate: c.date("endDate", r.EndDate, scheduled)}
	c.ordered("beginDate", e.BeginDate, "endDate", e.EndDate)
	return keep(c, e, src, &im.sub.SectionLinks)
}

type edfiGrade struct {
	meta
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

func (r *edfiGrade) add(im *importer, src Source) error {
	c := im.checks()
	g := Grade{Record: studentRef{r.SSA.StudentUniqueID}.record(im, c, "studentSectionAssociationReference.studentUniqueId"),
		Section: r.SSA.sectionRef.key(c, "studentSectionAssociationReference"), GradingPeriod: c.descriptor("gradingPeriodReference.gradingPeriodDescriptor", r.Period.Descriptor),
		GradingPeriodName: r.Period.Name, GradingPeriodSchoolYear: c.schoolYear("gradingPeriodReference.schoolYear", r.Period.SchoolYear),
		GradeType: c.descriptor("gradeTypeDescriptor", r.GradeType), Letter: r.Letter, Numeric: c.amount("numericGradeEarned", r.Numeric, 0, 1000)}
	if r.Letter == "" && r.Numeric == nil {
		c.fail("letterGradeEarned", "neither it nor numericGradeEarned is given")
	}
	return keep(c, g, src, &im.sub.Grades)
}

type edfiTranscript struct {
	meta
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

func (r *edfiTranscript) add(im *importer, src Source) error {
	c := im.checks()
	t := CourseRecord{Record: studentRef{r.Record.StudentUniqueID}.record(im, c, "studentAcademicRecordReference.studentUniqueId"),
		CourseCode: c.need("courseReference.courseCode", r.Course.CourseCode), CourseTitle: r.Title,
		EducationOrganizationID: r.Course.EdOrgID, SchoolYear: c.schoolYear("studentAcademicRecordReference.schoolYear", r.Record.SchoolYear),
		Term: c.descriptor("studentAcademicRecordReference.termDescriptor", r.Record.Term), Result: c.descriptor("courseAttemptResultDescriptor", r.Result),
		FinalLetter: r.Letter, FinalNumeric: c.amount("finalNumericGradeEarned", r.Numeric, 0, 1000),
		AttemptedCredits: c.amount("attemptedCredits", r.Attempted, 0, 100), EarnedCredits: c.amount("earnedCredits", r.Earned, 0, 100),
		GradeLevel: c.grade("whenTakenGradeLevelDescriptor", r.GradeLevel), TakenAt: r.External}
	return keep(c, t, src, &im.sub.Transcripts)
}

type edfiAttendance struct {
	meta
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

func (r *edfiAttendance) add(im *importer, src Source) error {
	c := im.checks()
	ev := AttendanceEvent{Record: r.StudentReference.record(im, c, "studentReference.studentUniqueId"),
		Date:     c.need("eventDate", c.date("eventDate", r.EventDate, past)),
		Category: c.need("attendanceEventCategoryDescriptor", c.descriptor("attendanceEventCategoryDescriptor", r.Category)),
		Reason:   r.Reason, Duration: c.amount("eventDuration", r.Duration, 0, 1), Minutes: c.minutes("sectionAttendanceDuration", r.Minutes)}
	if r.SectionReference != nil {
		ev.Section = r.SectionReference.key(c, "sectionReference")
		ev.SchoolID = ev.Section.SchoolID
	} else {
		ev.SchoolID = c.positive("schoolReference.schoolId", r.SchoolReference.SchoolID)
	}
	return keep(c, ev, src, &im.sub.Attendance)
}

type edfiStaff struct {
	meta
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

func (r *edfiStaff) add(im *importer, src Source) error {
	c := im.checks()
	st := Staff{StaffUniqueID: c.id("staffUniqueId", r.StaffUniqueID), FirstName: r.FirstName, MiddleName: r.MiddleName,
		LastSurname: r.LastSurname, HighestEducation: c.descriptor("highestCompletedLevelOfEducationDescriptor", r.Education),
		YearsTeaching: c.amount("yearsOfPriorTeachingExperience", r.YearsTeaching, 0, 80), Source: src}
	for k, x := range r.Credentials {
		at := fmt.Sprintf("credentials[%d].credentialReference", k)
		st.CredentialRefs = append(st.CredentialRefs, CredentialRef{ID: c.need(at+".credentialIdentifier", x.Ref.ID),
			StateOfIssue: c.descriptor(at+".stateOfIssueStateAbbreviationDescriptor", x.Ref.State)})
	}
	if c.err != nil {
		return c.err
	}
	im.sub.Staff = append(im.sub.Staff, st)
	return nil
}

type edfiStaffSection struct {
	meta
	SectionReference sectionRef `json:"sectionReference"`
	StaffReference   struct {
		StaffUniqueID string `json:"staffUniqueId"`
	} `json:"staffReference"`
	BeginDate string `json:"beginDate"`
	EndDate   string `json:"endDate"`
	Position  string `json:"classroomPositionDescriptor"`
}

func (r *edfiStaffSection) add(im *importer, src Source) error {
	c := im.checks()
	ss := StaffSection{StaffUniqueID: c.id("staffReference.staffUniqueId", r.StaffReference.StaffUniqueID),
		Section: r.SectionReference.key(c, "sectionReference"), Position: c.descriptor("classroomPositionDescriptor", r.Position),
		BeginDate: c.date("beginDate", r.BeginDate, scheduled), EndDate: c.date("endDate", r.EndDate, scheduled), Source: src}
	c.ordered("beginDate", ss.BeginDate, "endDate", ss.EndDate)
	if c.err != nil {
		return c.err
	}
	im.sub.StaffSections = append(im.sub.StaffSections, ss)
	return nil
}

type edfiCredential struct {
	meta
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

func (r *edfiCredential) add(im *importer, src Source) error {
	c := im.checks()
	cr := Credential{ID: c.need("credentialIdentifier", r.ID), StateOfIssue: c.descriptor("stateOfIssueStateAbbreviationDescriptor", r.State),
		Type: c.descriptor("credentialTypeDescriptor", r.Type), Field: c.descriptor("credentialFieldDescriptor", r.Field),
		TeachingCredential: c.descriptor("teachingCredentialDescriptor", r.Teaching), IssuanceDate: c.date("issuanceDate", r.Issuance, past),
		EffectiveDate: c.date("effectiveDate", r.Effective, scheduled), ExpirationDate: c.date("expirationDate", r.Expiration, expiry), Source: src}
	for k, g := range r.GradeLevels {
		cr.GradeLevels = append(cr.GradeLevels, c.coded(fmt.Sprintf("gradeLevels[%d].gradeLevelDescriptor", k), g.Grade, edfiGradeLevels))
	}
	c.ordered("issuanceDate", cr.IssuanceDate, "expirationDate", cr.ExpirationDate)
	if c.err != nil {
		return c.err
	}
	im.sub.Credentials = append(im.sub.Credentials, cr)
	return nil
}

type edfiAssessment struct {
	meta
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

func (r *edfiAssessment) add(im *importer, src Source) error {
	c := im.checks()
	a := AssessmentResult{Record: r.StudentReference.record(im, c, "studentReference.studentUniqueId"),
		AssessmentIdentifier: c.need("assessmentReference.assessmentIdentifier", r.Ref.ID), Namespace: r.Ref.Namespace,
		StudentAssessmentIdentifier: r.ID, AdministrationDate: c.date("administrationDate", r.AdministrationDate, past),
		SchoolYear: c.schoolYear("schoolYearTypeReference.schoolYear", r.SchoolYear.SchoolYear),
		GradeLevel: c.grade("whenAssessedGradeLevelDescriptor", r.GradeLevel)}
	for k, s := range r.Scores {
		at := fmt.Sprintf("scoreResults[%d]", k)
		a.Scores = append(a.Scores, ScoreResult{Method: c.descriptor(at+".assessmentReportingMethodDescriptor", s.Method),
			DataType: c.descriptor(at+".resultDatatypeTypeDescriptor", s.DataType), Result: s.Result})
	}
	for k, l := range r.Levels {
		at := fmt.Sprintf("performanceLevels[%d]", k)
		a.PerformanceLevels = append(a.PerformanceLevels, PerformanceLevel{Method: c.descriptor(at+".assessmentReportingMethodDescriptor", l.Method),
			Level: c.descriptor(at+".performanceLevelDescriptor", l.Level)})
	}
	return keep(c, a, src, &im.sub.Assessments)
}
