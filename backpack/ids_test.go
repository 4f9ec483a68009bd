package backpack

import (
	"errors"
	"testing"
)

// CleanSSID keeps zero-padded IDs, as states issue them (it took them at a4341ab and
// refused them for a while after): leading zeros are digits of the ID. It refuses what
// names no student: too few or too many digits, one digit repeated, a run.
func TestCleanSSIDPadding(t *testing.T) {
	for _, tt := range []struct {
		in, want string // want "" when refused
	}{
		{" 1000-604-822 ", "1000604822"},
		{"0100060482", "0100060482"},
		{"000604822", "000604822"},
		{"001234567", "001234567"},
		{"000123456", "000123456"},
		{"0000058213", "0000058213"},
		{"000058213", "000058213"},
		{"0058213", "0058213"},
		{"0001234567", "0001234567"},
		{"1234567", ""},            // a run
		{"123456789", ""},          // a run
		{"9876543210", ""},         // a run
		{"000000000", ""},          // all zeros
		{"999999999", ""},          // one digit repeated
		{"012345", ""},             // a run
		{"0", ""},                  // too short
		{"-0-", ""},                // too short
		{"1/2/3", ""},              // too short
		{"000000000000000000", ""}, // too long anyway
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
