package backpack

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// QuasiIdentifiers are the attributes of a record-level release that together could single
// a student out. Records makes every combination of them, as published, shared by at
// least k records.
var QuasiIdentifiers = []string{"birth_year", "sex", "race", "grade_level", "lea", "school"}

// ResearchRecord is one student of a record-level release: a key and the
// quasi-identifiers as generalised. "*" is a value removed; "(not reported)" a value the
// LEAs did not report.
type ResearchRecord struct {
	// Key is the Extractor's keyed hash of the student's identity.
	Key                                           string
	BirthYear, Sex, Race, GradeLevel, LEA, School string
}

func (r ResearchRecord) quasi() [6]string {
	return [6]string{r.BirthYear, r.Sex, r.Race, r.GradeLevel, r.LEA, r.School}
}

// ResearchScore is a student's latest result in one subject in a record-level release:
// no date, grade or school year, which would undo the generalisation of the record. The
// assessment is generalised to its subject (AssessmentSubject): an identifier such as
// SA-2011-Mathematics-Fifth grade names the grade and the year.
type ResearchScore struct {
	Key         string
	Subject     string
	Performance string
	Score       string
}

// UnknownSubject is the subject of an assessment whose identifier names none.
const UnknownSubject = "(subject not known)"

// subjectWords maps the words of assessment identifiers to subjects.
var subjectWords = map[string]string{
	"math": "Mathematics", "mathematics": "Mathematics", "maths": "Mathematics", "algebra": "Mathematics", "geometry": "Mathematics",
	"reading": "English Language Arts", "ela": "English Language Arts", "english": "English Language Arts", "literacy": "English Language Arts", "writing": "English Language Arts",
	"science": "Science", "biology": "Science", "chemistry": "Science", "physics": "Science",
	"social": "Social Studies", "history": "Social Studies", "civics": "Social Studies",
}

// AssessmentSubject generalises an assessment identifier to its subject, the only part
// of it a record-level release shows: the first word of the identifier that names one
// (SA-2011-Mathematics-Fifth grade → Mathematics, RISE-ELA → English Language Arts), or
// UnknownSubject. Grades, years, forms and opaque IDs are dropped.
func AssessmentSubject(id string) string {
	for _, w := range strings.FieldsFunc(strings.ToLower(id), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if s, ok := subjectWords[w]; ok {
			return s
		}
	}
	return UnknownSubject
}

// RecordRelease is a record-level research release: k-anonymous on QuasiIdentifiers.
type RecordRelease struct {
	K       int
	Records []ResearchRecord
	Scores  []ResearchScore
	// Generalised says how each quasi-identifier was generalised, in QuasiIdentifiers
	// order ("birth_year: 5-year bands"), then how the scores' assessments were.
	Generalised []string
	// Suppressed is the number of students left out: their combination stayed under K.
	Suppressed int
}

// MaxSuppressedShare is the largest share of students Records leaves out rather than
// generalise further.
const MaxSuppressedShare = 0.05

// generalisation is how far one quasi-identifier can be generalised: levels[0] is exact,
// the last level removes it.
type generalisation struct {
	levels []string
	apply  func(v string, level int) string
}

var generalisations = [6]generalisation{
	{[]string{"exact", "2-year bands", "5-year bands", "removed"}, generaliseYear},
	{[]string{"exact", "removed"}, keepOrRemove},
	{[]string{"exact", "removed"}, keepOrRemove},
	{[]string{"exact", "bands PK–K, 1–5, 6–8, 9–12", "removed"}, generaliseGrade},
	{[]string{"exact", "removed"}, keepOrRemove},
	{[]string{"exact", "removed"}, keepOrRemove},
}

const removed = "*"

func keepOrRemove(v string, level int) string {
	switch {
	case level > 0:
		return removed
	case v == "":
		return notReported
	}
	return v
}

func generaliseYear(v string, level int) string {
	y, err := strconv.Atoi(v)
	switch {
	case level == 3:
		return removed
	case err != nil:
		return notReported
	case level == 1:
		return fmt.Sprintf("%d–%d", y-y%2, y-y%2+1)
	case level == 2:
		return fmt.Sprintf("%d–%d", y-y%5, y-y%5+4)
	}
	return v
}

var gradeBands = map[string]string{"IT": "PK–K", "PK": "PK–K", "K": "PK–K", "1": "1–5", "2": "1–5", "3": "1–5", "4": "1–5",
	"5": "1–5", "6": "6–8", "7": "6–8", "8": "6–8", "9": "9–12", "10": "9–12", "11": "9–12", "12": "9–12"}

func generaliseGrade(v string, level int) string {
	switch {
	case level == 2:
		return removed
	case level == 1 && gradeBands[v] != "":
		return gradeBands[v]
	}
	return keepOrRemove(v, 0)
}

