package normalize

import (
	"errors"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/antzucaro/matchr"
)

// Name is a person's name split into parts, each in display form (accents and case as
// submitted, spaces collapsed). Suffix is a lower-case code: "jr", "sr", "ii", "iii",
// "iv", "v".
type Name struct {
	Given, Middle, Family, Suffix string
}

// suffixCodes maps a folded suffix token to its code.
var suffixCodes = map[string]string{
	"jr": "jr", "junior": "jr", "sr": "sr", "senior": "sr",
	"ii": "ii", "2nd": "ii", "iii": "iii", "3rd": "iii", "iv": "iv", "4th": "iv", "v": "v", "5th": "v",
}

// SuffixCode returns the suffix code of a token ("Jr." → "jr", "III" → "iii"), or "". A
// token of ASCII letters and digits, a final period aside, is compared as it is; any
// other is folded first.
func SuffixCode(token string) string {
	if w := strings.TrimSuffix(token, "."); isASCIIAlnum(w) {
		for k, code := range suffixCodes { // without Fold's copy: most words are no suffix
			if strings.EqualFold(w, k) {
				return code
			}
		}
		return ""
	}
	return suffixCodes[Fold(token)]
}

// isASCIIAlnum reports whether s is ASCII letters and digits only.
func isASCIIAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && !isLetter(c) {
			return false
		}
	}
	return true
}

// familyParticles start compound family names: "De La Cruz", "Van Wagoner".
var familyParticles = map[string]bool{
	"de": true, "del": true, "la": true, "las": true, "los": true, "van": true, "von": true,
	"der": true, "den": true, "da": true, "das": true, "do": true, "dos": true, "di": true,
	"du": true, "le": true, "st": true, "saint": true, "ten": true, "ter": true, "y": true, "bin": true,
	"ibn": true, "al": true, "el": true, "mac": true, "mc": true,
}

// titles are forms of address and honours written before a name ("Mrs", "Dr.", "Sir",
// "Reverend"): not names. Titles that are also given names (Earl, Duke, Prince, King,
// Major, Lady, Master, Gen) are left out, so a child named Earl keeps the name.
var titles = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true,
	"dr": true, "doctor": true, "prof": true, "professor": true,
	"rev": true, "revd": true, "reverend": true, "fr": true, "father": true, "pastor": true,
	"sir": true, "dame": true, "lord": true, "hon": true, "honourable": true, "honorable": true,
	"baronet": true, "bart": true, "baroness": true, "viscount": true, "viscountess": true,
	"marquess": true, "marchioness": true, "countess": true,
	"capt": true, "captain": true, "col": true, "colonel": true, "general": true,
	"lt": true, "lieutenant": true, "sgt": true, "sergeant": true, "cmdr": true, "commander": true,
	"adm": true, "admiral": true, "maj": true, "brig": true, "rt": true,
}

// nameTitles are the titles left out of titles because they are also given names. They
// count as titles only inside a hyphenated title ("Maj.-Gen.", "Major-General").
var nameTitles = map[string]bool{
	"earl": true, "duke": true, "prince": true, "king": true, "major": true, "lady": true,
	"master": true, "gen": true,
}

// IsTitle reports whether a word is a title written before a name ("Mrs.", "DR", "Sir",
// "Maj.-Gen."), not a name. Titles are ASCII letters, with or without periods. A
// hyphenated word is a title when each part is one, counting the titles that are also
// given names (nameTitles): "Major-Gen." is a title, "Earl" alone is a name.
func IsTitle(word string) bool {
	parts, named := 0, 0
	for part := range strings.SplitSeq(word, "-") {
		switch titleWord(part) {
		case notTitle:
			return false
		case nameTitle:
			named++
		}
		parts++
	}
	return parts > 1 || named == 0
}

// titleKind says what titleWord found.
type titleKind int

const (
	notTitle  titleKind = iota
	nameTitle           // a title that is also a given name (nameTitles)
	titleOnly           // a title and never a name (titles)
)

// titleWord classifies one word without hyphens: periods are ignored, case folded.
func titleWord(word string) titleKind {
	var buf [12]byte
	n := 0
	for k := 0; k < len(word); k++ {
		c := word[k]
		switch {
		case c == '.':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c < 'a' || c > 'z':
			return notTitle
		}
		if n == len(buf) {
			return notTitle
		}
		buf[n] = c
		n++
	}
	switch w := string(buf[:n]); {
	case titles[w]:
		return titleOnly
	case nameTitles[w]:
		return nameTitle
	}
	return notTitle
}

