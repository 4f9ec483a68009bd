package block

import (
	"fmt"
	"hash/maphash"
	"strings"

	"github.com/studentlink/studentlink/normalize"
)

// Transform turns a feature into a blocking key.
type Transform string

// Transforms of a key feature.
const (
	// Whole uses the value itself (a name's folded key, an ID, a zip, a date's YYYYMMDD).
	Whole Transform = ""
	// First keeps the first N characters.
	First Transform = "first"
	// Initial keeps the first character.
	Initial Transform = "initial"
	// Soundex, Metaphone (both Double Metaphone codes: two keys when they differ) and
	// NYSIIS use a name's phonetic code.
	Soundex   Transform = "soundex"
	Metaphone Transform = "metaphone"
	NYSIIS    Transform = "nysiis"
	// Year and MonthDay take part of a date. MonthDaySet takes the month and day in either
	// order, so a date with day and month swapped (2012-08-02 for 2012-02-08) keeps its key.
	Year        Transform = "year"
	MonthDay    Transform = "month_day"
	MonthDaySet Transform = "month_day_set"
	// DateSet is the whole date with month and day in either order.
	DateSet Transform = "date_set"
	// Tokens gives one key per word of a compound value ("garcia", "lopez").
	Tokens Transform = "tokens"
	// EitherSoundex, on the given or family name, gives the Soundex codes of both, so
	// that a record whose given and family names were swapped ("Zhou Ying" for "Ying
	// Zhou") keeps a key in common with its other records.
	EitherSoundex Transform = "either_soundex"
)

// Key is one feature of a blocking rule.
type Key struct {
	Role      normalize.Role `json:"role"`
	Transform Transform      `json:"transform,omitempty"`
	N         int            `json:"n,omitempty"`
}

// Rule admits the pairs of records that agree on all its keys. A record with a missing
// value for any key has no key under the rule and so is admitted by it to no pair.
type Rule struct {
	Name string `json:"name"`
	Keys []Key  `json:"keys,omitempty"`
	// Nearest, when set instead of Keys, makes the rule pair each record with the records
	// most like it (see Nearest).
	Nearest *Nearest `json:"nearest,omitempty"`
}

// R builds a rule from keys; its name lists them.
func R(keys ...Key) Rule {
	var parts []string
	for _, k := range keys {
		p := string(k.Role)
		if k.Transform != Whole {
			p += ":" + string(k.Transform)
			if k.N > 0 {
				p += fmt.Sprint(k.N)
			}
		}
		parts = append(parts, p)
	}
	return Rule{Name: strings.Join(parts, "+"), Keys: keys}
}

// K is shorthand for a Key.
func K(role normalize.Role, tr Transform) Key { return Key{Role: role, Transform: tr} }

// PersonRules are the default rules for person records with the FEBRL columns.
func PersonRules() []Rule {
	return []Rule{
		R(K(normalize.RoleBirthDate, Whole)),
		R(K(normalize.RoleSSID, Whole)),
		R(K(normalize.RoleEmail, Whole)),
		R(K(normalize.RolePhone, Whole)),
		R(K(normalize.RoleGiven, Soundex), K(normalize.RoleFamily, Soundex)),
		R(K(normalize.RoleFamily, Metaphone), K(normalize.RoleZip, Whole)),
		R(K(normalize.RoleGiven, Metaphone), K(normalize.RoleBirthDate, Year)),
		R(K(normalize.RoleZip, Whole), K(normalize.RoleGiven, Soundex)),
		R(K(normalize.RoleAddress, Whole)),
		NearestRule(),
	}
}

// StudentRules are the default rules for student rolls. Each pairs records that agree on
// something rare (an SSID, a birth date with a phonetic name code, a name pair in a birth
// year), so that a million-record roll has about ten candidates per record, yet a record
// with one field wrong still meets its twin through another rule. Keys of a birth date
// with only an initial would not do: in a state, some 150 students share each birthday,
// and blocks that grow with the roll make candidates grow with its square. An e-mail
// address or a telephone number, whole, is rare too: a household's at most (a roll
// without them drops their rules).
func StudentRules() []Rule {
	return []Rule{
		R(K(normalize.RoleSSID, Whole)),
		R(K(normalize.RoleEmail, Whole)),
		R(K(normalize.RolePhone, Whole)),
		R(K(normalize.RoleBirthDate, DateSet), K(normalize.RoleFamily, Soundex)),
		R(K(normalize.RoleBirthDate, Whole), K(normalize.RoleGiven, EitherSoundex)),
		R(K(normalize.RoleGiven, Metaphone), K(normalize.RoleFamily, Metaphone), K(normalize.RoleBirthDate, Year)),
		R(K(normalize.RoleBirthDate, MonthDaySet), K(normalize.RoleFamily, Soundex), K(normalize.RoleGiven, Initial)),
		R(K(normalize.RoleAddress, Whole), K(normalize.RoleGiven, Initial)),
		NearestRule(),
	}
}

