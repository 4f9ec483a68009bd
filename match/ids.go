package match

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// IDChange reports a student whose records were split or merged since the run that
// produced the earlier IDs.
type IDChange struct {
	// Kind is "merged" (records that carried several earlier IDs now form one student)
	// or "split" (records that carried one earlier ID are now several students).
	Kind string
	// Earlier are the earlier student IDs involved, sorted.
	Earlier []string
	// Now are the student IDs the records carry after this run, sorted.
	Now []string
}

func (c IDChange) String() string {
	return fmt.Sprintf("%s: %s → %s", c.Kind, strings.Join(c.Earlier, ", "), strings.Join(c.Now, ", "))
}

// studentIDs gives each of the n clusters of a roll's records its student ID
// (assignStudentIDs), reading each record's earlier student ID from earlier: keyed by
// RecordRef.Key (under the source's name in the earlier run, renamedSources), or, where
// the earlier IDs name no sources, by the record ID alone when no other source uses the
// ID. found counts the records earlier gave an ID.
func studentIDs(roll *Roll, label []int32, n int, earlier map[string]string) (ids []string, changes []IDChange, found int, err error) {
	old := make([]string, roll.Len())
	lowest := make([]int32, n)
	for c := range lowest {
		lowest[c] = -1
	}
	listed := earlierSources(earlier)
	renamed := renamedSources(roll, listed)
	for i := range roll.Len() {
		if len(earlier) > 0 { // a million records' keys are not built to look up nothing
			id, ok, err := earlierID(roll, i, earlier, listed, renamed)
			if err != nil {
				return nil, nil, 0, err
			}
			old[i] = id
			if ok {
				found++
			}
		}
		if l := lowest[label[i]]; l < 0 || compareRefs(roll, int32(i), l) < 0 {
			lowest[label[i]] = int32(i)
		}
	}
	names := make([]string, n)
	for c, i := range lowest {
		names[c] = roll.IDs[i]
		if roll.SharedID(int(i)) {
			names[c] = roll.Ref(int(i)).Key()
		}
	}
	ids, changes = assignStudentIDs(old, label, names, earlier)
	return ids, changes, found, nil
}

// earlierID returns record i's student ID in earlier (see studentIDs), and whether it
// has one. Earlier IDs that name no sources (listed empty) find a record by its ID alone,
// unless other sources use the ID too, which is an error. Where they name sources, a
// record of a source they do not name gets none: another LEA numbers its students as this
// one does, and nothing in an ID file tells a renamed export from another LEA's file
// (RenameEarlierSource says it).
func earlierID(roll *Roll, i int, earlier map[string]string, listed map[string]bool, renamed map[string]string) (string, bool, error) {
	ref := roll.Ref(i)
	if id, ok := earlier[ref.Key()]; ok {
		return id, true, nil
	}
	if was, moved := renamed[ref.Source]; moved {
		if id, ok := earlier[RecordRef{Source: was, ID: ref.ID}.Key()]; ok {
			return id, true, nil
		}
	}
	if len(listed) > 0 {
		return "", false, nil
	}
	bare, has := earlier[ref.ID]
	switch {
	case has && !roll.SharedID(i):
		return bare, true, nil
	case has:
		return "", false, fmt.Errorf("match: the earlier IDs name record %q, which several sources use (%s): key it by source too (RecordRef.Key)",
			ref.ID, strings.Join(roll.sourcesOf(ref.ID), ", "))
	}
	return "", false, nil
}

// renamedSources maps a roll source to the name the earlier IDs (listing those sources)
// give it, where they name it otherwise (Roll.sourceNamed: the same file by another path, or moved). A roll source
// two earlier names would map to is left out: which of them it was is not known.
func renamedSources(roll *Roll, listed map[string]bool) map[string]string {
	out := map[string]string{}
	claimed := map[string]int{}
	for _, source := range slices.Sorted(maps.Keys(listed)) {
		if slices.Contains(roll.Sources, source) {
			continue
		}
		if s, ok := roll.sourceNamed(source); ok {
			out[roll.Sources[s]] = source
			claimed[roll.Sources[s]]++
		}
	}
	for src, n := range claimed {
		if n > 1 {
			delete(out, src)
		}
	}
	return out
}

// earlierSources lists the sources the earlier IDs name records of.
func earlierSources(earlier map[string]string) map[string]bool {
	out := map[string]bool{}
	for key := range earlier {
		if source, _, ok := strings.Cut(key, "\x00"); ok {
			out[source] = true
		}
	}
	return out
}

