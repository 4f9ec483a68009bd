package service

// Server-rendered pages: sign-in, the staff Student Backpack and Guardian Student Backpack
// Requests pages, the guardian's page and the reviewer's queue. No script, no external
// asset; every form carries the session's CSRF token.

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/studentlink/studentlink/backpack"
)

//go:embed pages/*.tmpl
var pageFiles embed.FS

// pages are the page templates, each parsed with the layout.
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	names, _ := pageFiles.ReadDir("pages")
	for _, n := range names {
		name := strings.TrimSuffix(n.Name(), ".tmpl")
		if name == "layout" {
			continue
		}
		out[name] = template.Must(template.ParseFS(pageFiles, "pages/layout.tmpl", "pages/"+n.Name()))
	}
	return out
}()

// crumb is one step of a page's breadcrumbs.
type crumb struct{ Name, Href string }

// pageData is what every page template reads.
type pageData struct {
	Title   string
	Account *Account
	CSRF    string
	Crumbs  []crumb
	Flash   string
	Error   string
	Data    any
}

const (
	sessionCookie = "studentlink_session"
	preCSRFCookie = "studentlink_signin" // the sign-in form's CSRF token, before any session
)

// render writes a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, d pageData) {
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout", d); err != nil {
		s.logf("service: page %s: %v", name, err)
		http.Error(w, "the page could not be shown", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// refuse writes an error page.
func (s *Server) refuse(w http.ResponseWriter, status int, sess *session, format string, args ...any) {
	d := pageData{Title: http.StatusText(status), Error: fmt.Sprintf(format, args...)}
	noteAnswer(w, d.Error)
	if sess != nil {
		d.Account, d.CSRF = &sess.Account, sess.CSRF
	}
	s.render(w, status, "error", d)
}

// done messages, by the code a redirect carries.
var doneMessages = map[string]string{
	"requested": "Your request was sent to the school.",
	"approved":  "The request was approved: the backpack is forwarded to the guardian.",
	"rejected":  "The request was rejected.",
	"decided":   "The decision was recorded.",
}

func (s *Server) base(r *http.Request, sess *session, title string, crumbs ...crumb) pageData {
	return pageData{Title: title, Account: &sess.Account, CSRF: sess.CSRF, Crumbs: crumbs, Flash: doneMessages[r.URL.Query().Get("done")]}
}

// staffStudent is a row of the staff's student list.
type staffStudent struct{ ID, Name, BirthDate, SSID string }

const staffListMax = 50

// handleStaffHome lists the students of the staff member's LEA, searched by name or SSID.
func (s *Server) handleStaffHome(w http.ResponseWriter, r *http.Request, sess *session) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	recs, err := s.store.recordsWhere(r.Context(), `lea = ? AND student_id <> ''`, sess.Account.LEA)
	if err != nil {
		s.refuse(w, http.StatusInternalServerError, sess, "The students could not be read; try again.")
		return
	}
	var list []staffStudent
	seen := map[string]bool{}
	more := false
	needle := strings.ToLower(q)
	for _, rec := range recs {
		st := staffStudent{ID: s.resolve(rec.Student), BirthDate: rec.Fields["birth_date"], SSID: rec.SSID,
			Name: strings.Join(strings.Fields(rec.Fields["first_name"]+" "+rec.Fields["middle_name"]+" "+rec.Fields["last_name"]), " ")}
		if seen[st.ID] || (q != "" && !strings.Contains(strings.ToLower(st.Name), needle) && st.SSID != q && st.ID != q) {
			continue
		}
		if len(list) == staffListMax {
			more = true
			break
		}
		seen[st.ID] = true
		list = append(list, st)
	}
	if err := s.record(r.Context(), listedEntry(sess, "GET /staff", q, list, more)); err != nil {
		s.logf("service: staff page: %v", err)
		s.refuse(w, http.StatusInternalServerError, sess, "The students could not be shown; try again.")
		return
	}
	d := s.base(r, sess, "Students", crumb{Name: "Home"})
	d.Data = struct {
		Query      string
		Students   []staffStudent
		More       bool
		CanRequest bool
	}{q, list, more, sess.Account.staff().Can(backpack.PermRequest)}
	s.render(w, http.StatusOK, "staff_home", d)
}

// listedEntry is the audit entry of a staff member's student list: the students it
// showed (names, birth dates and SSIDs are disclosed by a list too), in the note, as a
// search's entry names its candidates.
func listedEntry(sess *session, page, q string, list []staffStudent, more bool) backpack.Entry {
	ids := make([]string, len(list))
	for i, st := range list {
		ids[i] = st.ID
	}
	note := fmt.Sprintf("%s: %d student(s) of LEA %s listed", page, len(list), sess.Account.LEA)
	if q != "" {
		note += ` for "` + noteValue(clip(q, 64)) + `"`
	}
	if len(ids) > 0 {
		note += ": " + strings.Join(ids, ", ")
	}
	if more {
		note += " (more not shown)"
	}
	return backpack.Entry{Action: actionAccess, Actor: sess.Account.Username, Note: note}
}

