package match

import (
	"bytes"
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
