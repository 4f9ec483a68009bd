package block_test

import (
	"context"
	"fmt"

	"github.com/studentlink/studentlink/block"
	"github.com/studentlink/studentlink/normalize"
)

func ExampleAll() {
	t := normalize.NewTable(4, 0)
	p := normalize.NewPreparer(normalize.Options{})
	p.Fill(t, 0, normalize.Record{Given: "José", Family: "García-López", BirthDate: "2010-03-04"})
	p.Fill(t, 1, normalize.Record{Given: "Jose", Family: "Garcia", BirthDate: "03/04/2010"})
	p.Fill(t, 2, normalize.Record{Given: "Ana", Family: "Lopez", BirthDate: "2011-01-01"})
	p.Fill(t, 3, normalize.Record{Given: "Ana", Family: ""})
	rules := []block.Rule{
		block.R(block.K(normalize.RoleBirthDate, block.Whole)),
		block.R(block.K(normalize.RoleFamily, block.Tokens)),
	}
	pairs, rep, _ := block.All(context.Background(), t, rules, block.Options{})
	fmt.Println(pairs)
	for _, r := range rep.Rules {
		fmt.Println(r.Rule, r.Candidates)
	}
	// Output:
	// [{0 1} {0 2}]
	// birth_date 1
	// family_name:tokens 1
}

// The Nearest rule pairs records whose every key is damaged: each name has a typo and the
// birth date a digit off, so no rule of exact keys brings the two together.
func ExampleNearestRule() {
	t := normalize.NewTable(4, 0)
	p := normalize.NewPreparer(normalize.Options{})
	p.Fill(t, 0, normalize.Record{Given: "Gwendolyn", Family: "Abernathy", BirthDate: "2011-04-09", Zip: "84604"})
	p.Fill(t, 1, normalize.Record{Given: "Gwendolin", Family: "Abernethy", BirthDate: "2011-04-08", Zip: "84604"})
	p.Fill(t, 2, normalize.Record{Given: "Maria", Family: "Lopez", BirthDate: "2009-12-01", Zip: "84101"})
	p.Fill(t, 3, normalize.Record{Given: "Tom", Family: "Ng", BirthDate: "2012-06-30", Zip: "84321"})
	rules := []block.Rule{block.R(block.K(normalize.RoleBirthDate, block.Whole)), block.NearestRule()}
	ix, _ := block.NewIndex(context.Background(), t, rules, block.Options{})
	fmt.Println(ix.Candidate(0, 1), ix.Candidate(0, 2))
	// Output: true false
}

// Measure says how many true pairs the rules find, and rule by rule which ones: here the
// SSID rule finds both of one student's pairs, the birth-date rule one of them too.
func ExampleMeasure() {
	t := normalize.NewTable(3, 0)
	p := normalize.NewPreparer(normalize.Options{})
	p.Fill(t, 0, normalize.Record{Given: "Ana", Family: "Silva", BirthDate: "2010-03-04", SSID: "604822"})
	p.Fill(t, 1, normalize.Record{Given: "Ana", Family: "Silva", BirthDate: "2010-03-04", SSID: "604822"})
	p.Fill(t, 2, normalize.Record{Given: "Anna", Family: "Silva", BirthDate: "2010-04-03", SSID: "604822"})
	rules := []block.Rule{block.R(block.K(normalize.RoleSSID, block.Whole)), block.R(block.K(normalize.RoleBirthDate, block.Whole))}
	c, _, _ := block.Measure(context.Background(), t, rules, block.Options{}, []string{"ana", "ana", "ana"})
	fmt.Printf("%d of %d true pairs\n", c.Found, c.TruePairs)
	for _, r := range c.Rules {
		fmt.Printf("%s: %d added, finds %d, %d only it finds\n", r.Rule, r.Candidates, r.Found, r.Only)
	}
	// Output:
	// 3 of 3 true pairs
	// ssid: 3 added, finds 3, 2 only it finds
	// birth_date: 0 added, finds 1, 0 only it finds
}
