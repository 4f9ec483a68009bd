package normalize

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// DateOptions configure ParseDate.
type DateOptions struct {
	// DayFirst reads an ambiguous numeric date such as 03/04/2010 as 3 April rather than
	// March 4. An input that is valid only one way (13/04/2010) is read that way either way.
	DayFirst bool `json:"day_first,omitempty"`
	// Pivot maps two-digit years: yy < Pivot is 20yy, otherwise 19yy. Zero means
	// DefaultPivot.
	Pivot int `json:"pivot,omitempty"`
}

// DefaultPivot reads two-digit years 00–29 as 2000–2029 and 30–99 as 1930–1999.
const DefaultPivot = 30

// ErrNotDate is wrapped by ParseDate's errors for input that is not a date at all.
var ErrNotDate = errors.New("not a date")

var monthNames = map[string]uint8{
	"jan": 1, "january": 1, "enero": 1, "ene": 1,
	"feb": 2, "february": 2, "febrero": 2,
	"mar": 3, "march": 3, "marzo": 3,
	"apr": 4, "april": 4, "abril": 4, "abr": 4,
	"may": 5, "mayo": 5,
	"jun": 6, "june": 6, "junio": 6,
	"jul": 7, "july": 7, "julio": 7,
	"aug": 8, "august": 8, "agosto": 8, "ago": 8,
	"sep": 9, "sept": 9, "september": 9, "septiembre": 9, "setiembre": 9,
	"oct": 10, "october": 10, "octubre": 10,
	"nov": 11, "november": 11, "noviembre": 11,
	"dec": 12, "december": 12, "diciembre": 12, "dic": 12,
}

// weekdayNames are the day names a long date may start with, which ParseDate passes over
// (the date, not the name, says the day). Spanish abbreviations are left out: "mar" is
// March.
var weekdayNames = map[string]bool{
	"monday": true, "mon": true, "tuesday": true, "tue": true, "tues": true,
	"wednesday": true, "wed": true, "thursday": true, "thu": true, "thur": true, "thurs": true,
	"friday": true, "fri": true, "saturday": true, "sat": true, "sunday": true, "sun": true,
	"lunes": true, "martes": true, "jueves": true, "viernes": true, "domingo": true,
}

