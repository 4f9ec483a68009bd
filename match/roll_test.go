package match

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/normalize"
)

func testColumns() []Column {
	return []Column{
		{Name: "first", Role: normalize.RoleGiven},
		{Name: "last", Role: normalize.RoleFamily},
		{Name: "num", Role: normalize.RoleAddress, Optional: true},
		{Name: "street", Role: normalize.RoleAddress, Optional: true},
		{Name: "state", Role: normalize.ExtraRole("state"), Optional: true},
	}
}

func TestRollReadCSV(t *testing.T) {
	r, err := NewRoll("id", testColumns())
	if err != nil {
		t.Fatal(err)
	}
	in := "\ufeffid,last,first,num,street,state,ignored\n" +
		"a1,Garcia ,José,12,Main St,UT,x\n" +
		"a2,Nguyen,,,Elm St,,y\n"
	if err := r.ReadCSV("lea1.csv", strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	if err := r.ReadCSV("lea2.csv", strings.NewReader("first,id,last\nAna,b1,Lopez\n")); err != nil {
		t.Fatal(err)
	}
	if r.Len() != 3 {
		t.Fatalf("Len = %d, want 3", r.Len())
	}
	got := []normalize.Record{r.Record(0), r.Record(1), r.Record(2)}
	want := []normalize.Record{
		{Given: "José", Family: "Garcia", Address: "12 Main St", Extra: []string{"UT"}},
		{Family: "Nguyen", Address: "Elm St", Extra: []string{""}},
		{Given: "Ana", Family: "Lopez", Extra: []string{""}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("records (-want +got):\n%s", d)
	}
	if i, ok := r.Index("b1"); !ok || i != 2 {
		t.Errorf("Index(b1) = %d, %v", i, ok)
	}
	if d := cmp.Diff([]int32{0, 0, 1}, r.Source); d != "" {
		t.Errorf("sources (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]int32{2, 3, 2}, r.Lines); d != "" {
		t.Errorf("lines (-want +got):\n%s", d)
	}
}

func TestRollReadCSVErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty input"},
		{"no id column", "first,last\nA,B\n", `required column "id"`},
		{"missing required", "id,first\n1,A\n", `required column "last"`},
		{"duplicate header", "id,first,last,last\n1,A,B,C\n", `column "last" appears twice`},
		{"field count", "id,first,last\n1,A,B\n2,A\n", "in.csv:3: 2 fields, want 3"},
		{"empty id", "id,first,last\n,A,B\n", "in.csv:2: column \"id\": empty record ID"},
		{"duplicate id", "id,first,last\n1,A,B\n1,C,D\n", `record ID "1" already used at in.csv:2`},
		{"bad utf8", "id,first,last\n1,\xff,B\n", `in.csv:2: column "first": value is not valid UTF-8`},
		{"bare quote", "id,first,last\n1,a\"b,B\n", "in.csv:2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewRoll("id", testColumns())
			if err != nil {
				t.Fatal(err)
			}
			err = r.ReadCSV("in.csv", strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestNewRollErrors(t *testing.T) {
	if _, err := NewRoll("", nil); err == nil {
		t.Error("no id column: want error")
	}
	if _, err := NewRoll("id", []Column{{Name: "x", Role: "shoe_size"}}); err == nil || !strings.Contains(err.Error(), "shoe_size") {
		t.Errorf("unknown role: err = %v", err)
	}
	if _, err := NewRoll("id", []Column{{Name: "x", Role: normalize.RoleGiven}, {Name: "x", Role: normalize.RoleFamily}}); err == nil {
		t.Error("column mapped twice: want error")
	}
}

func TestSplitOtherNames(t *testing.T) {
	got := splitOtherNames(" Bill Smith; ;William Smith|Will ")
	if d := cmp.Diff([]string{"Bill Smith", "William Smith", "Will"}, got); d != "" {
		t.Error(d)
	}
}
