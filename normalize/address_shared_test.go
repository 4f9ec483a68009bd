package normalize

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClearSharedAddresses(t *testing.T) {
	records := []Record{
		// A shelter's address: eight families.
		{Given: "Ana", Family: "Smith", Address: "10 Hope Way", Zip: "84601"},
		{Given: "Leo", Family: "Jones", Address: "10 Hope Way", Zip: "84601"},
		{Given: "Mia", Family: "Brown", Address: "10 Hope Way", Zip: "84601"},
		{Given: "Sam", Family: "Garcia", Address: "10 HOPE WAY", Zip: "84601"},
		{Given: "Eva", Family: "Nguyen", Address: "10 Hope Way", Zip: "84601"},
		{Given: "Kai", Family: "Olsen", Address: "10 Hope Way", Zip: "84601"},
		{Given: "Ida", Family: "Patel", Address: "10 Hope Way", Zip: "84601"},
		{Given: "Raj", Family: "Khan", Address: "10 Hope Way", Zip: "84601"},
		// The same street number and name in another town: one family's home.
		{Given: "Zoe", Family: "Lee", Address: "10 Hope Way", Zip: "84321"},
		{Given: "Max", Family: "Lee", Address: "10 Hope Way", Zip: "84321"},
		// One household under six spellings of three families' names: three words.
		{Given: "Ana", Family: "Garcia", Address: "5 Elm St", City: "Orem"},
		{Given: "Luis", Family: "García López", Address: "5 Elm Street", City: "Orem"},
		{Given: "Rosa", Family: "Lopez Garcia", Address: "5 Elm St", City: "Orem"},
		{Given: "Juan", Family: "Lopes", Address: "5 Elm St", City: "Orem"},
		{Given: "Pedro", Family: "Hernandez", Address: "5 Elm St", City: "Orem"},
		{Given: "Tomás", Family: "Lopez-Hernandez", Address: "5 Elm St", City: "Orem"},
		{Given: "Eli", Family: "Ruiz"}, // no address
	}
	tb := NewTable(len(records), 0)
	p := NewPreparer(Options{})
	for i, r := range records {
		p.Fill(tb, i, r)
	}
	got := ClearSharedAddresses(tb, MaxContactFamilyWords)
	want := []SharedContact{{Role: RoleAddress, Value: "10 hope way, 84601", Records: []int{0, 1, 2, 3, 4, 5, 6, 7}, Words: 8}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("shared (-want +got):\n%s", d)
	}
	for i := range records {
		if cleared := tb.Address[i].Empty(); cleared != (i < 8 || i == 16) {
			t.Errorf("record %d (%s %s): address cleared %v", i, records[i].Given, records[i].Family, cleared)
		}
	}
}
