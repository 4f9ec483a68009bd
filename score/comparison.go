package score

import (
	"fmt"
	"strconv"

	"github.com/studentlink/studentlink/normalize"
)

// Kind names a built-in comparison.
type Kind string

// The built-in comparisons. Each has ordered levels from the strongest agreement to the
// weakest ("else"), after a "null" level for a value missing on either side.
const (
	// KindGivenName: exact / same nickname group / Jaro–Winkler ≥ each threshold / one
	// is the other's initial / same Double Metaphone code / swapped with the middle name /
	// else. Other given names
	// (aliases) take part: the best level over all pairs of names counts.
	KindGivenName Kind = "given_name"
	// KindFamilyName: exact / one is a token of the other's compound name / Jaro–Winkler
	// ≥ each threshold / same phonetic code / else. Two compound names that share a word
	// and differ outright in the others (García López, García Martínez) are else. Other
	// family names take part.
	KindFamilyName Kind = "family_name"
	// KindBirthDate: exact / day and month transposed / one digit edit in YYYYMMDD /
	// within one month / two of year, month and day the same / same year / two digits of
	// YYYYMMDD apart in different years, within 400 days / else. A date that names no
	// day (month 21) is compared by the numbers written.
	KindBirthDate Kind = "birth_date"
	// KindID: exact / one substitution or adjacent transposition / two of them / else, on
	// Role (ssid, local_id, email or phone). For email and phone, one_edit also takes one
	// character inserted or left out and there is no two_edits level: an ID has a fixed
	// length, an address or a number as typed has not.
	KindID Kind = "id"
	// KindExact: exact / else, on Role.
	KindExact Kind = "exact"
	// KindText: exact / Jaro–Winkler ≥ each threshold / else, on the folded key of Role.
	KindText Kind = "text"
	// KindNameSwap: given and family names swapped between the records / else.
	KindNameSwap Kind = "name_swap"
	// KindLocation compares where a record lives as one thing, most specific first: the
	// same address / an address with Jaro–Winkler ≥ each threshold / the same zip / the
	// same city (or Jaro–Winkler ≥ 0.9) / else; null when the two have no place field in
	// common. One comparison rather than three, because an address implies its zip and
	// its city: counted apart, a shared place would count three times.
	KindLocation Kind = "location"
)

// Comparison compares one aspect of two records. It is a value: it serializes to JSON.
type Comparison struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Role is the field compared by the id, exact and text kinds.
	Role normalize.Role `json:"role,omitempty"`
	// Thresholds are the Jaro–Winkler levels, highest first, for the name and text kinds.
	Thresholds []float64 `json:"thresholds,omitempty"`
	// TermFrequency adjusts the exact level by how common the value is.
	TermFrequency bool `json:"term_frequency,omitempty"`
	// Requires makes a level count only when another comparison agrees (see
	// Requirement).
	Requires []Requirement `json:"requires,omitempty"`
}

// Requirement makes level Level of a comparison count only when comparison Comparison
// is at one of Levels; otherwise the pair is taken to be null for it (no evidence either
// way). An SSID one digit off counts only when the given names agree, since a sibling's
// SSID, issued with the child's, is as often one digit off as a typo is.
type Requirement struct {
	Level      string   `json:"level"`
	Comparison string   `json:"comparison"`
	Levels     []string `json:"levels"`
}

// Level indexes shared by every comparison.
const (
	LevelNull  = 0 // a value is missing on one side: no evidence
	LevelExact = 1
)

// maxLevels bounds the levels of one comparison: a comparison vector packs each level in
// four bits.
const maxLevels = 16

// MaxComparisons is the most comparisons a model may have.
const MaxComparisons = 16

// GivenName returns the default given-name comparison.
func GivenName() Comparison {
	return Comparison{Name: "given_name", Kind: KindGivenName, Thresholds: []float64{0.92, 0.85}, TermFrequency: true}
}

// FamilyName returns the default family-name comparison.
func FamilyName() Comparison {
	return Comparison{Name: "family_name", Kind: KindFamilyName, Thresholds: []float64{0.92, 0.85}, TermFrequency: true}
}

