package backpack

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/studentlink/studentlink/normalize"
)

// checks reads the fields of one Ed-Fi resource, keeping the first problem: each method
// returns the value as the backpack keeps it, and after the last, err says whether the
// resource may be added. Every error names the field and quotes the value.
type checks struct {
	opt *ImportOptions
	now time.Time
	err error
}

func (c *checks) fail(field, format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...))
	}
}

// need reports a blank required value.
func (c *checks) need(field, v string) string {
	if strings.TrimSpace(v) == "" {
		c.fail(field, "missing")
	}
	return v
}

// id checks a required unique ID (studentUniqueId, staffUniqueId, …).
func (c *checks) id(field, v string) string {
	if v == "" {
		c.fail(field, "missing")
	} else if err := checkID("ID", v); err != nil {
		c.fail(field, "%v", err)
	}
	return v
}

// positive checks a required ID number such as a schoolId.
func (c *checks) positive(field string, n int64) int64 {
	if n <= 0 {
		c.fail(field, "%d is not an ID (missing, zero or negative)", n)
	}
	return n
}

// schoolYear checks a school year when given: the ending year of a school year since
// 1900, at most ten years ahead.
func (c *checks) schoolYear(field string, y int) int {
	if y != 0 && (y < minYear || y > c.now.Year()+10) {
		c.fail(field, "%d is not a school year", y)
	}
	return y
}

// amount checks an optional number that must lie in [lo, hi].
func (c *checks) amount(field string, v *float64, lo, hi float64) *float64 {
	if v != nil && (*v < lo || *v > hi) {
		c.fail(field, "%v is outside [%v, %v]", *v, lo, hi)
	}
	return v
}

// minutes checks an optional count of minutes.
func (c *checks) minutes(field string, v *int) *int {
	if v != nil && *v < 0 {
		c.fail(field, "%d minutes", *v)
	}
	return v
}

// dateKind says how far from now a date may lie.
type dateKind int

const (
	past      dateKind = iota // happened: not after now (birth dates, events, results, _lastModifiedDate)
	scheduled                 // may be planned: at most ten years ahead (sections)
	upcoming                  // may be registered ahead: at most a year (an enrollment for next school year)
	expiry                    // any date (a credential's expiration)
)

const minYear = 1900

// edfiDate is Ed-Fi's date and date-time form: YYYY-MM-DD, optionally with a time of day
// and a zone.
var edfiDate = regexp.MustCompile(`^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?(Z|[+-]\d\d:\d\d)?)?$`)

// date checks an optional Ed-Fi date or date-time and returns its calendar date,
// YYYY-MM-DD ("" stays ""). Another form ("-2010-01-01", "01/02/2010"), an impossible
// date or time, a year before 1900, and a date too far ahead for its kind are errors.
func (c *checks) date(field, v string, kind dateKind) string {
	if v == "" {
		return ""
	}
	at, ok := c.instant(field, v, kind)
	if !ok {
		return ""
	}
	return at.Format(time.DateOnly)
}

// timestamp checks an optional date-time such as _lastModifiedDate and returns it as
// written, for ordering submissions.
func (c *checks) timestamp(field, v string) string {
	if v == "" {
		return ""
	}
	if _, ok := c.instant(field, v, past); !ok {
		return ""
	}
	return v
}

// latestZone is how far ahead of UTC the easternmost time zone on Earth runs (UTC+14,
// Kiribati's Line Islands).
const latestZone = 14 * time.Hour

// clockSkew is how far ahead of this machine's clock a sender's may run.
const clockSkew = 5 * time.Minute

// parseEdFiTime parses an Ed-Fi date or date-time (edfiDate) as an instant: a date is
// its midnight, and a value without a zone is read as UTC. It says whether the value
// had a time of day and a zone. Import and the merge's ordering of submissions
// (compareSubmitted) both read dates through it, so every form Import accepts orders
// as the instant it names. Another form, an impossible date or time and a zone offset
// past ±14:59 are errors quoting the value.
func parseEdFiTime(v string) (at time.Time, timed, zoned bool, err error) {
	m := edfiDate.FindStringSubmatch(v)
	if m == nil {
		return time.Time{}, false, false, fmt.Errorf("%q is not an Ed-Fi date (YYYY-MM-DD, or a date-time such as 2024-03-01T10:00:00Z)", v)
	}
	n := func(i int) int { x, _ := strconv.Atoi(m[i]); return x }
	y, mo, d, h, mi, s := n(1), n(2), n(3), n(4), n(5), n(6)
	day := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if day.Day() != d || int(day.Month()) != mo || h > 23 || mi > 59 || s > 59 {
		return time.Time{}, false, false, fmt.Errorf("%q is not a real date or time", v)
	}
	loc := time.UTC
	if z := m[8]; z != "" && z != "Z" {
		zh, _ := strconv.Atoi(z[1:3])
		zm, _ := strconv.Atoi(z[4:])
		if zh > 14 || zm > 59 {
			return time.Time{}, false, false, fmt.Errorf("%q has no real zone offset", v)
		}
		off := (zh*60 + zm) * 60
		if z[0] == '-' {
			off = -off
		}
		loc = time.FixedZone(z, off)
	}
	ns := 0
	if f := m[7]; f != "" {
		ns, _ = strconv.Atoi((f + "00000000")[:9])
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, ns, loc), m[4] != "", m[8] != "", nil
}

