package fnv1a

// Offset is the hash of nothing: FNV-1a's 64-bit offset basis.
const Offset = 14695981039346656037

const prime = 1099511628211

// Byte continues hash h over byte c.
func Byte(h uint64, c byte) uint64 { return (h ^ uint64(c)) * prime }

// String continues hash h over the bytes of s.
func String(h uint64, s string) uint64 {
	for n := 0; n < len(s); n++ {
		h = (h ^ uint64(s[n])) * prime
	}
	return h
}
