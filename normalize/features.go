package normalize

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/studentlink/studentlink/internal/sorted"
)

// This file defines the prepared form of records that packages block, score and match
// read. Fields may be added; existing fields keep their meaning.

// Text is a free-text value prepared for comparison.
type Text struct {
	// Folded is the value case-folded with accents removed, letters such as ø, ß and æ
	// spelled in ASCII where a convention exists, apostrophes dropped, other punctuation
	// turned into spaces and runs of spaces collapsed: "García-López" → "garcia lopez".
	Folded string
	// Key is Folded without spaces, the form in which "O'Brien", "OBrien" and "O Brien"
	// agree.
	Key string
	// Tokens are the space-separated words of Folded; nil when Folded is empty.
	Tokens []string
	// Runes holds Key as runes when Key is not pure ASCII, so that metrics can work by
	// character without decoding in the pair loop; nil when Key is ASCII.
	Runes []rune
	// Positions records where each letter of Key occurs, for a Key of 1 to 32 letters
	// a–z in a name part (NewNamePart; the Preparer shares one among the records with the
	// same name); nil otherwise. Metrics read it instead of indexing the key each time.
	Positions *LetterPositions
}

// LetterPositions records where each letter of a key of letters a–z occurs: bit j of
// entry c&31 is set when byte j of the key is c.
type LetterPositions [32]uint32

// NewLetterPositions returns the positions of the letters of key, or nil when key is
// empty, longer than 32 bytes or holds anything but the letters a–z.
func NewLetterPositions(key string) *LetterPositions {
	if len(key) == 0 || len(key) > 32 {
		return nil
	}
	var p LetterPositions
	for j := 0; j < len(key); j++ {
		c := key[j]
		if c < 'a' || c > 'z' {
			return nil
		}
		p[c&31] |= 1 << j
	}
	return &p
}

// Empty reports whether the value is missing.
func (t Text) Empty() bool { return t.Key == "" }

// ASCII reports whether Key is pure ASCII (and so Runes is nil).
func (t Text) ASCII() bool { return t.Runes == nil }

// NamePart is a prepared given, middle or family name.
type NamePart struct {
	Text
	// Metaphone and MetaphoneAlt are the primary and alternate Double Metaphone codes of
	// Key; MetaphoneAlt equals Metaphone when the name has a single reading.
	Metaphone, MetaphoneAlt string
	// NYSIIS and Soundex are the NYSIIS and Soundex codes of Key.
	NYSIIS, Soundex string
	// Nicknames holds the sorted ids of the nickname groups Key belongs to; nil when it
	// belongs to none. Set for given, middle and other given names.
	Nicknames []uint32
	// LaterNicknames holds, for a compound name ("Ana Gabriela"), the sorted ids of the
	// nickname groups of its later words, one of which may be the name used (Gaby).
	LaterNicknames []uint32
	// FirstNicknames holds, for a compound name, the nickname groups of its first word,
	// which may be the name abbreviated (Ma. Guadalupe for María Guadalupe).
	FirstNicknames []uint32
}

// Joins reports whether p's key is q's and m's keys written together (Maryann: Mary and
// Ann; María José: María and José), both q and m present.
func (p *NamePart) Joins(q, m *NamePart) bool {
	n := len(q.Key)
	return n > 0 && len(m.Key) > 0 && len(p.Key) == n+len(m.Key) && p.Key[:n] == q.Key && p.Key[n:] == m.Key
}

// SharesWord reports whether p and q have a word of two letters or more in common.
func (p *NamePart) SharesWord(q *NamePart) bool {
	return slices.ContainsFunc(p.Tokens, func(w string) bool { return len(w) > 1 && slices.Contains(q.Tokens, w) })
}

// SoundsLike reports whether p and q share a Double Metaphone code (Steven and Stephen,
// Aiden and Aidan; not Mason and Jason). An initial or a name without letters sounds like
// nothing.
func (p *NamePart) SoundsLike(q *NamePart) bool {
	return p.Metaphone != "" && (p.Metaphone == q.Metaphone || p.Metaphone == q.MetaphoneAlt ||
		p.MetaphoneAlt == q.Metaphone || p.MetaphoneAlt == q.MetaphoneAlt)
}

// SameNicknameGroup reports whether two sorted group-id lists share an id.
func SameNicknameGroup(a, b []uint32) bool { return sorted.Intersect(a, b) }

// Record holds one input record's raw values by role, as a source submitted them.
type Record struct {
	Given, Middle, Family, Suffix string
	// FullName is parsed (see ParseName) when Given and Family are both empty.
	FullName string
	// FamilyFirst reads a FullName without a comma family name first
	// (ParseNameFamilyFirst): for a record whose source's column says so (LastFirst).
	FamilyFirst bool
	// OtherNames are aliases, previous legal names or preferred names, each a full name
	// in any form ParseName accepts.
	OtherNames []string
	BirthDate  string
	// DayFirst reads an ambiguous BirthDate (03/04/2010) as 3 April, as
	// Options.Dates.DayFirst does for every record: for a record whose source writes
	// dates day first (see DateOrderCount).
	DayFirst bool
	Sex      string
	SSID     string
	LocalID  string
	Grade    string
	Address  string
	City     string
	Zip      string
	LEA      string
	School   string
	// Email and Phone are an e-mail address and a telephone number (the student's or a
	// guardian's): see CleanEmail and CleanPhone.
	Email string
	Phone string
	// EntryDate is the day the student entered the school the record is from: Fill
	// reads it only to judge BirthDate, which cannot be that day (BornOnEntry).
	EntryDate string
	// Extra holds caller-defined columns in the order the caller declares them.
	Extra []string
}

