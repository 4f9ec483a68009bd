package service_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/service"
)

// pageCall is a browser at an address calling the pages through a handler.
type pageCall struct {
	t       *testing.T
	h       http.Handler
	from    string         // the remote address, without its port
	cookies []*http.Cookie // sent with every call
}

// do makes a call with a form (nil: none) and returns the answer.
func (p *pageCall) do(method, path string, form url.Values) *httptest.ResponseRecorder {
	p.t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	req.RemoteAddr = p.from + ":40000"
	for _, c := range p.cookies {
		req.AddCookie(c)
	}
	w := httptest.NewRecorder()
	p.h.ServeHTTP(w, req)
	return w
}

// signIn fetches the sign-in form and posts it with the username and password; csrf
// false posts it without the form's token. It returns the answer; on success the
// session's cookie is kept.
func (p *pageCall) signIn(user, password string, csrf bool) *httptest.ResponseRecorder {
	p.t.Helper()
	form := p.do("GET", "/signin", nil)
	m := csrfField.FindStringSubmatch(form.Body.String())
	if m == nil {
		p.t.Fatal("the sign-in form has no token")
	}
	values := url.Values{"username": {user}, "password": {password}}
	if csrf {
		values.Set("csrf", m[1])
	}
	p.cookies = form.Result().Cookies()
	w := p.do("POST", "/signin", values)
	p.cookies = nil
	if w.Code == http.StatusSeeOther {
		p.cookies = w.Result().Cookies()
	}
	return w
}

// checkThrottled checks a 429 of the pages: Retry-After, a short HTML page of its own
// (no script, no external asset) that says why.
func checkThrottled(t *testing.T, what string, w *httptest.ResponseRecorder, says string) {
	t.Helper()
	body := w.Body.String()
	switch {
	case w.Code != http.StatusTooManyRequests:
		t.Fatalf("%s: %d, want 429", what, w.Code)
	case w.Header().Get("Retry-After") != "1":
		t.Errorf("%s: Retry-After %q, want \"1\"", what, w.Header().Get("Retry-After"))
	case !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html"):
		t.Errorf("%s: Content-Type %q", what, w.Header().Get("Content-Type"))
	case !strings.Contains(body, says):
		t.Errorf("%s: the page does not say %q:\n%s", what, says, body)
	case strings.Contains(body, "<script") || strings.Contains(body, "<link") || strings.Contains(body, "src="):
		t.Errorf("%s: the page loads something:\n%s", what, body)
	}
}

