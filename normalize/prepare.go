package normalize

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// ErrLostLetters is the error for a name holding "?" or U+FFFD, where an export wrote a
// letter its encoding could not hold (Nguyễn as Nguy?n): the name is compared without it.
var ErrLostLetters = errors.New("a letter the export could not write, written ? or \ufffd: compared without it")

// Options configure how records are prepared.
type Options struct {
	// Dates configures date parsing (day-first reading, two-digit-year pivot).
	Dates DateOptions
	// Nicknames is the nickname table; nil means the embedded default.
	Nicknames *Nicknames
}

// Preparer fills Table rows from Records. It caches the features of the name, city and
// extra-column values it has seen, so that a roll in which "Garcia" appears ten thousand times folds and
// encodes it once and its records share one copy; each cache keeps at most
// MaxCachedNames values, so that a Preparer serving queries for months does not grow
// without bound. It is safe for concurrent use; concurrent Fill calls must use different
// rows.
type Preparer struct {
	opt   Options
	nick  *Nicknames
	names valueCache[*NamePart] // raw name → prepared part (given-style, with nicknames)
	texts valueCache[Text]      // raw city or extra-column value → Text
	limit int64                 // MaxCachedNames (lower in tests)
}

// valueCache maps raw values to their prepared form, up to a limit of entries.
type valueCache[V any] struct {
	m      sync.Map     // raw value → V
	stored atomic.Int64 // entries stored
}

// get returns the prepared form of s, from the cache when it has been seen. Values up to
// 64 bytes are cached while the cache holds fewer than limit; s is cloned as a key, so
// that the cache does not keep the input it came from alive.
func (c *valueCache[V]) get(s string, limit int64, prepare func(string) V) V {
	if v, ok := c.m.Load(s); ok {
		return v.(V)
	}
	v := prepare(s)
	if len(s) <= 64 && c.stored.Load() < limit {
		got, loaded := c.m.LoadOrStore(strings.Clone(s), v)
		if !loaded {
			c.stored.Add(1)
		}
		return got.(V)
	}
	return v
}

// MaxCachedNames bounds a Preparer's name cache (a state's roll of a million records
// has some 60,000 distinct names); names seen once the cache is full are prepared anew
// each time.
const MaxCachedNames = 1 << 18

// NewPreparer returns a Preparer with the given options.
func NewPreparer(opt Options) *Preparer {
	p := &Preparer{opt: opt, nick: opt.Nicknames, limit: MaxCachedNames}
	if p.nick == nil {
		p.nick = sharedDefault()
	}
	return p
}

// namePart returns the prepared name, from the cache when it has been seen. Every name
// part carries nickname groups: a family name rarely has any, and when given and family
// are swapped the groups are where a comparison looks.
func (p *Preparer) namePart(s string) *NamePart {
	if s == "" {
		return noName
	}
	return p.names.get(s, p.limit, func(s string) *NamePart {
		np := NewNamePart(s, p.nick)
		if np.Empty() {
			return noName
		}
		return &np
	})
}

// text returns the prepared value of a column whose values repeat (a city, an entry
// date), shared by the records that hold it.
func (p *Preparer) text(s string) Text {
	if s == "" {
		return Text{}
	}
	return p.texts.get(s, p.limit, NewText)
}

