package service

import (
	"strings"
	"testing"
)

// TestSpelledJoiners: a zero-width non-joiner or joiner is accepted where a name's
// spelling puts one — between two letters or marks of one script written with them
// (Persian in the Arabic script, the Indic scripts, Syriac…), an Arabic vowel sign
// counting as of its letter's script — and refused beside a Latin letter, at either end,
// doubled, beside a space or between two scripts; every other format character stays
// refused.
func TestSpelledJoiners(t *testing.T) {
	const joiner = "must not hold a zero-width joiner or non-joiner"
	const cf = "must not hold invisible formatting characters"
	for _, c := range []struct {
		name, value string
		want        string // in the error; "" for accepted
	}{
		{"Persian: Mohammad‌Reza", "محمد\u200cرضا", ""},
		{"Persian: mi‌khaham", "می\u200cخواهم", ""},
		{"Persian: after a vowel sign (Inherited)", "مُ\u200cحمد", ""},
		{"Hindi: ZWJ after a virama (half form)", "क्\u200dष", ""},
		{"Hindi: ZWNJ after a virama", "क्\u200cष", ""},
		{"Marathi: ZWJ eyelash ra", "र्\u200dया", ""},
		{"Malayalam: ZWNJ between consonants", "ക\u200cക", ""},
		{"Sinhala: yansaya", "ක්\u200dය", ""},
		{"Bengali: ZWNJ", "ক্\u200cত", ""},
		{"Syriac: ZWJ", "ܐ\u200dܒ", ""},
		{"Latin: Li‍sa", "Li\u200dsa", joiner + " (U+200D at character 3"},
		{"Latin: Li‌sa", "Li\u200csa", joiner + " (U+200C at character 3"},
		{"Latin before, Arabic after", "a\u200cرضا", joiner},
		{"Arabic before, Devanagari after", "محمد\u200cक", joiner},
		{"at the start", "\u200cمحمد", joiner + " (U+200C at character 1"},
		{"at the end", "محمد\u200c", joiner + " (U+200C at character 5"},
		{"doubled", "محمد\u200c\u200cرضا", joiner + " (U+200C at character 5"},
		{"ZWNJ then ZWJ", "क्\u200c\u200dष", joiner},
		{"beside a space", "محمد \u200cرضا", joiner},
		{"before an Inherited mark", "محمد\u200c\u064eرضا", joiner},
		{"Cyrillic", "Ив\u200cан", joiner},
		{"Han", "李\u200d明", joiner},
		{"digits", "1\u200c2", joiner},
		{"ZWSP in Persian", "محمد\u200bرضا", cf + " (zero-width spaces and joiners, soft hyphens, byte order marks: Unicode Cf); got U+200B"},
		{"word joiner in Hindi", "क\u2060ष", cf},
		{"Arabic letter mark", "محمد\u061cرضا", cf},
	} {
		t.Run(c.name, func(t *testing.T) { checkFirstName(t, c.value, c.want) })
	}
}

// TestSpellingMarks: a Mongolian vowel separator (U+180E) between two Mongolian
// letters, an ideographic variation selector (U+E0100–U+E01EF) right after a Han
// character, and a zero-width joiner right after the virama of an Indic script even at a
// word's end (Malayalam and Bengali as written before their chillu and khanda ta
// letters) are part of a name's spelling and accepted; elsewhere they stay refused.
func TestSpellingMarks(t *testing.T) {
	const joiner = "must not hold a zero-width joiner or non-joiner"
	const cf = "must not hold invisible formatting characters"
	const ign = "must not hold invisible default-ignorable characters"
	for _, c := range []struct {
		name, value string
		want        string // in the error; "" for accepted
	}{
		{"Mongolian: vowel separator before a final a", "ᠬᠠᠳ\u180eᠠ", ""},
		{"Mongolian: vowel separator after a free variation selector", "ᠨ\u180b\u180eᠠ", ""},
		{"vowel separator at the end", "ᠬᠠᠳ\u180e", cf},
		{"vowel separator at the start", "\u180eᠠ", cf},
		{"vowel separator doubled", "ᠬᠠᠳ\u180e\u180eᠠ", cf},
		{"vowel separator in Latin", "Ka\u180eda", cf},
		{"Han: ideographic variation selector", "葛\U000e0100飾", ""},
		{"Han: ideographic variation selector at the end", "邉\U000e0101", ""},
		{"ideographic variation selector after Latin", "Quill\U000e0100", ign},
		{"ideographic variation selector doubled", "葛\U000e0100\U000e0101", ign},
		{"ideographic variation selector at the start", "\U000e0100葛", ign},
		{"standard variation selector after Han", "葛\ufe00", ign},
		{"Malayalam: ZWJ after a virama at the end", "അനില്\u200d", ""},
		{"Malayalam: ZWJ after a virama before a space", "അനില്\u200d കുമാർ", ""},
		{"Bengali: ZWJ after a virama at the end", "সত্\u200d", ""},
		{"Malayalam: ZWJ at the end, no virama", "അനില\u200d", joiner},
		{"Malayalam: ZWNJ after a virama at the end", "അനില്\u200c", joiner},
		{"ZWJ after a virama, doubled", "അനില്\u200d\u200d", joiner},
		{"ZWJ after a Latin letter at the end", "Anil\u200d", joiner},
	} {
		t.Run(c.name, func(t *testing.T) { checkFirstName(t, c.value, c.want) })
	}
}

// checkFirstName checks a first name: accepted when want is "", else refused with an
// error holding want.
func checkFirstName(t *testing.T, value, want string) {
	t.Helper()
	err := checkPerson([]personText{{"firstName", value, maxName}})
	switch {
	case want == "" && err != nil:
		t.Errorf("%q refused: %v", value, err)
	case want != "" && err == nil:
		t.Errorf("%q accepted, want refused (%s)", value, want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("%q: %v, want %q", value, err, want)
	}
}
