package service

// Adapters between the store and package backpack: Ed-Fi resources posted to the service
// go through backpack.Import as files would, and the guardians' request workflow is
// backpack.Requests, rebuilt at start by replaying the stored events.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing/fstest"
	"time"

	"github.com/studentlink/studentlink/backpack"
)

// importResources reads Ed-Fi resources posted by an LEA, each list under its resource
// file's name (students, studentSchoolAssociations…), as backpack.Import reads an LEA's
// files. Every problem is reported, joined.
func importResources(lea, submitted string, resources map[string][]json.RawMessage) (*backpack.Submission, error) {
	fsys := fstest.MapFS{}
	for name, items := range resources {
		body, err := json.Marshal(items)
		if err != nil {
			return nil, err
		}
		fsys["posted/"+name+".json"] = &fstest.MapFile{Data: body}
	}
	if len(fsys) == 0 {
		return nil, errors.New("no Ed-Fi resources were posted")
	}
	sub, errs := backpack.Import(fsys, "posted", backpack.ImportOptions{LEA: lea, Submitted: submitted})
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return sub, nil
}

// oneStudent imports the resources an LEA posted about one student, dated today, checks
// that backpack's store will take them, and returns the submission with the student's
// store row.
func (s *Server) oneStudent(lea string, res map[string][]json.RawMessage) (*backpack.Submission, map[string]string, error) {
	sub, err := importResources(lea, s.now().Format("2006-01-02"), res)
	if err != nil {
		return nil, nil, err
	}
	if len(sub.Students) != 1 {
		return nil, nil, fmt.Errorf("the resources name %d students; one was expected", len(sub.Students))
	}
	if err := storable(sub); err != nil {
		return nil, nil, err
	}
	_, rows, err := submissionRows(sub)
	if err != nil {
		return nil, nil, err
	}
	return sub, rows[0], nil
}

// storable checks that backpack's store will take a submission: every fact is of a
// student it holds. The service asks before committing, since a submission the store
// refused after the commit would be refused again at every start.
func storable(sub *backpack.Submission) error {
	_, err := backpack.NewStore(sub)
	return err
}

// submissionRows returns the student records of a submission as store rows, through
// backpack's own writer of the student CSV.
func submissionRows(sub *backpack.Submission) (ids []string, rows []map[string]string, err error) {
	var buf bytes.Buffer
	if err := backpack.WriteStudentCSV(&buf, sub); err != nil {
		return nil, nil, err
	}
	return readRows(&buf)
}

// requestEvent is one stored change of backpack's request workflow: a guardian's
// request submitted, approved or rejected, a backpack handed to an LEA, or a student's
// exit from an LEA recorded (see exit.go).
type requestEvent struct {
	Seq       int64
	RequestID string // "" for a handoff or an exit
	Event     string // eventSubmit, eventApprove, eventReject, eventHandoff or eventExit
	LEA       string // for an exit, the LEA the student exited
	Actor     string // the guardian who submitted, the staff member who decided, who handed off, whose key recorded the exit
	SSID      string
	Reason    string
	At        time.Time
	Student   string // approve, handoff and exit: the student whose backpack was forwarded or handed, who exited
	ExitDate  string // exit: the exit date recorded (YYYY-MM-DD)
}

// Request events.
const (
	eventSubmit  = "submit"
	eventApprove = "approve"
	eventReject  = "reject"
	eventHandoff = "handoff"
	eventExit    = "exit"
)

// requests is backpack's request workflow (requests, decisions, handoffs and every view
// of a backpack) with what the service adds. The workflow keeps its state in memory and
// offers no way to restore it, so a start replays the stored events into a new one; and it
// records to the log it is made with, so it is given a log of its own whose entries are
// handed on to the service's chain and dropped from it (newEntries). Callers hold the
// server's write lock.
type requests struct {
	wf  *backpack.Requests
	log *backpack.Log // drained into the service's chain after each step
	at  time.Time
}

