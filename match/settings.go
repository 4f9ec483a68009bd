package match

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/studentlink/studentlink/block"
	"github.com/studentlink/studentlink/internal/boundedfile"
	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

// Mode says which pairs of records the linker considers.
type Mode string

// Modes of linkage. In Link mode every input source (a file, an LEA's roll) is taken to
// hold each student at most once, so only pairs from different sources are compared and
// two records of one source never share a cluster.
const (
	ModeDedupe        Mode = "dedupe"
	ModeLink          Mode = "link"
	ModeLinkAndDedupe Mode = "link_and_dedupe"
)

// Thresholds are match weights (log2 posterior odds: the prior plus the evidence) that
// sort pairs into outcomes.
type Thresholds struct {
	// Upper: a pair at or above it links.
	Upper float64 `json:"upper"`
	// Lower: a pair at or above it but below Upper goes to the review queue.
	Lower float64 `json:"lower"`
	// Different: two records scoring below it are clearly different and never share a
	// cluster, however strong the links that would bring them together.
	Different float64 `json:"different"`
}

// Condition holds when a comparison's level is one of Levels (by level name).
type Condition struct {
	Comparison string   `json:"comparison"`
	Levels     []string `json:"levels"`
}

// CannotLink says two records are different students when all its conditions hold, for
// example twins: given names that disagree and SSIDs that disagree. Conditions read the
// level the values reach (score.Scorer.RawKey), before a requirement makes it count as no
// evidence: SSIDs a digit apart are one_edit to a rule whatever the given names.
type CannotLink struct {
	Name       string      `json:"name"`
	Conditions []Condition `json:"conditions"`
	// Without, when set, confines the rule to rolls that lack these comparisons
	// altogether (after the settings are fitted to the roll's columns): a rule for rolls
	// with no birth dates, say, that would be too blunt where they exist.
	Without []string `json:"without,omitempty"`
	// With, when set, confines the rule to rolls that have these comparisons (after the
	// settings are fitted to the roll's columns; a name no comparison has drops the rule):
	// a rule whose condition admits a missing birth date (one record's left blank) that
	// would be too blunt where no record has one.
	With []string `json:"with,omitempty"`
	// MaxMatchShare, when set, lets the roll test the rule: among the candidate pairs an
	// identifier of known reliability (a comparison Training.M sets, such as the SSID)
	// calls one person at its exact level, and whose values the rule's other conditions
	// can be judged on, a share surely over this one meeting them (at least 20 pairs, the
	// 99% lower confidence bound over it) sets the rule aside for the run, with a warning
	// (Result.RuleTests). Conditions that admit the null level are left out of the test.
	// Where fewer than 50 anchored pairs can be judged (a roll without SSIDs), the pairs
	// are the trained model's match class instead, each candidate pair counted by its
	// probability of being one person, provided EM learnt every m the test reads from
	// the roll without holding its class at the identity floor (RuleTest.ByModel). It
	// suits rules that state a belief about the data (a birth date is recorded with
	// care), not rules that keep twins apart.
	MaxMatchShare float64 `json:"max_match_share,omitempty"`
	// NotTestedOn leaves out of that test the anchored pairs that meet the rule and all
	// these conditions, so that they count neither as judged nor as met: under one SSID,
	// given names that are not the same (and not swapped with the family name) are two
	// children sharing an ID (siblings, Mason and Jason, a placeholder) as often as one
	// child, and their birth dates say nothing about how one child's are recorded. It
	// only ever lowers the share, so it never sets a rule aside that would stand without
	// it.
	NotTestedOn []Condition `json:"not_tested_on,omitempty"`
	// Belief, when set, is what the roll's test (MaxMatchShare) counts in place of the
	// rule's own conditions: the belief the rule rests on, where the rule's own pairs
	// cannot show it. A boy and a girl of different given names under one SSID are
	// siblings as often as one child; that a sex is recorded with care shows on the pairs
	// under one SSID with one given name (given_name exact, sex else). The rule's other
	// fields (middle names, sexes read off names, …) play no part in the test.
	Belief []Condition `json:"belief,omitempty"`
	// SetAsideWith names rules with a MaxMatchShare whose beliefs this rule joins: when
	// the roll's tests set every one of them aside, this rule goes too. A rule that two
	// things wrong at once on one record (a given name and a birth date) are rarer than
	// two children is refuted by a roll in which each is often wrong.
	SetAsideWith []string `json:"set_aside_with,omitempty"`
	// DifferentMiddleNames adds a condition no comparison states: both records' middle
	// names are written out and differ outright: not the same, not nicknames, a typo
	// (Jaro–Winkler ≥ 0.85) or an initial of each other, nor either the other's given
	// name; or one is written out and the other is an initial that starts no word of the
	// written-out record's given, middle or family name (Leilani M and Leilani Ana). Two
	// initials never differ outright: a typo in either is as likely. A rule with it is
	// dropped from rolls without middle names.
	DifferentMiddleNames bool `json:"different_middle_names,omitempty"`
	// NotOneMiddleName adds a condition no comparison states: the records do not both
	// write out one middle name (the same, not an initial). Namesakes who share a
	// birthday seldom share a middle name too: Santiago Miguel Álvarez of two towns
	// under two SSIDs is one child issued a second SSID as he moved.
	NotOneMiddleName bool `json:"not_one_middle_name,omitempty"`
	// DifferentSuffixes adds a condition no comparison states: both records carry a
	// generational suffix, and they name different generations (Jr and Sr, II and III;
	// Jr and II are one, which families write either way): a father and his son, or
	// cousins named for one grandfather. A rule with it is dropped from rolls without
	// suffixes.
	DifferentSuffixes bool `json:"different_suffixes,omitempty"`
	// ClassesApart adds a condition no comparison states: both records have a class
	// (normalize.ClassOf, from grade and entry date) and the classes are two school years
	// apart or more. One child held back or moved up a grade shows a class a year off;
	// two years is a different child as a rule (namesakes of one home, a brother named
	// for his brother). A rule with it is dropped from rolls without classes. Its
	// MaxMatchShare is tested on the pairs of records that share given name, family name
	// and full birth date (one child's): those with classes two years apart or more.
	ClassesApart bool `json:"classes_apart,omitempty"`
	// NearSSIDs adds a condition no comparison states: both records' SSIDs are numbers
	// issued together, as twins' are: at most MaxSSIDGap apart, or consecutive but for
	// their last digit (a check digit after them: …0701 and …0711), where a typo in the
	// SSID lands anywhere in it. A rule with it is dropped from rolls without SSIDs.
	NearSSIDs bool `json:"near_ssids,omitempty"`
	// MistypedTwinSSIDs narrows the rule, where two records' SSIDs are two typos apart
	// (score's two_edits), to SSIDs that one typo undone leaves issued together (see
	// NearSSIDs): a twin's SSID mistyped, not one child's mistyped twice. Records whose
	// SSIDs are otherwise apart it leaves to the rule's conditions.
	MistypedTwinSSIDs bool `json:"mistyped_twin_ssids,omitempty"`
	// OneAddressMissing adds a condition no comparison states: one record has an address
	// and the other none, so that a location level below the address (the same zip or
	// city) says nothing about whether the two share a home. A roll without addresses
	// never meets it: there the zip is the home as far as the roll can tell.
	OneAddressMissing bool `json:"one_address_missing,omitempty"`
	// AddressMissing adds a condition no comparison states: either record, or both, has
	// no address, so that the zip or city the two share is as near a home as the roll
	// can tell (a roll without addresses, or two records sent without them).
	AddressMissing bool `json:"address_missing,omitempty"`
	// BothAddresses adds a condition no comparison states: both records have an address,
	// so that a location level below the address (the same zip or city, or else) says
	// the two live in different homes. The rule stays in a model trained on a roll
	// without addresses, for the rolls with them it may score.
	BothAddresses bool `json:"both_addresses,omitempty"`
	// NoSSIDs adds a condition no comparison states: neither record has an SSID (the
	// ssid comparison's null level is either record's missing). A student tied by one
	// SSID across a move then keeps her records without one out of the rule's vote.
	NoSSIDs bool `json:"no_ssids,omitempty"`
	// BothBirthDates adds a condition no comparison states: both records have a birth
	// date the calendar has, written out in full. A date with no such day (19794826) or
	// no day at all is compared by its digits, and one part of it off is as often a
	// typo as another child's date.
	BothBirthDates bool `json:"both_birth_dates,omitempty"`
	// NoNameInCommon adds a condition no comparison states: no name of one record (given,
	// middle or family, or a word of one) is a name of the other, a nickname of it or a
	// typo of it (Jaro–Winkler ≥ 0.85), wherever it is written: names reversed and
	// mistyped ("Fdedrie Bailey", "Bailey Freddie") share one. The rule stays in a model
	// trained on a roll without middle names.
	NoNameInCommon bool `json:"no_name_in_common,omitempty"`
	// GivenNamesInUse adds a condition no comparison states: both given names are names
	// the roll itself uses, each written for children of at least UsualNameFamilies
	// family names, the rarer in more families than typos of the commoner could
	// surely account for (see NameTypoShare), and they are neither one sound (Aiden and
	// Aidan, Sara and Sarah) nor nicknames of one name. A typo seldom lands on another
	// name in use, and where it does it is far rarer than the name it came from (Jaden
	// typed Jaxen in one family, Jaden in thousands): two such names are two children's
	// (Julia and Juliana, Jonah and Jonas). Nor does it hold where both records write out
	// one middle name (Tiana Shaylee and Tina Shaylee: twins are seldom given one), or
	// where the names differ by two neighbouring letters swapped (Christian and
	// Christina: a typist's commonest slip): it implies NotOneNameMistyped. A roll too
	// small to show a name in several families never meets it.
	GivenNamesInUse bool `json:"given_names_in_use,omitempty"`
	// NamesCrossed adds a condition no comparison states: one record's given name is the
	// other's family name, a name the roll writes as a family name (beside more given
	// names than it is written beside family names as a given name), and the names left,
	// the other's given name and the first's family name, are two given names in use (as
	// GivenNamesInUse reads them): one twin's record written family name first, beside
	// the other's (Johnson Isabella and Evelyn Johnson). Where the name in common is a
	// given name (Hugh Moody and Waller Hugh), or a name left is none the roll gives, the
	// two are as likely one child's records, reversed with a name replaced.
	NamesCrossed bool `json:"names_crossed,omitempty"`
	// NotOneNameMistyped adds a condition no comparison states: the given names bear no
	// mark of one child's name mistyped that twins' names seldom bear: one middle name
	// written out on both records (Jacob Lucas and Jacib Lucas: twins are seldom given
	// one), or two neighbouring letters swapped (Emma and mEma, a typist's commonest
	// slip). A middle initial ties nothing. A rule with it may have a MaxMatchShare: the
	// test counts the pairs that meet its conditions, marked or not, as rolls whose
	// given names often differ under one SSID set it aside sooner.
	NotOneNameMistyped bool `json:"not_one_name_mistyped,omitempty"`
	// NotOneNameMisspelt is NotOneNameMistyped with the marks within the given names
	// alone: two neighbouring letters swapped, or one record's given name the other's
	// given and middle names written as one word. One middle name on both is no mark
	// here: twins whose SSIDs were issued together share one as often (Kaylee Marie and
	// Kayla Marie).
	NotOneNameMisspelt bool `json:"not_one_name_misspelt,omitempty"`
	// SexFromGivenName lets the rule's condition on sexes that differ (an exact
	// comparison of the sex at its else level) hold where a record's sex is missing and
	// its given name says one: a name the roll writes for children of at least
	// NameSexFamilies family names, at most NameOtherSexShare of them the other sex
	// (Daniel a boy's, Daniela a girl's; Alex and Jordan neither). Boy and girl twins
	// are then told apart by their names when one record leaves the sex blank. A pair
	// whose given names are nicknames of one name (Sam, Samantha), or that shares an ID
	// exactly on one birthday, keeps to the recorded sexes: one SSID outweighs a sex read
	// off a name, unless the birth dates differ outright too (a sister's record under
	// her brother's SSID).
	SexFromGivenName bool `json:"sex_from_given_name,omitempty"`
}

