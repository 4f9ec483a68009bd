package normalize

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/cases"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// maxValue caps the bytes of a value that are prepared: no name, address or code a
// district sends is longer, and the cap keeps a pathological megabyte string from costing
// megabytes per record.
const maxValue = 1024

// folders are the two steps of Fold's work on text that is not ASCII, with unconfuse
// between them: plain decomposes (to the compatibility forms too, as NFKC does: full-width
// Ｌｉｓａ is Lisa, half-width ｶﾅ is カナ, the numeral Ⅿ is M), removes accents and
// recomposes; fold folds case (which also spells ß as ss). unconfuse reads the plain
// letters with their case, so that Greek Ν is N and ν is v.
type folders struct{ plain, fold transform.Transformer }

func newFolders() *folders {
	return &folders{
		plain: transform.Chain(runes.ReplaceIllFormed(), norm.NFKD, runes.Remove(runes.Predicate(isAccent)), norm.NFC),
		fold:  cases.Fold(),
	}
}

// isAccent reports the combining marks a name keeps its identity without: the diacritics of
// Latin, Greek and Cyrillic letters (José, Ελένη, Nguyễn), and the optional vowel points
// of Hebrew and Arabic (مُحَمَّد is محمد). Other scripts' combining marks are letters' parts
// (the vowel signs and viramas of Devanagari and Thai, kana's voicing marks: カ and ガ
// are two sounds) and stay, so that folding does not make two names one. Only nonspacing
// marks go: a punctuation mark among the points (Hebrew's paseq) still parts words.
func isAccent(r rune) bool { return unicode.Is(accentBlocks, r) && unicode.Is(unicode.Mn, r) }

// accentBlocks hold the accents among their nonspacing marks (isAccent).
var accentBlocks = &unicode.RangeTable{R16: []unicode.Range16{
	{Lo: 0x0300, Hi: 0x036F, Stride: 1}, // combining diacritical marks
	{Lo: 0x0483, Hi: 0x0489, Stride: 1}, // Cyrillic
	{Lo: 0x0591, Hi: 0x05BD, Stride: 1}, // Hebrew points and cantillation
	{Lo: 0x05BF, Hi: 0x05C7, Stride: 1},
	{Lo: 0x0610, Hi: 0x061A, Stride: 1}, // Arabic
	{Lo: 0x064B, Hi: 0x065F, Stride: 1},
	{Lo: 0x0670, Hi: 0x0670, Stride: 1},
	{Lo: 0x06D6, Hi: 0x06ED, Stride: 1},
	{Lo: 0x1AB0, Hi: 0x1AFF, Stride: 1}, // diacritical marks extended and supplement
	{Lo: 0x1DC0, Hi: 0x1DFF, Stride: 1},
	{Lo: 0x20D0, Hi: 0x20FF, Stride: 1}, // for symbols
	{Lo: 0xFE20, Hi: 0xFE2F, Stride: 1}, // half marks
}}

// foldChains keeps fold chains for reuse: a chain holds buffers between its steps, and
// making one for every non-ASCII value was a quarter of the bytes a run allocated.
var foldChains = sync.Pool{New: func() any { return newFolders() }}

// letterSpelling spells letters that have no decomposition the way English-language
// records write them.
var letterSpelling = map[rune]string{
	'ø': "o", 'æ': "ae", 'œ': "oe", 'đ': "d", 'ð': "d", 'þ': "th", 'ł': "l", 'ı': "i",
	'ŋ': "n", 'ħ': "h", 'ŧ': "t", 'ĸ': "k", 'ſ': "s", 'ß': "ss", 'ɨ': "i", 'ƒ': "f",
}

// isApostrophe reports the characters that join a name rather than separate it: O'Brien
// is one word, OBrien.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', 'ʼ', '`', '´', 'ʻ', '‘':
		return true
	}
	return false
}

