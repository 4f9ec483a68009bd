package match

import (
	"slices"

	"github.com/studentlink/studentlink/normalize"
)

// ComparedRoles lists the roles the settings' comparisons read, each once, in the order
// the comparisons first read them.
func (s Settings) ComparedRoles() []normalize.Role {
	var out []normalize.Role
	for _, c := range s.Comparisons {
		for _, r := range comparisonRoles(c) {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}

// RolesWithValues lists the roles at least one prepared record has a value for, in the
// order of normalize.Roles, extra columns after; an extra column the settings do not
// read, which Prepare leaves out of the table, counts where a record's field is not
// empty.
func (p *Prepared) RolesWithValues() []normalize.Role {
	present := presentRoles(p.Table)
	var out []normalize.Role
	for _, r := range normalize.Roles() {
		if present[r] {
			out = append(out, r)
		}
	}
	for _, name := range p.Roll.ExtraNames() {
		r := normalize.ExtraRole(name)
		if !slices.Contains(p.Table.ExtraNames, name) {
			for i := 0; i < p.Roll.Len() && !present[r]; i++ {
				present[r] = p.Roll.Value(i, r) != ""
			}
		}
		if present[r] && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// ReadRoles lists the roles the settings read, each once: those of the comparisons
// (ComparedRoles), then those the blocking rules key on.
func (s Settings) ReadRoles() []normalize.Role {
	out := s.ComparedRoles()
	for _, rule := range s.Blocking {
		for _, r := range ruleRoles(rule) {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}

// extrasRead returns the extra columns of names that the settings read, in their order,
// and where each is in names; pick is nil when they read them all. Prepare keeps only
// these in the table: a column nothing compares or blocks on (the person CSV's state)
// would cost a Text a record.
func (s Settings) extrasRead(names []string) (kept []string, pick []int) {
	read := s.ReadRoles()
	for k, name := range names {
		if slices.Contains(read, normalize.ExtraRole(name)) {
			kept, pick = append(kept, name), append(pick, k)
		}
	}
	if len(kept) == len(names) {
		return kept, nil
	}
	return kept, pick
}

// pickExtras returns the values of a record's extra columns that pick names (indexes
// into values; a missing one is empty) in a new slice, or values itself when pick is nil.
func pickExtras(values []string, pick []int) []string {
	if pick == nil {
		return values
	}
	if len(pick) == 0 {
		return nil
	}
	out := make([]string, len(pick))
	for j, k := range pick {
		if k < len(values) {
			out[j] = values[k]
		}
	}
	return out
}
