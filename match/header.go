package match

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/studentlink/studentlink/normalize"
)

// headerKey folds a column name for matching headers: lower case, letters and digits
// only, so that "Last_Name", "LAST NAME" and "last-name" meet as "lastname".
func headerKey(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// idAliases are header names (as headerKey writes them) that districts give a record's
// own ID.
var idAliases = []string{
	"recordid", "recid", "id", "studentnumber", "studentno", "studentnum", "studentid", "localid",
	"localstudentid", "studentlocalid", "studentuniqueid", "pupilid", "uniqueid", "recordnumber",
	"voterregnum", "voterid", "mrn", "medicalrecordnumber", "patientid", "personid",
}

// roleAliases are header names (as headerKey writes them) that districts give each role.
// A name belongs to one role only.
var roleAliases = map[normalize.Role][]string{
	normalize.RoleGiven: {"firstname", "givenname", "legalfirstname", "studentfirstname", "fname", "first",
		"forename", "firstnm", "frstname", "givennames", "firstnames", "forenames"},
	normalize.RoleMiddle: {"middlename", "legalmiddlename", "studentmiddlename", "mname", "middle",
		"middleinitial", "mi", "midlname"},
	normalize.RoleFamily: {"lastname", "surname", "familyname", "legallastname", "studentlastname",
		"lastsurname", "lname", "last", "lastnm"},
	normalize.RoleSuffix: {"suffix", "namesuffix", "generationcode", "generationcodesuffix", "generation",
		"namesufxcd", "namesuffixcd", "sufx", "suffixcd"},
	normalize.RoleFullName: {"fullname", "name", "studentname", "legalname", "lastnamefirstname", "lastfirst",
		"lastfirstname", "lastnamefirst", "namelastfirst", "firstlast", "firstnamelastname"},
	normalize.RoleOtherNames: {"othernames", "othername", "alias", "aliases", "aka", "previousnames",
		"formernames", "preferredname", "nickname"},
	normalize.RoleBirthDate: {"birthdate", "dob", "dateofbirth", "birthdt", "bdate", "birthday",
		"studentbirthdate", "datebirth"},
	normalize.RoleSex: {"sex", "gender", "sexcode", "gendercode", "birthsex", "studentsex", "studentgender",
		"sexdescriptor", "birthsexdescriptor"},
	normalize.RoleSSID: {"ssid", "ssidnumber", "stateid", "statestudentid", "statestudentidentifier", "statestudentnumber",
		"statenumber", "sasid", "suid", "stateidnumber", "statewidestudentid", "statewideid",
		"statewidestudentidentifier", "statewideidentifier"},
	normalize.RoleLocalID: {"localstudentnumber", "districtstudentid", "leastudentid", "sisid"},
	normalize.RoleGrade: {"grade", "gradelevel", "grd", "currentgrade", "entrygradelevel", "gradelevelcode",
		"enrolledgrade"},
	normalize.RoleAddress: {"address", "street", "streetaddress", "address1", "addressline1", "homeaddress",
		"streetnumbername", "residentialaddress", "mailingaddress", "addrline1", "addr1", "addr", "streetname",
		"homestreetaddress", "streetline1", "homeaddressline1", "residentialaddressline1"},
	normalize.RoleCity: {"city", "town", "municipality", "cityname", "homecity", "suburb", "locality",
		"residencecity", "cityortown", "townorcity"},
	normalize.RoleZip: {"zip", "zipcode", "postalcode", "postcode", "zip5", "homezip", "postalcd", "zipcd"},
	normalize.RoleLEA: {"lea", "leaid", "leacode", "leanumber", "district", "districtid", "districtcode",
		"districtnumber", "localeducationagencyid", "agencyid"},
	normalize.RoleSchool: {"school", "schoolid", "schoolcode", "schoolnumber", "building", "buildingcode",
		"schoolnbr", "campus", "campusid"},
	normalize.RoleEmail: {"email", "emailaddress", "electronicmail", "electronicmailaddress", "studentemail",
		"studentemailaddress"},
	normalize.RoleEntryDate: {"entrydate", "enrollmentdate", "enrolmentdate", "schoolentrydate", "dateofentry",
		"enrollmententrydate", "entrydt"},
	normalize.RolePhone: {"phone", "phonenumber", "phonenum", "telephone", "telephonenumber", "homephone",
		"primaryphone", "cellphone", "mobile", "phoneno", "homephonenumber"},
}

// standInAliases are header names (as headerKey writes them) of columns that serve a role
// only when no column of the role's own names is present: a person number another
// authority issued (a social security number, as FEBRL writes soc_sec_id) is evidence of
// the same kind as the SSID, unique to a person and mistyped a digit at a time.
// A birth place stands in for the city: a place tied to the person, and one that never
// moves.
var standInAliases = map[normalize.Role][]string{
	normalize.RoleSSID: {"ssn", "socsecid", "socialsecuritynumber", "socialsecurityno", "socsecno",
		"nationalid", "nationalidnumber", "personalidnumber", "personnumber"},
	normalize.RoleCity: {"birthplace", "placeofbirth", "birthcity", "cityofbirth", "birthtown"},
}

// containedAliases are words (as headerKey writes them) that name a place's role wherever
// they stand in a header (home_zip_code, postcode_fake, ResidenceCityName,
// res_street_address): taken only when a single unclaimed column has one, and before a
// stand-in (a voter file's res_city_desc is its city, its birth_place is not). A word
// in a header that names a birth place, a school's place or an e-mail address is none
// of these (wordNotPlace).
var containedAliases = map[normalize.Role][]string{
	normalize.RoleZip:  {"zip", "postcode", "postalcode"},
	normalize.RoleCity: {"city", "suburb"},
	// An address's words must end the header, a line number aside (res_street_address,
	// address_line_1): home_address_verified is a flag about the address, not it.
	normalize.RoleAddress: {"streetaddress$", "addressline$", "resaddress$", "homeaddr$", "homeaddress$"},
}

// wordNotPlace are words (as headerKey writes them) that make a header no student's home
// whatever place's word it holds: a school's zip or city, a birth place, an e-mail
// address, a second line, another person's or an earlier address, or a note about one.
var wordNotPlace = []string{"school", "campus", "district", "birth", "email", "line2", "address2",
	"emergency", "contact", "parent", "guardian", "mother", "father", "employer", "work", "mailing",
	"prior", "previous", "former", "verified", "type", "flag", "count", "date", "status", "county"}

// streetNumberNames and streetLine2Names are header names (as headerKey writes them) of
// the columns that hold the rest of a street address beside the address column: the
// house number before it and a second line after it (FEBRL writes street_number,
// address_1 and address_2).
var (
	streetNumberNames = []string{"streetnumber", "streetno", "streetnum", "streetnbr", "housenumber",
		"houseno", "housenum", "addressnumber"}
	streetLine2Names = []string{"address2", "addressline2", "streetaddress2", "street2", "addr2",
		"apt", "aptno", "aptnum", "aptnumber", "apartment", "apartmentnumber", "aptunit", "unit", "unitnumber"}
)

// ColumnUse says what a roll made of one column of a source's header.
type ColumnUse struct {
	// Header is the column's name as the file writes it, or, for a column the header
	// leaves unnamed, its position: "(column 5, no name)".
	Header string `json:"header"`
	// Column is the settings column it fills (the ID column included), "" when ignored;
	// Role is that column's role ("" for the ID column).
	Column string         `json:"column,omitempty"`
	Role   normalize.Role `json:"role,omitempty"`
	// How it matched: "exact", "name" (the same letters and digits: case, spaces and
	// punctuation aside), "alias" (a name districts use for the role), "stand-in" (a
	// column of another kind that serves the role when the file has none of its own: a
	// social security number for the SSID, a birth place for the city), "word" (a name
	// with a place's word in it: home_zip_code) or "parts" (one of the columns a value is
	// written in: a birth date's year, month and day; a street number and second line;
	// a name's numbered parts).
	How string `json:"how,omitempty"`
	// DateOrder is the order of day and month a birth date column's name gives in a
	// format written in it (Date of Birth (dd/mm/yyyy): "day first"; DOB (mm/dd/yyyy),
	// BirthDate yyyy-mm-dd: "month first"), which its ambiguous dates are read in; ""
	// when the name gives none. A name that writes year, day, month (DOB (yyyy-dd-mm))
	// is refused when the file is read: its ISO-looking dates would be read year,
	// month, day.
	DateOrder string `json:"date_order,omitempty"`
	// NameOrder is the order of names a full-name column's name gives: FamilyFirst where
	// it puts the family name first (LastFirst, Name (Last First)), its names without a
	// comma (Williams Emma) read so; GivenFirst where it puts the given name first
	// (FirstLast); "" when it gives none, and the column's names say (Roll.NameOrder).
	NameOrder string `json:"name_order,omitempty"`
}

// Orders of day and month a header's date format gives (ColumnUse.DateOrder).
const (
	DayFirst   = "day first"
	MonthFirst = "month first"
)

// Orders of names a full-name column's name gives (ColumnUse.NameOrder).
const (
	FamilyFirst = "family first"
	GivenFirst  = "given first"
)

// nameOrder is the order of names a full-name column's header gives: FamilyFirst when a
// word for the family name (last, surname, family) comes before one for the given name
// (first, given, forename), GivenFirst when after, "" when it has not both.
func nameOrder(header string) string {
	h := strings.ToLower(header)
	at := func(words ...string) int {
		first := -1
		for _, w := range words {
			if i := strings.Index(h, w); i >= 0 && (first < 0 || i < first) {
				first = i
			}
		}
		return first
	}
	switch family, given := at("last", "surname", "family"), at("first", "given", "forename"); {
	case family < 0 || given < 0:
		return ""
	case family < given:
		return FamilyFirst
	}
	return GivenFirst
}

// dateFormat finds a date format written in a header name: d, m and y runs, each once,
// joined by one separator or none, maybe in brackets (dd/mm/yyyy, (MM-DD-YYYY),
// yyyy.mm.dd, DDMMYYYY), set apart from the rest of the name by a space, a bracket or an
// underscore (DOB_DDMMYYYY, birth_date_dd_mm_yyyy), or at its start or end. An
// underscore is a word character, so a word boundary (\b) would not do.
var dateFormat = regexp.MustCompile(`(?i)(?:^[\s_(\[]*|[\s_(\[]+)(d{1,2}|m{1,2}|y{2,4})([-/._ ]?)(d{1,2}|m{1,2}|y{2,4})([-/._ ]?)(d{1,2}|m{1,2}|y{2,4})(?:[\s_)\]]+|$)`)

// dateHint returns a header name without the date format written in it, and the
// format's parts in order ("dmy", "mdy", "ymd", "ydm"); the name as it is and "" when
// it has none.
func dateHint(h string) (name, format string) {
	for _, m := range dateFormat.FindAllStringSubmatchIndex(h, -1) {
		parts := strings.ToLower(h[m[2]:m[3]][:1] + h[m[6]:m[7]][:1] + h[m[10]:m[11]][:1])
		if !strings.Contains(parts, "d") || !strings.Contains(parts, "m") || !strings.Contains(parts, "y") || h[m[4]:m[5]] != h[m[8]:m[9]] {
			continue // not one of each, or two separators
		}
		rest := strings.TrimSpace(h[:m[0]] + " " + h[m[1]:])
		if rest == "" {
			return h, "" // the name is the format alone
		}
		return rest, parts
	}
	return h, ""
}

// dateOrder is the order of day and month a date format gives (DayFirst, MonthFirst),
// "" for none.
func dateOrder(format string) string {
	switch {
	case format == "":
		return ""
	case strings.IndexByte(format, 'd') < strings.IndexByte(format, 'm'):
		return DayFirst
	}
	return MonthFirst
}

// Matches of a header column to a settings column, strongest first.
const (
	matchExact   = "exact"
	matchName    = "name"
	matchAlias   = "alias"
	matchStandIn = "stand-in" // a column of another kind, serving a role no column of its own names
	matchWord    = "word"     // a name with a place's word in it (home_zip_code)
	matchParts   = "parts"    // one of the columns one value is written in (year, month, day)
)

// resolution is what resolveHeader made of one source's header.
type resolution struct {
	// id is the record ID's field; field[k] the field of settings column k (-1: absent).
	id    int
	field []int
	// parts[k] lists the fields that fill settings column k together, in order, when
	// there are several (a birth date in year, month and day columns); field[k] is the
	// first of them.
	parts map[int][]int
	uses  []ColumnUse
}

// resolveHeader matches a header to the ID column and the settings columns: first by
// exact name, then by name with case, spaces and punctuation aside, then by the names
// districts use for a role (roleAliases, idAliases) when the settings have one column of
// that role, then by a place's word in a name (containedAliases), then by the names of
// columns that stand in for a role (standInAliases). A value may be read from several
// columns: a birth date from year, month and day, a name from numbered parts, an address
// from house number, street and second line. A header column fills one settings column
// at most. A required column the header lacks is an error that shows the header read.
func resolveHeader(header []string, idColumn string, columns []Column) (resolution, error) {
	res := resolution{id: -1, field: make([]int, len(columns)), uses: make([]ColumnUse, len(header))}
	// names are the header's names with a date format or another note in parentheses
	// taken out (Date of Birth (dd/mm/yyyy) is Date of Birth, Sex (M/F) is Sex), matched
	// as well as the names themselves.
	names := make([]string, len(header))
	for c, h := range header {
		res.uses[c].Header = columnName(c, h)
		names[c], _ = dateHint(h)
		if i := strings.IndexByte(names[c], '('); i > 0 && strings.HasSuffix(strings.TrimSpace(names[c]), ")") {
			names[c] = strings.TrimSpace(names[c][:i])
		}
	}
	for k := range res.field {
		res.field[k] = -1
	}
	claimed := make([]bool, len(header))
	claim := func(f int, name string, role normalize.Role, how string) int {
		claimed[f] = true
		res.uses[f] = ColumnUse{Header: res.uses[f].Header, Column: name, Role: role, How: how}
		return f
	}
	var twice error
	find := func(name string, accept func(h string) bool, weak bool) int {
		// A column whose whole name matches wins over one whose name matches only with
		// its date format aside: -columns birth_date=DOB takes DOB, not DOB (dd/mm/yyyy).
		whole := false
		for f, h := range header {
			whole = whole || !claimed[f] && accept(h)
		}
		found := -1
		for f, h := range header {
			if claimed[f] || !(accept(h) || !whole && names[f] != h && accept(names[f])) {
				continue
			}
			if found >= 0 && weak {
				return -1 // a guess from a word, not taken where it could be either
			}
			if found >= 0 && twice == nil {
				if header[found] == h {
					// Naming one would name both: only the file can tell them apart.
					twice = fmt.Errorf("columns %q and %q could both be %q: the header has the same name twice (columns %d and %d), which naming it (-columns) cannot tell apart; fix the file's header so that each column has a name of its own", h, h, name, found+1, f+1)
				} else {
					twice = fmt.Errorf("columns %q and %q could both be %q: name one (Settings.WithColumns, -columns)", header[found], h, name)
				}
			}
			if found < 0 {
				found = f
			}
		}
		return found
	}
	// Passes from the strongest match to the weakest, the ID column first in each.
	for _, how := range []string{matchExact, matchName, matchAlias, matchWord, matchStandIn} {
		if how == matchAlias {
			// Before aliases, which would take BirthDay for the whole date: a birth date no
			// column gave by name may be written in three, year, month and day.
			if k, parts := birthDateParts(names, claimed, columns, res.field); parts != nil {
				res.field[k], res.parts = parts[0], map[int][]int{k: parts}
				for _, f := range parts {
					claim(f, columns[k].Name, columns[k].Role, matchParts)
				}
			}
		}
		if res.id < 0 && how != matchStandIn && how != matchWord {
			if f := find(idColumn, headerMatch(how, idColumn, idAliases), false); f >= 0 {
				res.id = claim(f, idColumn, "", how)
			}
		}
		for k, col := range columns {
			if res.field[k] >= 0 {
				continue
			}
			var aliases []string
			if !col.NameOnly && roleColumns(columns, col.Role) == 1 {
				switch how {
				case matchAlias:
					aliases = roleAliases[col.Role]
				case matchStandIn:
					aliases = standInAliases[col.Role]
				case matchWord:
					aliases = containedAliases[col.Role]
				}
			}
			if f := find(col.Name, headerMatch(how, col.Name, aliases), how == matchWord); f >= 0 {
				res.field[k] = claim(f, col.Name, col.Role, how)
			}
		}
	}
	// Names written in numbered columns (fname_c1 and fname_c2, as RLdata writes them) that
	// no column filled whole; a second given name is a middle name where none is written.
	for k, col := range columns {
		if res.field[k] >= 0 || col.NameOnly || !numberedRole(col.Role) || roleColumns(columns, col.Role) != 1 {
			continue
		}
		parts := numberedParts(header, claimed, roleAliases[col.Role])
		if parts == nil {
			continue
		}
		if m := slices.IndexFunc(columns, func(c Column) bool { return c.Role == normalize.RoleMiddle }); col.Role == normalize.RoleGiven &&
			len(parts) > 1 && m >= 0 && res.field[m] < 0 && !columns[m].NameOnly && roleColumns(columns, normalize.RoleMiddle) == 1 {
			res.field[m], res.parts = parts[1], mergeParts(res.parts, m, parts[1:])
			for _, f := range parts[1:] {
				claim(f, columns[m].Name, normalize.RoleMiddle, matchParts)
			}
			parts = parts[:1]
		}
		res.field[k], res.parts = parts[0], mergeParts(res.parts, k, parts)
		for _, f := range parts {
			claim(f, col.Name, col.Role, matchParts)
		}
	}
	if k, parts := streetParts(header, claimed, columns, res.field); parts != nil {
		res.field[k], res.parts = parts[0], mergeParts(res.parts, k, parts)
		for _, f := range parts {
			if !claimed[f] {
				claim(f, columns[k].Name, columns[k].Role, matchParts)
			}
		}
	}
	// A full name read from one column whose name puts the family name first is read so.
	for k, col := range columns {
		if f := res.field[k]; col.Role == normalize.RoleFullName && f >= 0 && len(res.parts[k]) == 0 {
			res.uses[f].NameOrder = nameOrder(header[f])
		}
	}
	// A birth date read from one column whose name writes its format (dd/mm/yyyy) is
	// read in that format's order of day and month.
	for k, col := range columns {
		if f := res.field[k]; col.Role == normalize.RoleBirthDate && f >= 0 && len(res.parts[k]) == 0 {
			_, format := dateHint(header[f])
			res.uses[f].DateOrder = dateOrder(format)
			// Year, day, month (yyyy-dd-mm) is refused: its ISO-looking dates
			// (2010-03-04) are read year, month, day whatever the name says, so the
			// column would be read against its own name.
			if format == "ydm" {
				return res, fmt.Errorf("column %q writes its birth dates year, day, month, an order not supported: 2010-03-04 would be read as 4 March against its name; write the column year-month-day or day/month/year and name it so (DOB (yyyy-mm-dd), DOB (dd/mm/yyyy))", header[f])
			}
		}
	}
	if twice != nil {
		return res, twice
	}
	if res.id < 0 {
		return res, &MissingColumnError{Column: idColumn, Header: header}
	}
	for k, col := range columns {
		if res.field[k] < 0 && !col.Optional {
			return res, &MissingColumnError{Column: col.Name, Role: col.Role, Header: header}
		}
	}
	return res, nil
}

// MissingColumnError is a required column that no column of a file's header names,
// under its own name or one districts use for its role.
type MissingColumnError struct {
	Column string         // the settings' name of the column
	Role   normalize.Role // its role; "" for the record ID
	Header []string       // the header as read
}

func (e *MissingColumnError) Error() string {
	what := "the record ID"
	if e.Role != "" {
		what = string(e.Role)
	}
	return fmt.Sprintf("required column %q (%s) is missing from the header; read: %s", e.Column, what, quoteHeader(e.Header))
}

// columnName is what a header column is called in the summary, the report and the
// review file: its name, or for a column the header leaves unnamed (a header that ends
// in a comma) its position, "(column 5, no name)".
func columnName(c int, h string) string {
	if h == "" {
		return fmt.Sprintf("(column %d, no name)", c+1)
	}
	return h
}

// headerMatch returns the test of a header column against a settings column's name (and
// its role's aliases) at one strength of match.
func headerMatch(how, name string, aliases []string) func(h string) bool {
	switch how {
	case matchExact:
		return func(h string) bool { return h == name }
	case matchName:
		key := headerKey(name)
		return func(h string) bool { return key != "" && headerKey(h) == key }
	case matchWord:
		return func(h string) bool {
			key := headerKey(h)
			if slices.ContainsFunc(wordNotPlace, func(w string) bool { return strings.Contains(key, w) }) {
				return false
			}
			return slices.ContainsFunc(aliases, func(a string) bool {
				if w, ending := strings.CutSuffix(a, "$"); ending {
					return strings.HasSuffix(strings.TrimRight(key, "0123456789"), w)
				}
				return strings.Contains(key, a)
			})
		}
	}
	return func(h string) bool {
		return slices.ContainsFunc(aliasKeys(h), func(k string) bool { return slices.Contains(aliases, k) })
	}
}

// aliasKeys returns the keys (headerKey) a header is looked up by among aliases: its
// own, and without a first word that says whose the value is (Student DOB, Stu First
// Name).
func aliasKeys(h string) []string {
	k := headerKey(h)
	for _, owner := range []string{"student", "stu", "pupil", "learner"} {
		if rest, ok := strings.CutPrefix(k, owner); ok && rest != "" {
			return []string{k, rest}
		}
	}
	return []string{k}
}

// birthDateParts returns the settings column of the birth date and the year, month and
// day columns that fill it (dateParts) when the settings have one birth date column, no
// column filled it yet, and no column bears a whole date's name; else nil.
func birthDateParts(header []string, claimed []bool, columns []Column, field []int) (int, []int) {
	k := slices.IndexFunc(columns, func(c Column) bool { return c.Role == normalize.RoleBirthDate })
	if k < 0 || field[k] >= 0 || roleColumns(columns, normalize.RoleBirthDate) != 1 {
		return -1, nil
	}
	parts := dateParts(header, claimed)
	if parts == nil || wholeDate(header, claimed, parts) {
		return -1, nil
	}
	return k, parts
}

// streetParts returns the settings column of the address and the columns that fill it
// together, in order (house number, address, second line), when the settings have one
// address column, a header column filled it, and unclaimed columns bear a street
// number's or a second line's name (streetNumberNames, streetLine2Names); else nil.
func streetParts(header []string, claimed []bool, columns []Column, field []int) (int, []int) {
	k := slices.IndexFunc(columns, func(c Column) bool { return c.Role == normalize.RoleAddress })
	if k < 0 || field[k] < 0 || columns[k].NameOnly || roleColumns(columns, normalize.RoleAddress) != 1 {
		return -1, nil
	}
	named := func(names []string) int {
		return slices.IndexFunc(header, func(h string) bool { return slices.Contains(names, headerKey(h)) })
	}
	var parts []int
	if f := named(streetNumberNames); f >= 0 && !claimed[f] {
		parts = append(parts, f)
	}
	parts = append(parts, field[k])
	if f := named(streetLine2Names); f >= 0 && !claimed[f] {
		parts = append(parts, f)
	}
	if len(parts) == 1 {
		return -1, nil
	}
	return k, parts
}

// numberedRole reports whether a role's value may be written in numbered columns: the
// parts of a name.
func numberedRole(role normalize.Role) bool {
	return role == normalize.RoleGiven || role == normalize.RoleMiddle || role == normalize.RoleFamily
}

// numberedParts returns the unclaimed header columns named as one of aliases followed by
// a part's number (fname_c1, fname_c2; last_name_1, last_name_2), in the numbers' order,
// or nil.
func numberedParts(header []string, claimed []bool, aliases []string) []int {
	type part struct{ n, field int }
	var parts []part
	for f, h := range header {
		key := headerKey(h)
		base := strings.TrimRight(key, "0123456789")
		if claimed[f] || base == key {
			continue
		}
		n, err := strconv.Atoi(key[len(base):])
		if err != nil {
			continue
		}
		base = strings.TrimSuffix(strings.TrimSuffix(base, "c"), "part") // RecordLinkage's _c1, name_part1
		if slices.Contains(aliases, base) {
			parts = append(parts, part{n, f})
		}
	}
	if parts == nil {
		return nil
	}
	slices.SortStableFunc(parts, func(a, b part) int { return a.n - b.n })
	fields := make([]int, len(parts))
	for i, p := range parts {
		fields[i] = p.field
	}
	return fields
}

// mergeParts returns parts with column k's entry set, making the map when nil.
func mergeParts(parts map[int][]int, k int, fields []int) map[int][]int {
	if parts == nil {
		parts = map[int][]int{}
	}
	parts[k] = fields
	return parts
}

// datePartWords are the ways a header names a date's year, month and day.
var datePartWords = [][3]string{{"year", "month", "day"}, {"yyyy", "mm", "dd"}, {"yr", "mo", "dy"}, {"y", "m", "d"}}

// dateParts finds three unclaimed header columns that hold a birth date's year, month and
// day: names that differ only in those words and say "birth" around them (BirthYear,
// birth_month, DOB_Day, YearOfBirth; by, bm and bd as RLdata writes them). It returns
// their fields in that order; failing three, a year and a month, or a year alone; or nil.
func dateParts(header []string, claimed []bool) []int {
	keys := map[string]int{}             // unclaimed header key → field
	order := make([]string, len(header)) // unclaimed fields' keys, "" for claimed ones
	for f, h := range header {
		if !claimed[f] {
			order[f] = headerKey(h)
			keys[order[f]] = f
		}
	}
	// find returns the fields of the first year column said to be a birth's whose next
	// n-1 parts (month, day) have columns named alike, in that order, or nil.
	find := func(n int, sets [][3]string) []int {
		for _, words := range sets {
			for f, key := range order {
				for i := strings.Index(key, words[0]); key != "" && i >= 0; i = next(key, words[0], i) {
					before, after := key[:i], key[i+len(words[0]):]
					if !aboutBirth(before + after) {
						continue
					}
					fields := []int{f}
					for _, w := range words[1:n] {
						g, ok := keys[before+w+after]
						if !ok || slices.Contains(fields, g) {
							break
						}
						fields = append(fields, g)
					}
					if len(fields) == n {
						return fields
					}
				}
			}
		}
		return nil
	}
	if parts := find(3, datePartWords); parts != nil {
		return parts
	}
	// No day column: a year and a month, or a year alone (BirthYear), compared by what
	// they name; "y" alone is too short to stand for a year.
	if parts := find(2, datePartWords); parts != nil {
		return parts
	}
	return find(1, datePartWords[:3])
}

// wholeDate reports whether an unclaimed header column other than parts bears a name
// districts give a whole birth date (DOB): the alias pass takes that one.
func wholeDate(header []string, claimed []bool, parts []int) bool {
	for f, h := range header {
		if !claimed[f] && !slices.Contains(parts, f) && slices.Contains(roleAliases[normalize.RoleBirthDate], headerKey(h)) {
			return true
		}
	}
	return false
}

// next returns the index of the occurrence of word in key after the one at i, or -1.
func next(key, word string, i int) int {
	if j := strings.Index(key[i+1:], word); j >= 0 {
		return i + 1 + j
	}
	return -1
}

// aboutBirth reports whether what surrounds a date part's word in a header names a birth:
// "birth", "born" or "dob" in it, or a lone "b" (by, bm, bd).
func aboutBirth(rest string) bool {
	return rest == "b" || strings.Contains(rest, "birth") || strings.Contains(rest, "born") || strings.Contains(rest, "dob")
}

// roleColumns counts the settings columns of a role.
func roleColumns(columns []Column, role normalize.Role) int {
	n := 0
	for _, c := range columns {
		if c.Role == role {
			n++
		}
	}
	return n
}

// quoteHeader writes a header for an error: its names quoted, the first 40 of them, each
// cut to 60 bytes (a file read in the wrong encoding can make the whole file one name),
// and a hint where the names hold NULs, the mark of UTF-16 read as bytes.
func quoteHeader(header []string) string {
	const most, longest = 40, 60
	var b strings.Builder
	nul := false
	for c, h := range header {
		nul = nul || strings.Contains(h, "\x00")
		if c == most {
			fmt.Fprintf(&b, " … (%d columns)", len(header))
			break
		}
		if c > 0 {
			b.WriteString(", ")
		}
		if len(h) > longest {
			fmt.Fprintf(&b, "%q… (%d bytes)", strings.ToValidUTF8(h[:longest], ""), len(h))
			continue
		}
		fmt.Fprintf(&b, "%q", h)
	}
	if len(header) == 0 {
		return "no columns"
	}
	if nul {
		b.WriteString(" (NUL bytes in the names: UTF-16? try -encoding utf-16, or utf-16be)")
	}
	return b.String()
}

// nameable lists what WithColumns takes, each name once: the ID, the roles, and the
// settings' columns that are not a role's name too.
func (s Settings) nameable() string {
	var roles, own []string
	for _, r := range normalize.Roles() {
		roles = append(roles, string(r))
	}
	for _, c := range s.Columns {
		if !slices.Contains(roles, c.Name) && !slices.Contains(own, c.Name) {
			own = append(own, c.Name)
		}
	}
	want := "id (the record ID"
	if s.IDColumn != "" && s.IDColumn != "id" {
		want += ", or " + s.IDColumn
	}
	want += "), a role (" + strings.Join(roles, ", ") + ")"
	if len(own) > 0 {
		want += " or another column of the settings (" + strings.Join(own, ", ") + ")"
	}
	return want
}

// WithColumns returns the settings with columns renamed to what the input files call
// them: each key of names is a role (given_name, birth_date …), a settings column's name,
// or "id" or the ID column's name for the record ID; its value is the header name in the
// files. A role's columns are replaced by the one named; a renamed column becomes
// required, and matches its header by name alone (Column.NameOnly). Several header names joined by "+" fill the role or column from all of them,
// joined by a space in that order: birth_date=by+bm+bd for a birth date written in three
// columns (year, month, day), family_name=Last1+Last2. An unknown key is an error listing
// what may be named.
func (s Settings) WithColumns(names map[string]string) (Settings, error) {
	out := s
	out.Columns = slices.Clone(s.Columns)
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		header := strings.TrimSpace(names[key])
		if header == "" {
			return s, fmt.Errorf("match: column %q is given no header name", key)
		}
		parts := strings.Split(header, "+")
		for p, part := range parts {
			if parts[p] = strings.TrimSpace(part); parts[p] == "" {
				return s, fmt.Errorf("match: column %q: %q names an empty header", key, header)
			}
		}
		named := func(c Column) []Column {
			cols := make([]Column, len(parts))
			for p, part := range parts {
				cols[p] = c
				cols[p].Name, cols[p].Optional, cols[p].NameOnly = part, false, true
			}
			return cols
		}
		switch k := slices.IndexFunc(out.Columns, func(c Column) bool { return c.Name == key }); {
		case key == "id" || key == s.IDColumn:
			if len(parts) > 1 {
				return s, fmt.Errorf("match: the record ID is one column, not %q", header)
			}
			out.IDColumn = header
		case k >= 0:
			out.Columns = slices.Replace(out.Columns, k, k+1, named(out.Columns[k])...)
		case knownRole(normalize.Role(key)):
			role := normalize.Role(key)
			out.Columns = slices.DeleteFunc(out.Columns, func(c Column) bool { return c.Role == role })
			out.Columns = append(out.Columns, named(Column{Role: role})...)
		default:
			return s, fmt.Errorf("match: %s=%s: %s names no role and no column of the settings; want %s", key, names[key], key, s.nameable())
		}
	}
	return out, out.Validate()
}
