package backpack

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Permission is a right an SIS gives staff over backpacks.
type Permission uint8

const (
	// PermView lets staff view the backpacks of their LEA's current students: enrolled
	// there now, or handed to it (see Requests.StaffView).
	PermView Permission = 1 << iota
	// PermRequest lets staff decide guardians' requests made at their LEA.
	PermRequest
	// PermHandOff lets the state's staff hand a student's backpack to an LEA (HandOffAs).
	// Only the state grants it, to its own staff: an LEA's SIS never does.
	PermHandOff
)

func (p Permission) String() string {
	switch p {
	case PermView:
		return "view backpacks"
	case PermRequest:
		return "request backpacks and manage guardian requests"
	case PermHandOff:
		return "hand backpacks to LEAs"
	}
	return fmt.Sprintf("permissions %#x", uint8(p))
}

// StaffUser is a staff member of an LEA with their permissions, as the service's sign-in
// established them.
type StaffUser struct {
	ID          string
	LEA         string
	Permissions Permission
}

// Can reports whether the staff member holds permission p.
func (s StaffUser) Can(p Permission) bool { return s.Permissions&p == p }

// ErrDenied is wrapped by the errors for an action the workflow does not allow: a missing
// permission, another LEA's student or request, a request not approved, an ID that is not
// one.
var ErrDenied = errors.New("permission denied")

func denied(format string, args ...any) error {
	return fmt.Errorf("backpack: %w: %s", ErrDenied, fmt.Sprintf(format, args...))
}