// UsualNameFamilies and NameTypoShare bound CannotLink.GivenNamesInUse. A name in use is
// written for children of at least UsualNameFamilies family names. Two names alike are
// two in use when the rarer's families are more than one typo of the commoner's could
// make, a typo landing on one spelling in at most NameTypoShare of the commoner's
// families, with probability under 0.001 (Poisson).
const (
	UsualNameFamilies = 3
	NameTypoShare     = 0.02
)

// MaxSSIDGap is how far apart, as numbers, two SSIDs issued together may be
// (CannotLink.NearSSIDs): a family's children enrolled on one day.
const MaxSSIDGap = 9

// Session is a training session: the candidate pairs meeting all its conditions.
type Session struct {
	Name       string      `json:"name"`
	Conditions []Condition `json:"conditions"`
}

// Training configures unsupervised training.
type Training struct {
	// UPairs is the number of random pairs EstimateU draws (default 1,000,000).
	UPairs int `json:"u_pairs,omitempty"`
	// Seed makes training reproducible.
	Seed uint64 `json:"seed"`
	// MaxIterations and Tolerance bound EM.
	MaxIterations int     `json:"max_iterations,omitempty"`
	Tolerance     float64 `json:"tolerance,omitempty"`
	// FixU keeps u at the EstimateU values during EM.
	FixU bool `json:"fix_u,omitempty"`
	// Sessions, when set, train m session by session (see Linker.Train): each names
	// conditions that select candidate pairs; its comparisons are left out of that session.
	// The model's prior is then the share of all pairs that match, so match weights are
	// posterior log-odds over the whole roll and fall, for the same evidence, as the roll
	// grows (more strangers share a name and birthday).
	Sessions []Session `json:"sessions,omitempty"`
	// M sets m for comparisons by name and level name instead of learning it: what is
	// known from outside the roll, such as how often an SSID is mistyped or belongs to
	// another student. Levels not listed share what the listed ones leave.
	M map[string]map[string]float64 `json:"m,omitempty"`
	// SetAside names the belief rules (CannotLink.MaxMatchShare) the roll trained on set
	// aside. Training fills it; a run with the trained model tests the rules again on
	// its own roll and sets aside only these: a roll cannot take away a rule the
	// training roll bore out.
	SetAside []string `json:"set_aside,omitempty"`
}

