package score

import (
	"github.com/studentlink/studentlink/normalize"
	"math/bits"
	"unicode/utf8"
)

// The metrics work on characters (runes), not bytes, so that "José" and "Jose" differ by
// one character. Strings of up to 64 characters are handled without allocating: ASCII
// strings directly on their bytes, others coded as bytes (Jaro–Winkler, see runeCodes) or
// decoded into arrays on the stack. Longer strings allocate scratch space.

const shortLen = 64

// Jaro returns the Jaro similarity of a and b, in [0, 1]: 1 for equal strings (including
// two empty ones), 0 when one is empty or no characters match.
func Jaro(a, b string) float64 {
	if a == b {
		return 1
	}
	if isASCII(a) && isASCII(b) {
		return jaroASCII(a, b)
	}
	var ra, rb [shortLen]rune
	return jaroRunes(toRunes(a, ra[:0]), toRunes(b, rb[:0]))
}

// JaroWinkler returns the Jaro–Winkler similarity of a and b as Winkler defined it: the
// Jaro similarity plus 0.1 × (1 − Jaro) for each of up to 4 leading characters the two
// share, applied only when the Jaro similarity is above 0.7.
func JaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	if isASCII(a) && isASCII(b) {
		return winkler(jaroPrefixASCII(a, b))
	}
	var ca, cb [shortLen]byte
	var codes runeCodes
	if x, ok := codes.string(a, &ca); ok {
		if y, ok := codes.string(b, &cb); ok {
			return winkler(jaroPrefixASCII(x, y))
		}
	}
	return jaroWinklerRunes(a, b)
}

func jaroWinklerRunes(a, b string) float64 {
	var ra, rb [shortLen]rune
	x, y := toRunes(a, ra[:0]), toRunes(b, rb[:0])
	return winkler(jaroRunes(x, y), commonPrefixRunes(x, y))
}

// runeCodes numbers the distinct non-ASCII characters of a pair of strings 1 to 15, so
// that strings of up to 64 characters with few distinct non-ASCII characters (names) are
// compared as bytes: equal characters get equal bytes. ASCII control characters 0x00 to
// 0x0F, which would collide with the codes, are not coded.
type runeCodes struct {
	n     int
	runes [15]rune
}

func (c *runeCodes) code(r rune) (byte, bool) {
	for k := 0; k < c.n; k++ {
		if c.runes[k] == r {
			return byte(k + 1), true
		}
	}
	if c.n == len(c.runes) {
		return 0, false
	}
	c.runes[c.n] = r
	c.n++
	return byte(c.n), true
}

// string codes the characters of s, of up to 64 bytes, into buf.
func (c *runeCodes) string(s string, buf *[shortLen]byte) ([]byte, bool) {
	if len(s) > len(buf) {
		return nil, false
	}
	n := 0
	for i := 0; i < len(s); n++ {
		if b := s[i]; b-0x10 < utf8.RuneSelf-0x10 {
			buf[n&(shortLen-1)] = b
			i++
		} else if b < 0x10 {
			return nil, false
		} else {
			r, size := utf8.DecodeRuneInString(s[i:]) // U+FFFD for invalid UTF-8, as range gives
			k, ok := c.code(r)
			if !ok {
				return nil, false
			}
			buf[n&(shortLen-1)] = k
			i += size
		}
	}
	return buf[:n], true
}

// runeSlice codes rs into buf.
func (c *runeCodes) runeSlice(rs []rune, buf *[shortLen]byte) ([]byte, bool) {
	if len(rs) > len(buf) {
		return nil, false
	}
	for n, r := range rs {
		if r < utf8.RuneSelf {
			if r < 0x10 {
				return nil, false
			}
			buf[n] = byte(r)
		} else {
			k, ok := c.code(r)
			if !ok {
				return nil, false
			}
			buf[n] = k
		}
	}
	return buf[:len(rs)], true
}

func winkler(j float64, prefix int) float64 {
	if j <= 0.7 {
		return j
	}
	return j + float64(min(prefix, 4))*0.1*(1-j)
}