// instant parses v (parseEdFiTime) and checks it against now: a value with a zone may be
// ahead by clockSkew; one without may have meant any zone, so a date-time may be ahead by
// as much as the easternmost zone is (latestZone, and clockSkew), and a date may be the
// latest date anywhere on Earth now, no later.
func (c *checks) instant(field, v string, kind dateKind) (time.Time, bool) {
	at, timed, zoned, err := parseEdFiTime(v)
	if err != nil {
		c.fail(field, "%v", err)
		return time.Time{}, false
	}
	y, day := at.Year(), at.Format(time.DateOnly)
	slack := latestZone + clockSkew
	if zoned {
		slack = clockSkew
	}
	latestDay := c.now.UTC().Add(latestZone).Format(time.DateOnly)
	switch {
	case y < minYear:
		c.fail(field, "%q is before %d", v, minYear)
	case kind == past && !timed && day > latestDay:
		c.fail(field, "%q is in the future (now is %s; the latest date anywhere is %s)", v, c.now.UTC().Format(time.RFC3339), latestDay)
	case kind == past && at.After(c.now.Add(slack)):
		c.fail(field, "%q is in the future (now is %s)", v, c.now.UTC().Format(time.RFC3339))
	case kind == scheduled && at.After(c.now.AddDate(10, 0, 0)):
		c.fail(field, "%q is more than ten years ahead", v)
	case kind == upcoming && at.After(c.now.AddDate(1, 0, 0)):
		c.fail(field, "%q is more than a year ahead (now is %s)", v, c.now.UTC().Format(time.DateOnly))
	default:
		return at, true
	}
	return time.Time{}, false
}

// ordered checks that an end date does not come before its begin date (both YYYY-MM-DD
// or blank).
func (c *checks) ordered(beginField, begin, endField, end string) {
	if begin != "" && end != "" && end < begin {
		c.fail(endField, "%s comes before %s %s", end, beginField, begin)
	}
}

// descriptor checks an optional descriptor and returns its code value: the mapping of
// ImportOptions.Descriptors when the URI is mapped, else the text after the one '#' of a
// namespace#CodeValue URI. Anything else is an error: "…#Fifth grade#Twelfth grade"
// names no one grade.
func (c *checks) descriptor(field, uri string) string {
	code, _ := c.typedDescriptor(field, uri)
	return code
}

// typedDescriptor is descriptor that also returns the descriptor's type, the last
// segment of its namespace ("SexDescriptor" of uri://ed-fi.org/SexDescriptor#Male), ""
// for a URI ImportOptions.Descriptors maps. A ".xml" ending of the segment, in any case,
// is not part of the type: older Ed-Fi namespaces name the descriptor's XML file
// (http://ed-fi.org/Descriptor/SexDescriptor.xml#Female).
func (c *checks) typedDescriptor(field, uri string) (code, typ string) {
	if uri == "" {
		return "", ""
	}
	if code, ok := c.opt.Descriptors[uri]; ok {
		return code, ""
	}
	i := strings.IndexByte(uri, '#')
	if i <= 0 || i == len(uri)-1 || strings.Count(uri, "#") != 1 {
		c.fail(field, "%q is not a descriptor (namespace#CodeValue, with one '#') and ImportOptions.Descriptors does not map it", uri)
		return "", ""
	}
	code, typ = uri[i+1:], uri[strings.LastIndexByte(uri[:i], '/')+1:i]
	if n := len(typ) - len(".xml"); n > 0 && strings.EqualFold(typ[n:], ".xml") {
		typ = typ[:n]
	}
	if err := checkID("code value", code); err != nil {
		c.fail(field, "%q: %v", uri, err)
	}
	return code, typ
}

