package backpack

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// Limits on one Ed-Fi resource.
const (
	// MaxResourceSize is the largest resource Import reads, in bytes.
	MaxResourceSize = 8 << 20
	// MaxResourceDepth is the deepest nesting of objects and arrays in a resource.
	MaxResourceDepth = 32
)

// arrayScanner reads the elements of a JSON array one at a time without decoding them,
// so that a malformed element costs only itself: it finds each element's extent by its
// brackets and strings, and reports it with its index and byte offset. Bytes it cannot
// place in any element end the scan.
//
// A fault that would make an element swallow the ones after it — a closing brace
// missing, a stray quote, a string left open — shows as a syntax error the brackets
// alone miss: an object or array where a key belongs, a value right after a value, a
// line break inside a string (JSON allows none). The scanner then resynchronises at the
// next plausible resource start, a line holding '{' after the same indentation as the
// array's first resource, and reports the element with where the fault was and how many
// bytes it skipped. A file whose first resource does not start its line (one long line)
// has no such start, and a fault there still ends at the brackets.
type arrayScanner struct {
	r      *bufio.Reader
	offset int64 // of the next byte to read
	// The element found by next.
	elem   []byte
	index  int
	start  int64
	elemOK error // why the element is malformed, or nil
	// resynced says the element ended at a fault and the scan skipped to the next.
	resynced bool
	// err is the error that ended the scan (nil at a clean end), at errAt.
	err   error
	errAt int64
	state int // 0 before '[', 1 expecting an element or ']', 2 after an element, 3 done
	// The line so far: whether it holds only spaces and tabs (ws, before the next byte),
	// and the values before the last byte read, for unread.
	clean, prevClean bool
	ws, prevWS       int
	// indent is the first resource's indentation, when it starts its line (hasIndent).
	indent    int
	hasIndent bool
}

// newArrayScanner scans r, whose size is given when known (-1 when not): a small file
// gets a buffer of its own size, not the 64 KB a large one reads through.
func newArrayScanner(r io.Reader, size int64) *arrayScanner {
	n := 64 << 10
	if size >= 0 && size < int64(n) {
		n = int(size) + 1 // bufio rounds a size under 16 up
	}
	return &arrayScanner{r: bufio.NewReaderSize(r, n), index: -1, clean: true}
}

func (s *arrayScanner) read() (byte, error) {
	c, err := s.r.ReadByte()
	if err == nil {
		s.offset++
		s.prevClean, s.prevWS = s.clean, s.ws
		switch {
		case c == '\n':
			s.clean, s.ws = true, 0
		case s.clean && (c == ' ' || c == '\t' || c == '\r'):
			s.ws++
		default:
			s.clean = false
		}
	}
	return c, err
}

func (s *arrayScanner) unread() {
	s.r.UnreadByte()
	s.offset--
	s.clean, s.ws = s.prevClean, s.prevWS
}

// atResourceStart reports whether the byte just read, c, can start a top-level
// resource: '{' after the first resource's indentation on its line.
func (s *arrayScanner) atResourceStart(c byte) bool {
	return c == '{' && s.hasIndent && s.prevClean && s.prevWS == s.indent
}

// resync skips from a fault, at offset at, to the next plausible resource start (see
// arrayScanner), the byte c just read included, and notes in elemOK the fault, where it
// was and what was skipped. Without a start before the end, the rest of the file goes.
func (s *arrayScanner) resync(reason string, at int64, c byte) {
	for {
		if s.atResourceStart(c) {
			s.unread()
			s.elemOK = fmt.Errorf("%s at byte %d: skipped %d bytes to the next resource, at byte %d", reason, at-1, s.offset-at+1, s.offset)
			s.resynced = true
			return
		}
		var err error
		if c, err = s.read(); err != nil {
			s.elemOK = fmt.Errorf("%s at byte %d: skipped the rest of the file (%d bytes): no resource starts after it", reason, at-1, s.offset-at+1)
			if err == io.EOF {
				err = nil
			}
			s.err, s.errAt, s.state = err, s.offset, 3
			return
		}
	}
}

// skipSpace reads past JSON whitespace and returns the next byte, unread.
func (s *arrayScanner) skipSpace() (byte, error) {
	for {
		c, err := s.read()
		if err != nil {
			return 0, err
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			s.unread()
			return c, nil
		}
	}
}

func (s *arrayScanner) stop(err error, at int64) bool {
	s.err, s.errAt, s.state = err, at, 3
	return false
}

