package backpack

import (
	"errors"
	"testing"
)

// CleanSSID refuses what names no student consistently: 1234567 is a run, and so are
// padded runs and short numbers padded with zeros.
func TestCleanSSIDPadding(t *testing.T) {
	for _, tt := range []struct {
		in, want string // want "" when refused
	}{
		{" 1000-604-822 ", "1000604822"},
		{"0100060482", "0100060482"}, // one leading zero, nine digits after it
		{"000604822", "000604822"},   // six digits after the zeros
		{"1234567", ""},              // a run
		{"0001234567", ""},           // a run behind zeros
		{"000000001", ""},            // one digit behind zeros
		{"000000000123", ""},         // three
		{"0000060482", ""},           // five
		{"000000000", ""},            // all zeros
		{"0000999999", ""},           // one digit repeated behind zeros
		{"000000000000000000", ""},   // too long anyway
	} {
		got, err := CleanSSID(tt.in)
		if got != tt.want || (err == nil) != (tt.want != "") || err != nil && !errors.Is(err, ErrNoSSID) {
			t.Errorf("CleanSSID(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// An ID that renders as another — an invisible character inside it, a combining mark of
// no script, a letter of another script — is refused, so it cannot pass for that other
// ID in the audit log or slip past sameIdentity. IDs wholly in one script, with digits
// and punctuation, are fine.
func TestCheckIDLookalikes(t *testing.T) {
	for _, tt := range []struct {
		id string
		ok bool
	}{
		{"clerk", true},
		{"registrar-2", true},
		{"José.Pérez", true},
		{"сотрудник-7", true}, // Cyrillic alone
		{"教師01", true},
		{"ｃｌｅｒｋ", true},        // fullwidth: sameIdentity folds it to clerk
		{"cl\u034ferk", false}, // combining grapheme joiner
		{"clerk\ufe0f", false}, // variation selector-16
		{"clerk\u200d", false}, // zero-width joiner
		{"cl\u00aderk", false}, // soft hyphen
		{"cl\u3164erk", false}, // Hangul filler
		{"\u0441lerk", false},  // Cyrillic es among Latin
		{"clerκ", false},       // Greek kappa among Latin
		{"Jose\u0301", true},   // NFC composes it: "José"
		{"q\u0301", false},     // a combining accent NFC leaves alone
		{"clerk\u202e", false}, // right-to-left override
		{" clerk", false},
	} {
		err := checkID("ID", tt.id)
		if (err == nil) != tt.ok {
			t.Errorf("checkID(%q) = %v, want ok %v", tt.id, err, tt.ok)
		}
	}
}
