package match_test

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/match"
	"github.com/studentlink/studentlink/normalize"
)

// TestRowReaderAsRoll: a row given to a RowReader is the record a Roll of the same
// settings reads from that row written as CSV.
func TestRowReaderAsRoll(t *testing.T) {
	settings := match.Settings{IDColumn: "id", Columns: []match.Column{
		{Name: "first", Role: normalize.RoleGiven},
		{Name: "last", Role: normalize.RoleFamily},
		{Name: "num", Role: normalize.RoleAddress, Optional: true},
		{Name: "street", Role: normalize.RoleAddress, Optional: true},
		{Name: "aka", Role: normalize.RoleOtherNames, Optional: true},
		{Name: "state", Role: normalize.ExtraRole("state"), Optional: true},
	}}
	// Columns by exact name, by name with case aside, by a district's name ("DOB" is not
	// mapped here: ignored), in another order than the settings'.
	header := []string{"ID", "Last", "first", "street", "num", "aka", "state", "DOB"}
	rows := [][]string{
		{"a1", "Garcia ", "José", "Main St", "12", "Pepe; Joe | ", "UT", "2010-01-02"},
		{"a2", " Nguyen", "", "Elm, \"North\"", "", "", "", ""},
		{"a3", "O'Brien\t", "Ann\nMarie", "", "7", "", " NV ", "x"},
	}
	rr, err := settings.NewRowReader(header)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	cw := csv.NewWriter(&b)
	cw.Write(header)
	cw.WriteAll(rows)
	roll, err := settings.NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	if err := roll.ReadCSV("rows.csv", strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
	for i, row := range rows {
		got, err := rr.Record(row)
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if diff := cmp.Diff(roll.Record(i), got); diff != "" {
			t.Errorf("row %d: RowReader and Roll differ (-roll +rows):\n%s", i, diff)
		}
	}
	if row := rows[0]; row[1] != "Garcia " {
		t.Errorf("Record trimmed the caller's row in place: %q", row[1])
	}
}

// TestRowReaderRefuses: what Roll.Read refuses in a CSV, a RowReader refuses too.
func TestRowReaderRefuses(t *testing.T) {
	settings := match.Settings{IDColumn: "id", Columns: []match.Column{
		{Name: "first", Role: normalize.RoleGiven},
		{Name: "last", Role: normalize.RoleFamily, Optional: true},
	}}
	if _, err := settings.NewRowReader([]string{"id", "last"}); err == nil || !strings.Contains(err.Error(), `required column "first"`) {
		t.Errorf("a header without a required column: %v", err)
	}
	rr, err := settings.NewRowReader([]string{"id", "first", "last"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		row  []string
		want string
	}{
		{[]string{"a1", "Ann"}, "2 fields, want 3"},
		{[]string{" ", "Ann", "Lee"}, `column "id": empty record ID`},
		{[]string{"a1", "An\xffn", "Lee"}, `column "first": value is not valid UTF-8`},
	} {
		if _, err := rr.Record(c.row); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one saying %q", c.row, err, c.want)
		}
	}
}
