package normalize

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func FuzzName(f *testing.F) {
	for _, s := range []string{"José García-López", "Smith, John Paul Jr.", "O'Brien", "Nguyễn Thị Ánh",
		"De La Cruz, María", "\xff\x00", "", "Ærøskøbing ß", "Kaʻahumanu III", ",,,", "Jr", "Dr. Sir John", "Mrs", " a  b ", "a\u00a0b", "a\tb", "\ufffd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) <= maxValue && Display(s) != display(s) {
			t.Errorf("Display(%q) = %q, its copy %q", s, Display(s), display(s))
		}
		folded := Fold(s)
		if Fold(folded) != folded {
			t.Errorf("Fold not idempotent: %q → %q → %q", s, folded, Fold(folded))
		}
		if !utf8.ValidString(folded) || strings.Contains(folded, "  ") || strings.TrimSpace(folded) != folded {
			t.Errorf("Fold(%q) = %q is not clean", s, folded)
		}
		txt := NewText(s)
		if again := NewText(txt.Folded); again.Key != txt.Key || again.Folded != txt.Folded {
			t.Errorf("NewText not idempotent on %q", s)
		}
		n := ParseName(s)
		for _, part := range []string{n.Given, n.Middle, n.Family} {
			if !utf8.ValidString(part) {
				t.Errorf("ParseName(%q) gave invalid UTF-8 %q", s, part)
			}
		}
		// Parsing the parsed name written "Family, Given Middle" keeps the parts.
		if n.Family != "" && n.Given != "" && !strings.Contains(s, ",") {
			re := ParseName(n.Family + ", " + strings.TrimSpace(n.Given+" "+n.Middle))
			if Fold(re.Given) != Fold(n.Given) {
				t.Errorf("ParseName(%q) = %+v, reparsed %+v", s, n, re)
			}
		}
		// Written family name first, the name reads back so.
		if ff := ParseNameFamilyFirst(s); !strings.Contains(s, ",") {
			for _, part := range []string{ff.Given, ff.Middle, ff.Family} {
				if !utf8.ValidString(part) {
					t.Errorf("ParseNameFamilyFirst(%q) gave invalid UTF-8 %q", s, part)
				}
			}
			if n.Family != "" && n.Given != "" && !IsTitle(n.Family) && !IsTitle(n.Given) && SuffixCode(n.Given) == "" && !strings.Contains(n.Family, " ") && !familyParticles[Fold(n.Family)] {
				re := ParseNameFamilyFirst(n.Family + " " + strings.TrimSpace(n.Given+" "+n.Middle))
				if Fold(re.Given) != Fold(n.Given) || Fold(re.Family) != Fold(n.Family) {
					t.Errorf("ParseName(%q) = %+v, written family first and read so %+v", s, n, re)
				}
			}
		}
		var order NameOrderCount
		if order.Add(s); order.Counted() > 1 {
			t.Errorf("NameOrderCount.Add(%q) counted %+v", s, order)
		}
		if st := StripTitles(s); StripTitles(st) != st || len(st) > len(s) {
			t.Errorf("StripTitles(%q) = %q, again %q", s, st, StripTitles(st))
		}
		if g, m := SplitInitial(s, ""); m != "" && (utf8.RuneCountInString(m) != 1 || len(g) >= len(s)) {
			t.Errorf("SplitInitial(%q) = %q, %q", s, g, m)
		}
		p := NewNamePart(s, sharedDefault())
		if p.Key != txt.Key {
			t.Errorf("NamePart key %q != Text key %q", p.Key, txt.Key)
		}
	})
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"2006-01-02", "01/02/06", "20060102", "Jan 2, 2006", "2 January 2006",
		"2006-01-02T00:00:00-07:00", "2010-02-30", "13/45/2011", "", "\x00", "99/99/99",
		"25/04/2010", "04/25/2010", "25042010", "2012", "March 2012", "2012-03", "19001079", "Monday, January 2, 2006"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, dayFirst bool) {
		// A date DateOrderCount finds valid one way only reads that way either way.
		var order DateOrderCount
		order.Add(s)
		if order.DayOnly+order.MonthOnly > 1 {
			t.Fatalf("DateOrderCount.Add(%q) counted %+v", s, order)
		}
		if order.DayOnly+order.MonthOnly == 1 {
			m, errM := ParseDate(s, DateOptions{})
			d, errD := ParseDate(s, DateOptions{DayFirst: true})
			if errM != nil || errD != nil || m != d {
				t.Errorf("%q counted %+v, but reads %v, %v month first and %v, %v day first", s, order, m, errM, d, errD)
			}
		}
		opt := DateOptions{DayFirst: dayFirst}
		d, err := ParseDate(s, opt)
		if err != nil {
			if !d.IsZero() {
				t.Errorf("ParseDate(%q) returned %v with error %v", s, d, err)
			}
			// A year alone or with its month names a year and month the calendar has.
			if imp, ok := errors.AsType[*ImpossibleDateError](err); ok && strings.Contains(err.Error(), "names only") &&
				(!imp.Written.Partial() || checkYMD(int(imp.Written.Year), max(int(imp.Written.Month), 1), 1) != nil) {
				t.Errorf("ParseDate(%q) wrote %+v", s, imp.Written)
			}
			return
		}
		if d.IsZero() {
			if strings.TrimSpace(s) != "" {
				t.Errorf("ParseDate(%q) = zero date without error", s)
			}
			return
		}
		if checkYMD(int(d.Year), int(d.Month), int(d.Day)) != nil {
			t.Fatalf("ParseDate(%q) = impossible date %v", s, d)
		}
		back, err := ParseDate(d.String(), opt)
		if err != nil || back != d {
			t.Errorf("ParseDate(%q) = %v, which reparses to %v, %v", s, d, back, err)
		}
		if DateFromDayNumber(d.DayNumber()) != d {
			t.Errorf("day number round trip of %v", d)
		}
	})
}

