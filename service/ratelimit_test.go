package service_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/service"
)

// clock is a settable time for Config.Now.
type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.at }
func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.at = c.at.Add(d) }

// clockStart is where the tests' clocks start.
var clockStart = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// openClocked opens a server on db, with the sample on first start, that tells the time
// by clk; the caller closes it.
func openClocked(t *testing.T, db string, key []byte, clk *clock) *service.Server {
	t.Helper()
	srv, err := service.Open(context.Background(), service.Config{DB: db, Seed: service.SampleSeed, AuditKey: key, Now: clk.now, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// passwordsOf returns the demo accounts' passwords a first start made, by account.
func passwordsOf(srv *service.Server) map[string]string {
	out := map[string]string{}
	for _, a := range srv.FirstStart.Accounts {
		out[a.Username] = a.Password
	}
	return out
}

// signinStep is one sign-in of a table case, or a wait.
type signinStep struct {
	wait     time.Duration // when set, the clock moves on and nothing is posted
	user     string
	right    bool   // the account's own password, else a wrong one
	from     string // the remote address
	want     int    // the status
	retry    string // the Retry-After header wanted ("" for none)
	repeated int    // the step is taken this many times (0: once)
}

// TestSignInLimit: failed sign-ins are limited per account and per remote address over
// a window; a refused sign-in is a 429 with Retry-After, checked no password and is
// audited; a success clears its account's failures.
func TestSignInLimit(t *testing.T) {
	clk := &clock{at: clockStart}
	db := sqliteDB(t)
	srv, err := service.Open(context.Background(), service.Config{DB: db, Seed: service.SampleSeed, AuditKey: testKey(), Now: clk.now,
		SignInLimit: service.SignInLimit{PerAccount: 3, PerAddress: 5, Window: 10 * time.Minute}, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	passwords := passwordsOf(srv)
	h := srv.Handler()
	const reg, rev = "registrar.255902", "reviewer"
	for _, c := range []struct {
		name  string
		steps []signinStep
	}{
		{"per account", []signinStep{
			{user: reg, from: "10.0.0.1", want: 401, repeated: 3},
			{user: reg, right: true, from: "10.0.0.1", want: 429, retry: "600"}, // even the right password
			{user: reg, right: true, from: "10.0.0.2", want: 429, retry: "600"}, // from anywhere
			{user: rev, right: true, from: "10.0.0.1", want: 303},               // another account from the same address
			{wait: 4 * time.Minute},
			{user: reg, right: true, from: "10.0.0.1", want: 429, retry: "360"},
			{wait: 6 * time.Minute}, // the first failure leaves the window
			{user: reg, right: true, from: "10.0.0.1", want: 303},
		}},
		{"a success clears the account", []signinStep{
			{user: reg, from: "10.0.1.1", want: 401, repeated: 2},
			{user: reg, right: true, from: "10.0.1.1", want: 303},
			{user: reg, from: "10.0.1.2", want: 401, repeated: 3},
			{user: reg, from: "10.0.1.2", want: 429, retry: "600"},
		}},
		{"an unknown account is limited alike", []signinStep{
			{user: "nobody", from: "10.0.2.1", want: 401, repeated: 3},
			{user: "nobody", from: "10.0.2.1", want: 429, retry: "600"},
		}},
		{"per address", []signinStep{
			{user: "guess1", from: "10.0.3.1", want: 401, repeated: 2},
			{user: "guess2", from: "10.0.3.1", want: 401, repeated: 2},
			{wait: time.Minute},
			{user: "guess3", from: "10.0.3.1", want: 401},
			{user: rev, right: true, from: "10.0.3.1", want: 429, retry: "540"}, // five failures from the address
			{user: rev, right: true, from: "10.0.3.2", want: 303},
			{wait: 9 * time.Minute}, // four failures leave the window
			{user: rev, right: true, from: "10.0.3.1", want: 303},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			clk.add(24 * time.Hour) // every case starts with no failure in the window
			for k, st := range c.steps {
				if st.wait > 0 {
					clk.add(st.wait)
					continue
				}
				password := "wrong password"
				if st.right {
					password = passwords[st.user]
				}
				for range max(1, st.repeated) {
					got, retry := postSignin(t, h, st.user, password, st.from)
					if got != st.want || retry != st.retry {
						t.Fatalf("step %d (%s from %s): %d, Retry-After %q; want %d, %q", k, st.user, st.from, got, retry, st.want, st.retry)
					}
				}
			}
		})
	}

	entries, err := srv.Audit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var limited []string
	for _, e := range entries {
		if e.Action == "access" && strings.Contains(e.Note, "refused unchecked") {
			limited = append(limited, e.Note)
		}
	}
	want := []string{
		`sign-in of "registrar.255902" from 10.0.0.1 refused unchecked: 3 failed sign-ins of this account within 10m0s`,
		`sign-in of "registrar.255902" from 10.0.0.2 refused unchecked: 3 failed sign-ins of this account within 10m0s`,
		`sign-in of "registrar.255902" from 10.0.0.1 refused unchecked: 3 failed sign-ins of this account within 10m0s`,
		`sign-in of "registrar.255902" from 10.0.1.2 refused unchecked: 3 failed sign-ins of this account within 10m0s`,
		`sign-in of "nobody" from 10.0.2.1 refused unchecked: 3 failed sign-ins of this account within 10m0s`,
		`sign-in of "reviewer" from 10.0.3.1 refused unchecked: 5 failed sign-ins from the address within 10m0s`,
	}
	if diff := cmp.Diff(want, limited); diff != "" {
		t.Errorf("audited refusals (-want +got):\n%s", diff)
	}
}

// postSignin signs in through the form as a browser at the address would, and returns
// the status and the Retry-After header.
func postSignin(t *testing.T, h http.Handler, user, password, from string) (int, string) {
	t.Helper()
	form := httptest.NewRecorder()
	h.ServeHTTP(form, httptest.NewRequest("GET", "/signin", nil))
	cookies := form.Result().Cookies()
	m := csrfField.FindStringSubmatch(form.Body.String())
	if len(cookies) == 0 || m == nil {
		t.Fatal("the sign-in form set no cookie or has no token")
	}
	req := httptest.NewRequest("POST", "/signin", strings.NewReader(url.Values{"csrf": {m[1]}, "username": {user}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = from + ":40000"
	for _, c := range cookies {
		req.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code, w.Header().Get("Retry-After")
}
