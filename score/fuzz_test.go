package score

import (
	"math"
	"testing"
	"unicode/utf8"

	"github.com/studentlink/studentlink/normalize"
)

func addMetricSeeds(f *testing.F) {
	for _, p := range [][2]string{{"martha", "marhta"}, {"josé", "jose"}, {"", ""}, {"a", ""},
		{"nguyễn", "ngyuen"}, {"Paul", "aPul"}, {"\xff", "x"}} {
		f.Add(p[0], p[1])
	}
}

// similarityProperties checks a similarity in [0, 1], symmetric, 1 on identity.
func similarityProperties(t *testing.T, name string, sim func(a, b string) float64, a, b string) {
	s := sim(a, b)
	if !(s >= 0 && s <= 1) || math.IsNaN(s) {
		t.Fatalf("%s(%q, %q) = %v, out of [0, 1]", name, a, b, s)
	}
	if r := sim(b, a); math.Abs(r-s) > 1e-12 {
		t.Fatalf("%s not symmetric: %q,%q → %v but %v", name, a, b, s, r)
	}
	if sim(a, a) != 1 {
		t.Fatalf("%s(%q, %q) = %v, want 1", name, a, a, sim(a, a))
	}
}

func FuzzJaro(f *testing.F) {
	addMetricSeeds(f)
	f.Fuzz(func(t *testing.T, a, b string) {
		similarityProperties(t, "Jaro", Jaro, a, b)
		// The textbook reads invalid UTF-8 as U+FFFD, as Jaro does; both evaluate the
		// same formula in the same order, so the values are equal to the last bit.
		if Jaro(a, b) != textbookJaro(a, b) {
			t.Fatalf("Jaro(%q, %q) = %v, textbook %v", a, b, Jaro(a, b), textbookJaro(a, b))
		}
	})
}

func FuzzJaroWinkler(f *testing.F) {
	addMetricSeeds(f)
	f.Fuzz(func(t *testing.T, a, b string) {
		similarityProperties(t, "JaroWinkler", JaroWinkler, a, b)
		if JaroWinkler(a, b) < Jaro(a, b) {
			t.Fatalf("JaroWinkler(%q, %q) below Jaro", a, b)
		}
		if got, want := JaroWinkler(a, b), textbookJaroWinkler(a, b); got != want {
			t.Fatalf("JaroWinkler(%q, %q) = %v, textbook %v", a, b, got, want)
		}
		x, y := normalize.NewText(a), normalize.NewText(b)
		if got, want := JaroWinklerText(x, y), textbookJaroWinkler(x.Key, y.Key); got != want {
			t.Fatalf("JaroWinklerText(%q, %q) = %v, textbook on keys %q, %q %v", a, b, got, x.Key, y.Key, want)
		}
		nx, ny := normalize.NewNamePart(a, nil).Text, normalize.NewNamePart(b, nil).Text
		if got, want := JaroWinklerText(nx, ny), textbookJaroWinkler(nx.Key, ny.Key); got != want {
			t.Fatalf("JaroWinklerText on name parts %q, %q = %v, textbook on keys %q, %q %v", a, b, got, nx.Key, ny.Key, want)
		}
	})
}

// distanceProperties checks a distance: symmetric, 0 exactly on equal strings, at most
// the longer length, and the triangle inequality through c.
func distanceProperties(t *testing.T, name string, dist func(a, b string) int, a, b, c string, triangle bool) {
	d := dist(a, b)
	if d != dist(b, a) {
		t.Fatalf("%s not symmetric on %q, %q", name, a, b)
	}
	if (d == 0) != (a == b || string([]rune(a)) == string([]rune(b))) {
		t.Fatalf("%s(%q, %q) = %d", name, a, b, d)
	}
	if n := max(utf8.RuneCountInString(a), utf8.RuneCountInString(b)); d > n {
		t.Fatalf("%s(%q, %q) = %d, more than the longer length %d", name, a, b, d, n)
	}
	if triangle && dist(a, c) > d+dist(b, c) {
		t.Fatalf("%s breaks the triangle inequality: d(%q,%q)=%d > %d + %d", name, a, c, dist(a, c), d, dist(b, c))
	}
}

func FuzzLevenshtein(f *testing.F) {
	for _, p := range [][3]string{{"kitten", "sitting", "mitten"}, {"", "a", "ab"}, {"josé", "jose", "josie"}} {
		f.Add(p[0], p[1], p[2])
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		distanceProperties(t, "Levenshtein", Levenshtein, a, b, c, true)
		if OSA(a, b) > Levenshtein(a, b) {
			t.Fatalf("OSA(%q, %q) > Levenshtein", a, b)
		}
	})
}

func FuzzOSA(f *testing.F) {
	addMetricSeeds(f)
	f.Fuzz(func(t *testing.T, a, b string) {
		// OSA is not a metric: the triangle inequality does not hold for it.
		distanceProperties(t, "OSA", OSA, a, b, "", false)
	})
}