// newRequests replays stored events in order; build gives the backpack an approval or a
// handoff names (Server.eventBuilder). A replay that gives a request another ID
// than the one stored means the store and the workflow disagree: an error. An approval or
// handoff the workflow refuses now (the student's records were split or moved since) is
// skipped and reported to logf: the request stays pending until staff decide it again.
func newRequests(events []requestEvent, build func(requestEvent) (*backpack.Backpack, error), logf func(string, ...any)) (*requests, error) {
	log, err := backpack.NewLog([]byte(secret(32))) // only this process reads it
	if err != nil {
		return nil, err
	}
	wf, err := backpack.NewRequests(log)
	if err != nil {
		return nil, err
	}
	r := &requests{wf: wf, log: log}
	r.wf.Now = func() time.Time { return r.at }
	log.Now = r.wf.Now
	for _, ev := range events {
		var got backpack.Request
		var err error
		r.at = ev.At
		switch ev.Event {
		case eventSubmit:
			got, err = r.wf.Submit(ev.LEA, ev.Actor, ev.SSID)
		case eventApprove, eventHandoff:
			b, berr := build(ev)
			switch {
			case berr != nil:
				err = berr
			case ev.Event == eventHandoff:
				err = r.wf.HandOffAs(stateStaff(ev.Actor), b, ev.LEA)
			default:
				got, err = r.wf.Approve(replayStaff(ev), ev.RequestID, b)
			}
			if err != nil {
				logf("service: replaying %s event %d (request %q, student %s) refused now, skipped: %v", ev.Event, ev.Seq, ev.RequestID, ev.Student, err)
				continue
			}
			got.ID = ev.RequestID
		case eventExit:
			b, berr := build(ev)
			if berr == nil {
				berr = r.wf.RecordExit(exitStaff(ev.Actor, ev.LEA), b, ev.LEA, ev.ExitDate)
			}
			if berr != nil {
				logf("service: replaying exit event %d (student %s, LEA %s, %s) refused now, skipped: %v", ev.Seq, ev.Student, ev.LEA, ev.ExitDate, berr)
			}
			continue
		case eventReject:
			got, err = r.wf.Reject(replayStaff(ev), ev.RequestID, ev.Reason)
		default:
			err = fmt.Errorf("unknown event %q", ev.Event)
		}
		if err == nil && got.ID != ev.RequestID {
			err = fmt.Errorf("replay gave request %s", got.ID)
		}
		if err != nil {
			return nil, fmt.Errorf("service: replaying request event %d (%s of request %s): %w", ev.Seq, ev.Event, ev.RequestID, err)
		}
	}
	_, err = log.Drain() // the replayed events' entries are in the store already
	return r, err
}

// stateLEA is the LEA ID the state has in the workflow: the service hands a backpack to
// an enrolling LEA as the state, never as that LEA.
const stateLEA = "state"

// stateStaff is the state's enrollment service handing a backpack on behalf of actor (the
// caller whose enrollment placed the student, named in the audit entry), with the state's
// PermHandOff. Only the enrollment handoff and its replay act as it: no account or API
// key is given PermHandOff.
func stateStaff(actor string) backpack.StaffUser {
	return backpack.StaffUser{ID: actor, LEA: stateLEA, Permissions: backpack.PermHandOff}
}

// replayStaff is the staff member who decided a stored event, with the permission they
// were checked for when they did.
func replayStaff(ev requestEvent) backpack.StaffUser {
	return backpack.StaffUser{ID: ev.Actor, LEA: ev.LEA, Permissions: backpack.PermView | backpack.PermRequest}
}

// exitStaff is the holder of an LEA's API key recording a student's exit from the LEA,
// with the permission backpack asks of the LEA's own staff (PermView): backpack refuses
// an exit from any other LEA.
func exitStaff(actor, lea string) backpack.StaffUser {
	return backpack.StaffUser{ID: actor, LEA: lea, Permissions: backpack.PermView}
}

// newEntries returns the audit entries the workflow wrote since the last call, ready to
// append to the service's chain.
func (r *requests) newEntries() ([]backpack.Entry, error) {
	out, err := r.log.Drain()
	if err != nil {
		return nil, err
	}
	for k := range out {
		out[k].Seq, out[k].Prev, out[k].Hash = 0, "", ""
	}
	return out, nil
}
