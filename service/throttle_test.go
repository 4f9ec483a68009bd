package service_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/service"
)

// throttleCall makes an API call from an address with a key ("" none) and returns the
// status, the Retry-After header and the error message.
func throttleCall(t *testing.T, h http.Handler, from, key, method, path, body string) (int, string, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.RemoteAddr = from
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var out struct {
		Message string `json:"message"`
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s from %s: Content-Type %q", method, path, from, ct)
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Errorf("%s %s from %s: the answer is not JSON: %q", method, path, from, w.Body)
	}
	return w.Code, w.Header().Get("Retry-After"), out.Message
}

// entriesFrom returns the audit entries that name an address, as actor and note.
func entriesFrom(entries []backpack.Entry, address string) [][2]string {
	var out [][2]string
	for _, e := range entries {
		if strings.Contains(e.Actor, address) || strings.Contains(e.Note, address) {
			out = append(out, [2]string{e.Actor, e.Note})
		}
	}
	return out
}

// TestKeylessThrottle: API calls without a valid key are throttled per address (an IPv6
// address by its /64): a burst of 10 answered 401 and audited each, then 429 with
// Retry-After, of which only the first of a minute is audited and the rest counted in one
// entry once the minute has ended. A call with a valid key from the same address is
// served; another address is not throttled. The chain verifies.
func TestKeylessThrottle(t *testing.T) {
	t0 := clockStart
	clk := &clock{at: t0}
	srv := openClocked(t, sqliteDB(t), testKey(), clk)
	t.Cleanup(func() { srv.Close() })
	var lea string
	for _, k := range srv.FirstStart.APIKeys {
		if k.LEA == "255902" {
			lea = k.Key
		}
	}
	h := srv.Handler()
	const search, lisaBody = "/identity/v2/search", `[{"firstName":"Lisa","lastSurname":"Woods","birthDate":"2008-09-13"}]`
	type step struct {
		from, key, path string
		n               int // the call is made this many times
		status          int
		retry           string
	}
	for k, st := range []step{
		{from: "10.1.0.1:40000", path: search, n: 6, status: 401},
		{from: "10.1.0.1:40001", key: "slk_not-a-key", path: search, n: 4, status: 401}, // an unknown key counts alike
		{from: "10.1.0.1:40000", key: lea, path: search, n: 1, status: 200},
		{from: "10.1.0.1:40000", path: search, n: 50, status: 429, retry: "1"},
		{from: "10.1.0.1:40000", key: lea, path: search, n: 1, status: 200}, // a valid key is never throttled
		{from: "10.1.0.1:40002", key: "slk_not-a-key", path: search, n: 38, status: 429, retry: "1"},
		{from: "10.1.0.1:40000", path: "/identity/v2/nothing", n: 1, status: 429, retry: "1"}, // nor is an unknown path
		{from: "10.1.0.2:40000", path: search, n: 1, status: 401},
		{from: "[2001:db8:1:2::1]:40000", path: search, n: 10, status: 401},
		{from: "[2001:db8:1:2::ffff]:40000", path: search, n: 1, status: 429, retry: "1"}, // the same /64
		{from: "[2001:db8:1:3::1]:40000", path: search, n: 1, status: 401},
	} {
		for i := range st.n {
			status, retry, msg := throttleCall(t, h, st.from, st.key, "POST", st.path, lisaBody)
			if status != st.status || retry != st.retry {
				t.Fatalf("step %d, call %d from %s: %d %q, Retry-After %q; want %d, %q", k, i, st.from, status, msg, retry, st.status, st.retry)
			}
			if status == 429 && !strings.Contains(msg, "too many calls without a valid API key") {
				t.Errorf("step %d: the 429 says %q", k, msg)
			}
		}
	}

	audit := func() []backpack.Entry {
		t.Helper()
		entries, err := srv.Audit(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return entries
	}
	const (
		noKey      = "no API key from 10.1.0.1"
		unknownKey = "unknown API key from 10.1.0.1"
		answered   = "POST /identity/v2/search answered "
		needed     = `an API key is needed: send it as "Authorization: Bearer KEY"`
		unknown    = `the API key is not recognised: send a key issued to your LEA as "Authorization: Bearer KEY"`
		throttled  = `429: too many calls without a valid API key from your address: try again in 1s, with a key issued to your LEA as "Authorization: Bearer KEY"; ` +
			"calls without a valid API key from 10.1.0.1 throttled until 2025-03-03T09:01:00Z are counted in one entry, not audited one by one"
	)
	var want [][2]string
	for range 6 {
		want = append(want, [2]string{noKey, answered + "401: " + needed})
	}
	for range 4 {
		want = append(want, [2]string{unknownKey, answered + "401: " + unknown})
	}
	want = append(want, [2]string{noKey, answered + throttled})
	if diff := cmp.Diff(want, entriesFrom(audit(), "10.1.0.1")); diff != "" {
		t.Errorf("the entries of 10.1.0.1 within the minute (-want +got):\n%s", diff)
	}

	// Once the minute has ended, the next call (from anywhere) sweeps the count in.
	clk.add(time.Minute)
	if status, _, _ := throttleCall(t, h, "10.1.0.9:40000", lea, "POST", search, lisaBody); status != 200 {
		t.Fatalf("a call with a key after the minute: %d", status)
	}
	want = append(want, [2]string{"no valid API key from 10.1.0.1",
		"88 more calls without a valid API key from 10.1.0.1 answered 429 (throttled) between 2025-03-03T09:00:00Z and 2025-03-03T09:01:00Z, not audited one by one"})
	got := entriesFrom(audit(), "10.1.0.1")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the entries of 10.1.0.1 after the minute (-want +got):\n%s", diff)
	}
	if len(got) > 10+2 {
		t.Errorf("%d entries for 10.1.0.1's 100 calls without a key, want at most 12", len(got))
	}
	if status, _, _ := throttleCall(t, h, "10.1.0.1:40000", "", "POST", search, lisaBody); status != 401 {
		t.Errorf("10.1.0.1 after the minute: %d, want 401 (the bucket filled again)", status)
	}
	if got := entriesFrom(audit(), "2001:db8:1:2::/64"); len(got) != 1 || !strings.Contains(got[0][0], "no API key from 2001:db8:1:2::ffff") {
		t.Errorf("the /64's throttled call: %q", got)
	}
	if got := entriesFrom(audit(), "2001:db8:1:3::"); len(got) != 1 || !strings.Contains(got[0][1], "answered 401") {
		t.Errorf("the other /64's call: %q", got)
	}
}

