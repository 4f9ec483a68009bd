package service

// The throttle of calls made without credentials: API calls without a valid API key,
// sign-ins, and page calls without a session. Every API call is audited, and so is every
// refused page call, and an audit entry is a committed, hash-chained row: without a
// throttle anyone who can reach the service could grow the audit table as fast as they
// can send calls, and guess passwords as fast as the server checks them.
//
// There is one table of token buckets per kind of call (throttleKind: apiThrottle,
// signinThrottle, pageThrottle), all the same code. A call of a kind takes a token from
// its remote address's bucket of that kind (a token bucket: throttleBurst tokens,
// refilled at throttleRate a second):
//
//   - an API call with no key or a key the store does not know (api, apiFallback);
//   - every sign-in (POST /signin), before its CSRF token or password is checked; a
//     successful sign-in gives its token back, so only failed ones (wrong account or
//     password, a stale or forged form, one the sign-in limit refuses) use the bucket up.
//     A sign-in from an address whose bucket is empty is refused unchecked, the right
//     password too: throttled is throttled, the user waits a second. Failures from one
//     address never throttle another;
//   - a page call refused for want of a session: a form posted without one, sign-out
//     without one. A GET without a session is sent to sign in (303, not audited) and takes
//     no token. A call with a valid key or a live session never takes a token, so a
//     signed-in user's pages are never throttled.
//
// A call that finds a token is answered and audited as before. A call that finds none is
// answered 429 Too Many Requests with Retry-After (JSON for the API, a short error page
// for pages), and is not audited one by one: the first such call of a kind from an
// address opens a window of throttleWindow and is audited (its 429); the later ones in the
// window are only counted, and once the window has ended one entry says how many there
// were and of which kind. That entry is committed lazily: before the next entry of a call
// of the kind from the address, by the sweep any audited call runs when a sweep is due
// (every throttleSweep), when the address's slot is given up, or when the server closes.
//
// The remote address is remoteAddress(r) (the connection's, as the sign-in limit's); an
// IPv6 address counts as its /64, since one host commonly holds a whole /64. Each table
// holds at most maxThrottled slots: slots of addresses that are idle (bucket full, no
// window open) are given up when the table is full (at most once a second) and at each
// sweep; while the table is full, calls from addresses not in it share one more slot, so
// a flood of distinct addresses neither grows memory nor escapes the throttle.

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/studentlink/studentlink/backpack"
)

const (
	throttleBurst  = 10               // calls of a kind an address may make at once
	throttleRate   = 1.0              // and then a second
	throttleWindow = time.Minute      // throttled calls counted in one audit entry at most
	throttleSweep  = 10 * time.Second // how often a call sweeps the tables for ended windows
	maxThrottled   = 4096             // addresses a table holds (a slot is ~150 bytes)
	scanFullEvery  = time.Second      // how often a full table is scanned for idle slots
)

// throttleKind is a kind of call the throttle counts, with what its audit entries say.
type throttleKind struct {
	name  string // the kind, in the count's note ("" for the API's, whose note predates kinds)
	calls string // what a call of the kind is, in the notes
	actor string // the count's actor, before the address
	limit string // the 429's message before the wait: "too many … from your address"
}

// The kinds of calls throttled.
var (
	apiThrottle    = &throttleKind{calls: "calls without a valid API key", actor: "no valid API key from ", limit: "too many calls without a valid API key from your address"}
	signinThrottle = &throttleKind{name: "sign-ins", calls: "sign-ins", actor: "sign-in form from ", limit: "Too many sign-ins from your address"}
	pageThrottle   = &throttleKind{name: "pages", calls: "page calls without a session", actor: "no session from ", limit: "Too many calls without signing in from your address"}
)

// throttles are the server's tables, one per kind.
type throttles struct{ api, signins, pages *throttle }

func newThrottles() throttles {
	return throttles{api: newThrottle(apiThrottle), signins: newThrottle(signinThrottle), pages: newThrottle(pageThrottle)}
}

func (ts throttles) all() []*throttle { return []*throttle{ts.api, ts.signins, ts.pages} }

// overflowKey is the shared slot of the addresses a full table has no room for.
const overflowKey = ""

// throttle is the table of token buckets of one kind of call. Safe for concurrent use.
type throttle struct {
	kind      *throttleKind
	mu        sync.Mutex
	table     map[string]*throttleSlot
	overflow  throttleSlot
	lastScan  time.Time    // when the full table was last scanned for idle slots
	nextSweep atomic.Int64 // when a sweep is due (Unix nanoseconds): read without mu
}

