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
// order of normalize.Roles, extra columns after.
func (p *Prepared) RolesWithValues() []normalize.Role {
	present := presentRoles(p.Table)
	var out []normalize.Role
	for _, r := range normalize.Roles() {
		if present[r] {
			out = append(out, r)
		}
	}
	for _, name := range p.Table.ExtraNames {
		if r := normalize.ExtraRole(name); present[r] && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}
