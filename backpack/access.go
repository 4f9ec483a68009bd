package backpack

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/studentlink/studentlink/normalize"
)

// Permission is a right an SIS gives staff over backpacks.
type Permission uint8

const (
	// PermView lets staff view existing backpacks.
	PermView Permission = 1 << iota
	// PermRequest lets staff request backpacks and manage guardians' requests.
	PermRequest
)

func (p Permission) String() string {
	switch p {
	case PermView:
		return "view backpacks"
	case PermRequest:
		return "request backpacks and manage guardian requests"
	}
	return fmt.Sprintf("permissions %#x", uint8(p))
}

// StaffUser is a staff member of an LEA with their permissions.
type StaffUser struct {
	ID          string
	LEA         string
	Permissions Permission
}

// Can reports whether the staff member holds permission p.
func (s StaffUser) Can(p Permission) bool { return s.Permissions&p == p }

// ErrDenied is wrapped by errors for a missing permission.
var ErrDenied = errors.New("permission denied")

func (s StaffUser) require(p Permission) error {
	if strings.TrimSpace(s.ID) == "" {
		return fmt.Errorf("backpack: %w: no staff member named", ErrDenied)
	}
	if !s.Can(p) {
		return fmt.Errorf("backpack: %w: staff %s lacks the permission to %s", ErrDenied, s.ID, p)
	}
	return nil
}

// RequestKind says whether a guardian asks for a backpack for the first time or again.
type RequestKind string

// Request kinds.
const (
	Retrieve RequestKind = "Retrieve" // the first request for this student by this guardian
	Update   RequestKind = "Update"   // a later request, once a backpack was forwarded
)

// Status is a request's state.
type Status string

// Request states. Pending is the only state that can change.
const (
	Pending   Status = "Pending"
	Forwarded Status = "Forwarded" // approved and sent
	Rejected  Status = "Rejected"
)

// Request is a guardian's request for a student's backpack.
type Request struct {
	ID string
	// LEA is where the guardian asked ("" when any LEA's staff may decide).
	LEA         string
	Guardian    string
	StudentSSID string
	Kind        RequestKind
	Status      Status
	Created     time.Time
	DecidedBy   string
	Decided     time.Time
	Reason      string // why it was rejected
}

// TransitionError is a request transition the workflow does not allow, and why.
type TransitionError struct {
	Request  string
	From, To Status
	Reason   string
	// Err is the underlying error, when there is one: a missing permission wraps
	// ErrDenied.
	Err error
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("backpack: request %s: cannot go from %s to %s: %s", e.Request, e.From, e.To, e.Reason)
}

func (e *TransitionError) Unwrap() error { return e.Err }

// ErrNoSSID refuses a request without the student's SSID.
var ErrNoSSID = errors.New("a backpack request needs the student's SSID")

// Requests is the guardians' request workflow: Submit, then Approve or Reject by staff
// holding PermRequest. Every change is written to the audit log when one is set. Safe for
// concurrent use.
type Requests struct {
	mu        sync.Mutex
	byID      map[string]*Request
	forwarded map[[2]string]bool // (guardian, SSID) pairs that were forwarded a backpack
	next      int
	log       *Log
	// Now stamps requests; nil means time.Now.
	Now func() time.Time
}

// NewRequests returns an empty workflow that records to log (nil: no audit).
func NewRequests(log *Log) *Requests {
	return &Requests{byID: map[string]*Request{}, forwarded: map[[2]string]bool{}, log: log}
}

func (r *Requests) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Submit files a guardian's request for the student with the given SSID. It is a Retrieve
// the first time and an Update once this guardian was forwarded this student's backpack.
// A request without an SSID, or with one that is not an ID, is refused with the reason.
func (r *Requests) Submit(guardian, ssid string) (*Request, error) {
	return r.SubmitTo("", guardian, ssid)
}