func commonPrefixBytes[S ~string | ~[]byte](a, b S) int {
	n := 0
	for n < len(a) && n < len(b) && n < 4 && a[n] == b[n] {
		n++
	}
	return n
}

func commonPrefixRunes(a, b []rune) int {
	n := 0
	for n < len(a) && n < len(b) && n < 4 && a[n] == b[n] {
		n++
	}
	return n
}

// isASCII reads s eight bytes at a time.
func isASCII(s string) bool {
	n := len(s)
	var acc uint64
	switch {
	case n >= 8:
		for i := 0; i+8 <= n; i += 8 {
			acc |= load64(s[i : i+8])
		}
		acc |= load64(s[n-8:])
	case n >= 4:
		acc = uint64(load32(s[:4]) | load32(s[n-4:]))
	case n > 0:
		acc = uint64(s[0] | s[n/2] | s[n-1])
	}
	return acc&0x8080808080808080 == 0
}

func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func load32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// toRunes decodes s into buf (which it grows when s is longer than its capacity).
func toRunes(s string, buf []rune) []rune {
	for _, r := range s {
		buf = append(buf, r)
	}
	return buf
}

// jaroASCII is Jaro on ASCII bytes (others may be confused with the ASCII byte of the same
// low seven bits). Strings of up to 64 bytes keep their matched-character flags in two
// machine words.
func jaroASCII[S ~string | ~[]byte](a, b S) float64 {
	j, _ := jaroPrefixASCII(a, b)
	return j
}

// jaroPrefixASCII returns jaroASCII(a, b) and the length of the common prefix up to 4. The
// common prefix matches in place, so the matching starts after it; b's positions per byte
// value go in a table of 8-, 16- or 32-bit masks, whichever b fits, so that a character's
// match in its window takes a few bit operations; and transpositions are counted only
// over the matches that came out of order.
func jaroPrefixASCII[S ~string | ~[]byte](a, b S) (float64, int) {
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0, 0
	}
	if la > shortLen || lb > shortLen {
		return jaroRunes(asciiRunes(a, nil), asciiRunes(b, nil)), commonPrefixBytes(a, b)
	}
	if lb > 32 || la > 42 {
		return jaroLong(a, b), commonPrefixBytes(a, b)
	}
	n := min(la, lb)
	p := 0
	for p < n && a[p] == b[p] {
		p++
	}
	if p == la && p == lb {
		return 1, min(p, 4)
	}
	var fa, fb uint64
	var k int
	if lb <= 8 {
		var pos [128]uint8
		fa, fb, k = matchTable(a, b, p, &pos)
	} else if lb <= 16 {
		var pos [128]uint16
		fa, fb, k = matchTable(a, b, p, &pos)
	} else {
		var pos [128]uint32
		fa, fb, k = matchTable(a, b, p, &pos)
	}
	m, t := p+bits.OnesCount64(fb), 0
	if m == 0 {
		return 0, 0
	}
	// Only the first k matches after the prefix can be out of order.
	for ; k > 0 && fa != 0; k-- {
		if a[bits.TrailingZeros64(fa)] != b[bits.TrailingZeros64(fb)] {
			t++
		}
		fa &= fa - 1
		fb &= fb - 1
	}
	return jaroScore(m, t, la, lb), min(p, 4)
}

// jaroScore is (m/la + m/lb + (m − t/2)/m) / 3 for m ≥ 1, evaluated in that order. It
// skips divisions whose quotient it knows exactly: m/m is 1, and m/lb is m/la when the
// lengths are equal.
func jaroScore(m, t, la, lb int) float64 {
	fm := float64(m)
	qa := fm / float64(la)
	qb := qa
	if lb != la {
		qb = fm / float64(lb)
	}
	qt := 1.0
	if t > 1 {
		qt = (fm - float64(t/2)) / fm
	}
	return (qa + qb + qt) / 3
}

