package normalize

import "testing"

func TestNameOrderCount(t *testing.T) {
	for _, tc := range []struct {
		name string
		want NameOrderCount
	}{
		{"Emma Williams", NameOrderCount{GivenFirst: 1}},
		{"Emma Rose Williams", NameOrderCount{GivenFirst: 1}},
		{"Williams Emma", NameOrderCount{FamilyFirst: 1}},
		{"Williams Emma Rose", NameOrderCount{FamilyFirst: 1}},
		{"Dr. Williams Emma", NameOrderCount{FamilyFirst: 1}}, // a title is no name
		{"Williams, Emma", NameOrderCount{}},                  // a comma says the order itself
		{"Emma", NameOrderCount{}},
		{"Emma Rose", NameOrderCount{}},   // both given names: no order to tell
		{"Nguyen Thao", NameOrderCount{}}, // neither known
		{"", NameOrderCount{}},
	} {
		var c NameOrderCount
		if c.Add(tc.name); c != tc.want {
			t.Errorf("Add(%q): %+v, want %+v", tc.name, c, tc.want)
		}
	}
	for _, tc := range []struct {
		c    NameOrderCount
		want bool
	}{
		{NameOrderCount{FamilyFirst: 10}, true},
		{NameOrderCount{FamilyFirst: 40, GivenFirst: 10}, true},
		{NameOrderCount{FamilyFirst: 39, GivenFirst: 10}, false},
		{NameOrderCount{FamilyFirst: 9}, false},
		{NameOrderCount{GivenFirst: 100}, false},
	} {
		if got := tc.c.FamilyFirstOrder(); got != tc.want {
			t.Errorf("%+v.FamilyFirstOrder() = %v, want %v", tc.c, got, tc.want)
		}
	}
}