// Table stores prepared features column by column: element i of every column belongs to
// record i. Missing values are zero values (an empty Text, a zero Date, SexUnknown, …).
type Table struct {
	// Given, Middle and Family point at prepared name parts, which are never changed
	// once made: records with the same name share one (a roll of a million records has
	// tens of thousands of distinct names). A missing name is a NamePart whose Empty
	// reports true, never nil.
	Given, Middle, Family []*NamePart
	// Suffix holds generational suffixes as lower-case codes: "jr", "sr", "ii", "iii", "iv"…
	Suffix []string
	// OtherGiven and OtherFamily hold the given and family parts of Record.OtherNames.
	OtherGiven, OtherFamily [][]NamePart
	BirthDate               []Date
	// WrittenBirthDate holds the numbers of a birth date that names no day (month 21, 31
	// April) as written, BirthDate being zero: a typo that made the date impossible still
	// leaves digits to compare. Zero otherwise.
	WrittenBirthDate []Date
	Sex              []Sex
	// SSID and LocalID hold identifiers as CleanID returns them; "" when missing or
	// not an identifier.
	SSID, LocalID []string
	Grade         []Grade
	// ClassOf holds ClassOf of the record's grade and entry date as its year's digits
	// ("2029"), "" when it cannot tell: a value compared like any other.
	ClassOf       []string
	Address, City []Text
	// Zip holds the first five digits of a US ZIP code (or the digits of another postcode).
	Zip         []string
	LEA, School []string
	// Email holds e-mail addresses as CleanEmail returns them, Phone telephone numbers'
	// digits as CleanPhone does; "" when missing, not an address or number, or a
	// placeholder. Either may be a parent's, which siblings share.
	Email, Phone []string
	// Extra[k][i] is extra column k of record i; ExtraNames[k] names it (see ExtraRole).
	Extra      [][]Text
	ExtraNames []string
}

// noName is the missing name every empty row points at.
var noName = &NamePart{}

// NewTable returns a table with n records, all values missing, and extras extra columns.
// Rows are then filled with Preparer.Fill. Callers naming extra columns set ExtraNames.
func NewTable(n, extras int) *Table {
	var t *Table
	if n == 1 {
		t = newRow()
	} else {
		t = &Table{}
		t.Grow(n)
	}
	t.Extra = make([][]Text, extras)
	for k := range t.Extra {
		t.Extra[k] = make([]Text, n)
	}
	return t
}

// oneRow holds the columns of a one-record table in one allocation: the table a query
// is prepared in, one per search of a service.
type oneRow struct {
	table                       Table
	given, middle, family       [1]*NamePart
	suffix, ssid, localID, zip  [1]string
	classOf                     [1]string
	lea, school                 [1]string
	email, phone                [1]string
	otherGiven, otherFamily     [1][]NamePart
	birthDate, writtenBirthDate [1]Date
	sex                         [1]Sex
	grade                       [1]Grade
	address, city               [1]Text
}

// newRow returns a one-record table, its values missing (see Grow).
func newRow() *Table {
	r := &oneRow{given: [1]*NamePart{noName}, middle: [1]*NamePart{noName}, family: [1]*NamePart{noName}}
	r.table = Table{
		Given: r.given[:], Middle: r.middle[:], Family: r.family[:], Suffix: r.suffix[:],
		OtherGiven: r.otherGiven[:], OtherFamily: r.otherFamily[:],
		BirthDate: r.birthDate[:], WrittenBirthDate: r.writtenBirthDate[:], Sex: r.sex[:],
		SSID: r.ssid[:], LocalID: r.localID[:], Grade: r.grade[:], ClassOf: r.classOf[:],
		Address: r.address[:], City: r.city[:], Zip: r.zip[:], LEA: r.lea[:], School: r.school[:],
		Email: r.email[:], Phone: r.phone[:],
	}
	return &r.table
}

// Len returns the number of records in the table.
func (t *Table) Len() int { return len(t.BirthDate) }

// BirthYear returns record i's birth year: its BirthDate's, or where that is missing the
// year of a WrittenBirthDate that names no day ("2012", "March 2012"); 0 when neither. A
// date no calendar has ("1941-02-95") gives none: its digits are compared, but which of
// them is wrong cannot be told.
func (t *Table) BirthYear(i int) int {
	if y := t.BirthDate[i].Year; y != 0 {
		return int(y)
	}
	if w := t.WrittenBirthDate[i]; w.Partial() {
		return int(w.Year)
	}
	return 0
}