// ParseDate parses the date formats districts send: 2006-01-02, 01/02/2006, 1/2/2006,
// 01/02/06 (two-digit years by opt.Pivot), 20060102, Jan 2, 2006, 2 January 2006,
// 2-Jan-2006, a long date naming its weekday (Monday, January 2, 2006), and date-times
// such as 2006-01-02T00:00:00 or 2006-01-02T00:00:00-07:00 (Ed-Fi's date strings),
// whose calendar date is taken as written, and a spreadsheet's five-digit day serial
// (40179 is 2010-01-01; 40179.0 and 40179.5, its noon, too). Separators may be '-', '/',
// '.' or spaces. An empty or blank input gives the zero Date and no error. An impossible
// date (2010-02-30, month 13), a year alone or with its month (an ImpossibleDateError
// whose Written names them) or text that is not a date is an error quoting the input.
func ParseDate(s string, opt DateOptions) (Date, error) {
	in := s
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, nil
	}
	if len(s) > 64 {
		return Date{}, fmt.Errorf("%w: %s is too long", ErrNotDate, QuoteValue(in))
	}
	s = stripTime(s)
	if whole, frac, ok := strings.Cut(s, "."); ok && len(whole) == 5 && isDigits(whole) && isDigits(frac) {
		s = whole // a day serial written as a number (40301.0) or with its time of day (40301.5)
	}
	var fieldBuf, numBuf [8]string
	fields := dateFields(fieldBuf[:0], s)
	nums := numBuf[:0]
	month := uint8(0)
	weekday := false
	for _, f := range fields {
		if isDigits(f) {
			nums = append(nums, f)
			continue
		}
		if f == "of" || f == "de" || f == "del" {
			continue // "2nd of June", "2 de junio de 2010"
		}
		if weekdayNames[f] && !weekday {
			weekday = true // a spreadsheet's long date: "Sunday, April 5, 2009"
			continue
		}
		m, ok := monthNames[f]
		if !ok || month != 0 {
			return Date{}, fmt.Errorf("%w: %s", ErrNotDate, QuoteValue(in))
		}
		month = m
	}
	var y, m, d int
	switch {
	case month == 0 && len(nums) == 1 && len(nums[0]) == 4,
		month != 0 && len(nums) == 1 && len(nums[0]) == 4,
		month == 0 && len(nums) == 2 && (len(nums[0]) == 4) != (len(nums[1]) == 4) && min(len(nums[0]), len(nums[1])) <= 2:
		// "2012", "March 2012", "2012-03", "03/2012": no day named.
		return partialDate(in, nums, month)
	case month != 0 && len(nums) == 2:
		// Jan 2, 2006 / 2 January 2006 / 2006 Jan 2: the year is the number with more
		// than two digits, or the last one.
		a, b := nums[0], nums[1]
		if len(a) > 2 && len(b) <= 2 {
			a, b = b, a
		}
		d, y, m = atoi(a), year(b, opt), int(month)
	case month == 0 && len(nums) == 1 && len(nums[0]) == 8:
		n := nums[0]
		y, m, d = atoi(n[:4]), atoi(n[4:6]), atoi(n[6:])
		if !validYMD(y, m, d) {
			// MMDDYYYY or DDMMYYYY; where neither is a date either, the numbers stay
			// as first read ("19001079": 1900, month 10, day 79) for Written.
			m2, d2, y2 := atoi(n[:2]), atoi(n[2:4]), atoi(n[4:])
			if opt.DayFirst || !validYMD(y2, m2, d2) {
				if validYMD(y2, d2, m2) {
					m2, d2 = d2, m2
				}
			}
			if validYMD(y2, m2, d2) {
				y, m, d = y2, m2, d2
			}
		}
	case month == 0 && len(nums) == 1 && len(nums[0]) == 5 && nums[0][0] != '0':
		// A spreadsheet's day serial (days since 1899-12-30, as Excel and LibreOffice
		// count them): 36526 is 2000-01-01. Five digits span 1927-05-18 to 2173-10-14.
		n, _ := strconv.Atoi(nums[0])
		return excelEpoch.AddDays(n), nil
	case month == 0 && len(nums) == 1 && len(nums[0]) == 6:
		// YYMMDD is too ambiguous to guess.
		return Date{}, fmt.Errorf("%w: %s is six digits, ambiguous", ErrNotDate, QuoteValue(in))
	case month == 0 && len(nums) == 3:
		a, b, c := nums[0], nums[1], nums[2]
		if len(a) >= 3 {
			y, m, d = atoi(a), atoi(b), atoi(c)
		} else {
			y = year(c, opt)
			m, d = atoi(a), atoi(b)
			if opt.DayFirst {
				m, d = d, m
			}
			if !validYMD(y, m, d) && validYMD(y, d, m) {
				m, d = d, m
			}
		}
	default:
		return Date{}, fmt.Errorf("%w: %s", ErrNotDate, QuoteValue(in))
	}
	if err := checkYMD(y, m, d); err != nil {
		if y >= 0 && y <= 9999 && m >= 0 && m <= 99 && d >= 0 && d <= 99 {
			err = &ImpossibleDateError{Written: Date{Year: int16(y), Month: uint8(m), Day: uint8(d)}, Err: err}
		}
		return Date{}, fmt.Errorf("%s: %w", QuoteValue(in), err)
	}
	return Date{Year: int16(y), Month: uint8(m), Day: uint8(d)}, nil
}