// SplitKnownAs separates the name a child goes by, written in brackets or double quotes
// after the given name, from it: "Margaret (Maggie)" → ("Margaret", "Maggie"), `Robert
// "Bob"` → ("Robert", "Bob"). A name without such a part, or that is nothing else, is
// returned whole with "".
func SplitKnownAs(given string) (name, knownAs string) {
	for _, q := range [...][2]string{{"(", ")"}, {`"`, `"`}, {"“", "”"}} {
		open := strings.Index(given, q[0])
		if open < 0 {
			continue
		}
		end := strings.Index(given[open+len(q[0]):], q[1])
		if end < 0 {
			continue
		}
		inner := strings.TrimSpace(given[open+len(q[0]) : open+len(q[0])+end])
		rest := strings.TrimSpace(given[:open] + " " + given[open+len(q[0])+end+len(q[1]):])
		if rest == "" || inner == "" {
			return given, ""
		}
		return rest, inner
	}
	return given, ""
}

// StripTitles drops the titles that start a name ("Sir William" → "William", "Mrs" → "")
// and returns the rest in display form (Display).
func StripTitles(name string) string {
	name = Display(name) // words apart by one space, whatever spaces the value had
	for {
		word, rest, _ := strings.Cut(name, " ")
		if !IsTitle(word) {
			return name
		}
		name = rest
	}
}

// SplitInitial moves a middle initial written at the end of a given name to the middle
// name when that is empty: ("John A.", "") → ("John", "A"). Otherwise it returns its
// arguments. A given name of one word is left whole, initial or not.
func SplitInitial(given, middle string) (string, string) {
	if strings.TrimSpace(middle) != "" {
		return given, middle
	}
	g := strings.TrimSpace(given)
	k := strings.LastIndexByte(g, ' ')
	if k < 0 {
		return given, middle
	}
	last := strings.TrimSuffix(g[k+1:], ".")
	if r, n := utf8.DecodeRuneInString(last); n == 0 || n != len(last) || !unicode.IsLetter(r) {
		return given, middle
	}
	return strings.TrimSpace(g[:k]), last
}

// dropTitles drops the titles that start words, leaving at least one word.
func dropTitles(words []string) []string {
	for len(words) > 1 && IsTitle(words[0]) {
		words = words[1:]
	}
	return words
}

// SplitSuffix separates a generational suffix glued to a family name: "Smith Jr." →
// ("Smith", "jr"), "Smith, III" → ("Smith", "iii"). A name that is only a suffix-like
// word ("V") is kept as the name.
func SplitSuffix(family string) (string, string) {
	d := Display(family)
	if !strings.ContainsAny(d, " ,") {
		return d, "" // one word: nothing to split
	}
	words := strings.Fields(strings.ReplaceAll(d, ",", " , "))
	for len(words) > 0 && words[len(words)-1] == "," {
		words = words[:len(words)-1]
	}
	if len(words) < 2 {
		return d, ""
	}
	code := SuffixCode(words[len(words)-1])
	if code == "" {
		return d, ""
	}
	words = words[:len(words)-1]
	for len(words) > 0 && words[len(words)-1] == "," {
		words = words[:len(words)-1]
	}
	return strings.Join(words, " "), code
}

// ShortSaint writes a family name's word Saint (or Sainte) before another word as St
// (Ste), as most records write it: "Saint John" and "St. John" are one name, "SAINT-
// PIERRE" is "St-PIERRE". Other words, and a name that is only "Saint", are kept.
func ShortSaint(family string) string {
	start := 0
	var b strings.Builder
	for i := 0; i <= len(family); i++ {
		if i < len(family) && family[i] != ' ' && family[i] != '-' {
			continue
		}
		word := family[start:i]
		short := ""
		switch {
		case i == len(family): // the last word is the name, not its Saint
		case strings.EqualFold(word, "saint"):
			short = "St"
		case strings.EqualFold(word, "sainte"):
			short = "Ste"
		}
		if short != "" {
			if b.Len() == 0 {
				b.WriteString(family[:start])
			}
			b.WriteString(short)
		} else if b.Len() > 0 {
			b.WriteString(word)
		}
		if b.Len() > 0 && i < len(family) {
			b.WriteByte(family[i])
		}
		start = i + 1
	}
	if b.Len() == 0 {
		return family
	}
	return b.String()
}

// ParseName splits a full name written in one string: "First Middle Last", "Last, First
// Middle", either with a suffix ("John Smith Jr.", "Smith Jr., John", "Smith, John, III").
// In the first form, the family name takes the words from a particle on ("Maria de la
// Cruz" → family "de la Cruz"); hyphenated names stay one word. Parts keep their display
// form.
func ParseName(full string) Name {
	full = Display(full)
	var n Name
	if i := strings.IndexByte(full, ','); i >= 0 {
		family, rest := full[:i], full[i+1:]
		family, n.Suffix = SplitSuffix(family)
		parts := strings.Split(rest, ",")
		words := strings.Fields(StripTitles(parts[0]))
		for _, p := range parts[1:] {
			if code := SuffixCode(p); code != "" && n.Suffix == "" {
				n.Suffix = code
			} else {
				words = append(words, strings.Fields(p)...)
			}
		}
		if k := len(words); k > 1 && n.Suffix == "" {
			if code := SuffixCode(words[k-1]); code != "" {
				n.Suffix, words = code, words[:k-1]
			}
		}
		n.Family = strings.TrimSpace(family)
		if len(words) > 0 {
			n.Given = words[0]
			n.Middle = strings.Join(words[1:], " ")
		}
		return n
	}
	words := dropTitles(strings.Fields(full))
	if k := len(words); k > 2 || (k == 2 && SuffixCode(words[1]) != "" && len(words[1]) > 1) {
		if code := SuffixCode(words[k-1]); code != "" {
			n.Suffix, words = code, words[:k-1]
		}
	}
	switch len(words) {
	case 0:
		return n
	case 1:
		n.Family = words[0]
		return n
	}
	// The family name starts at the first particle after the given name, or is the last word.
	start := len(words) - 1
	for k := 1; k < len(words)-1; k++ {
		if familyParticles[Fold(words[k])] {
			start = k
			break
		}
	}
	n.Given = words[0]
	n.Middle = strings.Join(words[1:start], " ")
	n.Family = strings.Join(words[start:], " ")
	return n
}

