package match

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/normalize"
)

// A header column left unnamed (a header ending in a comma) is called by its position
// wherever the roll names its columns: the summary's ignored list, the review file's
// a.COLUMN and b.COLUMN.
func TestUnnamedColumnCalledByPosition(t *testing.T) {
	s := StudentSettings()
	roll, err := s.NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	in := "record_id,first_name,,last_name,birth_date,\n1,Ann,x,Lee,2010-01-02,y\n"
	if _, err := roll.Read("e.csv", strings.NewReader(in), ReadOptions{}); err != nil {
		t.Fatal(err)
	}
	var headers []string
	for _, u := range roll.Header(0) {
		headers = append(headers, u.Header)
	}
	want := []string{"record_id", "first_name", "(column 3, no name)", "last_name", "birth_date", "(column 6, no name)"}
	if d := cmp.Diff(want, headers); d != "" {
		t.Errorf("headers (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"first_name", "(column 3, no name)", "last_name", "birth_date", "(column 6, no name)"}, roll.valueColumns()); d != "" {
		t.Errorf("review columns (-want +got):\n%s", d)
	}
	if got := roll.Column(0, "(column 6, no name)"); got != "y" {
		t.Errorf("the unnamed column's value is %q, want y", got)
	}
}

// A header that names a column twice is an error that says so, with both positions, and
// that the file must be fixed: naming the column with -columns would name both.
func TestHeaderNamesAColumnTwice(t *testing.T) {
	tests := []struct {
		name    string
		columns map[string]string
		header  string
		want    string
	}{
		{"by alias", nil, "record_id,Student First Name,Student First Name,last_name,birth_date",
			`columns "Student First Name" and "Student First Name" could both be "first_name": the header has the same name twice (columns 2 and 3), which naming it (-columns) cannot tell apart; fix the file's header`},
		{"named with -columns", map[string]string{"given_name": "Student First Name"}, "record_id,Student First Name,Student First Name,last_name,birth_date",
			`the header has the same name twice (columns 2 and 3)`},
		{"two names alike", nil, "record_id,First_Name,first name,last_name,birth_date",
			`columns "First_Name" and "first name" could both be "first_name": name one`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := StudentSettings()
			if tt.columns != nil {
				var err error
				if s, err = s.WithColumns(tt.columns); err != nil {
					t.Fatal(err)
				}
			}
			roll, err := s.NewRoll()
			if err != nil {
				t.Fatal(err)
			}
			_, err = roll.Read("d.csv", strings.NewReader(tt.header+"\n1,Ann,Ann,Lee,2010-01-02\n"), ReadOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one with %q", err, tt.want)
			}
		})
	}
}