// Validate reports a rule that cannot make keys.
func (r Rule) Validate() error {
	if r.Nearest != nil {
		if len(r.Keys) > 0 {
			return fmt.Errorf("block: rule %q has both keys and nearest", r.Name)
		}
		if r.Nearest.K < 0 || r.Nearest.Work < 0 {
			return fmt.Errorf("block: rule %q: nearest k %d and work %d must not be negative", r.Name, r.Nearest.K, r.Nearest.Work)
		}
		return nil
	}
	if len(r.Keys) == 0 {
		return fmt.Errorf("block: rule %q has no keys", r.Name)
	}
	for _, k := range r.Keys {
		if !validKey(k) {
			return fmt.Errorf("block: rule %q: cannot key on %q with transform %q", r.Name, k.Role, k.Transform)
		}
		if k.Transform == First && k.N <= 0 {
			return fmt.Errorf("block: rule %q: transform first needs n > 0", r.Name)
		}
	}
	return nil
}

func validKey(k Key) bool {
	name := k.Role == normalize.RoleGiven || k.Role == normalize.RoleMiddle || k.Role == normalize.RoleFamily
	date := k.Role == normalize.RoleBirthDate
	switch k.Transform {
	case Soundex, Metaphone, NYSIIS:
		return name
	case EitherSoundex:
		return k.Role == normalize.RoleGiven || k.Role == normalize.RoleFamily
	case Year, MonthDay, MonthDaySet, DateSet:
		return date
	}
	if date {
		return k.Transform == Whole || k.Transform == First
	}
	if _, ok := k.Role.ExtraName(); ok {
		return true
	}
	for _, r := range normalize.Roles() {
		if r == k.Role {
			// Full and other names are parsed into the name roles; an entry date only judges
			// the birth date (normalize.BornOnEntry), and the table keeps none.
			return k.Role != normalize.RoleOtherNames && k.Role != normalize.RoleFullName && k.Role != normalize.RoleEntryDate
		}
	}
	return false
}

// fourDigits holds "0000" to "9999": a birth date's year, and its month and day, as key
// values without a string made for each record.
var fourDigits = func() *[10000]string {
	var t [10000]string
	for n := range t {
		t[n] = string([]byte{byte('0' + n/1000), byte('0' + n/100%10), byte('0' + n/10%10), byte('0' + n%10)})
	}
	return &t
}()

// maxValuesPerKey bounds the values one key feature gives a record (tokens of a very long
// compound name), so that a rule's keys per record stay few.
const maxValuesPerKey = 4

// values appends the values of key k for record i; none when the feature is missing.
func (k Key) values(dst []string, t *normalize.Table, i int) []string {
	if k.Transform == EitherSoundex {
		dst = appendNonEmpty(dst, t.Given[i].Soundex)
		if f := t.Family[i].Soundex; f != t.Given[i].Soundex {
			dst = appendNonEmpty(dst, f)
		}
		return dst
	}
	switch k.Role {
	case normalize.RoleGiven, normalize.RoleMiddle, normalize.RoleFamily:
		var p *normalize.NamePart
		switch k.Role {
		case normalize.RoleGiven:
			p = t.Given[i]
		case normalize.RoleMiddle:
			p = t.Middle[i]
		default:
			p = t.Family[i]
		}
		if p.Empty() {
			return dst
		}
		switch k.Transform {
		case Soundex:
			return appendNonEmpty(dst, p.Soundex)
		case NYSIIS:
			return appendNonEmpty(dst, p.NYSIIS)
		case Metaphone:
			dst = appendNonEmpty(dst, p.Metaphone)
			if p.MetaphoneAlt != p.Metaphone {
				dst = appendNonEmpty(dst, p.MetaphoneAlt)
			}
			return dst
		case Tokens:
			for n, tok := range p.Tokens {
				if n == maxValuesPerKey {
					break
				}
				dst = append(dst, tok)
			}
			return dst
		}
		return appendNonEmpty(dst, cut(p.Key, k))
	case normalize.RoleBirthDate:
		d := t.BirthDate[i]
		if d.IsZero() {
			if y := t.BirthYear(i); k.Transform == Year && y > 0 && y <= 9999 {
				return append(dst, fourDigits[y]) // "2012" or "1997-21-25": the year stands
			}
			return dst
		}
		y, m, day := min(max(int(d.Year), 0), 9999), int(d.Month%100), int(d.Day%100)
		switch k.Transform {
		case Year:
			return append(dst, fourDigits[y])
		case MonthDay:
			return append(dst, fourDigits[m*100+day])
		case MonthDaySet:
			return append(dst, fourDigits[min(m, day)*100+max(m, day)])
		case DateSet:
			return append(dst, fourDigits[y]+fourDigits[min(m, day)*100+max(m, day)])
		}
		digits := d.Digits()
		return append(dst, cut(string(digits[:]), k))
	}
	v, code := plainValue(k.Role, t, i)
	switch {
	case v == nil:
		return appendNonEmpty(dst, cut(code, k)) // a code is its one token
	case k.Transform == Tokens:
		for n, tok := range v.Tokens {
			if n == maxValuesPerKey {
				break
			}
			dst = append(dst, tok)
		}
		return dst
	}
	return appendNonEmpty(dst, cut(v.Key, k))
}