// Settings say what the input columns mean and how to link: the comparisons and their
// levels, the blocking rules, the thresholds. They serialize to JSON.
type Settings struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Format is the settings format, and the comparisons' level lists, the settings were
	// written for (SettingsFormat). LoadSettings reads only the current one: a rule's
	// level names mean what that format's levels meant. New takes settings built in code
	// without one (0) as the current format.
	Format int  `json:"format"`
	Mode   Mode `json:"mode"`
	// IDColumn holds each record's unique ID; Columns map the others to roles.
	IDColumn    string                `json:"id_column"`
	Columns     []Column              `json:"columns"`
	Dates       normalize.DateOptions `json:"dates"`
	Comparisons []score.Comparison    `json:"comparisons"`
	Blocking    []block.Rule          `json:"blocking"`
	// MaxBlock caps the records sharing one blocking key; larger blocks are skipped and
	// reported (0: no cap).
	MaxBlock   int          `json:"max_block,omitempty"`
	Thresholds Thresholds   `json:"thresholds"`
	CannotLink []CannotLink `json:"cannot_link,omitempty"`
	// MaxClusterSize caps the records of one student (0: no cap).
	MaxClusterSize int      `json:"max_cluster_size,omitempty"`
	Training       Training `json:"training"`
}

// Validate reports the first inconsistency in the settings.
func (s Settings) Validate() error {
	switch s.Mode {
	case ModeDedupe, ModeLink, ModeLinkAndDedupe:
	default:
		return fmt.Errorf("match: settings %q: unknown mode %q (want dedupe, link or link_and_dedupe)", s.Name, s.Mode)
	}
	if _, err := NewRoll(s.IDColumn, s.Columns); err != nil {
		return fmt.Errorf("match: settings %q: %w", s.Name, err)
	}
	if len(s.Comparisons) == 0 {
		return fmt.Errorf("match: settings %q: no comparisons", s.Name)
	}
	if len(s.Blocking) == 0 {
		return fmt.Errorf("match: settings %q: no blocking rules", s.Name)
	}
	if s.Thresholds.Lower > s.Thresholds.Upper {
		return fmt.Errorf("match: settings %q: lower threshold %g is above upper threshold %g", s.Name, s.Thresholds.Lower, s.Thresholds.Upper)
	}
	if s.Thresholds.Different > s.Thresholds.Lower {
		return fmt.Errorf("match: settings %q: different threshold %g is above lower threshold %g", s.Name, s.Thresholds.Different, s.Thresholds.Lower)
	}
	for name, levels := range s.Training.M {
		k := slices.IndexFunc(s.Comparisons, func(x score.Comparison) bool { return x.Name == name })
		if k < 0 {
			return fmt.Errorf("match: settings %q: training.m names unknown comparison %q", s.Name, name)
		}
		total := 0.0
		for level, p := range levels {
			if !slices.Contains(s.Comparisons[k].LevelNames()[1:], level) {
				return fmt.Errorf("match: settings %q: training.m: comparison %q has no level %q", s.Name, name, level)
			}
			if !(p > 0 && p < 1) {
				return fmt.Errorf("match: settings %q: training.m: %s %s = %g is not a probability strictly between 0 and 1", s.Name, name, level, p)
			}
			total += p
		}
		if total > 1+1e-9 {
			return fmt.Errorf("match: settings %q: training.m: the levels of %q sum to %g, over 1", s.Name, name, total)
		}
	}
	rules := slices.Clone(s.CannotLink)
	for _, a := range s.Training.Sessions {
		rules = append(rules, CannotLink{Name: a.Name, Conditions: a.Conditions})
	}

	for _, c := range rules {
		if n := countTrue(c.OneAddressMissing, c.AddressMissing, c.BothAddresses); n > 1 {
			return fmt.Errorf("match: settings %q: cannot-link rule %q: one_address_missing, address_missing and both_addresses: at most one", s.Name, c.Name)
		}
		if (c.DifferentMiddleNames || c.NotOneMiddleName || c.DifferentSuffixes || c.NearSSIDs || c.MistypedTwinSSIDs || c.OneAddressMissing || c.AddressMissing || c.BothAddresses || c.NoSSIDs || c.BothBirthDates || c.NoNameInCommon || c.GivenNamesInUse || c.NamesCrossed) && c.MaxMatchShare > 0 && len(c.Belief) == 0 {
			return fmt.Errorf("match: settings %q: cannot-link rule %q: a rule on middle names, suffixes, near SSIDs, addresses, SSIDs missing, birth dates in full, names in common, given names in use or names crossed cannot be tested on the roll (max_match_share)", s.Name, c.Name)
		}
		for _, name := range c.SetAsideWith {
			k := slices.IndexFunc(s.CannotLink, func(x CannotLink) bool { return x.Name == name })
			if k < 0 || s.CannotLink[k].MaxMatchShare <= 0 {
				return fmt.Errorf("match: settings %q: cannot-link rule %q: set_aside_with names %q, which is not a cannot-link rule with a max_match_share", s.Name, c.Name, name)
			}
		}
		if c.SexFromGivenName {
			if c.MaxMatchShare > 0 && len(c.Belief) == 0 {
				return fmt.Errorf("match: settings %q: cannot-link rule %q: a rule reading sexes from given names cannot be tested on the roll (max_match_share)", s.Name, c.Name)
			}
			if !slices.ContainsFunc(c.Conditions, s.onSexesDifferent) {
				return fmt.Errorf("match: settings %q: cannot-link rule %q: sex_from_given_name needs a condition on a comparison of the sex at its else level", s.Name, c.Name)
			}
		}
		if len(c.NotTestedOn) > 0 && c.MaxMatchShare <= 0 {
			return fmt.Errorf("match: settings %q: cannot-link rule %q: not_tested_on needs a max_match_share", s.Name, c.Name)
		}
		if len(c.Belief) > 0 && c.MaxMatchShare <= 0 {
			return fmt.Errorf("match: settings %q: cannot-link rule %q: belief needs a max_match_share", s.Name, c.Name)
		}
		if err := s.validConditions(c.Name, "conditions", c.Conditions); err != nil {
			return err
		}
		if err := s.validConditions(c.Name, "not_tested_on", c.NotTestedOn); err != nil {
			return err
		}
		if err := s.validConditions(c.Name, "belief", c.Belief); err != nil {
			return err
		}
	}
	return nil
}

