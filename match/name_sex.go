package match

import (
	"slices"

	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

// givenNameSexes maps a given name's key to the one sex the roll writes it with, for the
// names that say a sex (see CannotLink.SexFromGivenName).
type givenNameSexes map[string]normalize.Sex

// A given name says a sex when the roll writes it for children of at least
// NameSexFamilies family names with a sex recorded, at most NameOtherSexShare of them
// the other sex: Daniel and Daniela do, Alex and Jordan seldom.
const (
	NameSexFamilies   = 5
	NameOtherSexShare = 0.05
)

// countGivenNameSexes counts, per given name of t, the family names its records carry
// with each sex, and keeps the names that say one. A family counts once per sex however
// many of its child's records the roll holds, so that one child's records do not make
// a name a boy's.
func countGivenNameSexes(t *normalize.Table) givenNameSexes {
	type seen struct {
		given, family string
		sex           normalize.Sex
	}
	counted := map[seen]bool{}
	counts := map[string]*[2]int{} // families with a boy, with a girl, of each given name
	for i, g := range t.Given {
		f, sex := t.Family[i], t.Sex[i]
		if len(g.Key) < 2 || len(f.Key) < 2 || sex != normalize.SexMale && sex != normalize.SexFemale {
			continue
		}
		k := seen{g.Key, f.Key, sex}
		if counted[k] {
			continue
		}
		counted[k] = true
		c := counts[g.Key]
		if c == nil {
			c = new([2]int)
			counts[g.Key] = c
		}
		if sex == normalize.SexMale {
			c[0]++
		} else {
			c[1]++
		}
	}
	sexes := givenNameSexes{}
	for name, c := range counts {
		n := float64(c[0] + c[1])
		switch {
		case n < NameSexFamilies:
		case float64(c[1]) <= NameOtherSexShare*n:
			sexes[name] = normalize.SexMale
		case float64(c[0]) <= NameOtherSexShare*n:
			sexes[name] = normalize.SexFemale
		}
	}
	return sexes
}

// of returns record i's sex: as recorded, or where it is missing, the one its given
// name says (SexUnknown when the name says none).
func (s givenNameSexes) of(t *normalize.Table, i int) normalize.Sex {
	if x := t.Sex[i]; x != normalize.SexUnknown {
		return x
	}
	return s[t.Given[i].Key]
}

// sexInferrable reports whether a pair's sexes may be read from its given names: not
// where the given names are nicknames of one name (Sam for Samantha as for Samuel: a
// roll whose Sams are boys says nothing of a Samantha's), nor where the pair shares an
// ID exactly and its birth dates do not differ outright (one SSID outweighs a sex read
// off a name: Daniela's record typed Daniel under her own SSID; Gabriela born two years
// after Gabriel, her record under his SSID, is his sister).
func (c compiledCannotLink) sexInferrable(key uint64) bool {
	if c.sexGiven >= 0 && int(score.LevelOf(key, c.sexGiven)) == c.sexNickname {
		return false
	}
	if c.sexBirth >= 0 && c.sexBirthApart&(1<<score.LevelOf(key, c.sexBirth)) != 0 {
		return true
	}
	return !slices.ContainsFunc(c.sexIDs, func(k int) bool { return score.LevelOf(key, k) == score.LevelExact })
}

// sexInferrableComparisons returns, for sexInferrable, the given name's comparison and
// its nickname level (-1, -1 where there is none), the ID comparisons, and the birth
// date's comparison (-1: none) with its levels that differ outright (birthDatesApart).
func sexInferrableComparisons(comps []score.Comparison) (given, nickname int, ids []int, birth int, apart uint32) {
	given, nickname, birth = -1, -1, -1
	for k, comp := range comps {
		switch {
		case comp.Kind == score.KindGivenName && given < 0:
			given, nickname = k, slices.Index(comp.LevelNames(), "nickname")
		case comp.Kind == score.KindBirthDate && birth < 0:
			birth, apart = k, birthDatesApart(comp)
		case comp.Kind == score.KindID:
			ids = append(ids, k)
		}
	}
	return given, nickname, ids, birth, apart
}

// holdsBySexOfName reports whether the rule holds for a pair whose sex comparison is
// null (a sex missing) once each missing sex is the one its given name says: the key
// meets every other condition, and the two sexes so read are known and differ.
func (c compiledCannotLink) holdsBySexOfName(key uint64, ta *normalize.Table, a int, tb *normalize.Table, b int) bool {
	if c.sexComp < 0 || score.LevelOf(key, c.sexComp) != score.LevelNull || !c.sexInferrable(key) {
		return false
	}
	for _, cond := range c.conds {
		if cond.comp != c.sexComp && cond.mask&(1<<score.LevelOf(key, cond.comp)) == 0 {
			return false
		}
	}
	return normalize.OppositeSexes(c.nameSexes.of(ta, a), c.nameSexes.of(tb, b))
}

// sexCondition returns the index of the rule's condition comparison that compares
// sexes with its levels set on the else level (sexes that differ), or -1.
func sexCondition(comps []score.Comparison, conds []condition) int {
	k := slices.IndexFunc(conds, func(c condition) bool {
		comp := comps[c.comp]
		return comp.Kind == score.KindExact && comp.Role == normalize.RoleSex &&
			c.mask&(1<<(len(comp.LevelNames())-1)) != 0
	})
	if k < 0 {
		return -1
	}
	return conds[k].comp
}
