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

// SSID lengths CleanSSID accepts, in digits.
const (
	MinSSIDDigits = 6
	MaxSSIDDigits = 16
)

// CleanSSID returns the digits of a state student ID (SSID) when they can be one, cleaned
// as normalize.CleanID cleans IDs (" 1000-604-822 " → "1000604822"). A value without
// digits, with letters among them, shorter than MinSSIDDigits or longer than
// MaxSSIDDigits digits ("0", "-0-", "1/2/3"), or a placeholder — one digit repeated
// (000000000, 999999999) or a run (123456789, 9876543210) — is an error quoting it and
// wrapping ErrNoSSID. A blank value is an error too.
func CleanSSID(s string) (string, error) {
	clean, err := normalize.CleanID(s)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoSSID, err)
	}
	switch {
	case clean == "":
		return "", fmt.Errorf("%w: %q is blank", ErrNoSSID, s)
	case len(clean) < MinSSIDDigits || len(clean) > MaxSSIDDigits:
		return "", fmt.Errorf("%w: %q has %d digits, want %d to %d", ErrNoSSID, s, len(clean), MinSSIDDigits, MaxSSIDDigits)
	case normalize.PlaceholderID(clean):
		return "", fmt.Errorf("%w: %q is a placeholder, not a student's ID", ErrNoSSID, s)
	}
	return clean, nil
}

// MaxIDSize is the longest staff, guardian or LEA ID accepted, in bytes.
const MaxIDSize = 128

// checkID checks a staff, guardian or LEA identifier: 1 to MaxIDSize bytes of UTF-8,
// letters, digits, punctuation, symbols and inner spaces only — no control or invisible
// formatting characters, no space at either end — so that one ID cannot pass for another
// in the audit log.
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
	for _, r := range s {
		if !unicode.IsGraphic(r) {
			return fmt.Errorf("%s %q holds the character %U", what, s, r)
		}
	}
	return nil
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
