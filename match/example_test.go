package match_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/studentlink/studentlink/match"
	"github.com/studentlink/studentlink/normalize"
)

// linkSample links the synthetic sample roll with the student preset, without labels.
func linkSample() (*match.Linker, *match.Result, error) {
	s := match.StudentSettings()
	roll, err := s.NewRoll()
	if err != nil {
		return nil, nil, err
	}
	if err := roll.ReadCSVFile("../testdata/synth/roll.csv"); err != nil {
		return nil, nil, err
	}
	l, err := match.New(s)
	if err != nil {
		return nil, nil, err
	}
	res, err := l.Run(context.Background(), roll, match.RunOptions{})
	return l, res, err
}

func ExampleLinker_Run() {
	_, res, err := linkSample()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d records, %d students\n", len(res.Label), len(res.StudentIDs))
	// Output: 2737 records, 2006 students
}

func ExampleIndex_Query() {
	l, res, err := linkSample()
	if err != nil {
		fmt.Println(err)
		return
	}
	x, err := l.NewIndex(res)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Record R0001 is Logan Edward Stewart Jr, born 28 December 2005. A new LEA sends him
	// without his SSID, as "Logan Stewart", born 12/28/05.
	pl, err := x.Query(normalize.Record{Given: "Logan", Family: "Stewart", BirthDate: "12/28/05", Sex: "M", LEA: "09"}, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	want, _ := res.StudentOf("R0001")
	fmt.Println(pl.Outcome, pl.StudentID == want)
	// Output: match true
}

// A roll with names only: the preset drops what needs a birth date, an SSID, a sex or a
// place, says so, and still links.
func ExampleLinker_Dropped() {
	l, _ := match.New(match.StudentSettings())
	roll, _ := l.Settings().NewRoll()
	_ = roll.ReadCSV("names.csv", strings.NewReader("record_id,first_name,last_name\n1,Ana,Silva\n2,Ana,Silva\n3,Ben,Okafor\n"))
	res, _ := l.Run(context.Background(), roll, match.RunOptions{})
	for _, d := range res.Dropped {
		if d.Kind == "comparison" {
			fmt.Println(d)
		}
	}
	fmt.Println(len(res.StudentIDs), "students")
	// Output:
	// comparison "birth_date" (no record has birth_date)
	// comparison "ssid" (no record has ssid)
	// comparison "sex" (no record has sex)
	// comparison "location" (no record has address, zip, city)
	// comparison "class_of" (no record has grade_level with entry_date)
	// 2 students
}

func ExampleSettings_WithColumns() {
	// A registry export: a record ID, names in its own words, the surname in two
	// columns and the birth date in three.
	s, err := match.StudentSettings().WithColumns(map[string]string{
		"id": "rec_id", "given_name": "fname", "family_name": "lname1+lname2", "birth_date": "by+bm+bd"})
	if err != nil {
		fmt.Println(err)
		return
	}
	roll, err := s.NewRoll()
	if err != nil {
		fmt.Println(err)
		return
	}
	in := "rec_id,fname,lname1,lname2,by,bm,bd\nr1,Frank,Mueller,Schmidt,1967,9,27\n"
	if err := roll.ReadCSV("registry.csv", strings.NewReader(in)); err != nil {
		fmt.Println(err)
		return
	}
	rec := roll.Record(0)
	fmt.Printf("%s | %s | %s\n", rec.Given, rec.Family, rec.BirthDate)
	// Output: Frank | Mueller Schmidt | 1967 9 27
}

// The preset's belief rules, each tested on the roll it links: on the pairs that share an
// SSID, on one child's records (classes), or, without SSIDs, on the model's match class.
// The sample roll bears each belief out.
func ExampleResult_ruleTests() {
	_, res, err := linkSample()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, rt := range res.RuleTests {
		fmt.Printf("%s: %d of %d pairs (%s) met, set aside %v\n", rt.Rule, rt.Met, rt.Judged, rt.Anchor, rt.SetAside)
	}
	// Output:
	// twins: same family name, birth date and home, different given names, one SSID: 10 of 832 pairs (ssid) met, set aside false
	// different given names and sexes: 0 of 832 pairs (ssid) met, set aside false
	// classes two school years apart, a birth date missing: 0 of 714 pairs (given_name, family_name and birth_date) met, set aside false
	// different birth dates: 0 of 834 pairs (ssid) met, set aside false
}