// throttleSlot is an address's token bucket and its open window of throttled calls.
type throttleSlot struct {
	tokens  float64
	at      time.Time // when tokens was brought up to date
	since   time.Time // when the open window began (zero: none is open)
	counted int       // the window's throttled calls not audited one by one
}

// throttledCalls is a window's count of throttled calls, for its audit entry.
type throttledCalls struct {
	kind         *throttleKind
	from         string // the address (or /64); overflowKey for the overflow slot
	n            int
	since, until time.Time
}

// throttleVerdict is what the throttle decided of one call.
type throttleVerdict struct {
	allowed    bool
	first      bool          // refused, the first of its window: audited one by one
	retryAfter time.Duration // when refused
	from       string        // the address (or /64) the call was counted under
	until      time.Time     // when the window of a refused call ends
	ended      []throttledCalls
}

func newThrottle(kind *throttleKind) *throttle {
	return &throttle{kind: kind, table: map[string]*throttleSlot{}, overflow: throttleSlot{tokens: throttleBurst}}
}

// throttleKey is the key an address is throttled under: an IPv6 address's /64, any
// other address (IPv4, or what could not be parsed) as given.
func throttleKey(address string) string {
	ip, err := netip.ParseAddr(address)
	if err != nil {
		return address
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, err := ip.WithZone("").Prefix(64)
	if err != nil {
		return address
	}
	return p.String()
}

// throttleName names a throttle key in an audit entry.
func throttleName(key string) string {
	if key == overflowKey {
		return "addresses beyond the throttle's table"
	}
	return key
}

// take counts a call of the table's kind from address at now: allowed while its bucket
// has a token, which it takes. It also returns the ended windows to audit before the call's own entry.
func (t *throttle) take(address string, now time.Time) throttleVerdict {
	t.mu.Lock()
	defer t.mu.Unlock()
	var v throttleVerdict
	key := throttleKey(address)
	sl, ok := t.table[key]
	if !ok {
		if len(t.table) >= maxThrottled && now.Sub(t.lastScan) >= scanFullEvery {
			t.lastScan = now
			v.ended = t.scan(now)
		}
		if len(t.table) < maxThrottled {
			sl = &throttleSlot{tokens: throttleBurst, at: now}
			t.table[key] = sl
		} else {
			sl, key = &t.overflow, overflowKey
		}
	}
	v.from = key
	sl.refill(now)
	if c, ok := sl.endWindow(t.kind, key, now); ok {
		v.ended = append(v.ended, c)
	}
	if sl.tokens >= 1 {
		sl.tokens--
		v.allowed = true
		return v
	}
	v.retryAfter = time.Duration(math.Ceil((1 - sl.tokens) / throttleRate * float64(time.Second)))
	if sl.since.IsZero() {
		sl.since, v.first = now, true
	} else {
		sl.counted++
	}
	v.until = sl.since.Add(throttleWindow)
	return v
}

// sweep returns the windows that have ended, and gives up idle slots, when a sweep is due
// at now (every throttleSweep); else nothing.
func (t *throttle) sweep(now time.Time) []throttledCalls {
	if now.UnixNano() < t.nextSweep.Load() { // the path of every call: no lock
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if now.UnixNano() < t.nextSweep.Load() {
		return nil
	}
	t.nextSweep.Store(now.Add(throttleSweep).UnixNano())
	return t.scan(now)
}

// scan ends the windows that have ended at now, returning their counts, and gives up the
// idle slots. t.mu is held.
func (t *throttle) scan(now time.Time) []throttledCalls {
	var ended []throttledCalls
	for key, sl := range t.table {
		sl.refill(now)
		if c, ok := sl.endWindow(t.kind, key, now); ok {
			ended = append(ended, c)
		}
		if sl.since.IsZero() && sl.tokens >= throttleBurst {
			delete(t.table, key)
		}
	}
	t.overflow.refill(now)
	if c, ok := t.overflow.endWindow(t.kind, overflowKey, now); ok {
		ended = append(ended, c)
	}
	return ended
}

// flush ends every window, ended or not, returning the counts: the server is closing.
func (t *throttle) flush(now time.Time) []throttledCalls {
	t.mu.Lock()
	defer t.mu.Unlock()
	var ended []throttledCalls
	for key, sl := range t.table {
		if c, ok := sl.closeWindow(t.kind, key, now); ok {
			ended = append(ended, c)
		}
	}
	if c, ok := t.overflow.closeWindow(t.kind, overflowKey, now); ok {
		ended = append(ended, c)
	}
	return ended
}

// size is how many addresses the table holds.
func (t *throttle) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.table)
}

