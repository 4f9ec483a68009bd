// Package synth generates synthetic state student rolls with known truth: students who
// move between LEAs over the school years, each submission carrying the errors districts
// really make, at rates a caller can set. The same Config (seed included) gives the same
// bytes.
package synth

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/studentlink/studentlink/normalize"
)

// Rates are per-record probabilities of each kind of error (or, for the hard negatives,
// per-student probabilities).
type Rates struct {
	Typo             float64 `json:"typo"`              // one edit in the given or family name
	Nickname         float64 `json:"nickname"`          // given name replaced by a nickname
	DropAccents      float64 `json:"drop_accents"`      // accents of an accented name dropped
	AddAccent        float64 `json:"add_accent"`        // an accent added to an unaccented vowel
	UpperCase        float64 `json:"upper_case"`        // names in capitals
	ExtraSpaces      float64 `json:"extra_spaces"`      // spaces doubled or added at the ends
	CompoundPart     float64 `json:"compound_part"`     // one part of a compound family name
	CompoundJoined   float64 `json:"compound_joined"`   // compound family name without space or hyphen
	MiddleAsGiven    float64 `json:"middle_as_given"`   // the middle name used as the given name
	MiddleDropped    float64 `json:"middle_dropped"`    // the middle name left out
	MiddleInitial    float64 `json:"middle_initial"`    // the middle name cut to its initial
	NameSwap         float64 `json:"name_swap"`         // given and family swapped
	SuffixInFamily   float64 `json:"suffix_in_family"`  // "Smith Jr" in the family name
	SuffixDropped    float64 `json:"suffix_dropped"`    // the suffix left out
	DateSwap         float64 `json:"date_swap"`         // day and month swapped
	DateOffDay       float64 `json:"date_off_day"`      // birth date a day off
	DateOffYear      float64 `json:"date_off_year"`     // birth date a year off
	OtherDateFormat  float64 `json:"other_date_format"` // a format other than the LEA's own
	SSIDMissing      float64 `json:"ssid_missing"`      // no SSID
	SSIDTypo         float64 `json:"ssid_typo"`         // one digit wrong or two swapped
	SSIDOther        float64 `json:"ssid_other"`        // another student's SSID
	AddressMoves     float64 `json:"address_moves"`     // a new address when the student moves LEA
	Twins            float64 `json:"twins"`             // per student: has a twin
	Siblings         float64 `json:"siblings"`          // per student: has a younger sibling
	ExtraSubmissions float64 `json:"extra_submissions"` // per record: the student moves again
	SameLEADuplicate float64 `json:"same_lea_duplicate"`
	// Values an LEA left out of one record. They are 0 by default, and a rate of 0 draws
	// nothing, so the default rolls are the same with or without them.
	GivenMissing     float64 `json:"given_missing"`      // no given name
	BirthDateMissing float64 `json:"birth_date_missing"` // no birth date
	AddressMissing   float64 `json:"address_missing"`    // no street address (city and zip kept)
	// Per pair of twins: given names alike in spelling (Mason and Jason, Hailey and Bailey:
	// Jaro–Winkler ≥ 0.85, from a list of such names given to twins); and SSIDs
	// issued together (numbers 1 apart). 0 by default, drawing nothing.
	TwinsAlikeNames float64 `json:"twins_alike_names"`
	TwinsSSIDsNear  float64 `json:"twins_ssids_near"`
}

// Config configures a roll.
type Config struct {
	Seed uint64 `json:"seed"`
	// Students is the number of students before twins and siblings are added; a roll has
	// about 1.6 records per student with the default rates.
	Students int `json:"students"`
	// Records, when positive, overrides Students: students are generated until the roll
	// has exactly this many records (the last student may lose a submission).
	Records int `json:"records,omitempty"`
	LEAs    int `json:"leas"`
	// SchoolsPerLEA and the school years span the enrollments.
	SchoolsPerLEA int   `json:"schools_per_lea"`
	FirstYear     int   `json:"first_year"`
	Years         int   `json:"years"`
	Rates         Rates `json:"rates"`
	// SSIDsDense issues students' SSIDs in sequence from 1000000000, as a state that
	// numbers every child in turn does, so that each SSID has students a digit away;
	// false draws them at random from 9·10^9 numbers (the default).
	SSIDsDense bool `json:"ssids_dense,omitempty"`
}

