package score

import (
	"encoding/binary"
	"math/bits"

	"github.com/studentlink/studentlink/normalize"
)

// The fast paths below mirror the table's level functions in compare.go on a sketch's
// rows (sketch.go); TestSketchAgreesOn… and FuzzSketchLevels check that they agree.

// fastOp is one comparison's fast path: which, and where its features are in a row.
type fastOp struct {
	code       opCode
	off0, off1 int
	k          *compiled
}

type opCode uint8

const (
	opTable opCode = iota // no fast path: always read the table
	opGiven
	opFamily
	opDate
	opID
	opContact
	opExact
	opText
	opNameSwap
	opLocation
)

// fastKey is Key from the rows of two records: the levels the rows decide, packed, and
// a bit set for each comparison they leave to the table.
// Where two 32-bit hashes agree, the fast paths compare the values in the tables,
// records i of a and j of b.
func (s *Scorer) fastKey(x, y []byte, i, j int) (key uint64, deferred uint32) {
	for c, op := range s.ops {
		var l uint8
		ok := true
		o := op.off0
		switch op.code {
		case opGiven:
			l, ok = op.k.givenFast(x, y, s.a, i, s.b, j)
		case opFamily:
			l, ok = op.k.familyFast(x, y, s.a, i, s.b, j)
		case opDate:
			l, ok = dateFast(x[o:o+16], y[o:o+16])
		case opID:
			l, ok = idFast(x[o:o+24], y[o:o+24], false)
		case opContact:
			l, ok = idFast(x[o:o+24], y[o:o+24], true)
		case opExact:
			l, ok = exactFast(binary.LittleEndian.Uint64(x[o:]), binary.LittleEndian.Uint64(y[o:]))
		case opText:
			l, ok = op.k.textFast(x[o:o+48], y[o:o+48])
		case opNameSwap:
			p := op.off1
			l, ok = nameSwapFast(x[o:o+24], x[p:p+24], y[o:o+24], y[p:p+24])
		case opLocation:
			l, ok = op.k.locationFast(x, y)
		default:
			ok = false
		}
		if ok {
			key |= uint64(l) << (4 * c)
		} else {
			deferred |= 1 << c
		}
	}
	return key, deferred
}

// keyBytes returns the key held in a featKey.
func keyBytes(k []byte) []byte { return k[:k[keyLen]] }

// sameKey reports whether two featKeys hold the same key, whatever their flags: the
// bytes are zero padded and the length follows them.
func sameKey(x, y []byte) bool {
	const noFlags = 1<<(8*(keyFlags-16)) - 1
	return binary.LittleEndian.Uint64(x) == binary.LittleEndian.Uint64(y) &&
		binary.LittleEndian.Uint64(x[8:]) == binary.LittleEndian.Uint64(y[8:]) &&
		(binary.LittleEndian.Uint64(x[16:])^binary.LittleEndian.Uint64(y[16:]))&noFlags == 0
}

// jaroWinklerBytes is JaroWinklerText for ASCII keys.
func jaroWinklerBytes(x, y []byte) float64 {
	return winkler(jaroASCII(x, y), commonPrefixBytes(x, y))
}

// startName decides the levels every name comparison starts with from two name keys:
// the table's (ok false) when a flag says so, null, exact. done is false when none
// holds.
func startName(kx, ky []byte) (l uint8, ok, done bool) {
	switch {
	case (kx[keyFlags]|ky[keyFlags])&(keyDefer|keyOthers|keyCodes) != 0:
		return 0, false, true
	case kx[keyLen] == 0 || ky[keyLen] == 0:
		return LevelNull, true, true
	case sameKey(kx, ky):
		return LevelExact, true, true
	}
	return 0, true, false
}

