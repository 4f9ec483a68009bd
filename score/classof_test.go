package score

import (
	"testing"

	"github.com/studentlink/studentlink/normalize"
)

// TestClassOfCountsWhereABirthDateIsMissing: two records' classes (grade and entry date)
// count only where a birth date is missing on either, since a class is a birth year told
// another way; a grade that gives none (preschool) is null.
func TestClassOfCountsWhereABirthDateIsMissing(t *testing.T) {
	recs := []normalize.Record{
		{Given: "Ana", Family: "Lopez", BirthDate: "2011-05-01", Grade: "5", EntryDate: "2022-08-20"}, // class of 2030
		{Given: "Ana", Family: "Lopez", Grade: "03", EntryDate: "2020-08-20"},                         // 2030
		{Given: "Ana", Family: "Lopez", Grade: "5", EntryDate: "2020-08-20"},                          // 2028
		{Given: "Ana", Family: "Lopez", BirthDate: "2011-05-01", Grade: "2", EntryDate: "2019-09-03"}, // 2030
		{Given: "Ana", Family: "Lopez", Grade: "PK", EntryDate: "2015-08-20"},                         // none
		{Given: "Ana", Family: "Lopez", Grade: "K", EntryDate: "2018-01-08"},                          // 2030: January is the school year of 2018
	}
	tb := sketchTable(recs)
	comps := []Comparison{GivenName(), FamilyName(), BirthDate(), ClassOf()}
	m, err := NewModel(comps, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Scorer(tb, tb)
	if err != nil {
		t.Fatal(err)
	}
	const c = 3 // class_of's index
	tests := []struct {
		i, j     int
		raw, got string // the level the classes reach; the level that counts
	}{
		{0, 1, "exact", "exact"},
		{0, 2, "else", "else"},
		{0, 3, "exact", "null"}, // both birth dates there: they say it
		{1, 2, "else", "else"},
		{0, 4, "null", "null"},
		{1, 5, "exact", "exact"},
		{2, 5, "else", "else"},
	}
	names := comps[c].LevelNames()
	for _, tt := range tests {
		raw, key := s.RawKey(tt.i, tt.j), s.Key(tt.i, tt.j)
		if r, g := names[LevelOf(raw, c)], names[LevelOf(key, c)]; r != tt.raw || g != tt.got {
			t.Errorf("records %d and %d: class_of %s counted as %s, want %s counted as %s", tt.i, tt.j, r, g, tt.raw, tt.got)
		}
	}
	checkSketch(t, comps, tb, tb, allPairs(tb.Len()))
}

// TestClassOfWithoutBirthDates: in a roll without birth dates (the comparison dropped),
// the class counts on every pair.
func TestClassOfWithoutBirthDates(t *testing.T) {
	tb := sketchTable([]normalize.Record{
		{Given: "Ana", Family: "Lopez", Grade: "5", EntryDate: "2022-08-20"},
		{Given: "Ana", Family: "Lopez", Grade: "4", EntryDate: "2021-08-20"},
	})
	m, err := NewModel([]Comparison{GivenName(), FamilyName(), ClassOf()}, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Scorer(tb, tb)
	if err != nil {
		t.Fatal(err)
	}
	if l := LevelOf(s.Key(0, 1), 2); l != LevelExact {
		t.Errorf("class_of level %d, want exact", l)
	}
}
