package match

import (
	"fmt"

	"github.com/studentlink/studentlink/normalize"
)

// ReversedNameFactor is how many times as many records must write a record's given name
// as a family name, and its family name as a given name, for Prepare to read the two
// reversed; each must be written in the field it moves to on at least
// UsualNameFamilies records. A name common in both fields (Thomas, James) is never far
// commoner in one, so a record written "Thomas James" stays as it is.
const ReversedNameFactor = 2

// reverseNames swaps, in t, the given and family names of every record whose given
// name the roll writes as a family name and whose family name it writes as a given name,
// each on ReversedNameFactor times as many records or more, and returns those records.
// "Davis Liam" beside a roll's Davis families and Liams is Liam Davis: read as written,
// two such records of twins agree on a family name as a given name and differ on their
// given names as family names, which no twins rule reads, and one child's reversed
// record compared with its others leaves EM a class whose names disagree. Records with
// the same two names are read alike, so one child's records written the same way stay
// alike. Records are counted, not families (countNamesInUse): where many records are
// reversed, a common given name is written beside nearly every family in both fields,
// but on far more records in its own.
func reverseNames(t *normalize.Table) []int {
	asGiven, asFamily := make(map[string]int32), make(map[string]int32)
	for i, g := range t.Given {
		asGiven[g.Key]++
		asFamily[t.Family[i].Key]++
	}
	// readsAs reports whether the roll writes name in the other field, on more records
	// than ReversedNameFactor times its own field's.
	readsAs := func(name string, own, other map[string]int32) bool {
		n := other[name]
		return len(name) > 1 && n >= UsualNameFamilies && n >= ReversedNameFactor*own[name]
	}
	var out []int
	for i, g := range t.Given {
		if f := t.Family[i]; readsAs(g.Key, asGiven, asFamily) && readsAs(f.Key, asFamily, asGiven) {
			t.Given[i], t.Family[i] = f, g
			out = append(out, i)
		}
	}
	return out
}

// reversedError is the error reported for a record reverseNames read reversed.
func reversedError(t *normalize.Table, i int) error {
	return fmt.Errorf("%w: the roll writes %s as a family name and %s as a given name, each on %d times as many records or more", normalize.ErrNamesReversed,
		t.Family[i].Key, t.Given[i].Key, ReversedNameFactor)
}
