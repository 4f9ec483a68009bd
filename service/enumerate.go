package service

// The search guard against attribute guessing: the Identities API's search tells a
// caller whether a person with the properties it sent is known, so a caller holding only
// a name could send that name with every birth date of a year (or every middle name of a
// list) and learn the one the state knows from the answers naming a student. The guard
// counts, per LEA (every key of an LEA shares the count: a second key from -new-key gets
// no fresh budget) and per student the LEA holds no record of, the different requests
// (name and other properties, folded) whose answer would name that student. Misspelling
// the name, a homoglyph, a nickname or the names swapped make a new request the matcher
// still answers with her and a telling score, so they count as well. Past
// SearchNameLimit's bounds a search leaves that student out of its answer, and a create
// that would answer 409 naming her is refused 429 instead; both are audited as a
// suspected enumeration.
//
// Only those requests count, since only they tell something the LEA did not know: a
// request whose answer names only students the LEA holds (its own three Ava Johnsons) or
// nobody (a create of a new child, a search with no candidate) is never counted nor
// refused, however many share a name. A request sent again as it was is no new variant:
// an SIS that searches a student again, or retries, is never refused for it. A create
// that repeats an earlier request's name and birth date with more properties (the
// earlier's each left out or the same: an SIS searches, then creates with the middle
// name and sex it holds) is that request's variant, not a new one.
//
// The counts are kept in the store (search_variants, see guardstore.go) as well as in
// memory, so that a restart does not restore an LEA's budget.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/studentlink/studentlink/normalize"
)

// SearchNameLimit bounds how many different requests whose answer would name one
// student the LEA holds no record of an LEA (all its API keys together) may send. A
// request is a new variant when no request of the LEA in the last Window naming that
// student had the same name and the same other properties. A variant past PerBatch new
// variants naming the student in one search call, or past PerWindow in Window (the
// call's included), leaves the student out of that request's answer; a create (POST
// identities) counts as a search call of its one request, sharing the LEA's counts, and
// one whose 409 would name the student past the bounds is refused 429 Too Many Requests
// with Retry-After. Refused variants do not count. Requests whose answer names only
// students the LEA holds, or nobody, are not counted. (The name is the setting's
// historical one: the guard once also counted the searches of each name.) Zero values
// take the defaults (3 per batch, 10 per hour); a negative PerBatch or PerWindow turns
// that bound off.
type SearchNameLimit struct {
	PerBatch  int
	PerWindow int
	Window    time.Duration
}

func (l SearchNameLimit) withDefaults() SearchNameLimit {
	if l.PerBatch == 0 {
		l.PerBatch = 3
	}
	if l.PerWindow == 0 {
		l.PerWindow = 10
	}
	if l.Window <= 0 {
		l.Window = time.Hour
	}
	return l
}

// searchGuard keeps, per LEA and student the LEA holds no record of, the requests of the
// window that named the student and when each last did. Safe for concurrent use.
type searchGuard struct {
	limit     SearchNameLimit
	mu        sync.Mutex
	students  map[string]map[string]time.Time // LEA "\x00" student → name "\x00" variant → last named
	lastSweep time.Time
	pending   []guardRow // counts changed since the last takePending, for the store
}

func newSearchGuard(l SearchNameLimit) *searchGuard {
	return &searchGuard{limit: l.withDefaults(), students: map[string]map[string]time.Time{}}
}

// guardName is a request's person name as the guard counts it: given and family name
// folded, spaces dropped ("Mary-Ann O'Neil" and "maryann oneil" are one name).
func guardName(q IdentityRequest) string {
	fold := func(s string) string { return strings.ReplaceAll(normalize.Fold(s), " ", "") }
	return fold(q.FirstName) + " " + fold(q.LastSurname)
}

// guardVariant is everything else a request says of the person, folded as the name is
// where it is text; a birth date as a date and time counts as its date. Its parts are
// in fixed places (joined by NUL, the identification codes in one part), so that
// sameOrMore can compare them one by one.
func guardVariant(q IdentityRequest) string {
	fold := normalize.Fold
	date, _, _ := strings.Cut(strings.TrimSpace(q.BirthDate), "T")
	parts := []string{date, fold(q.MiddleName), fold(q.GenerationCodeSuffix), fold(q.SexType), "", "", "", "", "", ""}
	if q.BirthOrder != nil {
		parts[4] = strconv.Itoa(*q.BirthOrder)
	}
	if l := q.BirthLocation; l != nil {
		parts[5], parts[6], parts[7], parts[8] = fold(l.City), fold(l.StateAbbreviation), fold(l.InternationalProvince), fold(l.Country)
	}
	var codes []string
	for _, c := range q.IdentificationCodes {
		codes = append(codes, c.System+"\x01"+strings.TrimSpace(c.Code))
	}
	parts[9] = strings.Join(codes, "\x02")
	return strings.Join(parts, "\x00")
}

