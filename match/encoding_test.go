package match

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLooksUTF8: an input looks like UTF-8 only if it is (a character cut at the end
// aside) and holds a character of several bytes, or starts with the UTF-8 mark.
func FuzzLooksUTF8(f *testing.F) {
	for _, s := range []string{"", "abc", "José", "Jos\xe9", "\xef\xbb\xbfid", "caf\xc3", "\xc3\xa9\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		got := looksUTF8(head)
		if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
			if !got {
				t.Errorf("%q starts with the UTF-8 mark but does not look UTF-8", head)
			}
			return
		}
		trimmed := head
		for k := 1; k <= 3 && k <= len(head); k++ {
			if tail := head[len(head)-k:]; !utf8.FullRune(tail) && utf8.Valid(head[:len(head)-k]) {
				trimmed = head[:len(head)-k]
				break
			}
		}
		multi := bytes.ContainsFunc(trimmed, func(r rune) bool { return r >= utf8.RuneSelf })
		if want := utf8.Valid(trimmed) && multi; got != want {
			t.Errorf("looksUTF8(%q) = %v, want %v", head, got, want)
		}
	})
}

// FuzzLooksUTF16: text without zero bytes (any UTF-8) is never taken for UTF-16, and
// ASCII of two characters or more written as UTF-16 always is, in its byte order.
func FuzzLooksUTF16(f *testing.F) {
	for _, s := range []string{"", "id", "record_id,name", "José", "a\x00b\x00", "\x00a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !strings.ContainsRune(s, 0) {
			if got := looksUTF16([]byte(s)); got != "" {
				t.Errorf("looksUTF16(%q) = %q for text without a zero byte", s, got)
			}
		}
		ascii := strings.Map(func(r rune) rune {
			if r == 0 || r >= utf8.RuneSelf {
				return -1
			}
			return r
		}, s)
		if len(ascii) < 2 {
			return
		}
		le, be := make([]byte, 0, 2*len(ascii)), make([]byte, 0, 2*len(ascii))
		for i := 0; i < len(ascii); i++ {
			le = append(le, ascii[i], 0)
			be = append(be, 0, ascii[i])
		}
		if got := looksUTF16(le); got != "utf-16le" {
			t.Errorf("%q as UTF-16LE: %q", ascii, got)
		}
		if got := looksUTF16(be); got != "utf-16be" {
			t.Errorf("%q as UTF-16BE: %q", ascii, got)
		}
	})
}
