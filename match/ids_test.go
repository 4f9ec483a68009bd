package match

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAssignStudentIDs(t *testing.T) {
	records := []string{"r1", "r2", "r3", "r4", "r5", "r6"}
	tests := []struct {
		name    string
		label   []int32
		earlier map[string]string
		want    []string
		changes []IDChange
	}{
		{
			name:  "no earlier run: IDs from each cluster's lowest record",
			label: []int32{0, 0, 1, 1, 2, 2},
			want:  []string{newStudentID("r1"), newStudentID("r3"), newStudentID("r5")},
		},
		{
			name:    "same clusters keep their IDs",
			label:   []int32{0, 0, 1, 1, 2, 2},
			earlier: map[string]string{"r1": "A", "r2": "A", "r3": "B", "r4": "B", "r5": "C", "r6": "C"},
			want:    []string{"A", "B", "C"},
		},
		{
			name:    "a new record joins an existing student",
			label:   []int32{0, 0, 0, 1, 1, 2},
			earlier: map[string]string{"r1": "A", "r2": "A", "r4": "B", "r5": "B"},
			want:    []string{"A", "B", newStudentID("r6")},
		},
		{
			name:    "split: the larger part keeps the ID",
			label:   []int32{0, 1, 1, 2, 2, 2},
			earlier: map[string]string{"r1": "A", "r2": "A", "r3": "A", "r4": "B", "r5": "B", "r6": "B"},
			want:    []string{newStudentID("r1"), "A", "B"},
			changes: []IDChange{{Kind: "split", Earlier: []string{"A"}, Now: sortedPair("A", newStudentID("r1"))}},
		},
		{
			// Emma (r1) and a record without a given name (r2) were one student, A; her
			// twin Olivia (r3) was B. A reviewer moved r2 to Olivia: Olivia keeps B, which
			// no other cluster claims, and Emma keeps A (the tie once gave A to Olivia's
			// cluster, the lower, and Emma a new ID).
			name:    "a record moved between two students: each keeps its ID",
			label:   []int32{1, 0, 0},
			earlier: map[string]string{"r1": "A", "r2": "A", "r3": "B"},
			want:    []string{"B", "A"},
			changes: []IDChange{
				{Kind: "merged", Earlier: []string{"A", "B"}, Now: []string{"B"}},
				{Kind: "split", Earlier: []string{"A"}, Now: []string{"A", "B"}},
			},
		},
		{
			name:    "merge: the ID with more records survives",
			label:   []int32{0, 0, 0, 1, 1, 1},
			earlier: map[string]string{"r1": "A", "r2": "B", "r3": "B", "r4": "C", "r5": "C", "r6": "C"},
			want:    []string{"B", "C"},
			changes: []IDChange{{Kind: "merged", Earlier: []string{"A", "B"}, Now: []string{"B"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lowest := lowestPerCluster(records, tt.label)
			got, changes := assignStudentIDs(earlierOf(records, tt.earlier), tt.label, lowest, tt.earlier)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("IDs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.changes, changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewStudentIDNeverReusesEarlier(t *testing.T) {
	// An earlier student's ID happens to equal the derived one: the new cluster must not
	// take it.
	records := []string{"r1", "r2"}
	earlier := map[string]string{"r2": newStudentID("r1")}
	got, _ := assignStudentIDs(earlierOf(records, earlier), []int32{0, 1}, []string{"r1", "r2"}, earlier)
	if got[1] != newStudentID("r1") || got[0] == got[1] {
		t.Errorf("IDs = %v: the earlier ID must stay with r2 and r1 needs another", got)
	}
}

// earlierOf lists each record's earlier student ID.
func earlierOf(records []string, earlier map[string]string) []string {
	out := make([]string, len(records))
	for r, id := range records {
		out[r] = earlier[id]
	}
	return out
}

func sortedPair(a, b string) []string {
	if a > b {
		a, b = b, a
	}
	return []string{a, b}
}

func lowestPerCluster(ids []string, label []int32) []string {
	var out []string
	for r, l := range label {
		for int(l) >= len(out) {
			out = append(out, "")
		}
		if out[l] == "" || ids[r] < out[l] {
			out[l] = ids[r]
		}
	}
	return out
}
