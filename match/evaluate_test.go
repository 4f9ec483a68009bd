package match

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// bruteEvaluate counts pairs one by one: the definition Evaluate must agree with.
func bruteEvaluate(pred, truth []int, sources []int32) (predicted, trueP, tp int64) {
	for i := range pred {
		for j := i + 1; j < len(pred); j++ {
			if sources != nil && sources[i] == sources[j] {
				continue
			}
			p, t := pred[i] == pred[j], truth[i] == truth[j]
			if p {
				predicted++
			}
			if t {
				trueP++
			}
			if p && t {
				tp++
			}
		}
	}
	return
}

func TestEvaluateMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := rng.IntN(40)
		pred, truth := make([]int, n), make([]int, n)
		var sources []int32
		if trial%2 == 1 {
			sources = make([]int32, n)
		}
		for i := range n {
			pred[i], truth[i] = rng.IntN(8), rng.IntN(8)
			if sources != nil {
				sources[i] = int32(rng.IntN(3))
			}
		}
		e, err := Evaluate(pred, truth, sources)
		if err != nil {
			t.Fatal(err)
		}
		p, tr, tp := bruteEvaluate(pred, truth, sources)
		if e.PredictedPairs != p || e.TruePairs != tr || e.TruePositives != tp {
			t.Fatalf("trial %d: got predicted %d true %d tp %d, brute force %d %d %d",
				trial, e.PredictedPairs, e.TruePairs, e.TruePositives, p, tr, tp)
		}
	}
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name        string
		pred, truth []string
		sources     []int32
		want        Evaluation
	}{
		{
			name: "perfect", pred: []string{"a", "a", "b"}, truth: []string{"x", "x", "y"},
			want: Evaluation{Records: 3, TrueClusters: 2, PredictedClusters: 2, TruePairs: 1, PredictedPairs: 1,
				TruePositives: 1, Precision: 1, Recall: 1, F1: 1},
		},
		{
			name: "over-merged", pred: []string{"a", "a", "a"}, truth: []string{"x", "x", "y"},
			want: Evaluation{Records: 3, TrueClusters: 2, PredictedClusters: 1, TruePairs: 1, PredictedPairs: 3,
				TruePositives: 1, Precision: 1.0 / 3, Recall: 1, F1: 0.5},
		},
		{
			name: "nothing to find, nothing claimed", pred: []string{"a", "b"}, truth: []string{"x", "y"},
			want: Evaluation{Records: 2, TrueClusters: 2, PredictedClusters: 2, Precision: 1, Recall: 1, F1: 1},
		},
		{
			name: "link counts only cross-source pairs", pred: []string{"a", "a", "a"}, truth: []string{"x", "x", "x"},
			sources: []int32{0, 0, 1},
			want: Evaluation{Records: 3, TrueClusters: 1, PredictedClusters: 1, TruePairs: 2, PredictedPairs: 2,
				TruePositives: 2, Precision: 1, Recall: 1, F1: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Evaluate(tt.pred, tt.truth, tt.sources)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := Evaluate([]int{1}, []int{1, 2}, nil); err == nil {
		t.Error("Evaluate accepted label slices of different lengths")
	}
}

func TestSweep(t *testing.T) {
	s := NewSweep(1, 4) // four true pairs, one never a candidate
	other := NewSweep(1, 4)
	for _, p := range []struct {
		w float64
		t bool
	}{{10.2, true}, {9.5, true}, {9.1, false}, {3, true}, {-2, false}} {
		if p.w > 5 {
			s.Add(p.w, p.t)
		} else {
			other.Add(p.w, p.t)
		}
	}
	s.Merge(other)
	want := []SweepPoint{
		{Weight: 10, Pairs: 1, TruePositives: 1, Precision: 1, Recall: 0.25, F1: 0.4},
		{Weight: 9, Pairs: 3, TruePositives: 2, Precision: 2.0 / 3, Recall: 0.5, F1: 4.0 / 7},
		{Weight: 3, Pairs: 4, TruePositives: 3, Precision: 0.75, Recall: 0.75, F1: 0.75},
		{Weight: -2, Pairs: 5, TruePositives: 3, Precision: 0.6, Recall: 0.75, F1: 2 * 0.6 * 0.75 / 1.35},
	}
	if diff := cmp.Diff(want, s.Points(), cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("Points (-want +got):\n%s", diff)
	}
}
