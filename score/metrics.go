package score

import (
	"github.com/studentlink/studentlink/normalize"
	"math/bits"
	"unicode/utf8"
)

// The metrics work on characters (runes), not bytes, so that "José" and "Jose" differ by
// one character. Strings of up to 64 characters are handled without allocating: ASCII
// strings directly on their bytes, others decoded into arrays on the stack. Longer strings
// allocate scratch space.

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
		return winkler(jaroASCII(a, b), commonPrefixBytes(a, b))
	}
	var ra, rb [shortLen]rune
	x, y := toRunes(a, ra[:0]), toRunes(b, rb[:0])
	return winkler(jaroRunes(x, y), commonPrefixRunes(x, y))
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

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// toRunes decodes s into buf (which it grows when s is longer than its capacity).
func toRunes(s string, buf []rune) []rune {
	for _, r := range s {
		buf = append(buf, r)
	}
	return buf
}

// jaroASCII is Jaro on bytes. Strings of up to 64 bytes keep their matched-character
// flags in two machine words.
func jaroASCII[S ~string | ~[]byte](a, b S) float64 {
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	if la > shortLen || lb > shortLen {
		return jaroRunes(asciiRunes(a, nil), asciiRunes(b, nil))
	}
	if la+lb >= longPair {
		return jaroLong(a, b)
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	var fa, fb uint64
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		c := a[i]
		for j := lo; j < hi; j++ {
			if fb&(1<<j) == 0 && b[j] == c {
				fa |= 1 << i
				fb |= 1 << j
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	// Count matched characters out of order, walking the two flag sets together.
	t := 0
	for fa != 0 {
		i := bits.TrailingZeros64(fa)
		j := bits.TrailingZeros64(fb)
		if a[i] != b[j] {
			t++
		}
		fa &= fa - 1
		fb &= fb - 1
	}
	fm := float64(m)
	return (fm/float64(la) + fm/float64(lb) + (fm-float64(t/2))/fm) / 3
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
	var ra, rb [shortLen]rune
	return levenshteinRunes(toRunes(a, ra[:0]), toRunes(b, rb[:0]))
}

// myersASCII is Myers' bit-parallel edit distance (in Hyyrö's formulation) for a pattern a
// of 1 to 64 bytes against any b.
func myersASCII(a, b string) int {
	var peq [256]uint64
	for i := 0; i < len(a); i++ {
		peq[a[i]] |= 1 << i
	}
	m := len(a)
	last := uint64(1) << (m - 1)
	pv, mv := ^uint64(0), uint64(0)
	score := m
	for j := 0; j < len(b); j++ {
		eq := peq[b[j]]
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
	if x.Key == y.Key {
		return 1
	}
	if x.Runes == nil && y.Runes == nil {
		return winkler(jaroASCII(x.Key, y.Key), commonPrefixBytes(x.Key, y.Key))
	}
	var bx, by [shortLen]rune
	rx, ry := x.Runes, y.Runes
	if rx == nil {
		rx = asciiRunes(x.Key, bx[:0])
	}
	if ry == nil {
		ry = asciiRunes(y.Key, by[:0])
	}
	return winkler(jaroRunes(rx, ry), commonPrefixRunes(rx, ry))
}

func asciiRunes[S ~string | ~[]byte](s S, buf []rune) []rune {
	for i := 0; i < len(s); i++ {
		buf = append(buf, rune(s[i]))
	}
	return buf
}
