package normalize_test

import (
	"fmt"

	"github.com/studentlink/studentlink/normalize"
)

func ExampleFold() {
	fmt.Println(normalize.Fold("  García-López "))
	fmt.Println(normalize.Fold("O'Brien"), normalize.Fold("ZOË"), normalize.Fold("Straße"), normalize.Fold("Nguyễn"))
	// Output:
	// garcia lopez
	// obrien zoe strasse nguyen
}

func ExampleParseName() {
	fmt.Printf("%+v\n", normalize.ParseName("Smith Jr., John Paul"))
	fmt.Printf("%+v\n", normalize.ParseName("María de la Cruz"))
	// Output:
	// {Given:John Middle:Paul Family:Smith Suffix:jr}
	// {Given:María Middle: Family:de la Cruz Suffix:}
}

func ExampleParseDate() {
	for _, s := range []string{"03/04/2010", "2010-02-30", "Jan 2, 2006"} {
		d, err := normalize.ParseDate(s, normalize.DateOptions{})
		fmt.Println(d, err)
	}
	d, _ := normalize.ParseDate("03/04/2010", normalize.DateOptions{DayFirst: true})
	fmt.Println(d)
	// Output:
	// 2010-03-04 <nil>
	//  "2010-02-30": day 30 does not exist in February 2010
	// 2006-01-02 <nil>
	// 2010-04-03
}

func ExampleNicknames() {
	n := normalize.DefaultNicknames()
	fmt.Println(n.Related("Bill", "William"), n.Related("Chuy", "Jesús"), n.Related("Bill", "Robert"))
	n.Add("Kekoa", "Koa")
	fmt.Println(n.Related("KOA", "kekoa"))
	// Output:
	// true true false
	// true
}

func ExamplePreparer_Fill() {
	p := normalize.NewPreparer(normalize.Options{})
	t := normalize.NewTable(1, 0)
	errs := p.Fill(t, 0, normalize.Record{FullName: "García-López, José", BirthDate: "13/45/2011", SSID: "160-4822"})
	fmt.Println(t.Given[0].Key, t.Family[0].Tokens, t.Family[0].Key, t.SSID[0])
	fmt.Println(errs[0])
	// Output:
	// jose [garcia lopez] garcialopez 1604822
	// birth_date "13/45/2011": "13/45/2011": month 13 does not exist
}

func ExampleStandardAddress() {
	fmt.Println(normalize.StandardAddress("123 N. Main St., Apt. #4"))
	fmt.Println(normalize.StandardAddress("123 North Main Street, Unit 4"))
	// Output:
	// 123 north main street 4
	// 123 north main street 4
}

func ExampleDateOrderCount() {
	var order normalize.DateOrderCount
	for _, d := range []string{"25/04/2010", "03/04/2010", "17/11/2009"} {
		order.Add(d)
	}
	d, _ := normalize.ParseDate("03/04/2010", normalize.DateOptions{DayFirst: order.DayFirst()})
	fmt.Println(order.DayOnly, order.MonthOnly, order.DayFirst(), d)
	// Output: 2 0 true 2010-04-03
}

func ExampleIsMissingMarker() {
	for _, v := range []string{"NA", " null ", "N/A", "Nan", "Ana"} {
		fmt.Printf("%q %v\n", v, normalize.IsMissingMarker(v))
	}
	// Output:
	// "NA" true
	// " null " true
	// "N/A" true
	// "Nan" false
	// "Ana" false
}

// A birth date that is the day its student entered school is the entry date written in
// the wrong field: Fill leaves the record without one and says why.
func ExampleBornOnEntry() {
	p := normalize.NewPreparer(normalize.Options{})
	t := normalize.NewTable(1, 0)
	errs := p.Fill(t, 0, normalize.Record{Given: "Ana", Family: "Ruiz", BirthDate: "08/22/2023", EntryDate: "2023-08-22"})
	fmt.Println(t.BirthDate[0].IsZero(), errs[0])
	born := normalize.Date{Year: 2014, Month: 3, Day: 2}
	fmt.Println(normalize.BornOnEntry(born, normalize.Date{Year: 2019, Month: 8, Day: 20}))
	// Output:
	// true birth_date "08/22/2023": a birth date the same as the entry date (2023-08-22)
	// false
}
