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
// object parses and is followed by a chain of resources to the array's end and the
// file's, or longer than startChainBytes (judgeStart; a ']' or an object of unknown
// extent in the chain makes the candidate no start). A comma missing is no fault to
// resynchronise at (see scanValue), and an object whose closing brace is followed by a
// key is one (see endsResource). An object nested in a
// resource is no start: the chain of objects after it ends in a ']' that is followed by
// more of the resource, or its brackets, counted from a fault whose depth the scan knew,
// put it inside an array of the faulty resource (see resync), so no fragment of a
// resource is imported as one, and a nested ']' is never read as the array's end. A
// resource that lost its closing brackets at the file's end holds every candidate after
// it (judgeStart). The search starts at the faulty resource's
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
	// hadResync says the scan resynchronised after a fault before; faulted that an
	// element before this one was malformed otherwise than by a comma missing (the one
	// fault after which the depth is known: commaMissing is elemOK when it was all), so
	// that the depth the scan reads need not be the file's (see endsResource). A '['
	// lost and a '}' put in its place read as a comma missing too; a stray ']' after the
	// next resource then looks as the end of the array that resource was nested in, and
	// nothing tells the two apart: the single fault is taken to be the likelier.
	hadResync, faulted bool
	commaMissing       error
	// partial says elem does not hold every byte the element covers (it was larger
	// than MaxResourceSize, skipped bytes included).
	partial bool
	// lookahead is endsResource's buffer, reused.
	lookahead []byte
	// parsedTo is where the last string the element's scan opened starts (-1: none is
	// known): what came before it was read as the element's own nested values, at a
	// known depth, and holds no resource start (see resync).
	parsedTo int64
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
//
// depth is how many brackets of the element were open at the fault, when the scan knew
// (-1 when not: after a closer of the wrong kind, or a '}' that closed the element
// early). A candidate after the fault is then no start while two or more of the brackets
// open at the fault, counted on by every '{', '[', '}' and ']' up to it (strings are not
// known after a fault: a stray quote turns them inside out), are open: it is an object
// in an array nested in the element, which a chain of that array's objects ending in the
// file's last ']' makes look like the last resource. One bracket open is the element
// that lost its closing brace, and the candidate may start the next. A fault that is a
// candidate itself (a '{' where a key belongs) is such an element: from there on, none
// of its brackets is open.
func (s *arrayScanner) resync(reason string, at int64, c byte, depth int) {
	// buf holds the bytes from offset base on: the element's after its first (when all
	// were kept), then c and what is read after it.
	s.hadResync = true
	var buf []byte
	base := at - 1
	if len(s.elem) > 0 && int64(len(s.elem)) == at-1-s.start {
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
	// open counts the element's brackets open at offset countedTo, from the fault on; a
	// fault that is itself a candidate start closed the element (it lost its closers).
	open, countedTo := depth, at-1
	if at-1-base >= 0 && resourceStart(buf, int(at-1-base)) == int(at-1-base) {
		open = 0
	}
	countTo := func(to int64) {
		for ; countedTo < to; countedTo++ {
			switch buf[countedTo-base] {
			case '{', '[':
				open++
			case '}', ']':
				open--
			}
		}
	}
	from, eof := 0, false // where the search goes on; whether buf runs to the end of the file
	for {
		p := resourceStart(buf, from)
		verdict, stop := startNo, 0
		if p >= 0 && depth >= 0 {
			countTo(base + int64(p))
		}
		switch {
		case p >= 0 && base+int64(p) < s.parsedTo:
			// The scan read it as a value nested in the element, whose depth it knew:
			// no resource start (only a string left open may have swallowed one).
		case p >= 0 && depth >= 0 && base+int64(p) > at-1 && open > 1:
			// Nested in the element the fault was in (see above).
		case p >= 0:
			verdict, stop = judgeStart(buf[p:], eof)
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
			from = p + max(1, stop) // try the next candidate not ruled out with this one
			continue
		case verdict == startNo && eof:
			s.elemOK = fmt.Errorf("%s at byte %d: skipped the rest of the file (%d bytes): no resource starts after it", reason, at-1, s.offset-at+1)
			s.skippedRest = true
			s.errAt, s.state = s.offset, 3
			return
		case verdict == startNo: // no candidate in buf: keep what one may still begin in
			if len(buf) > 1<<16 {
				drop := len(buf) - 64
				if depth >= 0 {
					countTo(base + int64(drop))
				}
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

// startChainBytes limits how far judgeStart follows the resources after a candidate
// start: a chain longer than this is taken for the top level's. Only an array nested in
// a resource larger than this, read from inside where the brackets open at the fault are
// not known (see resync), is mistaken by it; the scan then reports
// the nested array's ']' (followed by more of the resource) and resynchronises again.
const startChainBytes = 1 << 20

// judgeStart judges a candidate resource start b (b[0] is '{', after a ','); eof says b
// runs to the end of the file. A fault leaves the scan inside a resource, whose nested
// objects (an otherNames, addresses or races array) look like resources: the object at b
// must parse and be followed by ',' and another object, or by the array's closing ']'
// and nothing but spaces to the end of the file. The objects after it are followed in
// turn, however many (up to startChainBytes): one ending in a ']' followed by more was
// in an array nested inside a resource, and the candidate is no resource. A ']' followed
// by ',' and '{' may be a stray closer between resources or the end of an array nested
// in a resource that lost its closing brace: nothing tells them apart here, and the
// candidate is no start (strict: the bytes skipped are reported, and the students in them
// refused). Strings and words between the objects, each followed by a ',', and an object
// right after another (a comma missing) do not break the chain. A later object whose
// brackets match but which does not parse is another malformed resource, and the chain
// goes on past it; one whose extent is not known (brackets that do not match, a line
// break in a string, the file's end) tells nothing more, and the candidate is no start
// (strict: a good resource right before such a one is skipped, reported and refused).
//
// For startNo, stop is where the chain broke, relative to b, when every candidate before
// it is no start either (each later object of the chain ends in the same break, and an
// object nested in a valid one in an array that ends inside it); 0 when not known.
func judgeStart(b []byte, eof bool) (verdict, stop int) {
	i := 0
	for n := 0; ; n++ {
		end, ok, open := objectEnd(b[i:])
		switch {
		case end < 0 && ok && eof && closedParses(b[i:], open):
			// The file ends inside an object that parses once its open brackets are
			// closed: a resource that lost its closing brackets, which every candidate
			// after this one is a part of (an object nested in it and its array's ']'
			// look like the last resource and the top level's end).
			return startNo, len(b)
		case end < 0 && (!ok || eof):
			// An object whose extent is not known (its brackets do not match, a string
			// in it holds a line break, the file ends first): the chain tells no more.
			return startNo, i
		case end < 0:
			return startMore, 0
		case n == 0 && !json.Valid(b[i:i+end]):
			return startNo, 0
		}
		j := skipJSONSpace(b, i+end)
		if j == len(b) {
			if eof {
				return startNo, j
			}
			return startMore, 0
		}
		switch b[j] {
		case ',', '{':
			k := j
			if b[j] == ',' {
				k = skipJSONSpace(b, j+1)
			}
			// Values that are no objects between the resources (each reported by
			// next): a string or a word followed by a ',' (a string followed by a ':'
			// is a key: the object was a value in another).
			for k < len(b) && b[k] != '{' {
				e := scalarEnd(b[k:])
				if e == -1 && !eof {
					return startMore, 0
				}
				if e < 0 {
					break
				}
				e = skipJSONSpace(b, k+e)
				if e == len(b) || b[e] != ',' {
					k = e
					break
				}
				k = skipJSONSpace(b, e+1)
			}
			switch {
			case k == len(b) && eof:
				return startNo, j
			case k == len(b):
				return startMore, 0
			case b[k] != '{':
				return startNo, j
			case k > startChainBytes:
				return startYes, 0
			}
			i = k
		case ']':
			k := skipJSONSpace(b, j+1)
			switch {
			case k == len(b) && eof:
				return startYes, 0
			case k == len(b):
				return startMore, 0
			}
			return startNo, j
		default:
			return startNo, j
		}
	}
}

// scalarEnd returns the length of the JSON string or word (a number, true, false,
// null) b starts with, -1 when b ends first, -2 when it starts with neither or the
// string holds a line break.
func scalarEnd(b []byte) int {
	if len(b) > 0 && b[0] == '"' {
		for i := 1; i < len(b); i++ {
			switch b[i] {
			case '\\':
				i++
			case '\n':
				return -2
			case '"':
				return i + 1
			}
		}
		return -1
	}
	i := 0
	for i < len(b) && (b[i] == '-' || b[i] == '+' || b[i] == '.' || '0' <= b[i] && b[i] <= '9' || 'a' <= b[i] && b[i] <= 'z' || 'A' <= b[i] && b[i] <= 'Z') {
		i++
	}
	switch {
	case i == 0:
		return -2
	case i == len(b):
		return -1
	}
	return i
}

// objectEnd returns the length of the JSON object b starts with, by its brackets and
// strings, and true; -1 and true when b ends first, with the closers of the brackets left
// open, innermost last; -1 and false when the object cannot be a resource: its brackets
// do not match, a string holds a line break, or it is nested deeper than
// MaxResourceDepth or larger than MaxResourceSize.
func objectEnd(b []byte) (end int, ok bool, open []byte) {
	var closers []byte
	inString, escaped := false, false
	for i, c := range b {
		if i >= MaxResourceSize {
			return -1, false, nil
		}
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString && c == '\n':
			return -1, false, nil
		case inString:
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if closers = append(closers, c+2); len(closers) > MaxResourceDepth {
				return -1, false, nil
			}
		case c == '}' || c == ']':
			if len(closers) == 0 || closers[len(closers)-1] != c {
				return -1, false, nil
			}
			if closers = closers[:len(closers)-1]; len(closers) == 0 {
				return i + 1, true, nil
			}
		}
	}
	if inString {
		closers = append(closers, '"')
	}
	return -1, true, closers
}

// closedParses says b, an object the file ends inside, is JSON once the closers of its
// open brackets (objectEnd) follow it, innermost first.
func closedParses(b, open []byte) bool {
	whole := slices.Concat(b, open)
	slices.Reverse(whole[len(b):])
	return json.Valid(whole)
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

// lastIs says the last byte of b that is not JSON whitespace is c.
func lastIs(b []byte, c byte) bool {
	j := skipSpaceBack(b, len(b))
	return j >= 0 && b[j] == c
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
	s.faulted = s.faulted || s.elemOK != nil && s.elemOK != s.commaMissing
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
				s.stray("a stray ']' between resources", at, ']')
				return true
			case err == nil && s.state == 2 && s.hadResync:
				// After a resynchronisation, a ']' with more after it is rather the end
				// of an array nested in a resource the scan resumed inside of (a chain of
				// more than startChainBytes of nested objects reads as resources) than the array's: it is
				// reported and the scan resynchronises again.
				s.stray("a ']' with more after it, not the array's end", at, ']')
				return true
			}
			return s.stop(errors.New("data after the array"), s.offset)
		case c != '{':
			// A value that is no object where a resource should start: the scan is no
			// longer where it thought (inside a resource a fault cut short?), so it
			// resynchronises rather than read what follows as resources.
			s.read()
			what := fmt.Sprintf("unexpected %q where a resource should start: not a JSON object", c)
			if s.state == 2 {
				what += ", with no comma before it"
			}
			s.stray(what, at, c)
			return true
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

// stray reports the byte first at offset at, just read (and the spaces read after it), as an
// element of its own that is no resource, and resynchronises after it.
func (s *arrayScanner) stray(reason string, at int64, first byte) {
	s.index++
	s.start, s.partial, s.parsedTo = at, false, -1
	s.resynced, s.skippedRest = false, false
	// elem holds the byte and the spaces after it (as spaces: only their count matters),
	// as resync wants the element's bytes up to the fault.
	s.elem = append(append(s.elem[:0], first), bytes.Repeat([]byte{' '}, int(s.offset-at-1))...)
	c, err := s.read()
	if err != nil {
		s.elemOK = errors.New(reason)
		s.state = 2 // next reports how the file ends
		return
	}
	s.resync(reason, s.offset, c, 0)
	if s.state != 3 {
		s.state = 1
	}
}

// What a JSON value's grammar wants next, as far as scanValue follows it.
const (
	wantValue   = iota // a value (also after ':' and after ',' in an array)
	wantKey            // a key, after '{' or ',' in an object
	wantNext           // ',' or a closer, after a value
	wantLiteral        // inside a number, true, false or null
	wantColon          // the ':' after a key
)

// scanValue reads one JSON value's bytes into elem, noting in elemOK what is wrong with
// it: too big, too deep, brackets that do not match, the file ending inside it, or a
// fault after which it resynchronises (see arrayScanner and resync).
//
// A string right after a value inside the element ("B" "birthDate") is a comma missing:
// the one fault that changes neither the brackets nor what is a string, so the depth is
// still known after it. The element is malformed, but the scan goes on as if the comma
// were there, checking the grammar more closely (a ':' after each key, a literal's first
// byte); the element ends where its brackets close, with nothing skipped. If the grammar
// breaks after all (the quote was a stray one), the scan resynchronises from there.
//
// An object element whose brackets close must be followed by what may follow a resource
// (see endsResource): a ',' and a key after it show that a '}' inside it closed it early
// (a stray '}', or one where a ']' belongs), and it resynchronises instead of handing on
// a part of itself as a resource and the rest of it as others.
func (s *arrayScanner) scanValue() {
	s.elem, s.elemOK, s.partial, s.commaMissing = s.elem[:0], nil, false, nil
	s.parsedTo = -1
	var closers []byte
	inString, escaped, isKey := false, false, false
	want := wantValue
	repaired := ""      // the missing comma the scan went on after, if any
	mismatched := false // a closer of the wrong kind was read
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
	fault := func(reason string, c byte) {
		if repaired != "" {
			reason = repaired + ", then " + reason
		}
		depth := len(closers)
		if mismatched {
			depth = -1
		}
		s.resync(reason, s.offset, c, depth)
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
		space := c == ' ' || c == '\t' || c == '\n' || c == '\r'
		if !inString && !space && repaired != "" {
			// After a missing comma, what follows must be JSON for the depth to be known.
			switch {
			case want == wantColon && c != ':',
				want == wantKey && c != '"' && c != '}',
				want == wantValue && !bytes.ContainsRune([]byte(`"{[]-0123456789tfn`), rune(c)),
				want == wantLiteral && !isDelimiter(c) && !bytes.ContainsRune([]byte("+-.0123456789Eaeflnrstu"), rune(c)):
				fault(fmt.Sprintf("unexpected %q", c), c)
				return
			}
		}
		switch {
		case inString && c == '\n':
			fault("a string left open (a line break inside it)", c)
			return
		case inString, space:
			if want == wantLiteral {
				want = wantNext
			}
		case c == '"' && want == wantNext && len(closers) > 0 && (s.elemOK == nil || repaired != ""):
			// A comma missing: go on as if it were there — unless a closer of the wrong
			// kind came before, after which the depth is not known.
			if repaired == "" {
				repaired = fmt.Sprintf("unexpected '\"' after a value at byte %d (a comma missing?)", s.offset-1)
			}
			if s.elemOK == nil {
				s.elemOK = errors.New(repaired)
				s.commaMissing = s.elemOK
			}
			want = wantValue
			if closers[len(closers)-1] == '}' {
				want = wantKey
			}
		case c == '"' && want == wantNext, c != '"' && want == wantKey && (c == '{' || c == '['):
			fault(fmt.Sprintf("unexpected %q", c), c)
			return
		case (c == '{' || c == '[') && (want == wantNext || want == wantLiteral):
			fault(fmt.Sprintf("unexpected %q after a value", c), c)
			return
		case want == wantColon && c != ':':
			// A key without its ':' (or its value, as in {"key"}): where a '}' closes
			// the object too early, what is left of it follows as if it were more.
			fault(fmt.Sprintf("unexpected %q after a key", c), c)
			return
		case (c == '}' || c == ']') && want == wantValue && lastIs(s.elem, ':'):
			// A key's value missing: a '}' here would close its object too early.
			fault(fmt.Sprintf("unexpected %q after ':'", c), c)
			return
		case c == ':' && want != wantColon && len(closers) == 0:
			keep(c) // where a resource should start
			s.elemOK = errors.New("unexpected ':'")
			return
		case c == ':' && want != wantColon:
			fault("unexpected ':'", c)
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
				if !mismatched {
					s.parsedTo = s.offset - 1
				}
				continue
			}
			want = wantNext
			if isKey {
				want = wantColon
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
			if closers[len(closers)-1] != c {
				mismatched, s.parsedTo = true, -1
				if repaired != "" {
					fault(fmt.Sprintf("%q closes %q", c, closers[len(closers)-1]-2), c)
					return
				}
				if s.elemOK == nil {
					s.elemOK = fmt.Errorf("%q closes %q", c, closers[len(closers)-1]-2)
				}
			}
			closers = closers[:len(closers)-1]
			want = wantNext
			if len(closers) == 0 {
				if s.elem[0] == '{' {
					s.endsResource(repaired, mismatched)
				}
				return
			}
		}
	}
}

// endsResource checks what follows an object element whose brackets closed, reading
// ahead and handing back what it read: a ',' and then a key and its ':' ("},"races":")
// or a ':' show that a '}' inside the element closed it before its end, and the element
// resynchronises (see arrayScanner) from there, and so does anything but an object right
// after the brace, no comma between. Anything else — a ',' and the next resource, a ']',
// the end of the file, or after a ',' a value that is no key (a malformed element next
// reports) — leaves the element as it is. A string after the ',' longer than
// maxKeyLookahead is taken for a key: nothing in an array of resources is such a string.
func (s *arrayScanner) endsResource(repaired string, mismatched bool) {
	const maxScalarLookahead = 4096
	la := s.lookahead[:0]
	var c byte
	next := func() bool {
		var err error
		if c, err = s.read(); err != nil {
			return false
		}
		la = append(la, c)
		return true
	}
	space := func() bool {
		for next() {
			if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				return true
			}
		}
		return false
	}
	var why string
	more := space()
	closer := more && (c == '}' || c == ']')
	direct := more && !closer && c != ',' // the byte after the brace is no separator
	for more && (c == '}' || c == ']' || c == ',') {
		more = space() // a comma, stray closers (next reports them): what follows tells
	}
	if closer && more && s.faulted && s.elemOK == nil {
		// A closer with more after it ends the array the element was in, unless it is a
		// stray one; after a fault that may have left the scan a level too high (a '['
		// lost, a '}' put where it was, a comma taken for missing), nothing tells which.
		s.elemOK = errors.New("a closer with more after it follows this resource: after a fault before it, it may be an object nested in the resource before, and is not taken for a resource")
	}
	switch {
	case !more:
	case c == ':':
		why = "a ':' after the resource's closing brace"
	case c == '{' && mismatched:
		// The element's brackets closed only as a closer of the wrong kind was taken for
		// the right one: its end is not known, and resync judges the next object as any
		// other candidate.
		why = "wrong kind"
	case direct && c != '{':
		// Anything but the next resource right after the brace, no comma between (a
		// string, a word, a '/'): the brace closed the resource before its end, as a
		// '}' put into a value does ("uri:/"}/ed-fi.org/…", 25}5901). An element of its
		// own there would be one that is no object with its comma missing: two faults.
		why = fmt.Sprintf("%q right after the resource's closing brace, no comma between", c)
	case c == '"':
		// A string is an element of its own (next reports it) only if a ',' or the
		// array's ']' follows it; a ':' (a key) or anything else is more of the resource,
		// and so is a separator with a ':' after it (a key, a stray ',' or ']' between it
		// and its value).
		escaped, closed := false, false
		for !closed && len(la) < maxScalarLookahead && next() {
			switch {
			case c == '\n':
				goto ended
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				closed = true
			}
		}
	ended:
		switch {
		case !closed:
			why = "a string that does not end on its line after the resource's closing brace"
		case !space():
		case c == ':':
			why = "a key after the resource's closing brace"
		case c != ',' && c != ']':
			why = fmt.Sprintf("a string and then %q after the resource's closing brace", c)
		case space() && c == ':':
			why = "a key after the resource's closing brace (a separator before its ':')"
		}
	case c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		// So is a number, true, false or null: a word followed by more is no value.
		word := func(c byte) bool {
			return c == '-' || c == '+' || c == '.' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		}
		more = next()
		for more && word(c) && len(la) < maxScalarLookahead {
			more = next()
		}
		if more && (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			more = space()
		}
		if more && c != ',' && c != ']' {
			why = fmt.Sprintf("a word and then %q after the resource's closing brace", c)
		}
	}
	s.lookahead = la
	if why == "" {
		// Hand back what was read ahead.
		if s.pi == len(s.pending) {
			s.pending, s.pi = append(s.pending[:0], la...), 0
		} else {
			s.pending, s.pi = append(slices.Clone(la), s.pending[s.pi:]...), 0
		}
		s.offset -= int64(len(la))
		return
	}
	// The element goes on past its closing brace: keep what was read up to the fault in
	// it and resynchronise from there.
	for _, b := range la[:len(la)-1] {
		if len(s.elem) < MaxResourceSize {
			s.elem = append(s.elem, b)
		} else {
			s.partial = true
		}
	}
	reason := fmt.Sprintf("a '}' at byte %d closes the resource before its end (%s)", s.offset-int64(len(la))-1, why)
	if why == "wrong kind" {
		reason = fmt.Sprintf("%v, so the resource's end is not known: the next one", s.elemOK)
	}
	if repaired != "" {
		reason = repaired + ", then " + reason
	}
	s.resync(reason, s.offset, c, -1)
}

// bom is the UTF-8 byte order mark, which some exporters write before the array.
var bom = []byte{0xEF, 0xBB, 0xBF}

func isDelimiter(c byte) bool {
	return c == ',' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\n' || c == '\r'
}
