package service

// The one rule for the text of a person a caller sends (an identity request, an
// enrollment's student): every accepted value becomes a permanent record, shown on pages
// and handed to other LEAs, so it is bounded and free of invisible characters.

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/studentlink/studentlink/backpack"
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
// other format character (Unicode Cf: zero-width spaces and joiners, word joiners, byte
// order marks, soft hyphens…), which would make a name show as other than it is, or
// keep as a distinct value a name that shows as another; nor U+FFFD, the replacement
// character a decoder writes for bytes it could not read. The error names the first
// property at fault and its value, escaped and clipped.
func checkPerson(texts []personText) error {
	for _, f := range texts {
		if n := utf8.RuneCountInString(f.value); n > f.max {
			return fmt.Errorf("%s must be at most %d characters; got %d (%q)", f.name, f.max, n, clip(f.value, 64))
		}
		if at := invalidUTF8At(f.value); at >= 0 {
			return fmt.Errorf("%s must be valid UTF-8; byte 0x%02X at byte %d of its value is not", f.name, f.value[at], at+1)
		}
		for i, r := range []rune(f.value) {
			switch {
			case unicode.Is(unicode.Cc, r) || bidiControl(r):
				return fmt.Errorf("%s must not hold control or bidirectional formatting characters; got %U at character %d of %q", f.name, r, i+1, clip(f.value, 64))
			case unicode.Is(unicode.Cf, r):
				return fmt.Errorf("%s must not hold invisible formatting characters (zero-width spaces and joiners, soft hyphens, byte order marks: Unicode Cf); got %U at character %d of %q", f.name, r, i+1, clip(f.value, 64))
			case r == utf8.RuneError:
				return fmt.Errorf("%s must not hold the replacement character (a character lost to an encoding error: a lone surrogate \\uD800–\\uDFFF is one); got %U at character %d of %q", f.name, r, i+1, clip(f.value, 64))
			}
		}
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
