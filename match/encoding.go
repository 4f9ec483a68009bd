package match

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

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

// decode returns in as UTF-8 text. The empty name reads UTF-8, or UTF-16 when the input
// starts with a UTF-16 byte-order mark (which is not valid UTF-8).
func decode(in io.Reader, name string) (io.Reader, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	if alias, ok := encodingAliases[key]; ok {
		key = alias
	}
	if key == "" {
		br := bufio.NewReader(in)
		if bom, _ := br.Peek(2); string(bom) == "\xff\xfe" || string(bom) == "\xfe\xff" {
			key = "utf-16"
		}
		in = br
	}
	enc, ok := encodings[key]
	switch {
	case key == "":
		return in, nil
	case !ok:
		return nil, fmt.Errorf("unknown encoding %q (want one of %s)", name, strings.Join(Encodings(), ", "))
	case enc == nil:
		return in, nil
	}
	return transform.NewReader(in, enc.NewDecoder()), nil
}

// encodingHint suggests an encoding for text that is not valid UTF-8, when none was set.
func encodingHint(name string) string {
	if name != "" {
		return ""
	}
	return " (if the file is not UTF-8, name its encoding: windows-1252 and iso-8859-1 are common)"
}
