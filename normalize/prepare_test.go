package normalize

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

func TestFill(t *testing.T) {
	p := NewPreparer(Options{})
	tb := NewTable(3, 1)
	tb.ExtraNames = []string{"state"}
	errs := p.Fill(tb, 0, Record{
		Given: "José", Middle: "Luis", Family: "García-López Jr.", BirthDate: "03/04/2010",
		Sex: "uri://ed-fi.org/SexDescriptor#Male", SSID: "160-4822", Grade: "KG", Address: "12 Main St.",
		City: "Salt Lake City", Zip: "84101-1234", LEA: " 42 ", Extra: []string{"UT"},
		OtherNames: []string{"Pepe Garcia"},
	})
	if len(errs) != 0 {
		t.Fatalf("unexpected errors: %v", errs)
	}
	if got := tb.Given[0]; got.Key != "jose" || len(got.Nicknames) == 0 {
		t.Errorf("given = %+v", got)
	}
	if got := tb.Family[0]; got.Key != "garcialopez" || !cmp.Equal(got.Tokens, []string{"garcia", "lopez"}) {
		t.Errorf("family = %+v", got)
	}
	want := struct {
		Suffix, SSID, Zip, LEA, Address, State string
		Date                                   Date
		Sex                                    Sex
		Grade                                  Grade
		OtherGiven, OtherFamily                string
	}{"jr", "1604822", "84101", "42", "12 main street", "ut", Date{2010, 3, 4}, SexMale, GradeK, "pepe", "garcia"}
	got := want
	got.Suffix, got.SSID, got.Zip, got.LEA = tb.Suffix[0], tb.SSID[0], tb.Zip[0], tb.LEA[0]
	got.Address, got.State = tb.Address[0].Folded, tb.Extra[0][0].Folded
	got.Date, got.Sex, got.Grade = tb.BirthDate[0], tb.Sex[0], tb.Grade[0]
	got.OtherGiven, got.OtherFamily = tb.OtherGiven[0][0].Key, tb.OtherFamily[0][0].Key
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("row 0 (-want +got):\n%s", d)
	}
	if !SameNicknameGroup(tb.Given[0].Nicknames, tb.OtherGiven[0][0].Nicknames) {
		t.Error("José and his alias Pepe share no nickname group")
	}

	// A full name is parsed when the parts are missing; bad values are reported, kept missing.
	errs = p.Fill(tb, 1, Record{FullName: "Smith, John Paul III", BirthDate: "13/45/2011", Sex: "Q", SSID: "xyz", Grade: "Z"})
	var fields []string
	for _, e := range errs {
		fields = append(fields, e.Field)
		if !strings.Contains(e.Error(), fmt.Sprintf("%q", e.Value)) {
			t.Errorf("error %q does not quote the value %q", e.Error(), e.Value)
		}
	}
	if d := cmp.Diff([]string{"birth_date", "sex", "ssid", "grade_level"}, fields); d != "" {
		t.Errorf("reported fields (-want +got):\n%s", d)
	}
	if tb.Given[1].Key != "john" || tb.Middle[1].Key != "paul" || tb.Family[1].Key != "smith" || tb.Suffix[1] != "iii" {
		t.Errorf("parsed full name: %q %q %q %q", tb.Given[1].Key, tb.Middle[1].Key, tb.Family[1].Key, tb.Suffix[1])
	}
	if !tb.BirthDate[1].IsZero() || tb.SSID[1] != "" {
		t.Error("bad values were not left missing")
	}
	// An empty record fills an empty row, with no errors.
	if errs := p.Fill(tb, 2, Record{}); len(errs) != 0 || !tb.Given[2].Empty() || !tb.Extra[0][2].Empty() {
		t.Errorf("empty record: %v %+v", errs, tb.Given[2])
	}

	// The name a child goes by, in brackets or quotes after the given name, is another
	// given name of the record.
	for _, tc := range []struct{ given, key, other string }{
		{"Margaret (Maggie)", "margaret", "maggie"}, {`Robert "Bob"`, "robert", "bob"}, {"(Bob)", "bob", ""}, {"Ana", "ana", ""},
	} {
		p.Fill(tb, 2, Record{Given: tc.given, Family: "Smith"})
		other := ""
		if len(tb.OtherGiven[2]) > 0 {
			other = tb.OtherGiven[2][0].Key
		}
		if got := [2]string{tb.Given[2].Key, other}; got != [2]string{tc.key, tc.other} {
			t.Errorf("given %q: name and other given name %q, want %q %q", tc.given, got, tc.key, tc.other)
		}
	}

	// A suffix written after the given name is split off it; a letter alone is a middle
	// initial as often, and stays one.
	for _, tc := range []struct{ given, key, middle, suffix string }{
		{"Noah III", "noah", "", "iii"}, {"Noah Jr.", "noah", "", "jr"}, {"Mary V", "mary", "v", ""}, {"Noah", "noah", "", ""},
	} {
		p.Fill(tb, 2, Record{Given: tc.given, Family: "Olson"})
		if got := [3]string{tb.Given[2].Folded, tb.Middle[2].Folded, tb.Suffix[2]}; got != [3]string{tc.key, tc.middle, tc.suffix} {
			t.Errorf("given %q: name, middle and suffix %q, want %q %q %q", tc.given, got, tc.key, tc.middle, tc.suffix)
		}
	}
}