// BirthDate returns the default birth-date comparison.
func BirthDate() Comparison { return Comparison{Name: "birth_date", Kind: KindBirthDate} }

// nearIDLevels are an identifier's levels short of exact.
var nearIDLevels = []string{"one_edit", "two_edits"}

// ID returns an identifier comparison on role (normalize.RoleSSID or RoleLocalID). Its
// one_edit and two_edits levels count only when the given names agree (exact, nickname,
// a typo, or one's given name the other's middle name): see Requirement.
func ID(role normalize.Role) Comparison {
	c := Comparison{Name: string(role), Kind: KindID, Role: role}
	for _, l := range nearIDLevels {
		c.Requires = append(c.Requires, Requirement{
			Level: l, Comparison: "given_name", Levels: []string{"exact", "nickname", "jaro_winkler>=0.92", "initial", "middle_swapped"},
		})
	}
	return c
}

// StudentID is ID for a state's student IDs, whose one_edit and two_edits levels also
// need the family names alike (in spelling or sound): siblings' SSIDs are issued
// together, and a sibling's or a stranger's SSID is as often a digit off as a typo is,
// so a near SSID is never evidence alone.
func StudentID(role normalize.Role) Comparison {
	c := ID(role)
	for _, l := range nearIDLevels {
		c.Requires = append(c.Requires, Requirement{
			Level: l, Comparison: "family_name", Levels: []string{"exact", "token", "jaro_winkler>=0.92", "jaro_winkler>=0.85", "phonetic"},
		})
	}
	return c
}

// Contact returns the comparison of an e-mail address or a telephone number (role
// normalize.RoleEmail or RolePhone): exact / one_edit (a character typed wrong, two
// swapped, one inserted or left out) / else, as for IDs but without two_edits. Agreeing
// on it counts only where the given names agree too (the same, a nickname, a typo, one's
// given name the other's middle name): a family's e-mail or a home's landline is as
// often a relative's as the person's own.
func Contact(role normalize.Role) Comparison {
	sameGiven := []string{"exact", "nickname", "jaro_winkler>=0.92", "middle_swapped"}
	return Comparison{Name: string(role), Kind: KindID, Role: role, Requires: []Requirement{
		{Level: "exact", Comparison: "given_name", Levels: sameGiven},
		{Level: "one_edit", Comparison: "given_name", Levels: sameGiven},
	}}
}

// Exact returns an exact-match comparison on role.
func Exact(role normalize.Role) Comparison {
	return Comparison{Name: string(role), Kind: KindExact, Role: role}
}

// Text returns a Jaro–Winkler comparison on role with the given thresholds.
func Text(role normalize.Role, thresholds ...float64) Comparison {
	return Comparison{Name: string(role), Kind: KindText, Role: role, Thresholds: thresholds}
}

// Location returns the comparison of address, zip and city with the given address
// thresholds.
func Location(thresholds ...float64) Comparison {
	return Comparison{Name: "location", Kind: KindLocation, Thresholds: thresholds}
}

// NameSwap returns the given–family swap comparison.
func NameSwap() Comparison { return Comparison{Name: "name_swap", Kind: KindNameSwap} }

// StudentComparisons are the comparisons for student rolls. A student's phone and
// e-mail, a parent's, are a household's, which twins, siblings and cousins at a
// grandparent's share: the student preset blocks on them but does not weigh them, as
// weighed they made namesake cousins one child and a child who moved two.
func StudentComparisons() []Comparison {
	return []Comparison{
		GivenName(), FamilyName(), BirthDate(), StudentID(normalize.RoleSSID),
		Exact(normalize.RoleSex), Location(0.9), NameSwap(), ClassOf(),
	}
}

