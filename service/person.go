package service

// The one rule for the text of a person a caller sends (an identity request, an
// enrollment's student): every accepted value becomes a permanent record, shown on pages
// and handed to other LEAs, so it is bounded and free of invisible characters.

import (
	"fmt"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/studentlink/studentlink/backpack"
	"golang.org/x/text/unicode/norm"
)

// Caps on a person's text, in characters: Ed-Fi's where Ed-Fi sets one.
const (
	maxName       = 75  // firstName, middleName, lastSurname
	maxSuffix     = 10  // generationCodeSuffix
	maxDescriptor = 306 // a descriptor URI: a namespace of 255, "#" and a code value of 50
	maxIDCode     = 60  // identificationCode
	maxStreet     = 150 // streetNumberName
	maxCity       = 30  // city
	maxProvince   = 150 // internationalProvince
	maxPostalCode = 17  // postalCode
	maxDate       = 35  // birthDate, the longest RFC 3339 date and time
)

// personText is one text property of a person as the caller named it, with its cap.
type personText struct {
	name, value string
	max         int
}

// checkPerson checks each property: valid UTF-8, at most its cap in characters, and no
// control character (Unicode Cc, NUL among them), bidirectional formatting character or
// other format character (Unicode Cf: zero-width spaces, word joiners, byte order marks,
// soft hyphens…), which would make a name show as other than it is, or keep as a
// distinct value a name that shows as another — except a zero-width non-joiner or joiner
// where a name's spelling puts one (spelledJoiner: between two letters of a script
// written with them, as Persian and the Indic scripts are; afterVirama: a joiner right
// after an Indic virama, even at a word's end) and a Mongolian vowel separator between
// two Mongolian letters (mongolianSeparator); nor U+FFFD, the replacement
// character a decoder writes for bytes it could not read; nor a default-ignorable
// character that is not Cf (defaultIgnorable: the Hangul fillers, variation selectors,
// the combining grapheme joiner; an ideographic variation selector right after a Han
// character, which picks the glyph a family registers its name in, is let through), a
// noncharacter (U+FDD0–U+FDEF, U+xFFFE, U+xFFFF) or a
// private-use character (Unicode Co), which show as nothing or as what a font chooses.
// The error names the first
// property at fault and its value, escaped and clipped.
func checkPerson(texts []personText) error {
	for _, f := range texts {
		if n := utf8.RuneCountInString(f.value); n > f.max {
			return fmt.Errorf("%s must be at most %d characters; got %d (%q)", f.name, f.max, n, clip(f.value, 64))
		}
		if at := invalidUTF8At(f.value); at >= 0 {
			return fmt.Errorf("%s must be valid UTF-8; byte 0x%02X at byte %d of its value is not", f.name, f.value[at], at+1)
		}
		rs := []rune(f.value)
		for i, r := range rs {
			switch {
			case unicode.Is(unicode.Cc, r) || bidiControl(r):
				return fmt.Errorf("%s must not hold control or bidirectional formatting characters; got %U at character %d of %q", f.name, r, i+1, clip(f.value, 64))
			case (r == zwnj || r == zwj) && spelledJoiner(rs, i), r == zwj && afterVirama(rs, i):
			case r == zwnj || r == zwj:
				return fmt.Errorf("%s must not hold a zero-width joiner or non-joiner (%U at character %d of %q) except between two letters of a script spelled with them (Arabic, Persian, Syriac, Indic scripts…) or, a joiner, right after an Indic virama", f.name, r, i+1, clip(f.value, 64))
			case r == mvs && mongolianSeparator(rs, i):
			case unicode.Is(unicode.Cf, r):
				return fmt.Errorf("%s must not hold invisible formatting characters (zero-width spaces and joiners, soft hyphens, byte order marks: Unicode Cf); got %U at character %d of %q", f.name, r, i+1, clip(f.value, 64))
			case ideographicSelector(r) && i > 0 && unicode.Is(unicode.Han, rs[i-1]):
			case defaultIgnorable(r):
				return fmt.Errorf("%s must not hold invisible default-ignorable characters (Hangul fillers, variation selectors, the combining grapheme joiner…); got %U at character %d of %q", f.name, r, i+1, clip(f.value, 64))
			case unicode.Is(unicode.Noncharacter_Code_Point, r):
				return fmt.Errorf("%s must not hold noncharacters (U+FDD0–U+FDEF, U+FFFE, U+FFFF and their like in every plane); got %U at character %d of %q", f.name, r, i+1, clip(f.value, 64))
			case unicode.Is(unicode.Co, r):
				return fmt.Errorf("%s must not hold private-use characters (Unicode Co: no two systems show them alike); got %U at character %d of %q", f.name, r, i+1, clip(f.value, 64))
			case r == utf8.RuneError:
				return fmt.Errorf("%s must not hold the replacement character (a character lost to an encoding error: a lone surrogate \\uD800–\\uDFFF is one); got %U at character %d of %q", f.name, r, i+1, clip(f.value, 64))
			}
		}
	}
	return nil
}

