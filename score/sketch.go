package score

import (
	"encoding/binary"
	"math/bits"

	"github.com/studentlink/studentlink/normalize"
)

// A sketch is a compact copy of the features a scorer's comparisons read: one row of
// bytes per record holding short keys inline, packed phonetic codes and letter counts.
// Scoring a pair from two rows touches two or three cache lines, where the prepared
// table spreads a record over wide name structs and separately allocated strings; on a
// large roll the pair loop waits on memory, not on arithmetic.
//
// A row only speeds things up: each comparison's fast path either decides a level that
// is exactly the one the table gives, or defers to the table (a name longer than the
// inline space, other names, a compound family name, a long code, an address whose
// letter counts cannot rule out the Jaro–Winkler levels).
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
	// featKey: a key of up to 15 ASCII bytes, zero padded, its length in the low four
	// bits of byte 15 and the key flags in the high four.
	featKey featureKind = iota
	// featGivenCodes: Double Metaphone codes (4 bytes each), up to four nickname group
	// ids plus one (4 bytes each) and the letter counts (letterCounts).
	featGivenCodes
	// featFamilyCodes: Double Metaphone codes, the NYSIIS code packed (packShort), the
	// letter counts, and 32-bit hashes of the key and of a compound name's two tokens.
	featFamilyCodes
	// featDate: year (2 bytes), month, day, the digits YYYYMMDD and the day number.
	featDate
	// featExact: the value packed (packShort).
	featExact
	// featText: letter counts (32 four-bit counts), a 64-bit hash, the length (2 bytes),
	// the first four bytes and the text flags.
	featText
)

var featureSize = [...]int{featKey: 16, featGivenCodes: 32, featFamilyCodes: 36, featDate: 16, featExact: 8, featText: 32}

// Key flags (high four bits of byte 15 of a featKey).
const (
	keyDefer    = 1 << 4 // the key is not ASCII or longer than 15 bytes: read the table
	keyOthers   = 1 << 5 // the record has other names of this part
	keyCompound = 1 << 6 // the name has two or more tokens
	keyCodes    = 1 << 7 // codes, nickname groups or tokens do not fit the row
)

// Text flags (byte 31 of a featText).
const (
	textDefer   = 1 << 0 // not ASCII: read the table
	textNoBound = 1 << 1 // a letter count above 15: no Jaro bound
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
	l.stride += featureSize[f.kind]
	return off
}

// planSketch sets each comparison's row offsets and returns the layout; comparisons
// without a fast path keep fast false.
func planSketch(comps []compiled) layout {
	var l layout
	for c := range comps {
		k := &comps[c]
		k.fast = true
		k.setPrune()
		switch k.Kind {
		case KindGivenName:
			k.off = [3]int{l.place(feature{featKey, normalize.RoleGiven}), l.place(feature{featGivenCodes, normalize.RoleGiven}),
				l.place(feature{featKey, normalize.RoleMiddle})}
		case KindFamilyName:
			k.off = [3]int{l.place(feature{featKey, normalize.RoleFamily}), l.place(feature{featFamilyCodes, normalize.RoleFamily})}
		case KindBirthDate:
			k.off[0] = l.place(feature{featDate, normalize.RoleBirthDate})
		case KindID:
			k.off[0] = l.place(feature{featKey, k.Role})
		case KindExact:
			k.off[0] = l.place(feature{featExact, k.Role})
		case KindText:
			if k.text == nil {
				k.fast = false
				continue
			}
			k.off[0] = l.place(feature{featText, k.Role})
		case KindNameSwap:
			k.off = [3]int{l.place(feature{featKey, normalize.RoleGiven}), l.place(feature{featKey, normalize.RoleFamily})}
		default:
			k.fast = false
		}
	}
	l.stride = (l.stride + 7) &^ 7
	return l
}

// newSketch sketches every record of t.
func newSketch(l *layout, t *normalize.Table) sketch {
	s := sketch{stride: l.stride}
	s.extend(l, t)
	return s
}

// extend sketches the records of t added since s was made. The new rows go into a new
// array when they do not fit, so copies of s made before keep reading their own rows.
func (s *sketch) extend(l *layout, t *normalize.Table) {
	if s.stride == 0 || t.Len() <= s.n {
		return
	}
	rows := s.rows
	if need := t.Len() * s.stride; need > cap(rows) {
		grown := make([]byte, need, need+need/4)
		copy(grown, rows[:s.n*s.stride])
		rows = grown
	} else {
		rows = rows[:need]
	}
	for i := s.n; i < t.Len(); i++ {
		r := rows[i*s.stride : (i+1)*s.stride]
		for n, f := range l.features {
			fillFeature(r[l.offsets[n]:], f, t, i)
		}
	}
	s.rows, s.n = rows, t.Len()
}