// matchTable matches a's characters after the common prefix of length p with b's, for b of
// up to 32 and a of up to 42 bytes, pos a zeroed table wide enough for b. It returns the
// matched positions in a and in b beyond the prefix, and how many of the first of them
// may be out of order.
func matchTable[S ~string | ~[]byte, T uint8 | uint16 | uint32](a, b S, p int, pos *[128]T) (fa, fb uint64, k int) {
	la, lb := len(a), len(b)
	w := max(max(la, lb)/2-1, 0)
	bit := T(1) << uint(p)
	for j := p; j < lb; j++ {
		pos[b[j]&127] |= bit
		bit <<= 1
	}
	// a's character i may match b's positions i-w to i+w: below hi and not below
	// hi>>span (i+w+1 stays below 64 for la ≤ 42).
	hi := uint64(1)<<uint(p+w+1) - 1
	span := uint(2*w+1) & 63
	var last uint64
	for i := p; i < la; i++ {
		cand := uint64(pos[a[i]&127]) & hi &^ (hi >> span) &^ fb
		neg := -cand
		low := cand & neg
		// a match below an earlier one is out of order; the matches after the last
		// such one are in order.
		_, x := bits.Sub64(low-1, fb, 0)
		fb |= low
		last |= fb & -x
		fa = fa>>1 | (cand|neg)>>63<<63
		hi = hi<<1 | 1
	}
	return fa >> (uint(64-la) & 63), fb, bits.OnesCount64(last)
}