// TestKeylessThrottleClose: throttled calls counted when the server closes are audited
// before it stops, and the chain verifies at the next start.
func TestKeylessThrottleClose(t *testing.T) {
	t0 := clockStart
	clk := &clock{at: t0}
	db, key := sqliteDB(t), testKey()
	srv := openClocked(t, db, key, clk)
	h := srv.Handler()
	for i := range 15 {
		status, _, _ := throttleCall(t, h, "10.2.0.1:40000", "", "GET", "/state/v1/reviews", "")
		if want := map[bool]int{true: 401, false: 429}[i < 10]; status != want {
			t.Fatalf("call %d: %d, want %d", i, status, want)
		}
	}
	clk.add(20 * time.Second)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	next, err := service.Open(context.Background(), service.Config{DB: db, AuditKey: key, Now: clk.now, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	entries, err := next.Audit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := entriesFrom(entries, "10.2.0.1")
	if len(got) != 12 {
		t.Fatalf("%d entries for 10.2.0.1, want 12: %q", len(got), got)
	}
	want := [2]string{"no valid API key from 10.2.0.1",
		"4 more calls without a valid API key from 10.2.0.1 answered 429 (throttled) between 2025-03-03T09:00:00Z and 2025-03-03T09:00:20Z, not audited one by one"}
	if diff := cmp.Diff(want, got[11]); diff != "" {
		t.Errorf("the count at close (-want +got):\n%s", diff)
	}
}
