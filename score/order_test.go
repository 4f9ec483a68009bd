package score

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/studentlink/studentlink/normalize"
)

func TestOrderLevels(t *testing.T) {
	tests := []struct {
		name string
		m, u []float64
		want []float64 // m after ordering
	}{
		{"ordered already", []float64{0, 0.8, 0.1, 0.1}, []float64{0, 0.01, 0.05, 0.94}, []float64{0, 0.8, 0.1, 0.1}},
		// The fuzzy level's ratio (0.3/0.001) beats exact's (0.5/0.01): the two pool at
		// (0.8)/(0.011) and keep their total m.
		{"a fuzzy level above exact", []float64{0, 0.5, 0.3, 0.2}, []float64{0, 0.01, 0.001, 0.989},
			[]float64{0, 0.8 * 0.01 / 0.011, 0.8 * 0.001 / 0.011, 0.2}},
		// The fuzzy level's ratio (0.01/0.5) is under else's (0.19/0.49): they pool.
		{"a fuzzy level below else", []float64{0, 0.8, 0.01, 0.19}, []float64{0, 0.01, 0.5, 0.49},
			[]float64{0, 0.8, 0.2 * 0.5 / 0.99, 0.2 * 0.49 / 0.99}},
		// Middles may stand in any order between exact and else.
		{"middles unordered among themselves", []float64{0, 0.7, 0.05, 0.2, 0.05}, []float64{0, 0.01, 0.01, 0.02, 0.96},
			[]float64{0, 0.7, 0.05, 0.2, 0.05}},
		// Exact must weigh at least else: pooled, m takes u's shape.
		{"two levels out of order", []float64{0, 0.5, 0.5}, []float64{0, 0.9, 0.1}, []float64{0, 0.9, 0.1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := append([]float64(nil), tt.m...)
			OrderLevels(m, tt.u)
			if d := cmp.Diff(tt.want, m, cmpopts.EquateApprox(0, 1e-12)); d != "" {
				t.Errorf("m (-want +got):\n%s", d)
			}
			if l := LevelsOrdered(m, tt.u); l != 0 {
				t.Errorf("level %d still out of order: m %v u %v", l, m, tt.u)
			}
		})
	}
}

// FuzzOrderLevels checks on any m and u that OrderLevels leaves the weights ordered,
// keeps m's total and makes no probability negative.
func FuzzOrderLevels(f *testing.F) {
	f.Add(uint64(1), uint8(5))
	f.Add(uint64(7), uint8(3))
	f.Fuzz(func(t *testing.T, seed uint64, n uint8) {
		levels := 3 + int(n)%12
		rng := rand.New(rand.NewPCG(seed, 3))
		m, u := make([]float64, levels), make([]float64, levels)
		var sm, su float64
		for l := 1; l < levels; l++ {
			m[l], u[l] = rng.Float64(), rng.Float64()
			if rng.IntN(8) == 0 {
				u[l] = 0 // a level never seen among strangers
			}
			sm, su = sm+m[l], su+u[l]
		}
		for l := 1; l < levels; l++ {
			m[l] /= sm
			if su > 0 {
				u[l] /= su
			}
		}
		total := 1.0
		OrderLevels(m, u)
		sum := 0.0
		for l := 1; l < levels; l++ {
			if m[l] < 0 || math.IsNaN(m[l]) {
				t.Fatalf("m[%d] = %v", l, m[l])
			}
			sum += m[l]
		}
		if math.Abs(sum-total) > 1e-9 {
			t.Fatalf("m sums to %v after ordering, was 1", sum)
		}
		if l := LevelsOrdered(m, u); l != 0 {
			t.Fatalf("level %d out of order: m %v u %v", l, m, u)
		}
	})
}

