package normalize

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/antzucaro/matchr"
	"golang.org/x/text/unicode/norm"
)

// ErrNotContact is wrapped by the error Fill reports for an e-mail address or phone
// number that CleanEmail or CleanPhone gives "" for: not one, or a placeholder.
var ErrNotContact = errors.New("unusable contact")

// Fill's errors for the two contact roles, which say what the cleaners refuse.
var (
	errNotEmail = fmt.Errorf("%w: not an e-mail address, or one standing for none or for an office (none@, info@, parent@, example.com …)", ErrNotContact)
	errNotPhone = fmt.Errorf("%w: not a phone number of 7 to 15 digits, or a placeholder (555-1212, 000-000-0000, 123-4567 …)", ErrNotContact)
)

// maxEmail is the longest e-mail address SMTP carries (RFC 5321's path limit less its
// brackets).
const maxEmail = 254

// placeholderLocals are local parts that forms and exports write for "no e-mail", or
// that name an office's mailbox, which many families' records carry, rather than a
// household's. Digits after them do not matter (noemail123, none2): placeholderEmail.
var placeholderLocals = map[string]bool{
	"none": true, "noemail": true, "nomail": true, "no": true, "na": true, "n/a": true,
	"unknown": true, "null": true, "test": true, "noreply": true, "donotreply": true,
	"nobody": true, "info": true, "office": true, "admin": true, "contact": true,
	"parent": true, "parents": true, "guardian": true, "student": true, "school": true,
	"frontdesk": true, "registrar": true, "enrollment": true, "email": true,
}

// placeholderDomains are domains that name no mailbox: the reserved example domains and
// the ones forms write for "no e-mail".
var placeholderDomains = map[string]bool{
	"example.com": true, "example.org": true, "example.net": true, "example.edu": true,
	"noemail.com": true, "none.com": true, "test.com": true, "invalid": true,
}

// CleanEmail returns an e-mail address in the form two records of one mailbox agree on,
// or "" when s is missing, not an address or a placeholder. Spaces around it, commas or
// semicolons after it, a display name before it in angle brackets ("Ana Garcia
// <ana@x.org>"), any leading "mailto:" (in any case) and surrounding angle brackets are
// removed; the address is lower-cased and its accents composed (NFC):
// " MAILTO:<Ana.Garcia@School.ORG> " → "ana.garcia@school.org". An address is kept only
// when it has exactly one '@', a non-empty local part of letters, digits and the
// characters RFC 5322 allows unquoted (!#$%&'*+-/=?^_`{|}~ and dots), and a domain of
// letters, digits, '-' and at least one '.' between non-empty labels; it must be valid
// UTF-8, at most 254 bytes, and hold no spaces or control characters (a quoted local part
// gives "").
// Placeholders give "": local parts for no address (none, noemail, no.email, noemail123,
// n/a, unknown, null, test, noreply) or for an office rather than a household (info,
// office, admin, parent, guardian, school, registrar …), and the example domains
// (example.com …). Sub-addresses (ana+school@x.org) are kept as written. The result,
// when not "", is lower case with no spaces, and CleanEmail(CleanEmail(s)) ==
// CleanEmail(s).
func CleanEmail(s string) string {
	if len(s) > maxValue {
		return ""
	}
	s = strings.TrimSpace(s)
	s = strings.TrimRight(s, ",;")
	// A display name before the address in brackets: "Ana Garcia <ana@x.org>".
	if k := strings.LastIndexByte(s, '<'); k > 0 && strings.HasSuffix(s, ">") && !strings.Contains(s[:k], "@") {
		s = s[k:]
	}
	for {
		t := s
		if len(t) >= len("mailto:") && strings.EqualFold(t[:len("mailto:")], "mailto:") {
			t = t[len("mailto:"):]
		}
		if len(t) >= 2 && t[0] == '<' && t[len(t)-1] == '>' {
			t = t[1 : len(t)-1]
		}
		t = strings.TrimSpace(t)
		if t == s {
			break
		}
		s = t
	}
	if s == "" || len(s) > maxEmail || !utf8.ValidString(s) {
		return ""
	}
	s = norm.NFC.String(strings.ToLower(s))
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") || !emailLocal(local) || !emailDomain(domain) {
		return ""
	}
	if placeholderEmail(local) || placeholderDomains[domain] {
		return ""
	}
	return s
}

// placeholderEmail reports whether a local part is a placeholder: one of
// placeholderLocals once its separators (. _ -) and trailing digits are left out
// (no.email, no_email, noemail123).
func placeholderEmail(local string) bool {
	key := strings.Map(func(r rune) rune {
		if r == '.' || r == '_' || r == '-' {
			return -1
		}
		return r
	}, local)
	return placeholderLocals[strings.TrimRight(key, "0123456789")]
}

