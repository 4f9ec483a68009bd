package match

import (
	"cmp"
	"hash/maphash"
	"math"
	"slices"

	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

// namesInUse maps a name's key to the number of different names the roll writes it
// beside (a given name's family names, a family name's given names), for the names
// written beside at least UsualNameFamilies (see CannotLink.GivenNamesInUse).
type namesInUse map[string]int32

// countNamesInUse counts, per given name of t, the different family names its records
// carry, and per family name the different given names, and keeps the names with at
// least UsualNameFamilies. A family counts once however many of its children's records
// the roll holds, so that one child's name mistyped the same way in every year's
// submission is still one family's.
func countNamesInUse(t *normalize.Table) (given, family namesInUse) {
	// Names are numbered by key, and each record becomes the pair of its numbers;
	// sorted, a given name's different families are its run's distinct pairs, and a
	// family's given names the distinct pairs that end in it.
	ids := map[string]uint32{}
	var keys []string
	id := func(p *normalize.NamePart) uint32 {
		k, ok := ids[p.Key]
		if !ok {
			k = uint32(len(keys))
			ids[p.Key] = k
			keys = append(keys, p.Key)
		}
		return k
	}
	pairs := make([]uint64, 0, len(t.Given))
	for i, g := range t.Given {
		f := t.Family[i]
		if len(g.Key) < 2 || len(f.Key) < 2 { // missing, or an initial
			continue
		}
		pairs = append(pairs, uint64(id(g))<<32|uint64(id(f)))
	}
	slices.Sort(pairs)
	pairs = slices.Compact(pairs)
	perGiven, perFamily := make([]int32, len(keys)), make([]int32, len(keys))
	for _, p := range pairs {
		perGiven[p>>32]++
		perFamily[uint32(p)]++
	}
	inUse := func(counts []int32) namesInUse {
		use := namesInUse{}
		for k, n := range counts {
			if n >= UsualNameFamilies {
				use[keys[k]] = n
			}
		}
		return use
	}
	return inUse(perGiven), inUse(perFamily)
}

// twoNames reports whether x and y are two given names in use: different, neither one
// sound (their first Double Metaphone readings: Jaden's second, a Spanish one, is
// Aiden's) nor nicknames of one name, each in use, and the rarer in more families than
// typos of the commoner surely make (see NameTypoShare).
func (u namesInUse) twoNames(x, y *normalize.NamePart) bool {
	if x.Key == y.Key || x.Metaphone == y.Metaphone || normalize.SameNicknameGroup(x.Nicknames, y.Nicknames) {
		return false
	}
	fx, fy := u[x.Key], u[y.Key]
	if fx == 0 || fy == 0 {
		return false
	}
	return poissonTail(NameTypoShare*float64(max(fx, fy)), int(min(fx, fy))) < typoChance
}

// twoChildren reports whether record a of ta and record b of tb have given names that
// are two names in use (twoNames) and bear no mark of one name mistyped
// (oneNameMistyped).
func (u namesInUse) twoChildren(ta *normalize.Table, a int, tb *normalize.Table, b int, family familyMiddleNames) bool {
	return !oneNameMistyped(ta, a, tb, b, family) && u.twoNames(ta.Given[a], tb.Given[b])
}

// oneNameMistyped reports whether the given names of record a of ta and record b of tb
// bear a mark of one child's name mistyped that twins' names seldom bear (see
// CannotLink.NotOneNameMistyped): one middle name written out on both (Tiana Shaylee and
// Tina Shaylee: twins are seldom given one), or two neighbouring letters swapped (Emma
// and mEma; Christian and Christina, a typist's commonest slip landing on another name
// in use); or one record's given name the other's given and middle names written as one
// word (Maryann and Mary Ann, Jiwoo and Ji Woo: one name's two spellings). A middle name
// the roll shows a family giving every child (family) is no mark.
func oneNameMistyped(ta *normalize.Table, a int, tb *normalize.Table, b int, family familyMiddleNames) bool {
	if x, y := ta.Middle[a], tb.Middle[b]; !isInitial(x) && x.Key != "" && x.Key == y.Key {
		if _, ok := family[x.Key]; !ok {
			return true
		}
	}
	return oneNameMisspelt(ta, a, tb, b)
}

// oneNameMisspelt reports whether the given names of record a of ta and record b of tb
// bear a mark of one name misspelt (CannotLink.NotOneNameMisspelt): two neighbouring
// letters swapped, or one record's given name the other's given and middle names
// written as one word.
func oneNameMisspelt(ta *normalize.Table, a int, tb *normalize.Table, b int) bool {
	gx, gy := ta.Given[a], tb.Given[b]
	return transposed(gx.Key, gy.Key) || joinedNames(gx, gy, tb.Middle[b]) || joinedNames(gy, gx, ta.Middle[a])
}

// joinedNames reports whether given is q and m, a given and a middle name of two
// letters or more each (an initial joins nothing), written as one word.
func joinedNames(given, q, m *normalize.NamePart) bool {
	return len(q.Key) > 1 && len(m.Key) > 1 && given.Joins(q, m)
}

// transposed reports whether a and b differ only by two neighbouring letters swapped.
func transposed(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}

// typoChance is how unlikely typos must be to account for a rarer name's families.
const typoChance = 0.001

// poissonTail returns P(X ≥ k) for X Poisson with mean lambda > 0. Each term is taken
// from its logarithm, so that a name in a hundred thousand families (e^-lambda under
// the smallest float) still gets its tail.
func poissonTail(lambda float64, k int) float64 {
	if k <= 0 {
		return 1
	}
	term := func(i int) float64 { // P(X = i)
		lg, _ := math.Lgamma(float64(i) + 1)
		return math.Exp(float64(i)*math.Log(lambda) - lambda - lg)
	}
	if float64(k) <= lambda {
		below := 0.0
		for i := range k {
			below += term(i)
		}
		return max(0, 1-below)
	}
	// Above the mean the terms fall, each at most lambda/(k+1) of the one before.
	sum := 0.0
	for i := k; ; i++ {
		t := term(i)
		sum += t
		if t <= sum*1e-17 {
			return min(1, sum)
		}
	}
}

// useGivenNames gives the run's rules that read the roll's given names what they say:
// the names in use (CannotLink.GivenNamesInUse, and with the family names in use,
// CannotLink.NamesCrossed), the sexes they say
// (CannotLink.SexFromGivenName) and the middle names families give every child (for
// CannotLink.NotOneNameMistyped); the roll is counted only where such a rule stands.
func (l *Linker) useGivenNames(t *normalize.Table) {
	inUse := slices.ContainsFunc(l.cannot, func(c compiledCannotLink) bool { return c.inUse || c.crossed })
	bySex := slices.ContainsFunc(l.cannot, func(c compiledCannotLink) bool { return c.sexByName })
	mistyped := slices.ContainsFunc(l.cannot, func(c compiledCannotLink) bool { return c.inUse || c.notMistyped })
	if !inUse && !bySex && !mistyped {
		return
	}
	var family familyMiddleNames
	if mistyped {
		family = countFamilyMiddleNames(t)
	}
	var given, families namesInUse
	if inUse {
		given, families = countNamesInUse(t)
	}
	var sexes givenNameSexes
	if bySex {
		sexes = countGivenNameSexes(t)
	}
	l.cannot = slices.Clone(l.cannot) // an index built on an earlier run keeps its rules
	for i := range l.cannot {
		c := &l.cannot[i]
		if c.inUse || c.crossed {
			c.givenInUse = given
		}
		if c.crossed {
			c.familyInUse = families
		}
		if c.sexByName {
			c.nameSexes = sexes
		}
		if c.inUse || c.notMistyped {
			c.familyMiddles = family
		}
	}
}

// familyMiddleNames holds the keys of the middle names a roll shows families giving to
// every child (Van and Thi, a father's name): in at least FamilyMiddleHomes homes two
// children whose given names differ outright carry the name, and in at least
// FamilyMiddleShare of the homes where a child carries it beside a sibling with a
// middle name of his own, that one carries it too. A brother and a sister with
// different middle names are left out: families give Van to sons and Thi to daughters. Chance puts a common middle
// name (Marie, Lee) on two sisters in a few homes of every hundred. On twins a family
// middle name is no mark of one child (oneNameMistyped).
type familyMiddleNames map[string]struct{}

// FamilyMiddleHomes and FamilyMiddleShare: see familyMiddleNames.
const (
	FamilyMiddleHomes = 2
	FamilyMiddleShare = 0.5
)

// maxHomeRecords bounds the records of a home (one family name at one address) that
// countFamilyMiddleNames compares pairwise: more are a placeholder address's.
const maxHomeRecords = 64

// countFamilyMiddleNames finds t's family middle names (see familyMiddleNames). A home
// is a family name at an address; records without an address are left out.
func countFamilyMiddleNames(t *normalize.Table) familyMiddleNames {
	// Records are sorted by a hash of their home, so that a home's records make a run
	// (two homes of one hash, one in 2^64 pairs, would count as one).
	type homeRecord struct {
		home uint64
		rec  int32
	}
	recs := make([]homeRecord, 0, len(t.Given)/2)
	var h maphash.Hash
	for i := range t.Given {
		if m, f, g := t.Middle[i], t.Family[i], t.Given[i]; len(m.Key) > 1 && !isInitial(m) && len(f.Key) > 1 && len(g.Key) > 1 && !t.Address[i].Empty() {
			h.Reset()
			h.WriteString(f.Key)
			h.WriteByte(0)
			h.WriteString(t.Address[i].Key)
			recs = append(recs, homeRecord{h.Sum64(), int32(i)})
		}
	}
	slices.SortFunc(recs, func(a, b homeRecord) int { return cmp.Compare(a.home, b.home) })
	// beside counts, per middle name, the homes where a child carries it beside a
	// sibling with a middle name; shared, those where the sibling carries it too.
	beside, shared := map[string]int{}, map[string]int{}
	var besideHere, sharedHere []string
	for lo := 0; lo < len(recs); {
		hi := lo + 1
		for hi < len(recs) && recs[hi].home == recs[lo].home {
			hi++
		}
		if hi-lo <= maxHomeRecords {
			besideHere, sharedHere = besideHere[:0], sharedHere[:0]
			for i, ra := range recs[lo:hi] {
				for _, rb := range recs[lo+i+1 : hi] {
					a, b := ra.rec, rb.rec
					if !givenDifferOutright(t.Given[a], t.Given[b]) {
						continue
					}
					ma, mb := t.Middle[a].Key, t.Middle[b].Key
					switch {
					case ma == mb:
						besideHere = append(besideHere, ma)
						sharedHere = append(sharedHere, ma)
					case !normalize.OppositeSexes(t.Sex[a], t.Sex[b]):
						besideHere = append(besideHere, ma, mb)
					}
				}
			}
			for _, m := range sortedUnique(besideHere) {
				beside[m]++
			}
			for _, m := range sortedUnique(sharedHere) {
				shared[m]++
			}
		}
		lo = hi
	}
	out := familyMiddleNames{}
	for m, n := range shared {
		if n >= FamilyMiddleHomes && float64(n) >= FamilyMiddleShare*float64(beside[m]) {
			out[m] = struct{}{}
		}
	}
	return out
}

// sortedUnique sorts s in place and returns its distinct values.
func sortedUnique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// givenDifferOutright reports whether two given names are two children's beyond doubt:
// neither alike in sound or spelling (Jaro–Winkler under middleTypo) nor nicknames of one
// name.
func givenDifferOutright(x, y *normalize.NamePart) bool {
	return !x.SoundsLike(y) && !normalize.SameNicknameGroup(x.Nicknames, y.Nicknames) &&
		score.JaroWinklerText(x.Text, y.Text) < middleTypo
}