// ClassOf returns the comparison of two records' classes (normalize.ClassOf: the school
// year a grade and an entry date say the student finishes grade 12): exact / else. It
// counts only where a birth date is missing, since a class is a birth year told
// another way (records with one birth date have one class): counted beside it, one
// fact would count twice.
func ClassOf() Comparison {
	dateMissing := []string{"null"}
	return Comparison{Name: "class_of", Kind: KindExact, Role: normalize.RoleClassOf, Requires: []Requirement{
		{Level: "exact", Comparison: "birth_date", Levels: dateMissing},
		{Level: "else", Comparison: "birth_date", Levels: dateMissing},
	}}
}

// PersonComparisons are the comparisons for person records with the FEBRL columns
// (address_2 and state as extra columns).
func PersonComparisons() []Comparison {
	return []Comparison{
		GivenName(), FamilyName(), BirthDate(), ID(normalize.RoleSSID),
		Text(normalize.RoleAddress, 0.9, 0.8), Text(normalize.ExtraRole("address_2"), 0.9, 0.8),
		Text(normalize.RoleCity, 0.9), Exact(normalize.RoleZip), Exact(normalize.ExtraRole("state")), NameSwap(),
		Contact(normalize.RoleEmail), Contact(normalize.RolePhone),
	}
}

// JaroWinklerLevel names the level of a name or text comparison at Jaro–Winkler threshold
// t ("jaro_winkler>=0.92").
func JaroWinklerLevel(t float64) string {
	return "jaro_winkler>=" + strconv.FormatFloat(t, 'f', -1, 64)
}

// LevelNames returns the names of the comparison's levels, "null" first.
func (c Comparison) LevelNames() []string {
	names := []string{"null", "exact"}
	jw := func() {
		for _, t := range c.Thresholds {
			names = append(names, JaroWinklerLevel(t))
		}
	}
	switch c.Kind {
	case KindGivenName:
		names = append(names, "nickname")
		jw()
		names = append(names, "initial", "metaphone", "middle_swapped")
	case KindFamilyName:
		names = append(names, "token")
		jw()
		names = append(names, "phonetic")
	case KindBirthDate:
		names = append(names, "day_month_swapped", "one_digit", "within_month", "two_parts", "same_year", "two_digits")
	case KindID:
		names = append(names, "one_edit")
		if !contactRole(c.Role) {
			names = append(names, "two_edits")
		}
	case KindText:
		jw()
	case KindNameSwap:
		names[1] = "swapped"
	case KindLocation:
		names[1] = "address"
		for _, t := range c.Thresholds {
			names = append(names, "address_"+JaroWinklerLevel(t))
		}
		names = append(names, "zip", "city")
	}
	return append(names, "else")
}

// idRole reports whether kind id may compare role.
func idRole(role normalize.Role) bool {
	switch role {
	case normalize.RoleSSID, normalize.RoleLocalID, normalize.RoleEmail, normalize.RolePhone:
		return true
	}
	return false
}

// Validate reports what is wrong with the comparison.
func (c Comparison) Validate() error {
	switch c.Kind {
	case KindGivenName, KindFamilyName, KindBirthDate, KindNameSwap, KindLocation:
	case KindID, KindExact, KindText:
		if _, ok := accessorFor(c.Role); !ok {
			return fmt.Errorf("score: comparison %q: kind %s cannot compare role %q", c.Name, c.Kind, c.Role)
		}
		if c.Kind == KindID && !idRole(c.Role) {
			return fmt.Errorf("score: comparison %q: kind id compares ssid, local_id, email or phone, not %q", c.Name, c.Role)
		}
	default:
		return fmt.Errorf("score: comparison %q: unknown kind %q", c.Name, c.Kind)
	}
	if c.Name == "" {
		return fmt.Errorf("score: a %s comparison has no name", c.Kind)
	}
	for k, t := range c.Thresholds {
		if !(t > 0 && t <= 1) || (k > 0 && t >= c.Thresholds[k-1]) {
			return fmt.Errorf("score: comparison %q: thresholds %v must be in (0, 1] and decreasing", c.Name, c.Thresholds)
		}
	}
	if n := len(c.LevelNames()); n > maxLevels {
		return fmt.Errorf("score: comparison %q has %d levels, at most %d are allowed", c.Name, n, maxLevels)
	}
	return nil
}