// A date format written in the birth date column's name (Date of Birth (dd/mm/yyyy),
// DOB (mm/dd/yyyy)) makes the column match by its name with the format aside, not as a
// birth date's parts, and sets the order the source's ambiguous dates are read in, over
// what its dates say; without one the dates decide.
func TestBirthDateHeaderGivesDateOrder(t *testing.T) {
	tests := []struct {
		header   string
		dates    []string
		wantUse  ColumnUse
		dayFirst bool
		want     string // the first date as read
	}{
		{"Date of Birth (dd/mm/yyyy)", []string{"03/04/2010", "04/05/2011"},
			ColumnUse{Header: "Date of Birth (dd/mm/yyyy)", Column: "birth_date", Role: "birth_date", How: matchAlias, DateOrder: DayFirst}, true, "2010-04-03"},
		{"DOB (mm/dd/yyyy)", []string{"03/04/2010", "25/12/2011"}, // a day-first date outvoted by the name
			ColumnUse{Header: "DOB (mm/dd/yyyy)", Column: "birth_date", Role: "birth_date", How: matchAlias, DateOrder: MonthFirst}, false, "2010-03-04"},
		{"birth_date [DD.MM.YYYY]", []string{"03.04.2010"},
			ColumnUse{Header: "birth_date [DD.MM.YYYY]", Column: "birth_date", Role: "birth_date", How: matchExact, DateOrder: DayFirst}, true, "2010-04-03"},
		{"BirthDate yyyy-mm-dd", []string{"2010-03-04"},
			ColumnUse{Header: "BirthDate yyyy-mm-dd", Column: "birth_date", Role: "birth_date", How: matchName, DateOrder: MonthFirst}, false, "2010-03-04"},
		// After an underscore, a word character to a regexp's \b, and without separators.
		{"DOB_DDMMYYYY", []string{"03042010"},
			ColumnUse{Header: "DOB_DDMMYYYY", Column: "birth_date", Role: "birth_date", How: matchAlias, DateOrder: DayFirst}, true, "2010-04-03"},
		{"DOB_DD/MM/YYYY", []string{"03/04/2010"},
			ColumnUse{Header: "DOB_DD/MM/YYYY", Column: "birth_date", Role: "birth_date", How: matchAlias, DateOrder: DayFirst}, true, "2010-04-03"},
		{"dob_dd/mm/yyyy", []string{"03/04/2010"},
			ColumnUse{Header: "dob_dd/mm/yyyy", Column: "birth_date", Role: "birth_date", How: matchAlias, DateOrder: DayFirst}, true, "2010-04-03"},
		{"birth_date_dd_mm_yyyy", []string{"03/04/2010"},
			ColumnUse{Header: "birth_date_dd_mm_yyyy", Column: "birth_date", Role: "birth_date", How: matchExact, DateOrder: DayFirst}, true, "2010-04-03"},
		{"birthdate_mm_dd_yyyy", []string{"03/04/2010", "25/12/2011"},
			ColumnUse{Header: "birthdate_mm_dd_yyyy", Column: "birth_date", Role: "birth_date", How: matchName, DateOrder: MonthFirst}, false, "2010-03-04"},
		{"DOB", []string{"03/04/2010", "25/12/2011"},
			ColumnUse{Header: "DOB", Column: "birth_date", Role: "birth_date", How: matchAlias}, true, "2010-04-03"},
		{"DOB", []string{"03/04/2010"},
			ColumnUse{Header: "DOB", Column: "birth_date", Role: "birth_date", How: matchAlias}, false, "2010-03-04"},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			roll, err := StudentSettings().NewRoll()
			if err != nil {
				t.Fatal(err)
			}
			in := "record_id,first_name,last_name," + csvField(tt.header) + "\n"
			for i, d := range tt.dates {
				in += fmt.Sprintf("%d,Ann,Lee,%s\n", i+1, d)
			}
			if _, err := roll.Read("h.csv", strings.NewReader(in), ReadOptions{}); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.wantUse, roll.Header(0)[3]); d != "" {
				t.Errorf("column use (-want +got):\n%s", d)
			}
			if got := roll.DayFirst(0); got != tt.dayFirst {
				t.Errorf("DayFirst = %v, want %v", got, tt.dayFirst)
			}
			rec := roll.Record(0)
			date, err := normalize.ParseDate(rec.BirthDate, normalize.DateOptions{DayFirst: rec.DayFirst})
			if got := date.String(); err != nil || got != tt.want {
				t.Errorf("%s read as %s (%v), want %s", rec.BirthDate, got, err, tt.want)
			}
		})
	}
}

// csvField quotes a CSV field that holds a comma or a quote.
func csvField(s string) string {
	if strings.ContainsAny(s, ",\"") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// A birth date header that writes its format year, day, month (yyyy-dd-mm) is refused
// with a message that says why: its ISO-looking dates would be read year, month, day
// against the name. Other orders, year first included, are read.
func TestYearDayMonthHeaderRefused(t *testing.T) {
	tests := []struct {
		header string
		want   string // in the error; "" reads
	}{
		{"DOB (yyyy-dd-mm)", `column "DOB (yyyy-dd-mm)" writes its birth dates year, day, month, an order not supported`},
		{"birth_date_yyyy_dd_mm", `column "birth_date_yyyy_dd_mm" writes its birth dates year, day, month`},
		{"DOB (yyyy-mm-dd)", ""},
		{"DOB (dd/mm/yyyy)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			roll, err := StudentSettings().NewRoll()
			if err != nil {
				t.Fatal(err)
			}
			_, err = roll.Read("y.csv", strings.NewReader("record_id,first_name,last_name,"+csvField(tt.header)+"\n1,Ann,Lee,2010-03-04\n"), ReadOptions{})
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one with %q", err, tt.want)
			}
		})
	}
}

