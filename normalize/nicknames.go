package normalize

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
)

//go:embed nicknames.txt
var nicknameData string

// Nicknames holds groups of given names that people use for one another: William, Bill,
// Billy, Will and Liam; José and Pepe. A name may be in several groups (Al is Albert's,
// Alan's and Alfred's). Lookup folds case and accents. Reads are safe from many
// goroutines; Add must not run concurrently with anything else.
type Nicknames struct {
	groups  [][]string          // group id → folded names
	byName  map[string][]uint32 // folded name → sorted group ids
	display [][]string          // group id → names as given
}

// NewNicknames returns an empty table.
func NewNicknames() *Nicknames { return &Nicknames{byName: map[string][]uint32{}} }

var (
	defaultOnce sync.Once
	defaultNick *Nicknames
)

// DefaultNicknames returns a new copy of the embedded table (over 600 groups: English,
// Spanish, and romanized Arabic and Russian names), which the caller may extend with Add.
func DefaultNicknames() *Nicknames {
	n := NewNicknames()
	for _, line := range strings.Split(nicknameData, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if names := strings.Fields(line); len(names) > 1 {
			n.Add(names...)
		}
	}
	return n
}

// sharedDefault is the default table shared, read-only, by Preparers without a table.
func sharedDefault() *Nicknames {
	defaultOnce.Do(func() { defaultNick = DefaultNicknames() })
	return defaultNick
}

// Add adds a group of names that stand for one another and returns its id. Names that
// fold to nothing are ignored; duplicates within the group count once.
func (n *Nicknames) Add(names ...string) uint32 {
	id := uint32(len(n.groups))
	var folded, shown []string
	for _, name := range names {
		f := Fold(name)
		if f == "" || slices.Contains(folded, f) {
			continue
		}
		folded = append(folded, f)
		shown = append(shown, name)
		n.byName[f] = append(n.byName[f], id) // ids grow, so the list stays sorted
	}
	n.groups = append(n.groups, folded)
	n.display = append(n.display, shown)
	return id
}

// Len returns the number of groups.
func (n *Nicknames) Len() int { return len(n.groups) }

// Groups returns the sorted ids of the groups a name belongs to, or nil. The caller must
// not modify the result. A name the table lacks that ends in -ie, -y or -ey after a
// consonant is looked up by its other spellings of that ending, the first the table has:
// Robby as Robbie, Tommie as Tommy, Kimberley as Kimberly. Spellings the table lists are
// never redirected, so groups that tell Bobby (Robert) from Bobbie (Roberta) keep them
// apart.
func (n *Nicknames) Groups(name string) []uint32 { return n.groupsOfFolded(Fold(name)) }

func (n *Nicknames) groupsOfFolded(folded string) []uint32 {
	if ids, ok := n.byName[folded]; ok {
		return ids
	}
	stem, ending := diminutiveEnding(folded)
	if ending == "" {
		return nil
	}
	var buf [64]byte
	for _, other := range diminutiveEndings {
		if other == ending || len(stem)+len(other) > len(buf) {
			continue
		}
		spelled := append(append(buf[:0], stem...), other...)
		if ids, ok := n.byName[string(spelled)]; ok {
			return ids
		}
	}
	return nil
}

// diminutiveEndings are the spellings of one diminutive ending, in the order they are
// tried.
var diminutiveEndings = [...]string{"ie", "y", "ey"}

// diminutiveEnding splits a folded name into a stem and a diminutive ending, or returns
// "" for the ending when the name has none: the stem must be two letters or more and end
// in a consonant (Joey and Ray are not split).
func diminutiveEnding(folded string) (stem, ending string) {
	for _, e := range [...]string{"ie", "ey", "y"} {
		s, ok := strings.CutSuffix(folded, e)
		if ok && len(s) >= 2 && !strings.ContainsRune("aeiouy", rune(s[len(s)-1])) && s[len(s)-1] < 0x80 {
			return s, e
		}
	}
	return "", ""
}

// Names returns the names of a group as they were added, abbreviations left out
// (isAbbreviation), or nil for an unknown id.
func (n *Nicknames) Names(group uint32) []string {
	if int(group) >= len(n.display) {
		return nil
	}
	return slices.DeleteFunc(slices.Clone(n.display[group]), isAbbreviation)
}

// isAbbreviation reports whether a name of a group is an abbreviation records write for
// it (Fco., Wm.), which the group matches but nobody goes by.
func isAbbreviation(name string) bool { return strings.HasSuffix(name, ".") }

// Related reports whether two names share a group.
func (n *Nicknames) Related(a, b string) bool {
	return SameNicknameGroup(n.Groups(a), n.Groups(b))
}