// Fold returns s case-folded with accents removed, letters such as ø, ß and æ spelled in
// ASCII, apostrophes dropped, every other character that is not a letter or digit turned
// into a space, and spaces collapsed and trimmed: "  García-López " → "garcia lopez",
// "O'Brien" → "obrien". Cyrillic and Greek letters drawn as Latin ones, in a word with
// Latin letters, are spelled in Latin ("Mаria" with a Cyrillic а is "maria"). Other
// scripts keep their marks, with a sound's two spellings written one way (a nasal's in
// the Indic scripts: पङ्कज is पंकज; kana's voicing marks: カ゛ is ガ). Invalid UTF-8 is
// dropped. Only the first 1024 bytes of s are read. Fold(Fold(s)) == Fold(s).
func Fold(s string) string {
	if len(s) > maxValue {
		s = s[:maxValue]
	}
	if !isASCII(s) {
		s = unMojibake(s)
		f := foldChains.Get().(*folders)
		plain, _, err := transform.String(f.plain, spacingKanaMarks.Replace(s)) // String resets the chain first
		if err != nil {
			plain = strings.ToValidUTF8(s, "")
		}
		folded := plain
		if !isASCII(plain) { // José is ASCII once its accent goes: squeeze does the rest
			if folded, _, err = transform.String(f.fold, unconfuse(plain)); err != nil {
				folded = plain
			}
		}
		foldChains.Put(f)
		s = squeeze(folded)
		if !norm.NFC.IsNormalString(s) {
			// What squeeze dropped (an apostrophe, an invalid byte) stood between a
			// letter and its mark: は’゚ is ぱ, as Fold of it again would say.
			s = norm.NFC.String(s)
		}
		return indicNasals(s)
	}
	return squeeze(s)
}

// unMojibake reads back UTF-8 that a system read as Windows-1252 and wrote again
// ("JosÃ©" for José, "ZoÃ«" for Zoë, "SofÃ­a" for Sofía), where the text is one: every
// character a Windows-1252 one and its bytes, so written, valid UTF-8 that differs from
// it. A lead byte's character (Â to ô) followed by a continuation byte's (€ to ¿) is
// what the misreading writes and what no name does; s is returned as it is otherwise.
func unMojibake(s string) string {
	misread := false
	var prev rune
	for _, r := range s {
		if prev >= 0xC2 && prev <= 0xF4 && (r >= 0x80 && r <= 0xBF || cp1252Specials[r]) {
			misread = true
			break
		}
		prev = r
	}
	if !misread {
		return s
	}
	b, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil || !utf8.ValidString(b) || b == s {
		return s
	}
	return b
}

// cp1252Specials are the characters Windows-1252 writes for the bytes 0x80–0x9F, among
// UTF-8's continuation bytes (… for 0x85, ’ for 0x92, Ÿ for 0x9F).
var cp1252Specials = func() map[rune]bool {
	m := map[rune]bool{}
	dec := charmap.Windows1252.NewDecoder()
	for c := 0x80; c <= 0x9F; c++ {
		if r, err := dec.String(string([]byte{byte(c)})); err == nil && r != "\ufffd" {
			for _, x := range r {
				m[x] = true
			}
		}
	}
	return m
}()

// spacingKanaMarks writes kana's spacing voicing marks as the combining ones, which NFC
// then composes: カ゛ is ガ.
var spacingKanaMarks = strings.NewReplacer("\u309B", "\u3099", "\u309C", "\u309A")

