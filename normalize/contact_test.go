package normalize

import (
	"strings"
	"testing"
	"unicode"
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
		{"Ana Garcia <ana@x.org>", ""},
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
	p.Fill(tb, 0, Record{Email: " Ana@X.org ", Phone: "(801) 555-2368"})
	p.Fill(tb, 1, Record{Email: "NULL", Phone: "N/A"})
	p.Fill(tb, 2, Record{Email: "noemail@x.org", Phone: "000-000-0000"})
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
