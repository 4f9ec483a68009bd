package match

import (
	"slices"

	"github.com/studentlink/studentlink/block"
	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

// StudentColumns are the columns of the student CSV:
// record_id, lea_id, school_id, ssid, first_name, middle_name, last_name, suffix,
// full_name, other_names, birth_date, sex, grade_level, address, city, zip, email, phone,
// entry_date.
// All but record_id may be absent from a file's header. full_name ("Garcia, Ana M.",
// "Ana M. Garcia") is read when a record has neither a first nor a last name;
// other_names holds aliases and earlier legal names, separated by semicolons; email and
// phone are the student's or a guardian's (normalize.CleanEmail, normalize.CleanPhone):
// the preset blocks on them but does not weigh them (score.StudentComparisons);
// entry_date, the day the student entered the school, judges the birth date (a birth
// date on that day is none: normalize.BornOnEntry) and, with grade_level, gives the
// student's class (normalize.ClassOf), which the preset compares where a birth date is
// missing (score.ClassOf).
func StudentColumns() []Column {
	return []Column{
		{Name: "lea_id", Role: normalize.RoleLEA, Optional: true},
		{Name: "school_id", Role: normalize.RoleSchool, Optional: true},
		{Name: "ssid", Role: normalize.RoleSSID, Optional: true},
		{Name: "first_name", Role: normalize.RoleGiven, Optional: true},
		{Name: "middle_name", Role: normalize.RoleMiddle, Optional: true},
		{Name: "last_name", Role: normalize.RoleFamily, Optional: true},
		{Name: "suffix", Role: normalize.RoleSuffix, Optional: true},
		{Name: "full_name", Role: normalize.RoleFullName, Optional: true},
		{Name: "other_names", Role: normalize.RoleOtherNames, Optional: true},
		{Name: "birth_date", Role: normalize.RoleBirthDate, Optional: true},
		{Name: "sex", Role: normalize.RoleSex, Optional: true},
		{Name: "grade_level", Role: normalize.RoleGrade, Optional: true},
		{Name: "address", Role: normalize.RoleAddress, Optional: true},
		{Name: "city", Role: normalize.RoleCity, Optional: true},
		{Name: "zip", Role: normalize.RoleZip, Optional: true},
		{Name: "email", Role: normalize.RoleEmail, Optional: true},
		{Name: "phone", Role: normalize.RolePhone, Optional: true},
		{Name: "entry_date", Role: normalize.RoleEntryDate, Optional: true},
	}
}

// StudentSettings is the preset for state student rolls in the student CSV: dedupe and
// link across LEAs, with the student comparisons and blocking rules and a cannot-link rule
// for twins (given names and SSIDs that both disagree).
func StudentSettings() Settings {
	return Settings{
		Name:        "student",
		Version:     "student-39",
		Format:      SettingsFormat,
		Mode:        ModeLinkAndDedupe,
		IDColumn:    "record_id",
		Columns:     StudentColumns(),
		Comparisons: score.StudentComparisons(),
		Blocking:    block.StudentRules(),
		MaxBlock:    5000,
		Thresholds:  Thresholds{Upper: 3, Lower: 0, Different: -25},
		CannotLink:  studentCannotLink(),
		Training: Training{UPairs: 400_000, Seed: 1, MaxIterations: 500, Tolerance: 1e-4,
			// A state's SSIDs: about 1% of submissions mistype one (one digit or two
			// swapped), one in a thousand twice (or both records of a pair once), a few
			// in a thousand carry another student's.
			M: map[string]map[string]float64{"ssid": {"exact": 0.985, "one_edit": 0.01, "two_edits": 0.001, "else": 0.004}},
			// Pairs that share an SSID are nearly all one child's: how often one child's
			// names, birth date and home disagree is read there, not from every candidate
			// pair, where EM can take namesakes a few days apart for one child (see
			// Linker.Train). A roll without SSIDs, or with too few shared, trains by EM.
			Sessions: []Session{{Name: "same SSID", Conditions: []Condition{{Comparison: "ssid", Levels: []string{"exact"}}}}}},
	}
}

// PersonColumns are the columns of the FEBRL datasets, each optional: a file with other
// columns is matched by role (first_name for given_name, address for address_1, a
// full_name column for both names) and what it lacks is dropped, as the student preset
// does. FEBRL's street_number is read as the start of address_1 (its house number).
// rec_id is the record ID (and in FEBRL encodes the truth: it is never compared). email
// and phone are compared whole (score.Contact); FEBRL's phone_number fills phone.
func PersonColumns() []Column {
	return []Column{
		{Name: "given_name", Role: normalize.RoleGiven, Optional: true},
		{Name: "surname", Role: normalize.RoleFamily, Optional: true},
		{Name: "full_name", Role: normalize.RoleFullName, Optional: true},
		{Name: "address_1", Role: normalize.RoleAddress, Optional: true},
		{Name: "address_2", Role: normalize.ExtraRole("address_2"), Optional: true},
		{Name: "suburb", Role: normalize.RoleCity, Optional: true},
		{Name: "postcode", Role: normalize.RoleZip, Optional: true},
		{Name: "state", Role: normalize.ExtraRole("state"), Optional: true},
		{Name: "date_of_birth", Role: normalize.RoleBirthDate, Optional: true},
		{Name: "soc_sec_id", Role: normalize.RoleSSID, Optional: true},
		{Name: "email", Role: normalize.RoleEmail, Optional: true},
		{Name: "phone", Role: normalize.RolePhone, Optional: true},
	}
}

// PersonSettings is the preset for person records with the FEBRL columns. It has no
// cannot-link rules: nothing but the weight keeps apart twins who share a birth date and
// a home, whose address, suburb, postcode and state together outweigh different given
// names and SSNs. For children, or any roll where twins and siblings must stay apart,
// use StudentSettings, which reads the FEBRL columns too.
func PersonSettings() Settings {
	return Settings{
		Name:        "person",
		Version:     "person-5",
		Format:      SettingsFormat,
		Mode:        ModeDedupe,
		IDColumn:    "rec_id",
		Columns:     PersonColumns(),
		Comparisons: score.PersonComparisons(),
		Blocking:    block.PersonRules(),
		Thresholds:  Thresholds{Upper: 6, Lower: 0, Different: -20},
		Training:    Training{UPairs: 400_000, Seed: 1, MaxIterations: 500, Tolerance: 1e-4},
	}
}

// The student preset's belief rules, which the roll tests (CannotLink.MaxMatchShare).
const (
	oneSSIDTwins        = "twins: same family name, birth date and home, different given names, one SSID"
	differentBirthDates = "different birth dates"
	differentSexes      = "different given names and sexes"
	classesApartRule    = "classes two school years apart, a birth date missing"
)

// studentCannotLink keeps children apart who share much but are not one child.
//
//   - Twins: the same family name and a birth date the same or nearly (a day or a digit
//     apart, day and month swapped), different given names, SSIDs not the same; where both
//     SSIDs are there and differ outright (or two typos apart that one typo undone leaves
//     issued together: a twin's SSID mistyped), one household too (the same address, or no
//     address to tell: none at all, or either record's missing, the zip or city then as
//     near a home as the roll can tell), for the SSIDs then say the rest; SSIDs a digit apart are twins' in one home or two, and so are given names
//     alike (a typo's distance: Hailey and Bailey; or a nickname's: Jack and Jacob) with
//     SSIDs issued together, numbers at most MaxSSIDGap apart, where one child's mistyped
//     SSID would differ anywhere, unless a mark of one name misspelt ties them
//     (Jeremiah and Jermeiah: CannotLink.NotOneNameMisspelt); a record without a
//     given name and such an SSID is either twin's, and one without a family name whose
//     given name differs, in the twins' home on their birthday, one of them. One twin's given name as the other's
//     middle name ("Allison Mia" and "Mia") does not make them one. Given
//     names differ when they are neither the same, a nickname, one's middle name, nor a
//     typo of the other: with both SSIDs present (and different) a typo is Jaro–Winkler ≥
//     0.92, so that "Maria" and "Marta" are twins; with an SSID missing it is ≥ 0.85,
//     since the names are then all there is to go on and a typed name's typo must not
//     split a child — but names that close (0.85–0.92, or alike in sound) in one home
//     (or one record's address missing) with an SSID missing go to a reviewer rather
//     than link: Mason and Jason; not so where they bear a mark of one name mistyped
//     that twins' names seldom bear, two neighbouring letters swapped (Emma and mEma)
//     or one middle name written out on both (Jacob Lucas and Jacib Lucas:
//     CannotLink.NotOneNameMistyped). A birth date missing on one record, or known only to
//     its year, says less than one that agrees, so the twins rules on given names alike
//     (SSIDs different, missing or issued together) hold for it too, and twins under one
//     SSID or with SSIDs different, their given names different outright, are kept apart
//     with a birth date missing (the siblings rule below covers SSIDs a digit apart or
//     missing); none of these in a roll without birth dates (CannotLink.With). "Ella"
//     and "Emma" differ either way. Twins' SSIDs are often issued together and differ
//     in a digit. The same SSID on both, in one home (or no address to tell), is one
//     twin's SSID typed for the other as often as one child's given name recorded wrong:
//     a reviewer says which, unless one middle name written out on both (Vy Lan and Vjy
//     Lan Do) or two letters swapped mark one name mistyped (CannotLink.NotOneNameMistyped),
//     or more than 2% of the roll's pairs that share an SSID look so (a roll whose given
//     names are often replaced; CannotLink.MaxMatchShare).
//     For twins, a family name alike in spelling or sound (Johnson and Jonsen, Miller
//     and Mitler) counts as the same: a typo in one twin's family name does not make two
//     children one. Not so for given names alike with an SSID missing, where a typo in
//     each name is one child's as often. A middle name used as the given name
//     ("Mia" and "Emma Mia") is one child only where the other middle name fits (missing,
//     or the other's given name or its initial): "Mia Amelia" and "Emma Mia" are twins.
//     Given names alike (Jaro–Winkler ≥ 0.85: Julia and Juliana, Jonah and Jonas,
//     Kaylee and Haylee) are twins' too, in one home or two (both addresses there, or
//     one missing), SSIDs different or missing, where both are names the roll uses in
//     several families, neither sounds like the other nor is it two letters swapped,
//     and no middle name written out on both ties them: a typo seldom lands on another
//     name in use (CannotLink.GivenNamesInUse).
//   - Siblings: different given names and birth dates that disagree outright (or share
//     only the year), SSIDs not the same; or, a birth date missing on either record, the
//     same family name and home. Birth dates that differ in one part, both days the
//     calendar has (born on 14 May two years apart, or in one year months apart), are
//     siblings' too: a child's date mistyped is a digit or a swap off
//     (CannotLink.BothBirthDates).
//   - A given name missing on either record (not swapped with the family name), a birth
//     date and an SSID too, one home: the family name and the address are the
//     household's, not the child's.
//   - One SSID on two records of one family name whose given names differ (or are
//     alike in spelling only, Mason and Jason, or one is an initial or missing) and
//     whose birth dates disagree outright: two children sharing an SSID (a placeholder the
//     normalizer does not know, a sibling's or twin's ID typed for the other). Where the
//     roll sets aside both the one-SSID twins rule and the birth-date rule below (given
//     names often replaced and birth dates often wrong under one SSID), both at once on
//     one child's record is no longer rare, and this rule goes with them
//     (CannotLink.SetAsideWith).
//   - One SSID on two records whose middle names, both written out, differ outright and
//     whose birth dates do too (both written in full): brothers of one given name, one
//     enrolled under the other's SSID (James Daniel and James Michael).
//   - Given names not the same (a nickname of the other too: Sam and Samantha; one
//     name's two forms: Julian and Julia, Gabriel and Gabriella) and different sexes,
//     whatever the SSIDs: a boy and a girl. A sex left blank is the one its given name
//     says where the roll's families write the name for one sex (Daniel, Daniela:
//     CannotLink.SexFromGivenName), so that one blank does not merge boy and girl twins.
//     Where more than 2% of the candidate pairs that share an SSID and a given name have
//     different sexes, the roll records sexes carelessly, and the rule is set aside
//     (CannotLink.Belief), with the twins rule for a given name missing and sexes
//     different: the project's synthetic rolls have none such, a roll with one record in
//     ten given the other sex 13%.
//   - A given name that is only an initial of the other's and family names that differ
//     outright, SSIDs not the same: a letter, a birthday and a street are a
//     neighbour's as often as one child's.
//   - Middle names both written out that differ outright (not a nickname, typo or
//     initial of each other, nor the other's given name or a nickname of it, nor one's
//     words all within the other's, nor sharing a word with the other's family name, as
//     a second family name written as the middle name does), or one written out and
//     the other an initial of none of its record's names (Leilani M and Leilani Ana),
//     SSIDs not the same: namesakes born the same day.
//   - Generational suffixes on both records that name different generations (Jr and
//     Sr, II and III; Jr and II are one), SSIDs not the same, birth dates not the same
//     nor a typo apart (or missing): a father and his son, or cousins named for one
//     grandfather.
//   - Classes (grade and entry date) two school years apart or more where a birth date
//     is missing, SSIDs not the same: two children, namesakes of one home among them;
//     one child held back or moved up puts his class a year off. Where more than 2% of
//     the pairs of records sharing given name, family name and birth date have classes
//     that far apart (a roll writing today's grade beside the first entry date), the
//     rule is set aside.
//   - Different given names in a roll without birth dates, SSIDs not the same: twins with
//     nothing else to tell them apart.
//   - Family names that differ outright and two homes (both addresses there), neither
//     record with an SSID: namesakes sharing a given name, a birthday and a town, more
//     often than one child whose family name changed as she moved.
//   - Family names that differ outright (or one with a second name: Brown and
//     Brown-Thomas) and birth dates that do too (month and day both off, or more), both
//     dates written out in full, SSIDs not the same: step-siblings or foster children of
//     one given name in one home. Where the roll sets aside the
//     rule below (its dates often wrong under one SSID), this one goes with it.
//   - SSIDs that differ outright and places that differ (no address, zip or city in
//     common): namesakes born the same day, whom a state's roll holds by the hundred.
//   - Birth dates that disagree outright, SSIDs not the same: a child's birth date is
//     recorded with care, and a date wrong in every part is another child more often
//     than a typo. Where more than 2% of the candidate pairs that share an SSID have
//     such dates and the same given name (siblings under one SSID, their given names
//     different or alike, are not one child's dates recorded wrong:
//     CannotLink.NotTestedOn), the roll says otherwise and the rule is set aside
//     (CannotLink.MaxMatchShare):
//     in the project's synthetic rolls, whose damage follows what state data show, 0–0.1%
//     do; in FEBRL's generated sets 4.5–19%. Dates two digits apart in different years
//     (1995-10-27 and 1996-10-26, two_digits) disagree as much: a sibling a year and a
//     day apart as often as one child's date mistyped twice.
//
// A near SSID alone never links two children either: the SSID comparison's one_edit level
// counts only when the given names agree and the family names are alike (score.ID).
//
// Each rule holds whether or not the roll has SSIDs; a rule whose comparisons a roll
// lacks altogether is dropped (see Linker.Dropped).
func studentCannotLink() []CannotLink {
	differentGiven := Condition{Comparison: "given_name", Levels: []string{"else"}}
	notSwapped := Condition{Comparison: "name_swap", Levels: []string{"null", "else"}}
	otherSSID := Condition{Comparison: "ssid", Levels: []string{"null", "one_edit", "two_edits", "else"}}
	sameFamily := Condition{Comparison: "family_name", Levels: []string{"exact", "token", "jaro_winkler>=0.92"}}
	// A family name alike in spelling or sound is that family's (Johnson and Jonsen,
	// Schneider and Snyder, as one twin's record may carry it) where the given names
	// differ outright, or the SSIDs tie the records to one family (the same, or issued
	// together).
	alikeFamily := Condition{Comparison: "family_name", Levels: []string{"exact", "token", "jaro_winkler>=0.92", "jaro_winkler>=0.85", "phonetic"}}
	closeBirth := Condition{Comparison: "birth_date", Levels: []string{"exact", "day_month_swapped", "one_digit", "within_month"}}
	// Birth dates different outright: month and day both off, or more than a year's
	// digits.
	apartBirth := Condition{Comparison: "birth_date", Levels: []string{"same_year", "two_digits", "else"}}
	// Given names alike say one child no more where a birth date is missing, or known
	// only to its year (same_year: a year alone against a full date, or month and day
	// both off), than where the two agree: what keeps twins apart on one birthday does
	// so without one.
	closeOrUnknownBirth := Condition{Comparison: "birth_date", Levels: append(slices.Clone(closeBirth.Levels), "null", "same_year")}
	household := Condition{Comparison: "location", Levels: []string{"null", "address", "address_jaro_winkler>=0.9"}}
	// Where both SSIDs are there, given names differ unless Jaro–Winkler ≥ 0.92.
	notSameGiven := Condition{Comparison: "given_name", Levels: []string{"jaro_winkler>=0.85", "metaphone", "middle_swapped", "else"}}
	inUseAlike := Condition{Comparison: "given_name", Levels: []string{"jaro_winkler>=0.92", "jaro_winkler>=0.85"}}
	oneSSIDNot := Condition{Comparison: "ssid", Levels: []string{"null", "else"}}
	// SSIDs different: apart outright, or two typos apart where one typo undone leaves
	// them issued together, a twin's SSID mistyped (1000008311 and 1000508312); two
	// typos otherwise are one child's SSID mistyped twice.
	differentSSIDs := Condition{Comparison: "ssid", Levels: []string{"two_edits", "else"}}
	return []CannotLink{{
		Name: "twins: same family name and birth date, different given names and SSIDs",
		Conditions: []Condition{
			notSameGiven, notSwapped, alikeFamily, closeOrUnknownBirth, household, differentSSIDs,
		},
		MistypedTwinSSIDs: true,
		With:              []string{"birth_date"},
	}, {
		// The same, a record without an address: the zip or city the two share is no
		// more a home than no place at all (Mason and Jason, one's address not sent), and
		// in a roll without addresses it is the home as far as the roll can tell.
		Name: "twins: same family name and birth date, different given names and SSIDs, an address missing",
		Conditions: []Condition{
			notSameGiven, notSwapped, alikeFamily, closeOrUnknownBirth,
			{Comparison: "location", Levels: []string{"zip", "city"}}, differentSSIDs,
		},
		AddressMissing:    true,
		MistypedTwinSSIDs: true,
		With:              []string{"birth_date"},
	}, {
		// SSIDs a digit apart and issued together (near as numbers, a check digit after
		// them or not): twins, in one home or two (rules read the SSID's level the values
		// reach, one_edit, though it counts as no evidence where the given names differ:
		// score.ID). A digit apart further up is a typo, which lands anywhere in an SSID:
		// one child whose given name was replaced, not twins (FEBRL's Kieren and Allegra
		// Reid).
		Name: "twins: same family name and birth date, different given names, SSIDs a digit apart",
		Conditions: []Condition{
			differentGiven, notSwapped, alikeFamily, closeBirth,
			{Comparison: "ssid", Levels: []string{"one_edit", "two_edits"}},
		},
		NearSSIDs: true,
	}, {
		// Given names alike (Hailey and Bailey, Mason and Jason) and SSIDs issued
		// together, numbers a few apart: twins, not one child whose name and SSID were
		// both mistyped (a typo lands anywhere in an SSID), unless the names bear a mark
		// of one name misspelt that twins' never do (Jeremiah and Jermeiah: two letters
		// swapped). One middle name on both is no mark here: twins whose SSIDs were
		// issued together share one as often (Kaylee Marie and Kayla Marie).
		Name: "twins: same family name and birth date, given names alike, SSIDs issued together",
		Conditions: []Condition{
			{Comparison: "given_name", Levels: []string{"nickname", "jaro_winkler>=0.92", "jaro_winkler>=0.85", "metaphone", "middle_swapped"}},
			notSwapped, alikeFamily, closeOrUnknownBirth,
			{Comparison: "ssid", Levels: []string{"one_edit", "two_edits"}},
		},
		NearSSIDs:          true,
		NotOneNameMisspelt: true,
		With:               []string{"birth_date"},
	}, {
		// A record without a given name, its SSID a few apart from a child's of one
		// family and birthday: one twin's or the other's, which only a reviewer can say.
		Name: "twins: same family name and birth date, a given name missing, SSIDs issued together",
		Conditions: []Condition{
			{Comparison: "given_name", Levels: []string{"null"}},
			notSwapped, alikeFamily, closeBirth,
			{Comparison: "ssid", Levels: []string{"one_edit", "two_edits"}},
		},
		NearSSIDs: true,
	}, {
		// One SSID on twins: one twin's SSID typed on the other's record. A given name
		// recorded wrong outright on one child's record is no likelier, so a reviewer
		// says which.
		Name: oneSSIDTwins,
		Conditions: []Condition{
			differentGiven, notSwapped, alikeFamily, closeBirth, household,
			{Comparison: "ssid", Levels: []string{"exact"}},
		},
		NotOneNameMistyped: true,
		MaxMatchShare:      0.02,
	}, {
		// The same, one birth date missing: no likelier one child's, and the rule goes
		// with the one above where a roll sets that aside.
		Name: "twins: same family name and home, different given names, one SSID, a birth date missing",
		Conditions: []Condition{
			differentGiven, notSwapped, alikeFamily, household,
			{Comparison: "birth_date", Levels: []string{"null"}},
			{Comparison: "ssid", Levels: []string{"exact"}},
		},
		NotOneNameMistyped: true,
		With:               []string{"birth_date"},
		SetAsideWith:       []string{oneSSIDTwins},
	}, {
		Name: "twins: same family name and birth date, different given names, an SSID missing",
		Conditions: []Condition{
			differentGiven, notSwapped, alikeFamily, closeBirth,
			{Comparison: "ssid", Levels: []string{"null"}},
		},
	}, {
		// Given names a letter or a sound apart (Mason and Jason, Caleb and Kaleb), no
		// SSIDs to tell, one home: twins as often as one child's name mistyped, so a
		// reviewer says which, unless the names bear a mark of a typo that twins' names
		// seldom do (CannotLink.NotOneNameMistyped).
		Name: "twins: same family name, birth date and home, given names alike, an SSID missing",
		Conditions: []Condition{
			{Comparison: "given_name", Levels: []string{"jaro_winkler>=0.85", "metaphone"}},
			notSwapped, alikeFamily, closeOrUnknownBirth,
			{Comparison: "ssid", Levels: []string{"null"}},
			{Comparison: "location", Levels: []string{"address", "address_jaro_winkler>=0.9"}},
		},
		NotOneNameMistyped: true,
		With:               []string{"birth_date"},
	}, {
		// The same, one record without an address: the zip or city they share is the
		// twins' home as much as an address would be. Not so in a roll without addresses,
		// where given names alike in a home of a zip's thousands are one child's typo as
		// often (historical_50k 0.89 → 0.85 with the rule there).
		Name: "twins: same family name and birth date, given names alike, an SSID and an address missing",
		Conditions: []Condition{
			{Comparison: "given_name", Levels: []string{"jaro_winkler>=0.85", "metaphone"}},
			notSwapped, alikeFamily, closeOrUnknownBirth,
			{Comparison: "ssid", Levels: []string{"null"}},
			{Comparison: "location", Levels: []string{"zip", "city"}},
		},
		OneAddressMissing:  true,
		NotOneNameMistyped: true,
		With:               []string{"birth_date"},
	}, {
		// Given names alike (Julia and Juliana, Jonah and Jonas, Marisa and Marina:
		// Jaro–Winkler ≥ 0.92; Kaylee and Haylee, ≥ 0.85) that are two names the roll
		// uses in several families, not one sound: twins, in one home or two, where a
		// typo seldom lands on another name in use (CannotLink.GivenNamesInUse). No SSID,
		// or two: nothing else to tell them apart. A roll without addresses is left out: its
		// names are all it has (historical_50k's George and Georgina, one person).
		Name: "twins: same family name and birth date, two given names in use alike, SSIDs not one",
		Conditions: []Condition{
			inUseAlike, notSwapped, alikeFamily, closeBirth, oneSSIDNot,
			{Comparison: "location", Levels: []string{"address", "address_jaro_winkler>=0.9", "zip", "city", "else"}},
		},
		BothAddresses:   true,
		GivenNamesInUse: true,
	}, {
		// The same, one record without an address.
		Name: "twins: same family name and birth date, two given names in use alike, SSIDs not one, an address missing",
		Conditions: []Condition{
			inUseAlike, notSwapped, alikeFamily, closeBirth, oneSSIDNot,
			{Comparison: "location", Levels: []string{"zip", "city", "else"}},
		},
		OneAddressMissing: true,
		GivenNamesInUse:   true,
	}, {
		// One twin's record without the family name: the birth date and the home are
		// both twins', and the given names say which, alike (Mason, Jason) or not.
		Name: "twins: different given names, a family name missing, same birth date and home",
		Conditions: []Condition{
			{Comparison: "given_name", Levels: []string{"jaro_winkler>=0.85", "metaphone", "else"}}, notSwapped,
			{Comparison: "family_name", Levels: []string{"null"}},
			closeBirth, otherSSID,
			{Comparison: "location", Levels: []string{"address", "address_jaro_winkler>=0.9"}},
		},
	}, {
		// A record without a given name beside a child of the other sex, one birthday and
		// home: her twin brother, or his sister, whatever the family names say (a twin's
		// record may carry another name in that column); a sex recorded wrong on a record
		// that lost its given name too is rarer.
		Name: "twins: a given name missing, sexes different, same birth date and home",
		Conditions: []Condition{
			{Comparison: "given_name", Levels: []string{"null"}},
			closeBirth, otherSSID,
			{Comparison: "sex", Levels: []string{"else"}},
			{Comparison: "location", Levels: []string{"address", "address_jaro_winkler>=0.9"}},
		},
		SetAsideWith: []string{differentSexes},
	}, {
		// One twin's record written family name first (Johnson Isabella beside Evelyn
		// Johnson): the names differ as they stand, but one given name is the other's
		// family name, and the given names left are two, on one birthday in one home.
		// One child's record reversed and its given name replaced too is rarer.
		Name: "twins: one record's names reversed, different given names, same birth date and home",
		Conditions: []Condition{
			differentGiven, notSwapped,
			{Comparison: "family_name", Levels: []string{"else"}},
			closeBirth, otherSSID,
			{Comparison: "location", Levels: []string{"address", "address_jaro_winkler>=0.9"}},
		},
		NamesCrossed: true,
	}, {
		Name: "siblings: different given names and birth dates",
		Conditions: []Condition{
			differentGiven, notSwapped, otherSSID,
			apartBirth,
		},
	}, {
		// Siblings born on one calendar day some years apart, or in one year months
		// apart: one part of a real date differs outright, where a child's date mistyped
		// is a digit or a swap off.
		Name: "siblings: different given names, a birth date's part different",
		Conditions: []Condition{
			differentGiven, notSwapped, otherSSID,
			{Comparison: "birth_date", Levels: []string{"two_parts"}},
		},
		BothBirthDates: true,
	}, {
		// Siblings with a birth date missing, their SSIDs issued together (a digit off,
		// which does not count where given names differ): the family name and the home
		// are all the pair shares beside, and they are a family's, not a child's.
		Name: "siblings: same family name and home, different given names, no birth date to tell",
		Conditions: []Condition{
			differentGiven, notSwapped, sameFamily, otherSSID,
			{Comparison: "birth_date", Levels: []string{"null"}},
			{Comparison: "location", Levels: []string{"address", "address_jaro_winkler>=0.9"}},
		},
	}, {
		// A record without a given name, and no birth date or SSID to tell: its family
		// name and its home are a household's, and any child of it fits them as well as
		// the one it is (census: an initial alone, linked to a parent). Names swapped
		// are no given name missing.
		Name: "a given name missing, no birth date or SSID to tell: a household",
		Conditions: []Condition{
			{Comparison: "given_name", Levels: []string{"null"}}, notSwapped,
			{Comparison: "birth_date", Levels: []string{"null"}},
			{Comparison: "ssid", Levels: []string{"null"}},
			{Comparison: "location", Levels: []string{"address", "address_jaro_winkler>=0.9"}},
		},
	}, {
		// An SSID two children share is a placeholder pattern PlaceholderID does not
		// know, an ID reused or one typed for another child: a given name and a birth
		// date both wrong outright on one child's record is rarer, unless the roll shows
		// each often wrong under one SSID. Given names alike in spelling but not one
		// name's (Mason and Jason, Hailey and Bailey: jaro_winkler>=0.85), or one only an
		// initial, count as different: siblings are named so. Names alike in sound
		// (Jaxon and Jackson) or closer in spelling (Lily and Lilly) are one name's. A
		// given name missing says less than an initial.
		Name: "one SSID, two children: different given names and birth dates",
		Conditions: []Condition{
			{Comparison: "given_name", Levels: []string{"null", "jaro_winkler>=0.85", "initial", "else"}}, notSwapped, alikeFamily,
			{Comparison: "ssid", Levels: []string{"exact"}},
			apartBirth,
		},
		SetAsideWith: []string{oneSSIDTwins, differentBirthDates},
	}, {
		// The same, born on one calendar day years apart or in one year months apart
		// (real dates, one part different): siblings, one enrolled under the other's
		// SSID, as the siblings rule keeps them apart where their SSIDs differ.
		Name: "one SSID, two children: different given names, a birth date's part different",
		Conditions: []Condition{
			{Comparison: "given_name", Levels: []string{"null", "jaro_winkler>=0.85", "initial", "else"}}, notSwapped, alikeFamily,
			{Comparison: "ssid", Levels: []string{"exact"}},
			{Comparison: "birth_date", Levels: []string{"two_parts"}},
		},
		BothBirthDates: true,
		SetAsideWith:   []string{oneSSIDTwins, differentBirthDates},
	}, {
		// An SSID on two strangers, both names and the birth date different: a
		// placeholder the normalizer does not know (2000000001), not one child, unless the
		// roll shows given names and birth dates each often wrong under one SSID.
		Name: "one SSID, two strangers: given names, family names and birth dates different",
		Conditions: []Condition{
			differentGiven, notSwapped,
			{Comparison: "family_name", Levels: []string{"else"}},
			{Comparison: "ssid", Levels: []string{"exact"}},
			apartBirth,
		},
		SetAsideWith: []string{oneSSIDTwins, differentBirthDates},
	}, {
		// One SSID on two children of one given name (James Daniel and James Michael,
		// born years apart): middle names both written out that differ outright, and
		// birth dates that do, say two children, the SSID a sibling's typed for the other.
		// One child's record with its middle name and birth date both wrong is rarer,
		// whatever the roll's dates say.
		Name: "one SSID, two children: different middle names and birth dates",
		Conditions: []Condition{
			notSwapped,
			{Comparison: "ssid", Levels: []string{"exact"}},
			apartBirth,
		},
		DifferentMiddleNames: true,
		BothBirthDates:       true,
	}, {
		// A boy and a girl, their given names different: two children, twins or
		// siblings, whatever else they share (one under the other's SSID, a half-swapped
		// name leaving no family name to compare), more often than one child whose given
		// name and sex were both recorded wrong, where a roll records sexes with care.
		// Where more than 2% of the pairs under one SSID with one given name have
		// different sexes, the roll does not, and the rule is set aside (Belief).
		Name: differentSexes,
		Conditions: []Condition{
			{Comparison: "given_name", Levels: []string{"nickname", "jaro_winkler>=0.92", "jaro_winkler>=0.85", "metaphone", "middle_swapped", "else"}},
			notSwapped,
			{Comparison: "sex", Levels: []string{"else"}},
		},
		SexFromGivenName: true,
		MaxMatchShare:    0.02,
		Belief: []Condition{
			{Comparison: "given_name", Levels: []string{"exact"}},
			{Comparison: "sex", Levels: []string{"else"}},
		},
	}, {
		// An initial and a family name that differs outright: all the name says is a
		// letter, and a birthday and a street are a neighbour's as often as the child's.
		Name: "a given name only an initial, different family names",
		Conditions: []Condition{
			{Comparison: "given_name", Levels: []string{"initial"}},
			{Comparison: "family_name", Levels: []string{"else"}},
			otherSSID,
		},
	}, {
		// No name in common, however written, and no SSID or home to tell: a birthday
		// and a town are a classmate's as often as the child's. (EM trained on a few
		// dozen records took two such children for one whose names were both replaced.)
		Name: "no name in common, no SSID or home to tell",
		Conditions: []Condition{
			{Comparison: "given_name", Levels: []string{"else"}},
			notSwapped,
			{Comparison: "family_name", Levels: []string{"else"}},
			{Comparison: "ssid", Levels: []string{"null"}},
			{Comparison: "location", Levels: []string{"null", "zip", "city", "else"}},
		},
		NoNameInCommon: true,
	}, {
		// Namesakes born the same day, an SSID missing: a state's roll holds them by the
		// hundred, and where both middle names are written out they tell them apart.
		Name:                 "different middle names",
		Conditions:           []Condition{otherSSID},
		DifferentMiddleNames: true,
	}, {
		// A Jr and a Sr (or a III): a father and his son, or cousins named for one
		// grandfather, whatever else they share but a birthday; a suffix left off says
		// nothing. Birth dates the same or a typo apart are one child's, his suffix
		// written two ways (III and Jr.): a father and his son never share a birthday.
		Name: "different generational suffixes",
		Conditions: []Condition{otherSSID,
			{Comparison: "birth_date", Levels: []string{"null", "two_parts", "same_year", "two_digits", "else"}}},
		DifferentSuffixes: true,
	}, {
		// Classes two school years apart or more where a birth date is missing: two
		// children (namesakes of one home, a brother named for a brother), not one child
		// held back or moved up a grade, which puts his class a year off. Where both
		// records have birth dates, those say it. A roll that writes today's grade beside
		// the day a student first entered gives one child classes years apart, and sets
		// the rule aside.
		Name:          classesApartRule,
		Conditions:    []Condition{otherSSID, {Comparison: "birth_date", Levels: []string{"null"}}},
		ClassesApart:  true,
		MaxMatchShare: 0.02,
	}, {
		Name:       "different given names, and no birth dates in the roll to tell",
		Conditions: []Condition{differentGiven, notSwapped, otherSSID},
		Without:    []string{"birth_date"},
	}, {
		// Namesakes: in a state's roll, children who share a name and a birthday are
		// many; two SSIDs that differ outright and two places that differ say two of
		// them, more often than one child whose SSID was typed wrong and who moved,
		// unless both write out one middle name: namesakes seldom share that too, and a
		// child issued a second SSID as he moved is the duplicate a state looks for.
		Name: "different SSIDs and places",
		Conditions: []Condition{
			{Comparison: "ssid", Levels: []string{"else"}},
			{Comparison: "location", Levels: []string{"else"}},
		},
		NotOneMiddleName: true,
	}, {
		// Namesakes: a given name and a birthday in one town, family names that differ
		// outright and two homes, neither record with an SSID to say one child: two
		// children, more often than one whose family name changed as she moved. A record
		// with an SSID is left out: a student tied by one SSID across a move would be
		// voted apart by her records without one.
		Name: "different family names and homes, no SSIDs",
		Conditions: []Condition{
			notSwapped,
			{Comparison: "family_name", Levels: []string{"else"}},
			{Comparison: "location", Levels: []string{"zip", "city", "else"}},
		},
		BothAddresses: true,
		NoSSIDs:       true,
	}, {
		// A family name different outright or with a second one (Brown and Brown-Thomas)
		// and a birth date different outright (month and day both off, or worse), SSIDs
		// not the same: step-siblings or foster children sharing a given name and a home,
		// or namesakes in one building, far more often than one child whose family name
		// changed and whose birth date was recorded wrong.
		Name: "different family names and birth dates",
		Conditions: []Condition{
			notSwapped, otherSSID,
			{Comparison: "family_name", Levels: []string{"token", "else"}},
			apartBirth,
		},
		BothBirthDates: true,
		SetAsideWith:   []string{differentBirthDates},
	}, {
		Name: differentBirthDates,
		Conditions: []Condition{
			otherSSID,
			{Comparison: "birth_date", Levels: []string{"two_digits", "else"}},
		},
		MaxMatchShare: 0.02,
		// Siblings under one SSID (Adam and Beth, Mason and Jason, Samuel and Samantha,
		// an initial) are not one child's dates recorded wrong; only the same given name
		// says one child.
		NotTestedOn: []Condition{
			{Comparison: "given_name", Levels: []string{"null", "nickname", "jaro_winkler>=0.92", "jaro_winkler>=0.85", "metaphone", "middle_swapped", "initial", "else"}},
			notSwapped,
		},
	}}
}
