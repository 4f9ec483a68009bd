package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxEmail is the longest e-mail address SMTP carries (RFC 5321's path limit less its
// brackets).
const maxEmail = 254

// placeholderLocals are local parts that forms and exports write for "no e-mail".
var placeholderLocals = map[string]bool{
	"none": true, "noemail": true, "nomail": true, "no": true, "na": true, "n/a": true,
	"unknown": true, "null": true, "test": true, "noreply": true, "no-reply": true,
	"donotreply": true, "do-not-reply": true, "nobody": true,
}

// placeholderDomains are domains that name no mailbox: the reserved example domains and
// the ones forms write for "no e-mail".
var placeholderDomains = map[string]bool{
	"example.com": true, "example.org": true, "example.net": true, "example.edu": true,
	"noemail.com": true, "none.com": true, "test.com": true, "invalid": true,
}

// CleanEmail returns an e-mail address in the form two records of one mailbox agree on,
// or "" when s is missing, not an address or a placeholder. Spaces around it, any
// leading "mailto:" (in any case) and surrounding angle brackets ("<ana@x.org>") are
// removed and the address is lower-cased: " MAILTO:<Ana.Garcia@School.ORG> " →
// "ana.garcia@school.org". An address is kept only when it has exactly one '@', a
// non-empty local part of letters, digits and the characters RFC 5322 allows unquoted
// (!#$%&'*+-/=?^_`{|}~ and dots), and a domain of letters, digits, '-' and at least one
// '.' between non-empty labels; it must be valid UTF-8, at most 254 bytes, and hold no
// spaces or control characters (a quoted local part or a display name "Ana <ana@x.org>"
// gives ""). Placeholders give "": local parts such as none, noemail, no, na, n/a,
// unknown, null, test and noreply, and the example domains (example.com …). Sub-addresses
// (ana+school@x.org) are kept as written. The result, when not "", is lower case with no
// spaces, and CleanEmail(CleanEmail(s)) == CleanEmail(s).
func CleanEmail(s string) string {
	if len(s) > maxValue {
		return ""
	}
	s = strings.TrimSpace(s)
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
	s = strings.ToLower(s)
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") || !emailLocal(local) || !emailDomain(domain) {
		return ""
	}
	if placeholderLocals[local] || placeholderDomains[domain] {
		return ""
	}
	return s
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
// number or a placeholder. An extension, what follows an "x", "ext" or '#' written after
// a digit ("801-555-0123 x12", "ext. 4"), is dropped; every other character (spaces,
// dashes, dots, brackets, a leading '+') is dropped and the digits kept in order: "(801)
// 555-0123" → "8015550123". An 11-digit number starting with 1 (the North American
// country code: "+1 801 555 0123") gives its last 10 digits. Fewer than 7 digits or more
// than 15 (E.164's limit) give "". Placeholders give "": every digit the same
// (0000000000, 5555555555), a run up from 0 or 1 (1234567, 1234567890, 0123456789), and
// North America's numbers for fiction, NNN-555-0100 to NNN-555-0199. The result holds
// the digits 0–9 only, and CleanPhone(CleanPhone(s)) == CleanPhone(s).
func CleanPhone(s string) string {
	if len(s) > maxValue {
		return ""
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
		if len(d) > 0 && (c == 'x' || c == 'X' || c == '#' || (c == 'e' || c == 'E') && hasExt(s[i:])) {
			break // the extension
		}
	}
	if len(d) == 11 && d[0] == '1' {
		d = d[1:]
	}
	if len(d) < 7 || placeholderPhone(d) {
		return ""
	}
	return string(d)
}

// hasExt reports whether s starts with "ext" in any case.
func hasExt(s string) bool { return len(s) >= 3 && strings.EqualFold(s[:3], "ext") }

// placeholderPhone reports whether phone digits are a placeholder: one digit repeated, a
// run up from 0 or 1, or a North American number for fiction (NNN-555-01XX).
func placeholderPhone(d []byte) bool {
	same, up := true, d[0] == '0' || d[0] == '1'
	for i := 1; i < len(d); i++ {
		same = same && d[i] == d[i-1]
		up = up && d[i] == '0'+(d[i-1]-'0'+1)%10
	}
	fiction := len(d) == 10 && string(d[3:7]) == "5550" && d[7] == '1'
	return same || up || fiction
}
