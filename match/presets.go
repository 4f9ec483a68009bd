package match

import (
	"github.com/studentlink/studentlink/block"
	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

// StudentColumns are the columns of the student CSV:
// record_id, lea_id, school_id, ssid, first_name, middle_name, last_name, suffix,
// birth_date, sex, grade_level, address, city, zip, entry_date. All but record_id may be
// absent from a file's header.
func StudentColumns() []Column {
	return []Column{
		{Name: "lea_id", Role: normalize.RoleLEA, Optional: true},
		{Name: "school_id", Role: normalize.RoleSchool, Optional: true},
		{Name: "ssid", Role: normalize.RoleSSID, Optional: true},
		{Name: "first_name", Role: normalize.RoleGiven, Optional: true},
		{Name: "middle_name", Role: normalize.RoleMiddle, Optional: true},
		{Name: "last_name", Role: normalize.RoleFamily, Optional: true},
		{Name: "suffix", Role: normalize.RoleSuffix, Optional: true},
		{Name: "birth_date", Role: normalize.RoleBirthDate, Optional: true},
		{Name: "sex", Role: normalize.RoleSex, Optional: true},
		{Name: "grade_level", Role: normalize.RoleGrade, Optional: true},
		{Name: "address", Role: normalize.RoleAddress, Optional: true},
		{Name: "city", Role: normalize.RoleCity, Optional: true},
		{Name: "zip", Role: normalize.RoleZip, Optional: true},
		{Name: "entry_date", Role: normalize.ExtraRole("entry_date"), Optional: true},
	}
}

// StudentSettings is the preset for state student rolls in the student CSV: dedupe and
// link across LEAs, with the student comparisons and blocking rules and a cannot-link rule
// for twins (given names and SSIDs that both disagree).
func StudentSettings() Settings {
	return Settings{
		Name:        "student",
		Version:     "student-1",
		Mode:        ModeLinkAndDedupe,
		IDColumn:    "record_id",
		Columns:     StudentColumns(),
		Comparisons: score.StudentComparisons(),
		Blocking:    block.StudentRules(),
		MaxBlock:    5000,
		Thresholds:  Thresholds{Upper: 4, Lower: 0, Different: -25},
		CannotLink:  studentCannotLink(),
		Training: Training{UPairs: 400_000, Seed: 1, MaxIterations: 50, Tolerance: 1e-4,
			Sessions: studentSessions(),
			// A state's SSIDs: about 1% of submissions mistype one (one digit or two
			// swapped), a few in a thousand carry another student's.
			M: map[string]map[string]float64{"ssid": {"exact": 0.985, "one_edit": 0.01, "else": 0.005}}},
	}
}

// studentSessions train the student model: pairs sharing an SSID teach how names and
// birth dates of one student vary; pairs sharing given name and birth date, and pairs
// sharing both names, teach how SSIDs, addresses and the rest vary.
func studentSessions() []Session {
	exact := func(comp ...string) []Condition {
		var out []Condition
		for _, c := range comp {
			out = append(out, Condition{Comparison: c, Levels: []string{"exact"}})
		}
		return out
	}
	return []Session{
		{Name: "same SSID", Conditions: exact("ssid")},
		{Name: "same given name and birth date", Conditions: exact("given_name", "birth_date")},
		{Name: "same given and family names", Conditions: exact("given_name", "family_name")},
	}
}

// PersonColumns are the columns of the FEBRL datasets. rec_id is the record ID (and in
// FEBRL encodes the truth: it is never compared).
func PersonColumns() []Column {
	return []Column{
		{Name: "given_name", Role: normalize.RoleGiven},
		{Name: "surname", Role: normalize.RoleFamily},
		{Name: "street_number", Role: normalize.RoleAddress},
		{Name: "address_1", Role: normalize.RoleAddress},
		{Name: "address_2", Role: normalize.ExtraRole("address_2")},
		{Name: "suburb", Role: normalize.RoleCity},
		{Name: "postcode", Role: normalize.RoleZip},
		{Name: "state", Role: normalize.ExtraRole("state")},
		{Name: "date_of_birth", Role: normalize.RoleBirthDate},
		{Name: "soc_sec_id", Role: normalize.RoleSSID},
	}
}

// PersonSettings is the preset for person records with the FEBRL columns.
func PersonSettings() Settings {
	return Settings{
		Name:        "person",
		Version:     "person-1",
		Mode:        ModeDedupe,
		IDColumn:    "rec_id",
		Columns:     PersonColumns(),
		Comparisons: score.PersonComparisons(),
		Blocking:    block.PersonRules(),
		Thresholds:  Thresholds{Upper: 6, Lower: 0, Different: -20},
		Training:    Training{UPairs: 400_000, Seed: 1, MaxIterations: 50, Tolerance: 1e-4},
	}
}

// studentCannotLink keeps twins and siblings apart. Twins: records whose SSIDs disagree
// and whose given names differ (even by a letter: Maria and Marta) are different
// students. Siblings: records whose birth dates disagree outright are different students
// unless their SSIDs agree. On a roll without SSIDs, twins (same family name, birth date
// and address) can only be told apart by the given name: add "null" to the twins rule's
// ssid levels there, at the cost of refusing a record whose middle name stood in for its
// given name when the other record lacks the SSID.
func studentCannotLink() []CannotLink {
	return []CannotLink{{
		Name: "twins: different given names and different SSIDs",
		Conditions: []Condition{
			{Comparison: "given_name", Levels: []string{"jaro_winkler>=0.92", "jaro_winkler>=0.85", "metaphone", "else"}},
			{Comparison: "ssid", Levels: []string{"else"}},
			{Comparison: "name_swap", Levels: []string{"null", "else"}},
		},
	}, {
		Name: "siblings: different birth dates, SSIDs not the same",
		Conditions: []Condition{
			{Comparison: "birth_date", Levels: []string{"else"}},
			{Comparison: "ssid", Levels: []string{"null", "else"}},
		},
	}}
}
