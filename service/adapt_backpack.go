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

// requestEvent is one stored change of a guardian's request.
type requestEvent struct {
	Seq       int64
	RequestID string
	Event     string // eventSubmit, eventApprove or eventReject
	LEA       string
	Actor     string // the guardian who submitted, or the staff member who decided
	SSID      string
	Reason    string
	At        time.Time
	Backpack  string // on approval: the backpack forwarded, as backpack.WriteJSON wrote it
}

// Request events.
const (
	eventSubmit  = "submit"
	eventApprove = "approve"
	eventReject  = "reject"
)

// requests is backpack's request workflow with what the service adds: each change is
// replayed at start from the stored events, and the audit entries the workflow writes
// (to a log of its own, since it takes one only when made) are handed on to the
// service's chain. Callers hold the server's write lock.
type requests struct {
	wf   *backpack.Requests
	log  *backpack.Log
	seen int // entries of log already handed on
	at   time.Time
}

// newRequests replays stored events in order. A replay that gives a request another ID
// than the one stored means the store and the workflow disagree: an error.
func newRequests(events []requestEvent) (*requests, error) {
	log, err := backpack.NewLog()
	if err != nil {
		return nil, err
	}
	r := &requests{wf: backpack.NewRequests(log), log: log}
	r.wf.Now = func() time.Time { return r.at }
	log.Now = r.wf.Now
	for _, ev := range events {
		var got backpack.Request
		var err error
		switch ev.Event {
		case eventSubmit:
			var req *backpack.Request
			req, err = r.submitAt(ev.At, ev.LEA, ev.Actor, ev.SSID)
			if req != nil {
				got = *req
			}
		case eventApprove:
			got, err = r.approveAt(ev.At, replayStaff(ev), ev.RequestID)
		case eventReject:
			got, err = r.rejectAt(ev.At, replayStaff(ev), ev.RequestID, ev.Reason)
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
	r.seen = len(log.Entries())
	return r, nil
}

// replayStaff is the staff member who decided a stored event, with the permission they
// were checked for when they did.
func replayStaff(ev requestEvent) backpack.StaffUser {
	return backpack.StaffUser{ID: ev.Actor, LEA: ev.LEA, Permissions: backpack.PermView | backpack.PermRequest}
}

func (r *requests) submitAt(at time.Time, lea, guardian, ssid string) (*backpack.Request, error) {
	r.at = at
	return r.wf.SubmitTo(lea, guardian, ssid)
}

func (r *requests) approveAt(at time.Time, staff backpack.StaffUser, id string) (backpack.Request, error) {
	r.at = at
	return r.wf.Approve(staff, id)
}

func (r *requests) rejectAt(at time.Time, staff backpack.StaffUser, id, reason string) (backpack.Request, error) {
	r.at = at
	return r.wf.Reject(staff, id, reason)
}

// newEntries returns the audit entries the workflow wrote since the last call, ready to
// append to the service's chain.
func (r *requests) newEntries() []backpack.Entry {
	all := r.log.Entries()
	var out []backpack.Entry
	for _, e := range all[r.seen:] {
		e.Seq, e.Prev, e.Hash = 0, "", ""
		out = append(out, e)
	}
	r.seen = len(all)
	return out
}
