package service

// The throttle of API calls without a valid API key. Every API call is audited, refused
// ones too, and an audit entry is a committed, hash-chained row: without a throttle anyone
// who can reach the service could grow the audit table as fast as they can send calls.
//
// Calls that carry no key, or a key the store does not know, take a token from their
// remote address's bucket (a token bucket: keylessBurst tokens, refilled at keylessRate a
// second). A call that finds a token is answered and audited as before (401). A call that
// finds none is answered 429 Too Many Requests with Retry-After, and is not audited one by
// one: the first such call from an address opens a window of keylessWindow and is audited
// (its 429); the later ones in the window are only counted, and once the window has ended
// one entry says how many there were. That entry is committed lazily: before the next
// entry of a call from the address, by the sweep any API call runs when a sweep is due
// (every keylessSweep), when the address's slot is given up, or when the server closes.
// A call with a valid key never takes a token.
//
// The remote address is remoteAddress(r) (the connection's, as the sign-in limit's); an
// IPv6 address counts as its /64, since one host commonly holds a whole /64. The table of
// addresses holds at most maxThrottled slots: slots of addresses that are idle (bucket
// full, no window open) are given up when the table is full (at most once a second) and
// at each sweep; while the table is full, calls from addresses not in it share one more
// slot, so a flood of distinct addresses neither grows memory nor escapes the throttle.

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
	keylessBurst  = 10               // calls without a valid key an address may make at once
	keylessRate   = 1.0              // and then a second
	keylessWindow = time.Minute      // throttled calls counted in one audit entry at most
	keylessSweep  = 10 * time.Second // how often a call sweeps the table for ended windows
	maxThrottled  = 4096             // addresses the table holds (a slot is ~150 bytes)
	scanFullEvery = time.Second      // how often a full table is scanned for idle slots
)

// overflowKey is the shared slot of the addresses a full table has no room for.
const overflowKey = ""

// keylessThrottle is the table of token buckets of calls without a valid API key. Safe
// for concurrent use.
type keylessThrottle struct {
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

func newKeylessThrottle() *keylessThrottle {
	return &keylessThrottle{table: map[string]*throttleSlot{}, overflow: throttleSlot{tokens: keylessBurst}}
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

// take counts a call without a valid key from address at now: allowed while its bucket
// has a token. It also returns the ended windows to audit before the call's own entry.
func (t *keylessThrottle) take(address string, now time.Time) throttleVerdict {
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
			sl = &throttleSlot{tokens: keylessBurst, at: now}
			t.table[key] = sl
		} else {
			sl, key = &t.overflow, overflowKey
		}
	}
	v.from = key
	sl.refill(now)
	if c, ok := sl.endWindow(key, now); ok {
		v.ended = append(v.ended, c)
	}
	if sl.tokens >= 1 {
		sl.tokens--
		v.allowed = true
		return v
	}
	v.retryAfter = time.Duration(math.Ceil((1 - sl.tokens) / keylessRate * float64(time.Second)))
	if sl.since.IsZero() {
		sl.since, v.first = now, true
	} else {
		sl.counted++
	}
	v.until = sl.since.Add(keylessWindow)
	return v
}