// DefaultRates are error rates in the range state data stewards report.
func DefaultRates() Rates {
	return Rates{
		Typo: 0.06, Nickname: 0.05, DropAccents: 0.35, AddAccent: 0.01, UpperCase: 0.2, ExtraSpaces: 0.03,
		CompoundPart: 0.3, CompoundJoined: 0.1, MiddleAsGiven: 0.02, MiddleDropped: 0.3, MiddleInitial: 0.15,
		NameSwap: 0.01, SuffixInFamily: 0.3, SuffixDropped: 0.2,
		DateSwap: 0.02, DateOffDay: 0.01, DateOffYear: 0.005, OtherDateFormat: 0.1,
		SSIDMissing: 0.08, SSIDTypo: 0.01, SSIDOther: 0.002, AddressMoves: 0.6,
		Twins: 0.015, Siblings: 0.15, ExtraSubmissions: 0.4, SameLEADuplicate: 0.03,
	}
}

// DefaultConfig returns a roll of the given number of students over 8 LEAs.
func DefaultConfig(students int) Config {
	return Config{Seed: 1, Students: students, LEAs: 8, SchoolsPerLEA: 6, FirstYear: 2019, Years: 6, Rates: DefaultRates()}
}

// Header is the student CSV header.
var Header = []string{"record_id", "lea_id", "school_id", "ssid", "first_name", "middle_name", "last_name",
	"suffix", "birth_date", "sex", "grade_level", "address", "city", "zip", "entry_date"}

// Record is one submission, in the student CSV's columns.
type Record struct {
	ID, LEA, School, SSID, First, Middle, Last, Suffix, BirthDate, Sex, Grade, Address, City, Zip, EntryDate string
	// Student is the true student (0-based), never written to the roll.
	Student int32
}

// Fields returns the record's values in Header order.
func (r *Record) Fields() []string {
	return []string{r.ID, r.LEA, r.School, r.SSID, r.First, r.Middle, r.Last, r.Suffix, r.BirthDate, r.Sex,
		r.Grade, r.Address, r.City, r.Zip, r.EntryDate}
}

// Roll is a generated roll.
type Roll struct {
	Records []Record
	// Students is the number of true students.
	Students int
}

// student is the truth about one child.
type student struct {
	given, middle, family, suffix string
	female                        bool
	birth                         normalize.Date
	ssid                          string
	address, city                 string
	zip                           int
	origin                        int
}

// Validate reports a configuration that cannot generate a roll.
func (c Config) Validate() error {
	switch {
	case c.Students < 1 && c.Records < 1:
		return errors.New("synth: need at least one student or record")
	case c.LEAs < 1 || c.SchoolsPerLEA < 1 || c.Years < 1:
		return errors.New("synth: need at least one LEA, school and year")
	}
	return nil
}

// Generate builds a roll.
func Generate(c Config) (*Roll, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Records > 0 {
		// About 1.45 records per student with the default rates; the surplus is dropped.
		c.Students = c.Records*10/12 + 1
	}
	g := newGen(c)
	students := g.students()
	roll := &Roll{Students: len(students)}
	for s := range students {
		g.submissions(&roll.Records, int32(s), &students[s])
		if c.Records > 0 && len(roll.Records) >= c.Records {
			roll.Records = roll.Records[:c.Records]
			roll.Students = s + 1
			break
		}
	}
	if c.Records > 0 && len(roll.Records) < c.Records {
		return nil, fmt.Errorf("synth: %d students made only %d of %d records; raise ExtraSubmissions or set Students", len(students), len(roll.Records), c.Records)
	}
	// Shuffle, then number: a record ID says nothing about its student.
	g.rng.Shuffle(len(roll.Records), func(i, j int) { roll.Records[i], roll.Records[j] = roll.Records[j], roll.Records[i] })
	width := len(strconv.Itoa(len(roll.Records)))
	for i := range roll.Records {
		roll.Records[i].ID = fmt.Sprintf("R%0*d", width, i+1)
	}
	return roll, nil
}