// sameOrMore reports whether variant more says what earlier did and perhaps more: the
// same birth date, and each other part of earlier left out or the same. A create that is
// sameOrMore of a request the LEA sent is that request's variant.
func sameOrMore(earlier, more string) bool {
	e, m := strings.Split(earlier, "\x00"), strings.Split(more, "\x00")
	if len(e) != len(m) || e[0] != m[0] {
		return false
	}
	for i := 1; i < len(e); i++ {
		if e[i] != "" && e[i] != m[i] {
			return false
		}
	}
	return true
}

// prune forgets the variants of seen older than the window.
func (g *searchGuard) prune(seen map[string]time.Time, now time.Time) {
	for v, at := range seen {
		if now.Sub(at) >= g.limit.Window {
			delete(seen, v)
		}
	}
}

// retryOf is when a refused variant may be tried again: when the oldest of seen leaves
// the window, if the window's bound refused it; else (the call's bound) a window hence.
func (g *searchGuard) retryOf(seen map[string]time.Time, now time.Time) time.Duration {
	l := g.limit
	retry := l.Window
	if l.PerWindow >= 0 && len(seen) >= l.PerWindow {
		for _, at := range seen {
			retry = min(retry, l.Window-now.Sub(at))
		}
	}
	return max(retry, time.Second)
}

// studentCall counts, for one search call or create of an LEA, the requests whose answer
// would name a student the LEA holds no record of. Safe for concurrent use by one call.
type studentCall struct {
	g      *searchGuard
	lea    string
	create bool
	now    time.Time
	fresh  map[string]int // student → new variants of this call
	mu     sync.Mutex
	left   []studentRefusal
}

// studentRefusal is a student left out of the answer to request index (or a create
// refused), and when a new request naming them may be sent.
type studentRefusal struct {
	index   int
	student string
	retry   time.Duration
}

func (g *searchGuard) studentCall(lea string, create bool, now time.Time) *studentCall {
	return &studentCall{g: g, lea: lea, create: create, now: now, fresh: map[string]int{}}
}

// allow counts request index (q) as naming student, and reports whether the answer may
// name them: a request naming them that the LEA sent in the window (or, for a create,
// one it says the same as and more) is no new variant; a new one past the call's or the
// window's bound is refused, and not counted.
func (c *studentCall) allow(index int, student string, q IdentityRequest) bool {
	g, l := c.g, c.g.limit
	if l.PerBatch < 0 && l.PerWindow < 0 {
		return true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	g.sweep(c.now)
	k := c.lea + "\x00" + student
	seen := g.students[k]
	g.prune(seen, c.now)
	name := guardName(q) + "\x00"
	variant := guardVariant(q)
	if _, ok := seen[name+variant]; ok {
		seen[name+variant] = c.now
		g.pending = append(g.pending, guardRow{c.lea, "s" + student, name + variant, c.now})
		return true
	}
	if c.create {
		for v := range seen {
			if n, rest, _ := strings.Cut(v, "\x00"); n+"\x00" == name && sameOrMore(rest, variant) {
				seen[v] = c.now
				g.pending = append(g.pending, guardRow{c.lea, "s" + student, v, c.now})
				return true
			}
		}
	}
	if l.PerBatch >= 0 && c.fresh[student] >= l.PerBatch || l.PerWindow >= 0 && len(seen) >= l.PerWindow {
		c.left = append(c.left, studentRefusal{index: index, student: student, retry: g.retryOf(seen, c.now)})
		return false
	}
	if seen == nil {
		seen = map[string]time.Time{}
		g.students[k] = seen
	}
	seen[name+variant] = c.now
	g.pending = append(g.pending, guardRow{c.lea, "s" + student, name + variant, c.now})
	c.fresh[student]++
	return true
}

// note is the audit note of the call's refusals, or "" when there were none.
func (c *studentCall) note(verb string, n int) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.left) == 0 {
		return ""
	}
	var idx, ids []string
	seen := map[string]bool{}
	for _, r := range c.left {
		if len(idx) < 50 {
			idx = append(idx, strconv.Itoa(r.index))
		}
		if !seen[r.student] {
			seen[r.student] = true
			ids = append(ids, r.student)
		}
	}
	slices.Sort(ids)
	what := "left out of the answers to"
	if c.create {
		what = "refused to name in the answer to"
	}
	return fmt.Sprintf("suspected enumeration: %s of %d request(s) %s %d request(s) the student(s) %s, of whom the LEA holds no record, named by more different requests than the %d a call or the %d in %v it may send (requests %s)",
		verb, n, what, len(c.left), strings.Join(ids, ", "), c.g.limit.PerBatch, c.g.limit.PerWindow, c.g.limit.Window, strings.Join(idx, ", "))
}

// sweep forgets, at most once a minute, the students none of whose requests is in the
// window, so that the guard holds only the last Window's requests.
func (g *searchGuard) sweep(now time.Time) {
	if now.Sub(g.lastSweep) < time.Minute && now.After(g.lastSweep) {
		return
	}
	g.lastSweep = now
	for k, seen := range g.students {
		g.prune(seen, now)
		if len(seen) == 0 {
			delete(g.students, k)
		}
	}
}
