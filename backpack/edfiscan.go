package backpack

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
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
// alone miss: an object or array where a key belongs or right after a value, a value
// right after a value, a line break inside a string (JSON allows none). The scanner then
// resynchronises (resync) at the next resource start, the same rule for a pretty-printed
// file (any indentation, indent 0 too) and for one long line (as the ODS/API returns
// resources): a '{' after a ',' (spaces and line breaks between them allowed) whose
// object parses and is followed by the next resource (after the fault, a stray ']'
// between them allowed) or by the array's end and the file's (judgeStart). An object nested in a
// resource is no start: the chain of objects after it ends in a ']' that is followed by
// more of the resource, so no fragment of a resource is imported as one, and a nested
// ']' is never read as the array's end. The search starts at the faulty resource's
// second byte, as the fault may show only after a string left open swallowed the next
// start. The element's error names where the fault was and the bytes skipped; the
// skipped bytes are kept in the element (up to MaxResourceSize; partial says some were
// not), so that the importer can refuse the students they may hold.
//
// A UTF-8 byte order mark before the array is skipped; a ']' followed by ',' is a stray
// closer, reported as an element of its own, not the end of the array.
type arrayScanner struct {
	r      *bufio.Reader
	offset int64 // of the next byte to read
	// pending holds bytes read past and handed back by a resynchronisation, read before
	// r from pending[pi]; fromPending says the last byte read came from there.
	pending     []byte
	pi          int
	fromPending bool
	// The element found by next.
	elem   []byte
	index  int
	start  int64
	elemOK error // why the element is malformed, or nil
	// resynced says the element ended at a fault and the scan skipped to the next;
	// skippedRest that it skipped the rest of the file instead.
	resynced, skippedRest bool
	// err is the error that ended the scan (nil at a clean end), at errAt.
	err   error
	errAt int64
	state int // 0 before '[', 1 expecting an element or ']', 2 after an element, 3 done
	// hadResync says the scan resynchronised after a fault before.
	hadResync bool
	// partial says elem does not hold every byte the element covers (it was larger
	// than MaxResourceSize, skipped bytes included).
	partial bool
}

// newArrayScanner scans r, whose size is given when known (-1 when not): a small file
// gets a buffer of its own size, not the 64 KB a large one reads through.
func newArrayScanner(r io.Reader, size int64) *arrayScanner {
	n := 64 << 10
	if size >= 0 && size < int64(n) {
		n = int(size) + 1 // bufio rounds a size under 16 up
	}
	return &arrayScanner{r: bufio.NewReaderSize(r, n), index: -1}
}

func (s *arrayScanner) read() (byte, error) {
	var c byte
	var err error
	if s.fromPending = s.pi < len(s.pending); s.fromPending {
		c = s.pending[s.pi]
		s.pi++
	} else {
		c, err = s.r.ReadByte()
	}
	if err == nil {
		s.offset++
	}
	return c, err
}

func (s *arrayScanner) unread() {
	if s.fromPending {
		s.pi--
	} else {
		s.r.UnreadByte()
	}
	s.offset--
}

// resync skips from a fault, the byte c just read at offset at-1, to the next resource
// start (see arrayScanner and judgeStart), looked for from the element's second byte on
// and reading on as needed; it hands the resource start back to be read next, keeps in
// elem what came before it (the skipped bytes too, up to MaxResourceSize), and notes in
// elemOK the fault, where it was and what was skipped. Without a start before the end,
// the rest of the file goes.
func (s *arrayScanner) resync(reason string, at int64, c byte) {
	// buf holds the bytes from offset base on: the element's after its first (when all
	// were kept), then c and what is read after it.
	s.hadResync = true
	var buf []byte
	base := at - 1
	if int64(len(s.elem)) == at-1-s.start {
		buf, base = append(buf, s.elem[1:]...), s.start+1
	} else {
		s.partial = true
	}
	// skip keeps a byte read past the fault in elem, as far as it may.
	skip := func(c byte) {
		if len(s.elem) < MaxResourceSize {
			s.elem = append(s.elem, c)
		} else {
			s.partial = true
		}
	}
	buf = append(buf, c)
	skip(c)
	from, eof := 0, false // where the search goes on; whether buf runs to the end of the file
	for {
		p := resourceStart(buf, from)
		verdict := startNo
		if p >= 0 {
			verdict = judgeStart(buf[p:], eof, base+int64(p) >= at-1)
		}
		switch {
		case verdict == startYes:
			back := slices.Clone(buf[p:])
			s.pending, s.pi = append(back, s.pending[s.pi:]...), 0
			s.offset -= int64(len(back))
			if keep := base + int64(p) - s.start; keep < int64(len(s.elem)) {
				s.elem = s.elem[:keep]
			}
			if s.offset >= at-1 {
				s.elemOK = fmt.Errorf("%s at byte %d: skipped %d bytes to the next resource, at byte %d", reason, at-1, s.offset-at+1, s.offset)
			} else {
				s.elemOK = fmt.Errorf("%s at byte %d: the next resource starts before it, at byte %d, inside what read as a string", reason, at-1, s.offset)
			}
			s.resynced = true
			return
		case verdict == startNo && p >= 0:
			from = p + 1 // try the next candidate
			continue
		case verdict == startNo && eof:
			s.elemOK = fmt.Errorf("%s at byte %d: skipped the rest of the file (%d bytes): no resource starts after it", reason, at-1, s.offset-at+1)
			s.skippedRest = true
			s.errAt, s.state = s.offset, 3
			return
		case verdict == startNo: // no candidate in buf: keep what one may still begin in
			if len(buf) > 1<<16 {
				drop := len(buf) - 64
				buf, base = buf[drop:], base+int64(drop)
			}
			from = max(0, len(buf)-64)
		default: // startMore: the candidate at p needs more bytes to be judged
			from = p
		}
		// Read on: a candidate being judged gets as many bytes again as it holds.
		want := 4096
		if verdict == startMore {
			want = max(want, len(buf)-p)
		}
		for range want {
			next, err := s.read()
			if err == io.EOF {
				eof = true
				break
			}
			if err != nil {
				s.elemOK = fmt.Errorf("%s at byte %d: reading on: %v", reason, at-1, err)
				s.err, s.errAt, s.state = err, s.offset, 3
				return
			}
			buf = append(buf, next)
			skip(next)
		}
	}
}

