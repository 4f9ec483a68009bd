package normalize

import (
	"errors"
	"testing"
)

func TestOppositeSexes(t *testing.T) {
	for _, tc := range []struct {
		x, y Sex
		want bool
	}{
		{SexFemale, SexMale, true},
		{SexMale, SexFemale, true},
		{SexFemale, SexFemale, false},
		{SexNonBinary, SexFemale, false},
		{SexMale, SexNonBinary, false},
		{SexNonBinary, SexNonBinary, false},
		{SexUnknown, SexMale, false},
	} {
		if got := OppositeSexes(tc.x, tc.y); got != tc.want {
			t.Errorf("OppositeSexes(%v, %v) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
}

func TestParseSex(t *testing.T) {
	tests := []struct {
		in   string
		want Sex
		err  bool
	}{
		{"M", SexMale, false}, {"m", SexMale, false}, {"Male", SexMale, false}, {"1", SexMale, false},
		{"F", SexFemale, false}, {"Female", SexFemale, false}, {"2", SexFemale, false}, {"FEMALE ", SexFemale, false},
		{"X", SexNonBinary, false}, {"Non-binary", SexNonBinary, false},
		{"uri://ed-fi.org/SexDescriptor#Female", SexFemale, false},
		{"uri://ed-fi.org/SexDescriptor#Male", SexMale, false},
		{"uri://ed-fi.org/SexDescriptor#Not Selected", SexUnknown, false},
		{"Masculino", SexMale, false}, {"Femenino", SexFemale, false},
		{"", SexUnknown, false}, {"U", SexUnknown, false},
		{"banana", SexUnknown, true}, {"7", SexUnknown, true},
	}
	for _, tc := range tests {
		got, err := ParseSex(tc.in)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("ParseSex(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestParseGrade(t *testing.T) {
	tests := []struct {
		in   string
		want Grade
		err  bool
	}{
		{"PK", GradePreschool, false}, {"Pre-K", GradePreschool, false},
		{"K", GradeK, false}, {"KG", GradeK, false}, {"00", GradeK, false}, {"0", GradeK, false},
		{"01", Grade1, false}, {"1", Grade1, false}, {"09", Grade9, false}, {"12", Grade12, false},
		{"First grade", Grade1, false}, {"Grade 3", Grade3, false}, {"3rd", Grade3, false},
		{"Twelfth grade", Grade12, false},
		{"uri://ed-fi.org/GradeLevelDescriptor#Ninth grade", Grade9, false},
		{"uri://ed-fi.org/GradeLevelDescriptor#Kindergarten", GradeK, false},
		{"uri://ed-fi.org/GradeLevelDescriptor#Preschool/Prekindergarten", GradePreschool, false},
		{"uri://ed-fi.org/GradeLevelDescriptor#Infant/toddler", GradeInfant, false},
		{"Postsecondary", GradePostsecondary, false}, {"Ungraded", GradeUngraded, false},
		{"", GradeUnknown, false},
		{"14", GradeUnknown, true}, {"Grade Z", GradeUnknown, true},
	}
	for _, tc := range tests {
		got, err := ParseGrade(tc.in)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("ParseGrade(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	if Grade9.String() != "9" || GradeK.String() != "K" || GradePreschool.String() != "PK" {
		t.Error("Grade.String")
	}
}

func TestCleanID(t *testing.T) {
	tests := []struct {
		in, want string
		err      bool
	}{
		{"1234567", "1234567", false},
		{" 123-45 6789 ", "123456789", false},
		{"0012345", "0012345", false},
		{"SSID: 1234567", "1234567", false},
		{"#1234567", "1234567", false},
		{"'1234567'", "1234567", false},
		{"123.456.789", "123456789", false},
		{"412938402.0", "412938402", false}, // a spreadsheet's number
		{"412938402.00", "412938402", false},
		{"123.450", "123450", false}, // dotted, not a fraction of zeros
		{"", "", false},
		{"   ", "", false},
		{"unknown", "", true},
		{"12AB34", "", true},     // letters among the digits: a typo as often as not
		{"10006O4822", "", true}, // an O for a 0
		{"AE1234567", "AE1234567", false},
		{"SSID: ae-123 4567", "AE1234567", false}, // a label set off, the letters against the digits kept
		{"D4", "D4", false},
		{"E4", "E4", false}, // not D4's "4"
		{"ID#1234567", "1234567", false},
		{"AE-1234567", "AE1234567", false}, // joined by a dash: the ID's
		{"1234567-B", "1234567B", false},
		{"1234567 (new)", "1234567", false},
		{"12½34", "", true},
		{"123456789012345678901234567890123", "", true},
	}
	for _, tc := range tests {
		got, err := CleanID(tc.in)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("CleanID(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	if got := CleanLocalID(" ab-12 3 "); got != "AB123" {
		t.Errorf("CleanLocalID = %q", got)
	}
	for in, want := range map[string]string{"84101": "84101", "84101-1234": "84101", "841011234": "84101", "4011": "4011", "": "", "n/a": "",
		// A letter typed or scanned for the digit it looks like, in a ZIP-shaped value.
		"2821o": "28210", "277O5": "27705", "27g37": "27937", "277|3": "27713", "8410l-1234": "84101",
		// A postcode with letters of its own keeps them: SO14 3AB is not BN1 4AB.
		"SO14 3AB": "so143ab", "tq13 8df": "tq138df", "K1A 0B1": "k1a0b1", "1234 AB": "1234ab", "2o2o1": "2o2o1", "84x01": "84x01",
		// Five or nine digits are a ZIP, letters aside; a postcode without letters is its digits.
		"UT 84101": "84101", "ZIP 84101-1234": "84101", "2000": "2000"} {
		if got := CleanZip(in); got != want {
			t.Errorf("CleanZip(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlaceholderID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"000000000", true},
		{"999999999", true},
		{"123456789", true},
		{"0123456789", true},
		{"9876543210", true},
		{"901234567", true}, // a run wraps from 9 to 0
		{"1111", true},
		{"111", false}, // too short to tell
		{"12", false},
		{"", false},
		{"4000000014", false},
		{"123456780", false},
		{"1604822", false},
	}
	for _, tt := range tests {
		if got := PlaceholderID(tt.in); got != tt.want {
			t.Errorf("PlaceholderID(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestPlaceholderSSIDIsMissing: a placeholder SSID is reported and treated as missing, so
// that the children an LEA wrote it for are not one child.
func TestPlaceholderSSIDIsMissing(t *testing.T) {
	tb := NewTable(2, 0)
	p := NewPreparer(Options{})
	probs := p.Fill(tb, 0, Record{Given: "Leo", Family: "Ortiz", SSID: "000-00-0000"})
	if tb.SSID[0] != "" || len(probs) != 1 || !errors.Is(probs[0], ErrPlaceholderID) {
		t.Errorf("SSID %q, problems %v; want no SSID and one placeholder problem", tb.SSID[0], probs)
	}
	if probs := p.Fill(tb, 1, Record{Given: "Mila", Family: "Ortiz", SSID: "4000000014"}); tb.SSID[1] != "4000000014" || len(probs) != 0 {
		t.Errorf("SSID %q, problems %v; want 4000000014 and none", tb.SSID[1], probs)
	}
}

// TestPlaceholderBirthDate: 1 January 1900, written any way, is a birth date nobody
// entered: the record has none, and a problem says why; the day after is a date.
func TestPlaceholderBirthDate(t *testing.T) {
	p := NewPreparer(Options{})
	for _, tt := range []struct {
		in   string
		want Date
	}{
		{"1900-01-01", Date{}},
		{"01/01/1900", Date{}},
		{"19000101", Date{}},
		{"1900-01-02", Date{Year: 1900, Month: 1, Day: 2}},
		{"1753-01-01", Date{}},
		{"12/30/1899", Date{}},
		{"1899-12-31", Date{}},
		{"1970-01-01 00:00:00", Date{}},
		{"1970-01-02", Date{Year: 1970, Month: 1, Day: 2}},
	} {
		tab := NewTable(1, 0)
		errs := p.Fill(tab, 0, Record{Given: "Maria", Family: "Garcia", BirthDate: tt.in})
		if tab.BirthDate[0] != tt.want {
			t.Errorf("%s: birth date %v, want %v", tt.in, tab.BirthDate[0], tt.want)
		}
		placeholder := len(errs) == 1 && errs[0].Field == string(RoleBirthDate) && errors.Is(errs[0].Err, ErrPlaceholderDate)
		if placeholder != tt.want.IsZero() {
			t.Errorf("%s: problems %v", tt.in, errs)
		}
	}
}
