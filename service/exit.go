package service

// A student's exit from an LEA, recorded after the LEA's enrollment was submitted open:
// the LEA posts the exit date, backpack.Requests.RecordExit records it (the LEA's own
// enrollment only), and from the day after the LEA's staff no longer see the student
// and another LEA's enrollment of the student is no longer held back for a reviewer by
// it (see enrolledElsewhere).

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/studentlink/studentlink/backpack"
)

// ExitRequest is what an LEA posts when a student it enrolls has left: the exit date,
// named as the Ed-Fi StudentSchoolAssociation names it.
type ExitRequest struct {
	ExitWithdrawDate string `json:"exitWithdrawDate"`
}

// ExitResponse says which exit is recorded.
type ExitResponse struct {
	StudentUniqueID  string `json:"studentUniqueId"`
	ExitWithdrawDate string `json:"exitWithdrawDate"`
	// Note says what the exit does, or that it was recorded before.
	Note string `json:"note"`
}

// exitRefused is an exit the service refuses, with the status it is answered with.
type exitRefused struct {
	status int
	msg    string
}

func (e *exitRefused) Error() string { return e.msg }

// handleExit serves POST /state/v1/students/{studentUniqueId}/exit for an LEA's key: the
// exit of the student from the caller's LEA on exitWithdrawDate (YYYY-MM-DD), recorded
// and committed with its audit entry before the answer. Refused: a body or date that
// does not read (400), a student the LEA holds no record or no enrollment of (404), an
// exit the workflow refuses — before the entry date of the enrollment it would end, or
// from enrollments that ended already (422) — and a date other than the one recorded
// already (409). The same date again answers 200 and changes nothing.
func (s *Server) handleExit(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r.Context())
	id := r.PathValue("studentUniqueId")
	var req ExitRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeBodyError(w, err, "an exit takes {\"exitWithdrawDate\": \"YYYY-MM-DD\"}: %v", err)
		return
	}
	date := req.ExitWithdrawDate
	if d, err := time.Parse(time.DateOnly, date); err != nil || d.Format(time.DateOnly) != date {
		writeError(w, http.StatusBadRequest, "exitWithdrawDate %q is not a date written YYYY-MM-DD", noteValue(date))
		return
	}
	resp, err := s.recordExit(r.Context(), c, id, date)
	var refused *exitRefused
	switch {
	case errors.As(err, &refused):
		writeError(w, refused.status, "%s", refused.msg)
	case errors.Is(err, backpack.ErrDenied):
		writeError(w, http.StatusForbidden, "%v", err)
	case err != nil:
		s.failed(w, "recording the exit", err)
	default:
		writeJSON(w, http.StatusOK, resp)
	}
}

// recordExit records the exit of student id from the caller's LEA on date (checked to
// be YYYY-MM-DD), through backpack's RecordExit as the LEA's own staff (exitStaff),
// committed with its request event and audit entry. An exit recorded already on date
// changes nothing; the call itself is audited then as every call is.
func (s *Server) recordExit(ctx context.Context, c caller, id, date string) (ExitResponse, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	student := s.resolve(id)
	notHeld := &exitRefused{http.StatusNotFound, fmt.Sprintf("no student %q among the students LEA %s holds a record of", noteValue(id), c.LEA)}
	held, err := s.store.holds(ctx, c.LEA, student)
	if err != nil {
		return ExitResponse{}, err
	}
	if !held {
		return ExitResponse{}, notHeld
	}
	b, err := s.builder(ctx)(student)
	if errors.Is(err, backpack.ErrDenied) { // no records: cannot happen for a student held
		return ExitResponse{}, notHeld
	}
	if err != nil {
		return ExitResponse{}, err
	}
	resp := ExitResponse{StudentUniqueID: b.StudentID, ExitWithdrawDate: date,
		Note: fmt.Sprintf("the exit from LEA %s on %s is recorded: from %s the LEA's staff no longer see the student's backpack, and the LEA no longer counts as enrolling the student",
			c.LEA, date, dayAfter(date))}
	switch recorded := s.requests().wf.RecordedExit(b.StudentID, c.LEA); {
	case recorded == date:
		resp.Note = "recorded already: " + resp.Note
		if ca := callAuditOf(ctx); ca != nil {
			ca.after = fmt.Sprintf("the exit of student %s from LEA %s on %s was recorded already; nothing changed", b.StudentID, c.LEA, date)
		}
		return resp, nil
	case recorded != "":
		return ExitResponse{}, &exitRefused{http.StatusConflict, fmt.Sprintf("an exit of student %s from LEA %s on %s is recorded already; it is kept, not rewritten (asked: %s)", b.StudentID, c.LEA, recorded, date)}
	}
	if !b.EnrolledAt(c.LEA) {
		return ExitResponse{}, &exitRefused{http.StatusNotFound, fmt.Sprintf("LEA %s holds no enrollment of student %s: an exit is recorded for the LEA's own enrollment", c.LEA, b.StudentID)}
	}
	now := s.now()
	ev := &requestEvent{Event: eventExit, LEA: c.LEA, Actor: c.actor(), At: now, Student: b.StudentID, ExitDate: date}
	err = s.workflow(ctx, true, ev, func(r *requests) error {
		r.at = now
		err := r.wf.RecordExit(exitStaff(c.actor(), c.LEA), b, c.LEA, date)
		if err != nil && !errors.Is(err, backpack.ErrDenied) {
			// The date, the LEA and the backpack were checked above: what RecordExit
			// refuses now is the exit asked for — before the entry date of the
			// enrollment it would end, or from enrollments that ended already.
			return &exitRefused{http.StatusUnprocessableEntity, trimBackpack(err.Error())}
		}
		return err
	})
	return resp, err
}

// trimBackpack cuts the package's prefix from one of backpack's messages.
func trimBackpack(msg string) string {
	const p = "backpack: "
	if len(msg) > len(p) && msg[:len(p)] == p {
		return msg[len(p):]
	}
	return msg
}

// dayAfter is the day after a date written YYYY-MM-DD.
func dayAfter(date string) string {
	d, _ := time.Parse(time.DateOnly, date)
	return d.AddDate(0, 0, 1).Format(time.DateOnly)
}