func fillFeature(dst []byte, f feature, t *normalize.Table, i int) {
	switch f.kind {
	case featKey:
		var flags byte
		var key string
		if p := namePart(t, f.role, i); p != nil {
			key = p.Key
			if len(p.Tokens) > 1 {
				flags |= keyCompound
			}
			if others := otherNames(t, f.role, i); len(others) > 0 {
				flags |= keyOthers
			}
			if !codesFit(p) {
				flags |= keyCodes
			}
		} else if get, ok := accessorFor(f.role); ok {
			key = get(t, i)
		}
		if len(key) > 15 || !isASCII(key) {
			flags |= keyDefer
			key = ""
		}
		copy(dst[:15], key)
		dst[15] = byte(len(key)) | flags
	case featGivenCodes, featFamilyCodes:
		p := namePart(t, f.role, i)
		if p == nil || !codesFit(p) {
			return
		}
		binary.LittleEndian.PutUint32(dst, pack4(p.Metaphone))
		binary.LittleEndian.PutUint32(dst[4:], pack4(p.MetaphoneAlt))
		if f.kind == featFamilyCodes {
			binary.LittleEndian.PutUint64(dst[8:], packShort(p.NYSIIS))
			binary.LittleEndian.PutUint64(dst[16:], letterCounts(p.Key))
			binary.LittleEndian.PutUint32(dst[24:], hash32(p.Key))
			if len(p.Tokens) > 1 {
				binary.LittleEndian.PutUint32(dst[28:], hash32(p.Tokens[0]))
				binary.LittleEndian.PutUint32(dst[32:], hash32(p.Tokens[1]))
			}
		} else {
			for n, id := range p.Nicknames {
				binary.LittleEndian.PutUint32(dst[8+4*n:], id+1)
			}
			binary.LittleEndian.PutUint64(dst[24:], letterCounts(p.Key))
		}
	case featDate:
		d := t.BirthDate[i]
		if d.IsZero() {
			return
		}
		binary.LittleEndian.PutUint16(dst, uint16(d.Year))
		dst[2], dst[3] = d.Month, d.Day
		digits := d.Digits()
		copy(dst[4:12], digits[:])
		binary.LittleEndian.PutUint32(dst[12:], uint32(d.DayNumber()))
	case featExact:
		get, _ := accessorFor(f.role)
		v := get(t, i)
		w := packShort(v)
		if len(v) > 7 {
			w = hashString(v)>>8 | 0xFF<<56
		}
		binary.LittleEndian.PutUint64(dst, w)
	case featText:
		x := textAccessorFor(f.role)(t, i)
		if x == nil || x.Empty() {
			return
		}
		if !x.ASCII() || len(x.Key) > 0xFFFF {
			dst[31] = textDefer
			return
		}
		var counts [32]byte
		for n := 0; n < len(x.Key); n++ {
			counts[x.Key[n]&31]++
		}
		var lo, hi uint64
		for b := 0; b < 16; b++ {
			if counts[b] > 15 || counts[b+16] > 15 {
				dst[31] |= textNoBound
			}
			lo |= uint64(counts[b]&15) << (4 * b)
			hi |= uint64(counts[b+16]&15) << (4 * b)
		}
		binary.LittleEndian.PutUint64(dst, lo)
		binary.LittleEndian.PutUint64(dst[8:], hi)
		binary.LittleEndian.PutUint64(dst[16:], hashString(x.Key))
		binary.LittleEndian.PutUint16(dst[24:], uint16(len(x.Key)))
		copy(dst[26:30], x.Key)
	}
}