// TestFillConcurrent runs Fill from many goroutines on different rows (run with -race).
func TestFillConcurrent(t *testing.T) {
	p := NewPreparer(Options{Dates: DateOptions{DayFirst: true}})
	const n = 2000
	tb := NewTable(n, 0)
	names := []string{"José", "María", "Nguyễn", "O'Brien", "Smith", "Garcia"}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 4 {
				p.Fill(tb, i, Record{Given: names[i%len(names)], Family: names[(i/7)%len(names)], BirthDate: "02/03/2010"})
			}
		}()
	}
	wg.Wait()
	for i := range n {
		if tb.Given[i].Key != Fold(names[i%len(names)]) || tb.BirthDate[i] != (Date{2010, 3, 2}) {
			t.Fatalf("row %d: %+v %v", i, tb.Given[i], tb.BirthDate[i])
		}
	}
}

// TestNameCacheBounded fills more distinct names than the cache keeps: the cache stops
// growing at its limit and names past it are prepared as well as cached ones.
func TestNameCacheBounded(t *testing.T) {
	p := NewPreparer(Options{})
	p.limit = 10
	tb := NewTable(40, 0)
	for i := 0; i < 40; i++ {
		p.Fill(tb, i, Record{Given: fmt.Sprintf("Name%c%c", 'a'+i%26, 'a'+i/26), Family: "García"})
	}
	stored := 0
	p.names.m.Range(func(_, _ any) bool { stored++; return true })
	if stored != 10 || p.names.stored.Load() != 10 {
		t.Errorf("cache holds %d names (counted %d), want 10", stored, p.names.stored.Load())
	}
	want := NewNamePart("Namenb", p.nick)
	if diff := cmp.Diff(want, *tb.Given[39]); diff != "" {
		t.Errorf("name prepared past the cache's limit (-want +got):\n%s", diff)
	}
	if tb.Family[39].Key != "garcia" {
		t.Errorf("cached family name: %q", tb.Family[39].Key)
	}
}

// TestNamesShared: records with one name share its prepared part, and a missing name is
// an empty part, never nil.
func TestNamesShared(t *testing.T) {
	p := NewPreparer(Options{})
	tb := NewTable(3, 0)
	p.Fill(tb, 0, Record{Given: "Ana", Family: "Silva"})
	p.Fill(tb, 1, Record{Given: "Ana", Family: "Okafor"})
	if tb.Given[0] != tb.Given[1] {
		t.Error("two records named Ana hold two prepared parts")
	}
	for i := range 3 {
		if tb.Middle[i] == nil || !tb.Middle[i].Empty() {
			t.Errorf("row %d: missing middle name %+v", i, tb.Middle[i])
		}
	}
	if tb.Given[2] == nil || !tb.Given[2].Empty() {
		t.Errorf("an unfilled row's given name is %+v", tb.Given[2])
	}
}