// indicNasals writes alike the two spellings of a nasal in the Indic scripts (Devanagari
// to Malayalam, whose blocks share one layout): a nasal consonant and virama before a
// consonant, and chandrabindu, as anusvara (पङ्कज is पंकज, आनन्द is आनंद). It reads a
// folded word: nothing Fold drops can come between the three.
func indicNasals(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 0x0900 && r <= 0x0D7F }) {
		return s
	}
	rs := []rune(s)
	out := rs[:0]
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r >= 0x0900 && r <= 0x0D7F {
			block, off := r&^0x7F, r&0x7F
			switch {
			case off == 0x01: // chandrabindu
				r = block + 0x02
			case indicNasal(off) && i+2 < len(rs) && rs[i+1] == block+0x4D && indicConsonant(rs[i+2]-block):
				r = block + 0x02
				i++ // the virama goes with the nasal
			}
		}
		out = append(out, r)
	}
	return string(out)
}

// indicNasal reports whether off, a letter's place in its Indic block, is a nasal
// consonant's (ṅa, ña, ṇa, na, ma).
func indicNasal(off rune) bool {
	return off == 0x19 || off == 0x1E || off == 0x23 || off == 0x28 || off == 0x2E
}

// indicConsonant reports whether off, a place in an Indic block, is a consonant's.
func indicConsonant(off rune) bool { return off >= 0x15 && off <= 0x39 }

// lookalikes maps Cyrillic and Greek letters to the Latin letters they are drawn as,
// capitals to capitals (Greek Ν is N, ν is v). unconfuse uses them only inside a word
// that also has Latin letters.
var lookalikes = map[rune]rune{
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C',
	'Т': 'T', 'Х': 'X', 'У': 'Y', 'І': 'I', 'Ј': 'J', 'Ѕ': 'S', 'Һ': 'H', 'Ӏ': 'I',
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'і': 'i', 'ј': 'j',
	'ѕ': 's', 'ԁ': 'd', 'һ': 'h', 'ӏ': 'l', 'ԛ': 'q', 'ԝ': 'w',
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N',
	'Ο': 'O', 'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X',
	'α': 'a', 'ι': 'i', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'υ': 'u', 'χ': 'x', 'γ': 'y',
}

// unconfuse spells in Latin the Cyrillic and Greek lookalikes of a word that mixes them
// with Latin letters and has no other letter: "Mаria" typed or pasted with a Cyrillic а
// is Maria, as a reader sees it, and "S12345О" an ID ending in O. A word wholly in one
// script (Мария, Ελένη), or with a letter only Cyrillic or Greek has ("Mаша"), is left
// as it is. Words are runs of letters, digits, marks, apostrophes and invalid bytes, as
// squeeze joins them.
func unconfuse(s string) string {
	look := latinLookalikes
	if !strings.ContainsFunc(s, func(r rune) bool { _, ok := look[r]; return ok }) {
		return s
	}
	changed := false
	word := 0 // where the current word starts
	rs := []rune(s)
	for i := 0; i <= len(rs); i++ {
		if i < len(rs) && (unicode.IsLetter(rs[i]) || unicode.IsDigit(rs[i]) || unicode.Is(unicode.M, rs[i]) || isApostrophe(rs[i]) || rs[i] == utf8.RuneError) {
			continue
		}
		if w := rs[word:i]; mixesLookalikes(w, look) {
			changed = true
			for k, r := range w {
				if l, ok := look[r]; ok {
					w[k] = l
				}
			}
		}
		word = i + 1
	}
	if !changed {
		return s
	}
	return string(rs)
}

// latinLookalikes holds the lookalikes and their other cases, each with the Latin letter
// it is drawn as: unconfuse reads the text after the compatibility forms and accents
// are gone (ϓ is Υ, ϋ is υ), before case folding, which takes Ԝ to ԝ. A case with its
// own entry keeps it (Greek Ν is N, ν is v).
var latinLookalikes = func() map[rune]rune {
	out := make(map[rune]rune, 2*len(lookalikes))
	for r, l := range lookalikes {
		out[r] = l
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if _, own := lookalikes[f]; !own {
				out[f] = l
			}
		}
	}
	return out
}()

