package benchmarks

import (
	"testing"

	"github.com/studentlink/studentlink/normalize"
)

// normalizeNames is a realistic mix of roll names; more than a third are non-ASCII.
var normalizeNames = []string{
	"José Luis García-López", "SMITH, JOHN ROBERT", "Zoë O'Brien", "Nguyễn Thị Minh Khai",
	"Mary Anne De La Cruz", "William Van Wagoner Jr.", "Søren Ærø Løkke", "Björn Strauß",
	"Michael Young-Tuilagi", "María Guadalupe Hernández", "Elizabeth Johnson", "Jesús Peña",
	"Christopher Lee III", "Đặng Văn Lâm", "Ashley Brown", "Francisco Javier Muñoz",
	"O Brien, Kate", "Robert Williams Sr", "Łukasz Wójcik", "Emily Davis",
	"Aaliyah Washington", "Juan Pablo Rodríguez", "Liam Thompson", "Chloé Dubois",
}

// BenchmarkNormalizeName measures parsing a full name and building the features of
// each part (fold, tokens, phonetic codes, nickname groups) without any cache.
func BenchmarkNormalizeName(b *testing.B) {
	nick := normalize.DefaultNicknames()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		n := normalize.ParseName(normalizeNames[i%len(normalizeNames)])
		_ = normalize.NewNamePart(n.Given, nick)
		_ = normalize.NewNamePart(n.Middle, nick)
		_ = normalize.NewNamePart(n.Family, nick)
	}
}

// normalizeDates are birth dates as district exports write them.
var normalizeDates = []string{
	"2009-04-05", "4/5/2009", "04/05/2009", "Jul 1, 2009", "20110805", "2006-03-11T00:00:00",
	"1 July 2009", "2013-10-20", "10/20/2013", "5-Apr-2009", "2012-6-12", "June 12th, 2012",
}

// BenchmarkParseDate measures reading a birth date in any of the formats rolls use.
func BenchmarkParseDate(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := normalize.ParseDate(normalizeDates[i%len(normalizeDates)], normalize.DateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPrepare measures normalize.Preparer.Fill over the records of a synthetic roll
// of 10^5 (as match.Linker.Prepare runs it, on one goroutine): names through the
// Preparer's caches, dates, codes, IDs, the address and the city. It reports ns and
// allocations per record.
func BenchmarkPrepare(b *testing.B) {
	roll := matchRoll(b, studentRoll(b, 100_000).Records)
	recs := make([]normalize.Record, roll.Len())
	for i := range recs {
		recs[i] = roll.Record(i)
	}
	table := normalize.NewTable(len(recs), 0)
	b.ReportAllocs()
	for b.Loop() {
		p := normalize.NewPreparer(normalize.Options{}) // caches cold, as in a run
		for i, r := range recs {
			p.Fill(table, i, r)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
}