// TestTextsShared: records of one city, and with one value in an extra column, share its
// prepared Text (one copy of its strings for the collector to mark), and the shared Text
// is the one NewText gives.
func TestTextsShared(t *testing.T) {
	p := NewPreparer(Options{})
	tb := NewTable(2, 1)
	for i := range 2 {
		p.Fill(tb, i, Record{Given: "Ana", City: "Salt Lake City", Extra: []string{"2024-08-20"}})
	}
	if diff := cmp.Diff(NewText("Salt Lake City"), tb.City[1]); diff != "" {
		t.Errorf("city (-want +got):\n%s", diff)
	}
	if unsafe.StringData(tb.City[0].Key) != unsafe.StringData(tb.City[1].Key) || &tb.City[0].Tokens[0] != &tb.City[1].Tokens[0] {
		t.Error("two records in Salt Lake City hold two prepared copies of it")
	}
	if &tb.Extra[0][0].Tokens[0] != &tb.Extra[0][1].Tokens[0] {
		t.Error("two records with one entry date hold two prepared copies of it")
	}
}

// TestNewTableOneRow: the one-record table a query is prepared in (one allocation) is
// the table Grow makes, and grows like it.
func TestNewTableOneRow(t *testing.T) {
	want := &Table{}
	want.Grow(1)
	want.Extra = [][]Text{make([]Text, 1), make([]Text, 1)}
	got := NewTable(1, 2)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("NewTable(1, 2) (-Grow's +got):\n%s", diff)
	}
	if got.Given[0] != noName {
		t.Error("a missing name is not the shared empty part")
	}
	p := NewPreparer(Options{})
	p.Fill(got, 0, Record{Given: "Ana", Family: "Silva", City: "Provo"})
	if i := got.Grow(2); i != 1 || got.Len() != 3 || got.Given[0].Key != "ana" || got.City[0].Key != "provo" || !got.Given[2].Empty() {
		t.Errorf("after Grow(2): first new row %d, %d rows, row 0 %q %q", i, got.Len(), got.Given[0].Key, got.City[0].Key)
	}
}

// TestFillAgain: a row filled again holds only its new record, whatever the last one
// left there (a query's table is reused from one search to the next).
func TestFillAgain(t *testing.T) {
	p := NewPreparer(Options{})
	first := Record{Given: "Ana", Family: "Ruiz", BirthDate: "2010-31-04", SSID: "160-4822", Address: "12 Main St",
		OtherNames: []string{"Ana Lopez"}, Extra: []string{"UT"}}
	second := Record{Given: "Li", Family: "Wei", BirthDate: "2011-02-03", Extra: []string{""}}
	reused := NewTable(1, 1)
	p.Fill(reused, 0, first)
	if reused.WrittenBirthDate[0].IsZero() {
		t.Fatal("the first record's impossible date was not kept as written: the test shows nothing")
	}
	p.Fill(reused, 0, second)
	fresh := NewTable(1, 1)
	p.Fill(fresh, 0, second)
	if d := cmp.Diff(fresh, reused, cmp.Exporter(func(reflect.Type) bool { return true })); d != "" {
		t.Errorf("row filled again (-fresh +reused):\n%s", d)
	}
}