// mixesLookalikes reports whether a word has a Latin letter, a lookalike, and no other
// letter that is not Latin.
func mixesLookalikes(word []rune, lookalikes map[rune]rune) bool {
	latin, look := false, false
	for _, r := range word {
		switch _, ok := lookalikes[r]; {
		case ok:
			look = true
		case r < utf8.RuneSelf || unicode.Is(unicode.Latin, r):
			latin = latin || unicode.IsLetter(r)
		case unicode.IsLetter(r) && !isApostrophe(r) && !unicode.In(r, unicode.Common, unicode.Inherited):
			return false // a letter only another script has: the word is that script's
		}
	}
	return latin && look
}

// squeeze lowers ASCII letters, spells special letters, drops apostrophes, turns other
// non-alphanumerics into single spaces and trims; it allocates only when it must.
func squeeze(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			continue
		case isApostrophe(r):
			continue
		case 'A' <= r && r <= 'Z':
			r += 'a' - 'A'
		case r < utf8.RuneSelf:
			if !('a' <= r && r <= 'z' || '0' <= r && r <= '9') {
				space = b.Len() > 0
				continue
			}
		default:
			if sp, ok := letterSpelling[unicode.ToLower(r)]; ok {
				if space {
					b.WriteByte(' ')
					space = false
				}
				b.WriteString(sp)
				continue
			}
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.M, r) {
				space = b.Len() > 0
				continue
			}
			r = unicode.ToLower(r)
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isClean reports whether s is already folded ASCII: lower-case letters and digits in
// words separated by single spaces.
func isClean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == ' ' && i > 0 && i < len(s)-1 && s[i-1] != ' ':
		default:
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// NewText prepares a free-text value: Folded as Fold gives it, Key without spaces,
// Tokens the words, Runes when Key is not ASCII. The empty string gives the empty Text.
func NewText(s string) Text { return newFoldedText(Fold(s)) }

// newFoldedText is NewText of a value Fold has folded already.
func newFoldedText(folded string) Text {
	if folded == "" {
		return Text{}
	}
	t := Text{Folded: folded, Key: folded}
	if words := strings.Count(folded, " ") + 1; words > 1 {
		// Folded, Key and the tokens in one allocation (an address in a roll of a
		// million is a million of them, each an object the collector marks).
		buf := make([]byte, 0, 2*len(folded)-(words-1))
		buf = append(buf, folded...)
		for k := 0; k < len(folded); k++ {
			if folded[k] != ' ' {
				buf = append(buf, folded[k])
			}
		}
		all := unsafe.String(&buf[0], len(buf)) // buf is never written again
		t.Folded, t.Key = all[:len(folded)], all[len(folded):]
		t.Tokens = make([]string, 0, words)
		for rest := t.Folded; ; {
			sp := strings.IndexByte(rest, ' ')
			if sp < 0 {
				t.Tokens = append(t.Tokens, rest)
				break
			}
			t.Tokens, rest = append(t.Tokens, rest[:sp]), rest[sp+1:]
		}
	} else {
		t.Tokens = []string{folded}
	}
	if !isASCII(t.Key) {
		t.Runes = []rune(t.Key)
	}
	return t
}

// Display returns s with spaces collapsed and trimmed and invalid UTF-8 and control
// characters removed: the form shown to people, accents and case kept.
func Display(s string) string {
	if len(s) > maxValue {
		s = s[:maxValue]
	}
	if inDisplayForm(s) {
		return s // most values are: no copy
	}
	return display(s)
}

// inDisplayForm reports whether Display would return s as it is: valid UTF-8, no control
// characters, single spaces between words and none at either end.
func inDisplayForm(s string) bool {
	space := true // a space may not start s
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			switch {
			case c == ' ':
				if space {
					return false
				}
				space = true
			case c < 0x20 || c == 0x7f:
				return false
			default:
				space = false
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && w == 1) || unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
		space = false
		i += w
	}
	return !space || s == ""
}

// display is Display's copy for a value not in display form.
func display(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToValidUTF8(s, "") {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