// require checks the staff member's IDs and permission p.
func (s StaffUser) require(p Permission) error {
	for _, id := range [][2]string{{"staff ID", s.ID}, {"staff LEA", s.LEA}} {
		if err := checkID(id[0], id[1]); err != nil {
			return denied("%v", err)
		}
	}
	if !s.Can(p) {
		return denied("staff %s lacks the permission to %s", s.ID, p)
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

// Request is a copy of a guardian's request as the workflow holds it. Changing or
// building one grants nothing: the workflow decides from its own copy, found by ID.
type Request struct {
	ID string
	// LEA is where the guardian asked: only its staff may decide the request.
	LEA         string
	Guardian    string
	StudentSSID string
	Kind        RequestKind
	Status      Status
	Created     time.Time
	// StudentID is the student whose backpack was approved (set by Approve).
	StudentID string
	DecidedBy string
	Decided   time.Time
	Reason    string // why it was rejected
}

// TransitionError is a request transition the workflow does not allow, and why.
type TransitionError struct {
	Request  string
	From, To Status
	Reason   string
	// Err is the underlying error, when there is one: a refusal wraps ErrDenied.
	Err error
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("backpack: request %s: cannot go from %s to %s: %s", e.Request, e.From, e.To, e.Reason)
}

func (e *TransitionError) Unwrap() error { return e.Err }

// Requests is the only way to a view of a backpack. Guardians Submit requests at an LEA;
// staff of that LEA holding PermRequest Approve or Reject them; the guardian of an
// approved request gets the GuardianView. Staff holding PermView get the StaffView of
// students enrolled at their LEA now (an enrollment without an exit date, or exiting
// today or later, and no exit before today recorded by RecordExit) or handed to it
// (HandOffAs): staff of an LEA the student left do not.
// Every request, decision, handoff, recorded exit and view is an entry of the audit log, and an action
// the log cannot record does not happen. Safe for concurrent use.
type Requests struct {
	mu        sync.Mutex
	byID      map[string]*Request
	forwarded map[[2]string]bool           // (guardian, SSID) pairs that were forwarded a backpack
	handed    map[string]map[string]bool   // student ID → LEAs it was handed to
	exits     map[string]map[string]string // student ID → LEA → exit date recorded (RecordExit)
	next      int
	log       *Log
	// Now stamps requests; nil means time.Now.
	Now func() time.Time
}

// NewRequests returns an empty workflow that records to log, which is required and must
// be one NewLog or OpenLog made: a zero Log has no key to chain its entries with.
func NewRequests(log *Log) (*Requests, error) {
	if log == nil {
		return nil, errors.New("backpack: requests need an audit log: every view is recorded")
	}
	if err := log.usable(); err != nil {
		return nil, err
	}
	return &Requests{byID: map[string]*Request{}, forwarded: map[[2]string]bool{}, handed: map[string]map[string]bool{},
		exits: map[string]map[string]string{}, log: log}, nil
}

// errNoWorkflow is the error of a Requests that NewRequests did not make.
var errNoWorkflow = errors.New("backpack: requests: not made by NewRequests, so there is no audit log to record to")

// usable refuses a Requests that NewRequests did not make (a zero Requests{}).
func (r *Requests) usable() error {
	if r == nil || r.log == nil {
		return errNoWorkflow
	}
	return nil
}

func (r *Requests) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Submit files a guardian's request, made at LEA lea, for the student with the given
// SSID. It is a Retrieve the first time and an Update once this guardian was forwarded
// this student's backpack. An LEA or guardian that is not an ID (see checkID), and an SSID
// CleanSSID refuses (wrapping ErrNoSSID), are refused with the reason.
func (r *Requests) Submit(lea, guardian, ssid string) (Request, error) {
	if err := r.usable(); err != nil {
		return Request{}, err
	}
	if err := checkID("guardian", guardian); err != nil {
		return Request{}, fmt.Errorf("backpack: request refused: %v", err)
	}
	if err := checkID("LEA", lea); err != nil {
		return Request{}, fmt.Errorf("backpack: request by %s refused: %v", guardian, err)
	}
	clean, err := CleanSSID(ssid)
	if err != nil {
		return Request{}, fmt.Errorf("backpack: request by %s refused: %w", guardian, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	req := &Request{ID: fmt.Sprintf("R%06d", r.next+1), LEA: lea, Guardian: guardian, StudentSSID: clean, Kind: Retrieve, Status: Pending, Created: r.now()}
	if r.forwarded[[2]string{guardian, clean}] {
		req.Kind = Update
	}
	if err := r.audit(Entry{Action: ActionRequest, Actor: guardian, Note: requestNote(req, "submitted "+string(req.Kind)+" at LEA "+lea)}); err != nil {
		return Request{}, err
	}
	r.next++
	r.byID[req.ID] = req
	return *req, nil
}

func requestNote(req *Request, what string) string {
	return fmt.Sprintf("request %s for SSID %s: %s", req.ID, req.StudentSSID, what)
}

// Get returns a copy of a request made at the staff member's LEA; the staff member needs
// PermRequest.
func (r *Requests) Get(staff StaffUser, id string) (Request, error) {
	if err := r.usable(); err != nil {
		return Request{}, err
	}
	if err := staff.require(PermRequest); err != nil {
		return Request{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	req, ok := r.byID[id]
	if !ok || req.LEA != staff.LEA {
		return Request{}, denied("no request %q at LEA %s", id, staff.LEA)
	}
	return *req, nil
}

// GuardianRequests returns copies of the guardian's own requests, oldest first, as the
// guardian may see them: without the internal student ID and the deciding staff member's
// ID (StudentID and DecidedBy are blank). A Requests NewRequests did not make has none.
func (r *Requests) GuardianRequests(guardian string) []Request {
	if r.usable() != nil {
		return nil
	}
	out := r.list(func(req *Request) bool { return req.Guardian == guardian })
	for i := range out {
		out[i].StudentID, out[i].DecidedBy = "", ""
	}
	return out
}

// ForwardedStudent returns the internal student ID of the guardian's Forwarded request
// id, for the caller to build the backpack GuardianView asks for: never to show to the
// guardian. Another guardian's request, or one not Forwarded, is refused with ErrDenied.
func (r *Requests) ForwardedStudent(guardian, id string) (string, error) {
	if err := r.usable(); err != nil {
		return "", err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	req, ok := r.byID[id]
	switch {
	case !ok || req.Guardian != guardian:
		return "", denied("guardian %s has no request %q", guardian, id)
	case req.Status != Forwarded:
		return "", denied("request %s is %s, not Forwarded", id, req.Status)
	}
	return req.StudentID, nil
}

// Pending returns the pending requests made at the staff member's LEA, oldest first; the
// staff member needs PermRequest.
func (r *Requests) Pending(staff StaffUser) ([]Request, error) {
	if err := r.usable(); err != nil {
		return nil, err
	}
	if err := staff.require(PermRequest); err != nil {
		return nil, err
	}
	return r.list(func(req *Request) bool { return req.Status == Pending && req.LEA == staff.LEA }), nil
}

func (r *Requests) list(keep func(*Request) bool) []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Request
	for _, req := range r.byID {
		if keep(req) {
			out = append(out, *req)
		}
	}
	slices.SortFunc(out, func(a, b Request) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Approve forwards a pending request to its guardian with the student's backpack b. The
// staff member needs PermRequest at the LEA where the request was made — a request of
// another LEA is refused as one that does not exist — and may not decide their own
// request; b must be a backpack a Store built, of a student of that LEA now (see
// StaffView: a request filed at an LEA the student left cannot be approved there),
// carrying the request's SSID. A refusal of the transition itself is a *TransitionError.
func (r *Requests) Approve(staff StaffUser, id string, b *Backpack) (Request, error) {
	return r.decide(staff, id, Forwarded, "", b)
}

// Reject rejects a pending request with a reason for the guardian, under the rules of
// Approve for the staff member.
func (r *Requests) Reject(staff StaffUser, id, reason string) (Request, error) {
	return r.decide(staff, id, Rejected, strings.TrimSpace(reason), nil)
}

func (r *Requests) decide(staff StaffUser, id string, to Status, reason string, b *Backpack) (Request, error) {
	if err := r.usable(); err != nil {
		return Request{}, err
	}
	if err := staff.require(PermRequest); err != nil {
		return Request{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	req, ok := r.byID[id]
	if !ok || req.LEA != staff.LEA { // another LEA's request is as unknown as a made-up one
		return Request{}, denied("no request %q at LEA %s", id, staff.LEA)
	}
	refuse := func(err error) (Request, error) {
		return Request{}, &TransitionError{Request: id, From: req.Status, To: to, Reason: strings.TrimPrefix(err.Error(), "backpack: "), Err: err}
	}
	if sameIdentity(staff.ID, req.Guardian) {
		return refuse(denied("staff %s made this request as guardian and cannot decide it", staff.ID))
	}
	if req.Status != Pending {
		return refuse(fmt.Errorf("only a Pending request can be decided; this one was already decided by %s", req.DecidedBy))
	}
	if to == Rejected && reason == "" {
		return refuse(errors.New("a rejection needs a reason for the guardian"))
	}
	next := *req
	note := "rejected: " + reason
	now := r.now()
	if to == Forwarded {
		if err := r.inScope(staff.LEA, b, now); err != nil {
			return refuse(err)
		}
		if !b.hasSSID(req.StudentSSID) {
			return refuse(denied("backpack %s does not carry SSID %s", b.StudentID, req.StudentSSID))
		}
		next.StudentID = b.StudentID
		note = "approved: backpack of student " + b.StudentID + " forwarded"
	}
	next.Status, next.DecidedBy, next.Decided, next.Reason = to, staff.ID, now, reason
	if err := r.audit(Entry{Action: ActionRequest, Actor: staff.ID, StudentID: next.StudentID, Note: requestNote(&next, note)}); err != nil {
		return Request{}, err
	}
	*req = next
	if to == Forwarded {
		r.forwarded[[2]string{req.Guardian, req.StudentSSID}] = true
	}
	return *req, nil
}

// HandOffAs records that the state handed backpack b to LEA lea (a student enrolling
// there): the LEA's staff may view it from then on, until its enrollments in b have all
// ended (see StaffView). state is the state's staff member who hands it and must hold
// PermHandOff; an LEA that is not an ID is refused, and so is one whose enrollments in b
// all ended already (ErrDenied): an enrollment posted with a past exit date hands
// nothing over.
func (r *Requests) HandOffAs(state StaffUser, b *Backpack, lea string) error {
	if err := state.require(PermHandOff); err != nil {
		return err
	}
	return r.handOff(state.ID, b, lea)
}

func (r *Requests) handOff(actor string, b *Backpack, lea string) error {
	if err := r.usable(); err != nil {
		return err
	}
	if err := checkID("LEA", lea); err != nil {
		return fmt.Errorf("backpack: handoff refused: %v", err)
	}
	if !b.intact() {
		return denied("handoff: %v", errNotBuilt)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if why := enrollmentsEnded(lea, b, r.exits[b.StudentID][lea], r.now()); why != "" {
		return denied("handoff to LEA %s refused: %s", lea, why)
	}
	if err := r.audit(Entry{Action: ActionHandoff, StudentID: b.StudentID, Records: b.Records, Actor: actor,
		Note: "backpack handed to LEA " + lea}); err != nil {
		return err
	}
	if r.handed[b.StudentID] == nil {
		r.handed[b.StudentID] = map[string]bool{}
	}
	r.handed[b.StudentID][lea] = true
	return nil
}

var errNotBuilt = errors.New("the backpack was not built by a Store, or was changed after")

// inScope checks that b is a backpack a Store built, of a student in LEA lea's scope on
// now's date (in now's location): with an enrollment at lea that is open — no exit date,
// or an exit date on or after that date (the exit day itself is still in scope) — or
// handed to lea (HandOffAs) while none of lea's enrollments in b has ended. An enrollment
// is at the LEA it names (Enrollment.LEA), or, when it names none, at the LEAs that
// submitted it. An LEA whose enrollments all ended is out of scope even though it
// submitted them or was handed the backpack once: a former LEA does not keep seeing the
// student's backpack, with what the new LEA submitted since. An exit date that does not
// read as a date closes the enrollment (a refusal, not a guess). An exit RecordExit
// recorded for lea is the exit date of the enrollments it ended (see recordedExit). A
// backpack that holds no enrollment at all (demographics only) says nothing about which
// LEA is current, so there every LEA that submitted a record of the student
// (Backpack.LEAs) stays in scope.
func (r *Requests) inScope(lea string, b *Backpack, now time.Time) error {
	if !b.intact() {
		return denied("%v", errNotBuilt)
	}
	if why := enrollmentsEnded(lea, b, r.exits[b.StudentID][lea], now); why != "" {
		return denied("%s; the student is not enrolled at LEA %s now", why, lea)
	}
	switch {
	case r.handed[b.StudentID][lea]:
		return nil
	case len(b.Enrollments) == 0 && slices.Contains(b.LEAs(), lea):
		return nil
	}
	if slices.ContainsFunc(b.Enrollments, func(e Fact[Enrollment]) bool { return enrolledAt(e, lea) }) {
		return nil // an open one: enrollmentsEnded found no ended ones only
	}
	if len(b.Enrollments) > 0 && slices.Contains(b.LEAs(), lea) {
		return denied("LEA %s submitted a record of student %s but no enrollment, and the student's enrollments are elsewhere; the student is not enrolled at LEA %s now nor handed to it",
			lea, b.StudentID, lea)
	}
	return denied("student %s is neither enrolled at LEA %s nor handed to it", b.StudentID, lea)
}

// enrollmentsEnded says why LEA lea's enrollments in b all ended before now's date (or
// one carries an exit date that is not a date, which closes it); "" when lea has an open
// one or none at all. recorded is the exit from lea recorded by RecordExit ("" for none):
// it ends each enrollment at lea entered on or before it that the submission left open
// past it (see recordedExit).
func enrollmentsEnded(lea string, b *Backpack, recorded string, now time.Time) string {
	today := now.Format(time.DateOnly)
	var ended, unreadable string // the latest exit date at lea; an exit date that is not one
	byRecord := false            // ended is the recorded exit
	for _, e := range b.Enrollments {
		if !enrolledAt(e, lea) {
			continue
		}
		exit, ok := exitDay(e.Fact.ExitDate)
		closed := ok && recordedExit(e.Fact, exit, recorded)
		if closed {
			exit = recorded
		}
		switch {
		case !ok:
			unreadable = e.Fact.ExitDate
		case exit == "" || exit >= today:
			return ""
		case exit > ended:
			ended, byRecord = exit, closed
		}
	}
	switch {
	case ended != "" && byRecord:
		return fmt.Sprintf("student %s's enrollments at LEA %s ended on %s, the exit recorded after the enrollment was submitted (today is %s)", b.StudentID, lea, ended, today)
	case ended != "":
		return fmt.Sprintf("student %s's enrollments at LEA %s ended on %s (today is %s)", b.StudentID, lea, ended, today)
	case unreadable != "":
		return fmt.Sprintf("student %s's enrollment at LEA %s has an exit date %q that is not a date, so it counts as ended", b.StudentID, lea, unreadable)
	}
	return ""
}

// CurrentLEAs lists, sorted, the LEAs holding an enrollment of b's student open today
// (r.Now's date): no exit date, or one not before today, an exit recorded by RecordExit
// counting as the exit date of the enrollments it ended — the rule of StaffView's scope
// (enrollmentsEnded). Handoffs do not count: they say where the backpack went, not where
// the student is.
func (r *Requests) CurrentLEAs(b *Backpack) []string {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range b.Enrollments {
		for _, lea := range enrollmentLEAs(e) {
			if !slices.Contains(out, lea) && enrollmentsEnded(lea, b, r.exits[b.StudentID][lea], now) == "" {
				out = append(out, lea)
			}
		}
	}
	slices.Sort(out)
	return out
}

// RecordedExit is the exit from LEA lea that RecordExit recorded for the student with
// ID studentID, YYYY-MM-DD ("" for none).
func (r *Requests) RecordedExit(studentID, lea string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.exits[studentID][lea]
}

// EnrolledAt reports whether b holds an enrollment at LEA lea, open or ended: the LEA
// it names, or, naming none, one of the LEAs that submitted it.
func (b *Backpack) EnrolledAt(lea string) bool {
	return slices.ContainsFunc(b.Enrollments, func(e Fact[Enrollment]) bool { return enrolledAt(e, lea) })
}

// recordedExit reports whether the exit recorded (a date, or "" for none) ends enrollment
// e, whose submitted exit day is exit ("" for none): e was entered on or before it and
// submitted open past it. An enrollment entered after it (the student enrolled again) or
// whose entry date is not a date is not the one that exit ended.
func recordedExit(e Enrollment, exit, recorded string) bool {
	if recorded == "" || (exit != "" && exit <= recorded) {
		return false
	}
	entry, ok := exitDay(e.EntryDate)
	return ok && entry != "" && entry <= recorded
}

// RecordExit records that the student of backpack b exited LEA lea on exitDate
// (YYYY-MM-DD), after an enrollment there was submitted open (or exiting later): from
// the day after exitDate, lea's staff no longer see the backpack (StaffView), decide
// guardian requests for it (Approve) or are handed it (HandOffAs), as if the enrollment
// had been submitted with that exit date; on exitDate itself they still do. It is for
// the LEA's own enrollment: staff of lea holding PermView record their own student's
// exit, and the state's staff holding PermHandOff, who hand backpacks to LEAs, record
// one for any LEA; staff of another LEA are refused with ErrDenied.
//
// lea must have an enrollment in b open past exitDate — no exit date, or a later one —
// and every such enrollment must have been entered on or before exitDate: an exit before
// the entry, or from an LEA without an enrollment left to end, is an error naming the
// student and the LEA. The exit ends those enrollments only: one lea submits later,
// entered after exitDate (the student came back), is open again. The exit is recorded
// in the audit log (ActionExit) before it takes effect, and an exit the log cannot
// record is not recorded. Recording the same date again does nothing and returns nil;
// another date, once one is recorded for the student at lea, is an error naming both:
// the record is kept, not rewritten.
//
// The exit changes no submitted value: b and the backpacks a Store builds still show the
// enrollment as submitted, open, until lea submits its exit date.
func (r *Requests) RecordExit(staff StaffUser, b *Backpack, lea, exitDate string) error {
	if err := r.usable(); err != nil {
		return err
	}
	if staff.Can(PermHandOff) {
		if err := staff.require(PermHandOff); err != nil {
			return err
		}
	} else {
		if err := staff.require(PermView); err != nil {
			return err
		}
		if staff.LEA != lea {
			return denied("staff %s of LEA %s may record exits from LEA %s only, not from LEA %s", staff.ID, staff.LEA, staff.LEA, lea)
		}
	}
	if err := checkID("LEA", lea); err != nil {
		return fmt.Errorf("backpack: exit refused: %v", err)
	}
	if !b.intact() {
		return denied("exit from LEA %s: %v", lea, errNotBuilt)
	}
	refuse := func(format string, args ...any) error {
		return fmt.Errorf("backpack: exit of student %s from LEA %s on %q refused: %s", b.StudentID, lea, exitDate, fmt.Sprintf(format, args...))
	}
	if d, err := time.Parse(time.DateOnly, exitDate); err != nil || d.Format(time.DateOnly) != exitDate {
		return refuse("the exit date is not a date written YYYY-MM-DD")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch recorded := r.exits[b.StudentID][lea]; {
	case recorded == exitDate:
		return nil
	case recorded != "":
		return refuse("an exit on %s is recorded already", recorded)
	}
	var found, open bool
	var ended string // the latest exit date at lea on or before exitDate
	for _, e := range b.Enrollments {
		if !enrolledAt(e, lea) {
			continue
		}
		found = true
		exit, ok := exitDay(e.Fact.ExitDate)
		switch {
		case !ok:
			continue // an exit date that is not a date ended it already (see inScope)
		case exit != "" && exit <= exitDate:
			ended = max(ended, exit)
			continue
		}
		switch entry, ok := exitDay(e.Fact.EntryDate); {
		case !ok || entry == "":
			return refuse("its enrollment at school %s has an entry date %q that is not a date", e.Fact.SchoolCode(), e.Fact.EntryDate)
		case entry > exitDate:
			return refuse("the exit date is before the entry date %s of its enrollment at school %s", entry, e.Fact.SchoolCode())
		}
		open = true
	}
	switch {
	case !found:
		return refuse("the student has no enrollment at LEA %s", lea)
	case !open && ended != "":
		return refuse("the student's enrollments at LEA %s ended on %s already", lea, ended)
	case !open:
		return refuse("the student's enrollments at LEA %s have exit dates that are not dates, so they ended already", lea)
	}
	if err := r.audit(Entry{Action: ActionExit, StudentID: b.StudentID, Records: b.Records, Actor: staff.ID,
		Note: "exit from LEA " + lea + " on " + exitDate + " recorded"}); err != nil {
		return err
	}
	if r.exits[b.StudentID] == nil {
		r.exits[b.StudentID] = map[string]string{}
	}
	r.exits[b.StudentID][lea] = exitDate
	return nil
}

// enrolledAt reports whether enrollment e is at LEA lea (see enrollmentLEAs).
func enrolledAt(e Fact[Enrollment], lea string) bool {
	return slices.Contains(enrollmentLEAs(e), lea)
}

// enrollmentLEAs are the LEAs enrollment e is at: the LEA it names, or, when it names
// none, the LEAs that submitted it.
func enrollmentLEAs(e Fact[Enrollment]) []string {
	if e.Fact.LEA != "" {
		return []string{e.Fact.LEA}
	}
	out := make([]string, 0, len(e.Sources))
	for _, s := range e.Sources {
		out = append(out, s.LEA)
	}
	return out
}

// exitDay returns an exit date's calendar day, YYYY-MM-DD as written ("" for no exit
// date), and false for a value that is not an Ed-Fi date or date-time.
func exitDay(v string) (string, bool) {
	if v == "" {
		return "", true
	}
	if _, _, _, err := parseEdFiTime(v); err != nil {
		return "", false
	}
	return v[:len(time.DateOnly)], true
}

// StaffView returns everything in backpack b, with sources and conflicts, for a staff
// member holding PermView at an LEA in the student's scope now (r.Now's date): one to
// which the backpack was handed (HandOffAs), or one with an enrollment in b that is open
// — no exit date, or an exit date not before today, an exit recorded by RecordExit
// counting as the exit date of the enrollments it ended. Staff of an LEA whose
// enrollments all ended are refused with ErrDenied, the error naming the last exit date.
// A backpack with no enrollment at all (demographics only) keeps every LEA that
// submitted a record of the student in scope, since nothing says which one is current.
// b must be a backpack a Store built, unchanged. The view is recorded in the audit log.
func (r *Requests) StaffView(staff StaffUser, b *Backpack) (*View, error) {
	if err := r.usable(); err != nil {
		return nil, err
	}
	if err := staff.require(PermView); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.inScope(staff.LEA, b, r.now()); err != nil {
		return nil, err
	}
	if err := r.audit(Entry{Action: ActionView, Actor: staff.ID, StudentID: b.StudentID, Note: "staff view at LEA " + staff.LEA}); err != nil {
		return nil, err
	}
	return newView(AudienceStaff, b), nil
}

// GuardianView returns backpack b to the guardian of request id once staff approved it:
// the request must be this guardian's and Forwarded, and b the backpack of the student
// approved, a Store built it unchanged, carrying the request's SSID. The view holds
// data elements with blank values omitted and teachers' credentials, but no sources,
// conflicts or internal IDs. It is recorded in the audit log.
func (r *Requests) GuardianView(guardian, id string, b *Backpack) (*View, error) {
	if err := r.usable(); err != nil {
		return nil, err
	}
	if err := checkID("guardian", guardian); err != nil {
		return nil, denied("%v", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	req, ok := r.byID[id]
	switch {
	case !ok || req.Guardian != guardian:
		return nil, denied("guardian %s has no request %q", guardian, id)
	case req.Status != Forwarded:
		return nil, denied("request %s is %s, not Forwarded", id, req.Status)
	case !b.intact():
		return nil, denied("%v", errNotBuilt)
	case b.StudentID != req.StudentID || !b.hasSSID(req.StudentSSID):
		return nil, denied("request %s was approved for another student's backpack", id)
	}
	if err := r.audit(Entry{Action: ActionView, Actor: guardian, StudentID: b.StudentID, Note: "guardian view for " + requestNote(req, "forwarded")}); err != nil {
		return nil, err
	}
	return newView(AudienceGuardian, b), nil
}

func (r *Requests) audit(e Entry) error {
	_, err := r.log.Append(e)
	return err
}