func TestIsMissingMarker(t *testing.T) {
	for _, s := range []string{"NA", "na", " N/A ", "#N/A", "NULL", "(null)", "<NA>", "None", "UNKNOWN", "-", "--", "?", "FNU", "lnu", "NFN", "Nln", "NMN"} {
		if !IsMissingMarker(s) {
			t.Errorf("IsMissingMarker(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"", "Nan", "NaN", "Nana", "Ana", "Noné", "N A", "NAN", "unknowns", "Ñ", "0", "Finn", "Lune", "NFNN"} {
		if IsMissingMarker(s) {
			t.Errorf("IsMissingMarker(%q) = true, want false", s)
		}
	}
}

// A record whose missing values are written as markers prepares as one with them blank,
// and no marker is reported as a value that could not be used.
func TestFillMissingMarkers(t *testing.T) {
	p := NewPreparer(Options{})
	marked := Record{Given: "NA", Middle: "null", Family: "Ruiz", Suffix: "N/A", BirthDate: "N/A", Sex: "None",
		SSID: "#N/A", LocalID: "-", Grade: "?", Address: " NULL ", City: "(null)", Zip: "<NA>", LEA: "unknown",
		School: "NA", OtherNames: []string{"None", "Ana Lopez"}, Extra: []string{"NA", "UT"}}
	blank := Record{Family: "Ruiz", OtherNames: []string{"", "Ana Lopez"}, Extra: []string{"", "UT"}}
	got, want := NewTable(1, 2), NewTable(1, 2)
	if errs := p.Fill(got, 0, marked); len(errs) != 0 {
		t.Errorf("markers reported as errors: %v", errs)
	}
	p.Fill(want, 0, blank)
	if d := cmp.Diff(want, got, cmp.Exporter(func(reflect.Type) bool { return true })); d != "" {
		t.Errorf("record with markers (-blank +marked):\n%s", d)
	}
	if marked.Given != "NA" || marked.Extra[0] != "NA" {
		t.Error("Fill changed the caller's record")
	}
}

// TestFillLostLetters reports a name whose export wrote a letter it could not hold as ?
// or U+FFFD, and still compares the rest of it.
func TestFillLostLetters(t *testing.T) {
	p := NewPreparer(Options{})
	for _, tc := range []struct {
		rec   Record
		roles []string
	}{
		{Record{Given: "Duc", Family: "Nguy?n"}, []string{"family_name"}},
		{Record{Given: "??c", Middle: "Van", Family: "Nguyen"}, []string{"given_name"}},
		{Record{FullName: "Nguy\ufffdn \ufffd\ufffdc"}, []string{"full_name"}},
		{Record{Given: "Duc", Family: "Nguyễn"}, nil},
	} {
		tab := NewTable(1, 0)
		var roles []string
		for _, e := range p.Fill(tab, 0, tc.rec) {
			if errors.Is(e.Err, ErrLostLetters) {
				roles = append(roles, e.Field)
			}
		}
		if d := cmp.Diff(tc.roles, roles); d != "" {
			t.Errorf("%+v: roles reported (-want +got):\n%s", tc.rec, d)
		}
		if tab.Family[0].Empty() {
			t.Errorf("%+v: family name dropped", tc.rec)
		}
	}
}

// TestFillBornOnEntry clears a birth date that is the day its student entered school,
// however the two are written, and reports it; a birth date on another day, beside a
// placeholder entry date or one that is not a date, is kept.
func TestFillBornOnEntry(t *testing.T) {
	p := NewPreparer(Options{})
	for _, tt := range []struct {
		birth, entry string
		dayFirst     bool
		want         Date
	}{
		{"2023-08-24", "2023-08-24", false, Date{}},
		{"08/24/2023", "2023-08-24T00:00:00", false, Date{}},
		{"24/08/2023", "24.08.2023", true, Date{}},
		{"03/04/2023", "2023-04-03", true, Date{}}, // the source's order reads both
		{"2012-08-24", "2023-08-24", false, Date{Year: 2012, Month: 8, Day: 24}},
		{"2023-08-25", "2023-08-24", false, Date{Year: 2023, Month: 8, Day: 25}}, // after: the entry date may be the one wrong
		{"1970-01-02", "1970-01-02", false, Date{}},
		{"2012-08-24", "", false, Date{Year: 2012, Month: 8, Day: 24}},
		{"2012-08-24", "not yet", false, Date{Year: 2012, Month: 8, Day: 24}},
		{"1900-01-01", "1900-01-01", false, Date{}}, // a placeholder either way: reported as one
		{"", "2023-08-24", false, Date{}},
	} {
		tab := NewTable(1, 0)
		errs := p.Fill(tab, 0, Record{Given: "Ana", Family: "Ruiz", BirthDate: tt.birth, EntryDate: tt.entry, DayFirst: tt.dayFirst})
		if tab.BirthDate[0] != tt.want {
			t.Errorf("born %q, entered %q: birth date %v, want %v", tt.birth, tt.entry, tab.BirthDate[0], tt.want)
		}
		var reported []string
		for _, e := range errs {
			if errors.Is(e.Err, ErrBornOnEntry) {
				reported = append(reported, e.Field)
			}
		}
		var want []string
		if tt.want.IsZero() && tt.birth != "" && tt.birth != "1900-01-01" {
			want = []string{string(RoleBirthDate)}
		}
		if d := cmp.Diff(want, reported); d != "" {
			t.Errorf("born %q, entered %q: fields reported (-want +got):\n%s", tt.birth, tt.entry, d)
		}
	}
}