// onSexesDifferent reports whether a condition holds for sexes that differ: it names an
// exact comparison of the sex and its else level.
func (s Settings) onSexesDifferent(cond Condition) bool {
	k := slices.IndexFunc(s.Comparisons, func(x score.Comparison) bool { return x.Name == cond.Comparison })
	return k >= 0 && s.Comparisons[k].Kind == score.KindExact && s.Comparisons[k].Role == normalize.RoleSex && slices.Contains(cond.Levels, "else")
}

// validConditions checks one list of a rule's conditions (field names it): each names a
// comparison of the settings and at least one of its levels, a condition with none
// never holding.
func (s Settings) validConditions(rule, field string, conds []Condition) error {
	for _, cond := range conds {
		if cond.Comparison == "" {
			return fmt.Errorf("match: settings %q: cannot-link rule %q: %s: a condition names no comparison", s.Name, rule, field)
		}
		k := slices.IndexFunc(s.Comparisons, func(x score.Comparison) bool { return x.Name == cond.Comparison })
		if k < 0 {
			return fmt.Errorf("match: settings %q: cannot-link rule %q: %s names unknown comparison %q", s.Name, rule, field, cond.Comparison)
		}
		levels := s.Comparisons[k].LevelNames()
		if len(cond.Levels) == 0 {
			return fmt.Errorf("match: settings %q: cannot-link rule %q: %s: the condition on %q lists no levels (levels: %v)", s.Name, rule, field, cond.Comparison, levels)
		}
		for _, l := range cond.Levels {
			if !slices.Contains(levels, l) {
				return fmt.Errorf("match: settings %q: cannot-link rule %q: %s: comparison %q has no level %q (levels: %v)", s.Name, rule, field, cond.Comparison, l, levels)
			}
		}
	}
	return nil
}

