package service

// The search guard against attribute guessing: the Identities API's search tells a
// caller whether a person with the properties it sent is known, so a caller holding only
// a name could send that name with every birth date of a year (or every middle name of a
// list) and learn the one the state knows from the one search answered with a student.
// The guard counts, per API key, the different searches of one person's name — the
// given and family name folded (case, accents, spaces and punctuation aside) — that
// differ in their other properties (birth date, middle name, suffix, sex, birth place,
// identification codes). Past SearchNameLimit's bounds such a search is refused and
// audited as a suspected enumeration. A search sent again as it was is no new variant:
// an SIS that searches a student again, or retries, is never refused for it. A create
// (POST identities) counts as a search of its request: its 409 tells as much.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/studentlink/studentlink/normalize"
)

// SearchNameLimit bounds how many different searches of one person's name an API key
// may make. A search is a new variant of a name when no search of the key in the last
// Window had the same name and the same other properties. A variant past PerBatch new
// variants of its name in one search call, or past PerWindow variants of its name in
// Window (the call's included), is refused: a batch answers it with an empty response
// whose refused property says why, a search of one request is answered 429 Too Many
// Requests with Retry-After. A create (POST identities) counts as a search call of its
// one request, sharing the key's counts, and is refused 429 alike. Refused variants do
// not count. Zero values take the defaults (3 per batch, 10 per hour); a negative
// PerBatch or PerWindow turns that bound off.
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

// searchGuard keeps, per API key and folded name, the variants searched in the window
// and when each was last searched. Safe for concurrent use.
type searchGuard struct {
	limit     SearchNameLimit
	mu        sync.Mutex
	names     map[string]map[string]time.Time // key "\x00" name → variant → last searched
	lastSweep time.Time
}

func newSearchGuard(l SearchNameLimit) *searchGuard {
	return &searchGuard{limit: l.withDefaults(), names: map[string]map[string]time.Time{}}
}

// searchRefusal is a search request the guard refused: its index in the call, the name
// it repeated (folded) and when a variant of that name may be searched again.
type searchRefusal struct {
	index int
	name  string
	retry time.Duration
}

// guardName is a request's person name as the guard counts it: given and family name
// folded, spaces dropped ("Mary-Ann O'Neil" and "maryann oneil" are one name).
func guardName(q IdentityRequest) string {
	fold := func(s string) string { return strings.ReplaceAll(normalize.Fold(s), " ", "") }
	return fold(q.FirstName) + " " + fold(q.LastSurname)
}

// guardVariant is everything else a request says of the person, folded as the name is
// where it is text; a birth date as a date and time counts as its date.
func guardVariant(q IdentityRequest) string {
	fold := normalize.Fold
	date, _, _ := strings.Cut(strings.TrimSpace(q.BirthDate), "T")
	parts := []string{fold(q.MiddleName), fold(q.GenerationCodeSuffix), fold(q.SexType), date}
	if q.BirthOrder != nil {
		parts = append(parts, "order "+strconv.Itoa(*q.BirthOrder))
	}
	if l := q.BirthLocation; l != nil {
		parts = append(parts, fold(l.City), fold(l.StateAbbreviation), fold(l.InternationalProvince), fold(l.Country))
	}
	for _, c := range q.IdentificationCodes {
		parts = append(parts, c.System, strings.TrimSpace(c.Code))
	}
	return strings.Join(parts, "\x00")
}

// check counts the requests of one search call made with key at now and returns those
// refused, in order; the others are counted as searched.
func (g *searchGuard) check(key string, reqs []IdentityRequest, now time.Time) []searchRefusal {
	l := g.limit
	if l.PerBatch < 0 && l.PerWindow < 0 {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.sweep(now)
	var out []searchRefusal
	fresh := map[string]int{} // name → new variants of this call
	for i, q := range reqs {
		name := guardName(q)
		k := key + "\x00" + name
		seen := g.names[k]
		for v, at := range seen {
			if now.Sub(at) >= l.Window {
				delete(seen, v)
			}
		}
		variant := guardVariant(q)
		if _, ok := seen[variant]; ok {
			seen[variant] = now
			continue
		}
		if l.PerBatch >= 0 && fresh[name] >= l.PerBatch || l.PerWindow >= 0 && len(seen) >= l.PerWindow {
			retry := l.Window
			if l.PerWindow >= 0 && len(seen) >= l.PerWindow {
				for _, at := range seen {
					retry = min(retry, l.Window-now.Sub(at))
				}
			}
			out = append(out, searchRefusal{index: i, name: name, retry: max(retry, time.Second)})
			continue
		}
		if seen == nil {
			seen = map[string]time.Time{}
			g.names[k] = seen
		}
		seen[variant] = now
		fresh[name]++
	}
	return out
}

// sweep forgets, at most once a minute, the names none of whose variants is in the
// window, so that the guard holds only the last Window's searches.
func (g *searchGuard) sweep(now time.Time) {
	if now.Sub(g.lastSweep) < time.Minute && now.After(g.lastSweep) {
		return
	}
	g.lastSweep = now
	for k, seen := range g.names {
		for v, at := range seen {
			if now.Sub(at) >= g.limit.Window {
				delete(seen, v)
			}
		}
		if len(seen) == 0 {
			delete(g.names, k)
		}
	}
}

// refusedMessage is what a refused request's response and the audit say of the refusals.
func (g *searchGuard) refusedMessage(r searchRefusal) string {
	return fmt.Sprintf("refused as a suspected enumeration: this key has searched or created the name %q with more different other properties (birth date, middle name…) than the %d a call or the %d in %v it may try; send it again as already sent, or after %v",
		r.name, g.limit.PerBatch, g.limit.PerWindow, g.limit.Window, r.retry.Round(time.Second))
}

// refusedNote is the audit note of a call's refusals.
func refusedNote(verb string, n int, refused []searchRefusal) string {
	var idx []string
	names := map[string]bool{}
	var list []string
	for _, r := range refused {
		if len(idx) < 50 {
			idx = append(idx, strconv.Itoa(r.index))
		}
		if !names[r.name] {
			names[r.name] = true
			list = append(list, strconv.Quote(r.name))
		}
	}
	slices.Sort(list)
	return fmt.Sprintf("suspected enumeration: %s of %d request(s) refused %d that repeat the name(s) %s with other properties (requests %s)",
		verb, n, len(refused), strings.Join(list, ", "), strings.Join(idx, ", "))
}