// TestTrainEMKeepsLevelsOrdered builds comparison vectors in which matches agree through
// the fuzzy level more often, relative to strangers, than through the exact level: EM
// left alone puts the fuzzy level's weight above exact's, and by default keeps it below.
func TestTrainEMKeepsLevelsOrdered(t *testing.T) {
	comps := []Comparison{Text(normalize.RoleCity, 0.9), Exact(normalize.RoleZip), Exact(normalize.RoleLEA)}
	key := func(l ...uint8) uint64 {
		var k uint64
		for c, v := range l {
			k |= uint64(v) << (4 * c)
		}
		return k
	}
	// Levels of the text comparison: 1 exact, 2 fuzzy, 3 else.
	counts := PatternCounts{
		key(1, 1, 1): 40, key(2, 1, 1): 60, // matches: fuzzy more than exact
		key(1, 2, 2): 400, key(2, 2, 2): 5, key(3, 2, 2): 20000, key(3, 1, 2): 300, key(3, 2, 1): 300,
	}
	start, err := NewModel(comps, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	free, _, err := TrainEM(context.Background(), counts, start, EMOptions{Unordered: true, MaxIterations: 200})
	if err != nil {
		t.Fatal(err)
	}
	if LevelsOrdered(free.M[0], free.U[0]) == 0 {
		t.Fatalf("the unconstrained fit is already ordered (m %v, u %v): the test shows nothing", free.M[0], free.U[0])
	}
	ordered, _, err := TrainEM(context.Background(), counts, start, EMOptions{MaxIterations: 200})
	if err != nil {
		t.Fatal(err)
	}
	for c := range comps {
		if l := LevelsOrdered(ordered.M[c], ordered.U[c]); l != 0 {
			t.Errorf("%s level %d out of order: m %v u %v", comps[c].Name, l, ordered.M[c], ordered.U[c])
		}
	}
}

func TestTrainEMFloor(t *testing.T) {
	comps := []Comparison{Exact(normalize.RoleSex), Exact(normalize.RoleZip), Exact(normalize.RoleLEA)}
	start, _ := NewModel(comps, 0.1)
	// The class that agrees on zip and LEA mostly disagrees on sex: EM alone puts sex's
	// exact m low.
	key := func(sex, zip, lea uint64) uint64 { return sex | zip<<4 | lea<<8 }
	counts := PatternCounts{key(1, 1, 1): 20, key(2, 1, 1): 80,
		key(1, 2, 2): 5000, key(2, 2, 2): 5000, key(1, 1, 2): 50, key(2, 1, 2): 50, key(1, 2, 1): 50, key(2, 2, 1): 50}
	m, rep, err := TrainEM(context.Background(), counts, start, EMOptions{MinExact: []float64{0.6, 0, 0}, MaxIterations: 200})
	if err != nil {
		t.Fatal(err)
	}
	if m.M[0][LevelExact] < 0.6-1e-12 {
		t.Errorf("sex exact m = %v, under its floor 0.6", m.M[0][LevelExact])
	}
	if !(rep.Bound[0] > 0 && rep.Bound[0] < 0.6) || rep.Bound[1] != 0 || rep.Bound[2] != 0 {
		t.Errorf("Bound = %v, want the unbounded m of sex only", rep.Bound)
	}
	if _, _, err := TrainEM(context.Background(), counts, start, EMOptions{MinExact: []float64{0.6}}); err == nil {
		t.Error("a MinExact of the wrong length gave no error")
	}
}

// TestTrainEMPseudocounts: on a handful of pairs, EM alone puts the u of a level only
// matches showed at ~0 (a weight of tens of bits); pseudo-pairs at the start model's u
// keep it near the start, and on many pairs they change nothing that matters.
func TestTrainEMPseudocounts(t *testing.T) {
	comps := []Comparison{Exact(normalize.RoleZip), Exact(normalize.RoleLEA), Exact(normalize.RoleSchool)}
	key := func(zip, lea, school uint64) uint64 { return zip | lea<<4 | school<<8 }
	start, _ := NewModel(comps, 0.1)
	for c := range comps {
		start.U[c] = []float64{0, 0.05, 0.95}
	}
	few := PatternCounts{key(1, 1, 1): 4, key(2, 2, 2): 40, key(2, 1, 2): 3, key(2, 2, 1): 3}
	alone, _, err := TrainEM(context.Background(), few, start, EMOptions{MaxIterations: 200})
	if err != nil {
		t.Fatal(err)
	}
	if alone.U[0][1] > 1e-3 {
		t.Fatalf("EM alone gives zip exact u %.3g: the test shows nothing", alone.U[0][1])
	}
	held, _, err := TrainEM(context.Background(), few, start, EMOptions{MaxIterations: 200, PseudoU: 1000, PseudoM: 20})
	if err != nil {
		t.Fatal(err)
	}
	if u := held.U[0][1]; u < 0.04 || u > 0.06 {
		t.Errorf("with pseudo-pairs, zip exact u %.3g, want near the start's 0.05", u)
	}
	many := PatternCounts{}
	for k, n := range few {
		many[k] = n * 100_000
	}
	plain, _, _ := TrainEM(context.Background(), many, start, EMOptions{MaxIterations: 200})
	shrunk, _, _ := TrainEM(context.Background(), many, start, EMOptions{MaxIterations: 200, PseudoU: 1000, PseudoM: 20})
	for c := range comps {
		for l := 1; l < 3; l++ {
			if d := math.Abs(plain.M[c][l] - shrunk.M[c][l]); d > 1e-3 {
				t.Errorf("%s level %d: m %.4g without pseudo-pairs, %.4g with", comps[c].Name, l, plain.M[c][l], shrunk.M[c][l])
			}
		}
	}
}
