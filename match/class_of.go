package match

import (
	"fmt"
	"slices"

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
// than minAnchorPairs such pairs, training fits m as any other. It returns fixed (made
// when nil) with the comparison marked.
func readClassM(m *score.Model, fixed []bool, t *normalize.Table, rep *TrainingReport) []bool {
	c := slices.IndexFunc(m.Comparisons, func(x score.Comparison) bool {
		return x.Kind == score.KindExact && x.Role == normalize.RoleClassOf
	})
	if c < 0 {
		return fixed
	}
	judged, differ := classesOfOneChild(t)
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

// classesOfOneChild counts, among the records with a class, given and family names (not
// initials) and a full birth date, the pairs that share all three with the first record
// of theirs (judged), and those of them whose classes differ.
func classesOfOneChild(t *normalize.Table) (judged, differ int64) {
	type child struct {
		given, family string
		born          normalize.Date
	}
	first := map[child]int32{}
	for i := range t.Len() {
		g, f, d := t.Given[i].Key, t.Family[i].Key, t.BirthDate[i]
		if t.ClassOf[i] == "" || len(g) < 2 || len(f) < 2 || d.IsZero() {
			continue
		}
		k := child{g, f, d}
		j, ok := first[k]
		if !ok {
			first[k] = int32(i)
			continue
		}
		judged++
		if t.ClassOf[j] != t.ClassOf[i] {
			differ++
		}
	}
	return judged, differ
}