// next finds the next element; it returns false at the end of the array or of the scan
// (then err says why, if not cleanly).
func (s *arrayScanner) next() bool {
	for {
		c, err := s.skipSpace()
		at := s.offset
		switch {
		case s.state == 3:
			return false
		case err == io.EOF && s.state == 0:
			return s.stop(errors.New("the file is empty: want a JSON array of resources"), at)
		case err == io.EOF:
			return s.stop(errors.New("the file ends inside the array"), at)
		case err != nil:
			return s.stop(err, at)
		case s.state == 0:
			s.read()
			if c != '[' {
				return s.stop(fmt.Errorf("want a JSON array of resources, found %q", c), at)
			}
			s.state = 1
		case s.state == 2 && c == ',':
			s.read()
			if c, err := s.skipSpace(); err == nil && c == ']' {
				return s.stop(errors.New("a comma after the last resource"), s.offset)
			}
			s.state = 1
		case c == ']' && (s.state == 2 || s.state == 1 && s.index < 0):
			s.read()
			if _, err := s.skipSpace(); err != io.EOF {
				return s.stop(errors.New("data after the array"), s.offset)
			}
			s.state = 3
			return false
		default:
			s.index++
			s.start = at
			if s.index == 0 && s.clean {
				s.indent, s.hasIndent = s.ws, true
			}
			after := s.state
			s.resynced = false
			s.scanValue()
			if s.elemOK == nil && after == 2 {
				s.elemOK = errors.New("no comma between this resource and the one before")
			}
			switch {
			case s.state == 3:
			case s.resynced: // the next resource follows without a comma
				s.state = 1
			default:
				s.state = 2
			}
			return true // a last element the file cut short still gets reported
		}
	}
}

// What a JSON value's grammar wants next, as far as scanValue follows it.
const (
	wantValue   = iota // a value (also after ':' and after ',' in an array)
	wantKey            // a key, after '{' or ',' in an object
	wantNext           // ',' or a closer, after a value
	wantLiteral        // inside a number, true, false or null
)

// scanValue reads one JSON value's bytes into elem, noting in elemOK what is wrong with
// it: too big, too deep, brackets that do not match, the file ending inside it, or a
// fault after which it resynchronises (see arrayScanner and resync).
func (s *arrayScanner) scanValue() {
	s.elem, s.elemOK = s.elem[:0], nil
	var closers []byte
	inString, escaped, isKey := false, false, false
	want := wantValue
	keep := func(c byte) {
		if len(s.elem) < MaxResourceSize {
			s.elem = append(s.elem, c)
		} else if s.elemOK == nil {
			s.elemOK = fmt.Errorf("larger than %d bytes", MaxResourceSize)
		}
	}
	fault := func(reason string, c byte) bool {
		if !s.hasIndent {
			return false // no resource start to resynchronise at: the brackets decide
		}
		s.resync(reason, s.offset, c)
		return true
	}
	for {
		c, err := s.read()
		if err != nil {
			if s.elemOK == nil {
				s.elemOK = errors.New("the file ends inside this resource")
			}
			if err == io.EOF {
				err = nil // the element's error says it all
			}
			s.err, s.errAt, s.state = err, s.offset, 3
			return
		}
		if !inString && len(closers) == 0 && len(s.elem) > 0 && isDelimiter(c) {
			s.unread() // the end of a number, true, false or null
			return
		}
		switch {
		case inString && c == '\n':
			if fault("a string left open (a line break inside it)", c) {
				return
			}
		case inString, c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if want == wantLiteral {
				want = wantNext
			}
		case c == '"' && want == wantNext, c != '"' && want == wantKey && (c == '{' || c == '['):
			if fault(fmt.Sprintf("unexpected %q", c), c) {
				return
			}
		case c == ',' && len(closers) > 0:
			want = wantValue
			if closers[len(closers)-1] == '}' {
				want = wantKey
			}
		case c == ':':
			want = wantValue
		case c == '"' || c == '{' || c == '[' || c == '}' || c == ']':
		case want == wantNext:
			if fault(fmt.Sprintf("unexpected %q after a value", c), c) {
				return
			}
		default:
			want = wantLiteral
		}
		keep(c)
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
			if inString {
				isKey = want == wantKey
				continue
			}
			want = wantNext
			if isKey {
				want = wantValue // the ':' comes first; not checked
			}
			if len(closers) == 0 {
				return
			}
		case inString:
		case c == '{' || c == '[':
			closers = append(closers, c+2) // '}' and ']' follow their openers by two
			want = wantValue
			if c == '{' {
				want = wantKey
			}
			if len(closers) == MaxResourceDepth+1 && s.elemOK == nil {
				s.elemOK = fmt.Errorf("nested deeper than %d levels", MaxResourceDepth)
			}
		case c == '}' || c == ']':
			if len(closers) == 0 { // a closer where a resource should start
				s.elemOK = fmt.Errorf("unexpected %q", c)
				return
			}
			if closers[len(closers)-1] != c && s.elemOK == nil {
				s.elemOK = fmt.Errorf("%q closes %q", c, closers[len(closers)-1]-2)
			}
			closers = closers[:len(closers)-1]
			want = wantNext
			if len(closers) == 0 {
				return
			}
		}
	}
}

func isDelimiter(c byte) bool {
	return c == ',' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\n' || c == '\r'
}
