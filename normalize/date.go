package normalize

import (
	"errors"
	"time"
)

// Date is a calendar date; the zero Date means missing. Dates are always valid: parsers
// return an error rather than an impossible Date.
type Date struct {
	Year  int16
	Month uint8
	Day   uint8
}

// IsZero reports whether the date is missing.
func (d Date) IsZero() bool { return d == Date{} }

// NamesDay reports whether d has a day: false for a year alone or a year and a month
// (Written of an ImpossibleDateError), and for the zero Date.
func (d Date) NamesDay() bool { return d.Day != 0 }

// Partial reports whether d names a year the calendar has but no day: the Written of
// "2012", "March 2012" or "1982-01-00", compared by what it names. "0000-05-00" is not
// partial: its digits are all there is.
func (d Date) Partial() bool { return d.Day == 0 && d.Year >= 1000 && d.Year <= 2999 }

// DayNumber returns the number of days since 1970-01-01 (negative before it).
func (d Date) DayNumber() int32 {
	// Howard Hinnant's days_from_civil: exact for every Gregorian date.
	y, m, dd := int32(d.Year), int32(d.Month), int32(d.Day)
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + dd - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// Time returns the date as midnight UTC.
func (d Date) Time() time.Time {
	return time.Date(int(d.Year), time.Month(d.Month), int(d.Day), 0, 0, 0, 0, time.UTC)
}

// String returns the date as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	b := d.Digits()
	return string(b[0:4]) + "-" + string(b[4:6]) + "-" + string(b[6:8])
}

// Digits returns the date as the eight ASCII digits YYYYMMDD (years outside 0–9999 are
// clamped); the zero Date gives eight zeros.
func (d Date) Digits() [8]byte {
	var b [8]byte
	y := int(d.Year)
	if y < 0 {
		y = 0
	}
	if y > 9999 {
		y = 9999
	}
	b[0], b[1], b[2], b[3] = byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10)
	b[4], b[5] = byte('0'+d.Month/10%10), byte('0'+d.Month%10)
	b[6], b[7] = byte('0'+d.Day/10%10), byte('0'+d.Day%10)
	return b
}

// ErrPlaceholderDate is wrapped by the error for a birth date that is a placeholder (see
// PlaceholderDate).
var ErrPlaceholderDate = errors.New("placeholder date")

// PlaceholderDate reports whether d is a date systems write for a birth date nobody
// entered: the first day one of them can hold or counts from (1 January 1900; 1 January
// 1753, SQL Server's first; 30 and 31 December 1899, a spreadsheet's day 0 and its
// display of it; 1 January 1970, Unix time 0). Two records holding it were not born the
// same day, and one is no older than the other. A person born on one of them loses a
// birth date to compare; no two people are joined by it.
func PlaceholderDate(d Date) bool {
	switch d {
	case Date{Year: 1900, Month: 1, Day: 1}, Date{Year: 1753, Month: 1, Day: 1},
		Date{Year: 1899, Month: 12, Day: 30}, Date{Year: 1899, Month: 12, Day: 31},
		Date{Year: 1970, Month: 1, Day: 1}:
		return true
	}
	return false
}

// ErrBornOnEntry is wrapped by the error for a birth date that is the day its student
// entered school (see BornOnEntry).
var ErrBornOnEntry = errors.New("a birth date the same as the entry date")

// BornOnEntry reports whether a birth date is the day the student entered school
// (entry), which no child's is: the entry date written in the birth date's field, or a
// form's default of the day it was filled in. Against the child's own date on her other
// records it would read as another child's. A birth date after the entry date is left:
// an entry date carried over from another enrollment, or mistyped, says so as often. A
// placeholder entry date (see PlaceholderDate) or a missing one judges nothing.
func BornOnEntry(birth, entry Date) bool {
	return !birth.IsZero() && birth == entry && !PlaceholderDate(entry)
}

// ErrSharedBirthDate is wrapped by the error for a birth date ClearSharedBirthDates
// cleared.
var ErrSharedBirthDate = errors.New("a birth date of no one child")

// MinSharedBirthDateRecords is how many records with a birth date a source must hold
// before ClearSharedBirthDates judges its dates: fewer may be a few children's records
// many times over.
const MinSharedBirthDateRecords = 100

// Bounds of a crowded birth date (ClearSharedBirthDates): at least CrowdedDateRecords
// records carry it, more than CrowdedDateFactor times as many as the source's other
// dates carry on average; no birthday of a real roll stands so far above the others.
// Where crowded dates of YearOnlyYears years or more share one month and day, the
// source writes a year alone on that day (historical rolls put a year on its first of
// January), and they are left as they are.
const (
	CrowdedDateRecords = 20
	CrowdedDateFactor  = 20
	YearOnlyYears      = 3
)

// ClearSharedBirthDates clears, in t, every birth date crowded in its source (source[i]
// is record i's source, which holds at least MinSharedBirthDateRecords records with a
// birth date: see CrowdedDateRecords), where its records' given and family names hold
// more than maxWords words (nameWords: more children than a family's twins), and returns
// each with its records, by source and date. Such a date is an export's default (every
// student, or every student whose date was not entered, written 2010-01-01): agreeing on
// it would weigh as a birthday shared, joining namesakes, and against a child's own date
// on her other records it would refuse her as another child.
func ClearSharedBirthDates(t *Table, source []int32, maxWords int) []SharedContact {
	type key struct {
		source int32
		date   Date
	}
	counts := map[key]int{}
	var dated, distinct []int
	for i, d := range t.BirthDate {
		if d.IsZero() {
			continue
		}
		s := int(source[i])
		if s >= len(dated) {
			dated = append(dated, make([]int, s+1-len(dated))...)
			distinct = append(distinct, make([]int, s+1-len(distinct))...)
		}
		dated[s]++
		k := key{source[i], d}
		if counts[k] == 0 {
			distinct[s]++
		}
		counts[k]++
	}
	crowded := map[key][]int{}
	type day struct {
		source      int32
		month, date uint8
	}
	years := map[day]int{}
	for k, n := range counts {
		s := k.source
		if dated[s] < MinSharedBirthDateRecords || n < CrowdedDateRecords {
			continue
		}
		if others := distinct[s] - 1; others == 0 || float64(n) > CrowdedDateFactor*float64(dated[s]-n)/float64(others) {
			crowded[k] = nil
			years[day{s, k.date.Month, k.date.Day}]++
		}
	}
	for k := range crowded {
		if years[day{k.source, k.date.Month, k.date.Day}] >= YearOnlyYears {
			delete(crowded, k)
		}
	}
	if len(crowded) == 0 {
		return nil
	}
	for i, d := range t.BirthDate {
		k := key{source[i], d}
		if rs, ok := crowded[k]; ok {
			crowded[k] = append(rs, i)
		}
	}
	bySource := make([]map[string][]int, len(dated))
	for k, rs := range crowded {
		if bySource[k.source] == nil {
			bySource[k.source] = map[string][]int{}
		}
		bySource[k.source][k.date.String()] = rs
	}
	var shared []SharedContact
	for _, dates := range bySource {
		shared = append(shared, manyNames(t, RoleBirthDate, dates, true, maxWords)...)
	}
	for _, sc := range shared {
		for _, i := range sc.Records {
			t.BirthDate[i], t.WrittenBirthDate[i] = Date{}, Date{}
		}
	}
	return shared
}