// elementSlug writes a data element for a URL ("course history" → "course-history").
func elementSlug(e string) string { return strings.ReplaceAll(e, " ", "-") }

// elementLabel writes a data element for people ("course history" → "Course history").
func elementLabel(e string) string {
	if e == "" {
		return e
	}
	return strings.ToUpper(e[:1]) + e[1:]
}

// staffBackpack builds the staff view of a student, audited; backpack refuses a student
// neither enrolled at the staff member's LEA nor handed to it, and the service refuses
// one without records the same way, so that a refusal tells nothing.
func (s *Server) staffBackpack(ctx context.Context, sess *session, id string) (*backpack.Backpack, *backpack.View, []recordRow, error) {
	sid := s.resolve(id)
	recs, err := s.store.studentRecords(ctx, sid)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(recs) == 0 {
		return nil, nil, nil, staffDenied(id, sess.Account.LEA)
	}
	b, v, err := s.staffView(ctx, sess.Account, sid, id)
	return b, v, recs, err
}

func (s *Server) staffRefusal(w http.ResponseWriter, sess *session, err error) {
	if errors.Is(err, backpack.ErrDenied) {
		s.refuse(w, http.StatusForbidden, sess, "Refused: %v.", err)
		return
	}
	s.logf("service: staff page: %v", err)
	s.refuse(w, http.StatusInternalServerError, sess, "The backpack could not be shown; try again.")
}

func displayName(b *backpack.Backpack) string {
	return strings.Join(strings.Fields(b.Value("first_name")+" "+b.Value("middle_name")+" "+b.Value("last_surname")), " ")
}

// handleStudentBackpack serves the Student Backpack page: each data element with its
// number of records and a "Records (view)" link.
func (s *Server) handleStudentBackpack(w http.ResponseWriter, r *http.Request, sess *session) {
	b, v, recs, err := s.staffBackpack(r.Context(), sess, r.PathValue("id"))
	if err != nil {
		s.staffRefusal(w, sess, err)
		return
	}
	type line struct {
		Label, Slug string
		Records     int
	}
	var summary []line
	for _, c := range v.Summary {
		summary = append(summary, line{elementLabel(c.Element), elementSlug(c.Element), c.Records})
	}
	name := displayName(b)
	d := s.base(r, sess, "Student Backpack", crumb{"Home", "/staff"}, crumb{"Students", "/staff"}, crumb{Name: name})
	d.Data = struct {
		ID, Name, SSID, LEAs string
		Records              int
		Summary              []line
		Conflicts            []backpack.Conflict
	}{b.StudentID, name, b.SSID(), strings.Join(leasOf(recs), ", "), len(b.Records), summary, v.Conflicts}
	s.render(w, http.StatusOK, "backpack", d)
}

// handleStudentRecords serves the records behind one data element.
func (s *Server) handleStudentRecords(w http.ResponseWriter, r *http.Request, sess *session) {
	element := strings.ReplaceAll(r.PathValue("element"), "-", " ")
	if !slices.Contains(backpack.Elements, element) {
		s.refuse(w, http.StatusNotFound, sess, "No data element %q.", r.PathValue("element"))
		return
	}
	b, v, _, err := s.staffBackpack(r.Context(), sess, r.PathValue("id"))
	if err != nil {
		s.staffRefusal(w, sess, err)
		return
	}
	items, _ := v.Records(element)
	name := displayName(b)
	d := s.base(r, sess, elementLabel(element), crumb{"Home", "/staff"}, crumb{"Students", "/staff"},
		crumb{name, "/staff/students/" + b.StudentID}, crumb{Name: elementLabel(element)})
	d.Data = struct {
		Label, Name string
		Items       []backpack.Item
	}{elementLabel(element), name, items}
	s.render(w, http.StatusOK, "records", d)
}

// handleRequestsPage serves Guardian Student Backpack Requests: the LEA's pending
// requests with Approve and Reject, for staff holding the request permission.
func (s *Server) handleRequestsPage(w http.ResponseWriter, r *http.Request, sess *session) {
	if !sess.Account.staff().Can(backpack.PermRequest) {
		s.refuse(w, http.StatusForbidden, sess, "Refused: guardian requests are for staff with the permission to %s.", backpack.PermRequest)
		return
	}
	pending, err := s.requests().wf.Pending(sess.Account.staff())
	if err != nil {
		s.staffRefusal(w, sess, err)
		return
	}
	ids := make([]string, len(pending))
	for i, p := range pending {
		ids[i] = p.ID
	}
	note := fmt.Sprintf("GET /staff/requests: %d pending request(s) of LEA %s shown", len(pending), sess.Account.LEA)
	if len(ids) > 0 {
		note += ": " + strings.Join(ids, ", ")
	}
	if err := s.record(r.Context(), backpack.Entry{Action: actionAccess, Actor: sess.Account.Username, Note: note}); err != nil {
		s.logf("service: requests page: %v", err)
		s.refuse(w, http.StatusInternalServerError, sess, "The requests could not be shown; try again.")
		return
	}
	d := s.base(r, sess, "Guardian Student Backpack Requests", crumb{"Home", "/staff"}, crumb{Name: "Guardian Student Backpack Requests"})
	d.Data = struct{ Requests []backpack.Request }{pending}
	s.render(w, http.StatusOK, "requests", d)
}