// Grow appends n rows of missing values and returns the index of the first new row.
func (t *Table) Grow(n int) int {
	first := t.Len()
	t.Given, t.Middle, t.Family = slices.Grow(t.Given, n), slices.Grow(t.Middle, n), slices.Grow(t.Family, n)
	for range n {
		t.Given = append(t.Given, noName)
		t.Middle = append(t.Middle, noName)
		t.Family = append(t.Family, noName)
	}
	t.Suffix = append(t.Suffix, make([]string, n)...)
	t.OtherGiven = append(t.OtherGiven, make([][]NamePart, n)...)
	t.OtherFamily = append(t.OtherFamily, make([][]NamePart, n)...)
	t.BirthDate = append(t.BirthDate, make([]Date, n)...)
	t.WrittenBirthDate = append(t.WrittenBirthDate, make([]Date, n)...)
	t.Sex = append(t.Sex, make([]Sex, n)...)
	t.SSID = append(t.SSID, make([]string, n)...)
	t.LocalID = append(t.LocalID, make([]string, n)...)
	t.Grade = append(t.Grade, make([]Grade, n)...)
	t.ClassOf = append(t.ClassOf, make([]string, n)...)
	t.Address = append(t.Address, make([]Text, n)...)
	t.City = append(t.City, make([]Text, n)...)
	t.Zip = append(t.Zip, make([]string, n)...)
	t.LEA = append(t.LEA, make([]string, n)...)
	t.School = append(t.School, make([]string, n)...)
	t.Email = append(t.Email, make([]string, n)...)
	t.Phone = append(t.Phone, make([]string, n)...)
	for k := range t.Extra {
		t.Extra[k] = append(t.Extra[k], make([]Text, n)...)
	}
	return first
}

// FieldError reports a value that could not be prepared; the value is treated as missing.
type FieldError struct {
	Field string // the role or extra column, e.g. "birth_date"
	Value string // the raw value, as submitted
	Err   error
}

func (e *FieldError) Error() string {
	return e.Field + " " + QuoteValue(e.Value) + ": " + e.Err.Error()
}

func (e *FieldError) Unwrap() error { return e.Err }

// QuoteValue quotes a value for a message, cutting one longer than 64 bytes short (on a
// whole rune, with "…").
func QuoteValue(s string) string {
	const max = 64
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut] + "…")
	}
	return strconv.Quote(s)
}

// missingMarkers are the words exports write for a missing value, folded.
var missingMarkers = map[string]bool{
	"na": true, "n/a": true, "#n/a": true, "null": true, "(null)": true, "<na>": true,
	"none": true, "unknown": true, "-": true, "--": true, "?": true,
	// Names not known, as US agencies write them: first name unknown, last name
	// unknown, no first, last or middle name.
	"fnu": true, "lnu": true, "nfn": true, "nln": true, "nmn": true,
}

// IsMissingMarker reports whether a value is a word that exports write for a missing
// value: NA (R), N/A and #N/A (spreadsheets), NULL and (null) (databases), None and <NA>
// (Python), Unknown, "-" or "?", and the names agencies write for a name not known (FNU,
// LNU, NFN, NLN, NMN), in any case and with spaces around. Fill prepares such a
// value as missing, neither a name nor a date that failed to parse. NaN is not one: Nan
// is a given name (Ann's, Hannah's).
func IsMissingMarker(s string) bool {
	return s != "" && markerStart[s[0]] && isMissingMarker(s) // most values fail the first byte
}

func isMissingMarker(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) == 0 || len(s) > len("unknown") {
		return false
	}
	var buf [8]byte
	for k := 0; k < len(s); k++ {
		c := s[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[k] = c
	}
	return missingMarkers[string(buf[:len(s)])]
}

// markerStart marks the bytes a missing-value marker can start with: the first bytes of
// missingMarkers in either case, and those of white space.
var markerStart = func() (t [256]bool) {
	for m := range missingMarkers {
		t[m[0]] = true
		t[strings.ToUpper(m[:1])[0]] = true
	}
	for _, c := range []byte(" \t\n\v\f\r") {
		t[c] = true
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = true // a Unicode space, for TrimSpace to judge
	}
	return t
}()

// blankMissingMarkers blanks every value of r that IsMissingMarker.
func (r *Record) blankMissingMarkers() {
	for _, v := range []*string{&r.Given, &r.Middle, &r.Family, &r.Suffix, &r.FullName, &r.BirthDate,
		&r.Sex, &r.SSID, &r.LocalID, &r.Grade, &r.Address, &r.City, &r.Zip, &r.LEA, &r.School, &r.Email, &r.Phone,
		&r.EntryDate} {
		if IsMissingMarker(*v) {
			*v = ""
		}
	}
	r.OtherNames = blankMarkers(r.OtherNames)
	r.Extra = blankMarkers(r.Extra)
}

// blankMarkers returns values with the missing markers blanked, copied only when one is.
func blankMarkers(values []string) []string {
	k := slices.IndexFunc(values, IsMissingMarker)
	if k < 0 {
		return values
	}
	values = slices.Clone(values)
	for ; k < len(values); k++ {
		if IsMissingMarker(values[k]) {
			values[k] = ""
		}
	}
	return values
}
