package score

import (
	"encoding/binary"
	"runtime"

	"github.com/studentlink/studentlink/internal/fnv1a"
	"github.com/studentlink/studentlink/internal/parallel"
	"github.com/studentlink/studentlink/internal/prefetch"
	"github.com/studentlink/studentlink/normalize"
)

// A sketch is a compact copy of the features a scorer's comparisons read: one row of
// bytes per record holding short keys inline, packed phonetic codes, hashes and letter
// counts. Scoring a pair from two rows touches a few adjacent cache lines, where the
// prepared table spreads a record over wide name structs and separately allocated
// strings; on a large roll the pair loop waits on memory more than on arithmetic.
//
// A row only speeds things up: each comparison's fast path (sketch_levels.go) either
// decides the level the table gives, exactly, or defers to the table (a key that is not
// ASCII or longer than the inline space, other names, a code that does not fit). Where
// two 32-bit hashes agree, it compares the names themselves.
type sketch struct {
	rows   []byte
	stride int
	n      int // records sketched
}

// row returns record i's row.
func (s *sketch) row(i int) []byte { return s.rows[i*s.stride : (i+1)*s.stride] }

// featureKind names a piece of a row.
type featureKind uint8

const (
	// featKey: a key of up to keyCap ASCII bytes, zero padded, then its length and the
	// key flags.
	featKey featureKind = iota
	// featGivenCodes: Double Metaphone codes (4 bytes each), up to four nickname group
	// ids plus one (2 bytes each), the letter counts (letterCounts, 16 lanes), a 32-bit
	// hash of the key, and the record's middle name's 16-bit hash and nickname groups
	// (middleNicknames).
	featGivenCodes
	// featFamilyCodes: Double Metaphone codes, the NYSIIS code (packLetters), a 32-bit
	// hash of the key, the letter counts, and 32-bit hashes of a compound name's two
	// tokens.
	featFamilyCodes
	// featDate: year (2 bytes), month, day, the digits YYYYMMDD and the day number (3
	// bytes), and flags: dateFlags is set for a date that names no day, whose numbers as
	// written fill the rest.
	featDate
	// featExact: the value packed (packShort).
	featExact
	// featText: a key of up to textCap ASCII bytes, zero padded, its letter counts
	// (letterCounts, 32 lanes), its length and the text flags.
	featText
)

var featureSize = [...]int{featKey: 24, featGivenCodes: 32, featFamilyCodes: 32, featDate: 16, featExact: 8, featText: 48}

// Offsets inside features.
const (
	keyCap   = 22 // featKey: key bytes [0, keyCap), length at keyCap, flags after it
	keyLen   = keyCap
	keyFlags = keyCap + 1

	dateFlags = 15 // featDate: the byte after the day number

	textCap    = 30 // featText: key bytes [0, textCap), counts, length, flags
	textCounts = textCap
	textLen    = textCap + 16
	textFlags  = textCap + 17

	givenNick   = 8
	givenCounts = 16
	givenHash   = 24
	middleHash  = 28 // 16 bits of the middle name's hash
	middleNick  = 30 // its nickname groups (middleNicknames)

	familyNYSIIS = 8
	familyHash   = 12
	familyCounts = 16
	familyTokens = 24
)

// Key flags.
const (
	keyDefer    = 1 << 0 // the key is not ASCII or longer than keyCap: read the table
	keyOthers   = 1 << 1 // the record has other names of this part
	keyCompound = 1 << 2 // the name has two or more tokens
	keyCodes    = 1 << 3 // codes, nickname groups, tokens or letter counts do not fit the row
)

// Text flags.
const (
	textDefer = 1 << 0 // not ASCII or longer than textCap: read the table
)

type feature struct {
	kind featureKind
	role normalize.Role
}

// layout places the features of a scorer's comparisons in a row, each once however
// many comparisons read it.
type layout struct {
	stride   int
	features []feature
	offsets  []int
	// readers[n] reads feature n's role, made once rather than per record.
	readers []reader
}

// reader reads a role of a record: get as a string, text as prepared text (nil when the
// role is not text).
type reader struct {
	get  accessor
	text textAccessor
}