// maxReason bounds a rejection's reason, in characters: it is shown to the guardian and
// kept in the audit log.
const maxReason = 1000

// handleDecideRequest serves Approve and Reject.
func (s *Server) handleDecideRequest(approve bool) func(http.ResponseWriter, *http.Request, *session) {
	return func(w http.ResponseWriter, r *http.Request, sess *session) {
		reason := r.PostFormValue("reason")
		if n := utf8.RuneCountInString(reason); !approve && n > maxReason {
			s.refuse(w, http.StatusUnprocessableEntity, sess, "A reason can be at most %d characters; this one has %d. Shorten it and reject again.", maxReason, n)
			return
		}
		_, err := s.decideRequest(r.Context(), sess.Account, r.PathValue("id"), approve, reason)
		var te *backpack.TransitionError
		var nh *notHeld
		switch {
		case errors.Is(err, backpack.ErrDenied):
			s.refuse(w, http.StatusForbidden, sess, "Refused: %v", err)
		case errors.As(err, &te), errors.As(err, &nh):
			s.refuse(w, http.StatusConflict, sess, "%v", err)
		case errors.Is(err, errNotSaved):
			s.logf("service: deciding request: %v", err)
			s.refuse(w, http.StatusInternalServerError, sess, "The decision could not be saved on the server's side; try again.")
		case err != nil:
			s.logf("service: deciding request: %v", err)
			s.refuse(w, http.StatusUnprocessableEntity, sess, "The request could not be decided: %v", err)
		case approve:
			http.Redirect(w, r, "/staff/requests?done=approved", http.StatusSeeOther)
		default:
			http.Redirect(w, r, "/staff/requests?done=rejected", http.StatusSeeOther)
		}
	}
}

// guardianElement is a data element of a forwarded backpack, as the guardian sees it.
type guardianElement struct {
	Label   string
	Records int
	Items   []backpack.Item
}

// handleGuardian serves the guardian's page: each child with Retrieve Backpack File (the
// first time) or Update Backpack (once one was forwarded), and the backpack the latest
// approval forwarded, as it was then, with its blank elements left out.
func (s *Server) handleGuardian(w http.ResponseWriter, r *http.Request, sess *session) {
	kids, err := s.guardianStudents(r.Context(), sess.Account)
	if err != nil {
		s.logf("service: guardian page: %v", err)
		s.refuse(w, http.StatusInternalServerError, sess, "Your page could not be shown; try again.")
		return
	}
	type kid struct {
		SSID        string
		Latest      *backpack.Request
		Pending     bool
		Updating    bool
		Unavailable bool
		Elements    []guardianElement
	}
	var out []kid
	for _, k := range kids {
		x := kid{SSID: k.SSID, Latest: k.Latest, Updating: k.Updating, Unavailable: k.Unavailable,
			Pending: k.Latest != nil && k.Latest.Status == backpack.Pending}
		if k.View != nil {
			for _, c := range k.View.Summary {
				items, _ := k.View.Records(c.Element)
				if len(items) == 0 {
					continue // a blank element is not shown
				}
				x.Elements = append(x.Elements, guardianElement{Label: elementLabel(c.Element), Records: len(items), Items: items})
			}
		}
		out = append(out, x)
	}
	d := s.base(r, sess, "Student Backpack", crumb{Name: "Home"})
	d.Data = struct{ Students []kid }{out}
	s.render(w, http.StatusOK, "guardian", d)
}

// handleGuardianRequest serves Retrieve Backpack File and Update Backpack.
func (s *Server) handleGuardianRequest(w http.ResponseWriter, r *http.Request, sess *session) {
	_, err := s.submitRequest(r.Context(), sess.Account, r.PostFormValue("ssid"))
	switch {
	case errors.Is(err, errNotYours):
		s.refuse(w, http.StatusForbidden, sess, "Refused: %v", err)
	case errors.Is(err, errNotSaved):
		s.logf("service: guardian request: %v", err)
		s.refuse(w, http.StatusInternalServerError, sess, "Your request could not be saved on the server's side; try again.")
	case err != nil:
		s.logf("service: guardian request: %v", err)
		s.refuse(w, http.StatusUnprocessableEntity, sess, "The request could not be filed: %v", err)
	default:
		http.Redirect(w, r, "/guardian?done=requested", http.StatusSeeOther)
	}
}