// NewRoll returns an empty roll for these settings' columns.
func (s Settings) NewRoll() (*Roll, error) { return NewRoll(s.IDColumn, s.Columns) }

// SavedModel is what Linker.Save writes: the settings and the trained model.
type SavedModel struct {
	Version  int         `json:"version"`
	Settings Settings    `json:"settings"`
	Model    score.Model `json:"model"`
}

// savedModelVersion 2: the birth-date comparison gained its two_digits level.
const savedModelVersion = 2

// SettingsFormat is the format settings files are written in. Format 2 added the birth
// date's two_digits level (dates two digits apart in different years), which format 1's
// else held; settings without a format are format 1.
const SettingsFormat = 2

// maxSettingsFile bounds a settings file: settings are a few kilobytes, and a path that
// is no file of settings (a device, a roll) must not be read whole.
const maxSettingsFile = 64 << 20

// LoadSettings reads settings from a JSON file written in the current SettingsFormat. A
// key the settings do not have (a misspelt "threshold") is an error naming it, not a
// default silently kept; so is a path that is not a regular file, or one over 64 MB.
func LoadSettings(path string) (Settings, error) {
	var s Settings
	f, err := boundedfile.Open(path, maxSettingsFile)
	if err != nil {
		return s, fmt.Errorf("match: settings %s: %w", path, err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("match: settings %s: %w", path, err)
	}
	if dec.More() {
		return s, fmt.Errorf("match: settings %s: more after the settings' JSON object", path)
	}
	switch {
	case s.Format > SettingsFormat:
		return s, fmt.Errorf("match: settings %s are format %d, written by a newer library; this one reads format %d: run them with that library, "+
			"or write settings with this one (examples/dedupe -print-settings)", path, s.Format, SettingsFormat)
	case s.Format < SettingsFormat:
		format := "have no format (format 1)"
		if s.Format != 0 {
			format = fmt.Sprintf("are format %d", s.Format)
		}
		return s, fmt.Errorf("match: settings %s %s; this library reads format %d, whose comparison levels differ "+
			"(format 1's birth-date else held dates two digits apart, now two_digits): write the settings again "+
			"(examples/dedupe -print-settings) and carry your changes over", path, format, SettingsFormat)
	}
	return s, s.Validate()
}

// Save writes the settings and the trained model as JSON.
func (l *Linker) Save(w io.Writer) error {
	if l.model == nil {
		return errNoModel
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(SavedModel{Version: savedModelVersion, Settings: l.settings, Model: *l.model})
}

// Load reads what Save wrote and returns a linker that scores without retraining.
func Load(r io.Reader) (*Linker, error) {
	var sm SavedModel
	if err := json.NewDecoder(r).Decode(&sm); err != nil {
		return nil, fmt.Errorf("match: reading saved model: %w", err)
	}
	if sm.Version != savedModelVersion {
		return nil, fmt.Errorf("%w: version %d, this library reads version %d, whose comparison levels differ: train the model again", ErrModelVersion, sm.Version, savedModelVersion)
	}
	l, err := New(sm.Settings)
	if err != nil {
		return nil, err
	}
	l.model = &sm.Model
	return l, nil
}

// ErrModelVersion is the error Load returns for a model saved by a library whose
// comparisons had other levels.
var ErrModelVersion = errors.New("match: a saved model of another version")

var errNoModel = errors.New("match: the linker has no trained model; call Train or Run first")

// countTrue counts the true values among bs.
func countTrue(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