func (l *layout) place(f feature) int {
	for n, g := range l.features {
		if g == f {
			return l.offsets[n]
		}
	}
	off := l.stride
	l.features = append(l.features, f)
	l.offsets = append(l.offsets, off)
	get, _ := accessorFor(f.role)
	l.readers = append(l.readers, reader{get: get, text: textAccessorFor(f.role)})
	l.stride += featureSize[f.kind]
	return off
}

// planSketch places the features of the comparisons in a row, sets each comparison's row
// offsets, and returns the layout and the comparisons' fast paths (opTable for those
// without one).
func planSketch(comps []compiled) (layout, []fastOp) {
	var l layout
	ops := make([]fastOp, len(comps))
	for c := range comps {
		k := &comps[c]
		k.setPrune()
		code := opTable
		switch k.Kind {
		case KindGivenName:
			code = opGiven
			k.off = [3]int{l.place(feature{featKey, normalize.RoleGiven}), l.place(feature{featGivenCodes, normalize.RoleGiven})}
		case KindFamilyName:
			code = opFamily
			k.off = [3]int{l.place(feature{featKey, normalize.RoleFamily}), l.place(feature{featFamilyCodes, normalize.RoleFamily})}
		case KindBirthDate:
			code = opDate
			k.off[0] = l.place(feature{featDate, normalize.RoleBirthDate})
		case KindID:
			code = opID
			if contactRole(k.Role) {
				code = opContact
			}
			k.off[0] = l.place(feature{featKey, k.Role})
		case KindExact:
			code = opExact
			k.off[0] = l.place(feature{featExact, k.Role})
		case KindText:
			if k.text != nil {
				code = opText
				k.off[0] = l.place(feature{featText, k.Role})
			}
		case KindNameSwap:
			code = opNameSwap
			k.off = [3]int{l.place(feature{featKey, normalize.RoleGiven}), l.place(feature{featKey, normalize.RoleFamily})}
		case KindLocation:
			code = opLocation
			k.off = [3]int{l.place(feature{featText, normalize.RoleAddress}), l.place(feature{featExact, normalize.RoleZip}),
				l.place(feature{featText, normalize.RoleCity})}
		}
		ops[c] = fastOp{code: code, off0: k.off[0], off1: k.off[1], k: k}
	}
	l.stride = (l.stride + 7) &^ 7
	return l, ops
}

// newSketch sketches every record of t.
func newSketch(l *layout, t *normalize.Table) sketch {
	s := sketch{stride: l.stride}
	s.extend(l, t)
	return s
}

// sketchChunk is the fewest rows worth a goroutine of their own (a variable for tests).
var sketchChunk = 1 << 15

// inParallel calls fn on consecutive ranges that cover rows [from, to): one range per
// core where each gets at least sketchChunk rows, else the whole on this goroutine.
func inParallel(from, to int, fn func(from, to int)) {
	workers := min(runtime.GOMAXPROCS(0), (to-from)/sketchChunk)
	if workers <= 1 {
		fn(from, to)
		return
	}
	parallel.Ranges(workers, to-from, func(_, lo, hi int) { fn(from+lo, from+hi) })
}

// extend sketches the records of t added since s was made. The new rows go into a new
// array when they do not fit, so copies of s made before keep reading their own rows.
func (s *sketch) extend(l *layout, t *normalize.Table) {
	if s.stride == 0 || t.Len() <= s.n {
		return
	}
	rows := s.rows
	if need := t.Len() * s.stride; need > cap(rows) {
		spare := 0
		if s.n > 0 {
			spare = need / 4 // a table that grew once (an index) will grow again
		}
		grown := make([]byte, need, need+spare)
		copy(grown, rows[:s.n*s.stride])
		rows = grown
	} else {
		rows = rows[:need]
	}
	fill := func(from, to int) {
		for i := from; i < to; i++ {
			r := rows[i*s.stride : (i+1)*s.stride]
			for n, f := range l.features {
				fillFeature(r[l.offsets[n]:l.offsets[n]+featureSize[f.kind]], f, l.readers[n], t, i)
			}
		}
	}
	inParallel(s.n, t.Len(), fill) // rows are independent
	s.rows, s.n = rows, t.Len()
}

