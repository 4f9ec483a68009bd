package normalize

import "strings"

// Role names what an input value means. Settings map input columns to roles; blocking
// rules and comparisons name the Table column they read by its role. The names are the
// snake_case forms used in JSON settings.
type Role string

const (
	RoleGiven      Role = "given_name"
	RoleMiddle     Role = "middle_name"
	RoleFamily     Role = "family_name"
	RoleSuffix     Role = "suffix"
	RoleFullName   Role = "full_name"
	RoleOtherNames Role = "other_names"
	RoleBirthDate  Role = "birth_date"
	RoleSex        Role = "sex"
	RoleSSID       Role = "ssid"
	RoleLocalID    Role = "local_id"
	RoleGrade      Role = "grade_level"
	RoleAddress    Role = "address"
	RoleCity       Role = "city"
	RoleZip        Role = "zip"
	RoleLEA        Role = "lea"
	RoleSchool     Role = "school"
	RoleEmail      Role = "email"
	RolePhone      Role = "phone"
	// RoleEntryDate is the day the record's student entered the school: nothing is
	// compared on it, but a birth date on that day is no birth date (BornOnEntry).
	RoleEntryDate Role = "entry_date"
	// RoleClassOf is no column's: the class a record's grade and entry date give
	// (ClassOf, Table.ClassOf), which comparisons read as they read a column.
	RoleClassOf Role = "class_of"
)

// extraPrefix marks a caller-defined column: "extra:state" is the extra column "state".
const extraPrefix = "extra:"

// ExtraRole returns the role of the caller-defined column name.
func ExtraRole(name string) Role { return Role(extraPrefix + name) }

// ExtraName returns the column name of an extra role and true, or "" and false when r is
// not an extra role.
func (r Role) ExtraName() (string, bool) {
	if name, ok := strings.CutPrefix(string(r), extraPrefix); ok && name != "" {
		return name, true
	}
	return "", false
}

// Roles lists the built-in roles in a stable order.
func Roles() []Role {
	return []Role{RoleGiven, RoleMiddle, RoleFamily, RoleSuffix, RoleFullName, RoleOtherNames,
		RoleBirthDate, RoleSex, RoleSSID, RoleLocalID, RoleGrade, RoleAddress, RoleCity,
		RoleZip, RoleLEA, RoleSchool, RoleEmail, RolePhone, RoleEntryDate}
}

// ExtraIndex returns the index k of the extra column named by r in t.Extra, or -1.
func (t *Table) ExtraIndex(r Role) int {
	name, ok := r.ExtraName()
	if !ok {
		return -1
	}
	for k, n := range t.ExtraNames {
		if n == name {
			return k
		}
	}
	return -1
}
