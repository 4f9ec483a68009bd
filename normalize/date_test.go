package normalize

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseDate(t *testing.T) {
	d := func(y, m, dd int) Date { return Date{Year: int16(y), Month: uint8(m), Day: uint8(dd)} }
	dayFirst := DateOptions{DayFirst: true}
	tests := []struct {
		in   string
		opt  DateOptions
		want Date
		err  string // substring of the error; "" for none
	}{
		{"2006-01-02", DateOptions{}, d(2006, 1, 2), ""},
		{"2006/01/02", DateOptions{}, d(2006, 1, 2), ""},
		{"2006.01.02", DateOptions{}, d(2006, 1, 2), ""},
		{"2006-1-2", DateOptions{}, d(2006, 1, 2), ""},
		{"01/02/2006", DateOptions{}, d(2006, 1, 2), ""},
		{"1/2/2006", DateOptions{}, d(2006, 1, 2), ""},
		{"01-02-2006", DateOptions{}, d(2006, 1, 2), ""},
		{"01.02.2006", DateOptions{}, d(2006, 1, 2), ""},
		{"01/02/06", DateOptions{}, d(2006, 1, 2), ""},
		{"01/02/29", DateOptions{}, d(2029, 1, 2), ""},
		{"01/02/30", DateOptions{}, d(1930, 1, 2), ""},
		{"01/02/99", DateOptions{}, d(1999, 1, 2), ""},
		{"01/02/10", DateOptions{Pivot: 5}, d(1910, 1, 2), ""},
		{"20060102", DateOptions{}, d(2006, 1, 2), ""},
		{"01022006", DateOptions{}, d(2006, 1, 2), ""},
		{"01022006", dayFirst, d(2006, 2, 1), ""},
		{"Jan 2, 2006", DateOptions{}, d(2006, 1, 2), ""},
		{"Monday, January 2, 2006", DateOptions{}, d(2006, 1, 2), ""},
		{"Mon, 2 Jan 2006", DateOptions{}, d(2006, 1, 2), ""},
		{"Tuesday, January 2, 2006", DateOptions{}, d(2006, 1, 2), ""}, // the date says the day
		{"lunes, 2 de enero de 2006", DateOptions{}, d(2006, 1, 2), ""},
		{"Monday Monday, January 2, 2006", DateOptions{}, Date{}, "not a date"},
		{"Monday", DateOptions{}, Date{}, "not a date"},
		{"Mon 01/02/2006", DateOptions{}, d(2006, 1, 2), ""},
		{"January 2, 2006", DateOptions{}, d(2006, 1, 2), ""},
		{"jan 2 2006", DateOptions{}, d(2006, 1, 2), ""},
		{"2 January 2006", DateOptions{}, d(2006, 1, 2), ""},
		{"2 Jan 2006", DateOptions{}, d(2006, 1, 2), ""},
		{"2-Jan-2006", DateOptions{}, d(2006, 1, 2), ""},
		{"02-JAN-06", DateOptions{}, d(2006, 1, 2), ""},
		{"Sept. 30, 2011", DateOptions{}, d(2011, 9, 30), ""},
		{"June 2nd, 2010", DateOptions{}, d(2010, 6, 2), ""},
		{"2nd of June 2010", DateOptions{}, d(2010, 6, 2), ""},
		{"2 de junio de 2010", DateOptions{}, d(2010, 6, 2), ""},
		{"2006 Jan 2", DateOptions{}, d(2006, 1, 2), ""},
		{"2006-01-02T00:00:00", DateOptions{}, d(2006, 1, 2), ""},
		{"2006-01-02T00:00:00Z", DateOptions{}, d(2006, 1, 2), ""},
		{"2006-01-02T23:30:00-07:00", DateOptions{}, d(2006, 1, 2), ""},
		{"2006-01-02T00:00:00.000+05:30", DateOptions{}, d(2006, 1, 2), ""},
		{"2006-01-02 00:00:00", DateOptions{}, d(2006, 1, 2), ""},
		{"1/2/2006 12:00:00 AM", DateOptions{}, d(2006, 1, 2), ""},
		{"03/04/2010", DateOptions{}, d(2010, 3, 4), ""},
		{"03/04/2010", dayFirst, d(2010, 4, 3), ""},
		{"13/04/2010", DateOptions{}, d(2010, 4, 13), ""},
		{"04/13/2010", dayFirst, d(2010, 4, 13), ""},
		{"2012-02-29", DateOptions{}, d(2012, 2, 29), ""},
		{"2000-02-29", DateOptions{}, d(2000, 2, 29), ""},
		{"  2006-01-02  ", DateOptions{}, d(2006, 1, 2), ""},
		{"", DateOptions{}, Date{}, ""},
		{"   ", DateOptions{}, Date{}, ""},
		{"2010-02-30", DateOptions{}, Date{}, `"2010-02-30": day 30 does not exist in February 2010`},
		{"1900-02-29", DateOptions{}, Date{}, "day 29 does not exist in February 1900"},
		{"2011-02-29", DateOptions{}, Date{}, "day 29 does not exist"},
		{"2010-13-01", DateOptions{}, Date{}, "month 13 does not exist"},
		{"2010-00-10", DateOptions{}, Date{}, "month 0 does not exist"},
		{"13/45/2011", DateOptions{}, Date{}, `"13/45/2011"`},
		{"04/31/2010", DateOptions{}, Date{}, "day 31 does not exist in April 2010"},
		{"0000-01-01", DateOptions{}, Date{}, "year 0 is out of range"},
		{"hello", DateOptions{}, Date{}, `not a date: "hello"`},
		{"2006-01", DateOptions{}, Date{}, "names only the year and month"},
		{"2012", DateOptions{}, Date{}, "names only the year"},
		{"0999", DateOptions{}, Date{}, "year 999 is out of range"},
		{"2012-13", DateOptions{}, Date{}, "month 13 does not exist"},
		{"060102", DateOptions{}, Date{}, "six digits"},
		{"36526", DateOptions{}, d(2000, 1, 1), ""}, // a spreadsheet's day serial
		{"40179", DateOptions{}, d(2010, 1, 1), ""},
		{"40179.0", DateOptions{}, d(2010, 1, 1), ""},  // the serial as a spreadsheet's number
		{"40179.75", DateOptions{}, d(2010, 1, 1), ""}, // with its time of day
		{"10.05.2010", DateOptions{}, d(2010, 10, 5), ""},
		{"01234", DateOptions{}, Date{}, "not a date"},
		{"1/2/3/4", DateOptions{}, Date{}, "not a date"},
		{"Jan Feb 2006", DateOptions{}, Date{}, "not a date"},
		{"2006-01-02#", DateOptions{}, Date{}, "not a date"},
		{"99999999999999999999", DateOptions{}, Date{}, "not a date"},
		{strings.Repeat("1", 100), DateOptions{}, Date{}, "too long"},
		{"2006\x00-01-02", DateOptions{}, Date{}, "not a date"},
	}
	for _, tc := range tests {
		got, err := ParseDate(tc.in, tc.opt)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("ParseDate(%q, %+v): unexpected error %v", tc.in, tc.opt, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseDate(%q, %+v) error = %v, want it to contain %q", tc.in, tc.opt, err, tc.err)
		case got != tc.want:
			t.Errorf("ParseDate(%q, %+v) = %v, want %v", tc.in, tc.opt, got, tc.want)
		}
	}
	if _, err := ParseDate("hello", DateOptions{}); !errors.Is(err, ErrNotDate) {
		t.Errorf("error for text does not wrap ErrNotDate: %v", err)
	}
}