// TestSigninThrottle: failed sign-ins are throttled per address as API calls without a
// key are: 50 failed sign-ins from one address are 10 audited refusals and then 429s
// (with Retry-After and an error page), the right password from that address is refused
// too until a token comes back, and the address ends the minute with 12 entries. A staff
// member signed in from the same address keeps using the pages, refusals included; a
// sign-in from another address is not held up. The chain verifies, after a restart too.
func TestSigninThrottle(t *testing.T) {
	t0 := clockStart
	clk := &clock{at: t0}
	db, key := sqliteDB(t), testKey()
	srv := openClocked(t, db, key, clk)
	t.Cleanup(func() { srv.Close() })
	passwords := passwordsOf(srv)
	h := srv.Handler()
	const reg, from, other = "registrar.255902", "10.3.0.1", "10.3.0.2"

	// A staff member signs in from the address before the flood: a success takes no token.
	staff := &pageCall{t: t, h: h, from: from}
	if w := staff.signIn(reg, passwords[reg], true); w.Code != http.StatusSeeOther {
		t.Fatalf("the staff member's sign-in: %d", w.Code)
	}
	staffCSRF := csrfField.FindStringSubmatch(staff.do("GET", "/staff", nil).Body.String())[1]

	guesser := &pageCall{t: t, h: h, from: from}
	for i := range 50 {
		w := guesser.signIn(fmt.Sprintf("guess%c%c", 'a'+i%26, 'a'+i/26), "wrong password", true)
		if i < 10 {
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("failed sign-in %d: %d, want 401", i, w.Code)
			}
			continue
		}
		checkThrottled(t, fmt.Sprintf("failed sign-in %d", i), w, "Too many sign-ins from your address: try again in 1s.")

		// Between the guesses the staff member at the same address goes on: pages and the
		// refusals of a live session are never throttled.
		if w := staff.do("GET", "/staff", nil); w.Code != http.StatusOK {
			t.Fatalf("the staff page during the flood: %d", w.Code)
		}
		if w := staff.do("POST", "/staff/requests/none/approve", url.Values{"csrf": {"stale"}}); w.Code != http.StatusForbidden {
			t.Fatalf("a stale form of the signed-in staff member during the flood: %d, want 403", w.Code)
		}
	}

	// The right password from the throttled address is refused unchecked: throttled is
	// throttled. From another address it is not held up, and neither is a failure there.
	again := &pageCall{t: t, h: h, from: from}
	checkThrottled(t, "the right password from the throttled address", again.signIn(reg, passwords[reg], true), "Too many sign-ins")
	elsewhere := &pageCall{t: t, h: h, from: other}
	if w := elsewhere.signIn("nobody", "wrong password", true); w.Code != http.StatusUnauthorized {
		t.Errorf("a failed sign-in from another address: %d, want 401", w.Code)
	}
	if w := elsewhere.signIn(reg, passwords[reg], true); w.Code != http.StatusSeeOther {
		t.Errorf("the right password from another address: %d, want 303", w.Code)
	}
	if w := elsewhere.do("GET", "/staff", nil); w.Code != http.StatusOK {
		t.Errorf("the staff page from another address: %d", w.Code)
	}

	// A second later a token has come back: the right password signs in.
	clk.add(time.Second)
	if w := again.signIn(reg, passwords[reg], true); w.Code != http.StatusSeeOther {
		t.Fatalf("the right password a second later: %d, want 303", w.Code)
	}

	audit := func() []backpack.Entry {
		t.Helper()
		entries, err := srv.Audit(context.Background()) // verifies the chain
		if err != nil {
			t.Fatal(err)
		}
		return entries
	}
	var want [][2]string
	for i := range 10 {
		want = append(want, [2]string{"sign-in form", fmt.Sprintf(`sign-in of "guess%ca" from 10.3.0.1 refused`, 'a'+i)})
	}
	want = append(want, [2]string{"sign-in form from 10.3.0.1", "POST /signin answered 429: Too many sign-ins from your address: try again in 1s.; " +
		"sign-ins from 10.3.0.1 throttled until 2025-03-03T09:01:00Z are counted in one entry (sign-ins), not audited one by one"})
	if diff := cmp.Diff(want, entriesFrom(audit(), from)); diff != "" {
		t.Errorf("the entries of %s within the minute (-want +got):\n%s", from, diff)
	}

	// Once the minute has ended, the signed-in staff member's next page sweeps the count in.
	clk.add(time.Minute)
	if w := staff.do("GET", "/staff", nil); w.Code != http.StatusOK {
		t.Fatalf("the staff page after the minute: %d", w.Code)
	}
	want = append(want, [2]string{"sign-in form from 10.3.0.1",
		"40 more sign-ins from 10.3.0.1 answered 429 (throttled: sign-ins) between 2025-03-03T09:00:00Z and 2025-03-03T09:01:00Z, not audited one by one"})
	got := entriesFrom(audit(), from)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the entries of %s after the minute (-want +got):\n%s", from, diff)
	}
	if len(got) != 10+2 {
		t.Errorf("%d entries for 51 sign-ins refused from %s, want burst+2 = 12", len(got), from)
	}
	if got := entriesFrom(audit(), other); len(got) != 1 || got[0][1] != `sign-in of "nobody" from 10.3.0.2 refused` {
		t.Errorf("the entries of %s: %q", other, got)
	}
	var stale int
	for _, e := range audit() {
		if e.Actor == reg && strings.Contains(e.Note, "answered 403") {
			stale++
		}
	}
	if stale != 40 {
		t.Errorf("%d refusals of the signed-in staff member audited, want 40 (one by one, never throttled)", stale)
	}
	if status := staff.do("POST", "/signout", url.Values{"csrf": {staffCSRF}}).Code; status != http.StatusSeeOther {
		t.Errorf("sign-out: %d", status)
	}

	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	next, err := service.Open(context.Background(), service.Config{DB: db, AuditKey: key, Now: clk.now, Logf: t.Logf})
	if err != nil {
		t.Fatalf("restart (the chain must verify): %v", err)
	}
	next.Close()
}

