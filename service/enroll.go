package service

// The enrollment handoff: an LEA posts the Ed-Fi Student (with its school and education
// organization associations) of a student enrolling there; the index places the record
// (match, review or new); on a match the student's backpack, built from every LEA's
// records, is handed to the LEA.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/match"
	"github.com/studentlink/studentlink/normalize"
)

// EnrollmentRequest is what an LEA posts when a student enrolls: Ed-Fi resources as the
// ODS/API serves them. Student and StudentSchoolAssociation are required; the
// StudentEducationOrganizationAssociation carries sex, races, address and IDs (the SSID
// as the State identification code).
type EnrollmentRequest struct {
	Student                                 json.RawMessage `json:"student"`
	StudentSchoolAssociation                json.RawMessage `json:"studentSchoolAssociation"`
	StudentEducationOrganizationAssociation json.RawMessage `json:"studentEducationOrganizationAssociation,omitempty"`
}

// EnrollmentResponse says where an enrollment was placed. On a match (at once or after a
// review) it carries the student's backpack, built from every LEA's records. A match is
// made at once only when a record of the student carries the enrollment's SSID (see
// ssidAgrees) and no other LEA holds an open enrollment of the student unless the LEA
// holds one too (see enrolledElsewhere); else it waits for a reviewer.
type EnrollmentResponse struct {
	EnrollmentID string `json:"enrollmentId"`
	RecordID     string `json:"recordId"`
	// Outcome is match, new, or review while a reviewer decides.
	Outcome string `json:"outcome"`
	// StudentUniqueID is the state's student ID ("" while in review).
	StudentUniqueID string             `json:"studentUniqueId,omitempty"`
	ReviewID        string             `json:"reviewId,omitempty"`
	Backpack        *backpack.Backpack `json:"backpack,omitempty"`
	// Note says why a match is answered without its backpack: a reviewer has since moved
	// the enrollment's record away from the student it matched (StudentUniqueID is then
	// the student the record is with now, "" for none), or the LEA's enrollments of the
	// student all ended. On a review it says why the enrollment waits when it matched a
	// student enrolled at another LEA now (see enrolledElsewhere), naming neither.
	Note string `json:"note,omitempty"`
}

// handleEnroll serves POST /state/v1/enrollments. Posting the same enrollment again
// (the same LEA and studentUniqueId) answers as the first did and adds nothing; posting
// other data under a studentUniqueId already enrolled is a conflict. The school must be
// one of the caller's LEA (see schools.go), and the education organisation of the
// association, when named, the LEA or one of its schools.
func (s *Server) handleEnroll(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r.Context())
	var req EnrollmentRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeBodyError(w, err, "%v", err)
		return
	}
	sub, row, err := s.enrollmentSubmission(c.LEA, req)
	if err == nil {
		err = s.checkSchool(c.LEA, sub)
	}
	if err == nil {
		err = s.checkEdOrg(c.LEA, req.StudentEducationOrganizationAssociation)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "enrollment: %v", err)
		return
	}
	body, _ := json.Marshal(req)
	e, created, err := s.enroll(r.Context(), c, sub, row, string(body))
	var conflict *enrollConflict
	switch {
	case errors.As(err, &conflict):
		writeError(w, http.StatusConflict, "%v", err)
		return
	case err != nil:
		s.failed(w, "the enrollment", err)
		return
	}
	s.answerEnrollment(w, r, c, e, created)
}

