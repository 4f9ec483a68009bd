package normalize

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnknownCode is wrapped by the errors of ParseSex and ParseGrade.
var ErrUnknownCode = errors.New("unknown code")

// descriptorValue returns the code value of an Ed-Fi descriptor URI
// ("uri://ed-fi.org/SexDescriptor#Female" → "Female"), or s itself.
func descriptorValue(s string) string {
	if i := strings.LastIndexByte(s, '#'); i >= 0 {
		return s[i+1:]
	}
	return s
}

var sexCodes = map[string]Sex{
	"f": SexFemale, "female": SexFemale, "2": SexFemale, "girl": SexFemale, "femenino": SexFemale, "mujer": SexFemale,
	"m": SexMale, "male": SexMale, "1": SexMale, "boy": SexMale, "masculino": SexMale, "hombre": SexMale,
	"x": SexNonBinary, "nonbinary": SexNonBinary, "non binary": SexNonBinary, "3": SexNonBinary,
	"u": SexUnknown, "unknown": SexUnknown, "not selected": SexUnknown, "0": SexUnknown, "9": SexUnknown,
}

// ParseSex reads a sex code: M, Male, 1, F, Female, 2, X, Non-binary, and Ed-Fi
// SexDescriptor URIs such as uri://ed-fi.org/SexDescriptor#Female. Empty input and the
// explicit unknown codes (U, Unknown, Not Selected) give SexUnknown without error; any
// other value gives SexUnknown and an error quoting it.
func ParseSex(s string) (Sex, error) {
	key := Fold(descriptorValue(s))
	if key == "" {
		return SexUnknown, nil
	}
	if x, ok := sexCodes[key]; ok {
		return x, nil
	}
	return SexUnknown, fmt.Errorf("%w: sex %s", ErrUnknownCode, QuoteValue(s))
}

// String returns the code's name: "Female", "Male", "Non-binary" or "Unknown".
func (x Sex) String() string {
	switch x {
	case SexFemale:
		return "Female"
	case SexMale:
		return "Male"
	case SexNonBinary:
		return "Non-binary"
	}
	return "Unknown"
}

var gradeWords = map[string]Grade{
	"infant": GradeInfant, "infant toddler": GradeInfant, "it": GradeInfant,
	"pk": GradePreschool, "prek": GradePreschool, "pre k": GradePreschool, "p": GradePreschool,
	"preschool": GradePreschool, "preschool prekindergarten": GradePreschool, "prekindergarten": GradePreschool,
	"tk": GradePreschool, "transitional kindergarten": GradePreschool,
	"k": GradeK, "kg": GradeK, "kn": GradeK, "kindergarten": GradeK, "0": GradeK, "00": GradeK,
	"postsecondary": GradePostsecondary, "13": GradePostsecondary, "grade 13": GradePostsecondary,
	"ungraded": GradeUngraded, "ug": GradeUngraded, "other": GradeUngraded, "adult education": GradeUngraded,
}

var ordinalWords = []string{"", "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
	"eighth", "ninth", "tenth", "eleventh", "twelfth"}

// ParseGrade reads a grade level: PK, K, KG, 00, 01…12, 1…12, "Grade 3", "3rd", "First
// grade", and Ed-Fi GradeLevelDescriptor values or URIs such as
// uri://ed-fi.org/GradeLevelDescriptor#Ninth grade. Empty input gives GradeUnknown without
// error; anything else unrecognized gives GradeUnknown and an error quoting it.
func ParseGrade(s string) (Grade, error) {
	key := Fold(descriptorValue(s))
	if key == "" {
		return GradeUnknown, nil
	}
	if g, ok := gradeWords[key]; ok {
		return g, nil
	}
	key = strings.TrimSuffix(strings.TrimPrefix(key, "grade "), " grade")
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		if t := strings.TrimSuffix(key, suf); t != key && isDigits(t) {
			key = t
		}
	}
	if isDigits(key) && len(key) <= 2 {
		if n := atoi(key); n >= 1 && n <= 12 {
			return Grade1 + Grade(n-1), nil
		}
		if n := atoi(key); n == 0 {
			return GradeK, nil
		}
	}
	for n, w := range ordinalWords {
		if n > 0 && key == w {
			return Grade1 + Grade(n-1), nil
		}
	}
	return GradeUnknown, fmt.Errorf("%w: grade level %s", ErrUnknownCode, QuoteValue(s))
}

