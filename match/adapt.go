package match

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/studentlink/studentlink/block"
	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

// Dropped names a comparison, blocking rule or cannot-link rule left out of a run because
// the roll has no value for a role it reads, or, for a cannot-link rule, because the
// roll contradicts it (CannotLink.MaxMatchShare).
type Dropped struct {
	// Kind is "comparison", "blocking rule", "cannot-link rule" or "training session".
	Kind string `json:"kind"`
	Name string `json:"name"`
	// Roles are the roles it needs that no record has.
	Roles []normalize.Role `json:"roles"`
	// Reason says why, when it is not missing roles.
	Reason string `json:"reason,omitempty"`
}

func (d Dropped) String() string {
	if d.Reason != "" {
		return fmt.Sprintf("%s %q (%s)", d.Kind, d.Name, d.Reason)
	}
	var roles []string
	for _, r := range d.Roles {
		if r == normalize.RoleClassOf { // no column's: the two it is read from
			roles = append(roles, "grade_level with entry_date")
			continue
		}
		roles = append(roles, string(r))
	}
	return fmt.Sprintf("%s %q (no record has %s)", d.Kind, d.Name, strings.Join(roles, ", "))
}

// Dropped returns what the linker's last training left out of its settings for want of
// data, in the order of the settings, and the cannot-link rules its last run's roll set
// aside (CannotLink.MaxMatchShare).
func (l *Linker) Dropped() []Dropped { return append(slices.Clone(l.dropped), l.aside...) }

// adapt fits the settings to the roll before training: a comparison, blocking rule,
// cannot-link rule or training session that reads a role no record has a value for is
// dropped and listed (Linker.Dropped), so that a preset serves a file with any subset of
// its columns. When no blocking rule is left, the schema-agnostic Nearest rule is added.
func (l *Linker) adapt(p *Prepared) error {
	s := l.settings
	present := presentRoles(p.Table)
	missing := func(roles []normalize.Role) []normalize.Role { return absentRoles(roles, present) }
	var dropped []Dropped
	var comps []score.Comparison
	for _, c := range s.Comparisons {
		if m := missingRoles(c, present); len(m) > 0 {
			dropped = append(dropped, Dropped{Kind: "comparison", Name: c.Name, Roles: m})
			continue
		}
		comps = append(comps, c)
	}
	if len(comps) == 0 {
		// Nothing to compare (an empty roll, or one with none of the roles): keep the
		// settings as they are; every pair is null everywhere and nothing links.
		l.dropped, l.noData = nil, true
		return nil
	}
	has := func(name string) bool {
		return slices.ContainsFunc(comps, func(c score.Comparison) bool { return c.Name == name })
	}
	var rules []block.Rule
	for _, r := range s.Blocking {
		if m := missing(ruleRoles(r)); len(m) > 0 {
			dropped = append(dropped, Dropped{Kind: "blocking rule", Name: r.Name, Roles: m})
			continue
		}
		rules = append(rules, r)
	}
	if len(rules) == 0 {
		rules = append(rules, block.NearestRule())
	}
	// A condition on a dropped comparison holds when it admits the null level (every pair
	// is null there) and otherwise never, which drops its rule.
	keepRules := func(kind string, rs []CannotLink) []CannotLink {
		var out []CannotLink
		for _, r := range rs {
			if slices.ContainsFunc(r.Without, has) {
				continue // the roll has what the rule is for rolls without
			}
			var gone []normalize.Role
			without := false
			for _, name := range r.With {
				if !has(name) {
					without = true
					if k := slices.IndexFunc(s.Comparisons, func(x score.Comparison) bool { return x.Name == name }); k >= 0 {
						gone = append(gone, comparisonRoles(s.Comparisons[k])...)
					}
				}
			}
			var conds []Condition
			for _, c := range r.Conditions {
				if has(c.Comparison) {
					conds = append(conds, c)
				} else if !slices.Contains(c.Levels, "null") {
					k := slices.IndexFunc(s.Comparisons, func(x score.Comparison) bool { return x.Name == c.Comparison })
					gone = append(gone, comparisonRoles(s.Comparisons[k])...)
				}
			}
			if r.DifferentMiddleNames && !present[normalize.RoleMiddle] {
				gone = append(gone, normalize.RoleMiddle)
			}
			if r.DifferentSuffixes && !present[normalize.RoleSuffix] {
				gone = append(gone, normalize.RoleSuffix)
			}
			if r.ClassesApart && !present[normalize.RoleClassOf] {
				gone = append(gone, normalize.RoleClassOf)
			}
			if r.NearSSIDs && !present[normalize.RoleSSID] {
				gone = append(gone, normalize.RoleSSID)
			}
			if without || len(gone) > 0 || (len(conds) == 0 && !r.DifferentMiddleNames && !r.DifferentSuffixes) {
				dropped = append(dropped, Dropped{Kind: kind, Name: r.Name, Roles: missing(gone)})
				continue
			}
			r.Conditions = conds
			if len(r.Belief) > 0 {
				if r.Belief, _ = presentConditions(r.Belief, has); len(r.Belief) == 0 {
					r.MaxMatchShare = 0 // the roll cannot show the belief: the rule stands
				}
			}
			if len(r.NotTestedOn) > 0 {
				var every bool
				if r.NotTestedOn, every = presentConditions(r.NotTestedOn, has); every {
					// Every pair meets them: so does a condition naming every level of a
					// comparison the rule keeps.
					k := slices.IndexFunc(s.Comparisons, func(x score.Comparison) bool { return x.Name == conds[0].Comparison })
					r.NotTestedOn = []Condition{{Comparison: conds[0].Comparison, Levels: s.Comparisons[k].LevelNames()}}
				}
			}
			out = append(out, r)
		}
		return out
	}
	s.CannotLink = standAlone(keepRules("cannot-link rule", s.CannotLink))
	var sessions []CannotLink
	for _, ss := range s.Training.Sessions {
		sessions = append(sessions, CannotLink{Name: ss.Name, Conditions: ss.Conditions})
	}
	s.Training.Sessions = nil
	for _, ss := range keepRules("training session", sessions) {
		s.Training.Sessions = append(s.Training.Sessions, Session{Name: ss.Name, Conditions: ss.Conditions})
	}
	if len(s.Training.M) > 0 {
		known := map[string]map[string]float64{}
		for name, levels := range s.Training.M {
			if has(name) {
				known[name] = levels
			}
		}
		s.Training.M = known
	}
	s.Comparisons, s.Blocking = comps, rules
	adapted, err := New(s)
	if err != nil {
		return err
	}
	*l = *adapted
	l.dropped, l.noData = dropped, false
	return nil
}

