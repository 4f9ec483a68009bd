package match

import (
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"

	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

// readClassM fixes, for training, the m of the comparison of classes (score.ClassOf)
// at what the roll shows: the share of pairs of records that share given name, family
// name and birth date (one child's, all but rarely) whose grades and entry dates give
// different classes. Training sees classes only where the comparison counts (no birth
// date to say the year), which EM may not reach and whose m it would fit beside
// everything else; these pairs say how a roll writes grades whatever its SSIDs. A roll
// whose grade is today's beside the day a student first entered, not the grade he
// entered, gives one child many classes, and there the class weighs little. With fewer
// than minAnchorPairs such pairs, training fits m as any other. one counts the pairs
// (classesOfOneChild). It returns fixed (made when nil) with the comparison marked.
func readClassM(m *score.Model, fixed []bool, one oneChildClasses, rep *TrainingReport) []bool {
	c := slices.IndexFunc(m.Comparisons, func(x score.Comparison) bool {
		return x.Kind == score.KindExact && x.Role == normalize.RoleClassOf
	})
	if c < 0 {
		return fixed
	}
	judged, differ := one.judged, one.differ
	if judged < minAnchorPairs {
		return fixed
	}
	names := m.Comparisons[c].LevelNames()
	exact, other := slices.Index(names, "exact"), slices.Index(names, "else")
	share := (float64(differ) + 1) / (float64(judged) + 2) // one of each seen beside: never 0 or 1
	m.M = slices.Clone(m.M)
	m.M[c] = slices.Clone(m.M[c])
	m.M[c][exact], m.M[c][other] = 1-share, share
	score.OrderLevels(m.M[c], m.U[c])
	if share > classWarnShare {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf(
			"%s: %d of %d pairs of records sharing given name, family name and birth date have different classes (grade and entry date): m read off them, exact %.3g",
			m.Comparisons[c].Name, differ, judged, m.M[c][exact]))
	}
	if fixed == nil {
		fixed = make([]bool, len(m.Comparisons))
	}
	fixed[c] = true
	return fixed
}

// classWarnShare is the share of one child's pairs with different classes over which the
// run warns: a child held back or moved up a grade now and then is a few in a hundred.
const classWarnShare = 0.2

// oneChildClasses counts the pairs of records that share given name, family name and
// full birth date (one child's, all but rarely) and have classes: judged; those whose
// classes differ; those whose classes are two school years apart or more (apart).
type oneChildClasses struct{ judged, differ, apart int64 }

// oneChildAnchor names the pairs oneChildClasses counts, in a rule test (RuleTest.Anchor).
const oneChildAnchor = "given_name, family_name and birth_date"

// classesOfOneChild counts, among the records with a class, given and family names (not
// initials) and a full birth date, the pairs that share all three (judged), those of
// them whose classes differ, and those whose classes are two years apart or more. Each
// record is a number, a hash of the three above its class (a year, under 2^16), sorted
// as countFamilyMiddleNames sorts homes: one child's records make a run, and within it
// each class a run of its own (two children of one 48-bit hash, about one pair in 10^14,
// would count as one). At 10^6 records a map of the three took half a second, a sort of
// structs a quarter.
func classesOfOneChild(t *normalize.Table) (one oneChildClasses) {
	keys := make([]uint64, 0, t.Len())
	var h maphash.Hash
	for i := range t.Len() {
		g, f, d, c := t.Given[i].Key, t.Family[i].Key, t.BirthDate[i], t.ClassOf[i]
		if c == "" || len(g) < 2 || len(f) < 2 || d.IsZero() {
			continue
		}
		h.Reset()
		h.WriteString(g)
		h.WriteByte(0)
		h.WriteString(f)
		h.WriteByte(byte(d.Year >> 8))
		h.WriteByte(byte(d.Year))
		h.WriteByte(d.Month)
		h.WriteByte(d.Day)
		year, _ := classYear(c)
		keys = append(keys, h.Sum64()&^0xFFFF|uint64(year)&0xFFFF)
	}
	slices.Sort(keys)
	pairs := func(n int64) int64 { return n * (n - 1) / 2 }
	for lo := 0; lo < len(keys); {
		hi, same, near := lo, int64(0), int64(0)
		prev, prevN := uint64(0), int64(0) // the class before this one, and its records
		for hi < len(keys) && keys[hi]>>16 == keys[lo]>>16 {
			k := hi
			for hi < len(keys) && keys[hi] == keys[k] {
				hi++
			}
			n := int64(hi - k)
			same += pairs(n)
			if prevN > 0 && keys[k]&0xFFFF == prev+1 {
				near += prevN * n // a year apart
			}
			prev, prevN = keys[k]&0xFFFF, n
		}
		all := pairs(int64(hi - lo))
		one.judged += all
		one.differ += all - same
		one.apart += all - same - near
		lo = hi
	}
	return one
}

// classesApart reports whether two classes (normalize.Table.ClassOf) are at least two
// school years apart (see CannotLink.ClassesApart); never where either is missing.
func classesApart(x, y string) bool {
	a, okA := classYear(x)
	b, okB := classYear(y)
	return okA && okB && (a-b >= 2 || b-a >= 2)
}

// classYear reads a class as normalize.Table.ClassOf writes it, a year's digits; ok is
// false for none ("").
func classYear(c string) (year int, ok bool) {
	y, err := strconv.Atoi(c)
	return y, err == nil
}

// oneChildClassesOf counts one child's classes in t (classesOfOneChild) where the
// settings read them: a comparison of classes, whose m training reads off them
// (readClassM), or a rule on classes tested on them (CannotLink.ClassesApart with a
// MaxMatchShare); else nothing, and no pass over the roll.
func (l *Linker) oneChildClassesOf(t *normalize.Table) oneChildClasses {
	s := l.settings
	if slices.ContainsFunc(s.Comparisons, func(c score.Comparison) bool { return c.Role == normalize.RoleClassOf }) ||
		slices.ContainsFunc(s.CannotLink, func(r CannotLink) bool { return r.ClassesApart && r.MaxMatchShare > 0 }) {
		return classesOfOneChild(t)
	}
	return oneChildClasses{}
}