// sweep returns the windows that have ended, and gives up idle slots, when a sweep is due
// at now (every keylessSweep); else nothing.
func (t *keylessThrottle) sweep(now time.Time) []throttledCalls {
	if now.UnixNano() < t.nextSweep.Load() { // the path of every call: no lock
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if now.UnixNano() < t.nextSweep.Load() {
		return nil
	}
	t.nextSweep.Store(now.Add(keylessSweep).UnixNano())
	return t.scan(now)
}

// scan ends the windows that have ended at now, returning their counts, and gives up the
// idle slots. t.mu is held.
func (t *keylessThrottle) scan(now time.Time) []throttledCalls {
	var ended []throttledCalls
	for key, sl := range t.table {
		sl.refill(now)
		if c, ok := sl.endWindow(key, now); ok {
			ended = append(ended, c)
		}
		if sl.since.IsZero() && sl.tokens >= keylessBurst {
			delete(t.table, key)
		}
	}
	t.overflow.refill(now)
	if c, ok := t.overflow.endWindow(overflowKey, now); ok {
		ended = append(ended, c)
	}
	return ended
}

// flush ends every window, ended or not, returning the counts: the server is closing.
func (t *keylessThrottle) flush(now time.Time) []throttledCalls {
	t.mu.Lock()
	defer t.mu.Unlock()
	var ended []throttledCalls
	for key, sl := range t.table {
		if c, ok := sl.closeWindow(key, now); ok {
			ended = append(ended, c)
		}
	}
	if c, ok := t.overflow.closeWindow(overflowKey, now); ok {
		ended = append(ended, c)
	}
	return ended
}

// size is how many addresses the table holds.
func (t *keylessThrottle) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.table)
}

// refill brings the bucket's tokens up to now. A clock that went back adds nothing.
func (sl *throttleSlot) refill(now time.Time) {
	if d := now.Sub(sl.at); d > 0 {
		sl.tokens = min(keylessBurst, sl.tokens+d.Seconds()*keylessRate)
	}
	if now.After(sl.at) {
		sl.at = now
	}
}

// endWindow closes the slot's window when it has ended at now, returning its count when
// it counted any call.
func (sl *throttleSlot) endWindow(key string, now time.Time) (throttledCalls, bool) {
	if sl.since.IsZero() || now.Before(sl.since.Add(keylessWindow)) {
		return throttledCalls{}, false
	}
	return sl.closeWindow(key, sl.since.Add(keylessWindow))
}

// closeWindow closes the slot's window at until, returning its count when it counted any
// call.
func (sl *throttleSlot) closeWindow(key string, until time.Time) (throttledCalls, bool) {
	c := throttledCalls{from: key, n: sl.counted, since: sl.since, until: until}
	sl.since, sl.counted = time.Time{}, 0
	return c, c.n > 0
}

// entry is the audit entry of a window's throttled calls.
func (c throttledCalls) entry() backpack.Entry {
	from := throttleName(c.from)
	return backpack.Entry{Action: actionAccess, Actor: "no valid API key from " + from,
		Note: fmt.Sprintf("%d more calls without a valid API key from %s answered 429 (throttled) between %s and %s, not audited one by one",
			c.n, from, c.since.Format(time.RFC3339), c.until.Format(time.RFC3339))}
}

// auditThrottled commits the entries of windows of throttled calls. Their context is not
// the call's: the call's own entry is still to be committed.
func (s *Server) auditThrottled(ended []throttledCalls) {
	for _, c := range ended {
		if err := s.record(context.Background(), c.entry()); err != nil {
			s.logf("service: auditing %d throttled calls from %s: %v", c.n, c.from, err)
		}
	}
}

// throttleKeyless counts a call made without a valid API key. It answers the call 429
// (with Retry-After) and returns true when the call's address is over its rate: the
// call is then audited only when it is the first of its window (see throttle.go).
func (s *Server) throttleKeyless(w http.ResponseWriter, r *http.Request, ca *callAudit) bool {
	v := s.keyless.take(remoteAddress(r), s.now())
	s.auditThrottled(v.ended)
	if v.allowed {
		return false
	}
	if v.first {
		ca.after = fmt.Sprintf("calls without a valid API key from %s throttled until %s are counted in one entry, not audited one by one",
			throttleName(v.from), v.until.Format(time.RFC3339))
	} else {
		ca.done.Store(true)
	}
	wait := max(time.Second, (v.retryAfter + time.Second - 1).Truncate(time.Second)) // whole seconds, rounded up
	w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)))
	writeError(w, http.StatusTooManyRequests, "too many calls without a valid API key from your address: try again in %s, with a key issued to your LEA as \"Authorization: Bearer KEY\"", wait)
	return true
}
