package match

import (
	"context"
	"strings"
	"testing"
	"time"
)

// FuzzRunSmallRoll trains and runs the student preset on any small roll: it never
// panics or fails, and every record gets exactly one student. Run it with
// -fuzzminimizetime 100x: a run's coverage varies with its goroutines, and the default
// minimization of each new input then stalls the workers.
//
//	go test ./match -run XXX -fuzz FuzzRunSmallRoll -fuzztime 60s -fuzzminimizetime 100x
func FuzzRunSmallRoll(f *testing.F) {
	rows := strings.Split(strings.TrimSpace(strings.TrimPrefix(twinRoll, studentHeader)), "\n")
	f.Add(rows[0] + "\n" + rows[1] + "\n")
	f.Add(rows[0] + "\n" + rows[2] + "\n" + rows[4] + "\n")
	f.Add(strings.Join(rows[:12], "\n"))
	f.Add("1,,,,,,,,2012,,,,,,\n2,,,,Ann,,,,2012,,,,,,\n")
	f.Add("a,01,,000000000,NA,,NULL,,0000-00-00,?,,,,,\nb,01,,1,x,,y,,March 2012,M,,,,,\n")
	// Two given names in use (three families each) on twins: the names-in-use rules.
	f.Add("j1,01,,,Julia,,Smith,,2010-01-01,F,,1 A St,Provo,,\nj2,01,,,Julia,,Brown,,2010-02-02,F,,2 A St,Provo,,\n" +
		"j3,01,,,Julia,,Chen,,2010-03-03,F,,3 A St,Provo,,\nk1,01,,,Juliana,,Ruiz,,2010-04-04,F,,4 A St,Provo,,\n" +
		"k2,01,,,Juliana,,Diaz,,2010-05-05,F,,5 A St,Provo,,\nk3,01,,,Juliana,,Park,,2010-06-06,F,,6 A St,Provo,,\n" +
		"t1,02,,,Julia,,Moreno,,2012-03-04,F,,5 Oak St,Provo,,\nt2,03,,9,Juliana,,Moreno,,2012-03-04,F,,,Orem,,\n")
	f.Fuzz(func(t *testing.T, body string) {
		if len(body) > 4000 {
			return
		}
		s := StudentSettings()
		roll, err := s.NewRoll()
		if err != nil {
			t.Fatal(err)
		}
		if err := roll.ReadCSV("f.csv", strings.NewReader(studentHeader+body)); err != nil {
			return // a broken row or a repeated ID stops the read, with an error
		}
		l, err := New(s)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := l.Run(ctx, roll, RunOptions{})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if len(res.Label) != roll.Len() {
			t.Fatalf("%d labels for %d records", len(res.Label), roll.Len())
		}
		seen := make([]bool, len(res.StudentIDs))
		for i, lab := range res.Label {
			if lab < 0 || int(lab) >= len(res.StudentIDs) {
				t.Fatalf("record %d: label %d of %d students", i, lab, len(res.StudentIDs))
			}
			seen[lab] = true
		}
		for k, ok := range seen {
			if !ok {
				t.Fatalf("student %s has no record", res.StudentIDs[k])
			}
		}
	})
}
