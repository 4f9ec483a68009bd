package normalize

// Sex is a student's sex as districts code it; the zero value is SexUnknown.
type Sex uint8

const (
	SexUnknown Sex = iota
	SexFemale
	SexMale
	SexNonBinary // "X", Ed-Fi "Non-binary"
)

// OppositeSexes reports whether x and y are a girl's and a boy's. Non-binary (X) against
// either says nothing: one child's record may carry X at one LEA and F or M at another
// whose system codes only those two.
func OppositeSexes(x, y Sex) bool {
	return x != y && (x == SexFemale || x == SexMale) && (y == SexFemale || y == SexMale)
}

// Grade is a grade level; the zero value is GradeUnknown. Grades are ordered: a larger
// value is a later grade, so adjacent grades differ by one.
type Grade uint8

const (
	GradeUnknown   Grade = iota
	GradeInfant          // Ed-Fi "Infant/toddler"
	GradePreschool       // PK, Ed-Fi "Preschool/Prekindergarten"
	GradeK               // K, KG, 00, Ed-Fi "Kindergarten"
	Grade1
	Grade2
	Grade3
	Grade4
	Grade5
	Grade6
	Grade7
	Grade8
	Grade9
	Grade10
	Grade11
	Grade12
	GradePostsecondary // Ed-Fi "Postsecondary", "Grade 13"
	GradeUngraded      // Ed-Fi "Ungraded", "Other", "Adult Education"
)