// FuzzCleanZip: any input gives digits and lower-case letters only, a digit among them
// (or ""), at most five digits when there is no letter among them but a longer
// postcode's, and never panics.
func FuzzCleanZip(f *testing.F) {
	for _, s := range []string{"84101", "2821o", "84101-1234", "SO14 3AB", "", "o", "lllll", "UT 84101", "k1a 0b1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		z := CleanZip(s)
		digits := 0
		for i := 0; i < len(z); i++ {
			switch c := z[i]; {
			case '0' <= c && c <= '9':
				digits++
			case c < 'a' || c > 'z':
				t.Fatalf("CleanZip(%q) = %q holds %q", s, z, c)
			}
		}
		if z != "" && digits == 0 {
			t.Fatalf("CleanZip(%q) = %q holds no digit", s, z)
		}
	})
}

// FuzzCleanID: CleanID gives digits and upper-case letters only (at most 32, a digit
// among them) or an error, cleaning its own output to itself, and PlaceholderID calls a
// cleaned ID a placeholder only when it is digits, one repeated or a run.
func FuzzCleanID(f *testing.F) {
	for _, s := range []string{"1604822", "SSID: 160-4822", "000000000", "123456789", "98765", "12a34", "", "#", "AE1234567", "ssid: ae-123 4567x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := CleanID(s)
		if err != nil {
			if id != "" {
				t.Fatalf("CleanID(%q) = %q with error %v", s, id, err)
			}
			return
		}
		if len(id) > 32 {
			t.Fatalf("CleanID(%q) = %q, over 32 characters", s, id)
		}
		if again, err := CleanID(id); again != id || err != nil {
			t.Fatalf("CleanID(%q) = %q, which cleans to %q, %v", s, id, again, err)
		}
		digits, steps := true, map[int]bool{}
		for i := 0; i < len(id); i++ {
			switch c := id[i]; {
			case 'A' <= c && c <= 'Z':
				digits = false
			case c < '0' || c > '9':
				t.Fatalf("CleanID(%q) = %q holds %q", s, id, c)
			}
			if i > 0 {
				steps[(int(id[i])-int(id[i-1])+10)%10] = true
			}
		}
		if id != "" && !strings.ContainsAny(id, "0123456789") {
			t.Fatalf("CleanID(%q) = %q holds no digit", s, id)
		}
		oneStep := len(steps) == 1 && (steps[0] || steps[1] || steps[9])
		if PlaceholderID(id) != (len(id) >= 4 && digits && oneStep) {
			t.Fatalf("PlaceholderID(%q) = %v", id, PlaceholderID(id))
		}
	})
}

// FuzzNewText: a Text's tokens are the words of Folded and its Key is Folded without
// spaces, whatever the input (NewText builds all three in one allocation).
func FuzzNewText(f *testing.F) {
	for _, s := range []string{"12 Main St.", "García-López", "", "   ", "O'Brien", "a  b\tc", "ø ß æ", "सुनील", "ガ", "مُحَمَّد", "は’゚", "Mаша", "A1В2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x := NewText(s)
		if x.Folded != Fold(s) {
			t.Fatalf("NewText(%q).Folded = %q, want Fold's %q", s, x.Folded, Fold(s))
		}
		if again := Fold(x.Folded); again != x.Folded {
			t.Fatalf("Fold(Fold(%q)) = %q, want %q", s, again, x.Folded)
		}
		want := strings.Fields(x.Folded)
		if len(want) == 0 {
			want = nil
		}
		if diff := cmp.Diff(want, x.Tokens); diff != "" {
			t.Fatalf("NewText(%q).Tokens (-want +got):\n%s", s, diff)
		}
		if key := strings.Join(want, ""); x.Key != key {
			t.Fatalf("NewText(%q).Key = %q, want %q", s, x.Key, key)
		}
	})
}

// FuzzSplitKnownAs: any given name splits without a panic into a name and the name the
// child goes by, both non-empty and no longer than the input when a part was found, the
// input itself otherwise.
func FuzzSplitKnownAs(f *testing.F) {
	for _, s := range []string{"Margaret (Maggie)", `Robert "Bob"`, "(Bob)", "Ana", "a (", `"`, "“Bo” Jo", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, known := SplitKnownAs(s)
		switch {
		case known == "" && name != s:
			t.Fatalf("SplitKnownAs(%q) = %q, %q: no part found, yet the name changed", s, name, known)
		case known != "" && (name == "" || len(name)+len(known) > len(s)):
			t.Fatalf("SplitKnownAs(%q) = %q, %q", s, name, known)
		}
	})
}