// SubmitTo is Submit at one LEA: only that LEA's staff may decide the request.
func (r *Requests) SubmitTo(lea, guardian, ssid string) (*Request, error) {
	if strings.TrimSpace(guardian) == "" {
		return nil, errors.New("backpack: request refused: the guardian is not named")
	}
	if ssid == "" {
		return nil, fmt.Errorf("backpack: request by %s refused: %w", guardian, ErrNoSSID)
	}
	clean, err := normalize.CleanID(ssid)
	if err != nil {
		return nil, fmt.Errorf("backpack: request by %s refused: %w: %v", guardian, ErrNoSSID, err)
	}
	if clean == "" { // blanks only
		return nil, fmt.Errorf("backpack: request by %s refused: %w", guardian, ErrNoSSID)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next++
	req := &Request{ID: fmt.Sprintf("R%06d", r.next), LEA: lea, Guardian: guardian, StudentSSID: clean, Kind: Retrieve, Status: Pending, Created: r.now()}
	if r.forwarded[[2]string{guardian, clean}] {
		req.Kind = Update
	}
	if err := r.audit(req, guardian, "submitted "+string(req.Kind)); err != nil {
		r.next--
		return nil, err
	}
	r.byID[req.ID] = req
	c := *req
	return &c, nil
}

// Get returns a copy of a request.
func (r *Requests) Get(id string) (Request, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	req, ok := r.byID[id]
	if !ok {
		return Request{}, false
	}
	return *req, true
}

// Pending returns the pending requests, oldest first.
func (r *Requests) Pending() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Request
	for _, req := range r.byID {
		if req.Status == Pending {
			out = append(out, *req)
		}
	}
	slices.SortFunc(out, func(a, b Request) int {
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	return out
}

// Approve forwards a pending request; the staff member needs PermRequest.
func (r *Requests) Approve(staff StaffUser, id string) (Request, error) {
	return r.decide(staff, id, Forwarded, "")
}

// Reject rejects a pending request with a reason; the staff member needs PermRequest.
func (r *Requests) Reject(staff StaffUser, id, reason string) (Request, error) {
	return r.decide(staff, id, Rejected, strings.TrimSpace(reason))
}

func (r *Requests) decide(staff StaffUser, id string, to Status, reason string) (Request, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	req, ok := r.byID[id]
	if !ok {
		return Request{}, fmt.Errorf("backpack: request %q does not exist", id)
	}
	if err := staff.require(PermRequest); err != nil {
		return *req, &TransitionError{Request: id, From: req.Status, To: to, Reason: err.Error(), Err: err}
	}
	if req.LEA != "" && staff.LEA != req.LEA {
		err := fmt.Errorf("backpack: %w: the request was made at LEA %s; staff %s is at LEA %q", ErrDenied, req.LEA, staff.ID, staff.LEA)
		return *req, &TransitionError{Request: id, From: req.Status, To: to, Reason: err.Error(), Err: err}
	}
	if req.Status != Pending {
		return *req, &TransitionError{Request: id, From: req.Status, To: to,
			Reason: fmt.Sprintf("only a Pending request can be decided; this one was already decided by %s", req.DecidedBy)}
	}
	if to == Rejected && reason == "" {
		return *req, &TransitionError{Request: id, From: req.Status, To: to, Reason: "a rejection needs a reason for the guardian"}
	}
	next := *req
	next.Status, next.DecidedBy, next.Decided, next.Reason = to, staff.ID, r.now(), reason
	note := "approved: forwarded"
	if to == Rejected {
		note = "rejected: " + reason
	}
	if err := r.audit(&next, staff.ID, note); err != nil {
		return *req, err
	}
	*req = next
	if to == Forwarded {
		r.forwarded[[2]string{req.Guardian, req.StudentSSID}] = true
	}
	return *req, nil
}

func (r *Requests) audit(req *Request, actor, note string) error {
	if r.log == nil {
		return nil
	}
	_, err := r.log.Append(Entry{Action: ActionRequest, Actor: actor, Note: fmt.Sprintf("request %s for SSID %s: %s", req.ID, req.StudentSSID, note)})
	return err
}
