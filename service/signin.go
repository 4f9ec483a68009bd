package service

// Sign-in, sessions and the checks every page makes: the role, and on a form the
// session's CSRF token.

import (
	"crypto/subtle"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/studentlink/studentlink/backpack"
)

// page serves a page to a signed-in account of the role given. A POST must carry the
// session's CSRF token. A refusal (a status of 400 or more) is audited with who was
// refused, before it is answered, unless the handler audited it itself. A GET without a
// session is sent to sign in; any other call without one is refused, and throttled per
// address as the pages' kind (see throttle.go). A live session is never throttled.
func (s *Server) page(role Role, h func(http.ResponseWriter, *http.Request, *session)) http.Handler {
	return s.audited(true, func(w http.ResponseWriter, r *http.Request, ca *callAudit) {
		sess, ok := s.sessionOf(r)
		ca.actor = "no session from " + remoteAddress(r)
		if ok {
			ca.actor = sess.Account.Username
		}
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/signin", http.StatusSeeOther)
				return
			}
			if _, refused := s.throttle(w, r, ca, s.throttles.pages); refused {
				return
			}
			s.refuse(w, http.StatusForbidden, nil, "Sign in first.")
			return
		}
		if sess.Account.Role != role {
			s.refuse(w, http.StatusForbidden, sess, "Refused: this page is for a %s; you are signed in as a %s.", role, sess.Account.Role)
			return
		}
		if r.Method == http.MethodPost && !sameToken(r.PostFormValue("csrf"), sess.CSRF) {
			s.refuse(w, http.StatusForbidden, sess, "Refused: the form is stale or did not come from this site. Reload the page and try again.")
			return
		}
		h(w, r, sess)
	})
}

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// sessionOf returns the request's live session.
func (s *Server) sessionOf(r *http.Request) (*session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, false
	}
	sess, ok, err := s.store.session(r.Context(), c.Value, s.now())
	if err != nil {
		s.logf("service: reading a session: %v", err)
		return nil, false
	}
	if !ok {
		return nil, false
	}
	return &sess, true
}

func (s *Server) cookie(name, value string, expires time.Time) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", Expires: expires, HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteStrictMode}
}

// handleHome sends a signed-in account to its page, anyone else to sign in; a path no
// page serves is 404.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		s.refuse(w, http.StatusNotFound, nil, "No page %s.", r.URL.Path)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.refuse(w, http.StatusMethodNotAllowed, nil, "The home page is only read (GET).")
		return
	}
	sess, ok := s.sessionOf(r)
	if !ok {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, homeOf(sess.Account.Role), http.StatusSeeOther)
}

func homeOf(role Role) string {
	switch role {
	case RoleStaff:
		return "/staff"
	case RoleGuardian:
		return "/guardian"
	}
	return "/review"
}

func (s *Server) handleSigninForm(w http.ResponseWriter, r *http.Request) {
	token := secret(24)
	http.SetCookie(w, s.cookie(preCSRFCookie, token, s.now().Add(time.Hour)))
	s.render(w, http.StatusOK, "signin", pageData{Title: "Sign in", CSRF: token})
}

