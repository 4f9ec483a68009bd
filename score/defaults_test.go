package score

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/normalize"
)

// TestDefaultParameters: every built-in comparison's defaults are probabilities that sum
// to one and whose weights are ordered as the levels are.
func TestDefaultParameters(t *testing.T) {
	comps := append(StudentComparisons(), PersonComparisons()...)
	comps = append(comps, Text(normalize.RoleCity, 0.95, 0.9, 0.8), Location(0.95, 0.85), ID(normalize.RoleLocalID))
	for _, c := range comps {
		m, u := DefaultParameters(c)
		if len(m) != len(c.LevelNames()) || len(u) != len(m) {
			t.Fatalf("%s: %d m and %d u for %d levels", c.Name, len(m), len(u), len(c.LevelNames()))
		}
		for _, p := range [][]float64{m, u} {
			sum := 0.0
			for l := 1; l < len(p); l++ {
				if !(p[l] > 0 && p[l] < 1) {
					t.Errorf("%s level %s: %v is not a probability strictly between 0 and 1", c.Name, c.LevelNames()[l], p[l])
				}
				sum += p[l]
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Errorf("%s: sums to %v", c.Name, sum)
			}
		}
		if l := LevelsOrdered(m, u); l != 0 {
			t.Errorf("%s: default weight of %s out of order", c.Name, c.LevelNames()[l])
		}
	}
}

func TestCheckFit(t *testing.T) {
	comps := []Comparison{GivenName(), BirthDate(), Exact(normalize.RoleSex)}
	good, err := DefaultModel(comps, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if w := CheckFit(good); len(w) != 0 {
		t.Fatalf("the defaults draw warnings: %v", w)
	}
	tests := []struct {
		name  string
		spoil func(m *Model)
		want  []string // comparison and level of each warning, "" for the model
	}{
		{"a name that matches rarely", func(m *Model) {
			m.M[0] = []float64{0, 0.45, 0.004, 0.004, 0.004, 0.004, 0.004, 0.0003, 0.5297}
		}, []string{"given_name exact"}},
		{"a fuzzy level above exact", func(m *Model) {
			m.M[1] = []float64{0, 0.04, 0.002, 0.85, 0.01, 0.02, 0.02, 0.005, 0.053}
		}, []string{"birth_date one_digit"}},
		{"agreeing counts against", func(m *Model) {
			m.M[2] = []float64{0, 0.3, 0.7}
		}, []string{"sex else", "sex exact"}},
		{"a class that agrees no more than strangers", func(m *Model) {
			for c := range m.M {
				m.M[c] = append([]float64(nil), m.U[c]...)
			}
			m.M[0][LevelExact], m.M[0][len(m.M[0])-1] = 0.6, m.M[0][len(m.M[0])-1]+m.U[0][LevelExact]-0.6
			m.U[0] = append([]float64(nil), m.M[0]...)
		}, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := cloneModel(good)
			tt.spoil(&m)
			var got []string
			for _, w := range CheckFit(m) {
				got = append(got, strings.TrimSpace(w.Comparison+" "+w.Level))
				if w.Message == "" || !strings.Contains(w.String(), w.Message) {
					t.Errorf("warning %+v has no message", w)
				}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("warnings (-want +got):\n%s", d)
			}
		})
	}
}
