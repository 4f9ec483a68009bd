package match

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/studentlink/studentlink/internal/synth"
)

// refusedBy returns the pairs the run's review lists for cannot-link rule, each "A B",
// sorted.
func refusedBy(res *Result, rule string) []string {
	var out []string
	for _, r := range res.Review {
		if r.Rule == rule {
			out = append(out, r.A+" "+r.B)
		}
	}
	slices.Sort(out)
	return out
}

// mustReadCSV reads a whole CSV file, header first (readCSVRows, failing the test).
func mustReadCSV(t testing.TB, path string) [][]string {
	t.Helper()
	rows, err := readCSVRows(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// readTruth reads record_id,student_id rows and returns each roll record's student.
func readTruth(t testing.TB, path string, roll *Roll) []string {
	t.Helper()
	rows := mustReadCSV(t, path)
	m := map[string]string{}
	for _, r := range rows[1:] {
		m[r[0]] = r[1]
	}
	out := make([]string, roll.Len())
	for i, id := range roll.IDs {
		s, ok := m[id]
		if !ok {
			t.Fatalf("%s: no truth for record %s", path, id)
		}
		out[i] = s
	}
	return out
}

// linkRoll makes a linker with settings s and runs it on roll, failing the test on error.
func linkRoll(t testing.TB, s Settings, roll *Roll) (*Linker, *Result) {
	t.Helper()
	l, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Run(context.Background(), roll, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return l, res
}

// readSynth reads synthetic rolls into one roll of settings s, each written as a CSV
// source of the name beside it, as a user's files would be.
func readSynth(t testing.TB, s Settings, sources ...synthSource) *Roll {
	t.Helper()
	roll, err := s.NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range sources {
		var buf bytes.Buffer
		if err := src.roll.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		if err := roll.ReadCSV(src.name, &buf); err != nil {
			t.Fatal(err)
		}
	}
	return roll
}

// synthSource is a synthetic roll and the source name readSynth reads it as.
type synthSource struct {
	name string
	roll *synth.Roll
}
