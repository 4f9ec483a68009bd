package normalize

import (
	"errors"
	"math/bits"

	"github.com/studentlink/studentlink/internal/fnv1a"
)

// ErrSharedAddress is wrapped by the error for an address ClearSharedAddresses cleared.
var ErrSharedAddress = errors.New("an address of no one household")

// SharedAddressValue is record i's address as ClearSharedAddresses tells addresses
// apart and reports them: the address, folded, and its zip code, or its city where the
// zip is missing (one street number and name recurs from town to town); "" when the
// record has no address.
func SharedAddressValue(t *Table, i int) string {
	a := t.Address[i]
	if a.Empty() {
		return ""
	}
	if z := t.Zip[i]; z != "" {
		return a.Folded + ", " + z
	}
	return a.Folded + ", " + t.City[i].Folded
}

// ClearSharedAddresses clears, in t, every address (SharedAddressValue) whose records'
// family names hold more than maxWords words (nameWords), and returns them, as
// ClearSharedContacts does for a household's phone number: a home tells its records from
// other households', and one that many families carry (a shelter's, a school's written
// for its students, a building's without its unit numbers) tells nothing, while agreeing
// on it weighs as a home's and joins the namesakes living there.
func ClearSharedAddresses(t *Table, maxWords int) []SharedContact {
	// Addresses are told apart by a hash of their value (FNV-1a over its fields), so
	// that a million records build no string; the few over the bound are looked at again
	// by value.
	hash := func(i int) uint64 {
		place := t.Zip[i]
		if place == "" {
			place = t.City[i].Key
		}
		// A byte no UTF-8 text holds ends each field: ("ab", "c") and ("a", "bc") hash
		// apart.
		return fnv1a.Byte(fnv1a.String(fnv1a.Byte(fnv1a.String(fnv1a.Offset, t.Address[i].Key), 0xff), place), 0xff)
	}
	// The words of each hash's bucket (a table twice the records' size: a bucket holds
	// half a home's records on average, two homes' at times), then the records of the
	// buckets over the bound, by value: a home of one family shares its bucket with
	// another seldom, and the values tell them apart where it does.
	size := 1 << bits.Len(uint(2*len(t.Address)))
	words := make([]int32, size)
	bucket := make([]int32, len(t.Address)) // record i's bucket, plus one; 0: no address
	for i := range t.Address {
		if !t.Address[i].Empty() {
			b := int32(hash(i) & uint64(size-1))
			bucket[i] = b + 1
			words[b] += int32(len(t.Family[i].Tokens))
		}
	}
	over := map[string][]int{}
	for i, b := range bucket {
		if b > 0 && words[b-1] > int32(maxWords) {
			v := SharedAddressValue(t, i)
			over[v] = append(over[v], i)
		}
	}
	shared := manyNames(t, RoleAddress, over, false, maxWords)
	for _, s := range shared {
		for _, i := range s.Records {
			t.Address[i] = Text{}
		}
	}
	return shared
}