// ParseNameFamilyFirst splits a full name written family name first without a comma
// ("Williams Emma Rose", "De La Cruz María"), as a column named LastFirst holds it: the
// family name is the first word with the particles before it, the given name the next
// word, the middle name the rest. A suffix after the family name or at the end is split
// off ("Smith Jr John", "Smith John III"). A name with a comma is read as ParseName reads
// it. Parts keep their display form.
func ParseNameFamilyFirst(full string) Name {
	if strings.IndexByte(full, ',') >= 0 {
		return ParseName(full)
	}
	var n Name
	words := dropTitles(strings.Fields(Display(full)))
	if k := len(words); k > 2 && len(words[k-1]) > 1 {
		if code := SuffixCode(words[k-1]); code != "" {
			n.Suffix, words = code, words[:k-1]
		}
	}
	if len(words) == 0 {
		return n
	}
	end := 0 // the family name's last word: particles leave a given name after it
	for end < len(words)-2 && familyParticles[Fold(words[end])] {
		end++
	}
	n.Family = strings.Join(words[:end+1], " ")
	rest := words[end+1:]
	if len(rest) > 1 && n.Suffix == "" && len(rest[0]) > 1 {
		if code := SuffixCode(rest[0]); code != "" {
			n.Suffix, rest = code, rest[1:]
		}
	}
	if len(rest) > 0 {
		n.Given = rest[0]
		n.Middle = strings.Join(rest[1:], " ")
	}
	return n
}

// NewNamePart prepares one name: its Text, phonetic codes of the folded key (so accents do
// not change them), and, when nick is not nil, its nickname groups. An initial (a key of
// one letter) keeps only its Soundex code.
func NewNamePart(s string, nick *Nicknames) NamePart {
	p := NamePart{Text: NewText(s)}
	if p.Empty() {
		return p
	}
	p.Metaphone, p.MetaphoneAlt, p.NYSIIS, p.Soundex = PhoneticCodes(p.Key)
	if utf8.RuneCountInString(p.Key) == 1 {
		// An initial has no sound of its own: "E" and "O" share Metaphone's A, which
		// says nothing of the names they stand for.
		p.Metaphone, p.MetaphoneAlt, p.NYSIIS = "", "", ""
	}
	p.Positions = NewLetterPositions(p.Key)
	if nick != nil {
		p.Nicknames = nick.groupsOfFolded(p.Folded)
		if len(p.Tokens) > 1 {
			p.FirstNicknames = nick.groupsOfFolded(p.Tokens[0])
			for _, w := range p.Tokens[1:] {
				p.LaterNicknames = append(p.LaterNicknames, nick.groupsOfFolded(w)...)
			}
			slices.Sort(p.LaterNicknames)
			p.LaterNicknames = slices.Compact(p.LaterNicknames)
		}
	}
	return p
}

// PhoneticCodes returns the Double Metaphone codes, NYSIIS and Soundex of a folded key.
// Only the ASCII letters of the key are encoded (the phonetic algorithms are defined on
// A–Z); a key without any gives empty codes.
func PhoneticCodes(key string) (metaphone, metaphoneAlt, nysiis, soundex string) {
	letters := asciiLetters(key)
	if letters == "" {
		return "", "", "", ""
	}
	metaphone, metaphoneAlt = matchr.DoubleMetaphone(letters)
	if metaphoneAlt == "" {
		metaphoneAlt = metaphone
	}
	return metaphone, metaphoneAlt, matchr.NYSIIS(letters), matchr.Soundex(letters)
}

// asciiLetters returns the ASCII letters of s, upper-cased.
func asciiLetters(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('A' <= c && c <= 'Z') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z':
			b = append(b, c-'a'+'A')
		case 'A' <= c && c <= 'Z':
			b = append(b, c)
		}
	}
	return string(b)
}

// ErrNamesReversed is wrapped by the error for a record whose given and family names a
// roll reads in each other's columns (match.Linker.Prepare): the value is the given
// name as written.
var ErrNamesReversed = errors.New("given and family names read reversed")