// A column whose whole name is the one asked for wins over one whose name is it only with
// a date format aside: -columns birth_date=DOB beside DOB (dd/mm/yyyy) takes DOB, and
// so does the alias pass; two columns alike in whole are still refused.
func TestWholeHeaderNameWinsOverDateHint(t *testing.T) {
	tests := []struct {
		name    string
		columns map[string]string
		header  string
		want    string // the header column read as the birth date
		wantErr string
	}{
		{"named with -columns", map[string]string{"birth_date": "DOB"}, "record_id,first_name,last_name,DOB,DOB (dd/mm/yyyy)", "DOB", ""},
		{"named the hinted one", map[string]string{"birth_date": "DOB (dd/mm/yyyy)"}, "record_id,first_name,last_name,DOB,DOB (dd/mm/yyyy)", "DOB (dd/mm/yyyy)", ""},
		{"by alias", nil, "record_id,first_name,last_name,DOB,DOB (dd/mm/yyyy)", "DOB", ""},
		{"two hinted", map[string]string{"birth_date": "DOB"}, "record_id,first_name,last_name,DOB (mm/dd/yyyy),DOB (dd/mm/yyyy)", "", `columns "DOB (mm/dd/yyyy)" and "DOB (dd/mm/yyyy)" could both be "DOB"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := StudentSettings()
			if tt.columns != nil {
				var err error
				if s, err = s.WithColumns(tt.columns); err != nil {
					t.Fatal(err)
				}
			}
			roll, err := s.NewRoll()
			if err != nil {
				t.Fatal(err)
			}
			_, err = roll.Read("d.csv", strings.NewReader(tt.header+"\n1,Ann,Lee,2010-01-02,2010-01-02\n"), ReadOptions{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range roll.Header(0) {
				if u.Role == normalize.RoleBirthDate {
					got = append(got, u.Header)
				}
			}
			if d := cmp.Diff([]string{tt.want}, got); d != "" {
				t.Errorf("birth date columns (-want +got):\n%s", d)
			}
		})
	}
}

// TestHeadersDistrictsWrite: headers as district exports write them, with the owner's
// word first (Student DOB), a note in parentheses (Sex (M/F)) or a full name's order
// (Last Name, First Name), are read as their roles; a school's zip is not the home's.
func TestHeadersDistrictsWrite(t *testing.T) {
	s := StudentSettings()
	roll, err := s.NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	const file = `LocalID,"Last Name, First Name",Student DOB,Sex (M/F),Student State ID,Home Address Line 1,School Zip,Stu Middle Name` + "\n" +
		`A01,"Tran, Minh",2011-06-24,F,4839201756,14 River Rd,02139,Anh` + "\n"
	if _, err := roll.Read("d.csv", strings.NewReader(file), ReadOptions{}); err != nil {
		t.Fatal(err)
	}
	got := map[string]normalize.Role{}
	for _, u := range roll.Header(0) {
		got[u.Header] = u.Role
	}
	want := map[string]normalize.Role{
		"LocalID": "", "Last Name, First Name": normalize.RoleFullName, "Student DOB": normalize.RoleBirthDate,
		"Sex (M/F)": normalize.RoleSex, "Student State ID": normalize.RoleSSID, "Home Address Line 1": normalize.RoleAddress,
		"School Zip": "", "Stu Middle Name": normalize.RoleMiddle,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("roles by header (-want +got):\n%s", d)
	}
}
