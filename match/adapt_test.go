package match

import (
	"errors"
	"slices"
	"strings"
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

// TestNoNamesRefused: a roll whose records have no given or family name (its name
// columns under headers no alias knows) is refused with ErrNoNames, not linked on birth
// dates and homes, where twins and a parent and child at one address would merge; a
// roll without records still runs.
func TestNoNamesRefused(t *testing.T) {
	const roll = "record_id,birth_date,sex,ssid,address,zip\n" +
		"a1,2011-06-24,F,4839201756,14 River Rd,02139\n" +
		"a2,2011-06-24,F,4839201757,14 River Rd,02139\n"
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	r, err := l.Settings().NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read("t.csv", strings.NewReader(roll), ReadOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Run(bgContext(), r, RunOptions{}); !errors.Is(err, ErrNoNames) || !strings.Contains(err.Error(), "name the file's name columns") {
		t.Errorf("Run on a roll without names: %v, want ErrNoNames asking for the name columns", err)
	}
	// Name columns the roll has, blank in every record: the error says so, not that
	// they need naming.
	blank, err := l.Settings().NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := blank.Read("b.csv", strings.NewReader("record_id,first_name,last_name,birth_date\nb1, , ,2011-06-24\nb2,,,2011-06-24\n"), ReadOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = l.Run(bgContext(), blank, RunOptions{})
	if want := "the name columns (first_name in b.csv, last_name in b.csv) are empty in every record"; !errors.Is(err, ErrNoNames) || !strings.Contains(err.Error(), want) {
		t.Errorf("Run on a roll with blank name columns: %v, want ErrNoNames saying %q", err, want)
	}
	empty, err := l.Settings().NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := empty.Read("e.csv", strings.NewReader("record_id,first_name,last_name\n"), ReadOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Run(bgContext(), empty, RunOptions{}); err != nil {
		t.Errorf("Run on a roll without records: %v", err)
	}
}