// refill brings the bucket's tokens up to now. A clock that went back adds nothing.
func (sl *throttleSlot) refill(now time.Time) {
	if d := now.Sub(sl.at); d > 0 {
		sl.tokens = min(throttleBurst, sl.tokens+d.Seconds()*throttleRate)
	}
	if now.After(sl.at) {
		sl.at = now
	}
}

// endWindow closes the slot's window when it has ended at now, returning its count when
// it counted any call.
func (sl *throttleSlot) endWindow(kind *throttleKind, key string, now time.Time) (throttledCalls, bool) {
	if sl.since.IsZero() || now.Before(sl.since.Add(throttleWindow)) {
		return throttledCalls{}, false
	}
	return sl.closeWindow(kind, key, sl.since.Add(throttleWindow))
}

// closeWindow closes the slot's window at until, returning its count when it counted any
// call.
func (sl *throttleSlot) closeWindow(kind *throttleKind, key string, until time.Time) (throttledCalls, bool) {
	c := throttledCalls{kind: kind, from: key, n: sl.counted, since: sl.since, until: until}
	sl.since, sl.counted = time.Time{}, 0
	return c, c.n > 0
}

// giveBack returns a token taken under key (a verdict's from): the call turned out not to
// be one the kind counts (a successful sign-in).
func (t *throttle) giveBack(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	sl, ok := t.table[key]
	if !ok {
		if key != overflowKey {
			return // given up since: its bucket is full
		}
		sl = &t.overflow
	}
	sl.refill(now)
	sl.tokens = min(throttleBurst, sl.tokens+1)
}

// tag names the kind in a note: " (sign-ins)"; "" for the API's.
func (k *throttleKind) tag() string {
	if k.name == "" {
		return ""
	}
	return " (" + k.name + ")"
}

// entry is the audit entry of a window's throttled calls.
func (c throttledCalls) entry() backpack.Entry {
	from := throttleName(c.from)
	kind := "" // the API's note predates kinds
	if c.kind.name != "" {
		kind = ": " + c.kind.name
	}
	return backpack.Entry{Action: actionAccess, Actor: c.kind.actor + from,
		Note: fmt.Sprintf("%d more %s from %s answered 429 (throttled%s) between %s and %s, not audited one by one",
			c.n, c.kind.calls, from, kind, c.since.Format(time.RFC3339), c.until.Format(time.RFC3339))}
}

// auditThrottled commits the entries of windows of throttled calls. Their context is not
// the call's: the call's own entry is still to be committed.
func (s *Server) auditThrottled(ended []throttledCalls) {
	for _, c := range ended {
		if err := s.record(context.Background(), c.entry()); err != nil {
			s.logf("service: auditing %d throttled %s from %s: %v", c.n, c.kind.calls, c.from, err)
		}
	}
}

// sweepThrottles audits the counts of the windows that have ended, when a sweep is due:
// every audited call runs it.
func (s *Server) sweepThrottles() {
	now := s.now()
	for _, t := range s.throttles.all() {
		s.auditThrottled(t.sweep(now))
	}
}

// flushThrottles audits the counts of every open window: the server is closing.
func (s *Server) flushThrottles() {
	now := s.now()
	for _, t := range s.throttles.all() {
		s.auditThrottled(t.flush(now))
	}
}

// throttle counts a call of t's kind (see throttle.go) and returns the key its token was
// taken under. When the call's address is over its rate it answers the call 429 with
// Retry-After (in JSON for the API, with an error page for pages) and returns refused:
// the call is then audited only when it is the first of its window.
func (s *Server) throttle(w http.ResponseWriter, r *http.Request, ca *callAudit, t *throttle) (key string, refused bool) {
	v := t.take(remoteAddress(r), s.now())
	s.auditThrottled(v.ended)
	if v.allowed {
		return v.from, false
	}
	if v.first {
		ca.after = fmt.Sprintf("%s from %s throttled until %s are counted in one entry%s, not audited one by one",
			t.kind.calls, throttleName(v.from), v.until.Format(time.RFC3339), t.kind.tag())
	} else {
		ca.done.Store(true)
	}
	wait := max(time.Second, (v.retryAfter + time.Second - 1).Truncate(time.Second)) // whole seconds, rounded up
	w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)))
	if t.kind == apiThrottle {
		writeError(w, http.StatusTooManyRequests, "%s: try again in %s, with a key issued to your LEA as \"Authorization: Bearer KEY\"", t.kind.limit, wait)
	} else {
		s.refuse(w, http.StatusTooManyRequests, nil, "%s: try again in %s.", t.kind.limit, wait)
	}
	return v.from, true
}
