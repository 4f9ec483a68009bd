package service

// The sign-in rate limit: failed sign-ins are counted per account and per remote address
// over a sliding window, and once either reaches its limit more sign-ins of it are
// refused before any password is checked, until the oldest failure leaves the window.

import (
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// SignInLimit bounds failed sign-ins. After PerAccount failed sign-ins of one username,
// or PerAddress failed sign-ins from one remote address, within Window, a sign-in of that
// username or from that address is refused (429 Too Many Requests, audited) without its
// password being checked, until the oldest of those failures is Window old. A successful
// sign-in clears its account's failures. Zero values take the defaults (5 per account,
// 20 per address, 15 minutes); a negative PerAccount or PerAddress turns that limit off.
//
// The remote address is the connection's (http.Request.RemoteAddr): behind a proxy every
// client shares the proxy's, so give PerAddress room for that or turn it off there.
type SignInLimit struct {
	PerAccount int
	PerAddress int
	Window     time.Duration
}

// withDefaults fills the zero values.
func (l SignInLimit) withDefaults() SignInLimit {
	if l.PerAccount == 0 {
		l.PerAccount = 5
	}
	if l.PerAddress == 0 {
		l.PerAddress = 20
	}
	if l.Window <= 0 {
		l.Window = 15 * time.Minute
	}
	return l
}

// maxLimitKeys bounds the accounts and addresses the limiter remembers: past it, keys
// whose failures have all left the window are forgotten first.
const maxLimitKeys = 100_000

// signInLimiter keeps the recent failed sign-ins (and the sign-ins under way, counted
// as failures until they succeed) of each account and address. Safe for concurrent use.
type signInLimiter struct {
	limit SignInLimit
	mu    sync.Mutex
	fails map[string][]time.Time // "account\x00name" or "address\x00ip" → times, oldest first
}

func newSignInLimiter(l SignInLimit) *signInLimiter {
	return &signInLimiter{limit: l.withDefaults(), fails: map[string][]time.Time{}}
}

// attempt is a sign-in let through, counted as a failure until it succeeds.
type attempt struct {
	account, address string
	at               time.Time
}

// refusal says why a sign-in was refused: which limit, and when to try again.
type refusal struct {
	what       string // "account" or "address"
	failures   int
	retryAfter time.Duration
}

// begin lets a sign-in of account from address through, counting it as a failure, or
// refuses it when either has reached its limit at now.
func (l *signInLimiter) begin(account, address string, now time.Time) (attempt, *refusal) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := attempt{account: "account\x00" + account, address: "address\x00" + address, at: now}
	for _, c := range []struct {
		key, what string
		max       int
	}{{a.account, "account", l.limit.PerAccount}, {a.address, "address", l.limit.PerAddress}} {
		if c.max < 0 {
			continue
		}
		recent := l.recent(c.key, now)
		if len(recent) >= c.max {
			return a, &refusal{what: c.what, failures: len(recent), retryAfter: recent[len(recent)-c.max].Add(l.limit.Window).Sub(now)}
		}
	}
	if len(l.fails) >= maxLimitKeys {
		l.forgetOld(now)
	}
	l.fails[a.account] = append(l.fails[a.account], now)
	l.fails[a.address] = append(l.fails[a.address], now)
	return a, nil
}

// succeeded clears the account's failures and takes the attempt off its address's.
func (l *signInLimiter) succeeded(a attempt) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, a.account)
	times := l.fails[a.address]
	if i := slices.Index(times, a.at); i >= 0 {
		l.fails[a.address] = slices.Delete(times, i, i+1)
	}
	if len(l.fails[a.address]) == 0 {
		delete(l.fails, a.address)
	}
}

// recent drops a key's failures that have left the window and returns the rest.
func (l *signInLimiter) recent(key string, now time.Time) []time.Time {
	times := l.fails[key]
	k := 0
	for k < len(times) && !times[k].Add(l.limit.Window).After(now) {
		k++
	}
	times = times[k:]
	if len(times) == 0 {
		delete(l.fails, key)
		return nil
	}
	l.fails[key] = times
	return times
}

// forgetOld forgets the keys whose failures have all left the window.
func (l *signInLimiter) forgetOld(now time.Time) {
	for key := range l.fails {
		l.recent(key, now)
	}
}

// remoteAddress is the address a request came from, without its port.
func remoteAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