// partialDate is ParseDate's answer to a year alone or a year and a month: no date, and
// an ImpossibleDateError whose Written names the year (and month), its day 0.
func partialDate(in string, nums []string, month uint8) (Date, error) {
	y, m := atoi(nums[0]), int(month)
	if len(nums) == 2 {
		if len(nums[0]) == 4 {
			y, m = atoi(nums[0]), atoi(nums[1])
		} else {
			y, m = atoi(nums[1]), atoi(nums[0])
		}
	}
	what := "the year"
	if m != 0 {
		what = "the year and month"
	}
	if err := checkYMD(y, max(m, 1), 1); err != nil {
		return Date{}, fmt.Errorf("%s: %w", QuoteValue(in), err)
	}
	return Date{}, fmt.Errorf("%s: %w", QuoteValue(in), &ImpossibleDateError{
		Written: Date{Year: int16(y), Month: uint8(m)},
		Err:     fmt.Errorf("names only %s: compared by what it names", what),
	})
}

// excelEpoch is day 0 of spreadsheet day serials (Excel's 1900 date system, its phantom
// 29 February 1900 included, for serials after it).
var excelEpoch = Date{Year: 1899, Month: 12, Day: 30}

// ImpossibleDateError is ParseDate's error for a date written in numbers that names no
// day (month 21, 30 February, year 0999; a year alone, "2012", or with its month,
// "March 2012", day 0): Written holds the numbers as read, so that a comparison can
// still weigh the digits of "1997-21-25" against "1997-12-25" and the year 2012 against
// 2012-03-04 (see Date.NamesDay).
type ImpossibleDateError struct {
	Written Date
	Err     error
}

func (e *ImpossibleDateError) Error() string { return e.Err.Error() }

func (e *ImpossibleDateError) Unwrap() error { return e.Err }

// stripTime drops a time of day after a date: "2006-01-02T15:04:05Z" or
// "1/2/2006 12:00 AM".
func stripTime(s string) string {
	if i := strings.IndexByte(s, 'T'); i >= 8 && i+1 < len(s) && isDigit(s[i-1]) && isDigit(s[i+1]) {
		return s[:i]
	}
	if i := strings.IndexByte(s, ':'); i > 0 {
		if j := strings.LastIndexByte(s[:i], ' '); j > 0 {
			return s[:j]
		}
	}
	return s
}

// dateFields appends to out the runs of digits and of letters (lower-cased) of s, dropping
// separators, the ordinal endings of "2nd" and "3rd", and a comma.
func dateFields(out []string, s string) []string {
	start := -1
	kind := 0 // 1 digits, 2 letters
	flush := func(i int) {
		if start >= 0 {
			f := strings.ToLower(s[start:i])
			if kind == 2 && len(out) > 0 && isDigits(out[len(out)-1]) {
				switch f {
				case "st", "nd", "rd", "th":
					f = ""
				}
			}
			if f != "" {
				out = append(out, strings.TrimSuffix(f, "."))
			}
		}
		start, kind = -1, 0
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		k := 0
		switch {
		case isDigit(c):
			k = 1
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
			k = 2
		}
		if k != kind {
			flush(i)
			if k != 0 {
				start, kind = i, k
			}
		}
		if k == 0 && !isSeparator(c) {
			return []string{"\x00"} // a character no date has
		}
	}
	flush(len(s))
	return out
}

