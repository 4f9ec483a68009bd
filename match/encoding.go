package match

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// encodings are the text encodings Read decodes, by name.
var encodings = map[string]encoding.Encoding{
	"utf-8":        nil,
	"windows-1252": charmap.Windows1252,
	"iso-8859-1":   charmap.ISO8859_1,
	"iso-8859-15":  charmap.ISO8859_15,
	"utf-16":       unicode.UTF16(unicode.LittleEndian, unicode.UseBOM),
	"utf-16le":     unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM),
	"utf-16be":     unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM),
}

// encodingAliases are other names of the encodings.
var encodingAliases = map[string]string{
	"utf8": "utf-8", "cp1252": "windows-1252", "latin1": "iso-8859-1", "latin-1": "iso-8859-1",
	"iso8859-1": "iso-8859-1", "latin9": "iso-8859-15", "utf16": "utf-16",
}

// Encodings lists the names ReadOptions.Encoding takes. "utf-16" reads the byte order
// from a byte-order mark, little-endian without one.
func Encodings() []string {
	names := make([]string, 0, len(encodings))
	for n := range encodings {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// decode returns in as UTF-8 text and the name of the encoding it was read in. The empty
// name reads UTF-8, or UTF-16 when the input starts with a UTF-16 byte-order mark (which
// is not valid UTF-8) or, without one, has a zero byte in every other place of its start
// (looksUTF16). A single-byte encoding (windows-1252, iso-8859-1, iso-8859-15) is
// not applied to an input that is UTF-8 after all — a UTF-8 byte-order mark, or valid
// UTF-8 with a character of several bytes in its first 64 KB (or, where those are ASCII
// alone and the input can be read twice, a file, anywhere in it) — which is read as UTF-8,
// nor to one that is UTF-16 (utf16Of), read as UTF-16: one -encoding for several files
// would otherwise turn the UTF-8 file's "José" into "JosÃ©" without a word, and refuse
// a spreadsheet's "Unicode text" beside a Windows-1252 file.
func decode(in io.Reader, name string) (io.Reader, string, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	if alias, ok := encodingAliases[key]; ok {
		key = alias
	}
	enc, ok := encodings[key]
	switch {
	case key == "":
		br := bufio.NewReader(in)
		if head, _ := br.Peek(512); utf16Of(head) != "" {
			key = utf16Of(head)
			return transform.NewReader(br, encodings[key].NewDecoder()), key, nil
		}
		return br, "utf-8", nil
	case !ok:
		return nil, "", fmt.Errorf("unknown encoding %q (want one of %s)", name, strings.Join(Encodings(), ", "))
	case enc == nil:
		return in, key, nil
	case key == "utf-16":
		// Without a byte-order mark, the byte order is the zero bytes' (little-endian
		// where they cannot say).
		br := bufio.NewReader(in)
		if head, _ := br.Peek(512); looksUTF16(head) == "utf-16be" && string(head[:2]) != "\xff\xfe" {
			return transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder()), key, nil
		}
		in = br
	case singleByte(key):
		rs, seekable := in.(io.ReadSeeker)
		var start int64
		if seekable {
			var err error
			if start, err = rs.Seek(0, io.SeekCurrent); err != nil {
				seekable = false
			}
		}
		br := bufio.NewReaderSize(in, 64<<10)
		head, _ := br.Peek(64 << 10)
		if looksUTF8(head) {
			return br, "utf-8", nil
		}
		// A file whose start is ASCII alone is looked at whole, where it can be read
		// twice: a district's UTF-8 export sorted by name has its first accent far in.
		if seekable && bytes.IndexFunc(head, func(r rune) bool { return r >= utf8.RuneSelf }) < 0 {
			utf8Text, err := utf8Throughout(rs)
			if _, serr := rs.Seek(start, io.SeekStart); serr != nil {
				return nil, "", serr
			}
			if err != nil {
				return nil, "", err
			}
			br = bufio.NewReaderSize(rs, 64<<10)
			if utf8Text {
				return br, "utf-8", nil
			}
		}
		if u := utf16Of(head[:min(len(head), 512)]); u != "" {
			return transform.NewReader(br, encodings[u].NewDecoder()), u, nil
		}
		in = br
	}
	return transform.NewReader(in, enc.NewDecoder()), key, nil
}

// utf16Of names the UTF-16 encoding the start of an input is in: "utf-16" where it
// starts with a byte-order mark (which says the byte order), else what looksUTF16 says;
// "" for none.
func utf16Of(head []byte) string {
	if len(head) >= 2 && (string(head[:2]) == "\xff\xfe" || string(head[:2]) == "\xfe\xff") {
		return "utf-16"
	}
	return looksUTF16(head)
}

// looksUTF16 names the byte order of the start of an input that is UTF-16 without a
// byte-order mark ("utf-16le" or "utf-16be"), or returns "". Such a file's header is
// mostly ASCII, so every other byte is zero; UTF-8 text has no zero bytes at all. Read
// as UTF-8 instead, its zero bytes would pass into every record ID and value.
func looksUTF16(head []byte) string {
	pairs := len(head) / 2
	if pairs < 2 {
		return ""
	}
	var zeroFirst, zeroSecond int
	for i := 0; i+1 < len(head); i += 2 {
		if head[i] == 0 {
			zeroFirst++
		}
		if head[i+1] == 0 {
			zeroSecond++
		}
	}
	switch {
	case zeroFirst == 0 && 5*zeroSecond >= 4*pairs:
		return "utf-16le"
	case zeroSecond == 0 && 5*zeroFirst >= 4*pairs:
		return "utf-16be"
	}
	return ""
}

// singleByte reports whether the encoding of that name gives every byte a character.
func singleByte(key string) bool {
	return key == "windows-1252" || key == "iso-8859-1" || key == "iso-8859-15"
}

// utf8Throughout reads r to its end and reports whether it is valid UTF-8 with at least
// one character of several bytes.
func utf8Throughout(r io.Reader) (bool, error) { return utf8ThroughoutIn(r, make([]byte, 1<<20)) }

// utf8ThroughoutIn is utf8Throughout reading into buf, of utf8.UTFMax bytes or more.
func utf8ThroughoutIn(r io.Reader, buf []byte) (bool, error) {
	carry, multi := 0, false
	for {
		n, err := io.ReadFull(r, buf[carry:])
		text := buf[:carry+n]
		// A character cut by the buffer's end is carried to the next read.
		cut := 0
		for k := 1; k <= utf8.UTFMax-1 && k <= len(text); k++ {
			if b := text[len(text)-k]; b >= 0xc0 {
				if !utf8.FullRune(text[len(text)-k:]) {
					cut = k
				}
				break
			} else if b < utf8.RuneSelf {
				break
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			cut = 0 // nothing follows: a cut character is invalid
		} else if err != nil {
			return false, err
		}
		whole := text[:len(text)-cut]
		if !utf8.Valid(whole) {
			return false, nil
		}
		multi = multi || bytes.IndexFunc(whole, func(r rune) bool { return r >= utf8.RuneSelf }) >= 0
		if err != nil {
			return multi, nil
		}
		carry = copy(buf, text[len(text)-cut:])
	}
}

// looksUTF8 reports whether the start of an input is UTF-8 rather than a single-byte
// encoding: a UTF-8 byte-order mark, or valid UTF-8 (a character cut at the end aside)
// with at least one character of several bytes.
func looksUTF8(head []byte) bool {
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		return true
	}
	multi := false
	for i := 0; i < len(head); {
		if head[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && n <= 1 {
			return !utf8.FullRune(head[i:]) && multi // a character cut by the peek's end
		}
		multi = true
		i += n
	}
	return multi
}

// encodingHint suggests an encoding for text that is not valid UTF-8, when none was set.
func encodingHint(name string) string {
	if name != "" {
		return ""
	}
	return " (if the file is not UTF-8, name its encoding: windows-1252 and iso-8859-1 are common)"
}

// headerHint suggests UTF-16 for a header that starts with its byte-order mark, read
// under another encoding named; else encodingHint's.
func headerHint(first, name string) string {
	if strings.HasPrefix(first, "\xff\xfe") || strings.HasPrefix(first, "\xfe\xff") {
		return " (it starts with a UTF-16 byte-order mark: -encoding utf-16, or none)"
	}
	return encodingHint(name)
}
