package normalize

import "strconv"

// ClassOf returns the school year (by the calendar year it ends in, as Ed-Fi's SchoolYear
// names it) in which a student in grade g on day entered finishes grade 12 if promoted
// every year: the student's class, or cohort. A child's records from any year and school
// give one class; a namesake's is another in twelve cases of thirteen. School years start
// on 1 July. It returns 0 where it cannot tell: no entry date, or a grade outside
// kindergarten to grade 12 (preschool takes children of two ages; ungraded and adult
// classes none).
func ClassOf(g Grade, entered Date) int {
	if entered.IsZero() || g < GradeK || g > Grade12 {
		return 0
	}
	end := int(entered.Year)
	if entered.Month >= 7 {
		end++
	}
	return end + int(Grade12-g)
}

// classOfText returns ClassOf as Table.ClassOf stores it: "" for 0, else the year's
// digits, years 1900 to 2199 from one table so that a million records share them.
func classOfText(y int) string {
	switch {
	case y == 0:
		return ""
	case y >= 1900 && y < 1900+len(yearTexts):
		return yearTexts[y-1900]
	}
	return strconv.Itoa(y)
}

var yearTexts = func() (s [300]string) {
	for k := range s {
		s[k] = strconv.Itoa(1900 + k)
	}
	return s
}()