// TestPageThrottle: page calls refused for want of a session (a form posted without
// one, sign-out without one) and sign-ins with a stale or forged form are throttled per
// address, each kind in its own bucket, counted in entries that name the kind. A GET
// without a session is sent to sign in and takes no token.
func TestPageThrottle(t *testing.T) {
	t0 := clockStart
	clk := &clock{at: t0}
	srv := openClocked(t, sqliteDB(t), testKey(), clk)
	t.Cleanup(func() { srv.Close() })
	h := srv.Handler()
	visitor := &pageCall{t: t, h: h, from: "10.4.0.1"}
	for i := range 30 {
		if w := visitor.do("GET", "/staff", nil); w.Code != http.StatusSeeOther {
			t.Fatalf("GET %d without a session: %d, want 303", i, w.Code)
		}
	}
	for i := range 10 {
		path := []string{"/staff/requests/r1/approve", "/guardian/requests", "/signout", "/review/x"}[i%4]
		if w := visitor.do("POST", path, url.Values{"csrf": {"forged"}}); w.Code != http.StatusForbidden {
			t.Fatalf("POST %s %d without a session: %d, want 403", path, i, w.Code)
		}
	}
	for i := range 5 {
		checkThrottled(t, "POST without a session", visitor.do("POST", "/signout", url.Values{}), "Too many calls without signing in from your address: try again in 1s.")
		checkThrottled(t, "POST without a session", visitor.do("POST", "/staff/requests/r1/reject", nil), "Too many calls without signing in")
		if w := visitor.do("GET", "/review", nil); w.Code != http.StatusSeeOther {
			t.Fatalf("GET %d without a session while throttled: %d, want 303", i, w.Code)
		}
	}
	// Sign-ins are another bucket: a forged sign-in form is refused, ten times, then throttled.
	for i := range 12 {
		w := visitor.signIn("registrar.255902", "whatever", false)
		if i < 10 && w.Code != http.StatusForbidden {
			t.Fatalf("forged sign-in %d: %d, want 403", i, w.Code)
		}
		if i >= 10 {
			checkThrottled(t, "forged sign-in", w, "Too many sign-ins")
		}
	}
	clk.add(time.Minute)
	if w := visitor.do("POST", "/signout", nil); w.Code != http.StatusForbidden {
		t.Errorf("sign-out without a session after the minute: %d, want 403", w.Code)
	}
	entries, err := srv.Audit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := entriesFrom(entries, "10.4.0.1")
	if len(got) != 10+2+10+2+1 {
		t.Errorf("%d entries for 10.4.0.1, want 25: %q", len(got), got)
	}
	for _, w := range [][2]string{
		{"no session from 10.4.0.1", "9 more page calls without a session from 10.4.0.1 answered 429 (throttled: pages) between 2025-03-03T09:00:00Z and 2025-03-03T09:01:00Z, not audited one by one"},
		{"sign-in form from 10.4.0.1", "1 more sign-ins from 10.4.0.1 answered 429 (throttled: sign-ins) between 2025-03-03T09:00:00Z and 2025-03-03T09:01:00Z, not audited one by one"},
		{"sign-out form from 10.4.0.1", "POST /signout answered 429: Too many calls without signing in from your address: try again in 1s.; " +
			"page calls without a session from 10.4.0.1 throttled until 2025-03-03T09:01:00Z are counted in one entry (pages), not audited one by one"},
	} {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("no entry %q among 10.4.0.1's:\n%q", w, got)
		}
	}
}