// compareRefs orders records by ID, then source name.
func compareRefs(roll *Roll, a, b int32) int {
	return cmp.Or(strings.Compare(roll.IDs[a], roll.IDs[b]), strings.Compare(roll.Sources[roll.Source[a]], roll.Sources[roll.Source[b]]))
}

// assignStudentIDs gives each cluster a student ID. A cluster keeps the earlier ID that
// most of its records carried, unless a cluster holding more of that ID's records claims
// it first (on a tie, a cluster whose claim no other cluster shares goes first); every other cluster gets a new ID derived from its lowest record's name, so
// the same input gives the same IDs whatever its order. earlier[r] is record r's student
// ID in an earlier run ("" if none); lowest[c] names cluster c's lowest record (its ID,
// with its source when another source uses the ID). No ID in issued (the earlier run's,
// records gone since included) is given to a new student.
func assignStudentIDs(earlier []string, label []int32, lowest []string, issued map[string]string) ([]string, []IDChange) {
	nc := len(lowest)
	ids := make([]string, nc)
	type claim struct {
		cluster int32
		id      string
		records int
	}
	counts := map[claim]int{}
	clustersOf := map[string][]int32{}              // earlier ID → clusters now holding its records
	idsIn := make([][]string, nc)                   // cluster → earlier IDs among its records
	used := make(map[string]bool, len(issued)/2+nc) // never reissue an earlier ID to a different student
	for _, old := range issued {
		used[old] = true
	}
	for r, old := range earlier {
		if old == "" {
			continue
		}
		c := label[r]
		k := claim{cluster: c, id: old}
		if counts[k] == 0 {
			clustersOf[old] = append(clustersOf[old], c)
			idsIn[c] = append(idsIn[c], old)
		}
		counts[k]++
	}
	claims := make([]claim, 0, len(counts))
	for k, n := range counts {
		k.records = n
		claims = append(claims, k)
	}
	// Stronger claims first: more records; then an ID no other cluster claims (where a
	// reviewer moved one record between two children, each keeps its own ID rather than
	// one taking the other's on a tie); then a larger share of the ID's records.
	total := map[string]int{}
	for _, k := range claims {
		total[k.id] += k.records
	}
	slices.SortFunc(claims, func(a, b claim) int {
		return cmp.Or(
			cmp.Compare(b.records, a.records),
			cmp.Compare(len(clustersOf[a.id]), len(clustersOf[b.id])),
			cmp.Compare(b.records*total[a.id], a.records*total[b.id]), // share: records/total
			strings.Compare(a.id, b.id),
			cmp.Compare(a.cluster, b.cluster),
		)
	})
	taken := map[string]bool{}
	for _, c := range claims {
		if ids[c.cluster] == "" && !taken[c.id] {
			ids[c.cluster] = c.id
			taken[c.id] = true
		}
	}
	for c := range ids {
		if ids[c] != "" {
			continue
		}
		id := newStudentID(lowest[c])
		for k := 2; used[id]; k++ {
			id = fmt.Sprintf("%s-%d", newStudentID(lowest[c]), k)
		}
		used[id] = true
		ids[c] = id
	}

	var changes []IDChange
	for c, olds := range idsIn {
		if len(olds) > 1 {
			changes = append(changes, IDChange{Kind: "merged", Earlier: sorted(olds), Now: []string{ids[c]}})
		}
	}
	for old, cs := range clustersOf {
		if len(cs) > 1 {
			now := make([]string, len(cs))
			for k, c := range cs {
				now[k] = ids[c]
			}
			changes = append(changes, IDChange{Kind: "split", Earlier: []string{old}, Now: sorted(now)})
		}
	}
	slices.SortFunc(changes, func(a, b IDChange) int {
		if c := strings.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		return slices.Compare(a.Earlier, b.Earlier)
	})
	return ids, changes
}

// newStudentID derives a student ID from the name of a cluster's lowest record.
func newStudentID(lowest string) string {
	sum := sha256.Sum256([]byte(lowest))
	return "S" + hex.EncodeToString(sum[:6])
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// RenameEarlierSource makes earlier IDs (ReadStudentIDs) that name source from name
// source to instead: a renamed or moved export (September's 2024-09/roll.csv is
// October's 2024-10/roll.csv), which nothing in the file tells from another LEA's. It
// returns how many records it renamed.
func RenameEarlierSource(earlier map[string]string, from, to string) int {
	var keys []string
	for key := range earlier {
		if source, _, ok := strings.Cut(key, "\x00"); ok && source == from {
			keys = append(keys, key)
		}
	}
	for _, key := range keys {
		_, rec, _ := strings.Cut(key, "\x00")
		id := earlier[key]
		delete(earlier, key)
		earlier[RecordRef{Source: to, ID: rec}.Key()] = id
	}
	return len(keys)
}
