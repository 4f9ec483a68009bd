package match

import (
	"slices"

	"github.com/studentlink/studentlink/score"
)

// maxHouseholdShare is the most of EM's class that householdShare may find before the
// class is taken for households: one child's record with both the given name and the
// birth date wrong outright is two errors at once (the suite's most damaged sets: at most
// 1.4% of the class, fake_1000; the project's synthetic rolls at most 5%), where siblings
// who share a family name and a home differ on both every time (a roll with SSIDs on a
// quarter of its records: 34%; the synthetic roll without SSIDs: 17%).
const maxHouseholdShare = 0.1

// birthDatesApart returns the bits of a birth-date comparison's levels at which two
// dates differ outright: the year alone the same (same_year), two digits apart in
// different years (two_digits), or nothing in common (else).
func birthDatesApart(c score.Comparison) uint32 {
	var bits uint32
	for l, name := range c.LevelNames() {
		if slices.Contains([]string{"same_year", "two_digits", "else"}, name) {
			bits |= 1 << l
		}
	}
	return bits
}

// householdShare is the share of the model's match class, among the candidate pairs
// with a given name and a birth date on both records, whose given names and birth dates
// both differ outright (given name at else; birth date at birthDatesApart). ok is false where no pair has both on both records, and where no pair's birth
// dates are the same: a roll whose dates name the year alone, which the documented
// defaults, for full dates, do not describe (EM, households and all, reads its years
// better than they do).
func householdShare(counts score.PatternCounts, m score.Model) (share float64, ok bool) {
	given := slices.IndexFunc(m.Comparisons, func(c score.Comparison) bool { return c.Kind == score.KindGivenName })
	birth := slices.IndexFunc(m.Comparisons, func(c score.Comparison) bool { return c.Kind == score.KindBirthDate })
	if given < 0 || birth < 0 || !anyExact(counts, birth) {
		return 0, false
	}
	givenElse := uint32(1) << (len(m.Comparisons[given].LevelNames()) - 1)
	birthOff := birthDatesApart(m.Comparisons[birth])
	var class, both float64
	for key, n := range counts {
		g, b := score.LevelOf(key, given), score.LevelOf(key, birth)
		if g == score.LevelNull || b == score.LevelNull {
			continue
		}
		p := score.Probability(m.PatternWeight(key)) * float64(n)
		class += p
		if givenElse&(1<<g) != 0 && birthOff&(1<<b) != 0 {
			both += p
		}
	}
	if class == 0 {
		return 0, false
	}
	return both / class, true
}