// defaultIgnorable reports whether r is a default-ignorable code point that is not a
// format character (Cf, which checkPerson refuses on its own): Unicode's
// Other_Default_Ignorable_Code_Point (U+034F, the Hangul fillers U+115F, U+1160, U+3164,
// U+FFA0, U+17B4, U+17B5, U+FFF0–U+FFF8, the reserved tag-plane points…) and the variation
// selectors U+FE00–U+FE0F and U+E0100–U+E01EF. The Mongolian free variation selectors
// (U+180B–U+180D, U+180F) are part of Mongolian spelling and are let through.
func defaultIgnorable(r rune) bool {
	return unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) || r >= 0xFE00 && r <= 0xFE0F || ideographicSelector(r)
}

// ideographicSelector reports whether r is one of the variation selectors U+E0100–
// U+E01EF, which the Ideographic Variation Database registers after Han characters ("葛"
// and "葛" U+E0100 are two registered glyphs of a family name); checkPerson accepts one
// right after a Han character only.
func ideographicSelector(r rune) bool { return r >= 0xE0100 && r <= 0xE01EF }

// mvs is the Mongolian vowel separator, a format character that Mongolian spelling puts
// between a consonant and a final a or e ("ᠬᠠᠳ" U+180E "ᠠ").
const mvs = '\u180E'

// mongolianSeparator reports whether the vowel separator at rs[i] stands between two
// Mongolian letters (or marks: a free variation selector before it counts as its
// letter's).
func mongolianSeparator(rs []rune, i int) bool {
	return i > 0 && i < len(rs)-1 && scriptAt(rs, i-1) == unicode.Mongolian && scriptAt(rs, i+1) == unicode.Mongolian
}

// afterVirama reports whether the joiner at rs[i] follows right after the virama of an
// Indic script, after a letter of that script: a half form or, at a word's end, the
// spelling of a final consonant that Malayalam ("അനില്" U+200D) and Bengali ("সত্"
// U+200D) wrote before their chillu and khanda ta letters.
func afterVirama(rs []rune, i int) bool {
	if i < 2 {
		return false
	}
	v := rs[i-1]
	if norm.NFC.PropertiesString(string(v)).CCC() != 9 {
		return false // not a virama
	}
	t := scriptAt(rs, i-1)
	return t != nil && !slices.Contains(nonIndic, t) && scriptAt(rs, i-2) == t
}

// nonIndic are the scripts of joinerScripts that have no virama.
var nonIndic = []*unicode.RangeTable{unicode.Arabic, unicode.Syriac, unicode.Nko, unicode.Mongolian}

// The zero-width non-joiner and joiner: format characters, yet part of a word's correct
// spelling in the Arabic script as Persian, Urdu or Kurdish write it (a ZWNJ keeps a
// letter from joining the next: "می‌خواهم") and in the Indic scripts (a ZWNJ or ZWJ picks
// a conjunct's or a half form's shape).
const (
	zwnj = '\u200C'
	zwj  = '\u200D'
)

