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
		t.Run(c.name, func(t *testing.T) {
			err := checkPerson([]personText{{"firstName", c.value, maxName}})
			switch {
			case c.want == "" && err != nil:
				t.Errorf("%q refused: %v", c.value, err)
			case c.want != "" && err == nil:
				t.Errorf("%q accepted, want refused (%s)", c.value, c.want)
			case c.want != "" && !strings.Contains(err.Error(), c.want):
				t.Errorf("%q: %v, want %q", c.value, err, c.want)
			}
		})
	}
}