// plainValue reads a role that is not a name or a date: as Text for addresses, cities
// and extra columns, as a code ("" when missing) for the rest, which a key uses whole
// (without allocating a Text per record and key).
func plainValue(role normalize.Role, t *normalize.Table, i int) (*normalize.Text, string) {
	var s string
	switch role {
	case normalize.RoleAddress:
		return &t.Address[i], ""
	case normalize.RoleCity:
		return &t.City[i], ""
	case normalize.RoleSSID:
		s = t.SSID[i]
	case normalize.RoleLocalID:
		s = t.LocalID[i]
	case normalize.RoleZip:
		s = t.Zip[i]
	case normalize.RoleLEA:
		s = t.LEA[i]
	case normalize.RoleSchool:
		s = t.School[i]
	case normalize.RoleEmail:
		s = t.Email[i]
	case normalize.RolePhone:
		s = t.Phone[i]
	case normalize.RoleSuffix:
		s = t.Suffix[i]
	case normalize.RoleSex:
		if t.Sex[i] != normalize.SexUnknown {
			s = t.Sex[i].String()
		}
	case normalize.RoleGrade:
		s = t.Grade[i].String()
	default:
		if name, ok := role.ExtraName(); ok {
			for k, n := range t.ExtraNames {
				if n == name {
					return &t.Extra[k][i], ""
				}
			}
		}
		return nil, ""
	}
	return nil, s
}

func appendNonEmpty(dst []string, v string) []string {
	if v == "" {
		return dst
	}
	return append(dst, v)
}

// cut applies First and Initial to a value, by characters.
func cut(v string, k Key) string {
	n := 0
	switch k.Transform {
	case First:
		n = k.N
	case Initial:
		n = 1
	default:
		return v
	}
	count := 0
	for i := range v {
		if count == n {
			return v[:i]
		}
		count++
	}
	return v
}

var seed = maphash.MakeSeed()

// AppendKeys appends the hashed keys of record i under the rule: one per combination of
// its key features' values (none when a feature is missing, and none for a Nearest
// rule). Keys are comparable across
// tables within one process run.
func (r Rule) AppendKeys(dst []uint64, t *normalize.Table, i int) []uint64 {
	if len(r.Keys) == 0 {
		return dst // a Nearest rule pairs by similarity, not by keys
	}
	var buf [maxValuesPerKey * 4]string
	start := len(dst)
	dst = r.appendCombos(dst, t, i, buf[:0])
	return dedupeTail(dst, start)
}

// maxCombos bounds the keys one rule gives a record.
const maxCombos = 16

// appendCombos hashes every combination of the key features' values, up to maxCombos.
func (r Rule) appendCombos(dst []uint64, t *normalize.Table, i int, scratch []string) []uint64 {
	var offs [9]int
	if len(r.Keys) > len(offs)-1 {
		return dst
	}
	first := len(dst)
	for n, k := range r.Keys {
		offs[n] = len(scratch)
		scratch = k.values(scratch, t, i)
		if len(scratch) == offs[n] {
			return dst // a missing feature: no key
		}
	}
	offs[len(r.Keys)] = len(scratch)
	var idx [8]int
	for {
		var h maphash.Hash
		h.SetSeed(seed)
		for n := range r.Keys {
			h.WriteString(scratch[offs[n]+idx[n]])
			h.WriteByte(0)
		}
		dst = append(dst, h.Sum64())
		// Next combination.
		n := len(r.Keys) - 1
		for n >= 0 {
			idx[n]++
			if offs[n]+idx[n] < offs[n+1] {
				break
			}
			idx[n] = 0
			n--
		}
		if n < 0 || len(dst)-first >= maxCombos {
			return dst
		}
	}
}

// dedupeTail sorts dst[start:] and removes duplicates.
func dedupeTail(dst []uint64, start int) []uint64 {
	tail := dst[start:]
	for a := 1; a < len(tail); a++ {
		for b := a; b > 0 && tail[b] < tail[b-1]; b-- {
			tail[b], tail[b-1] = tail[b-1], tail[b]
		}
	}
	out := start
	for n, k := range tail {
		if n == 0 || k != tail[n-1] {
			dst[out] = k
			out++
		}
	}
	return dst[:out]
}

// describe returns the readable key of record i whose hash is h, for reports.
func (r Rule) describe(t *normalize.Table, i int, h uint64) string {
	var parts [][]string
	for _, k := range r.Keys {
		parts = append(parts, k.values(nil, t, i))
	}
	var walk func(n int, acc []string) string
	walk = func(n int, acc []string) string {
		if n == len(parts) {
			var mh maphash.Hash
			mh.SetSeed(seed)
			for _, v := range acc {
				mh.WriteString(v)
				mh.WriteByte(0)
			}
			if mh.Sum64() == h {
				return strings.Join(acc, "|")
			}
			return ""
		}
		for _, v := range parts[n] {
			if s := walk(n+1, append(acc, v)); s != "" {
				return s
			}
		}
		return ""
	}
	return walk(0, nil)
}