type gen struct {
	c     Config
	rng   *rand.Rand
	nick  *normalize.Nicknames
	ssids map[string]bool
	// issued counts the SSIDs issued in sequence (Config.SSIDsDense).
	issued int64
	// cumulative weights
	originCum []int
}

func newGen(c Config) *gen {
	g := &gen{c: c, rng: rand.New(rand.NewPCG(c.Seed, 0x57d1)), nick: normalize.DefaultNicknames(), ssids: map[string]bool{}}
	total := 0
	for _, o := range origins {
		total += o.share
		g.originCum = append(g.originCum, total)
	}
	return g
}

func (g *gen) chance(p float64) bool { return p > 0 && g.rng.Float64() < p }

func (g *gen) pick(list []weighted) string {
	total := 0
	for _, w := range list {
		total += w.weight
	}
	n := g.rng.IntN(total)
	for _, w := range list {
		if n < w.weight {
			return w.name
		}
		n -= w.weight
	}
	return list[len(list)-1].name
}

func (g *gen) newSSID() string {
	for {
		n := g.rng.Int64N(9_000_000_000) // drawn either way: a dense roll has the same students
		if g.c.SSIDsDense {
			n = g.issued
			g.issued++
		}
		s := strconv.FormatInt(1_000_000_000+n, 10)
		if !g.ssids[s] {
			g.ssids[s] = true
			return s
		}
	}
}

func (g *gen) students() []student {
	var out []student
	for len(out) < g.c.Students {
		s := g.newStudent()
		out = append(out, s)
		if g.chance(g.c.Rates.Twins) {
			t := s
			for t.given == s.given || normalize.Fold(t.given) == normalize.Fold(s.given) {
				t.female = g.rng.IntN(2) == 0
				t.given, t.middle = g.givenName(t.origin, t.female), g.givenName(t.origin, t.female)
			}
			if g.chance(g.c.Rates.TwinsAlikeNames) {
				pair := g.alikeTwinNames(s.female)
				out[len(out)-1].given, t.given, t.female = pair[0], pair[1], s.female
			}
			t.suffix = ""
			t.ssid = g.newSSID()
			if g.chance(g.c.Rates.TwinsSSIDsNear) {
				t.ssid = g.nextSSID(s.ssid)
			}
			out = append(out, t)
		}
		if g.chance(g.c.Rates.Siblings) {
			t := s
			t.female = g.rng.IntN(2) == 0
			t.given, t.middle, t.suffix = g.givenName(t.origin, t.female), g.givenName(t.origin, t.female), ""
			t.birth = t.birth.AddDays(400 + g.rng.IntN(2000))
			t.ssid = g.newSSID()
			out = append(out, t)
		}
	}
	return out
}

// alikeTwinNames draws a pair of given names of one sex alike in spelling (Jaro–Winkler
// ≥ 0.85): names parents give twins, which the origins' lists seldom hold.
func (g *gen) alikeTwinNames(female bool) [2]string {
	list := alikeMale
	if female {
		list = alikeFemale
	}
	p := list[g.rng.IntN(len(list))]
	if g.rng.IntN(2) == 0 {
		p[0], p[1] = p[1], p[0]
	}
	return p
}

// nextSSID returns the SSID after ssid (as a number), or the one before when that is
// taken, or a new one: a twin's, issued with the other's.
func (g *gen) nextSSID(ssid string) string {
	n, err := strconv.Atoi(ssid)
	if err != nil {
		return g.newSSID()
	}
	for _, c := range []string{strconv.Itoa(n + 1), strconv.Itoa(n - 1)} {
		if !g.ssids[c] {
			g.ssids[c] = true
			return c
		}
	}
	return g.newSSID()
}

func (g *gen) givenName(origin int, female bool) string {
	o := &origins[origin]
	if female {
		return g.pick(o.female)
	}
	return g.pick(o.male)
}