// emailLocal reports whether a local part holds only letters, digits, RFC 5322's atext
// characters and dots.
func emailLocal(s string) bool {
	for _, r := range s {
		if r < utf8.RuneSelf {
			if !isAlnum(byte(r)) && !strings.ContainsRune("!#$%&'*+-/=?^_`{|}~.", r) {
				return false
			}
		} else if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// emailDomain reports whether a domain is two or more non-empty labels of letters,
// digits and '-', separated by dots.
func emailDomain(s string) bool {
	if !strings.Contains(s, ".") {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" {
			return false
		}
		for _, r := range label {
			if r < utf8.RuneSelf {
				if !isAlnum(byte(r)) && r != '-' {
					return false
				}
			} else if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// CleanPhone returns the digits of a telephone number, or "" when s is missing, not a
// number or a placeholder. What follows a '#' or a letter written after a digit (an
// extension, "801-555-0123 x12", "ext. 4"; a note, "Opt 2", "(cell)") is dropped; every
// other character (spaces, dashes, dots, brackets, a leading '+') is dropped and the
// digits kept in order: "(801) 555-0123" → "8015550123". A spreadsheet's "8015550123.0"
// reads as the number; its exponent form ("8.015550123E9"), which may have lost digits,
// gives "". An international prefix, "00" or North America's "011" before more than 8
// digits, is dropped ("0044 20 7946 0958" and "+44 20 7946 0958" agree), and an
// 11-digit number starting with 1 (the North American country code: "+1 801 555 0123")
// gives its last 10 digits. Fewer than 7 digits or more than 15 (E.164's limit) give "".
// Placeholders give "": every digit the same (0000000000, 5555555555), a run up from 0
// or 1 (1234567, 1234567890, 0123456789), North America's numbers for fiction,
// NNN-555-0100 to NNN-555-0199, and directory assistance, 555-1212. The result holds the
// digits 0–9 only, and CleanPhone(CleanPhone(s)) == CleanPhone(s).
func CleanPhone(s string) string {
	if len(s) > maxValue {
		return ""
	}
	s = strings.TrimSpace(s)
	if k := strings.IndexByte(s, '.'); k > 0 && strings.Trim(s[:k], "0123456789") == "" && strings.Trim(s[k+1:], "0") == "" {
		s = s[:k] // a spreadsheet's 8015552368.0
	}
	var buf [16]byte
	d := buf[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isDigit(c) {
			if len(d) == 15 {
				return "" // more digits than any number has
			}
			d = append(d, c)
			continue
		}
		if len(d) > 0 && (c == '#' || isLetter(c)) {
			if exponent(s[i:]) {
				return "" // a spreadsheet's 8.015552368E9: digits may be lost
			}
			break // an extension or a note: "x12", "ext. 4", "Opt 2", "(cell)"
		}
	}
	for {
		switch {
		case len(d) > 2 && d[0] == '0' && d[1] == '0':
			d = d[2:] // the international prefix: "0044 20 …" is "+44 20 …"
			continue
		case len(d) > 11 && string(d[:3]) == "011":
			d = d[3:] // North America's: "011 44 20 …"
			continue
		case len(d) == 11 && d[0] == '1':
			d = d[1:]
			continue
		}
		break
	}
	if len(d) < 7 || placeholderPhone(d) {
		return ""
	}
	return string(d)
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// exponent reports whether s is a number's exponent as spreadsheets write it: "E9",
// "e+09".
func exponent(s string) bool {
	if len(s) < 2 || s[0]|0x20 != 'e' {
		return false
	}
	s = strings.TrimLeft(s[1:], "+-")
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// placeholderPhone reports whether phone digits are a placeholder: one digit repeated, a
// run up from 0 or 1, or a North American number for fiction (NNN-555-01XX).
func placeholderPhone(d []byte) bool {
	same, up := true, d[0] == '0' || d[0] == '1'
	for i := 1; i < len(d); i++ {
		same = same && d[i] == d[i-1]
		up = up && d[i] == '0'+(d[i-1]-'0'+1)%10
	}
	fiction := len(d) == 10 && string(d[3:7]) == "5550" && d[7] == '1'
	information := len(d) >= 7 && string(d[len(d)-7:]) == "5551212" // directory assistance
	return same || up || fiction || information
}

// ErrSharedContact is wrapped by the error for an e-mail address or phone number that
// ClearSharedContacts cleared.
var ErrSharedContact = errors.New("an e-mail address or phone number of no one household")

// MaxContactFamilyWords is how many words (familyWords) the family names of the records
// carrying one e-mail address or phone number may hold before it is taken for no
// household's: two parents' compound names and a step-family's reach five or six; the
// families at a school's, a district's or a placeholder number the cleaners do not know,
// dozens.
const MaxContactFamilyWords = 6

// SharedContact is an e-mail address, phone number, SSID, address or birth date that
// ClearSharedContacts, ClearSharedSSIDs, ClearSharedAddresses or ClearSharedBirthDates
// cleared: the records that carried it, whose names hold Words words (nameWords: the
// family names for a contact or an address, the given and family names for an SSID or a
// birth date).
type SharedContact struct {
	Role    Role
	Value   string
	Records []int
	Words   int
}

// ClearSharedContacts clears, in t, every e-mail address and phone number whose records'
// family names hold more than maxWords words (nameWords), and returns them by role and
// value. A household's contact tells its records from other households'; one that many
// families carry tells nothing, and agreeing on it would weigh as a household's does.
func ClearSharedContacts(t *Table, maxWords int) []SharedContact {
	return append(clearShared(t, RoleEmail, t.Email, maxWords, false), clearShared(t, RolePhone, t.Phone, maxWords, false)...)
}

// ErrSharedSSID is wrapped by the error for an SSID that ClearSharedSSIDs cleared.
var ErrSharedSSID = errors.New("an SSID of no one child")

// MaxSSIDNameWords is how many words (nameWords) the given and family names of the
// records carrying one SSID may hold before it is taken for no child's: one child's
// records hold a few (a nickname, a middle name used as given, two family names, a
// stepfamily's; the project's synthetic rolls reach six, the most damaged public set,
// febrl-dsgen F, eleven), while a default an LEA writes for every student without a
// state ID holds every child's given name, even where the families share a dozen clan
// names (Vang, Xiong, Yang).
const MaxSSIDNameWords = 16

// ClearSharedSSIDs clears, in t, every SSID whose records' given and family names hold
// more than maxWords words (nameWords), and returns them, as ClearSharedContacts does for
// a household's contacts: an SSID names one child, and agreeing on one that many
// children carry (a default PlaceholderID does not know, 1000000000) would weigh as one
// child's.
func ClearSharedSSIDs(t *Table, maxWords int) []SharedContact {
	return clearShared(t, RoleSSID, t.SSID, maxWords, true)
}

// clearShared clears, in values (the column of role in t), every value whose records'
// names (family names; given names too when given) hold more than maxWords words, and
// returns them sorted by value.
func clearShared(t *Table, role Role, values []string, maxWords int, given bool) []SharedContact {
	filled := 0 // values present: the map below is sized up front, as growing it rehashes a million SSIDs
	for _, v := range values {
		if v != "" {
			filled++
		}
	}
	// The words of each value's records, at most this many: most values are a
	// household's or a child's few records, and only those over maxWords are looked at
	// again (a map of counts, not of record lists: a million SSIDs cost no more).
	words := make(map[string]int, filled)
	for i, v := range values {
		if v != "" {
			words[v] += len(t.Family[i].Tokens)
			if given {
				words[v] += len(t.Given[i].Tokens)
			}
		}
	}
	// The few values over the bound, then their records: a lookup in a small map, not in
	// the counts of a million SSIDs, for every record.
	records := map[string][]int{}
	for v, n := range words {
		if n > maxWords {
			records[v] = nil
		}
	}
	if len(records) == 0 {
		return nil
	}
	for i, v := range values {
		if rs, ok := records[v]; ok {
			records[v] = append(rs, i)
		}
	}
	shared := manyNames(t, role, records, given, maxWords)
	for _, s := range shared {
		for _, i := range s.Records {
			values[i] = ""
		}
	}
	return shared
}

// manyNames returns, sorted by value, the values of role among records (a value's
// records) whose records' names (family names; given names too when given) hold more
// than maxWords words.
func manyNames(t *Table, role Role, records map[string][]int, given bool, maxWords int) []SharedContact {
	var shared []SharedContact
	for v, rs := range records {
		if n := nameWords(t, rs, given); n > maxWords {
			shared = append(shared, SharedContact{Role: role, Value: v, Records: rs, Words: n})
		}
	}
	slices.SortFunc(shared, func(a, b SharedContact) int { return strings.Compare(a.Value, b.Value) })
	return shared
}

// nameWords is how many words the family names of the records rs hold between them,
// and their given names too when given: words of one Soundex count once (Garcia, García
// López and Lopes Garcia hold two; Smith and Smyth one), a word without Latin letters as
// itself (王, Иванова), and initials not at all.
func nameWords(t *Table, rs []int, given bool) int {
	codes := map[string]bool{}
	add := func(p *NamePart) {
		for _, w := range p.Tokens {
			if len(w) < 2 { // an initial; one letter of another script is a whole name (王)
				continue
			}
			if letters := asciiLetters(w); letters != "" {
				codes[matchr.Soundex(letters)] = true
			} else {
				codes[w] = true
			}
		}
	}
	for _, i := range rs {
		add(t.Family[i])
		if given {
			add(t.Given[i])
		}
	}
	return len(codes)
}