// handleSignin checks a password and starts a session. The sign-in form's CSRF token
// is checked against its cookie (double submit), since there is no session yet.
//
// Every sign-in first takes a token from its address's bucket of sign-ins (see
// throttle.go), before anything is checked; a successful one gives it back, so only
// failed sign-ins (a stale or forged form, a wrong account or password, one the sign-in
// limit refuses) use the bucket up. A sign-in from an address whose bucket is empty is
// answered 429 unchecked, even with the right password: the user waits a second.
// Failures from one address never hold up a sign-in from another.
func (s *Server) handleSignin(w http.ResponseWriter, r *http.Request, ca *callAudit) {
	key, throttled := s.throttle(w, r, ca, s.throttles.signins)
	if throttled {
		return
	}
	c, err := r.Cookie(preCSRFCookie)
	if err != nil || !sameToken(r.PostFormValue("csrf"), c.Value) {
		s.refuse(w, http.StatusForbidden, nil, "Refused: the sign-in form is stale. Reload it and try again.")
		return
	}
	username := strings.TrimSpace(r.PostFormValue("username"))
	address := remoteAddress(r)
	try, refused := s.signins.begin(username, address, s.now())
	if refused != nil {
		s.refuseSignin(w, r, username, address, refused)
		return
	}
	acct, hash, ok, err := s.store.account(r.Context(), username)
	if err != nil {
		s.refuse(w, http.StatusInternalServerError, nil, "Sign-in failed on the server's side; try again.")
		return
	}
	if !ok {
		hash = dummyHash()
	}
	good := checkPassword(hash, r.PostFormValue("password")) && ok
	token, csrf := secret(32), secret(24)
	expires := s.now().Add(s.cfg.SessionTTL)
	e := backpack.Entry{Action: actionAccess, Actor: "sign-in form", Note: fmt.Sprintf(`sign-in of "%s" from %s refused`, noteValue(username), address)}
	if good {
		e = backpack.Entry{Action: actionAccess, Actor: acct.Username, Note: "signed in"}
	}
	s.wmu.Lock()
	err = s.commit(r.Context(), []backpack.Entry{e}, func(tx *sql.Tx) error {
		if !good {
			return nil
		}
		if err := s.store.deleteExpiredSessions(r.Context(), tx, s.now()); err != nil {
			return err
		}
		return s.store.insertSession(r.Context(), tx, token, acct.Username, csrf, expires)
	})
	s.wmu.Unlock()
	switch {
	case err != nil:
		s.refuse(w, http.StatusInternalServerError, nil, "Sign-in failed on the server's side; try again.")
	case !good:
		s.refuse(w, http.StatusUnauthorized, nil, "Wrong username or password.")
	default:
		s.signins.succeeded(try)
		s.throttles.signins.giveBack(key, s.now())
		http.SetCookie(w, s.cookie(sessionCookie, token, expires))
		http.SetCookie(w, s.cookie(preCSRFCookie, "", time.Unix(1, 0)))
		http.Redirect(w, r, homeOf(acct.Role), http.StatusSeeOther)
	}
}

// refuseSignin answers a sign-in the rate limit refuses: 429 with Retry-After, after the
// refusal is audited. The password is not checked.
func (s *Server) refuseSignin(w http.ResponseWriter, r *http.Request, username, address string, why *refusal) {
	window := s.signins.limit.Window
	whose := "of this account"
	if why.what == "address" {
		whose = "from your address"
	}
	note := fmt.Sprintf(`sign-in of "%s" from %s refused unchecked: %d failed sign-ins %s within %s`, noteValue(username), address, why.failures,
		strings.Replace(whose, "your address", "the address", 1), window)
	if err := s.record(r.Context(), backpack.Entry{Action: actionAccess, Actor: "sign-in form", Note: note}); err != nil {
		s.refuse(w, http.StatusInternalServerError, nil, "Sign-in failed on the server's side; try again.")
		return
	}
	wait := max(time.Second, (why.retryAfter + time.Second - 1).Truncate(time.Second)) // whole seconds, rounded up
	w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)))
	s.refuse(w, http.StatusTooManyRequests, nil, "Too many failed sign-ins %s: try again in %s.", whose, wait)
}

// handleSignout ends the session. A sign-out without a session is throttled as the
// pages' kind (see throttle.go).
func (s *Server) handleSignout(w http.ResponseWriter, r *http.Request, ca *callAudit) {
	sess, ok := s.sessionOf(r)
	if !ok {
		if _, refused := s.throttle(w, r, ca, s.throttles.pages); refused {
			return
		}
	}
	if !ok || !sameToken(r.PostFormValue("csrf"), sess.CSRF) {
		s.refuse(w, http.StatusForbidden, nil, "Refused: the form is stale.")
		return
	}
	c, _ := r.Cookie(sessionCookie)
	s.wmu.Lock()
	err := s.commit(r.Context(), []backpack.Entry{{Action: actionAccess, Actor: sess.Account.Username, Note: "signed out"}},
		func(tx *sql.Tx) error { return s.store.deleteSession(r.Context(), tx, c.Value) })
	s.wmu.Unlock()
	if err != nil {
		s.refuse(w, http.StatusInternalServerError, sess, "Sign-out failed on the server's side; try again.")
		return
	}
	http.SetCookie(w, s.cookie(sessionCookie, "", time.Unix(1, 0)))
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}