// String returns the grade as the short code districts use: "PK", "K", "1"…"12", "PS"
// (postsecondary), "UG", "IT", or "" for GradeUnknown.
func (g Grade) String() string {
	switch {
	case g == GradeInfant:
		return "IT"
	case g == GradePreschool:
		return "PK"
	case g == GradeK:
		return "K"
	case g >= Grade1 && g <= Grade12:
		return fmt.Sprint(int(g - Grade1 + 1))
	case g == GradePostsecondary:
		return "PS"
	case g == GradeUngraded:
		return "UG"
	}
	return ""
}

// ErrNotID is wrapped by CleanID's errors.
var ErrNotID = errors.New("not an identifier")

// CleanID cleans an identifier such as a state student ID: spaces, dashes, dots and
// leading or trailing junk (quotes, a label set off by a space, colon or '#') are
// removed, leaving its digits, with the letters written against them before or after,
// upper-cased: " 123-45 6789 " → "123456789", "SSID: ae-1234567" → "AE1234567". Such
// letters are the ID's own: Ohio's SSIDs are two letters and seven digits, and two
// students' may differ in the letters alone. Empty input gives "" without error. Input
// with no digits, with letters or other characters among the digits (10006O4822: an O
// typed for a 0), or longer than 32 characters is an error quoting it. Leading zeros
// are kept: they are part of the ID. A number a spreadsheet wrote with a zero fraction
// (412938402.0) is its whole part.
func CleanID(s string) (string, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", nil
	}
	// A spreadsheet writes a number it read as one with a fraction: 412938402.0.
	if whole, frac, ok := strings.Cut(t, "."); ok && isDigits(whole) && frac != "" && strings.Trim(frac, "0") == "" {
		t = whole
	}
	first := strings.IndexFunc(t, func(r rune) bool { return '0' <= r && r <= '9' })
	if first < 0 {
		return "", fmt.Errorf("%w: %s has no digits", ErrNotID, QuoteValue(s))
	}
	last := strings.LastIndexFunc(t, func(r rune) bool { return '0' <= r && r <= '9' })
	// Letters against the digits, or joined to them by a dash, dot, underscore or slash,
	// are the ID's (AE1234567, AE-1234567); a label set off by a space, colon or '#' is not.
	start, end := first, last+1
	for start > 0 && (isLetter(t[start-1]) || start > 1 && idSeparator(t[start-1]) && isLetter(t[start-2])) {
		start--
	}
	for end < len(t) && (isLetter(t[end]) || end+1 < len(t) && idSeparator(t[end]) && isLetter(t[end+1])) {
		end++
	}
	if start == first && end == last+1 && isDigits(t[first:end]) {
		if end-first > 32 {
			return "", fmt.Errorf("%w: %s is too long", ErrNotID, QuoteValue(s))
		}
		return t[first:end], nil // as written: most IDs are
	}
	var b strings.Builder
	for i := start; i < end; i++ {
		c := t[i]
		switch {
		case isDigit(c):
			b.WriteByte(c)
		case c == ' ' && first <= i && i <= last, idSeparator(c):
		case isLetter(c) && (i < first || i > last):
			b.WriteByte(c &^ 0x20) // upper case
		default:
			return "", fmt.Errorf("%w: %s mixes digits with other characters", ErrNotID, QuoteValue(s))
		}
	}
	if b.Len() > 32 {
		return "", fmt.Errorf("%w: %s is too long", ErrNotID, QuoteValue(s))
	}
	return b.String(), nil
}

// idSeparator reports whether c is punctuation written inside an ID: 123-45, 123.45.
func idSeparator(c byte) bool { return c == '-' || c == '.' || c == '_' || c == '/' }