// givenFast is givenLevel for records without other given names.
func (k *compiled) givenFast(x, y []byte, a *normalize.Table, i int, b *normalize.Table, j int) (uint8, bool) {
	o, p := k.off[0], k.off[1]
	kx, ky := x[o:o+24], y[o:o+24]
	if l, ok, done := startName(kx, ky); done {
		return l, ok
	}
	if (kx[keyFlags]|ky[keyFlags])&keyCompound != 0 {
		return 0, false // a word of a compound given name may be the other's (laterToken)
	}
	cx, cy := x[p:p+32], y[p:p+32]
	if shareNickname(binary.LittleEndian.Uint64(cx[givenNick:]), binary.LittleEndian.Uint64(cy[givenNick:])) {
		return 2, true
	}
	if l := k.nameJWLevel(kx, ky, cx[givenCounts:], cy[givenCounts:]); l != 0 {
		return l, true
	}
	if lx, ly := kx[keyLen], ky[keyLen]; (lx == 1 || ly == 1) && lx != ly && kx[0] == ky[0] {
		return uint8(k.initial), true
	}
	if sameMetaphone(cx, cy) {
		return uint8(k.phonetic), true
	}
	nx, ny := binary.LittleEndian.Uint64(cx[givenNick:]), binary.LittleEndian.Uint64(cy[givenNick:])
	if binary.LittleEndian.Uint16(cx[givenHash:]) == binary.LittleEndian.Uint16(cy[middleHash:]) ||
		binary.LittleEndian.Uint16(cy[givenHash:]) == binary.LittleEndian.Uint16(cx[middleHash:]) ||
		mayShareMiddle(nx, binary.LittleEndian.Uint16(cy[middleNick:])) ||
		mayShareMiddle(ny, binary.LittleEndian.Uint16(cx[middleNick:])) {
		// Likely the given name is the other record's middle name: the names tell.
		if middleSwapped(a.Given[i], a.Middle[i], b.Given[j], b.Middle[j]) {
			return uint8(k.middleSwap), true
		}
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
	common := bits.OnesCount64(binary.LittleEndian.Uint64(countsX) & binary.LittleEndian.Uint64(countsY))
	if k.belowThresholds(common, len(bx), len(by), commonPrefixBytes(bx, by)) {
		return 0
	}
	return k.jwLevelOf(jaroWinklerBytes(bx, by))
}

// setPrune fills k.prune from the lowest threshold: prune[p][la][lb] is the fewest
// common characters with which two strings of lengths la and lb (up to textCap) and a
// common prefix of p bytes can reach it, from the bound in belowThresholds.
func (k *compiled) setPrune() {
	if len(k.Thresholds) == 0 {
		return
	}
	t := k.Thresholds[len(k.Thresholds)-1]
	k.prune = new(pruneTable)
	for p := range k.prune {
		j := t // the least Jaro similarity that reaches t with prefix p
		if t > 0.7 {
			j = max(0.7, (t-0.1*float64(p))/(1-0.1*float64(p)))
		}
		// Less a margin far above rounding error, times 3.
		limit := 3 * (j - 1e-9)
		for la := 1; la <= textCap; la++ {
			for lb := 1; lb <= textCap; lb++ {
				c := 0
				for c <= min(la, lb) && float64(c*(la+lb)+la*lb) < float64(la*lb)*limit {
					c++
				}
				k.prune[p][la][lb] = uint8(c)
			}
		}
	}
}

// pruneTable holds, by common prefix and the two lengths, the fewest common characters
// that can reach a comparison's lowest Jaro–Winkler threshold.
type pruneTable [5][textCap + 1][textCap + 1]uint8

// belowThresholds reports whether two strings of lengths la and lb (1 to textCap) with
// at most common characters in common and a common prefix of prefix bytes (up to 4
// count) are sure to fall below every Jaro–Winkler threshold: their Jaro similarity is
// at most (c/la + c/lb + 1)/3 with c = min(common, la, lb), and Winkler's boost only
// grows with it.
func (k *compiled) belowThresholds(common, la, lb, prefix int) bool {
	return common < int(k.prune[min(prefix, 4)][la][lb])
}

// familyFast is familyLevel for records without other family names.
func (k *compiled) familyFast(x, y []byte, a *normalize.Table, i int, b *normalize.Table, j int) (uint8, bool) {
	o, p := k.off[0], k.off[1]
	kx, ky := x[o:o+24], y[o:o+24]
	if l, ok, done := startName(kx, ky); done {
		return l, ok
	}
	if kx[keyFlags]&ky[keyFlags]&keyCompound != 0 {
		return 0, false // two compound names may share a word and differ in the others
	}
	cx, cy := x[p:p+32], y[p:p+32]
	if (kx[keyFlags]|ky[keyFlags])&keyCompound != 0 &&
		(mayBeToken(cx, cy, ky[keyFlags]) || mayBeToken(cy, cx, kx[keyFlags])) {
		// Likely one name is a token of the other's compound name: the names tell.
		if x, y := a.Family[i], b.Family[j]; isToken(x.Key, y.Tokens) || isToken(y.Key, x.Tokens) {
			return 2, true
		}
	}
	if l := k.nameJWLevel(kx, ky, cx[familyCounts:], cy[familyCounts:]); l != 0 {
		return l, true
	}
	if sameMetaphone(cx, cy) {
		return uint8(k.phonetic), true
	}
	if nx := binary.LittleEndian.Uint32(cx[familyNYSIIS:]); nx != 0 && nx == binary.LittleEndian.Uint32(cy[familyNYSIIS:]) {
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
	h := binary.LittleEndian.Uint32(cx[familyHash:])
	return h == binary.LittleEndian.Uint32(cy[familyTokens:]) || h == binary.LittleEndian.Uint32(cy[familyTokens+4:])
}

// mayShareMiddle reports whether the nickname groups of a given name (ids plus one, 16
// bits each, as the row holds them) may include one of a middle name's (middleNicknames).
func mayShareMiddle(given uint64, middle uint16) bool {
	if middle&0x8000 == 0 {
		return shareNickname(given, uint64(middle))
	}
	for ; given&0xFFFF != 0; given >>= 16 {
		if middle&(1<<((given&0xFFFF-1)%15)) != 0 {
			return true
		}
	}
	return false
}

// shareNickname compares two sets of up to four nickname group ids plus one (0: none),
// sixteen bits each.
func shareNickname(x, y uint64) bool {
	if x == 0 || y == 0 {
		return false
	}
	for ; x != 0; x >>= 16 {
		id := x & 0xFFFF
		if id == 0 {
			return false
		}
		for z := y; z != 0; z >>= 16 {
			if z&0xFFFF == id {
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

// dateFast is birthDateLevel on featDates.
func dateFast(x, y []byte) (uint8, bool) {
	dx, dy := binary.LittleEndian.Uint32(x), binary.LittleEndian.Uint32(y)
	switch {
	case dx == 0 || dy == 0:
		return LevelNull, true
	case x[dateFlags]|y[dateFlags] != 0:
		return 0, false // a date that names no day: compare what was written
	case dx == dy:
		return LevelExact, true
	case dx&0xFFFF == dy&0xFFFF && x[2] == y[3] && x[3] == y[2]:
		return dateSwapped, true
	}
	if oneEdit8(binary.LittleEndian.Uint64(x[4:]), binary.LittleEndian.Uint64(y[4:])) {
		return dateOneDigit, true
	}
	// Day numbers are 24 bits with the flags (0 here) above: shift the sign into place.
	diff := int(int32((binary.LittleEndian.Uint32(x[12:])-binary.LittleEndian.Uint32(y[12:]))<<8) >> 8)
	if diff >= -31 && diff <= 31 {
		return dateWithinMonth, true
	}
	same := 0
	if dx&0xFFFF == dy&0xFFFF {
		same++
	}
	if x[2] == y[2] {
		same++
	}
	if x[3] == y[3] {
		same++
	}
	return partsLevelOf(same, dx&0xFFFF == dy&0xFFFF, differingBytes(binary.LittleEndian.Uint64(x[4:]), binary.LittleEndian.Uint64(y[4:])), abs(diff)), true
}

// differingMask has the high bit set of every byte in which x and y differ.
func differingMask(x, y uint64) uint64 {
	const low7 = 0x7F7F7F7F7F7F7F7F
	d := x ^ y
	return ((d & low7) + low7 | d) &^ low7
}

// differingBytes counts the bytes in which x and y differ.
func differingBytes(x, y uint64) int { return bits.OnesCount64(differingMask(x, y)) }

// oneEdit8 is oneEdit on eight bytes packed in words.
func oneEdit8(x, y uint64) bool {
	differ := differingMask(x, y)
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

// idFast is idLevel on two featKeys.
func idFast(x, y []byte, contact bool) (uint8, bool) {
	if (x[keyFlags]|y[keyFlags])&keyDefer != 0 {
		return 0, false
	}
	bx, by := keyBytes(x), keyBytes(y)
	switch {
	case len(bx) == 0 || len(by) == 0:
		return LevelNull, true
	case sameKey(x, y):
		return LevelExact, true
	}
	return nearIDLevel(bx, by, contact), true
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

// textFast is textLevel on featTexts; the letter counts spare the metric when they
// bound it below the lowest threshold.
func (k *compiled) textFast(x, y []byte) (uint8, bool) {
	if (x[textFlags]|y[textFlags])&textDefer != 0 {
		return 0, false
	}
	lx, ly := int(x[textLen]), int(y[textLen])
	switch {
	case lx == 0 || ly == 0:
		return LevelNull, true
	case lx == ly && string(x[:lx]) == string(y[:ly]):
		return LevelExact, true
	case len(k.Thresholds) == 0:
		return k.elseLevel(), true
	}
	bx, by := x[:lx], y[:ly]
	common := bits.OnesCount64(binary.LittleEndian.Uint64(x[textCounts:])&binary.LittleEndian.Uint64(y[textCounts:])) +
		bits.OnesCount64(binary.LittleEndian.Uint64(x[textCounts+8:])&binary.LittleEndian.Uint64(y[textCounts+8:]))
	if k.belowThresholds(common, lx, ly, commonPrefixBytes(bx, by)) {
		return k.elseLevel(), true
	}
	if l := k.jwLevelOf(jaroWinklerBytes(bx, by)); l != 0 {
		return l, true
	}
	return k.elseLevel(), true
}

// locationFast is locationLevel on the address and city featTexts and the zip featExact.
func (k *compiled) locationFast(x, y []byte) (uint8, bool) {
	oa, oz, oc := k.off[0], k.off[1], k.off[2]
	compared := false
	switch l, ok := k.textFast(x[oa:oa+48], y[oa:oa+48]); {
	case !ok:
		return 0, false
	case l == k.elseLevel():
		compared = true
	case l == LevelExact:
		return l, true
	case l != LevelNull:
		if sameHouse(x[oa:oa+int(x[oa+textLen])], y[oa:oa+int(y[oa+textLen])]) {
			return l, true
		}
		compared = true
	}
	switch l, ok := exactFast(binary.LittleEndian.Uint64(x[oz:]), binary.LittleEndian.Uint64(y[oz:])); {
	case !ok:
		return 0, false
	case l == LevelExact:
		return uint8(k.levels - 3), true
	case l != LevelNull:
		compared = true
	}
	cx, cy := x[oc:oc+48], y[oc:oc+48]
	if (cx[textFlags]|cy[textFlags])&textDefer != 0 {
		return 0, false
	}
	lx, ly := int(cx[textLen]), int(cy[textLen])
	if lx > 0 && ly > 0 {
		if cityAlike(cx, cy, lx, ly) {
			return uint8(k.levels - 2), true
		}
		compared = true
	}
	if compared {
		return k.elseLevel(), true
	}
	return LevelNull, true
}

// cityAlike reports whether two city featTexts hold the same key or keys with
// Jaro–Winkler ≥ cityThreshold, skipping the metric when their letter counts bound it
// below.
func cityAlike(x, y []byte, lx, ly int) bool {
	bx, by := x[:lx], y[:ly]
	if lx == ly && string(bx) == string(by) {
		return true
	}
	common := bits.OnesCount64(binary.LittleEndian.Uint64(x[textCounts:])&binary.LittleEndian.Uint64(y[textCounts:])) +
		bits.OnesCount64(binary.LittleEndian.Uint64(x[textCounts+8:])&binary.LittleEndian.Uint64(y[textCounts+8:]))
	m := float64(min(common, lx, ly))
	jaro := (m/float64(lx) + m/float64(ly) + 1) / 3
	if jaro+0.4*(1-jaro) < cityThreshold {
		return false
	}
	return jaroWinklerBytes(bx, by) >= cityThreshold
}

// nameSwapFast is nameSwapLevel on the given and family keys of two records.
func nameSwapFast(gx, fx, gy, fy []byte) (uint8, bool) {
	if (gx[keyFlags]|fx[keyFlags]|gy[keyFlags]|fy[keyFlags])&keyDefer != 0 {
		return 0, false
	}
	if gx[keyLen] == 0 || fx[keyLen] == 0 || gy[keyLen] == 0 || fy[keyLen] == 0 {
		return LevelNull, true
	}
	// Every test that gives 2 may come first: the cheapest does.
	if gx[0] != fy[0] || fx[0] != gy[0] || sameKey(gx, fx) || sameKey(gy, fy) || sameKey(gx, gy) || sameKey(fx, fy) {
		return 2, true
	}
	if (sameKey(gx, fy) || jaroWinklerBytes(keyBytes(gx), keyBytes(fy)) >= 0.92) &&
		(sameKey(fx, gy) || jaroWinklerBytes(keyBytes(fx), keyBytes(gy)) >= 0.92) {
		return 1, true
	}
	return 2, true
}
