package match

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/score"
)

// TestRankIsQueryUnexplained: Rank places every held-out record as Query does, with
// the same candidates, weights and outcome, and no explanations.
func TestRankIsQueryUnexplained(t *testing.T) {
	f := sampleIndexFixture(t)
	x, err := f.linker.NewIndex(f.res)
	if err != nil {
		t.Fatal(err)
	}
	checked, withCandidates := 0, 0
	for _, h := range append(append([]heldOut{}, f.again...), f.absent...) {
		want, err := x.Query(h.rec, 10)
		if err != nil {
			t.Fatal(err)
		}
		got, err := x.Rank(h.rec, 10)
		if err != nil {
			t.Fatal(err)
		}
		for k := range want.Candidates {
			want.Candidates[k].Explanation = score.Explanation{}
		}
		want.Best.Explanation = score.Explanation{}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(Candidate{})); diff != "" {
			t.Fatalf("%s: Rank differs from Query (-Query +Rank):\n%s", h.id, diff)
		}
		checked++
		if len(got.Candidates) > 0 {
			withCandidates++
		}
	}
	if checked == 0 || withCandidates == 0 {
		t.Fatalf("%d records checked, %d with candidates: the fixture gave nothing to compare", checked, withCandidates)
	}
}