// Fill prepares r into row i of t. A value that cannot be prepared (a date like
// "13/45/2011", an SSID of letters) is left missing and reported as a FieldError naming
// its role; the other values are still prepared. A missing-value marker (NA, NULL, N/A:
// IsMissingMarker) is missing, without an error. Names come from Given, Middle and Family
// when either Given or Family is set, else from parsing FullName; a suffix glued to the
// family or the given name is split off.
func (p *Preparer) Fill(t *Table, i int, r Record) []*FieldError {
	r.blankMissingMarkers() // r is Fill's copy
	var errs []*FieldError
	fail := func(role Role, value string, err error) {
		errs = append(errs, &FieldError{Field: string(role), Value: value, Err: err})
	}
	for _, v := range [...]struct {
		role  Role
		value string
	}{{RoleGiven, r.Given}, {RoleMiddle, r.Middle}, {RoleFamily, r.Family}, {RoleFullName, r.FullName}} {
		if strings.IndexByte(v.value, '?') >= 0 || strings.ContainsRune(v.value, utf8.RuneError) {
			fail(v.role, v.value, ErrLostLetters)
		}
	}
	n := Name{Given: r.Given, Middle: r.Middle, Family: r.Family}
	if strings.TrimSpace(r.Given) == "" && strings.TrimSpace(r.Family) == "" && r.FullName != "" {
		parse := ParseName
		if r.FamilyFirst {
			parse = ParseNameFamilyFirst
		}
		n = parse(r.FullName)
	}
	family, glued := SplitSuffix(n.Family)
	family = ShortSaint(family)
	// A suffix written after the given name (Noah III) is split off it too, but for a
	// letter alone, which there is a middle initial as often (Mary V).
	if w := strings.LastIndexAny(n.Given, " ,"); w >= 0 && SuffixCode(n.Given[w+1:]) != "" {
		if g, code := SplitSuffix(n.Given); code != "" && code != "v" {
			n.Given = g
			glued = cmp.Or(glued, code)
		}
	}
	suffix := SuffixCode(r.Suffix)
	if suffix == "" {
		suffix = n.Suffix
	}
	if suffix == "" {
		suffix = glued
	}
	if strings.TrimSpace(r.Suffix) != "" && SuffixCode(r.Suffix) == "" {
		suffix = Fold(r.Suffix)
	}
	givenName, known := SplitKnownAs(n.Given)
	given, middle := SplitInitial(StripTitles(givenName), n.Middle)
	t.Given[i] = p.namePart(given)
	t.Middle[i] = p.namePart(middle)
	t.Family[i] = p.namePart(family)
	t.Suffix[i] = suffix
	t.OtherGiven[i], t.OtherFamily[i] = nil, nil
	for _, other := range r.OtherNames {
		on := ParseName(other)
		if g := p.namePart(on.Given); !g.Empty() {
			t.OtherGiven[i] = append(t.OtherGiven[i], *g)
		}
		if f := p.namePart(on.Family); !f.Empty() {
			t.OtherFamily[i] = append(t.OtherFamily[i], *f)
		}
	}
	if g := p.namePart(known); !g.Empty() {
		t.OtherGiven[i] = append(t.OtherGiven[i], *g)
	}
	dates := p.opt.Dates
	dates.DayFirst = dates.DayFirst || r.DayFirst
	d, err := ParseDate(r.BirthDate, dates)
	if err == nil && PlaceholderDate(d) {
		d, err = Date{}, fmt.Errorf("%w: %s stands for a missing birth date", ErrPlaceholderDate, QuoteValue(r.BirthDate))
	}
	var entry Date
	if r.EntryDate != "" {
		if e, perr := ParseDate(r.EntryDate, dates); perr == nil { // a wrong one is no error of the record's
			entry = e
		}
	}
	if err == nil && !d.IsZero() && !entry.IsZero() && BornOnEntry(d, entry) {
		d, err = Date{}, fmt.Errorf("%w (%s)", ErrBornOnEntry, entry)
	}
	t.WrittenBirthDate[i] = Date{} // a row filled again keeps nothing of its last record
	if err != nil {
		fail(RoleBirthDate, r.BirthDate, err)
		var imp *ImpossibleDateError
		if errors.As(err, &imp) {
			t.WrittenBirthDate[i] = imp.Written
		}
	}
	t.BirthDate[i] = d
	sex, err := ParseSex(r.Sex)
	if err != nil {
		fail(RoleSex, r.Sex, err)
	}
	t.Sex[i] = sex
	ssid, err := CleanID(r.SSID)
	if err == nil && PlaceholderID(ssid) {
		ssid, err = "", fmt.Errorf("%w: %s stands for a missing SSID", ErrPlaceholderID, QuoteValue(r.SSID))
	}
	if err != nil {
		fail(RoleSSID, r.SSID, err)
	}
	t.SSID[i] = ssid
	t.LocalID[i] = CleanLocalID(r.LocalID)
	g, err := ParseGrade(r.Grade)
	if err != nil {
		fail(RoleGrade, r.Grade, err)
	}
	t.Grade[i] = g
	t.ClassOf[i] = classOfText(ClassOf(g, entry))
	t.Address[i] = newFoldedText(StandardAddress(r.Address)) // folded by StandardAddress
	t.City[i] = p.text(r.City)
	t.Zip[i] = CleanZip(r.Zip)
	t.LEA[i] = strings.TrimSpace(r.LEA)
	t.School[i] = strings.TrimSpace(r.School)
	if t.Email[i] = CleanEmail(r.Email); t.Email[i] == "" && strings.TrimSpace(r.Email) != "" {
		fail(RoleEmail, r.Email, errNotEmail)
	}
	if t.Phone[i] = CleanPhone(r.Phone); t.Phone[i] == "" && strings.TrimSpace(r.Phone) != "" {
		fail(RolePhone, r.Phone, errNotPhone)
	}
	for k := range t.Extra {
		v := ""
		if k < len(r.Extra) {
			v = r.Extra[k]
		}
		t.Extra[k][i] = p.text(v)
	}
	return errs
}
