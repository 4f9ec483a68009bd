package benchmarks

import (
	"sort"
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

// timeSlices times each of fns over all name pairs (rounds times) in turn, again and again,
// and returns ns per pair, fn by fn and slice by slice: a burst of other work on the
// machine then falls on neighbouring measurements of every fn rather than on one.
func timeSlices(n, rounds int, fns ...func(k int)) [][]float64 {
	out := make([][]float64, len(fns))
	for s := 0; s < n; s++ {
		for f, fn := range fns {
			start := time.Now()
			for r := 0; r < rounds; r++ {
				for k := range namePairs {
					fn(k)
				}
			}
			out[f] = append(out[f], float64(time.Since(start).Nanoseconds())/float64(rounds*len(namePairs)))
		}
	}
	return out
}

// median returns the median of xs (which it sorts).
func median(xs []float64) float64 {
	sort.Float64s(xs)
	return xs[len(xs)/2]
}

// ratios returns, slice by slice, peer/ours: how many times faster ours is.
func ratios(ours, peer []float64) []float64 {
	r := make([]float64, len(ours))
	for s := range ours {
		r[s] = peer[s] / ours[s]
	}
	return r
}

// BenchmarkMetricRatios times ours and the peers on the same pairs in the same run, in
// alternating slices of 100 rounds, and reports median ns per pair and the median over
// slices of how many times faster ours is (x_… metrics, higher is better).
func BenchmarkMetricRatios(b *testing.B) {
	prepared := prepareTexts()
	var sink float64
	var isink int
	for i := 0; i < b.N; i++ {
		t := timeSlices(40, 100,
			func(k int) { sink += score.JaroWinkler(namePairs[k][0], namePairs[k][1]) },
			func(k int) { sink += score.JaroWinklerText(prepared[k][0], prepared[k][1]) },
			func(k int) { sink += matchr.JaroWinkler(namePairs[k][0], namePairs[k][1], false) },
			func(k int) { sink += float64(edlib.JaroWinklerSimilarity(namePairs[k][0], namePairs[k][1])) },
			func(k int) { isink += score.Levenshtein(namePairs[k][0], namePairs[k][1]) },
			func(k int) { isink += edlib.LevenshteinDistance(namePairs[k][0], namePairs[k][1]) },
			func(k int) { isink += matchr.Levenshtein(namePairs[k][0], namePairs[k][1]) },
		)
		jw, jwPrep, jwMatchr, jwEdlib, lev, levEdlib, levMatchr := t[0], t[1], t[2], t[3], t[4], t[5], t[6]
		b.ReportMetric(median(ratios(jw, jwMatchr)), "x_jw_vs_matchr")
		b.ReportMetric(median(ratios(jwPrep, jwMatchr)), "x_jw_prepared_vs_matchr")
		b.ReportMetric(median(ratios(lev, levEdlib)), "x_lev_vs_edlib")
		b.ReportMetric(median(jw), "jw_ns/pair")
		b.ReportMetric(median(jwPrep), "jw_prepared_ns/pair")
		b.ReportMetric(median(jwMatchr), "jw_matchr_ns/pair")
		b.ReportMetric(median(jwEdlib), "jw_edlib_ns/pair")
		b.ReportMetric(median(lev), "lev_ns/pair")
		b.ReportMetric(median(levEdlib), "lev_edlib_ns/pair")
		b.ReportMetric(median(levMatchr), "lev_matchr_ns/pair")
	}
	_, _ = sink, isink
}