func fillFeature(dst []byte, f feature, rd reader, t *normalize.Table, i int) {
	switch f.kind {
	case featKey:
		fillKey(dst, f.role, rd.get, t, i)
	case featGivenCodes:
		p := t.Given[i]
		if !codesFit(p) {
			return // the key's flags say so
		}
		binary.LittleEndian.PutUint32(dst, pack4(p.Metaphone))
		binary.LittleEndian.PutUint32(dst[4:], pack4(p.MetaphoneAlt))
		for n, id := range p.Nicknames {
			binary.LittleEndian.PutUint16(dst[givenNick+2*n:], uint16(id+1))
		}
		binary.LittleEndian.PutUint64(dst[givenCounts:], letterCounts(p.Key, 16)[0])
		binary.LittleEndian.PutUint32(dst[givenHash:], hash32(p.Key))
		if m := t.Middle[i]; m.Key != "" {
			binary.LittleEndian.PutUint16(dst[middleHash:], uint16(hash32(m.Key)))
			binary.LittleEndian.PutUint16(dst[middleNick:], middleNicknames(m.Nicknames))
		}
	case featFamilyCodes:
		p := t.Family[i]
		if !codesFit(p) {
			return
		}
		binary.LittleEndian.PutUint32(dst, pack4(p.Metaphone))
		binary.LittleEndian.PutUint32(dst[4:], pack4(p.MetaphoneAlt))
		binary.LittleEndian.PutUint32(dst[familyNYSIIS:], packLetters(p.NYSIIS))
		binary.LittleEndian.PutUint32(dst[familyHash:], hash32(p.Key))
		binary.LittleEndian.PutUint64(dst[familyCounts:], letterCounts(p.Key, 16)[0])
		if len(p.Tokens) > 1 {
			binary.LittleEndian.PutUint32(dst[familyTokens:], hash32(p.Tokens[0]))
			binary.LittleEndian.PutUint32(dst[familyTokens+4:], hash32(p.Tokens[1]))
		}
	case featDate:
		d, written := t.BirthDate[i], false
		if d.IsZero() {
			d, written = t.WrittenBirthDate[i], true
			if d.IsZero() {
				return
			}
		}
		binary.LittleEndian.PutUint16(dst, uint16(d.Year))
		dst[2], dst[3] = d.Month, d.Day
		digits := d.Digits()
		copy(dst[4:12], digits[:])
		if written {
			dst[dateFlags] = 1
			return
		}
		binary.LittleEndian.PutUint32(dst[12:], uint32(d.DayNumber())&0xFFFFFF)
	case featExact:
		v := rd.get(t, i)
		w := packShort(v)
		if len(v) > 7 {
			w = hashString(v)>>8 | 0xFF<<56
		}
		binary.LittleEndian.PutUint64(dst, w)
	case featText:
		fillText(dst, rd.text(t, i))
	}
}

// fillKey writes a featKey. Name roles also set the flags the name comparisons read.
func fillKey(dst []byte, role normalize.Role, get accessor, t *normalize.Table, i int) {
	var flags byte
	var key string
	if p := namePart(t, role, i); p != nil {
		key = p.Key
		if len(p.Tokens) > 1 {
			flags |= keyCompound
		}
		if len(otherNames(t, role, i)) > 0 {
			flags |= keyOthers
		}
		if !codesFit(p) {
			flags |= keyCodes
		}
		if (role == normalize.RoleGiven || role == normalize.RoleFamily) && loneName(t, i) {
			flags |= keyOthers // a lone name may be compared as the other part (namesOf)
		}
	} else if get != nil {
		key = get(t, i)
	}
	if len(key) > keyCap || !isASCII(key) {
		flags |= keyDefer
		key = ""
	}
	copy(dst[:keyCap], key)
	dst[keyLen], dst[keyFlags] = byte(len(key)), flags
}

func fillText(dst []byte, x *normalize.Text) {
	if x == nil || x.Empty() {
		return
	}
	if !x.ASCII() || len(x.Key) > textCap {
		dst[textFlags] = textDefer
		return
	}
	copy(dst, x.Key)
	dst[textLen] = byte(len(x.Key))
	counts := letterCounts(x.Key, 32)
	binary.LittleEndian.PutUint64(dst[textCounts:], counts[0])
	binary.LittleEndian.PutUint64(dst[textCounts+8:], counts[1])
}