// enrollmentSubmission imports a posted enrollment as a one-student submission and its
// store row; the student's text must pass checkPerson, as an identity request's does.
func (s *Server) enrollmentSubmission(lea string, req EnrollmentRequest) (*backpack.Submission, map[string]string, error) {
	for _, p := range []struct {
		name     string
		raw      json.RawMessage
		required bool
	}{{"student", req.Student, true}, {"studentSchoolAssociation", req.StudentSchoolAssociation, true},
		{"studentEducationOrganizationAssociation", req.StudentEducationOrganizationAssociation, false}} {
		v := bytes.TrimSpace(p.raw)
		switch {
		case len(v) == 0 || string(v) == "null":
			if p.required {
				return nil, nil, fmt.Errorf("%s is required (an Ed-Fi %s object)", p.name, p.name)
			}
		case v[0] != '{':
			return nil, nil, fmt.Errorf("%s must be an object (an Ed-Fi %s), not %s", p.name, p.name, jsonValueKind(v))
		}
	}
	res := map[string][]json.RawMessage{
		"students":                  {req.Student},
		"studentSchoolAssociations": {req.StudentSchoolAssociation},
	}
	if v := bytes.TrimSpace(req.StudentEducationOrganizationAssociation); len(v) > 0 && string(v) != "null" {
		res["studentEducationOrganizationAssociations"] = []json.RawMessage{req.StudentEducationOrganizationAssociation}
	}
	sub, row, err := s.oneStudent(lea, res)
	if err != nil {
		return nil, nil, postedError(err)
	}
	if err := checkPerson(enrolledTexts(sub.Students[0])); err != nil {
		return nil, nil, err
	}
	return sub, row, nil
}

// postedResources name the resources of an enrollment as the request's properties do.
var postedResources = map[string]string{
	"posted/students.json":                                 "student",
	"posted/studentSchoolAssociations.json":                "studentSchoolAssociation",
	"posted/studentEducationOrganizationAssociations.json": "studentEducationOrganizationAssociation",
}

// postedError turns backpack's errors about the resources of a posted enrollment into
// errors about the request's properties ("student: birthDate …"), without the files and
// offsets backpack read them as.
func postedError(err error) error {
	return importErrors(err, func(msg string, ie *backpack.ImportError) string {
		msg = postedNames(msg)
		if ie == nil {
			return msg
		}
		if name, ok := postedResources[ie.File]; ok {
			return name + ": " + strings.TrimPrefix(msg, "backpack: ")
		}
		return msg
	})
}

// postedNames names the resources a message of backpack's cites by file and index
// ("its Student resource (posted/students.json[0]) was refused") by the request's
// properties ("its Student resource (student) was refused").
func postedNames(msg string) string {
	for file, name := range postedResources {
		for {
			i := strings.Index(msg, file+"[")
			if i < 0 {
				break
			}
			j := strings.IndexByte(msg[i+len(file):], ']')
			if j < 0 {
				break
			}
			msg = msg[:i] + name + msg[i+len(file)+j+1:]
		}
		msg = strings.ReplaceAll(msg, file, name)
	}
	return msg
}

// importErrors joins the messages of backpack's errors in err, "backpack: " cut and an
// ImportError read as its own error (no file or offset), each passed through word (with
// its ImportError, or nil) for the words of the caller's request.
func importErrors(err error, word func(msg string, ie *backpack.ImportError) string) error {
	var msgs []string
	for _, e := range flatErrors(err) {
		msg := strings.TrimPrefix(e.Error(), "backpack: ")
		ie, _ := errors.AsType[*backpack.ImportError](e) // nil when it is not one
		if ie != nil {
			msg = ie.Err.Error()
		}
		msgs = append(msgs, word(msg, ie))
	}
	return errors.New(strings.Join(msgs, "; "))
}

type enrollConflict struct{ record string }

func (e *enrollConflict) Error() string {
	return fmt.Sprintf("record %s is already enrolled with other data; an enrollment is posted once per studentUniqueId", e.record)
}

