package service

// Everything backpack.Requests decides: guardians' requests (Retrieve Backpack File the
// first time, Update Backpack after), staff's approvals and rejections, handoffs to an
// enrolling LEA, and every view of a backpack. Each runs under the server's write lock;
// the audit entries the workflow writes are committed with the event before the answer.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/studentlink/studentlink/backpack"
)

// errNotYours refuses a guardian a student who is not theirs.
var errNotYours = errors.New("a guardian may request only the backpacks of their own children")

// workflow runs one operation of the request workflow and commits what it wrote to the
// audit log, with ev (when not nil) numbered next; durable says how (see Store). After a
// failed commit the workflow is replayed without the operation. An operation the
// workflow refuses changes nothing, but what it wrote to the log about the refusal is
// committed all the same (without ev) before the refusal is returned.
func (s *Server) workflow(ctx context.Context, durable bool, ev *requestEvent, op func(*requests) error) error {
	return s.workflowTx(ctx, durable, ev, nil, op)
}

// workflowTx is workflow, with also (when not nil) writing more rows in the event's
// transaction.
func (s *Server) workflowTx(ctx context.Context, durable bool, ev *requestEvent, also func(*sql.Tx) error, op func(*requests) error) error {
	r := s.requests()
	if err := op(r); err != nil {
		entries, derr := r.newEntries()
		if derr == nil && len(entries) > 0 {
			derr = s.commitSync(ctx, durable, entries, nil)
		}
		if derr != nil {
			s.logf("service: auditing a refused request operation: %v", derr)
		}
		return err
	}
	entries, err := r.newEntries()
	if err != nil {
		return err
	}
	if ev != nil {
		ev.Seq = s.eventSeq + 1
	}
	err = s.commitSync(ctx, durable, entries, func(tx *sql.Tx) error {
		if ev != nil {
			if err := s.store.insertRequestEvent(ctx, tx, *ev); err != nil {
				return err
			}
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if ev != nil {
		s.eventSeq++
		s.events = append(s.events, *ev)
	}
	return nil
}

// submitRequest files a guardian's request for one of their children. A second press of
// the button while the first request waits answers with that request.
func (s *Server) submitRequest(ctx context.Context, g Account, ssid string) (backpack.Request, error) {
	if clean, err := backpack.CleanSSID(ssid); err == nil { // as the workflow will read it
		ssid = clean
	}
	if g.Role != RoleGuardian || !slices.Contains(g.Students, ssid) {
		return backpack.Request{}, fmt.Errorf("service: %w (%s asked for SSID %s)", errNotYours, g.Username, noteValue(ssid))
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	for _, p := range s.requests().wf.GuardianRequests(g.Username) {
		if p.Status == backpack.Pending && p.StudentSSID == ssid {
			return p, nil
		}
	}
	now := s.now()
	ev := &requestEvent{Event: eventSubmit, LEA: g.LEA, Actor: g.Username, SSID: ssid, At: now}
	var req backpack.Request
	err := s.workflow(ctx, true, ev, func(r *requests) error {
		var err error
		r.at = now
		req, err = r.wf.Submit(g.LEA, g.Username, ssid)
		ev.RequestID = req.ID
		return err
	})
	return req, err
}

// decideRequest approves a request, forwarding the student's backpack as it is now, or
// rejects it. backpack.Requests checks the permission and that the request was made at
// the staff member's LEA; an approval also needs the LEA to hold a record of the student
// still (see stillHeld). What an approval forwards is kept with it (see forwarded.go):
// the guardian sees that until another request is approved.
func (s *Server) decideRequest(ctx context.Context, staff Account, id string, approve bool, reason string) (backpack.Request, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	now := s.now()
	ev := &requestEvent{RequestID: id, LEA: staff.LEA, Actor: staff.Username, At: now, Event: eventReject, Reason: reason}
	var b *backpack.Backpack
	var also func(*sql.Tx) error
	var sn snapshot
	if approve {
		req, err := s.requests().wf.Get(staff.staff(), id)
		if err != nil {
			return req, err
		}
		if b, err = s.backpackOfSSID(ctx, req.StudentSSID, req.LEA); err != nil {
			return req, err
		}
		if err := s.stillHeld(ctx, staff, req, b.StudentID); err != nil {
			return req, err
		}
		if sn, err = snapshotOf(b); err != nil {
			return req, err
		}
		ev.Event, ev.Reason, ev.Student, ev.SSID = eventApprove, "", b.StudentID, req.StudentSSID
		also = func(tx *sql.Tx) error { return s.store.insertForwarded(ctx, tx, id, sn, now) }
	}
	var req backpack.Request
	err := s.workflowTx(ctx, true, ev, also, func(r *requests) error {
		var err error
		r.at = now
		if approve {
			req, err = r.wf.Approve(staff.staff(), id, b)
		} else {
			req, err = r.wf.Reject(staff.staff(), id, reason)
		}
		ev.SSID = req.StudentSSID
		return err
	})
	if err == nil && approve {
		s.forwarded[id] = sn
	}
	return req, err
}

// stillHeld refuses, audited, the approval of a request for a student of whom the
// request's LEA holds no record. backpack lets staff forward the backpack of a student
// handed to their LEA, and that grant outlives the LEA's record when a reviewer's split
// and relink moves it to another student (as staffView explains); the student's SSID
// still leads to them, so without this check an approval would forward the backpack of
// a student the LEA no longer has. Called under wmu, as a relink moves records.
func (s *Server) stillHeld(ctx context.Context, staff Account, req backpack.Request, student string) error {
	held, err := s.store.holds(ctx, req.LEA, student)
	if err != nil || held {
		return err
	}
	refused := &notHeld{request: req.ID, lea: req.LEA, student: student}
	entry := backpack.Entry{Action: backpack.ActionRequest, Actor: staff.Username, StudentID: student, Note: "approval refused: " + refused.Error()}
	if err := s.commit(ctx, []backpack.Entry{entry}, nil); err != nil {
		return err
	}
	return refused
}

// notHeld is an approval refused because the request's LEA holds no record of the
// student any more.
type notHeld struct{ request, lea, student string }

func (e *notHeld) Error() string {
	return fmt.Sprintf("request %s cannot be approved: LEA %s holds no record of student %s now (a reviewer has moved its record to another student), so no backpack is forwarded; reject it, or ask the state's reviewers", e.request, e.lea, e.student)
}

// handOff builds a student's backpack from every LEA's records and hands it, as the
// state's enrollment service (stateStaff) on behalf of actor, to an LEA (whose staff may
// view it from then on), committed before the backpack is returned.
//
// The enrollment's record must still be the student's (through merges): a reviewer's
// split and relink may have moved it since the enrollment matched, and then nothing is
// handed over and the error is a *recordMoved naming where the record is now. The check
// and the handoff are made under wmu, as a relink is.
func (s *Server) handOff(ctx context.Context, actor, student, lea, record string) (*backpack.Backpack, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	rec, ok, err := s.store.record(ctx, record)
	if err != nil {
		return nil, err
	}
	if now := s.resolve(rec.Student); !ok || rec.Student == "" || now != s.resolve(student) {
		return nil, &recordMoved{record: record, from: student, to: now}
	}
	b, err := s.builder(ctx)(student)
	if err != nil {
		return nil, err
	}
	now := s.now()
	ev := &requestEvent{Event: eventHandoff, LEA: lea, Actor: actor, At: now, Student: b.StudentID}
	err = s.workflow(ctx, true, ev, func(r *requests) error {
		r.at = now
		return r.wf.HandOffAs(stateStaff(actor), b, lea)
	})
	return b, err
}

// recordMoved is a handoff refused because the enrollment's record is no longer the
// student's it matched.
type recordMoved struct{ record, from, to string }

func (e *recordMoved) Error() string {
	if e.to == "" {
		return fmt.Sprintf("a reviewer has since taken record %s from student %s; it is placed with no student now, and no backpack is handed over", e.record, e.from)
	}
	return fmt.Sprintf("a reviewer has since moved record %s from student %s to student %s; no backpack is handed over", e.record, e.from, e.to)
}

// staffDenied is the refusal of a student the staff member's LEA may not see, naming the
// ID as asked: a retired ID's survivor is not named (that would tell another LEA which
// students a review merged), nor whether the ID exists.
func staffDenied(asked, lea string) error {
	return fmt.Errorf("%w: student %s is neither enrolled at LEA %s nor handed to it", backpack.ErrDenied, noteValue(asked), lea)
}

// staffView builds a student's backpack and returns the staff view of it, which backpack
// gives only to staff of an LEA where the student is enrolled or to which it was handed.
// The view's audit entry is committed (lazily, as reads are) before it is returned.
//
// A handoff's grant (backpack's, replayed from the request events at every start) lasts
// only while the LEA holds a record of the student: a reviewer's split and relink can
// move the LEA's record, the one whose enrollment was handed the backpack, to another
// student, and the grant must not outlive it. So the service refuses, as backpack
// refuses a student out of scope, a student of whom the LEA holds no record (checked
// under wmu, as a relink moves records).
func (s *Server) staffView(ctx context.Context, staff Account, student, asked string) (*backpack.Backpack, *backpack.View, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	b, err := s.builder(ctx)(student)
	if err != nil {
		return nil, nil, err
	}
	held, err := s.store.holds(ctx, staff.LEA, b.StudentID)
	if err != nil {
		return nil, nil, err
	}
	if !held {
		return nil, nil, staffDenied(asked, staff.LEA)
	}
	var v *backpack.View
	err = s.workflow(ctx, s.cfg.SyncReadAudits, nil, func(r *requests) error {
		var err error
		r.at = s.now()
		v, err = r.wf.StaffView(staff.staff(), b)
		return err
	})
	return b, v, err
}

// backpackOfSSID builds the backpack of the student whose records carry the SSID, for a
// request made at lea. An SSID carried by several students is tied to one by
// guardianChild's rule, or refused.
func (s *Server) backpackOfSSID(ctx context.Context, ssid, lea string) (*backpack.Backpack, error) {
	recs, err := s.store.recordsWhere(ctx, `ssid = ? AND student_id <> ''`, ssid)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("service: no records carry SSID %s", ssid)
	}
	student, err := s.guardianChild(ctx, ssid, lea, recs)
	if err != nil {
		return nil, err
	}
	return s.builder(ctx)(student)
}

// guardianStudent is one of a guardian's children as their page shows them: the latest
// request and, once one was approved, the backpack the latest approval forwarded.
type guardianStudent struct {
	SSID     string
	Latest   *backpack.Request
	Updating bool // a backpack was forwarded before: the button is Update Backpack
	View     *backpack.View
	// Unavailable says a backpack was forwarded but cannot be shown as it was (see
	// forwarded.go): the guardian is asked to request an update.
	Unavailable bool
}

// guardianStudents returns the state of each of a guardian's children, with the views
// backpack gives of the backpacks forwarded, their audit entries committed.
func (s *Server) guardianStudents(ctx context.Context, g Account) ([]guardianStudent, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	reqs := s.requests().wf.GuardianRequests(g.Username)
	out := make([]guardianStudent, len(g.Students))
	for k, ssid := range g.Students {
		out[k].SSID = ssid
		var forwarded *backpack.Request
		for i := range reqs {
			if reqs[i].StudentSSID != ssid {
				continue
			}
			out[k].Latest = &reqs[i]
			if reqs[i].Status == backpack.Forwarded {
				forwarded = &reqs[i]
			}
		}
		if forwarded == nil {
			continue
		}
		out[k].Updating = true
		if err := s.guardianView(ctx, g, forwarded.ID, &out[k]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// guardianView gives the guardian the view of what request id forwarded, built again
// from its snapshot; without one that agrees, the child is marked Unavailable.
func (s *Server) guardianView(ctx context.Context, g Account, id string, kid *guardianStudent) error {
	sn, ok := s.forwarded[id]
	if !ok {
		s.logf("service: request %s was approved before forwarded backpacks were kept: nothing shown", id)
		kid.Unavailable = true
		return nil
	}
	b, err := s.rebuild(sn)
	if err != nil {
		s.logf("service: request %s: %v: nothing shown", id, err)
		kid.Unavailable = true
		return nil
	}
	return s.workflow(ctx, s.cfg.SyncReadAudits, nil, func(r *requests) error {
		var err error
		r.at = s.now()
		kid.View, err = r.wf.GuardianView(g.Username, id, b)
		return err
	})
}

// PendingRequests returns the pending guardian requests made at an LEA, oldest first.
func (s *Server) PendingRequests(lea string) []backpack.Request {
	reqs, _ := s.requests().wf.Pending(backpack.StaffUser{ID: "service", LEA: lea, Permissions: backpack.PermView | backpack.PermRequest})
	return reqs
}
