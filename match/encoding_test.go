package match

import (
	"bytes"
	"strconv"
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

// TestUTF8Throughout reads an input whole: UTF-8 with a character of several bytes, a
// character cut by the end of a read, an invalid byte far in, and ASCII alone.
func TestUTF8Throughout(t *testing.T) {
	pad := strings.Repeat("a", 1<<20-1) // the next character straddles the first read's end
	for _, tc := range []struct {
		name, in string
		want     bool
	}{
		{"ascii", "id,name\n1,Ana\n", false},
		{"utf-8", "id,name\n1,José\n", true},
		{"a character across reads", pad + "é" + "b", true},
		{"a cut character at the end", pad + "\xc3", false},
		{"windows-1252 far in", pad + "Jos\xe9 b", false},
	} {
		got, err := utf8Throughout(strings.NewReader(tc.in))
		if err != nil || got != tc.want {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

// TestReadUTF8FarIn reads a UTF-8 file whose first accent lies past the 64 KB decode
// looks at first as UTF-8 under a named single-byte encoding, and a Windows-1252 file
// so as Windows-1252.
func TestReadUTF8FarIn(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,first,last\n")
	for i := 0; b.Len() < 70<<10; i++ {
		b.WriteString("a" + strconv.Itoa(i) + ",Ana,Lopez\n")
	}
	ascii := b.String()
	for _, tc := range []struct {
		name, last, enc string
	}{
		{"utf-8", "Núñez", "utf-8"},
		{"windows-1252", "N\xfa\xf1ez", "windows-1252"},
	} {
		r, err := NewRoll("id", testColumns())
		if err != nil {
			t.Fatal(err)
		}
		n, err := r.Read("x.csv", strings.NewReader(ascii+"z,Ana,"+tc.last+"\n"), ReadOptions{Encoding: "windows-1252"})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Record(r.Len() - 1).Family; n.Encoding != tc.enc || got != "Núñez" {
			t.Errorf("%s: read as %s, family %q", tc.name, n.Encoding, got)
		}
	}
}

// FuzzUTF8Throughout checks the chunked reading against utf8.Valid on the whole input,
// with buffers small enough that characters straddle reads.
func FuzzUTF8Throughout(f *testing.F) {
	for _, s := range []string{"", "abc", "José", "Jos\xe9", "aaé", "aaaé", "\xc3", "日本語", "\xf0\x9f\x98\x80x"} {
		f.Add([]byte(s), uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, size uint8) {
		buf := make([]byte, utf8.UTFMax+int(size%12))
		got, err := utf8ThroughoutIn(bytes.NewReader(data), buf)
		want := utf8.Valid(data) && bytes.IndexFunc(data, func(r rune) bool { return r >= utf8.RuneSelf }) >= 0
		if err != nil || got != want {
			t.Errorf("utf8ThroughoutIn(%q, %d bytes) = %v, %v; want %v", data, len(buf), got, err, want)
		}
	})
}
