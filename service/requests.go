package service

// Guardians' backpack requests: a guardian asks at their LEA (Retrieve Backpack File the
// first time, Update Backpack after), staff of that LEA holding the request permission
// approve or reject, and an approved request forwards the backpack as it stood then.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/normalize"
)

// errNotYours refuses a guardian a student who is not theirs.
var errNotYours = errors.New("a guardian may request only the backpacks of their own children")

// submitRequest files a guardian's request for one of their children.
func (s *Server) submitRequest(ctx context.Context, g Account, ssid string) (backpack.Request, error) {
	if clean, err := normalize.CleanID(ssid); err == nil { // as the workflow will read it
		ssid = clean
	}
	if g.Role != RoleGuardian || !slices.Contains(g.Students, ssid) {
		return backpack.Request{}, fmt.Errorf("service: %w (%s asked for SSID %s)", errNotYours, g.Username, ssid)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	for _, p := range s.requests().wf.Pending() {
		if p.Guardian == g.Username && p.StudentSSID == ssid {
			return p, nil // a second press of the button: the request is already waiting
		}
	}
	now := s.now()
	req, err := s.requests().submitAt(now, g.LEA, g.Username, ssid)
	if err != nil {
		return backpack.Request{}, err
	}
	ev := requestEvent{Seq: s.eventSeq + 1, RequestID: req.ID, Event: eventSubmit, LEA: g.LEA, Actor: g.Username, SSID: ssid, At: now}
	err = s.commit(ctx, s.requests().newEntries(), func(tx *sql.Tx) error { return s.store.insertRequestEvent(ctx, tx, ev) })
	if err != nil {
		return backpack.Request{}, err
	}
	s.eventSeq++
	s.events = append(s.events, ev)
	return *req, nil
}

// decideRequest approves (forwarding the backpack as it is now) or rejects a request.
// backpack.Requests checks the permission and that the staff member is of the LEA where
// the guardian asked.
func (s *Server) decideRequest(ctx context.Context, staff Account, id string, approve bool, reason string) (backpack.Request, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	req, ok := s.requests().wf.Get(id)
	if !ok {
		return backpack.Request{}, fmt.Errorf("service: request %q does not exist", id)
	}
	if staff.Role != RoleStaff || req.LEA != staff.LEA {
		// Not even the request's existence is shown to another LEA.
		return backpack.Request{}, fmt.Errorf("service: %w: request %s is not of LEA %s", backpack.ErrDenied, id, staff.LEA)
	}
	now := s.now()
	ev := requestEvent{Seq: s.eventSeq + 1, RequestID: id, LEA: req.LEA, Actor: staff.Username, SSID: req.StudentSSID, At: now}
	var err error
	if approve {
		if !staff.staff().Can(backpack.PermRequest) {
			_, err := s.requests().approveAt(now, staff.staff(), id) // backpack words the refusal
			return req, err
		}
		var b strings.Builder
		bp, err := s.backpackOfSSID(ctx, req.StudentSSID)
		if err != nil {
			return req, err
		}
		if err := backpack.WriteJSON(&b, bp); err != nil {
			return req, err
		}
		ev.Event, ev.Backpack = eventApprove, b.String()
		req, err = s.requests().approveAt(now, staff.staff(), id)
	} else {
		ev.Event, ev.Reason = eventReject, reason
		req, err = s.requests().rejectAt(now, staff.staff(), id, reason)
	}
	if err != nil {
		return req, err
	}
	if err := s.commit(ctx, s.requests().newEntries(), func(tx *sql.Tx) error { return s.store.insertRequestEvent(ctx, tx, ev) }); err != nil {
		return req, err
	}
	s.eventSeq++
	s.events = append(s.events, ev)
	return req, nil
}

// backpackOfSSID builds the backpack of the student whose records carry the SSID. An SSID
// carried by two students is refused: a reviewer must settle who is who first.
func (s *Server) backpackOfSSID(ctx context.Context, ssid string) (*backpack.Backpack, error) {
	recs, err := s.store.recordsWhere(ctx, `ssid = ? AND student_id <> ''`, ssid)
	if err != nil {
		return nil, err
	}
	var students []string
	for _, r := range recs {
		if sid := s.resolve(r.Student); !slices.Contains(students, sid) {
			students = append(students, sid)
		}
	}
	switch len(students) {
	case 0:
		return nil, fmt.Errorf("service: no records carry SSID %s", ssid)
	case 1:
	default:
		return nil, fmt.Errorf("service: SSID %s is carried by %d students (%s); a reviewer must settle them first", ssid, len(students), strings.Join(students, ", "))
	}
	all, err := s.store.studentRecords(ctx, students[0])
	if err != nil {
		return nil, err
	}
	return s.bp.Build(students[0], recordIDs(all), backpack.Survivorship{})
}

// guardianStudent is one of a guardian's children as their page shows them: the latest
// request and, once one was approved, the backpack it forwarded.
type guardianStudent struct {
	SSID     string
	Latest   *backpack.Request
	Updating bool   // a backpack was forwarded before: the button is Update Backpack
	Forward  string // the latest request approved, whose backpack View shows
	View     *backpack.View
}

// guardianStudents returns the state of each of a guardian's children.
func (s *Server) guardianStudents(ctx context.Context, g Account) ([]guardianStudent, error) {
	ids, err := s.store.guardianRequests(ctx, g.Username)
	if err != nil {
		return nil, err
	}
	out := make([]guardianStudent, len(g.Students))
	for k, ssid := range g.Students {
		out[k].SSID = ssid
		var forwarded *backpack.Request
		for _, id := range ids {
			req, ok := s.requests().wf.Get(id)
			if !ok || req.StudentSSID != ssid {
				continue
			}
			out[k].Latest = &req
			if req.Status == backpack.Forwarded {
				forwarded = &req
			}
		}
		if forwarded == nil {
			continue
		}
		out[k].Updating, out[k].Forward = true, forwarded.ID
		events, err := s.store.requestEvents(ctx, forwarded.ID)
		if err != nil {
			return nil, err
		}
		for _, ev := range events {
			if ev.Event != eventApprove {
				continue
			}
			b, err := backpack.ReadBackpack(strings.NewReader(ev.Backpack))
			if err != nil {
				return nil, fmt.Errorf("service: the backpack forwarded for request %s: %w", forwarded.ID, err)
			}
			if out[k].View, err = backpack.GuardianView(*forwarded, b); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// PendingRequests returns the pending guardian requests made at an LEA, oldest first.
func (s *Server) PendingRequests(lea string) []backpack.Request {
	return slices.DeleteFunc(s.requests().wf.Pending(), func(r backpack.Request) bool { return r.LEA != lea })
}