// Verdicts of judgeStart.
const (
	startNo   = iota // not a resource start
	startYes         // a resource start
	startMore        // the bytes so far do not decide
)

// Limits on how far judgeStart follows the resources after a candidate start.
const (
	startChain      = 64
	startChainBytes = 1 << 20
)

// judgeStart judges a candidate resource start b (b[0] is '{', after a ','); eof says b
// runs to the end of the file. A fault leaves the scan inside a
// resource, whose nested objects (an otherNames or races array) look like resources: the
// object at b must parse and be followed by ',' and another object, or by the array's
// closing ']' and nothing but spaces to the end of the file. The objects after it are
// followed in turn, up to startChain of them or startChainBytes: one ending in a ']'
// followed by more was in an array nested inside a resource, and the candidate is no
// resource — unless strayOK (the candidate is after the fault) and the ']' is followed by
// ',' and '{': a stray closer between resources, which next reports, and the chain goes
// on. Before the fault, "]," and '{' is rather the end of an array nested in the faulty
// resource, whose closing brace is missing; one that does not parse is another malformed resource, and the candidate
// stands.
func judgeStart(b []byte, eof, strayOK bool) int {
	i := 0
	for n := 0; ; n++ {
		end, ok := objectEnd(b[i:])
		switch {
		case end < 0 && !ok:
			return faultAt(n)
		case end < 0 && eof:
			return faultAt(n)
		case end < 0:
			return startMore
		case !json.Valid(b[i : i+end]):
			return faultAt(n)
		}
		j := skipJSONSpace(b, i+end)
		if j == len(b) {
			if eof {
				return startNo
			}
			return startMore
		}
		switch b[j] {
		case ',':
			k := skipJSONSpace(b, j+1)
			switch {
			case k == len(b) && eof:
				return startNo
			case k == len(b):
				return startMore
			case b[k] != '{':
				return startNo
			case n+1 == startChain || k > startChainBytes:
				return startYes
			}
			i = k
		case ']':
			k := skipJSONSpace(b, j+1)
			switch {
			case k == len(b) && eof:
				return startYes
			case k == len(b):
				return startMore
			case b[k] != ',' || !strayOK:
				return startNo
			}
			// "]," is a stray closer between resources (next reports it) or the end of
			// an array nested in a resource: the chain goes on only to another object.
			k = skipJSONSpace(b, k+1)
			switch {
			case k == len(b) && eof:
				return startNo
			case k == len(b):
				return startMore
			case b[k] != '{':
				return startNo
			case n+1 == startChain || k > startChainBytes:
				return startYes
			}
			i = k
		default:
			return startNo
		}
	}
}

// faultAt is judgeStart's verdict on a candidate whose n-th object (from 0) is malformed
// or cut short by the end of the file: no start when it is the candidate's own, a start
// when it is a later one (another malformed resource).
func faultAt(n int) int {
	if n == 0 {
		return startNo
	}
	return startYes
}