// presentConditions returns conds without those on comparisons the roll lacks (every pair
// is null there, so they hold where they admit null), nil where one of those does not
// admit null (the conditions then never all hold), and every true where none is left
// and all hold for every pair.
func presentConditions(conds []Condition, has func(string) bool) (out []Condition, every bool) {
	for _, c := range conds {
		switch {
		case has(c.Comparison):
			out = append(out, c)
		case !slices.Contains(c.Levels, "null"):
			return nil, false
		}
	}
	return out, len(out) == 0
}

// standAlone clears the SetAsideWith of each rule that names one no longer among rules
// (left out for want of data): untested, it cannot be set aside, and the rule joining its
// belief stands.
func standAlone(rules []CannotLink) []CannotLink {
	out := slices.Clone(rules)
	for i, r := range out {
		if slices.ContainsFunc(r.SetAsideWith, func(n string) bool {
			return !slices.ContainsFunc(rules, func(x CannotLink) bool { return x.Name == n })
		}) {
			out[i].SetAsideWith = nil
		}
	}
	return out
}

// comparisonRoles lists the roles a comparison reads.
func comparisonRoles(c score.Comparison) []normalize.Role {
	switch c.Kind {
	case score.KindGivenName:
		return []normalize.Role{normalize.RoleGiven}
	case score.KindFamilyName:
		return []normalize.Role{normalize.RoleFamily}
	case score.KindBirthDate:
		return []normalize.Role{normalize.RoleBirthDate}
	case score.KindNameSwap:
		return []normalize.Role{normalize.RoleGiven, normalize.RoleFamily}
	case score.KindLocation:
		return []normalize.Role{normalize.RoleAddress, normalize.RoleZip, normalize.RoleCity}
	}
	return []normalize.Role{c.Role}
}

// ruleRoles returns the roles a blocking rule keys on, in its keys' order (none for a
// Nearest rule, which reads what the record has).
func ruleRoles(r block.Rule) []normalize.Role {
	var roles []normalize.Role
	for _, k := range r.Keys {
		roles = append(roles, k.Role)
	}
	return roles
}

// missingRoles returns the roles comparison c reads that no record of the roll has a
// value for (present), each once, when they leave it nothing to compare; nil when it can
// compare (a location comparison needs any one of its fields).
func missingRoles(c score.Comparison, present map[normalize.Role]bool) []normalize.Role {
	roles := comparisonRoles(c)
	out := absentRoles(roles, present)
	if c.Kind == score.KindLocation && len(out) < len(roles) {
		return nil // any of its fields will do
	}
	return out
}

