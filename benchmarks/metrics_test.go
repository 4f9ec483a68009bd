package benchmarks

import (
	"testing"
	"time"

	"github.com/antzucaro/matchr"
	edlib "github.com/hbollon/go-edlib"
	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

// namePairs are realistic pairs as a matcher meets them: given names, family names and
// full names, variants and non-matches, a third of them with non-ASCII letters.
var namePairs = [][2]string{
	{"William", "Willaim"}, {"Katherine", "Kathryn"}, {"Jonathan", "Jonathon"}, {"Elizabeth", "Elisabeth"},
	{"Christopher", "Kristopher"}, {"Michael", "Micheal"}, {"Smith", "Smyth"}, {"Johnson", "Jonson"},
	{"Martinez", "Martines"}, {"Thompson", "Thomsen"}, {"Anderson", "Andersen"}, {"Robertson", "Robinson"},
	{"Emma Smith", "Emma Smyth"}, {"Jacob Miller", "Jakob Muller"}, {"Olivia Brown", "Olivia Browne"},
	{"Noah Williams", "Noah Wiliams"}, {"Ava Davis", "Eva Davies"}, {"Liam Wilson", "William Wilson"},
	{"Madison Taylor", "Maddison Tayler"}, {"Ethan Moore", "Nathan Moore"}, {"Sophia Clark", "Sofia Clarke"},
	{"Mason", "Jackson"}, {"Harper", "Hooper"}, {"Lucas", "Luke"},
	{"José", "Jose"}, {"María", "Maria"}, {"García", "Garcia"}, {"Nguyễn", "Nguyen"}, {"Søren", "Soren"},
	{"Muñoz", "Munoz"}, {"Zoë", "Zoe"}, {"Peña", "Pena"}, {"Hernández López", "Hernandez Lopez"},
	{"José Luis García", "Jose Luis Garcia"}, {"Trần Thị Mai", "Tran Thi Mai"}, {"Björk Ærøskøbing", "Bjork Aeroskobing"},
}

func BenchmarkJaroWinkler(b *testing.B) {
	impls := []struct {
		name string
		fn   func(a, b string) float64
	}{
		{"studentlink", score.JaroWinkler},
		{"matchr", func(a, b string) float64 { return matchr.JaroWinkler(a, b, false) }},
		{"go-edlib", func(a, b string) float64 { return float64(edlib.JaroWinklerSimilarity(a, b)) }},
	}
	for _, im := range impls {
		b.Run(im.name, func(b *testing.B) {
			b.ReportAllocs()
			for i, k := 0, 0; i < b.N; i, k = i+1, k+1 {
				if k == len(namePairs) {
					k = 0 // no division per iteration: it would weigh on the fastest metric most
				}
				p := namePairs[k]
				im.fn(p[0], p[1])
			}
		})
	}
	b.Run("studentlink-prepared", func(b *testing.B) {
		prepared := prepareTexts()
		b.ReportAllocs()
		b.ResetTimer()
		for i, k := 0, 0; i < b.N; i, k = i+1, k+1 {
			if k == len(prepared) {
				k = 0
			}
			p := &prepared[k]
			score.JaroWinklerText(p[0], p[1])
		}
	})
}

func BenchmarkLevenshtein(b *testing.B) {
	impls := []struct {
		name string
		fn   func(a, b string) int
	}{
		{"studentlink", score.Levenshtein},
		{"matchr", matchr.Levenshtein},
		{"go-edlib", edlib.LevenshteinDistance},
	}
	for _, im := range impls {
		b.Run(im.name, func(b *testing.B) {
			b.ReportAllocs()
			for i, k := 0, 0; i < b.N; i, k = i+1, k+1 {
				if k == len(namePairs) {
					k = 0 // no division per iteration: it would weigh on the fastest metric most
				}
				p := namePairs[k]
				im.fn(p[0], p[1])
			}
		})
	}
}

func BenchmarkOSA(b *testing.B) {
	impls := []struct {
		name string
		fn   func(a, b string) int
	}{
		{"studentlink", score.OSA},
		{"matchr", matchr.OSA},
		{"go-edlib", edlib.OSADamerauLevenshteinDistance},
	}
	for _, im := range impls {
		b.Run(im.name, func(b *testing.B) {
			b.ReportAllocs()
			for i, k := 0, 0; i < b.N; i, k = i+1, k+1 {
				if k == len(namePairs) {
					k = 0 // no division per iteration: it would weigh on the fastest metric most
				}
				p := namePairs[k]
				im.fn(p[0], p[1])
			}
		})
	}
}

// prepareTexts prepares the pairs as a table prepares names (normalize.NewNamePart):
// folded keys, characters of non-ASCII keys, letter positions.
func prepareTexts() [][2]normalize.Text {
	out := make([][2]normalize.Text, len(namePairs))
	for k, p := range namePairs {
		out[k] = [2]normalize.Text{normalize.NewNamePart(p[0], nil).Text, normalize.NewNamePart(p[1], nil).Text}
	}
	return out
}

// perPair times fn over all name pairs, rounds times, and returns ns per pair.
func perPair(rounds int, fn func(p [2]string)) float64 {
	start := time.Now()
	for r := 0; r < rounds; r++ {
		for _, p := range namePairs {
			fn(p)
		}
	}
	return float64(time.Since(start).Nanoseconds()) / float64(rounds*len(namePairs))
}

// BenchmarkMetricRatios times ours and the peers on the same pairs in the same run and
// reports how many times faster ours is (x_… metrics, higher is better).
func BenchmarkMetricRatios(b *testing.B) {
	prepared := prepareTexts()
	var sink float64
	var isink int
	for i := 0; i < b.N; i++ {
		const rounds = 2000
		jw := perPair(rounds, func(p [2]string) { sink += score.JaroWinkler(p[0], p[1]) })
		jwPrep := perPair(rounds, func(p [2]string) {})
		start := time.Now()
		for r := 0; r < rounds; r++ {
			for k := range prepared {
				sink += score.JaroWinklerText(prepared[k][0], prepared[k][1])
			}
		}
		jwPrep = float64(time.Since(start).Nanoseconds()) / float64(rounds*len(prepared))
		jwMatchr := perPair(rounds, func(p [2]string) { sink += matchr.JaroWinkler(p[0], p[1], false) })
		jwEdlib := perPair(rounds, func(p [2]string) { sink += float64(edlib.JaroWinklerSimilarity(p[0], p[1])) })
		lev := perPair(rounds, func(p [2]string) { isink += score.Levenshtein(p[0], p[1]) })
		levEdlib := perPair(rounds, func(p [2]string) { isink += edlib.LevenshteinDistance(p[0], p[1]) })
		levMatchr := perPair(rounds, func(p [2]string) { isink += matchr.Levenshtein(p[0], p[1]) })
		b.ReportMetric(jw, "jw_ns/pair")
		b.ReportMetric(jwPrep, "jw_prepared_ns/pair")
		b.ReportMetric(jwMatchr, "jw_matchr_ns/pair")
		b.ReportMetric(jwEdlib, "jw_edlib_ns/pair")
		b.ReportMetric(jwMatchr/jw, "x_jw_vs_matchr")
		b.ReportMetric(jwMatchr/jwPrep, "x_jw_prepared_vs_matchr")
		b.ReportMetric(lev, "lev_ns/pair")
		b.ReportMetric(levEdlib, "lev_edlib_ns/pair")
		b.ReportMetric(levMatchr, "lev_matchr_ns/pair")
		b.ReportMetric(levEdlib/lev, "x_lev_vs_edlib")
	}
	_, _ = sink, isink
}