func (g *gen) newStudent() student {
	n := g.rng.IntN(g.originCum[len(g.originCum)-1])
	oi := 0
	for n >= g.originCum[oi] {
		oi++
	}
	o := &origins[oi]
	s := student{origin: oi, female: g.rng.IntN(2) == 0}
	s.given = g.givenName(oi, s.female)
	if g.chance(0.7) {
		s.middle = g.givenName(oi, s.female)
	}
	s.family = g.pick(o.family)
	if g.chance(o.compound) {
		second := g.pick(o.family)
		if second != s.family {
			sep := "-"
			if g.chance(0.5) {
				sep = " "
			}
			s.family += sep + second
		}
	}
	if !s.female && oi == 0 && g.chance(0.03) {
		s.suffix = []string{"Jr", "II", "III", "Sr"}[g.rng.IntN(4)]
	}
	// Students in kindergarten to grade 12 in the first school year.
	year := g.c.FirstYear - 5 - g.rng.IntN(13)
	s.birth = normalize.DateFromDayNumber(normalize.Date{Year: int16(year), Month: 1, Day: 1}.DayNumber() + int32(g.rng.IntN(365)))
	s.ssid = g.newSSID()
	g.newAddress(&s)
	return s
}

func (g *gen) newAddress(s *student) {
	city := cities[g.rng.IntN(len(cities))]
	s.address = fmt.Sprintf("%d %s", 1+g.rng.IntN(9999), streets[g.rng.IntN(len(streets))])
	s.city, s.zip = city.name, city.zip+g.rng.IntN(20)
}

// dateFormats are the formats districts send; each LEA has its own.
var dateFormats = []func(d normalize.Date) string{
	func(d normalize.Date) string { return d.String() },
	func(d normalize.Date) string { return fmt.Sprintf("%02d/%02d/%04d", d.Month, d.Day, d.Year) },
	func(d normalize.Date) string { return fmt.Sprintf("%d/%d/%d", d.Month, d.Day, d.Year) },
	func(d normalize.Date) string { return fmt.Sprintf("%04d%02d%02d", d.Year, d.Month, d.Day) },
	func(d normalize.Date) string { return fmt.Sprintf("%s %d, %d", monthAbbr[d.Month], d.Day, d.Year) },
	func(d normalize.Date) string { return d.String() + "T00:00:00" },
}