// ErrPlaceholderID is wrapped by the error for an ID that is a placeholder (see
// PlaceholderID): it names no one, and two records holding it are not one person.
var ErrPlaceholderID = errors.New("placeholder ID")

// PlaceholderID reports whether cleaned ID digits are a placeholder a system writes for a
// missing ID: one digit repeated (000000000, 999999999) or a run up or down, wrapping
// from 9 to 0 (123456789, 9876543210, 901234567). IDs of fewer than four digits, or with
// letters, are never taken for placeholders: too short to tell, or not a run of digits.
func PlaceholderID(d string) bool {
	if len(d) < 4 || !isDigits(d) {
		return false
	}
	same, up, down := true, true, true
	for i := 1; i < len(d); i++ {
		step := (int(d[i]) - int(d[i-1]) + 10) % 10
		same = same && step == 0
		up = up && step == 1
		down = down && step == 9
	}
	return same || up || down
}

// CleanLocalID cleans an alphanumeric local identifier: Fold's letters and digits without
// spaces or punctuation, upper-cased ("ab-12 3" → "AB123"). Empty input gives "".
func CleanLocalID(s string) string {
	return strings.ToUpper(strings.ReplaceAll(Fold(s), " ", ""))
}

// lookalike maps letters typed or scanned for the digits they look like.
var lookalike = map[byte]byte{'o': '0', 'O': '0', 'Q': '0', 'D': '0', 'l': '1', 'I': '1', 'i': '1', '|': '1', '!': '1',
	'z': '2', 'Z': '2', 's': '5', 'S': '5', 'b': '6', 'G': '6', 'B': '8', 'g': '9', 'q': '9'}

// digitLookalikes reads a ZIP-shaped value (five or nine characters, separators aside,
// all but one of them digits: "2821o", "27g37") with its stray letter as the digit it
// looks like. Any other value, a UK postcode or a word, is returned as it is.
func digitLookalikes(s string) string {
	chars, digits, at := 0, 0, -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '-' || c == ' ':
		case isDigit(c):
			chars++
			digits++
		default:
			chars++
			at = i
		}
	}
	if (chars != 5 && chars != 9) || digits != chars-1 {
		return s
	}
	d, ok := lookalike[s[at]]
	if !ok {
		return s
	}
	return s[:at] + string(d) + s[at+1:]
}

// CleanZip returns the first five digits of a US ZIP or ZIP+4 code ("84101-1234" →
// "84101"), the letters and digits, lower-cased, of a postcode whose letters are part
// of it (UK "SO14 3AB" → "so143ab", Canadian "K1A 0B1" → "k1a0b1": their digits alone
// would make SO14 3AB and BN1 4AB one code), or all the digits of another postcode. A
// value with five or nine digits is a ZIP, whatever letters stand beside them ("UT
// 84101" → "84101"). Input without digits gives "".
func CleanZip(s string) string {
	if isDigits(s) && (len(s) == 5 || len(s) == 9) {
		return s[:5] // as written: most zips are
	}
	s = digitLookalikes(s)
	var b strings.Builder
	letters := false
	for i := 0; i < len(s) && i < maxValue; i++ {
		if isDigit(s[i]) {
			b.WriteByte(s[i])
			if b.Len() == 5 && strings.Contains(s[i+1:], "-") {
				break
			}
		} else if isLetter(s[i]) {
			letters = true
		}
	}
	z := b.String()
	switch {
	case len(z) == 9:
		z = z[:5]
	case letters && len(z) != 5 && z != "":
		return alphanumericLower(s)
	}
	return z
}

// alphanumericLower returns the ASCII letters, lower-cased, and digits of s (at most
// maxValue bytes of it).
func alphanumericLower(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && i < maxValue; i++ {
		switch c := s[i]; {
		case isDigit(c):
			b.WriteByte(c)
		case isLetter(c):
			b.WriteByte(c | 0x20)
		}
	}
	return b.String()
}
