package backpack

import "testing"

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
