package normalize

import (
	"fmt"
	"testing"
)

func TestClassOf(t *testing.T) {
	tests := []struct {
		grade, entry string
		want         int
	}{
		{"K", "2018-08-20", 2031},
		{"K", "2019-01-08", 2031}, // January: the school year that began in 2018
		{"K", "2019-06-30", 2031},
		{"K", "2019-07-01", 2032}, // 1 July starts a school year
		{"12", "2023-08-15", 2024},
		{"03", "2020-08-20", 2030},
		{"Third grade", "2020-08-20", 2030},
		{"PK", "2020-08-20", 0}, // two ages of children
		{"UG", "2020-08-20", 0},
		{"13", "2020-08-20", 0},
		{"5", "", 0},
		{"5", "not a date", 0},
		{"", "2020-08-20", 0},
	}
	for _, tt := range tests {
		g, _ := ParseGrade(tt.grade)
		entry, _ := ParseDate(tt.entry, DateOptions{})
		if got := ClassOf(g, entry); got != tt.want {
			t.Errorf("ClassOf(%q, %q) = %d, want %d", tt.grade, tt.entry, got, tt.want)
		}
		// Fill stores it, as its digits, for the comparison to read.
		tb := NewTable(1, 0)
		NewPreparer(Options{}).Fill(tb, 0, Record{Given: "Ana", Grade: tt.grade, EntryDate: tt.entry})
		want := ""
		if tt.want != 0 {
			want = fmt.Sprint(tt.want)
		}
		if tb.ClassOf[0] != want {
			t.Errorf("Fill: grade %q, entry %q: ClassOf %q, want %q", tt.grade, tt.entry, tb.ClassOf[0], want)
		}
	}
}

func ExampleClassOf() {
	// A third-grader who entered the school on 20 August 2020 finishes grade 12 in
	// the school year 2029–30, as does a kindergartner enrolled in January 2018.
	fmt.Println(ClassOf(Grade3, Date{Year: 2020, Month: 8, Day: 20}))
	fmt.Println(ClassOf(GradeK, Date{Year: 2018, Month: 1, Day: 11}))
	// Output:
	// 2030
	// 2030
}

// FuzzClassOf: any grade and entry date, read as a record's, give no class or one the
// school year of entry ends in at most thirteen years before, stored as its digits.
func FuzzClassOf(f *testing.F) {
	for _, s := range [][2]string{{"K", "2018-08-20"}, {"Third grade", "1/8/2019"}, {"PK", "2020-08-20"},
		{"12", "20230815"}, {"uri://ed-fi.org/GradeLevelDescriptor#Ninth grade", "Aug 15, 2021"}, {"", ""}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, grade, entry string) {
		tb := NewTable(1, 0)
		NewPreparer(Options{}).Fill(tb, 0, Record{Given: "Ana", Grade: grade, EntryDate: entry})
		g, gerr := ParseGrade(grade)
		d, derr := ParseDate(entry, DateOptions{})
		want := 0
		if gerr == nil && derr == nil {
			want = ClassOf(g, d)
		}
		if want != 0 {
			end := int(d.Year)
			if d.Month >= 7 {
				end++
			}
			if want < end || want > end+12 {
				t.Fatalf("ClassOf(%q, %q) = %d, school year of entry ends %d", grade, entry, want, end)
			}
		}
		if got, w := tb.ClassOf[0], classOfText(want); got != w {
			t.Fatalf("grade %q, entry %q: Table.ClassOf %q, want %q", grade, entry, got, w)
		}
	})
}
