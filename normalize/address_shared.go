package normalize

import (
	"errors"
	"hash/maphash"
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
	// Addresses are told apart by a hash of their value, written field by field, so
	// that a million records build no string; the few over the bound are looked at again
	// by value.
	seed := maphash.MakeSeed()
	hash := func(i int) uint64 {
		var h maphash.Hash
		h.SetSeed(seed)
		h.WriteString(t.Address[i].Key)
		h.WriteByte(0)
		if z := t.Zip[i]; z != "" {
			h.WriteString(z)
		} else {
			h.WriteByte(1)
			h.WriteString(t.City[i].Key)
		}
		return h.Sum64()
	}
	hashes := make([]uint64, len(t.Address))
	words := make(map[uint64]int, len(t.Address)/2) // a home's records are one to a few
	for i := range t.Address {
		if !t.Address[i].Empty() {
			hashes[i] = hash(i)
			words[hashes[i]] += len(t.Family[i].Tokens)
		}
	}
	over := map[string][]int{}
	for i := range t.Address {
		if !t.Address[i].Empty() && words[hashes[i]] > maxWords {
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
