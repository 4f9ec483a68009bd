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

// DefaultNicknames returns a new copy of the embedded table (over 500 English and Spanish
// groups), which the caller may extend with Add.
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
// not modify the result.
func (n *Nicknames) Groups(name string) []uint32 { return n.groupsOfFolded(Fold(name)) }

func (n *Nicknames) groupsOfFolded(folded string) []uint32 { return n.byName[folded] }

// Names returns the names of a group as they were added, or nil for an unknown id.
func (n *Nicknames) Names(group uint32) []string {
	if int(group) >= len(n.display) {
		return nil
	}
	return slices.Clone(n.display[group])
}

// Related reports whether two names share a group.
func (n *Nicknames) Related(a, b string) bool {
	return SameNicknameGroup(n.Groups(a), n.Groups(b))
}