// enroll places a new enrollment and commits it with its audit entries before anything
// answers. created is false when the same enrollment was posted before.
func (s *Server) enroll(ctx context.Context, c caller, sub *backpack.Submission, row map[string]string, body string) (enrollmentRow, bool, error) {
	id := sub.Students[0].Record
	rec, err := s.recordOf(id, row)
	if err != nil {
		return enrollmentRow{}, false, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if old, ok, err := s.store.enrollmentWhere(ctx, "record_id", id); err != nil || ok {
		if ok && !sameJSON(old.Body, body) {
			return old, false, &enrollConflict{record: id}
		}
		return old, false, err
	}
	if _, taken := s.bp.Student(id); taken {
		return enrollmentRow{}, false, &enrollConflict{record: id}
	}
	pl, err := s.index.Load().Query(rec, 10)
	if err != nil {
		return enrollmentRow{}, false, err
	}
	reason := match.ReviewBetween
	if pl.Best.Refused != "" {
		reason = "kept apart by the cannot-link rule " + strconv.Quote(pl.Best.Refused)
	}
	if pl.Outcome == match.OutcomeMatch {
		agrees, err := s.ssidAgrees(ctx, sub.Students[0].SSID, pl.StudentID)
		if err != nil {
			return enrollmentRow{}, false, err
		}
		if !agrees {
			pl.Outcome, reason = match.OutcomeReview, unconfirmedMatch
		}
	}
	if pl.Outcome == match.OutcomeMatch {
		elsewhere, err := s.enrolledElsewhere(ctx, c.LEA, pl.StudentID)
		if err != nil {
			return enrollmentRow{}, false, err
		}
		if elsewhere {
			pl.Outcome, reason = match.OutcomeReview, enrolledElsewhereReason
		}
	}
	now := s.now()
	seq := s.recordSeq + 1
	e := enrollmentRow{ID: fmt.Sprintf("E%06d", seq), LEA: c.LEA, RecordID: id, Outcome: pl.Outcome, Created: now, Body: body}
	entry := backpack.Entry{Action: actionEnroll, Actor: c.actor(), Records: []string{id}, SettingsVersion: s.linker.Settings().Version,
		Note: fmt.Sprintf("enrollment %s at LEA %s placed: %s", e.ID, c.LEA, pl.Outcome)}
	entries := []backpack.Entry{entry}
	var rev *reviewRow
	switch pl.Outcome {
	case match.OutcomeMatch:
		e.Student = s.resolve(pl.StudentID)
		entries = append(entries, mergeEntry(c.actor(), e.Student, id, pl.Best, s.linker.Settings().Version,
			fmt.Sprintf("enrollment %s at LEA %s placed by the index as a match", e.ID, c.LEA)))
	case match.OutcomeReview:
		rr, err := s.pendingReview(reviewEnrollment, id, pl.Best, reason, now)
		if err != nil {
			return e, false, err
		}
		rev, e.ReviewID = &rr, rr.ID
	default:
		if e.Student, err = s.newStudent(ctx, id, row); err != nil {
			return e, false, err
		}
	}
	entries[0].StudentID = e.Student
	n := s.newRecord(sub, row, seq, e.Student, "enrollment", now, rev)
	if pl.Outcome != match.OutcomeReview { // a reviewer sees the record anyway
		if n.ssidReviews, err = s.ssidReviews(ctx, sub.Students[0].SSID, id, e.Student, pl, now); err != nil {
			return e, false, err
		}
	}
	err = s.commit(ctx, entries, func(tx *sql.Tx) error {
		if err := s.insertNew(ctx, tx, n); err != nil {
			return err
		}
		return s.store.insertEnrollment(ctx, tx, e)
	})
	if err != nil {
		return e, false, err
	}
	return e, true, s.applyNew(n, rec)
}

// unconfirmedMatch is the reason of an enrollment the index matched on demographics that
// no ID confirms.
const unconfirmedMatch = "a match on names and dates alone: no record of the student carries the enrollment's SSID"

// ssidAgrees reports whether a record of the student carries the SSID: the ID that
// confirms a match the index made on names and dates. An enrollment is handed the
// student's backpack at once only then; without it (no SSID posted, or another) a
// reviewer decides first, since names and a birth date are no secret (anyone may
// know them, and a search once told them) and the backpack is everything the state holds.
func (s *Server) ssidAgrees(ctx context.Context, ssid, student string) (bool, error) {
	if ssid == "" {
		return false, nil
	}
	recs, err := s.store.recordsWhere(ctx, `ssid = ? AND student_id = ?`, ssid, s.resolve(student))
	return len(recs) > 0, err
}

// enrolledElsewhereReason is the reason of an enrollment that matched a student another
// LEA holds an open enrollment of (see enrolledElsewhere), for the reviewer.
const enrolledElsewhereReason = "the student is enrolled at another LEA now (an open enrollment there) and the enrolling LEA holds no current enrollment of the student: confirm the transfer before the backpack is handed over"

// enrolledElsewhereNote is what the enrolling LEA is told of such an enrollment while it
// waits: why, without naming the other LEA or anything of the student's.
const enrolledElsewhereNote = "the student this enrollment matched is enrolled at another LEA now, and this LEA holds no current enrollment of the student: a state reviewer confirms the enrollment before the backpack is handed over; read this enrollment again once the review is decided"

// enrolledElsewhere reports whether another LEA than lea holds an open enrollment of the
// student while lea holds none (backpack.Requests.CurrentLEAs, the rule of staff scope,
// exits the LEAs recorded after submitting included): then an enrollment at lea that
// matched the student waits for a reviewer instead of being handed the backpack at once.
// The SSID and the student's names and birth date are known to every LEA that ever held
// the student (and to others), and the backpack carries the current LEA's address and
// everything else; a transfer from an LEA whose enrollments all ended is handed over at
// once, as an LEA's own further enrollment is. Called under wmu.
func (s *Server) enrolledElsewhere(ctx context.Context, lea, student string) (bool, error) {
	b, err := s.builder(ctx)(student)
	if errors.Is(err, backpack.ErrDenied) { // no records (cannot happen for a match): nothing held
		return false, nil
	}
	if err != nil {
		return false, err
	}
	r := s.requests()
	r.at = s.now() // the workflow's clock, as every call under wmu sets it
	current := r.wf.CurrentLEAs(b)
	return len(current) > 0 && !slices.Contains(current, lea), nil
}

// newRecord is a student record an LEA submitted, about to be committed with its
// submission and, when it waits for a reviewer, its review.
type newRecord struct {
	row    recordRow
	sub    *backpack.Submission
	review *reviewRow
	// ssidReviews pair the record with each other student carrying its SSID.
	ssidReviews []reviewRow
}

// newRecord numbers a submitted record next. Its SSID is the one backpack read (and
// cleaned) from the submission.
func (s *Server) newRecord(sub *backpack.Submission, row map[string]string, seq int64, student, origin string, now time.Time, review *reviewRow) newRecord {
	st := sub.Students[0]
	return newRecord{row: recordRow{ID: st.Record, Seq: seq, LEA: sub.LEA, SSID: st.SSID, Student: student, Origin: origin, Fields: row, Created: now},
		sub: sub, review: review}
}

// insertNew writes a new record, its submission and its review.
func (s *Server) insertNew(ctx context.Context, tx *sql.Tx, n newRecord) error {
	if err := s.store.insertRecord(ctx, tx, n.row); err != nil {
		return err
	}
	if err := s.store.insertSubmission(ctx, tx, s.subSeq+1, n.sub); err != nil {
		return err
	}
	if n.review != nil {
		if err := s.store.insertReview(ctx, tx, *n.review); err != nil {
			return err
		}
	}
	for _, rv := range n.ssidReviews {
		if err := s.store.insertReview(ctx, tx, rv); err != nil {
			return err
		}
	}
	return nil
}

// applyNew applies a committed new record to memory: the sequence numbers, the backpack
// store, and the index unless the record waits for a reviewer to place it.
func (s *Server) applyNew(n newRecord, rec normalize.Record) error {
	s.recordSeq, s.subSeq = n.row.Seq, s.subSeq+1
	if n.review != nil {
		s.reviewSeq = n.review.Seq
	}
	if k := len(n.ssidReviews); k > 0 {
		s.reviewSeq = n.ssidReviews[k-1].Seq
	}
	if n.row.Student == "" {
		return s.bp.Add(n.sub) // placed in the index once decided
	}
	return s.place(n.row.ID, rec, n.row.Student, n.sub)
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return a == b
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// mergeEntry records that a record joined a student through its best candidate; why
// says what placed it there (the index at an enrollment, a reviewer's decision), so that
// the entry reads on its own.
func mergeEntry(actor, student, record string, c match.Candidate, version, why string) backpack.Entry {
	w := c.Weight
	return backpack.Entry{Action: backpack.ActionMerge, Actor: actor, StudentID: student, Records: []string{c.RecordID, record},
		Weight: &w, Explanation: c.Explanation.String(), SettingsVersion: version,
		Note: fmt.Sprintf("record %s joined student %s through record %s (weight %.2f): %s", record, student, c.RecordID, w, why)}
}

// place applies a committed record to the state in memory: the index and the backpack
// store. It fails only if memory and store disagree, which a restart repairs.
func (s *Server) place(id string, rec normalize.Record, student string, sub *backpack.Submission) error {
	if sub != nil {
		if err := s.bp.Add(sub); err != nil {
			return fmt.Errorf("service: record %s is committed but the backpack store refused it (a restart reloads it): %w", id, err)
		}
	}
	if _, err := s.index.Load().Add(id, rec, student); err != nil {
		return fmt.Errorf("service: record %s is committed but the index refused it (a restart rebuilds it): %w", id, err)
	}
	return nil
}

// newStudent names a new student first seen in the record given.
func (s *Server) newStudent(ctx context.Context, id string, row map[string]string) (string, error) {
	var failed error
	sid, err := newStudentID(ctx, s.linker, id, row, func(sid string) bool {
		if s.resolve(sid) != sid {
			return true
		}
		used, err := s.store.studentExists(ctx, sid)
		if err != nil {
			failed = err
			return false
		}
		return used
	})
	if failed != nil {
		return "", failed
	}
	return sid, err
}

// pendingReview is a review of a record against its best candidate, numbered next.
func (s *Server) pendingReview(kind, record string, best match.Candidate, reason string, now time.Time) (reviewRow, error) {
	expl, err := json.Marshal(best.Explanation)
	if err != nil {
		return reviewRow{}, err
	}
	seq := s.reviewSeq + 1
	return reviewRow{ID: reviewID(seq), Seq: seq, Kind: kind, A: record, B: best.RecordID, Weight: best.Weight, Reason: reason,
		Explanation: string(expl), Status: reviewPending, Created: now}, nil
}

// handleGetEnrollment serves GET /state/v1/enrollments/{id}, for the LEA that posted it.
func (s *Server) handleGetEnrollment(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r.Context())
	e, ok, err := s.store.enrollmentWhere(r.Context(), "id", r.PathValue("id"))
	if err != nil {
		s.failed(w, "reading the enrollment", err)
		return
	}
	if !ok || e.LEA != c.LEA {
		writeError(w, http.StatusNotFound, "no enrollment %q of LEA %s", r.PathValue("id"), c.LEA)
		return
	}
	s.answerEnrollment(w, r, c, e, false)
}

// answerEnrollment writes where an enrollment stands. A placed student's backpack goes
// with it, and its handoff is audited before it is sent.
func (s *Server) answerEnrollment(w http.ResponseWriter, r *http.Request, c caller, e enrollmentRow, created bool) {
	resp := EnrollmentResponse{EnrollmentID: e.ID, RecordID: e.RecordID, Outcome: e.Outcome, ReviewID: e.ReviewID}
	status := http.StatusOK
	switch {
	case e.Outcome == match.OutcomeReview:
		status = http.StatusAccepted
	case e.Outcome == match.OutcomeNew && created:
		status = http.StatusCreated
	}
	if e.Student != "" {
		resp.StudentUniqueID = s.resolve(e.Student)
	}
	if e.Outcome == match.OutcomeReview {
		rv, ok, err := s.store.review(r.Context(), e.ReviewID)
		if err != nil {
			s.failed(w, "reading the enrollment's review", err)
			return
		}
		if ok && rv.Reason == enrolledElsewhereReason {
			resp.Note = enrolledElsewhereNote
		}
	}
	if e.Outcome == match.OutcomeMatch {
		b, err := s.handOff(r.Context(), c.actor(), resp.StudentUniqueID, c.LEA, e.RecordID)
		var moved *recordMoved
		switch {
		case errors.As(err, &moved):
			resp.StudentUniqueID, resp.Note = moved.to, moved.Error()
		case errors.Is(err, backpack.ErrDenied):
			// The LEA's enrollments of the student all ended (one posted with a past
			// exit date, or the student left since): it is placed, nothing handed over.
			resp.Note = strings.TrimPrefix(err.Error(), "backpack: ") + "; no backpack is handed over"
		case err != nil:
			s.failed(w, "handing over the backpack", err)
			return
		default:
			resp.Backpack = b
		}
	}
	w.Header().Set("Location", "/state/v1/enrollments/"+e.ID)
	writeJSON(w, status, resp)
}

// leasOf lists the LEAs of records, in order of first appearance.
func leasOf(recs []recordRow) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range recs {
		if !seen[r.LEA] {
			seen[r.LEA] = true
			out = append(out, r.LEA)
		}
	}
	return out
}