// joinerScripts are the scripts whose spelling uses ZWNJ and ZWJ. Latin, Greek, Cyrillic,
// Han and the rest never need one: there a joiner only makes a name that shows as another
// a distinct value.
var joinerScripts = []*unicode.RangeTable{unicode.Arabic, unicode.Syriac, unicode.Nko, unicode.Mongolian,
	unicode.Devanagari, unicode.Bengali, unicode.Gurmukhi, unicode.Gujarati, unicode.Oriya, unicode.Tamil,
	unicode.Telugu, unicode.Kannada, unicode.Malayalam, unicode.Sinhala, unicode.Myanmar, unicode.Khmer}

// spelledJoiner reports whether the joiner at rs[i] stands where a word's spelling puts
// one: between two letters or marks of one script of joinerScripts. A combining mark of
// no script of its own (Unicode Inherited: the Arabic vowel signs among them) counts as
// of its base letter's script. A joiner at either end, beside another joiner, a space,
// punctuation or a Latin letter is not.
func spelledJoiner(rs []rune, i int) bool {
	if i == 0 || i == len(rs)-1 {
		return false
	}
	before := scriptAt(rs, i-1)
	return before != nil && before == scriptAt(rs, i+1)
}

// scriptAt is the script of joinerScripts that rs[i] is a letter or mark of, or nil; an
// Inherited mark takes its base's, the letter before it.
func scriptAt(rs []rune, i int) *unicode.RangeTable {
	for ; i >= 0; i-- {
		r := rs[i]
		if !unicode.In(r, unicode.L, unicode.M) {
			return nil
		}
		if unicode.Is(unicode.Inherited, r) {
			continue // a combining mark: its base decides
		}
		for _, t := range joinerScripts {
			if unicode.Is(t, r) {
				return t
			}
		}
		return nil
	}
	return nil
}

// invalidUTF8At is the offset of the first byte of v that is not valid UTF-8, or -1.
func invalidUTF8At(v string) int {
	for i := 0; i < len(v); {
		r, n := utf8.DecodeRuneInString(v[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// bidiControl reports whether r is a bidirectional formatting character: an embedding,
// override or isolate (U+202A–U+202E, U+2066–U+2069) or a directional mark (U+200E,
// U+200F).
func bidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F
}

// identityTexts are the text properties of an identity request, named as the request
// names them.
func identityTexts(q IdentityRequest) []personText {
	out := []personText{{"firstName", q.FirstName, maxName}, {"middleName", q.MiddleName, maxName}, {"lastSurname", q.LastSurname, maxName},
		{"generationCodeSuffix", q.GenerationCodeSuffix, maxSuffix}, {"sexType", q.SexType, maxDescriptor}, {"birthDate", q.BirthDate, maxDate}}
	if l := q.BirthLocation; l != nil {
		out = append(out, personText{"birthLocation.city", l.City, maxCity}, personText{"birthLocation.stateAbbreviation", l.StateAbbreviation, maxDescriptor},
			personText{"birthLocation.internationalProvince", l.InternationalProvince, maxProvince}, personText{"birthLocation.country", l.Country, maxDescriptor})
	}
	for k, c := range q.IdentificationCodes {
		at := fmt.Sprintf("identificationCodes[%d].", k)
		out = append(out, personText{at + "studentIdentificationSystemDescriptor", c.System, maxDescriptor}, personText{at + "identificationCode", c.Code, maxIDCode})
	}
	return out
}

// enrolledTexts are the text properties of the student record backpack read from an
// enrollment, named as the posted resources name them.
func enrolledTexts(st backpack.StudentRecord) []personText {
	const student, seoa = "student: ", "studentEducationOrganizationAssociation: "
	out := []personText{{student + "firstName", st.FirstName, maxName}, {student + "middleName", st.MiddleName, maxName},
		{student + "lastSurname", st.LastSurname, maxName}, {student + "generationCodeSuffix", st.Suffix, maxSuffix},
		{seoa + "addresses: streetNumberName", st.Address.Street, maxStreet}, {seoa + "addresses: city", st.Address.City, maxCity},
		{seoa + "addresses: postalCode", st.Address.PostalCode, maxPostalCode}}
	for _, c := range st.IdentificationCodes {
		out = append(out, personText{seoa + "studentIdentificationCodes: identificationCode", c.Code, maxIDCode},
			personText{seoa + "studentIdentificationCodes: assigningOrganizationIdentificationCode", c.AssigningOrg, maxIDCode})
	}
	return out
}
