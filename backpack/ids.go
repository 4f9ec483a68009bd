package backpack

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/studentlink/studentlink/normalize"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// ErrNoSSID is wrapped by the errors for a value that is not a usable state student ID.
var ErrNoSSID = errors.New("not a usable SSID")

// SSID lengths CleanSSID accepts, in characters (digits and letters).
const (
	MinSSIDDigits = 6
	MaxSSIDDigits = 16
)

// CleanSSID returns a state student ID (SSID) cleaned as normalize.CleanID cleans IDs
// (" 1000-604-822 " → "1000604822"; Ohio's "ae-1234567" → "AE1234567"). A value without
// digits, with other characters among them, shorter than MinSSIDDigits or longer than
// MaxSSIDDigits characters ("0", "-0-", "1/2/3"), or a placeholder — one digit repeated
// (000000000, 999999999) or a run (123456789, 9876543210) — is an error quoting it and
// wrapping ErrNoSSID. A blank value is an error too. Leading zeros are digits of the ID:
// states issue zero-padded IDs (001234567, 0000058213), which are real students'.
func CleanSSID(s string) (string, error) {
	clean, err := normalize.CleanID(s)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoSSID, err)
	}
	switch {
	case clean == "":
		return "", fmt.Errorf("%w: %q is blank", ErrNoSSID, s)
	case len(clean) < MinSSIDDigits || len(clean) > MaxSSIDDigits:
		return "", fmt.Errorf("%w: %q has %d characters, want %d to %d", ErrNoSSID, s, len(clean), MinSSIDDigits, MaxSSIDDigits)
	case normalize.PlaceholderID(clean):
		return "", fmt.Errorf("%w: %q is a placeholder, not a student's ID", ErrNoSSID, s)
	}
	return clean, nil
}

// MaxIDSize is the longest staff, guardian or LEA ID accepted, in bytes.
const MaxIDSize = 128

// checkID checks a staff, guardian or LEA identifier: 1 to MaxIDSize bytes of UTF-8,
// letters, digits, punctuation, symbols and inner spaces only, so that one ID cannot
// pass for another in the audit log or slip past sameIdentity. Refused: control
// characters; invisible ones — format characters (Cf: ZWJ U+200D, soft hyphen, bidi
// controls) and every other default-ignorable code point (the combining grapheme joiner
// U+034F, variation selectors such as U+FE0F, Hangul fillers); a space at either end; a
// combining mark of no script of its own (U+0300–U+036F and the like) that NFC does not
// compose into a letter ("e" and U+0301 are "é"; "q" and U+0301 stay two); and letters
// or marks of two scripts ("\u0441lerk": a Cyrillic es beside Latin). Digits, punctuation and
// symbols (the Common script) go with any script. What stays possible is an ID wholly in
// another script that happens to look like a Latin one.
func checkID(what, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("no %s given", what)
	case len(s) > MaxIDSize:
		return fmt.Errorf("%s %.20q… is longer than %d bytes", what, s, MaxIDSize)
	case !utf8.ValidString(s):
		return fmt.Errorf("%s %q is not UTF-8", what, s)
	case strings.TrimSpace(s) != s:
		return fmt.Errorf("%s %q starts or ends with a space", what, s)
	}
	if err := visible(what, s); err != nil {
		return err
	}
	first := ""
	for _, r := range norm.NFC.String(s) { // "e" and U+0301 are "é", a Latin letter
		if !unicode.IsLetter(r) && !unicode.IsMark(r) {
			continue
		}
		script := scriptOf(r)
		switch {
		case script == "Common": // a letter-like symbol goes with any script
		case script == "Inherited" || script == "":
			return fmt.Errorf("%s %q holds the combining mark %U, which belongs to no script", what, s, r)
		case first == "":
			first = script
		case script != first:
			return fmt.Errorf("%s %q mixes the scripts %s and %s (%U): it could pass for another ID", what, s, first, script, r)
		}
	}
	return nil
}

// visible refuses text holding a control character or an invisible one (see invisible),
// naming what it is and quoting it.
func visible(what, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s %q is not UTF-8", what, s)
	}
	for _, r := range s {
		if !unicode.IsGraphic(r) || invisible(r) {
			return fmt.Errorf("%s %q holds the invisible or control character %U", what, s, r)
		}
	}
	return nil
}

// invisible reports a character that shows nothing: a format character or another
// default-ignorable code point.
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}

// scriptOf returns the name of r's Unicode script, "" when it has none.
func scriptOf(r rune) string {
	for name, table := range unicode.Scripts {
		if name != "Common" && unicode.Is(table, r) {
			return name
		}
	}
	if unicode.Is(unicode.Common, r) {
		return "Common"
	}
	return ""
}

// sameIdentity reports whether two IDs name one person once compatibility forms and case
// are set aside: "clerk", "CLERK", fullwidth "ｃlerk" and "ｃＬＥＲＫ" are one identity, as
// a reader of the audit log or a sign-in form would take them.
func sameIdentity(a, b string) bool {
	return identityKey(a) == identityKey(b)
}

// identityKey is an ID in NFKC with case folded, normalised again as folding can undo
// the normal form.
func identityKey(s string) string {
	return norm.NFKC.String(cases.Fold().String(norm.NFKC.String(s)))
}