// jaroRunes is Jaro on characters.
func jaroRunes(a, b []rune) float64 {
	la, lb := len(a), len(b)
	if la == 0 && lb == 0 {
		return 1
	}
	if la == 0 || lb == 0 {
		return 0
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	var fa, fb [shortLen]bool
	ma, mb := fa[:0], fb[:0]
	if la > shortLen || lb > shortLen {
		ma, mb = make([]bool, la), make([]bool, lb)
	} else {
		ma, mb = fa[:la], fb[:lb]
	}
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		for j := lo; j < hi; j++ {
			if !mb[j] && b[j] == a[i] {
				ma[i], mb[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, j := 0, 0
	for i := 0; i < la; i++ {
		if !ma[i] {
			continue
		}
		for !mb[j] {
			j++
		}
		if a[i] != b[j] {
			t++
		}
		j++
	}
	fm := float64(m)
	return (fm/float64(la) + fm/float64(lb) + (fm-float64(t/2))/fm) / 3
}

// Levenshtein returns the number of single-character insertions, deletions and
// substitutions that turn a into b.
func Levenshtein(a, b string) int {
	if a == b {
		return 0
	}
	if isASCII(a) && isASCII(b) {
		if len(a) > len(b) {
			a, b = b, a
		}
		if len(a) == 0 {
			return len(b)
		}
		if len(a) <= shortLen {
			return myersASCII(a, b)
		}
		return levenshteinRunes([]rune(a), []rune(b))
	}
	// Names with a few accented letters: code the pair's characters as bytes.
	var ca, cb [shortLen]byte
	var codes runeCodes
	if x, ok := codes.string(a, &ca); ok {
		if y, ok := codes.string(b, &cb); ok {
			if len(x) > len(y) {
				x, y = y, x
			}
			if len(x) == 0 {
				return len(y)
			}
			return myersASCII(x, y)
		}
	}
	var ra, rb [shortLen]rune
	return levenshteinRunes(toRunes(a, ra[:0]), toRunes(b, rb[:0]))
}

// myersASCII is Myers' bit-parallel edit distance (in Hyyrö's formulation) for a pattern a
// of 1 to 64 bytes against any b, both ASCII (or coded by runeCodes).
func myersASCII[S ~string | ~[]byte](a, b S) int {
	var peq [128]uint64
	for i := 0; i < len(a); i++ {
		peq[a[i]&127] |= 1 << i
	}
	m := len(a)
	last := uint64(1) << (m - 1)
	pv, mv := ^uint64(0), uint64(0)
	score := m
	for j := 0; j < len(b); j++ {
		eq := peq[b[j]&127]
		xv := eq | mv
		xh := (((eq & pv) + pv) ^ pv) | eq
		ph := mv | ^(xh | pv)
		mh := pv & xh
		if ph&last != 0 {
			score++
		} else if mh&last != 0 {
			score--
		}
		ph = ph<<1 | 1
		mh <<= 1
		pv = mh | ^(xv | ph)
		mv = ph & xv
	}
	return score
}

// levenshteinRunes is the two-row dynamic programme on characters.
func levenshteinRunes(a, b []rune) int {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) == 0 {
		return len(b)
	}
	var buf [shortLen + 1]int
	row := buf[:0]
	if len(a)+1 > len(buf) {
		row = make([]int, len(a)+1)
	} else {
		row = buf[:len(a)+1]
	}
	for i := range row {
		row[i] = i
	}
	for j := 1; j <= len(b); j++ {
		diag := row[0]
		row[0] = j
		for i := 1; i <= len(a); i++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			next := min(row[i]+1, row[i-1]+1, diag+cost)
			diag = row[i]
			row[i] = next
		}
	}
	return row[len(a)]
}

// OSA returns the optimal string alignment distance (restricted Damerau–Levenshtein):
// Levenshtein's edits plus the transposition of two adjacent characters, no substring
// edited twice. OSA("Paul", "aPul") is 1.
func OSA(a, b string) int {
	if a == b {
		return 0
	}
	if isASCII(a) && isASCII(b) && len(a) <= shortLen && len(b) <= shortLen {
		var ra, rb [shortLen]rune
		for i := 0; i < len(a); i++ {
			ra[i] = rune(a[i])
		}
		for i := 0; i < len(b); i++ {
			rb[i] = rune(b[i])
		}
		return osaRunes(ra[:len(a)], rb[:len(b)])
	}
	var ra, rb [shortLen]rune
	return osaRunes(toRunes(a, ra[:0]), toRunes(b, rb[:0]))
}

// osaRunes keeps three rows of the dynamic programme.
func osaRunes(a, b []rune) int {
	la, lb := len(a), len(b)
	if la == 0 {
		return lb
	}
	if lb == 0 {
		return la
	}
	var buf [3 * (shortLen + 1)]int
	var cells []int
	if lb+1 <= shortLen+1 {
		cells = buf[:3*(lb+1)]
	} else {
		cells = make([]int, 3*(lb+1))
	}
	prev2, prev, cur := cells[:lb+1], cells[lb+1:2*(lb+1)], cells[2*(lb+1):]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			cur[j] = d
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[lb]
}

// longPair is the combined length from which jaroLong beats the window scan: the scan
// costs length × window, jaroLong a fixed table clear plus a few operations per byte.
const longPair = 20

// jaroLong is Jaro for ASCII strings of up to 64 bytes using, for each byte value, the
// set of its positions in b, so that a's next match in the window is found with a few
// bit operations.
func jaroLong[S ~string | ~[]byte](a, b S) float64 {
	var pos [128]uint64
	la, lb := len(a), len(b)
	for j := 0; j < lb; j++ {
		pos[b[j]&127] |= 1 << j
	}
	window := max(la, lb)/2 - 1
	var fa, fb uint64
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		if lo >= hi {
			continue
		}
		win := (^uint64(0) >> (64 - uint(hi-lo))) << uint(lo)
		if cand := pos[a[i]&127] &^ fb & win; cand != 0 {
			fb |= cand & -cand
			fa |= 1 << i
			m++
		}
	}
	if m == 0 {
		return 0
	}
	t := 0
	for fa != 0 {
		if a[bits.TrailingZeros64(fa)] != b[bits.TrailingZeros64(fb)] {
			t++
		}
		fa &= fa - 1
		fb &= fb - 1
	}
	fm := float64(m)
	return (fm/float64(la) + fm/float64(lb) + (fm-float64(t/2))/fm) / 3
}

// JaroWinklerText is JaroWinkler on prepared text: it reads the folded keys (or their
// precomputed characters) without decoding.
func JaroWinklerText(x, y normalize.Text) float64 {
	// Small enough to be inlined, so that callers pass the keys rather than copy the
	// two Texts.
	return jaroWinklerLetters(x.Key, y.Key, x.Runes, y.Runes, x.Positions, y.Positions)
}

// jaroWinklerLetters is JaroWinklerText on two keys with their characters (nil for ASCII)
// and letter positions. When both keys have positions (1 to 32 letters a–z) it is
// jaroPrefixASCII's matching without building the table; otherwise jaroWinklerText.
func jaroWinklerLetters(a, b string, ra, rb []rune, pa, pb *normalize.LetterPositions) float64 {
	if pa == nil || pb == nil {
		return jaroWinklerText(a, b, ra, rb)
	}
	// Equal keys need no test of their own: every letter matches in place, m = la = lb,
	// t = 0, and the score is exactly 1.
	la, lb := len(a), len(b)
	n := min(la, lb)
	p := 0
	for p < n && a[p] == b[p] {
		p++
	}
	w := max(max(la, lb)/2-1, 0)
	hi := uint64(1)<<uint(p+w+1) - 1 // i+w+1 ≤ 47 for keys of up to 32 bytes
	span := uint(2*w+1) & 63
	prefix := uint64(1)<<uint(p) - 1 // matched in place
	// fb starts with the prefix taken, so that no later character matches there; the
	// prefix bits lie below every later match, so they change no order test.
	fb, last := prefix, uint64(0)
	for i := p; i < la; i++ {
		cand := uint64(pb[a[i]&31]) & hi &^ (hi >> span) &^ fb
		low := cand & -cand
		_, x := bits.Sub64(low-1, fb, 0)
		fb |= low
		last |= fb & -x
		hi = hi<<1 | 1
	}
	fb &^= prefix
	last &^= prefix
	m, t := p+bits.OnesCount64(fb), 0
	if m == 0 {
		return 0
	}
	if last != 0 {
		// Some match landed below an earlier one: count transpositions over the matches
		// up to the last such, pairing a's matched characters with b's in order.
		k := bits.OnesCount64(last)
		hi = uint64(1)<<uint(p+w+1) - 1
		used := prefix
		for i := p; i < la && k > 0; i++ {
			cand := uint64(pb[a[i]&31]) & hi &^ (hi >> span) &^ used
			hi = hi<<1 | 1
			if cand == 0 {
				continue
			}
			used |= cand & -cand
			j := bits.TrailingZeros64(fb)
			fb &= fb - 1
			if a[i] != b[j] {
				t++
			}
			k--
		}
	}
	return winkler(jaroScore(m, t, la, lb), min(p, 4))
}

// jaroWinklerText is JaroWinklerText on the keys and their characters (nil for an ASCII
// key).
func jaroWinklerText(kx, ky string, rx, ry []rune) float64 {
	if kx == ky {
		return 1
	}
	if rx == nil && ry == nil {
		return winkler(jaroPrefixASCII(kx, ky))
	}
	var cx, cy [shortLen]byte
	var codes runeCodes
	bx, okx := codes.text(kx, rx, &cx)
	by, oky := codes.text(ky, ry, &cy)
	if okx && oky {
		return winkler(jaroPrefixASCII(bx, by))
	}
	var rbx, rby [shortLen]rune
	if rx == nil {
		rx = asciiRunes(kx, rbx[:0])
	}
	if ry == nil {
		ry = asciiRunes(ky, rby[:0])
	}
	return winkler(jaroRunes(rx, ry), commonPrefixRunes(rx, ry))
}

// text codes a key given as a string or, when not ASCII, as characters.
func (c *runeCodes) text(key string, rs []rune, buf *[shortLen]byte) ([]byte, bool) {
	if rs != nil {
		return c.runeSlice(rs, buf)
	}
	return c.string(key, buf)
}

func asciiRunes[S ~string | ~[]byte](s S, buf []rune) []rune {
	for i := 0; i < len(s); i++ {
		buf = append(buf, rune(s[i]))
	}
	return buf
}