// objectEnd returns the length of the JSON object b starts with, by its brackets and
// strings, and true; -1 and true when b ends first; -1 and false when the object cannot
// be a resource: its brackets do not match, a string holds a line break, or it is nested
// deeper than MaxResourceDepth or larger than MaxResourceSize.
func objectEnd(b []byte) (int, bool) {
	var closers []byte
	inString, escaped := false, false
	for i, c := range b {
		if i >= MaxResourceSize {
			return -1, false
		}
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString && c == '\n':
			return -1, false
		case inString:
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if closers = append(closers, c+2); len(closers) > MaxResourceDepth {
				return -1, false
			}
		case c == '}' || c == ']':
			if len(closers) == 0 || closers[len(closers)-1] != c {
				return -1, false
			}
			if closers = closers[:len(closers)-1]; len(closers) == 0 {
				return i + 1, true
			}
		}
	}
	return -1, true
}

// skipJSONSpace returns the index of the first byte of b from i on that is not JSON
// whitespace, len(b) when there is none.
func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// resourceStart returns where in b, from index from on, the first object that starts
// after a ',' and whose first key starts it (JSON whitespace allowed between them, and
// before from too) — a candidate resource start, `,{"` — or -1 when there is none. A
// '{' followed by nothing but whitespace to the end of b is a candidate too: judgeStart
// asks for more.
func resourceStart(b []byte, from int) int {
	for {
		i := bytes.IndexByte(b[from:], '{')
		if i < 0 {
			return -1
		}
		i += from
		if j := skipSpaceBack(b, i); j >= 0 && b[j] == ',' {
			if k := skipJSONSpace(b, i+1); k == len(b) || b[k] == '"' {
				return i
			}
		}
		from = i + 1
	}
}

// skipSpaceBack returns the index of the last byte of b before i that is not JSON
// whitespace, -1 when there is none.
func skipSpaceBack(b []byte, i int) int {
	j := i - 1
	for j >= 0 && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r') {
		j--
	}
	return j
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
		case s.state == 0 && at == 0 && c == bom[0]:
			for _, b := range bom {
				if got, err := s.read(); err != nil || got != b {
					return s.stop(errors.New("want a JSON array of resources, found a broken byte order mark"), at)
				}
			}
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
			next, err := s.skipSpace()
			switch {
			case err == io.EOF:
				s.state = 3
				return false
			case err == nil && next == ',' && s.state == 2: // a stray closer inside the array
				s.index++
				s.start, s.elem, s.elemOK = at, append(s.elem[:0], ']'), errors.New("a stray ']' between resources")
				return true
			case err == nil && s.state == 2 && s.hadResync:
				// After a resynchronisation, a ']' with more after it is rather the end
				// of an array nested in a resource the scan resumed inside of (a chain of
				// startChain nested objects reads as resources) than the array's: it is
				// reported and the scan resynchronises again.
				s.index++
				s.start, s.partial = at, false
				// elem holds the ']' and the spaces after it (as spaces: only their count
				// matters), as resync wants the element's bytes up to the fault.
				s.elem = append(append(s.elem[:0], ']'), bytes.Repeat([]byte{' '}, int(s.offset-at-1))...)
				s.resynced, s.skippedRest = false, false
				c, _ := s.read()
				s.resync("a ']' with more after it, not the array's end", s.offset, c)
				if s.state != 3 {
					s.state = 1
				}
				return true
			}
			return s.stop(errors.New("data after the array"), s.offset)
		default:
			s.index++
			s.start = at
			after := s.state
			s.resynced, s.skippedRest = false, false
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
	s.elem, s.elemOK, s.partial = s.elem[:0], nil, false
	var closers []byte
	inString, escaped, isKey := false, false, false
	want := wantValue
	keep := func(c byte) {
		if len(s.elem) < MaxResourceSize {
			s.elem = append(s.elem, c)
		} else {
			s.partial = true
			if s.elemOK == nil {
				s.elemOK = fmt.Errorf("larger than %d bytes", MaxResourceSize)
			}
		}
	}
	fault := func(reason string, c byte) { s.resync(reason, s.offset, c) }
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
			fault("a string left open (a line break inside it)", c)
			return
		case inString, c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if want == wantLiteral {
				want = wantNext
			}
		case c == '"' && want == wantNext, c != '"' && want == wantKey && (c == '{' || c == '['):
			fault(fmt.Sprintf("unexpected %q", c), c)
			return
		case (c == '{' || c == '[') && (want == wantNext || want == wantLiteral):
			fault(fmt.Sprintf("unexpected %q after a value", c), c)
			return
		case c == ',' && len(closers) > 0:
			want = wantValue
			if closers[len(closers)-1] == '}' {
				want = wantKey
			}
		case c == ':':
			want = wantValue
		case c == '"' || c == '{' || c == '[' || c == '}' || c == ']':
		case want == wantNext:
			fault(fmt.Sprintf("unexpected %q after a value", c), c)
			return
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

// bom is the UTF-8 byte order mark, which some exporters write before the array.
var bom = []byte{0xEF, 0xBB, 0xBF}

func isDelimiter(c byte) bool {
	return c == ',' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\n' || c == '\r'
}
