package block

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/normalize"
)

// TestChainIdentical: copies of one row chain together; a row that differs only in the
// class its grade and entry date give (no birth date to say it) is another child's.
func TestChainIdentical(t *testing.T) {
	maya := normalize.Record{Given: "Maya", Family: "Okafor", Sex: "F", City: "Provo", Grade: "3", EntryDate: "2020-08-20"}
	older := maya
	older.Grade = "5"
	recs := []normalize.Record{maya, older, maya, maya}
	tb := normalize.NewTable(len(recs), 0)
	p := normalize.NewPreparer(normalize.Options{})
	for i, r := range recs {
		p.Fill(tb, i, r)
	}
	pairs, reps := chainIdentical(tb, []int32{3, 1, 2, 0})
	if d := cmp.Diff([][2]int32{{0, 2}, {2, 3}}, pairs); d != "" {
		t.Errorf("pairs (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]int32{1, 0}, reps); d != "" { // sorted as compareIdentity orders them: the class of 2028 first
		t.Errorf("one record of each group (-want +got):\n%s", d)
	}
}
