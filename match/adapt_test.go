package match

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPresentConditions(t *testing.T) {
	given := Condition{Comparison: "given_name", Levels: []string{"else"}}
	givenOrNull := Condition{Comparison: "given_name", Levels: []string{"null", "else"}}
	swap := Condition{Comparison: "name_swap", Levels: []string{"null", "else"}}
	tests := []struct {
		name      string
		conds     []Condition
		present   []string
		want      []Condition
		wantEvery bool
	}{
		{"all present", []Condition{given, swap}, []string{"given_name", "name_swap"}, []Condition{given, swap}, false},
		{"an absent one admitting null holds", []Condition{given, swap}, []string{"given_name"}, []Condition{given}, false},
		{"an absent one not admitting null never holds", []Condition{given, swap}, []string{"name_swap"}, nil, false},
		{"every one absent and admitting null", []Condition{givenOrNull, swap}, nil, nil, true},
	}
	for _, tc := range tests {
		got, every := presentConditions(tc.conds, func(name string) bool { return slices.Contains(tc.present, name) })
		if d := cmp.Diff(tc.want, got); d != "" || every != tc.wantEvery {
			t.Errorf("%s: every %v, want %v; conditions (-want +got):\n%s", tc.name, every, tc.wantEvery, d)
		}
	}
}
