package normalize

import (
	"errors"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

func TestCleanEmail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ana.garcia@school.org", "ana.garcia@school.org"},
		{"  Ana.Garcia@School.ORG ", "ana.garcia@school.org"},
		{"mailto:ana@x.org", "ana@x.org"},
		{"MAILTO:<Ana@X.org>", "ana@x.org"},
		{"<ana@x.org>", "ana@x.org"},
		{"< mailto:ana@x.org >", "ana@x.org"},
		{"mailto:mailto:ana@x.org", "ana@x.org"},
		{"ana+lunch@x.org", "ana+lunch@x.org"},
		{"o'brien@x.ie", "o'brien@x.ie"},
		{"josé@correo.mx", "josé@correo.mx"},
		{"robert255@smith-jones.net", "robert255@smith-jones.net"},
		// Not an address.
		{"", ""},
		{"   ", ""},
		{"ana", ""},
		{"ana@", ""},
		{"@x.org", ""},
		{"ana@localhost", ""},
		{"ana@@x.org", ""},
		{"ana@b@x.org", ""},
		{"ana garcia@x.org", ""},
		{"ana@x .org", ""},
		{"ana\t@x.org", ""},
		{"ana\x00@x.org", ""},
		{"ana@x..org", ""},
		{"ana@.x.org", ""},
		{"ana@x.org.", ""},
		{"ana@x_y.org", ""},
		{"Ana Garcia <ana@x.org>", "ana@x.org"},
		{"ana@x.org,", "ana@x.org"},
		{"ana@x.org;", "ana@x.org"},
		{"jose\u0301@correo.mx", "josé@correo.mx"},
		{"a<b@x.org> <ana@x.org>", ""},
		{`"ana garcia"@x.org`, ""},
		{"<ana@x.org", ""},
		{"ana@x.org\xff", ""},
		{strings.Repeat("a", 250) + "@x.org", ""},
		// Placeholders.
		{"none@none.com", ""},
		{"noemail@school.org", ""},
		{"NoEmail@gmail.com", ""},
		{"no@x.org", ""},
		{"na@x.org", ""},
		{"n/a@x.org", ""},
		{"unknown@x.org", ""},
		{"null@x.org", ""},
		{"test@x.org", ""},
		{"noreply@x.org", ""},
		{"no.email@gmail.com", ""},
		{"no_email@x.org", ""},
		{"noemail123@x.org", ""},
		{"info@school.org", ""},
		{"parent@gmail.com", ""},
		{"Office@District.org", ""},
		{"info.garcia@x.org", "info.garcia@x.org"},
		{"ana123@x.org", "ana123@x.org"},
		{"ana@example.com", ""},
		{"N/A", ""},
		{"none", ""},
	}
	for _, tt := range tests {
		if got := CleanEmail(tt.in); got != tt.want {
			t.Errorf("CleanEmail(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCleanPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"(801) 555-2368", "8015552368"},
		{"801.555.2368", "8015552368"},
		{"+1 801 555 2368", "8015552368"},
		{"1-801-555-2368", "8015552368"},
		{"18015552368", "8015552368"},
		{"801-555-2368 x12", "8015552368"},
		{"801-555-2368 X 12", "8015552368"},
		{"801-555-2368 ext. 12", "8015552368"},
		{"801-555-2368 Ext12", "8015552368"},
		{"801-555-2368 #4", "8015552368"},
		{"555-2368", "5552368"},
		{"+44 20 7946 0958", "442079460958"},
		{"0044 20 7946 0958", "442079460958"},
		{"011 44 20 7946 0958", "442079460958"},
		{"0114 496 0000", "01144960000"}, // a UK area code, not a prefix
		{"8015552368.0", "8015552368"},
		{" 8015552368.00 ", "8015552368"},
		{"8.015552368E9", ""},
		{"8.0155523e+09", ""},
		{"801-555-2368 Opt 2", "8015552368"},
		{"801-555-2368 (cell)", "8015552368"},
		{"28015552368", "28015552368"},
		// Not a number.
		{"", ""},
		{"none", ""},
		{"555-236", ""},
		{"x5552368", "5552368"}, // no digits before the x: not an extension
		{"ext", ""},
		{"1234567890123456", ""},
		// Placeholders.
		{"0000000000", ""},
		{"(555) 555-5555", ""},
		{"999-9999", ""},
		{"1234567890", ""},
		{"0123456789", ""},
		{"123-4567", ""},
		{"1-111-111-1111", ""},
		{"801-555-0123", ""},
		{"801-555-0199", ""},
		{"801-555-0200", "8015550200"},
		{"555-1212", ""},
		{"(801) 555-1212", ""},
	}
	for _, tt := range tests {
		if got := CleanPhone(tt.in); got != tt.want {
			t.Errorf("CleanPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFillContacts: Fill cleans the contact columns, and a missing-value marker is
// missing.
func TestFillContacts(t *testing.T) {
	tb := NewTable(3, 0)
	p := NewPreparer(Options{})
	var problems []string
	for i, r := range []Record{
		{Email: " Ana@X.org ", Phone: "(801) 555-2368"},
		{Email: "NULL", Phone: "N/A"},
		{Email: "noemail@x.org", Phone: "000-000-0000"},
	} {
		for _, fe := range p.Fill(tb, i, r) {
			if !errors.Is(fe.Err, ErrNotContact) {
				t.Errorf("row %d: %v", i, fe)
			}
			problems = append(problems, fe.Field+" "+fe.Value)
		}
	}
	// A placeholder is reported; a missing-value marker is not.
	if d := cmp.Diff([]string{"email noemail@x.org", "phone 000-000-0000"}, problems); d != "" {
		t.Errorf("problems (-want +got):\n%s", d)
	}
	want := [][2]string{{"ana@x.org", "8015552368"}, {"", ""}, {"", ""}}
	for i, w := range want {
		if tb.Email[i] != w[0] || tb.Phone[i] != w[1] {
			t.Errorf("row %d: %q, %q, want %q, %q", i, tb.Email[i], tb.Phone[i], w[0], w[1])
		}
	}
	one := NewTable(1, 0)
	p.Fill(one, 0, Record{Email: "ana@x.org", Phone: "8015552368"})
	if one.Email[0] != "ana@x.org" || one.Phone[0] != "8015552368" {
		t.Errorf("one-row table: %q, %q", one.Email[0], one.Phone[0])
	}
}

// FuzzCleanEmail: CleanEmail never panics, is idempotent, and gives "" or one lower-case
// address: one '@', no spaces or control characters, a dot in the domain.
func FuzzCleanEmail(f *testing.F) {
	for _, s := range []string{"ana@x.org", " MAILTO:<Ana@X.org> ", "mailto:mailto:a@b.co", "<<a@b.co>>", "none@x.org",
		"a@b@c.org", "İ@x.org", "ǅ@x.org", "a@x..org", "\xff@x.org", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := CleanEmail(s)
		if again := CleanEmail(e); again != e {
			t.Fatalf("CleanEmail(%q) = %q, and again %q", s, e, again)
		}
		if e == "" {
			return
		}
		local, domain, _ := strings.Cut(e, "@")
		if strings.Count(e, "@") != 1 || local == "" || !strings.Contains(domain, ".") || e != strings.ToLower(e) ||
			strings.ContainsFunc(e, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			t.Fatalf("CleanEmail(%q) = %q, not an address as documented", s, e)
		}
	})
}

// FuzzCleanPhone: CleanPhone never panics, is idempotent, and gives "" or 7 to 15
// digits, never an 11-digit number starting with 1.
func FuzzCleanPhone(f *testing.F) {
	for _, s := range []string{"(801) 555-2368", "+1 801 555 2368 ext 4", "0000000", "x123", "12345678901", "#1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := CleanPhone(s)
		if again := CleanPhone(p); again != p {
			t.Fatalf("CleanPhone(%q) = %q, and again %q", s, p, again)
		}
		if p == "" {
			return
		}
		if len(p) < 7 || len(p) > 15 || strings.ContainsFunc(p, func(r rune) bool { return r < '0' || r > '9' }) ||
			len(p) == 11 && p[0] == '1' {
			t.Fatalf("CleanPhone(%q) = %q, not digits as documented", s, p)
		}
	})
}

// TestClearSharedContacts: a phone number that the records of seven family names carry
// is no household's and is cleared; one a household shares (two compound names and a
// step-family's under six spellings; a typo counting as the same word: Smith, Smyth) is
// kept.
func TestClearSharedContacts(t *testing.T) {
	records := []Record{
		{Given: "Ana", Family: "Smith", Email: "smith@x.org", Phone: "801-555-2368"},
		{Given: "Leo", Family: "Smyth", Email: "smith@x.org", Phone: "801-555-2368"},
		{Given: "Mia", Family: "Jones", Phone: "801-555-2368"},
		{Given: "Sam", Family: "Brown", Phone: "801-555-2368"},
		{Given: "Eva", Family: "Garcia", Phone: "801-555-2368"},
		{Given: "Kai", Family: "Nguyen", Phone: "801-555-2368"},
		{Given: "Ida", Family: "Olsen", Phone: "801-555-2368"},
		{Given: "Raj", Family: "Patel", Phone: "801-555-2368"},
		{Given: "Zoe", Phone: "801-555-2368"},
		{Given: "Ava", Family: "Smith", Phone: "385-555-7000"},
		{Given: "Eli", Family: "Jones", Phone: "385-555-7000"},
		// One household under six spellings of three families' names: three words.
		{Given: "Ana", Family: "Garcia", Email: "garcia.lopez@x.org"},
		{Given: "Luis", Family: "García López", Email: "garcia.lopez@x.org"},
		{Given: "Rosa", Family: "Lopez Garcia", Email: "garcia.lopez@x.org"},
		{Given: "Juan", Family: "Lopes", Email: "garcia.lopez@x.org"},
		{Given: "Pedro", Family: "Hernandez", Email: "garcia.lopez@x.org"},
		{Given: "Tomás", Family: "Lopez-Hernandez", Email: "garcia.lopez@x.org"},
	}
	tb := NewTable(len(records), 0)
	p := NewPreparer(Options{})
	for i, r := range records {
		p.Fill(tb, i, r)
	}
	got := ClearSharedContacts(tb, MaxContactFamilyWords)
	want := []SharedContact{{Role: RolePhone, Value: "8015552368", Records: []int{0, 1, 2, 3, 4, 5, 6, 7, 8}, Words: 7}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("shared (-want +got):\n%s", d)
	}
	for i := range 9 {
		if tb.Phone[i] != "" {
			t.Errorf("record %d keeps phone %q", i, tb.Phone[i])
		}
	}
	if tb.Phone[9] != "3855557000" || tb.Email[0] != "smith@x.org" || tb.Email[1] != "smith@x.org" || tb.Email[11] != "garcia.lopez@x.org" {
		t.Errorf("household contacts cleared: %q, %q, %q, %q", tb.Phone[9], tb.Email[0], tb.Email[1], tb.Email[11])
	}
	if n := nameWords(tb, []int{11, 12, 13, 14, 15, 16}, false); n != 3 {
		t.Errorf("nameWords(Garcia, García López, Lopez Garcia, Lopes, Hernandez, Lopez-Hernandez) = %d, want 3", n)
	}
	// With seven words allowed, the number is kept.
	tb2 := NewTable(len(records), 0)
	for i, r := range records {
		p.Fill(tb2, i, r)
	}
	if got := ClearSharedContacts(tb2, 7); len(got) != 0 {
		t.Errorf("seven words allowed: %+v", got)
	}
}

// TestClearSharedSSIDs: an SSID that the records of many children carry (an LEA's
// default for students without a state ID) is no child's and is cleared, even where the
// families share a dozen clan names (Hmong: Vang, Xiong, Yang …) or write them in another
// script; one child's SSID under her names' spellings, a nickname, a stepfamily's name
// and a second family name is kept; e-mail addresses and phones are ClearSharedContacts's.
func TestClearSharedSSIDs(t *testing.T) {
	clans := []string{"Vang", "Xiong", "Yang", "Lee", "Thao", "Her", "Moua", "Lor", "Vue", "Hang"}
	givens := []string{"Pa", "Mai", "Kou", "Nou", "Chue", "Tou", "Yeng", "Shoua", "Pheng", "Ka", "Lia", "Fue"}
	var records []Record
	for k, g := range givens {
		records = append(records, Record{Given: g, Family: clans[k%len(clans)], SSID: "1000000000", Phone: "801-555-2368"})
	}
	for _, n := range [][2]string{{"伟", "王"}, {"Анна", "Иванова"}, {"Ali", "حسن"}, {"Olga", "Петрова"}, {"芳", "李"}, {"Omar", "محمد"}, {"Ivan", "Смирнов"}} {
		records = append(records, Record{Given: n[0], Family: n[1], SSID: "2000000000"})
	}
	child := [][2]string{{"Ana", "García López"}, {"Anita", "Garcia"}, {"Ana Sofía", "Lopes"}, {"Sofia", "Hernández"}, {"Ana", "López-Hernández"}, {"Anna", "Garsia"}}
	for _, n := range child {
		records = append(records, Record{Given: n[0], Family: n[1], SSID: "4412345678"})
	}
	tb := NewTable(len(records), 0)
	p := NewPreparer(Options{})
	for i, r := range records {
		p.Fill(tb, i, r)
	}
	got := ClearSharedSSIDs(tb, MaxSSIDNameWords)
	var values []string
	for _, s := range got {
		values = append(values, s.Value)
		if s.Words <= MaxSSIDNameWords {
			t.Errorf("%s cleared at %d words", s.Value, s.Words)
		}
	}
	if d := cmp.Diff([]string{"1000000000"}, values); d != "" {
		t.Errorf("cleared (-want +got):\n%s", d)
	}
	for i, r := range records {
		cleared := r.SSID == "1000000000"
		if cleared != (tb.SSID[i] == "") {
			t.Errorf("record %d (%s %s, SSID %s): SSID now %q", i, r.Given, r.Family, r.SSID, tb.SSID[i])
		}
		if r.Phone != "" && tb.Phone[i] == "" {
			t.Errorf("record %d lost its phone", i)
		}
	}
	if n := nameWords(tb, []int{12, 13, 14, 15, 16, 17, 18}, true); n != 14 {
		t.Errorf("nameWords of seven names in other scripts = %d, want 14 (each word itself)", n)
	}
	if n := nameWords(tb, []int{19, 20, 21, 22, 23, 24}, true); n > 8 {
		t.Errorf("nameWords of one child's six records = %d, want at most 8", n)
	}
	// Seven children in other scripts hold 14 words: within the bound, kept.
}
