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