// namePart returns record i's given, middle or family name, or nil for other roles.
func namePart(t *normalize.Table, role normalize.Role, i int) *normalize.NamePart {
	switch role {
	case normalize.RoleGiven:
		return t.Given[i]
	case normalize.RoleMiddle:
		return t.Middle[i]
	case normalize.RoleFamily:
		return t.Family[i]
	}
	return nil
}

func otherNames(t *normalize.Table, role normalize.Role, i int) []normalize.NamePart {
	switch role {
	case normalize.RoleGiven:
		return t.OtherGiven[i]
	case normalize.RoleFamily:
		return t.OtherFamily[i]
	}
	return nil
}

// codesFit reports whether a name's codes fit a row: Metaphone codes of up to 4 bytes,
// a NYSIIS code of up to 6 letters, at most four nickname groups with ids below 65535,
// at most two tokens.
// middleNicknames packs a middle name's nickname groups in 16 bits: 0 for none, one
// group's id plus one under 0x8000, or else 0x8000 and a bit for each group (id mod 15),
// which may also be another group's: a hint that the given name of the other record may
// be this middle name, which middleSwapped then decides.
func middleNicknames(ids []uint32) uint16 {
	if len(ids) == 1 && ids[0]+1 < 0x8000 {
		return uint16(ids[0] + 1)
	}
	var bits uint16
	for _, id := range ids {
		bits |= 0x8000 | 1<<(id%15)
	}
	return bits
}

func codesFit(p *normalize.NamePart) bool {
	if len(p.Metaphone) > 4 || len(p.MetaphoneAlt) > 4 || len(p.Nicknames) > 4 || len(p.Tokens) > 2 {
		return false
	}
	for _, id := range p.Nicknames {
		if id >= 0xFFFF {
			return false
		}
	}
	return p.NYSIIS == "" || packLetters(p.NYSIIS) != 0
}

// letterCounts counts the bytes of key in lanes of four bits, byte c in lane c mod
// lanes, each count n written as n one bits (a lane holds 0 to 4), so that the common
// count of two keys, lane by lane the smaller count summed, is the number of one bits
// the two share. A lane that would pass 4 fills every lane: the count it then gives is
// too high, never too low, which is all the Jaro bound needs. With 16 lanes the letters
// a–z share a lane in ten pairs; with 32, only digits share one with a letter.
func letterCounts(key string, lanes int) [2]uint64 {
	var counts [32]byte
	for n := 0; n < len(key); n++ {
		lane := int(key[n]) % lanes
		if counts[lane] == 4 {
			return [2]uint64{^uint64(0), ^uint64(0)}
		}
		counts[lane]++
	}
	var w [2]uint64
	for lane, c := range counts[:lanes] {
		w[lane/16] |= (1<<c - 1) << (4 * (lane % 16))
	}
	return w
}

// hash32 is a 32-bit hash of s that is never 0.
func hash32(s string) uint32 { return uint32(hashString(s)>>32) | 1 }

// pack4 packs a code of up to 4 bytes; codes hold no zero bytes, so distinct codes pack
// differently and "" packs to 0.
func pack4(s string) uint32 {
	var w uint32
	for n := 0; n < len(s) && n < 4; n++ {
		w |= uint32(s[n]) << (8 * n)
	}
	return w
}

// packLetters packs a code of 1 to 6 letters A–Z five bits each: distinct codes pack
// differently. It returns 0 for "" and for a code it cannot pack.
func packLetters(s string) uint32 {
	if len(s) > 6 {
		return 0
	}
	var w uint32
	for n := 0; n < len(s); n++ {
		c := s[n]
		if c < 'A' || c > 'Z' {
			return 0
		}
		w |= uint32(c-'A'+1) << (5 * n)
	}
	return w
}

// packShort packs a string of up to 7 bytes with its length in the top byte: equal
// packs mean equal strings, and "" packs to 0.
func packShort(s string) uint64 {
	w := uint64(len(s)) << 56
	for n := 0; n < len(s) && n < 7; n++ {
		w |= uint64(s[n]) << (8 * n)
	}
	return w
}

// hashString is 64-bit FNV-1a with a final avalanche (from MurmurHash3's fmix64).
func hashString(s string) uint64 {
	h := fnv1a.String(fnv1a.Offset, s)
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// prefetch hints that record i's row is about to be read (see Scorer.Prefetch).
func (s *sketch) prefetch(i int) {
	if i < s.n {
		prefetch.Bytes(s.row(i))
	}
}