// Records makes a record-level release of the population, k-anonymous with k at least
// MinCount: every combination of the QuasiIdentifiers it publishes is shared by k or more
// records. It generalises each quasi-identifier as a whole (birth years to bands, grades
// to school levels, a value removed; a school is never kept once its LEA is removed, as
// it would name the LEA), choosing among all combinations of levels the one that loses
// least — the fewest records in the smallest groups, the sum over groups of their squared
// sizes — with at most MaxSuppressedShare of the students left out; the students whose
// combination stays under k are left out with their scores. It says what it generalised
// and how many it left out. Keys come from the extractor: the study's HMAC of each
// student's SSID or, without a usable one, student ID.
//
// k-anonymity holds for one release alone: two of overlapping students, each generalised
// its own way, joined on the key undo both. Claim every release in the ledger
// (ClaimRelease), which publishes a student at record level once.
func (x *Extractor) Records(pop *Population, k int) (*RecordRelease, error) {
	if k < MinCount {
		return nil, fmt.Errorf("backpack: research: k %d is below %d", k, MinCount)
	}
	n := len(pop.Students)
	if n < k {
		return nil, fmt.Errorf("backpack: research: %d students cannot make groups of %d", n, k)
	}
	raw := make([][6]string, n)
	for i, s := range pop.Students {
		raw[i] = [6]string{num(s.BirthYear), s.Sex, s.Race, s.GradeLevel, s.LEA, s.School}
	}
	best, bestLoss, bestOut := [6]int{}, -1, 0
	for _, levels := range generalisationLattice() {
		groups := map[[6]string]int{}
		for _, q := range raw {
			groups[generalise(q, levels)]++
		}
		loss, out := 0, 0
		for _, size := range groups {
			if size < k {
				out += size
			} else {
				loss += size * size
			}
		}
		loss += out * n
		if float64(out) > MaxSuppressedShare*float64(n) {
			continue
		}
		if bestLoss < 0 || loss < bestLoss {
			best, bestLoss, bestOut = levels, loss, out
		}
	}
	rel := &RecordRelease{K: k, Suppressed: bestOut}
	for q, g := range generalisations {
		rel.Generalised = append(rel.Generalised, QuasiIdentifiers[q]+": "+g.levels[best[q]])
	}
	groups := map[[6]string]int{}
	for _, q := range raw {
		groups[generalise(q, best)]++
	}
	for i, s := range pop.Students {
		g := generalise(raw[i], best)
		if groups[g] < k {
			continue
		}
		key := x.Key(s.id)
		rel.Records = append(rel.Records, ResearchRecord{Key: key, BirthYear: g[0], Sex: g[1], Race: g[2], GradeLevel: g[3], LEA: g[4], School: g[5]})
		// The latest result in each subject: several assessments of one subject (a grade's
		// each year) are one subject once generalised.
		bySubject := map[string]ResearchResult{}
		for _, r := range s.Results {
			sub := AssessmentSubject(r.Assessment)
			if old, ok := bySubject[sub]; !ok || cmp.Or(cmp.Compare(r.SchoolYear, old.SchoolYear), cmp.Compare(r.date, old.date)) > 0 {
				bySubject[sub] = r
			}
		}
		for sub, r := range bySubject {
			rel.Scores = append(rel.Scores, ResearchScore{Key: key, Subject: sub, Performance: r.Performance, Score: r.Score})
		}
	}
	rel.Generalised = append(rel.Generalised, "assessment: subject only (grade, year and form dropped)")
	slices.SortFunc(rel.Records, func(a, b ResearchRecord) int { return cmp.Compare(a.Key, b.Key) })
	slices.SortFunc(rel.Scores, func(a, b ResearchScore) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Subject, b.Subject))
	})
	if got := SmallestGroup(rel.Records); got < k {
		return nil, fmt.Errorf("backpack: research: internal error: a group of %d records under k %d", got, k)
	}
	return rel, nil
}

// generalisationLattice lists every combination of generalisation levels, least
// generalised first, without a school kept beside a removed LEA.
func generalisationLattice() [][6]int {
	out := [][6]int{{}}
	for q, g := range generalisations {
		var next [][6]int
		for _, l := range out {
			for level := range g.levels {
				l[q] = level
				next = append(next, l)
			}
		}
		out = next
	}
	out = slices.DeleteFunc(out, func(l [6]int) bool { return l[4] > 0 && l[5] == 0 })
	slices.SortStableFunc(out, func(a, b [6]int) int { return cmp.Compare(sum(a), sum(b)) })
	return out
}

func sum(l [6]int) int {
	s := 0
	for _, x := range l {
		s += x
	}
	return s
}

func generalise(q [6]string, levels [6]int) [6]string {
	for k, g := range generalisations {
		q[k] = g.apply(q[k], levels[k])
	}
	return q
}

// SmallestGroup returns the size of the smallest group of records sharing every
// quasi-identifier — how a reader counting a record file's rows would look for a student
// (0 for no records).
func SmallestGroup(recs []ResearchRecord) int {
	groups := map[[6]string]int{}
	for _, r := range recs {
		groups[r.quasi()]++
	}
	small := 0
	for _, n := range groups {
		if small == 0 || n < small {
			small = n
		}
	}
	return small
}

// WriteRecordsCSV writes the release's records as CSV with a header.
func (r *RecordRelease) WriteRecordsCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(append([]string{"key"}, QuasiIdentifiers...))
	for _, x := range r.Records {
		q := x.quasi()
		cw.Write(append([]string{x.Key}, q[:]...))
	}
	cw.Flush()
	return cw.Error()
}

// WriteScoresCSV writes the release's assessment results as CSV with a header.
func (r *RecordRelease) WriteScoresCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"key", "subject", "performance", "score"})
	for _, s := range r.Scores {
		cw.Write([]string{s.Key, s.Subject, s.Performance, s.Score})
	}
	cw.Flush()
	return cw.Error()
}