var monthAbbr = [...]string{"", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// submissions appends the student's records: one per enrollment as they move.
func (g *gen) submissions(out *[]Record, id int32, s *student) {
	c := g.c
	// Enrolled from the first school year until grade 12 (age about 17), never after.
	lastYear := min(c.FirstYear+c.Years-1, int(s.birth.Year)+17)
	lastYear = max(lastYear, c.FirstYear)
	year := c.FirstYear + g.rng.IntN(lastYear-c.FirstYear+1)
	lea := g.rng.IntN(c.LEAs)
	for {
		*out = append(*out, g.record(id, s, lea, year))
		if g.chance(c.Rates.SameLEADuplicate) {
			*out = append(*out, g.record(id, s, lea, year))
		}
		if !g.chance(c.Rates.ExtraSubmissions) {
			return
		}
		year += 1 + g.rng.IntN(2)
		if year > lastYear {
			return
		}
		if c.LEAs > 1 {
			lea = (lea + 1 + g.rng.IntN(c.LEAs-1)) % c.LEAs
		}
		if g.chance(c.Rates.AddressMoves) {
			g.newAddress(s)
		}
	}
}

func (g *gen) record(id int32, s *student, lea, year int) Record {
	r := Record{Student: id, LEA: fmt.Sprintf("%02d", lea+1)}
	rt := &g.c.Rates
	r.School = fmt.Sprintf("%02d%03d", lea+1, 1+g.rng.IntN(g.c.SchoolsPerLEA))
	r.EntryDate = fmt.Sprintf("%d-08-%02d", year, 15+g.rng.IntN(10))
	given, middle, family, suffix := s.given, s.middle, s.family, s.suffix
	if g.chance(rt.Nickname) {
		given = g.nickname(given)
	}
	if middle != "" {
		switch {
		case g.chance(rt.MiddleAsGiven):
			given, middle = middle, ""
		case g.chance(rt.MiddleDropped):
			middle = ""
		case g.chance(rt.MiddleInitial):
			first, _ := utf8.DecodeRuneInString(middle)
			middle = string(first)
		}
	}
	if strings.ContainsAny(family, " -") {
		parts := strings.FieldsFunc(family, func(r rune) bool { return r == ' ' || r == '-' })
		switch {
		case g.chance(rt.CompoundPart) && !isParticle(parts[0]):
			family = parts[0]
		case g.chance(rt.CompoundJoined):
			family = strings.Join(parts, "")
		}
	}
	if suffix != "" {
		switch {
		case g.chance(rt.SuffixInFamily):
			family += " " + suffix
			suffix = ""
		case g.chance(rt.SuffixDropped):
			suffix = ""
		}
	}
	if g.chance(rt.Typo) {
		if g.rng.IntN(2) == 0 {
			given = g.typo(given)
		} else {
			family = g.typo(family)
		}
	}
	if g.chance(rt.DropAccents) {
		given, middle, family = dropAccents(given), dropAccents(middle), dropAccents(family)
	} else if g.chance(rt.AddAccent) {
		given = addAccent(given)
	}
	if g.chance(rt.NameSwap) {
		given, family = family, given
	}
	if g.chance(rt.UpperCase) {
		given, middle, family, suffix = strings.ToUpper(given), strings.ToUpper(middle), strings.ToUpper(family), strings.ToUpper(suffix)
	}
	if g.chance(rt.ExtraSpaces) {
		given, family = " "+given, strings.Replace(family, " ", "  ", 1)+" "
	}
	r.First, r.Middle, r.Last, r.Suffix = given, middle, family, suffix

	birth := s.birth
	switch {
	case g.chance(rt.DateSwap) && birth.Day <= 12 && birth.Day != birth.Month:
		birth.Month, birth.Day = birth.Day, birth.Month
	case g.chance(rt.DateOffDay):
		birth = birth.AddDays(1 - 2*g.rng.IntN(2))
	case g.chance(rt.DateOffYear):
		b := birth
		b.Year += int16(1 - 2*g.rng.IntN(2))
		if b.Month != 2 || b.Day != 29 {
			birth = b
		}
	}
	format := lea % len(dateFormats)
	if g.chance(rt.OtherDateFormat) {
		format = g.rng.IntN(len(dateFormats))
	}
	r.BirthDate = dateFormats[format](birth)

	switch {
	case g.chance(rt.SSIDMissing):
	case g.chance(rt.SSIDTypo):
		r.SSID = ssidTypo(s.ssid, g.rng)
	case g.chance(rt.SSIDOther):
		r.SSID = g.newSSID()
	default:
		r.SSID = s.ssid
	}
	sexCodes := [][2]string{{"F", "M"}, {"Female", "Male"}, {"2", "1"}}[lea%3]
	if s.female {
		r.Sex = sexCodes[0]
	} else {
		r.Sex = sexCodes[1]
	}
	grade := year - int(s.birth.Year) - 5
	switch {
	case grade < 0:
		r.Grade = "PK"
	case grade == 0:
		r.Grade = "K"
	case grade > 12:
		r.Grade = "12"
	default:
		r.Grade = fmt.Sprintf("%02d", grade)
	}
	r.Address, r.City, r.Zip = s.address, s.city, strconv.Itoa(s.zip)
	if g.chance(rt.GivenMissing) {
		r.First = ""
	}
	if g.chance(rt.BirthDateMissing) {
		r.BirthDate = ""
	}
	if g.chance(rt.AddressMissing) {
		r.Address = ""
	}
	return r
}

func isParticle(s string) bool {
	switch strings.ToLower(s) {
	case "de", "del", "la", "van", "st.", "st":
		return true
	}
	return false
}

func (g *gen) nickname(given string) string {
	groups := g.nick.Groups(given)
	if len(groups) == 0 {
		return given
	}
	names := g.nick.Names(groups[g.rng.IntN(len(groups))])
	var others []string
	for _, n := range names {
		if normalize.Fold(n) != normalize.Fold(given) {
			others = append(others, n)
		}
	}
	if len(others) == 0 {
		return given
	}
	n := others[g.rng.IntN(len(others))]
	r, size := utf8.DecodeRuneInString(n)
	return string(unicode.ToUpper(r)) + n[size:]
}

// typo makes one substitution, insertion, deletion or transposition, by character.
func (g *gen) typo(s string) string {
	rs := []rune(s)
	if len(rs) < 2 {
		return s
	}
	p := g.rng.IntN(len(rs) - 1)
	letter := rune('a' + g.rng.IntN(26))
	switch g.rng.IntN(4) {
	case 0:
		rs[p+1] = letter
	case 1:
		rs = append(rs[:p+1], append([]rune{letter}, rs[p+1:]...)...)
	case 2:
		rs = append(rs[:p+1], rs[p+2:]...)
	default:
		rs[p], rs[p+1] = rs[p+1], rs[p]
	}
	return string(rs)
}

func ssidTypo(s string, rng *rand.Rand) string {
	b := []byte(s)
	p := rng.IntN(len(b) - 1)
	if rng.IntN(2) == 0 && b[p] != b[p+1] {
		b[p], b[p+1] = b[p+1], b[p]
	} else {
		b[p] = byte('0' + (int(b[p]-'0')+1+rng.IntN(9))%10)
	}
	return string(b)
}

// accentChains and letterASCII are made once: a chain holds buffers, and a replacer
// builds a lookup structure.
var (
	accentChains = sync.Pool{New: func() any {
		return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	}}
	letterASCII = strings.NewReplacer("ø", "o", "Ø", "O", "æ", "ae", "Æ", "Ae", "đ", "d", "Đ", "D", "ʻ", "'")
)

func dropAccents(s string) string {
	if isASCII(s) {
		return s
	}
	chain := accentChains.Get().(transform.Transformer)
	out, _, err := transform.String(chain, s)
	accentChains.Put(chain)
	if err != nil {
		return s
	}
	return letterASCII.Replace(out)
}

func addAccent(s string) string {
	for _, pair := range [][2]string{{"e", "é"}, {"a", "á"}, {"o", "ó"}, {"i", "í"}} {
		if i := strings.LastIndex(s, pair[0]); i > 0 {
			return s[:i] + pair[1] + s[i+1:]
		}
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// WriteCSV writes the roll in the student CSV.
func (r *Roll) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	writeRow(bw, Header)
	for i := range r.Records {
		writeRow(bw, r.Records[i].Fields())
	}
	return bw.Flush()
}

// WriteTruth writes record_id,student_id rows.
func (r *Roll) WriteTruth(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	writeRow(bw, []string{"record_id", "student_id"})
	for i := range r.Records {
		writeRow(bw, []string{r.Records[i].ID, fmt.Sprintf("T%07d", r.Records[i].Student+1)})
	}
	return bw.Flush()
}

// DropSSIDs blanks every record's SSID.
func (r *Roll) DropSSIDs() {
	for i := range r.Records {
		r.Records[i].SSID = ""
	}
}

// Truth returns each record's true student.
func (r *Roll) Truth() []int32 {
	out := make([]int32, len(r.Records))
	for i := range r.Records {
		out[i] = r.Records[i].Student
	}
	return out
}

// writeRow writes CSV fields, quoting those that need it.
func writeRow(w *bufio.Writer, fields []string) {
	for k, f := range fields {
		if k > 0 {
			w.WriteByte(',')
		}
		if strings.ContainsAny(f, ",\"\n\r") || (f != "" && (f[0] == ' ' || f[len(f)-1] == ' ')) {
			w.WriteByte('"')
			w.WriteString(strings.ReplaceAll(f, `"`, `""`))
			w.WriteByte('"')
		} else {
			w.WriteString(f)
		}
	}
	w.WriteByte('\n')
}