// Code values of the Ed-Fi descriptors the backpack reads, as the ODS/API's default
// descriptors spell them in Data Standards 4 and 5 (and the older spellings of the
// Grand Bend sample). A state's own codes are mapped onto these by
// ImportOptions.Descriptors.
var (
	edfiSexes = codeList{"SexDescriptor", []string{"Female", "Male", "Non-binary", "Not Selected"}}
	edfiRaces = codeList{"RaceDescriptor", []string{"American Indian - Alaska Native", "American Indian or Alaska Native", "Asian",
		"Black - African American", "Black or African American", "Native Hawaiian - Pacific Islander",
		"Native Hawaiian or Pacific Islander", "White", "Other", "Choose Not to Respond"}}
	edfiGradeLevels = codeList{"GradeLevelDescriptor", []string{"Infant/toddler", "Preschool/Prekindergarten", "Kindergarten", "First grade",
		"Second grade", "Third grade", "Fourth grade", "Fifth grade", "Sixth grade", "Seventh grade", "Eighth grade",
		"Ninth grade", "Tenth grade", "Eleventh grade", "Twelfth grade", "Grade 13", "Postsecondary", "Ungraded",
		"Adult Education", "Other"}}
)

// codeList is the code values of one descriptor type, and the type's name.
type codeList struct {
	typ   string
	codes []string
}

// coded checks a descriptor of the list's type (in any namespace, or mapped by
// ImportOptions.Descriptors) whose code value is one of the list's, and returns the code:
// uri://ed-fi.org/SexDescriptor#Fifth grade is no grade level. The type's name is
// compared in any case: uri://ed-fi.org/sexdescriptor#Female names a SexDescriptor too,
// and senders wrote it so before the type was checked.
func (c *checks) coded(field, uri string, list codeList) string {
	code, typ := c.typedDescriptor(field, uri)
	switch {
	case code == "":
	case typ != "" && !strings.EqualFold(typ, list.typ):
		c.fail(field, "%q is a %s, not a %s", uri, typ, list.typ)
	case !slices.Contains(list.codes, code):
		c.fail(field, "%q is not one of the code values %s", uri, strings.Join(list.codes, ", "))
	default:
		return code
	}
	return ""
}

// required reports every required key a resource lacks (blank values), in one error
// naming them all.
func (c *checks) required(keys ...[2]string) {
	var missing []string
	for _, k := range keys {
		if strings.TrimSpace(k[1]) == "" {
			missing = append(missing, k[0])
		}
	}
	if len(missing) > 0 {
		c.fail(strings.Join(missing, ", "), "missing: Ed-Fi requires them")
	}
}

// grade checks a GradeLevelDescriptor and returns the grade's short code ("Fifth grade"
// → "5"; see normalize.Grade).
func (c *checks) grade(field, uri string) string {
	code := c.coded(field, uri, edfiGradeLevels)
	if code == "" {
		return ""
	}
	g, err := normalize.ParseGrade(code)
	if err != nil {
		c.fail(field, "%v", err)
	}
	return g.String()
}

// maxAge is the oldest a student's birth date may make them, in years.
const maxAge = 100

// birthDate checks an optional birth date as date does (past) and refuses one more than
// maxAge years before now, quoting it.
func (c *checks) birthDate(field, v string) string {
	d := c.date(field, v, past)
	if oldest := c.now.AddDate(-maxAge, 0, 0).Format(time.DateOnly); d != "" && d < oldest {
		c.fail(field, "%q is more than %d years ago (before %s): not a student's birth date", v, maxAge, oldest)
		return ""
	}
	return d
}

// gradeAge is the usual age, in whole years, of a student entering each grade, for the
// grades that have one (postsecondary, ungraded and adult students have none).
var gradeAge = map[string]int{"IT": 1, "PK": 4, "K": 5, "1": 6, "2": 7, "3": 8, "4": 9, "5": 10, "6": 11,
	"7": 12, "8": 13, "9": 14, "10": 15, "11": 16, "12": 17}

// Students are accepted this many years younger or older than a grade's usual age:
// generous, as students skip and repeat grades, and IT/PK span several ages.
const (
	gradeYounger = 3
	gradeOlder   = 6
)

// ageFitsGrade checks that a student born on birth (YYYY-MM-DD) is of an age for grade
// (its short code; uri as submitted, to quote) on the entry date: within gradeYounger
// and gradeOlder years of the grade's usual age (gradeAge), and not before birth. A
// blank birth date or entry date, and a grade with no usual age, pass.
func (c *checks) ageFitsGrade(field, uri, grade, birth, entry string) {
	usual, ok := gradeAge[grade]
	if !ok || birth == "" || entry == "" {
		return
	}
	b, err1 := time.Parse(time.DateOnly, birth)
	e, err2 := time.Parse(time.DateOnly, entry)
	if err1 != nil || err2 != nil {
		return
	}
	if e.Before(b) {
		c.fail(field, "%q on %s: the student was born after it, on %s", uri, entry, birth)
		return
	}
	age := e.Year() - b.Year()
	if e.Month() < b.Month() || e.Month() == b.Month() && e.Day() < b.Day() {
		age--
	}
	if age < usual-gradeYounger || age > usual+gradeOlder {
		c.fail(field, "%q on %s: the student, born %s, is %d; that grade is for ages %d to %d", uri, entry, birth, age, max(0, usual-gradeYounger), usual+gradeOlder)
	}
}