// namePart returns record i's given, middle or family name, or nil for other roles.
func namePart(t *normalize.Table, role normalize.Role, i int) *normalize.NamePart {
	switch role {
	case normalize.RoleGiven:
		return &t.Given[i]
	case normalize.RoleMiddle:
		return &t.Middle[i]
	case normalize.RoleFamily:
		return &t.Family[i]
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
// NYSIIS of up to 7, at most four nickname groups and two tokens, a key whose letter
// counts fit four bits.
func codesFit(p *normalize.NamePart) bool {
	return len(p.Metaphone) <= 4 && len(p.MetaphoneAlt) <= 4 && len(p.NYSIIS) <= 7 && len(p.Nicknames) <= 4 &&
		len(p.Tokens) <= 2 && len(p.Key) <= 15
}

// letterCounts counts the bytes of a key of up to 15 bytes in sixteen four-bit lanes,
// byte c in lane c mod 16 (the letters a–z share a lane in ten pairs only).
func letterCounts(key string) uint64 {
	var w uint64
	for n := 0; n < len(key) && n < 15; n++ {
		w += 1 << (4 * (key[n] & 15))
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
	h := uint64(14695981039346656037)
	for n := 0; n < len(s); n++ {
		h ^= uint64(s[n])
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// fastLevel returns the comparison's level for the records whose rows are x and y, or
// false when the rows cannot tell and the table must be read.
func (k *compiled) fastLevel(x, y []byte) (uint8, bool) {
	if !k.fast {
		return 0, false
	}
	o := k.off[0]
	switch k.Kind {
	case KindGivenName:
		return k.givenFast(x, y)
	case KindFamilyName:
		return k.familyFast(x, y)
	case KindBirthDate:
		return dateFast(x[o:o+16], y[o:o+16]), true
	case KindID:
		return idFast(x[o:o+16], y[o:o+16])
	case KindExact:
		return exactFast(binary.LittleEndian.Uint64(x[o:]), binary.LittleEndian.Uint64(y[o:]))
	case KindText:
		return k.textFast(x[o:o+32], y[o:o+32])
	case KindNameSwap:
		p := k.off[1]
		return nameSwapFast(x[o:o+16], x[p:p+16], y[o:o+16], y[p:p+16])
	}
	return 0, false
}

// keyBytes returns the key held in a featKey.
func keyBytes(k []byte) []byte { return k[:k[15]&15] }

// sameKey reports whether two featKeys hold the same key, whatever their flags.
func sameKey(x, y []byte) bool {
	const noFlags = ^(uint64(0xF0) << 56)
	return binary.LittleEndian.Uint64(x) == binary.LittleEndian.Uint64(y) &&
		(binary.LittleEndian.Uint64(x[8:])^binary.LittleEndian.Uint64(y[8:]))&noFlags == 0
}

// dateFast is birthDateLevel on featDates.
func dateFast(x, y []byte) uint8 {
	dx, dy := binary.LittleEndian.Uint32(x), binary.LittleEndian.Uint32(y)
	switch {
	case dx == 0 || dy == 0:
		return LevelNull
	case dx == dy:
		return LevelExact
	case dx&0xFFFF == dy&0xFFFF && x[2] == y[3] && x[3] == y[2]:
		return dateSwapped
	}
	if oneEdit8(binary.LittleEndian.Uint64(x[4:]), binary.LittleEndian.Uint64(y[4:])) {
		return dateOneDigit
	}
	if diff := int32(binary.LittleEndian.Uint32(x[12:]) - binary.LittleEndian.Uint32(y[12:])); diff >= -31 && diff <= 31 {
		return dateWithinMonth
	}
	if dx&0xFFFF == dy&0xFFFF {
		return dateSameYear
	}
	return dateElse
}

// oneEdit8 is oneEdit on eight bytes packed in words.
func oneEdit8(x, y uint64) bool {
	const low7 = 0x7F7F7F7F7F7F7F7F
	d := x ^ y
	differ := ((d & low7) + low7 | d) &^ low7 // high bit of every byte that differs
	switch bits.OnesCount64(differ) {
	case 1:
		return true
	case 2:
		f := bits.TrailingZeros64(differ) / 8 * 8 // first differing byte's shift
		if f == 56 || differ>>(f+8)&0x80 == 0 {
			return false
		}
		return byte(x>>f) == byte(y>>(f+8)) && byte(x>>(f+8)) == byte(y>>f)
	}
	return false
}

// jaroWinklerBytes is JaroWinklerText for ASCII keys.
func jaroWinklerBytes(x, y []byte) float64 {
	return winkler(jaroASCII(x, y), commonPrefixBytes(x, y))
}

// givenFast is givenLevel for records without other given names.
func (k *compiled) givenFast(x, y []byte) (uint8, bool) {
	o, p, q := k.off[0], k.off[1], k.off[2]
	kx, ky := x[o:o+16], y[o:o+16]
	if (kx[15]|ky[15])&(keyDefer|keyOthers|keyCodes) != 0 {
		return 0, false
	}
	if kx[15]&15 == 0 || ky[15]&15 == 0 {
		return LevelNull, true
	}
	if sameKey(kx, ky) {
		return LevelExact, true
	}
	cx, cy := x[p:p+32], y[p:p+32]
	if shareNickname(cx[8:24], cy[8:24]) {
		return 2, true
	}
	if l := k.nameJWLevel(kx, ky, cx[24:32], cy[24:32]); l != 0 {
		return l, true
	}
	if sameMetaphone(cx, cy) {
		return uint8(k.phonetic), true
	}
	mx, my := x[q:q+16], y[q:q+16]
	if (mx[15]|my[15])&keyDefer != 0 {
		return 0, false
	}
	if sameKey(kx, my) || sameKey(ky, mx) {
		return uint8(k.middleSwap), true
	}
	return k.elseLevel(), true
}

// nameJWLevel is jwLevel on two keys, skipping the metric when their letter counts
// bound it below the lowest threshold.
func (k *compiled) nameJWLevel(kx, ky, countsX, countsY []byte) uint8 {
	if len(k.Thresholds) == 0 {
		return 0
	}
	bx, by := keyBytes(kx), keyBytes(ky)
	common := nibbleMinSum(binary.LittleEndian.Uint64(countsX), binary.LittleEndian.Uint64(countsY))
	if k.belowThresholds(common, len(bx), len(by), commonPrefixBytes(bx, by)) {
		return 0
	}
	return k.jwLevelOf(jaroWinklerBytes(bx, by))
}

// setPrune fills k.prune from the lowest threshold t: prune[p] is 3 × (the least Jaro
// similarity that reaches t with a common prefix of p), less a margin far above
// rounding error.
func (k *compiled) setPrune() {
	if len(k.Thresholds) == 0 {
		return
	}
	t := k.Thresholds[len(k.Thresholds)-1]
	for p := range k.prune {
		j := t
		if t > 0.7 {
			j = max(0.7, (t-0.1*float64(p))/(1-0.1*float64(p)))
		}
		k.prune[p] = 3 * (j - 1e-9)
	}
}

// belowThresholds reports whether two strings of lengths la and lb with at most common
// characters in common and a common prefix of prefix bytes (up to 4 count) are sure to
// fall below every Jaro–Winkler threshold: their Jaro similarity is at most
// (c/la + c/lb + 1)/3 with c = min(common, la, lb), and Winkler's boost only grows with
// it. The test needs no division: 3·Jaro·la·lb ≤ c·(la+lb) + la·lb.
func (k *compiled) belowThresholds(common, la, lb, prefix int) bool {
	c := min(common, la, lb)
	return float64(c*(la+lb)+la*lb) < float64(la*lb)*k.prune[min(prefix, 4)]
}

// familyFast is familyLevel for records without other family names.
func (k *compiled) familyFast(x, y []byte) (uint8, bool) {
	o, p := k.off[0], k.off[1]
	kx, ky := x[o:o+16], y[o:o+16]
	if (kx[15]|ky[15])&(keyDefer|keyOthers|keyCodes) != 0 {
		return 0, false
	}
	if kx[15]&15 == 0 || ky[15]&15 == 0 {
		return LevelNull, true
	}
	if sameKey(kx, ky) {
		return LevelExact, true
	}
	cx, cy := x[p:p+36], y[p:p+36]
	if (kx[15]|ky[15])&keyCompound != 0 && (mayBeToken(cx, cy, ky[15]) || mayBeToken(cy, cx, kx[15])) {
		return 0, false // a token of the other name, or a hash collision: the table tells
	}
	if l := k.nameJWLevel(kx, ky, cx[16:24], cy[16:24]); l != 0 {
		return l, true
	}
	if sameMetaphone(cx, cy) {
		return uint8(k.phonetic), true
	}
	if nx := binary.LittleEndian.Uint64(cx[8:]); nx != 0 && nx == binary.LittleEndian.Uint64(cy[8:]) {
		return uint8(k.phonetic), true
	}
	return k.elseLevel(), true
}

// mayBeToken reports whether the key coded in cx may be one of the two tokens coded in
// cy, a compound name when flagsY says so.
func mayBeToken(cx, cy []byte, flagsY byte) bool {
	if flagsY&keyCompound == 0 {
		return false
	}
	h := binary.LittleEndian.Uint32(cx[24:])
	return h == binary.LittleEndian.Uint32(cy[28:]) || h == binary.LittleEndian.Uint32(cy[32:])
}

// shareNickname compares two sets of up to four nickname group ids plus one (0: none).
func shareNickname(x, y []byte) bool {
	if binary.LittleEndian.Uint32(x) == 0 || binary.LittleEndian.Uint32(y) == 0 {
		return false
	}
	for a := 0; a < 16; a += 4 {
		id := binary.LittleEndian.Uint32(x[a:])
		if id == 0 {
			return false
		}
		for b := 0; b < 16; b += 4 {
			if binary.LittleEndian.Uint32(y[b:]) == id {
				return true
			}
		}
	}
	return false
}

// sameMetaphone is samePhonetic's Double Metaphone test on packed codes.
func sameMetaphone(x, y []byte) bool {
	xm, xa := binary.LittleEndian.Uint32(x), binary.LittleEndian.Uint32(x[4:])
	ym, ya := binary.LittleEndian.Uint32(y), binary.LittleEndian.Uint32(y[4:])
	return xm != 0 && (xm == ym || xm == ya || xa == ym || xa == ya)
}

func idFast(x, y []byte) (uint8, bool) {
	if (x[15]|y[15])&keyDefer != 0 {
		return 0, false
	}
	bx, by := keyBytes(x), keyBytes(y)
	switch {
	case len(bx) == 0 || len(by) == 0:
		return LevelNull, true
	case sameKey(x, y):
		return LevelExact, true
	case oneEdit(bx, by):
		return 2, true
	}
	return 3, true
}

func exactFast(x, y uint64) (uint8, bool) {
	switch {
	case x == 0 || y == 0:
		return LevelNull, true
	case x != y:
		return 2, true
	case x>>56 == 0xFF:
		return 0, false // equal hashes of long values: compare the values
	}
	return LevelExact, true
}

// textFast decides the null and exact levels, and the else level when the letter
// counts bound the Jaro–Winkler similarity below the lowest threshold.
func (k *compiled) textFast(x, y []byte) (uint8, bool) {
	if (x[31]|y[31])&textDefer != 0 {
		return 0, false
	}
	lx, ly := int(binary.LittleEndian.Uint16(x[24:])), int(binary.LittleEndian.Uint16(y[24:]))
	if lx == 0 || ly == 0 {
		return LevelNull, true
	}
	if lx == ly && binary.LittleEndian.Uint64(x[16:]) == binary.LittleEndian.Uint64(y[16:]) &&
		binary.LittleEndian.Uint32(x[26:]) == binary.LittleEndian.Uint32(y[26:]) {
		return LevelExact, true
	}
	if len(k.Thresholds) == 0 {
		return k.elseLevel(), true
	}
	if (x[31]|y[31])&textNoBound != 0 {
		return 0, false
	}
	common := nibbleMinSum(binary.LittleEndian.Uint64(x), binary.LittleEndian.Uint64(y)) +
		nibbleMinSum(binary.LittleEndian.Uint64(x[8:]), binary.LittleEndian.Uint64(y[8:]))
	prefix := 0
	for prefix < 4 && prefix < lx && prefix < ly && x[26+prefix] == y[26+prefix] {
		prefix++
	}
	if k.belowThresholds(common, lx, ly, prefix) {
		return k.elseLevel(), true
	}
	return 0, false
}

// nibbleMinSum adds up, over the sixteen four-bit lanes of a and b, the smaller count.
func nibbleMinSum(a, b uint64) int {
	const low = 0x0F0F0F0F0F0F0F0F
	return byteMinSum(a&low, b&low) + byteMinSum(a>>4&low, b>>4&low)
}

// byteMinSum adds up, over eight byte lanes each below 128, the smaller value.
func byteMinSum(a, b uint64) int {
	const high = 0x8080808080808080
	ge := ((a | high) - b) & high // lane's high bit set where a ≥ b
	mask := (ge >> 7) * 0xFF
	return int((b&mask | a&^mask) * 0x0101010101010101 >> 56)
}

// nameSwapFast is nameSwapLevel on the given and family keys of two records.
func nameSwapFast(gx, fx, gy, fy []byte) (uint8, bool) {
	if (gx[15]|fx[15]|gy[15]|fy[15])&keyDefer != 0 {
		return 0, false
	}
	if gx[15]&15 == 0 || fx[15]&15 == 0 || gy[15]&15 == 0 || fy[15]&15 == 0 {
		return LevelNull, true
	}
	if sameKey(gx, fx) || sameKey(gy, fy) || sameKey(gx, gy) || sameKey(fx, fy) {
		return 2, true
	}
	if gx[0] != fy[0] || fx[0] != gy[0] {
		return 2, true
	}
	if (sameKey(gx, fy) || jaroWinklerBytes(keyBytes(gx), keyBytes(fy)) >= 0.92) &&
		(sameKey(fx, gy) || jaroWinklerBytes(keyBytes(fx), keyBytes(gy)) >= 0.92) {
		return 1, true
	}
	return 2, true
}