// TestParseDateWritten: a date that names no day, or none the calendar has, still gives
// the numbers written, for comparisons to weigh.
func TestParseDateWritten(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Date
	}{
		{"2012", Date{Year: 2012}},
		{"March 2012", Date{Year: 2012, Month: 3}},
		{"2012-03", Date{Year: 2012, Month: 3}},
		{"03/2012", Date{Year: 2012, Month: 3}},
		{"1997-21-25", Date{Year: 1997, Month: 21, Day: 25}},
		{"1949-00-13", Date{Year: 1949, Day: 13}},
		{"2012-03-04", Date{}},
		{"hello", Date{}},
	} {
		_, err := ParseDate(tc.in, DateOptions{})
		var got Date
		if imp, ok := errors.AsType[*ImpossibleDateError](err); ok {
			got = imp.Written
		}
		if got != tc.want {
			t.Errorf("ParseDate(%q) written %+v, want %+v (error %v)", tc.in, got, tc.want, err)
		}
		if got.NamesDay() != (tc.want.Day != 0) {
			t.Errorf("%q: NamesDay %v", tc.in, got.NamesDay())
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	for _, tc := range []struct {
		d   Date
		day int32
	}{
		{Date{1970, 1, 1}, 0},
		{Date{1969, 12, 31}, -1},
		{Date{2000, 3, 1}, 11017},
		{Date{2024, 2, 29}, 19782},
		{Date{1900, 1, 1}, -25567},
	} {
		if got := tc.d.DayNumber(); got != tc.day {
			t.Errorf("%v.DayNumber() = %d, want %d", tc.d, got, tc.day)
		}
		if got := DateFromDayNumber(tc.day); got != tc.d {
			t.Errorf("DateFromDayNumber(%d) = %v, want %v", tc.day, got, tc.d)
		}
		if want := tc.d.Time().Unix() / 86400; int64(tc.day) != want {
			t.Errorf("%v: day %d, time package says %d", tc.d, tc.day, want)
		}
	}
	if got := (Date{2010, 2, 28}).AddDays(1); got != (Date{2010, 3, 1}) {
		t.Errorf("AddDays = %v", got)
	}
}

func TestCheckBirthDate(t *testing.T) {
	asOf := Date{2026, 9, 1}
	tests := []struct {
		birth Date
		ok    bool
	}{
		{Date{2015, 5, 5}, true},
		{Date{2023, 9, 2}, false}, // 2, too young
		{Date{2022, 9, 1}, true},  // exactly 4
		{Date{1990, 1, 1}, false}, // 36
		{Date{2027, 1, 1}, false}, // future
		{Date{}, true},
	}
	for _, tc := range tests {
		err := CheckBirthDate(tc.birth, asOf, 3, 22)
		if (err == nil) != tc.ok {
			t.Errorf("CheckBirthDate(%v) = %v, want ok %v", tc.birth, err, tc.ok)
		}
	}
}

func TestDateOrderCount(t *testing.T) {
	tests := []struct {
		name     string
		values   []string
		want     DateOrderCount
		dayFirst bool
	}{
		{"day first", []string{"25/04/2010", "03/04/2010", "13.01.09", "31-12-2011", "25042010"}, DateOrderCount{DayOnly: 4}, true},
		{"month first", []string{"04/25/2010", "03/04/2010", "12/31/2011", "04252010"}, DateOrderCount{MonthOnly: 3}, false},
		{"ambiguous only", []string{"03/04/2010", "01/01/2001", "12/12/12"}, DateOrderCount{}, false},
		{"not numeric with the year last", []string{"2010-04-25", "20100425", "25 April 2010", "", "  ", "99/99/2010", "2010/25/04"}, DateOrderCount{}, false},
		{"month first with a typo", append(slices.Repeat([]string{"04/25/2010"}, 5), "25/04/2010"), DateOrderCount{DayOnly: 1, MonthOnly: 5}, false},
		{"day first with a typo", append(slices.Repeat([]string{"25/04/2010"}, 9), "04/25/2010"), DateOrderCount{DayOnly: 9, MonthOnly: 1}, true},
		{"mixed", []string{"25/04/2010", "25/04/2010", "04/25/2010"}, DateOrderCount{DayOnly: 2, MonthOnly: 1}, false},
	}
	for _, tc := range tests {
		var got DateOrderCount
		for _, v := range tc.values {
			got.Add(v)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s: count (-want +got):\n%s", tc.name, d)
		}
		if got.DayFirst() != tc.dayFirst {
			t.Errorf("%s: DayFirst() = %v, want %v", tc.name, got.DayFirst(), tc.dayFirst)
		}
	}
}

func TestClearSharedBirthDates(t *testing.T) {
	// Each source gives n children a record each on their own dates (spread over
	// spread days, 4,000 unless it says), and k records a default date: k children's,
	// or one child's k records where one is true; the defaults take days in turn
	// (2015-01-01 alone unless days says).
	type source struct {
		n, k, spread int
		one          bool
		days         []string
	}
	tests := []struct {
		name    string
		sources []source
		want    []int // per source: how many records lose their date
	}{
		{"every record", []source{{n: 0, k: 120}}, []int{120}},
		{"a third of the records", []source{{n: 200, k: 100}}, []int{100}},
		{"a few in a hundred, far above the other dates", []source{{n: 1000, k: 40}}, []int{40}},
		{"too few records to stand out", []source{{n: 1000, k: CrowdedDateRecords - 1}}, []int{0}},
		{"no more than the others' twentyfold", []source{{n: 1000, k: 300, spread: 50}}, []int{0}},
		{"a source too small to tell", []source{{n: 0, k: MinSharedBirthDateRecords - 1}}, []int{0}},
		{"one child's many records", []source{{n: 100, k: 50, one: true}}, []int{0}},
		{"one source of two", []source{{n: 200, k: 10}, {n: 50, k: 150}}, []int{0, 150}},
		{"a year written as its first of January", []source{{n: 1000, k: 120, days: []string{"2015-01-01", "2016-01-01", "2017-01-01"}}}, []int{0}},
		{"two defaults", []source{{n: 1000, k: 80, days: []string{"2015-01-01", "1999-09-09"}}}, []int{80}},
	}
	given := []string{"Ava", "Ben", "Cy", "Dee", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jo", "Kai", "Lu", "Max", "Ned", "Oz", "Pia", "Quin", "Rex", "Sol", "Tia", "Uma", "Val"}
	family := []string{"Adams", "Baker", "Clark", "Davis", "Evans", "Frank", "Green", "Hill", "Irwin", "James", "King", "Lewis", "Moore"}
	for _, tt := range tests {
		var recs []Record
		var src []int32
		defaults := map[string]bool{}
		for s, so := range tt.sources {
			days, spread := so.days, so.spread
			if days == nil {
				days = []string{"2015-01-01"} // after every own date
			}
			if spread == 0 {
				spread = 4000
			}
			for i := range so.n + so.k {
				r := Record{Given: given[i*5%len(given)], Family: family[i*7%len(family)],
					BirthDate: time.Date(2002, 1, 2, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*7919%spread).Format("2006-01-02")}
				if i >= so.n {
					r.BirthDate = days[(i-so.n)%len(days)]
					defaults[r.BirthDate] = true
					if so.one {
						r.Given, r.Family = "Ana", "Ruiz"
					}
				}
				recs = append(recs, r)
				src = append(src, int32(s))
			}
		}
		tb := NewTable(len(recs), 0)
		p := NewPreparer(Options{})
		for i, r := range recs {
			p.Fill(tb, i, r)
		}
		shared := ClearSharedBirthDates(tb, src, MaxSSIDNameWords)
		got := make([]int, len(tt.sources))
		for _, sc := range shared {
			if sc.Role != RoleBirthDate || !defaults[sc.Value] {
				t.Errorf("%s: cleared %s %q, want a default birth date", tt.name, sc.Role, sc.Value)
			}
			got[src[sc.Records[0]]] += len(sc.Records)
			for _, i := range sc.Records {
				if !tb.BirthDate[i].IsZero() {
					t.Errorf("%s: record %d keeps its birth date", tt.name, i)
				}
			}
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("%s: records cleared per source (-want +got):\n%s", tt.name, d)
		}
	}
}