// absentRoles returns the roles no record has a value for (present), each once.
func absentRoles(roles []normalize.Role, present map[normalize.Role]bool) []normalize.Role {
	var out []normalize.Role
	for _, r := range roles {
		if !present[r] && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// ErrNoNames is wrapped by the error for a roll whose records have no given or family
// name while the settings compare names: without names, twins (one birthday, one home)
// and a parent and child at one address cannot be told apart, and the run would merge
// them.
var ErrNoNames = errors.New("no record has a given or family name")

// checkNames refuses a roll with records but no given or family name on any of them,
// where the settings compare names (see ErrNoNames).
func (l *Linker) checkNames(p *Prepared) error {
	if p.Table.Len() == 0 || !slices.ContainsFunc(l.settings.Comparisons, func(c score.Comparison) bool {
		return c.Kind == score.KindGivenName || c.Kind == score.KindFamilyName
	}) {
		return nil
	}
	t := p.Table
	for i := range t.Len() {
		if hasGiven(t, i) || hasFamily(t, i) {
			return nil // the first named record ends the scan: no whole presentRoles
		}
	}
	if cols := nameColumns(p.Roll); len(cols) > 0 {
		return fmt.Errorf("match: %w, so children of one birthday and home could not be told apart: the name columns (%s) are empty in every record", ErrNoNames, strings.Join(cols, ", "))
	}
	return fmt.Errorf("match: %w, so children of one birthday and home could not be told apart: name the file's name columns (Settings.WithColumns; -columns given_name=Header,family_name=Header or full_name=Header)", ErrNoNames)
}

// nameColumns lists the columns of the roll's sources that feed a given, family or full
// name, each as "header in source".
func nameColumns(roll *Roll) []string {
	var cols []string
	for s, fields := range roll.roleFields {
		for _, role := range []normalize.Role{normalize.RoleGiven, normalize.RoleFamily, normalize.RoleFullName} {
			for _, f := range fields[role] {
				cols = append(cols, fmt.Sprintf("%s in %s", roll.Headers[s][f], roll.Sources[s]))
			}
		}
	}
	return cols
}

// hasGiven and hasFamily report whether record i of t has a given (family) name, its
// own or another it went by.
func hasGiven(t *normalize.Table, i int) bool { return !t.Given[i].Empty() || len(t.OtherGiven[i]) > 0 }
func hasFamily(t *normalize.Table, i int) bool {
	return !t.Family[i].Empty() || len(t.OtherFamily[i]) > 0
}

// presentRoles reports the roles at least one record of t has a value for. Each role's
// scan stops at the first record that has it.
func presentRoles(t *normalize.Table) map[normalize.Role]bool {
	out := map[normalize.Role]bool{}
	set := func(r normalize.Role, has func(i int) bool) {
		for i := range t.Len() {
			if has(i) {
				out[r] = true
				return
			}
		}
	}
	set(normalize.RoleGiven, func(i int) bool { return hasGiven(t, i) })
	set(normalize.RoleMiddle, func(i int) bool { return !t.Middle[i].Empty() })
	set(normalize.RoleFamily, func(i int) bool { return hasFamily(t, i) })
	set(normalize.RoleSuffix, func(i int) bool { return t.Suffix[i] != "" })
	set(normalize.RoleBirthDate, func(i int) bool { return t.BirthYear(i) != 0 }) // a year alone will do
	set(normalize.RoleSex, func(i int) bool { return t.Sex[i] != normalize.SexUnknown })
	set(normalize.RoleSSID, func(i int) bool { return t.SSID[i] != "" })
	set(normalize.RoleLocalID, func(i int) bool { return t.LocalID[i] != "" })
	set(normalize.RoleGrade, func(i int) bool { return t.Grade[i] != normalize.GradeUnknown })
	set(normalize.RoleClassOf, func(i int) bool { return t.ClassOf[i] != "" })
	set(normalize.RoleAddress, func(i int) bool { return !t.Address[i].Empty() })
	set(normalize.RoleCity, func(i int) bool { return !t.City[i].Empty() })
	set(normalize.RoleZip, func(i int) bool { return t.Zip[i] != "" })
	set(normalize.RoleLEA, func(i int) bool { return t.LEA[i] != "" })
	set(normalize.RoleSchool, func(i int) bool { return t.School[i] != "" })
	set(normalize.RoleEmail, func(i int) bool { return t.Email[i] != "" })
	set(normalize.RolePhone, func(i int) bool { return t.Phone[i] != "" })
	for k, name := range t.ExtraNames {
		set(normalize.ExtraRole(name), func(i int) bool { return !t.Extra[k][i].Empty() })
	}
	return out
}
