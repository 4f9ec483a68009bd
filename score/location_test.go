package score

import (
	"testing"

	"github.com/studentlink/studentlink/normalize"
)

// TestLocationLevels: a similar address is one house with a typo in its street, not a
// neighbour's: "6 Elm St" and "9 Elm St" share a zip, no more.
func TestLocationLevels(t *testing.T) {
	tests := []struct {
		a, b normalize.Record
		want string
	}{
		{normalize.Record{Address: "12 Oak St", Zip: "84601"}, normalize.Record{Address: "12 Oak Street", Zip: "84601"}, "address"},
		{normalize.Record{Address: "12 Oak St", Zip: "84601"}, normalize.Record{Address: "12 Oak Stret", Zip: "84601"}, "address_jaro_winkler>=0.9"},
		{normalize.Record{Address: "6 Elm St", Zip: "84321"}, normalize.Record{Address: "9 Elm St", Zip: "84321"}, "zip"},
		{normalize.Record{Address: "6 Elm St", City: "Logan"}, normalize.Record{Address: "9 Elm St", City: "Logan"}, "city"},
		{normalize.Record{Address: "6 Elm St"}, normalize.Record{Address: "9 Elm St"}, "else"},
		{normalize.Record{Address: "Elm St", Zip: "84321"}, normalize.Record{Address: "9 Elm St", Zip: "84321"}, "address_jaro_winkler>=0.9"}, // no number on one side
	}
	loc := Location(0.9)
	for _, tt := range tests {
		tb := sketchTable([]normalize.Record{tt.a, tt.b})
		checkSketch(t, []Comparison{loc}, tb, tb, [][2]int{{0, 1}})
		m, err := NewModel([]Comparison{loc}, 0.1)
		if err != nil {
			t.Fatal(err)
		}
		s, err := m.Scorer(tb, tb)
		if err != nil {
			t.Fatal(err)
		}
		if got := loc.LevelNames()[LevelOf(s.Key(0, 1), 0)]; got != tt.want {
			t.Errorf("%q / %q: %s, want %s", tt.a.Address, tt.b.Address, got, tt.want)
		}
	}
}