func isSeparator(c byte) bool {
	switch c {
	case '-', '/', '.', ' ', ',', '\t':
		return true
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// atoi converts a string of at most a few digits; longer strings give -1.
func atoi(s string) int {
	if len(s) > 4 {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// year reads a year field, expanding two digits by the pivot.
func year(s string, opt DateOptions) int {
	y := atoi(s)
	if len(s) <= 2 && y >= 0 {
		pivot := opt.Pivot
		if pivot == 0 {
			pivot = DefaultPivot
		}
		if y < pivot {
			return 2000 + y
		}
		return 1900 + y
	}
	if len(s) == 3 {
		return -1
	}
	return y
}

func validYMD(y, m, d int) bool { return checkYMD(y, m, d) == nil }

var monthLong = [...]string{"", "January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

// checkYMD reports why y-m-d is not a date.
func checkYMD(y, m, d int) error {
	switch {
	case y < 1000 || y > 2999:
		return fmt.Errorf("year %d is out of range", y)
	case m < 1 || m > 12:
		return fmt.Errorf("month %d does not exist", m)
	case d < 1 || d > daysIn(y, m):
		return fmt.Errorf("day %d does not exist in %s %d", d, monthLong[m], y)
	}
	return nil
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// AddDays returns the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date {
	return DateFromDayNumber(d.DayNumber() + int32(n))
}

// DateFromDayNumber is the inverse of Date.DayNumber.
func DateFromDayNumber(z int32) Date {
	// Howard Hinnant's civil_from_days.
	z += 719468
	era := z
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return Date{Year: int16(y), Month: uint8(m), Day: uint8(d)}
}

// AgeOn returns the age in whole years on the given day of someone born on d.
func (d Date) AgeOn(day Date) int {
	age := int(day.Year) - int(d.Year)
	if day.Month < d.Month || (day.Month == d.Month && day.Day < d.Day) {
		age--
	}
	return age
}

// CheckBirthDate reports a student birth date outside the plausible ages minAge to maxAge
// (inclusive) on the day asOf, such as a birth date in the future or one that makes a
// kindergartner 60. The zero Date passes: a missing value is not implausible.
func CheckBirthDate(birth, asOf Date, minAge, maxAge int) error {
	if birth.IsZero() {
		return nil
	}
	age := birth.AgeOn(asOf)
	if age < minAge || age > maxAge {
		return fmt.Errorf("birth date %s makes the student %d on %s, outside %d–%d", birth, age, asOf, minAge, maxAge)
	}
	return nil
}

// DateOrderCount tells from a column's values whether its dates are written day first
// (25/04/2010) or month first (04/25/2010), so that the ambiguous ones (03/04/2010) can
// be read as the column writes them. The zero value is ready to use.
type DateOrderCount struct {
	// DayOnly and MonthOnly count the numeric dates with the year last that are valid
	// only day first and only month first.
	DayOnly, MonthOnly int
}

// Add counts one value. Values that are not numeric dates with the year last (ISO dates,
// month names, blanks) and those valid both ways or neither way count for nothing.
func (c *DateOrderCount) Add(s string) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return
	}
	var fieldBuf [8]string
	fields := dateFields(fieldBuf[:0], stripTime(s))
	var a, b, y int
	switch {
	case len(fields) == 3 && len(fields[0]) <= 2 && len(fields[1]) <= 2 &&
		isDigits(fields[0]) && isDigits(fields[1]) && isDigits(fields[2]):
		a, b, y = atoi(fields[0]), atoi(fields[1]), year(fields[2], DateOptions{})
	case len(fields) == 1 && len(fields[0]) == 8 && isDigits(fields[0]):
		n := fields[0]
		if validYMD(atoi(n[:4]), atoi(n[4:6]), atoi(n[6:])) {
			return // YYYYMMDD
		}
		a, b, y = atoi(n[:2]), atoi(n[2:4]), atoi(n[4:])
	default:
		return
	}
	switch month, day := validYMD(y, a, b), validYMD(y, b, a); {
	case day && !month:
		c.DayOnly++
	case month && !day:
		c.MonthOnly++
	}
}

// DayFirst reports whether the values counted are written day first: those valid only
// day first outnumber those valid only month first at least nine to one. A column
// written month first has dates valid only day first by typo alone, and about half its
// dates (those after the twelfth) valid only month first.
func (c DateOrderCount) DayFirst() bool { return c.DayOnly > 0 && c.DayOnly >= 9*c.MonthOnly }
