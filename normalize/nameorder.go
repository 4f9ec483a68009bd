package normalize

import "strings"

// NameOrderCount tells from a column's full names whether they are written family name
// first without a comma (Williams Emma Rose) or given name first (Emma Rose Williams), by
// the given names the default nickname table knows: a name whose first word is one and
// whose last is not counts as given name first; a name whose first word is not one and
// whose second is, as family name first. Names with a comma (read family first anyway),
// of one word, or whose words the table does not tell apart count for nothing. The zero
// value is ready to use.
type NameOrderCount struct {
	GivenFirst, FamilyFirst int
}

// Add counts one full name.
func (c *NameOrderCount) Add(full string) {
	if strings.IndexByte(full, ',') >= 0 {
		return
	}
	words := dropTitles(strings.Fields(full))
	if len(words) < 2 {
		return
	}
	nick := sharedDefault()
	known := func(w string) bool { return len(nick.Groups(w)) > 0 }
	switch first := known(words[0]); {
	case first && !known(words[len(words)-1]):
		c.GivenFirst++
	case !first && known(words[1]):
		c.FamilyFirst++
	}
}

// Counted returns how many names counted either way.
func (c NameOrderCount) Counted() int { return c.GivenFirst + c.FamilyFirst }

// MinNameOrderNames is how many names must count family name first before a column is
// read so: fewer say nothing of a column's order.
const MinNameOrderNames = 10

// FamilyFirstOrder reports whether the names counted are written family name first: at
// least MinNameOrderNames so, and four times as many as given name first. The synthetic
// roll's names (the table knows 64% of its given names, 7% of its family names) written
// given name first count 1,651 given first and 217 family first (a given name the table
// lacks before a middle name it knows), and written family name first 42 and 1,577.
func (c NameOrderCount) FamilyFirstOrder() bool {
	return c.FamilyFirst >= MinNameOrderNames && c.FamilyFirst >= 4*c.GivenFirst
}
