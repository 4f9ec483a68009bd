package match

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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

// assignStudentIDs gives each cluster a student ID. A cluster keeps the earlier ID that
// most of its records carried, unless a cluster holding more of that ID's records claims
// it first; every other cluster gets a new ID derived from its lowest record ID, so the
// same input gives the same IDs whatever its order. lowest[c] is cluster c's lowest record
// ID; earlier maps record IDs to the student IDs of an earlier run (nil if none).
func assignStudentIDs(recordIDs []string, label []int32, lowest []string, earlier map[string]string) ([]string, []IDChange) {
	nc := len(lowest)
	ids := make([]string, nc)
	type claim struct {
		cluster int32
		id      string
		records int
	}
	counts := map[claim]int{}
	clustersOf := map[string][]int32{} // earlier ID → clusters now holding its records
	idsIn := make([][]string, nc)      // cluster → earlier IDs among its records
	for r, rid := range recordIDs {
		old, ok := earlier[rid]
		if !ok || old == "" {
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
	slices.SortFunc(claims, func(a, b claim) int {
		if a.records != b.records {
			return b.records - a.records
		}
		if c := strings.Compare(a.id, b.id); c != 0 {
			return c
		}
		return int(a.cluster - b.cluster)
	})
	used := make(map[string]bool, len(earlier)/2+nc)
	for _, old := range earlier {
		used[old] = true // never reissue an earlier ID to a different student
	}
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

// newStudentID derives a student ID from a cluster's lowest record ID.
func newStudentID(lowestRecordID string) string {
	sum := sha256.Sum256([]byte(lowestRecordID))
	return "S" + hex.EncodeToString(sum[:6])
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
