package score_test

import (
	"fmt"
	"math"

	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

func ExampleJaroWinkler() {
	fmt.Printf("%.4f %.4f %.4f\n", score.JaroWinkler("martha", "marhta"), score.JaroWinkler("josé", "jose"), score.Jaro("dixon", "dicksonx"))
	fmt.Println(score.Levenshtein("kitten", "sitting"), score.OSA("Paul", "aPul"))
	// Output:
	// 0.9611 0.8833 0.7667
	// 3 1
}

func ExampleComparison_LevelNames() {
	fmt.Println(score.BirthDate().LevelNames())
	// Output:
	// [null exact day_month_swapped one_digit within_month two_parts same_year two_digits else]
}

func ExampleScorer_Explain() {
	t := normalize.NewTable(2, 0)
	p := normalize.NewPreparer(normalize.Options{})
	p.Fill(t, 0, normalize.Record{Given: "José", Family: "García", BirthDate: "2010-03-04", SSID: "1604822"})
	p.Fill(t, 1, normalize.Record{Given: "Pepe", Family: "Garcia", BirthDate: "2010-04-03", SSID: "1604822"})
	comps := []score.Comparison{score.GivenName(), score.FamilyName(), score.BirthDate(), score.ID(normalize.RoleSSID)}
	m, _ := score.NewModel(comps, 0.01)
	m.U = [][]float64{
		{0, 0.01, 0.01, 0.02, 0.02, 0.01, 0.02, 0.01, 0.90},
		{0, 0.01, 0.01, 0.02, 0.02, 0.02, 0.92},
		{0, 0.001, 0.001, 0.008, 0.04, 0.01, 0.19, 0.02, 0.73},
		{0, 0.0001, 0.0009, 0.0001, 0.9988},
	}
	s, _ := m.Scorer(t, t)
	e := s.Explain(0, 1)
	for _, term := range e.Terms {
		fmt.Printf("%s: %s %+.2f\n", term.Comparison, term.LevelName, term.Weight)
	}
	fmt.Printf("weight %.2f, probability %.4f\n", e.Weight, e.Probability)
	// Output:
	// given_name: nickname +1.84
	// family_name: exact +6.13
	// birth_date: day_month_swapped +5.16
	// ssid: exact +12.77
	// weight 19.27, probability 1.0000
}

func ExampleOrderLevels() {
	// A fuzzy level (index 2) whose m/u outweighs exact's: the two are pooled and share
	// one weight, keeping their total m.
	m := []float64{0, 0.5, 0.3, 0.2}
	u := []float64{0, 0.01, 0.001, 0.989}
	score.OrderLevels(m, u)
	fmt.Printf("m %.3f, weights exact %.2f fuzzy %.2f\n", m[1:], math.Log2(m[1]/u[1]), math.Log2(m[2]/u[2]))
	// Output: m [0.727 0.073 0.200], weights exact 6.18 fuzzy 6.18
}

func ExampleClassOf() {
	// Ana's fifth-grade record has her birth date; her third-grade record two years
	// earlier, from another district, lacks it. Their grades and entry dates give one
	// class, 2030, which counts because a birth date is missing.
	t := normalize.NewTable(3, 0)
	p := normalize.NewPreparer(normalize.Options{})
	p.Fill(t, 0, normalize.Record{Given: "Ana", Family: "Lopez", BirthDate: "2011-05-01", Grade: "5", EntryDate: "2022-08-20"})
	p.Fill(t, 1, normalize.Record{Given: "Ana", Family: "Lopez", Grade: "3", EntryDate: "2020-08-20"})
	p.Fill(t, 2, normalize.Record{Given: "Ana", Family: "Lopez", BirthDate: "2011-05-01", Grade: "4", EntryDate: "2021-08-20"})
	m, _ := score.NewModel([]score.Comparison{score.BirthDate(), score.ClassOf()}, 0.01)
	s, _ := m.Scorer(t, t)
	for _, j := range []int{1, 2} {
		e := s.Explain(0, j)
		fmt.Printf("%s, %s: %s %s\n", t.ClassOf[0], t.ClassOf[j], e.Terms[0].LevelName, e.Terms[1].LevelName)
	}
	// Output:
	// 2030, 2030: null exact
	// 2030, 2030: exact null
}
