package match

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/normalize"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func testColumns() []Column {
	return []Column{
		{Name: "first", Role: normalize.RoleGiven},
		{Name: "last", Role: normalize.RoleFamily},
		{Name: "num", Role: normalize.RoleAddress, Optional: true},
		{Name: "street", Role: normalize.RoleAddress, Optional: true},
		{Name: "state", Role: normalize.ExtraRole("state"), Optional: true},
	}
}

func TestRollReadCSV(t *testing.T) {
	r, err := NewRoll("id", testColumns())
	if err != nil {
		t.Fatal(err)
	}
	in := "\ufeffid,last,first,num,street,state,ignored\n" +
		"a1,Garcia ,José,12,Main St,UT,x\n" +
		"a2,Nguyen,,,Elm St,,y\n"
	if err := r.ReadCSV("lea1.csv", strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	if err := r.ReadCSV("lea2.csv", strings.NewReader("first,id,last\nAna,b1,Lopez\n")); err != nil {
		t.Fatal(err)
	}
	if r.Len() != 3 {
		t.Fatalf("Len = %d, want 3", r.Len())
	}
	got := []normalize.Record{r.Record(0), r.Record(1), r.Record(2)}
	want := []normalize.Record{
		{Given: "José", Family: "Garcia", Address: "12 Main St", Extra: []string{"UT"}},
		{Family: "Nguyen", Address: "Elm St", Extra: []string{""}},
		{Given: "Ana", Family: "Lopez", Extra: []string{""}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("records (-want +got):\n%s", d)
	}
	if i, ok := r.Index("b1"); !ok || i != 2 {
		t.Errorf("Index(b1) = %d, %v", i, ok)
	}
	if d := cmp.Diff([]int32{0, 0, 1}, r.Source); d != "" {
		t.Errorf("sources (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]int32{2, 3, 2}, r.Lines); d != "" {
		t.Errorf("lines (-want +got):\n%s", d)
	}
}

func TestRollReadCSVErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty input"},
		{"no id column", "first,last\nA,B\n", `required column "id"`},
		{"missing required", "id,first\n1,A\n", `required column "last"`},
		{"duplicate header", "id,first,last,last\n1,A,B,C\n", `columns "last" and "last" could both be "last"`},
		{"field count", "id,first,last\n1,A,B\n2,A\n", "in.csv:3: 2 fields, want 3"},
		{"empty id", "id,first,last\n,A,B\n", "in.csv:2: column \"id\": empty record ID"},
		{"duplicate id", "id,first,last\n1,A,B\n1,C,D\n", `record ID "1" already used at in.csv:2`},
		{"bad utf8", "id,first,last\n1,\xff,B\n", `in.csv:2: record "1", column "first": value is not valid UTF-8`},
		{"bare quote", "id,first,last\n1,a\"b,B\n", "in.csv:2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewRoll("id", testColumns())
			if err != nil {
				t.Fatal(err)
			}
			err = r.ReadCSV("in.csv", strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestNewRollErrors(t *testing.T) {
	if _, err := NewRoll("", nil); err == nil {
		t.Error("no id column: want error")
	}
	if _, err := NewRoll("id", []Column{{Name: "x", Role: "shoe_size"}}); err == nil || !strings.Contains(err.Error(), "shoe_size") {
		t.Errorf("unknown role: err = %v", err)
	}
	if _, err := NewRoll("id", []Column{{Name: "x", Role: normalize.RoleGiven}, {Name: "x", Role: normalize.RoleFamily}}); err == nil {
		t.Error("column mapped twice: want error")
	}
}

func TestSplitOtherNames(t *testing.T) {
	got := splitOtherNames(" Bill Smith; ;William Smith|Will ")
	if d := cmp.Diff([]string{"Bill Smith", "William Smith", "Will"}, got); d != "" {
		t.Error(d)
	}
}

func TestRollSharedIDs(t *testing.T) {
	r, err := NewRoll("id", testColumns())
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []struct{ name, text string }{
		{"lea1.csv", "id,first,last\n1001,Ana,Lopez\n1002,Ben,Cruz\n"},
		{"lea2.csv", "id,first,last\n1001,Cy,Diaz\n2002,Dee,Ito\n"},
	} {
		if err := r.ReadCSV(src.name, strings.NewReader(src.text)); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := r.Index("1001"); ok {
		t.Error("Index(1001) found a record, but two sources use the ID")
	}
	if i, ok := r.Index("2002"); !ok || i != 3 {
		t.Errorf("Index(2002) = %d, %v; want 3, true", i, ok)
	}
	tests := []struct {
		ref     RecordRef
		want    int
		wantErr string
	}{
		{RecordRef{Source: "lea1.csv", ID: "1001"}, 0, ""},
		{RecordRef{Source: "lea2.csv", ID: "1001"}, 2, ""},
		{RecordRef{ID: "1002"}, 1, ""},
		{RecordRef{ID: "1001"}, 0, `record ID "1001" is used by several sources (lea1.csv, lea2.csv)`},
		{RecordRef{Source: "lea2.csv", ID: "1002"}, 0, `record "1002" is not in source lea2.csv`},
		{RecordRef{Source: "lea3.csv", ID: "1002"}, 0, `no source "lea3.csv"`},
		{RecordRef{ID: "9"}, 0, `record "9" is not in the roll`},
	}
	for _, tt := range tests {
		got, err := r.Find(tt.ref)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Find(%v) err = %v, want %q", tt.ref, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Find(%v) = %d, %v; want %d", tt.ref, got, err, tt.want)
		}
	}
	if !r.SharedID(0) || !r.SharedID(2) || r.SharedID(1) {
		t.Errorf("SharedID = %v %v %v, want true true false", r.SharedID(0), r.SharedID(2), r.SharedID(1))
	}
	if err := r.ReadCSV("lea1.csv", strings.NewReader("id,first,last\n9,A,B\n")); err == nil || !strings.Contains(err.Error(), "already in the roll") {
		t.Errorf("reading a source twice: err = %v", err)
	}
}

func TestRollHeaderAliases(t *testing.T) {
	r, err := StudentSettings().NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	in := "RECORD_ID,Last_Name,FirstName,Middle Name,DOB,Gender,SSID,District,School,Grade,Street Address,City,PostalCode,Enrollment Date,Notes\n" +
		"r1,Garcia,Ana,María,2012-03-04,F,1234567890,1,101,3,12 Main St,Provo,84601,2020-08-19,new\n"
	if err := r.ReadCSV("district.csv", strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	want := normalize.Record{Given: "Ana", Middle: "María", Family: "Garcia", BirthDate: "2012-03-04", Sex: "F", SSID: "1234567890",
		LEA: "1", School: "101", Grade: "3", Address: "12 Main St", City: "Provo", Zip: "84601", EntryDate: "2020-08-19"}
	if d := cmp.Diff(want, r.Record(0)); d != "" {
		t.Errorf("record (-want +got):\n%s", d)
	}
	wantUses := []ColumnUse{
		{Header: "RECORD_ID", Column: "record_id", How: "name"},
		{Header: "Last_Name", Column: "last_name", Role: normalize.RoleFamily, How: "name"},
		{Header: "FirstName", Column: "first_name", Role: normalize.RoleGiven, How: "name"},
		{Header: "Middle Name", Column: "middle_name", Role: normalize.RoleMiddle, How: "name"},
		{Header: "DOB", Column: "birth_date", Role: normalize.RoleBirthDate, How: "alias"},
		{Header: "Gender", Column: "sex", Role: normalize.RoleSex, How: "alias"},
		{Header: "SSID", Column: "ssid", Role: normalize.RoleSSID, How: "name"},
		{Header: "District", Column: "lea_id", Role: normalize.RoleLEA, How: "alias"},
		{Header: "School", Column: "school_id", Role: normalize.RoleSchool, How: "alias"},
		{Header: "Grade", Column: "grade_level", Role: normalize.RoleGrade, How: "alias"},
		{Header: "Street Address", Column: "address", Role: normalize.RoleAddress, How: "alias"},
		{Header: "City", Column: "city", Role: normalize.RoleCity, How: "name"},
		{Header: "PostalCode", Column: "zip", Role: normalize.RoleZip, How: "alias"},
		{Header: "Enrollment Date", Column: "entry_date", Role: normalize.RoleEntryDate, How: "alias"},
		{Header: "Notes"},
	}
	if d := cmp.Diff(wantUses, r.Header(0)); d != "" {
		t.Errorf("header (-want +got):\n%s", d)
	}
	var missing []string
	for _, c := range r.Missing(0) {
		missing = append(missing, c.Name)
	}
	if d := cmp.Diff([]string{"suffix", "full_name", "other_names", "email", "phone"}, missing); d != "" {
		t.Errorf("missing (-want +got):\n%s", d)
	}
	if got := r.Column(0, "lea_id"); got != "1" {
		t.Errorf("Column(lea_id) = %q, want the District column's 1", got)
	}
	if got := r.Column(0, "Notes"); got != "new" {
		t.Errorf("Column(Notes) = %q, want new", got)
	}
}

// TestRollHeaderStreetPartsAndStandIns reads headers as public sets write them: FEBRL's
// address in three columns joined in order, its suburb as the city and its social
// security number standing in for the SSID (only where the file has no SSID of its own);
// RLdata's names in numbered parts, the second given name a middle name.
func TestRollHeaderStreetPartsAndStandIns(t *testing.T) {
	tests := []struct {
		name, in string
		person   bool // the person preset's columns, not the student preset's
		want     normalize.Record
		wantHow  map[string]string // header → how it matched ("" ignored)
	}{
		{
			name: "FEBRL",
			in: "rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id\n" +
				"rec-1-org, mitchell, green, 7, wallaby place, delmar, cleveland, 2119, sa, 19560409, 1804974\n",
			want: normalize.Record{Given: "mitchell", Family: "green", BirthDate: "19560409", SSID: "1804974",
				Address: "7 wallaby place delmar", City: "cleveland", Zip: "2119"},
			wantHow: map[string]string{"street_number": "parts", "address_1": "alias", "address_2": "parts",
				"suburb": "alias", "soc_sec_id": "stand-in", "state": ""},
		},
		{
			name:    "an SSID of its own: the SSN is ignored",
			in:      "id,first,last,SSN,StateID,address,house_no\nr1,Ana,Lee,123456789,9876543210,Main St,12\n",
			want:    normalize.Record{Given: "Ana", Family: "Lee", SSID: "9876543210", Address: "12 Main St"},
			wantHow: map[string]string{"SSN": "", "StateID": "alias", "house_no": "parts", "address": "exact"},
		},
		{
			name: "vendor names",
			in:   "Student ID,First Name,Last Name,SSID Number,House Number,Street Name,Postal Cd\nr1,Ana,Lee,9876543210,12,Main St,84601\n",
			want: normalize.Record{Given: "Ana", Family: "Lee", SSID: "9876543210", Address: "12 Main St", Zip: "84601"},
			wantHow: map[string]string{"SSID Number": "alias", "House Number": "parts", "Street Name": "alias",
				"Postal Cd": "alias"},
		},
		{
			// A voter file: its city beats the birth place that would stand in for one, its
			// street address is found by its words, its middle name and suffix by theirs.
			name: "NC voter file",
			in: "voter_reg_num,first_name,midl_name,last_name,name_sufx_cd,res_street_address,res_city_desc,zip_code,age,gender_code,birth_place\n" +
				"BN1,JORDAN,CHARLES,THOMAS,SR,5581 Lincoln AVE,SALISBURY,28144,45,M,GA\n",
			want: normalize.Record{Given: "JORDAN", Middle: "CHARLES", Family: "THOMAS", Suffix: "SR", Address: "5581 Lincoln AVE",
				City: "SALISBURY", Zip: "28144", Sex: "M"},
			wantHow: map[string]string{"voter_reg_num": "alias", "midl_name": "alias", "name_sufx_cd": "alias",
				"res_street_address": "word", "res_city_desc": "word", "zip_code": "alias", "birth_place": "", "age": ""},
		},
		{
			name: "a health registry: an address line, an e-mail address and a second line beside it",
			in:   "MRN,first,last,DOB,address_line,address_line_2,contact_email_address,city\nm1,Ana,Lee,2012-03-04,12 Main St,Apt 4,a@b.org,Provo\n",
			want: normalize.Record{Given: "Ana", Family: "Lee", BirthDate: "2012-03-04", Address: "12 Main St Apt 4", City: "Provo"},
			wantHow: map[string]string{"MRN": "alias", "address_line": "word", "address_line_2": "parts",
				"contact_email_address": "", "city": "exact"},
		},
		{
			// Notes about an address, and another person's, are no student's address.
			name: "flags and a contact's address",
			in: "record_id,first_name,last_name,home_address_verified,res_address_type,emergency_contact_street_address,address_line_count,home_addr_county,city\n" +
				"r1,Ana,Lee,Y,H,1 Elm St,2,Utah,Provo\n",
			want: normalize.Record{Given: "Ana", Family: "Lee", City: "Provo"},
			wantHow: map[string]string{"home_address_verified": "", "res_address_type": "", "emergency_contact_street_address": "",
				"address_line_count": "", "home_addr_county": "", "city": "exact"},
		},
		{
			name:    "the person preset on the student CSV: an address column, a full name",
			in:      "record_id,full_name,birth_date,address,sex\nr1,\"Lee, Ana\",2012-03-04,12 Main St,F\n",
			person:  true,
			want:    normalize.Record{FullName: "Lee, Ana", BirthDate: "2012-03-04", Address: "12 Main St", Extra: []string{"", ""}},
			wantHow: map[string]string{"full_name": "exact", "address": "alias", "sex": ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := StudentSettings()
			if tt.person {
				s = PersonSettings()
				s.IDColumn = "record_id"
			}
			r, err := s.NewRoll()
			if err != nil {
				t.Fatal(err)
			}
			if err := r.ReadCSV("in.csv", strings.NewReader(tt.in)); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, r.Record(0)); d != "" {
				t.Errorf("record (-want +got):\n%s", d)
			}
			got := map[string]string{}
			for _, u := range r.Header(0) {
				if _, ok := tt.wantHow[strings.TrimSpace(u.Header)]; ok {
					got[strings.TrimSpace(u.Header)] = u.How
				}
			}
			if d := cmp.Diff(tt.wantHow, got); d != "" {
				t.Errorf("how each column matched (-want +got):\n%s", d)
			}
			if got, want := r.Column(0, "address"), tt.want.Address; got != want {
				t.Errorf("Column(address) = %q, want the parts joined %q", got, want)
			}
		})
	}
}

func TestRollHeaderMatching(t *testing.T) {
	tests := []struct {
		name, header string
		want         map[string]string // settings column → header column
		wantErr      string
	}{
		{"miscased and punctuated", "ID,FIRST,Last-", map[string]string{"id": "ID", "first": "FIRST", "last": "Last-"}, ""},
		{"exact wins over folded", "id,First,first,last", map[string]string{"id": "id", "first": "first", "last": "last"}, ""},
		{"aliases", "StudentNumber,LegalFirstName,Surname", map[string]string{"id": "StudentNumber", "first": "LegalFirstName", "last": "Surname"}, ""},
		{"plural given names", "id,Given Names,Surname", map[string]string{"id": "id", "first": "Given Names", "last": "Surname"}, ""},
		{"two columns that fold alike", "id,First Name,first_name,last", nil, `columns "First Name" and "first_name" could both be "first"`},
		{"missing ID shows the header", "Nom,Prenom", nil, `required column "id" (the record ID) is missing from the header; read: "Nom", "Prenom"`},
		{"missing required shows the header", "id,first", nil, `required column "last" (family_name) is missing from the header; read: "id", "first"`},
	}
	cols := []Column{{Name: "first", Role: normalize.RoleGiven}, {Name: "last", Role: normalize.RoleFamily}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := resolveHeader(strings.Split(tt.header, ","), "id", cols)
			if tt.wantErr != "" {
				var missing *MissingColumnError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.HasPrefix(tt.wantErr, "required column") && !errors.As(err, &missing) {
					t.Errorf("err = %T, want a *MissingColumnError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, u := range res.uses {
				if u.Column != "" {
					got[u.Column] = u.Header
				}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestRoleAliasesAreDistinct(t *testing.T) {
	owner := map[string]normalize.Role{}
	for _, id := range idAliases {
		owner[id] = "record ID"
	}
	aliases := map[normalize.Role][]string{normalize.RoleAddress: slices.Concat(streetNumberNames, streetLine2Names)}
	for role, names := range roleAliases {
		aliases[role] = append(aliases[role], names...)
	}
	for role, names := range standInAliases {
		aliases[role] = append(aliases[role], names...)
	}
	for role, names := range aliases {
		if !knownRole(role) {
			t.Errorf("aliases for unknown role %q", role)
		}
		for _, n := range names {
			if n != headerKey(n) {
				t.Errorf("alias %q of %s is not folded (%q)", n, role, headerKey(n))
			}
			if o, dup := owner[n]; dup {
				t.Errorf("alias %q belongs to both %s and %s", n, o, role)
			}
			owner[n] = role
		}
	}
}

func TestSettingsWithColumns(t *testing.T) {
	s, err := StudentSettings().WithColumns(map[string]string{"given_name": "Prénom", "birth_date": "Born", "id": "Key", "zip": "ZIP5"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.ReadCSV("x.csv", strings.NewReader("Key,Prénom,Born,ZIP5,FirstName\nk1,Zoë,2011-01-02,84601,Other\n")); err != nil {
		t.Fatal(err)
	}
	rec := r.Record(0)
	if rec.Given != "Zoë" || rec.BirthDate != "2011-01-02" || rec.Zip != "84601" || r.IDs[0] != "k1" {
		t.Errorf("record %+v id %q: the named columns were not used", rec, r.IDs[0])
	}
	if err := r.ReadCSV("y.csv", strings.NewReader("Key,Born,ZIP5\nk1,2011-01-02,84601\n")); err == nil || !strings.Contains(err.Error(), `"Prénom"`) {
		t.Errorf("a named column missing: err = %v", err)
	}
	// A named column missing is not guessed from an alias of its role (FirstName).
	if err := r.ReadCSV("z.csv", strings.NewReader("Key,FirstName,Born,ZIP5\nk1,Zoë,2011-01-02,84601\n")); err == nil || !strings.Contains(err.Error(), `"Prénom"`) {
		t.Errorf("a named column missing, an alias of its role present: err = %v", err)
	}
	_, err = StudentSettings().WithColumns(map[string]string{"shoe_size": "Shoes"})
	if err == nil || !strings.Contains(err.Error(), "shoe_size=Shoes") {
		t.Fatalf("unknown key: err = %v", err)
	}
	// Each name it may take is listed once (a column named as its role was listed twice).
	for _, name := range []string{"given_name", "birth_date", "ssid", "first_name"} {
		if n := strings.Count(err.Error(), name+","); n > 1 {
			t.Errorf("unknown key: %s listed %d times in %q", name, n, err)
		}
	}
	for _, want := range []string{"id (the record ID", "a role (given_name,", "birth_date"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("unknown key: %q lacks %q", err, want)
		}
	}
}

// A role or column named as several headers joined by "+" is filled from them all, in
// that order: a birth date in three columns, a family name in two.
func TestSettingsWithColumnsJoined(t *testing.T) {
	s, err := StudentSettings().WithColumns(map[string]string{
		"birth_date": "by + bm+bd", "last_name": "lname_c1+lname_c2", "given_name": "fname", "id": "rec_id"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	in := "rec_id,bd,bm,by,fname,lname_c2,lname_c1\nr1,27,9,1967,Frank,Schmidt,Mueller\n"
	if err := r.ReadCSV("rl.csv", strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	rec := r.Record(0)
	if d := cmp.Diff([3]string{"Frank", "Mueller Schmidt", "1967 9 27"}, [3]string{rec.Given, rec.Family, rec.BirthDate}); d != "" {
		t.Errorf("joined columns (-want +got):\n%s", d)
	}
	_, res := linkRoll(t, s, r)
	if got := res.Prepared.Table.BirthDate[0].String(); got != "1967-09-27" {
		t.Errorf("birth date from three columns = %s, want 1967-09-27", got)
	}
	for _, bad := range []map[string]string{{"birth_date": "by++bd"}, {"id": "a+b"}, {"birth_date": "+"}} {
		if _, err := StudentSettings().WithColumns(bad); err == nil {
			t.Errorf("WithColumns(%v) accepted", bad)
		}
	}
}

func TestRollReadEncodings(t *testing.T) {
	const utf8Text = "id,first,last,street\n" +
		"1,José,Núñez,Große Str\n" +
		"2,Zoë,O’Brien,Rue de l’Église\n"
	readAll := func(t *testing.T, data []byte, enc string) ([]normalize.Record, string) {
		t.Helper()
		r, err := NewRoll("id", testColumns())
		if err != nil {
			t.Fatal(err)
		}
		n, err := r.Read("in.csv", bytes.NewReader(data), ReadOptions{Encoding: enc})
		if err != nil {
			t.Fatal(err)
		}
		if n.Read != 2 || n.Kept != 2 || n.Rejected != 0 {
			t.Errorf("count = %+v", n)
		}
		var out []normalize.Record
		for i := range r.Len() {
			out = append(out, r.Record(i))
		}
		return out, n.Encoding
	}
	want, _ := readAll(t, []byte(utf8Text), "")
	encode := func(e encoding.Encoding) []byte {
		b, err := e.NewEncoder().Bytes([]byte(utf8Text))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name, enc string
		data      []byte
		used      string // the encoding it was read in
	}{
		{"windows-1252", "windows-1252", encode(charmap.Windows1252), "windows-1252"},
		{"cp1252 alias", "CP1252", encode(charmap.Windows1252), "windows-1252"},
		{"utf-16 with a byte-order mark, named", "utf-16", encode(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)), "utf-16"},
		{"utf-16 big-endian with a mark, found unnamed", "", encode(unicode.UTF16(unicode.BigEndian, unicode.UseBOM)), "utf-16"},
		{"utf-16le without a mark", "utf-16le", encode(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)), "utf-16le"},
		// Without a mark and unnamed: found by the zero byte in every other place.
		{"utf-16le without a mark, found unnamed", "", encode(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)), "utf-16le"},
		{"utf-16be without a mark, found unnamed", "", encode(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)), "utf-16be"},
		{"utf-16be without a mark, named utf-16", "utf-16", encode(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)), "utf-16"},
		{"utf-8 with a byte-order mark", "utf-8", append([]byte("\ufeff"), utf8Text...), "utf-8"},
		// One -encoding for a UTF-8 file and a Windows-1252 one: the UTF-8 file is not
		// turned into "JosÃ©".
		{"utf-8 named windows-1252", "windows-1252", []byte(utf8Text), "utf-8"},
		{"utf-8 with a mark named iso-8859-1", "iso-8859-1", append([]byte("\ufeff"), utf8Text...), "utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, used := readAll(t, tt.data, tt.enc)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("records differ from the UTF-8 copy (-utf8 +%s):\n%s", tt.enc, d)
			}
			if used != tt.used {
				t.Errorf("read as %q, want %q", used, tt.used)
			}
		})
	}
	// A file of ASCII alone is the same in either: read as named.
	r0, _ := NewRoll("id", testColumns())
	if n, err := r0.Read("a.csv", strings.NewReader("id,first,last,street\n1,Ana,Lopez,Main St\n"), ReadOptions{Encoding: "windows-1252"}); err != nil || n.Encoding != "windows-1252" {
		t.Errorf("ASCII under windows-1252: %+v, %v", n, err)
	}
	// Latin-1 has no curly apostrophe: a plain one round-trips.
	latin := strings.ReplaceAll(utf8Text, "’", "'")
	b, err := charmap.ISO8859_1.NewEncoder().Bytes([]byte(latin))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := NewRoll("id", testColumns())
	if _, err := r.Read("latin1.csv", bytes.NewReader(b), ReadOptions{Encoding: "iso-8859-1"}); err != nil {
		t.Fatal(err)
	}
	if got := r.Record(0).Family; got != "Núñez" {
		t.Errorf("iso-8859-1 family = %q, want Núñez", got)
	}
	// Windows-1252 bytes read as UTF-8 stop with a hint.
	r, _ = NewRoll("id", testColumns())
	_, err = r.Read("w.csv", bytes.NewReader(encode(charmap.Windows1252)), ReadOptions{})
	if err == nil || !strings.Contains(err.Error(), "w.csv:2: record \"1\", column \"first\": value is not valid UTF-8 (if the file is not UTF-8") {
		t.Errorf("err = %v", err)
	}
	if _, err := r.Read("x.csv", strings.NewReader(utf8Text), ReadOptions{Encoding: "ebcdic"}); err == nil || !strings.Contains(err.Error(), `unknown encoding "ebcdic"`) {
		t.Errorf("unknown encoding: err = %v", err)
	}
	// UTF-16, with its mark or without, under a single-byte encoding (named for another
	// file of the run) is read as UTF-16, which it is.
	for _, tc := range []struct {
		bom  unicode.BOMPolicy
		want string
	}{{unicode.IgnoreBOM, "utf-16le"}, {unicode.UseBOM, "utf-16"}} {
		r, _ = NewRoll("id", testColumns())
		n, err := r.Read("u.csv", bytes.NewReader(encode(unicode.UTF16(unicode.LittleEndian, tc.bom))), ReadOptions{Encoding: "windows-1252"})
		if err != nil || n.Encoding != tc.want || r.Record(0).Family != "Núñez" {
			t.Errorf("utf-16 (%s) named windows-1252: %+v, family %q, err %v", tc.want, n, r.Record(0).Family, err)
		}
	}
	// UTF-16 with its mark, named UTF-8: the error says what the mark says.
	r, _ = NewRoll("id", testColumns())
	_, err = r.Read("m.csv", bytes.NewReader(encode(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM))), ReadOptions{Encoding: "utf-8"})
	if err == nil || !strings.Contains(err.Error(), "starts with a UTF-16 byte-order mark") {
		t.Errorf("utf-16 with a mark read as utf-8: err = %v", err)
	}
	// A zero byte in a value sets its row aside.
	r, _ = NewRoll("id", testColumns())
	var rejected []Rejected
	n, err := r.Read("z.csv", strings.NewReader("id,first,last\n1,A\x00na,Lopez\n2,Ben,Ito\n"), ReadOptions{Reject: func(x Rejected) { rejected = append(rejected, x) }})
	if err != nil || n.Kept != 1 || len(rejected) != 1 || rejected[0].Line != 2 || !strings.Contains(rejected[0].Reason, `column "first": value has a zero byte`) {
		t.Errorf("zero byte in a value: %+v, %+v, %v", n, rejected, err)
	}
}

func TestRollReadRejects(t *testing.T) {
	in := "id,first,last\n" +
		"1,Ana,Lopez\n" +
		"2,Ben\n" + // too few fields
		"3,C\xffy,Diaz\n" + // not UTF-8
		",Dee,Ito\n" + // no ID
		"1,Eve,Ng\n" + // ID used
		"4,F\"x,Ortiz\n" + // bare quote
		"5,Gus,Park\n" +
		"6,\"Hal\nJr\",Quinn\n" + // a quoted field over two lines, kept
		"7,\"Ivy,Ruiz\n8,Jo,Soto\n" // unclosed quote: the rest of the file is one row
	r, err := NewRoll("id", testColumns())
	if err != nil {
		t.Fatal(err)
	}
	var rejected []Rejected
	n, err := r.Read("in.csv", strings.NewReader(in), ReadOptions{Reject: func(x Rejected) { rejected = append(rejected, x) }})
	if err != nil {
		t.Fatal(err)
	}
	if n.Read != n.Kept+n.Rejected || n.Kept != r.Len() || n.Rejected != len(rejected) {
		t.Errorf("count %+v, %d records, %d rejected: kept + rejected must be read", n, r.Len(), len(rejected))
	}
	if d := cmp.Diff([]string{"1", "5", "6"}, r.IDs); d != "" {
		t.Errorf("kept (-want +got):\n%s", d)
	}
	type where struct {
		Line, End     int
		Fault, Reason string
	}
	var got []where
	for _, x := range rejected {
		got = append(got, where{x.Line, x.EndLine, x.Fault, x.Reason})
	}
	want := []where{
		{3, 3, FaultFields, "2 fields, want 3 as in the header"},
		{4, 4, FaultEncoding, `record "3", column "first": value is not valid UTF-8 (if the file is not UTF-8, name its encoding: windows-1252 and iso-8859-1 are common)`},
		{5, 5, FaultEmptyID, `column "id": empty record ID`},
		{6, 6, FaultSameID, `column "id": record ID "1" already used at in.csv:2`},
		{7, 7, FaultQuote, `character 4 of the line: bare " in non-quoted-field`},
		{11, 12, FaultQuote, `extraneous or missing " in quoted-field at line 12, character 11 (a quoted field runs on from line 11)`},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rejected (-want +got):\n%s", d)
	}
}

func FuzzRollRead(f *testing.F) {
	f.Add([]byte("id,first,last\n1,Ana,Lopez\n2,Ben\n"), true, "")
	f.Add([]byte("\xff\xfei\x00d\x00,\x00f\x00\n\x00"), false, "")
	f.Add([]byte("ID,First Name,LAST\n1,\"a\nb\",c\n"), true, "windows-1252")
	f.Add([]byte("record_id,fname,lname,by,bm,bd\n1,Ana,Ruiz,2011,1,2\n2,Ben,NA,2010,2,30\n"), false, "") // r: the student columns
	f.Add([]byte("record_id,first_name,dob\n1,Ana,25/04/2010\n2,Ben,03/04/2010\n"), true, "")
	f.Add([]byte("id\tfirst\tlast\r1\t\"Ana\r2\tBen\tIto\r3\tCy\"\tNg\r"), true, "")
	f.Fuzz(func(t *testing.T, data []byte, skip bool, enc string) {
		columns := testColumns()
		if len(data) > 0 && data[0]%2 == 0 {
			columns = StudentColumns() // birth dates, in parts or not, and their order
		}
		r, err := NewRoll("id", columns)
		if err != nil {
			t.Fatal(err)
		}
		opt := ReadOptions{Encoding: enc}
		rejected := 0
		if skip {
			opt.Reject = func(Rejected) { rejected++ }
		}
		n, err := r.Read("f.csv", bytes.NewReader(data), opt)
		stopped := 0 // the row that stopped a read
		if err != nil && n.Read > n.Kept+n.Rejected {
			stopped = 1
		}
		if n.Read != n.Kept+n.Rejected+stopped || n.Kept != r.Len() || n.Rejected != rejected {
			t.Fatalf("count %+v, %d records, %d rejected (err %v)", n, r.Len(), rejected, err)
		}
		for i := range r.Len() {
			rec := r.Record(i)
			if rec.DayFirst != r.DateOrder(int(r.Source[i])).DayFirst() {
				t.Fatalf("record %d: DayFirst %v, its source's date order %+v", i, rec.DayFirst, r.DateOrder(int(r.Source[i])))
			}
			if r.Column(i, "birth_date") != rec.BirthDate && slices.ContainsFunc(r.Header(int(r.Source[i])), func(u ColumnUse) bool { return u.How == matchParts }) {
				t.Fatalf("record %d: birth date %q, column %q", i, rec.BirthDate, r.Column(i, "birth_date"))
			}
			// The compact row store gives back every field, the record ID among them.
			row := r.Row(i)
			if len(row) != len(r.Headers[r.Source[i]]) || !slices.Contains(row, r.IDs[i]) {
				t.Fatalf("record %d: row %q under header %q, ID %q", i, row, r.Headers[r.Source[i]], r.IDs[i])
			}
		}
	})
}

// A source that writes dates day first has its ambiguous ones read day first too, so
// that 05/06/2011 from it and 2011-06-05 from an ISO source are one birth date; a
// source written month first keeps reading them month first.
func TestRollDateOrderBySource(t *testing.T) {
	r, err := NewRoll("id", StudentColumns())
	if err != nil {
		t.Fatal(err)
	}
	sources := []struct{ name, csv string }{
		{"uk.csv", "id,first_name,last_name,birth_date\nu1,Ben,Hall,05/06/2011\nu2,Ana,Ruiz,25/04/2010\nu3,Cy,Lee,31/12/2009\n"},
		{"iso.csv", "id,first_name,last_name,birth_date\ni1,Ben,Hall,2011-06-05\n"},
		{"us.csv", "id,first_name,last_name,birth_date\nm1,Ben,Hall,05/06/2011\nm2,Ana,Ruiz,04/25/2010\n"},
	}
	for _, s := range sources {
		if err := r.ReadCSV(s.name, strings.NewReader(s.csv)); err != nil {
			t.Fatal(err)
		}
	}
	orders := []normalize.DateOrderCount{r.DateOrder(0), r.DateOrder(1), r.DateOrder(2)}
	if d := cmp.Diff([]normalize.DateOrderCount{{DayOnly: 2}, {}, {MonthOnly: 1}}, orders); d != "" {
		t.Errorf("date orders (-want +got):\n%s", d)
	}
	_, res := linkRoll(t, StudentSettings(), r)
	want := map[string]string{"u1": "2011-06-05", "u2": "2010-04-25", "i1": "2011-06-05", "m1": "2011-05-06", "m2": "2010-04-25"}
	for i, id := range r.IDs {
		if w, ok := want[id]; ok {
			if got := res.Prepared.Table.BirthDate[i].String(); got != w {
				t.Errorf("%s (%s): birth date %s, want %s", id, r.Sources[r.Source[i]], got, w)
			}
		}
	}
}

// A birth date kept in year, month and day columns is read from the three, in that order,
// whatever the header's order (from the year and month, or the year, where there is no
// day column); a header with a whole birth date keeps it.
func TestRollBirthDateParts(t *testing.T) {
	tests := []struct {
		header, row string
		want        string // the record's birth date as read
		parts       int    // columns taken as parts
	}{
		{"rec_id,fname,lname,bd,bm,by", "r1,Frank,Mueller,27,9,1967", "1967 9 27", 3},
		{"id,First Name,BirthYear,BirthMonth,BirthDay", "r1,Ana,2011,1,2", "2011 1 2", 3},
		{"id,first_name,Year_Of_Birth,Month_Of_Birth,Day_Of_Birth", "r1,Ana,2011,1,2", "2011 1 2", 3},
		{"id,first_name,DOB_YYYY,DOB_MM,DOB_DD", "r1,Ana,2011,01,02", "2011 01 02", 3},
		{"id,first_name,DOB,birth_yr,birth_mo,birth_dy", "r1,Ana,2011-01-02,2011,1,2", "2011-01-02", 0},
		{"id,first_name,year,month,day", "r1,Ana,2011,1,2", "", 0}, // not said to be a birth
		// No day column: a year and a month, or a year alone (compared by what they name).
		{"id,first_name,birth_year,birth_month", "r1,Ana,2011,1", "2011 1", 2},
		{"id,first_name,BirthYear", "r1,Ana,2011", "2011", 1},
		{"id,first_name,year", "r1,Ana,2011", "", 0},
		{"id,first_name,by", "r1,Ana,2011", "", 0}, // "y" alone is too short to stand for a year
	}
	for _, tc := range tests {
		r, err := NewRoll("id", StudentColumns())
		if err != nil {
			t.Fatal(err)
		}
		if err := r.ReadCSV("x.csv", strings.NewReader(tc.header+"\n"+tc.row+"\n")); err != nil {
			t.Fatalf("%s: %v", tc.header, err)
		}
		parts := 0
		for _, u := range r.Header(0) {
			if u.How == matchParts {
				parts++
				if u.Column != "birth_date" {
					t.Errorf("%s: %s fills %q", tc.header, u.Header, u.Column)
				}
			}
		}
		if got := r.Record(0).BirthDate; got != tc.want || parts != tc.parts {
			t.Errorf("%s: birth date %q from %d parts, want %q from %d", tc.header, got, parts, tc.want, tc.parts)
		}
		if tc.parts > 0 && r.Column(0, "birth_date") != tc.want {
			t.Errorf("%s: Column(birth_date) = %q, want %q", tc.header, r.Column(0, "birth_date"), tc.want)
		}
	}
}

// TestProblemString names the value once, however the parser's error names it, and cuts
// a long one short.
func TestProblemString(t *testing.T) {
	_, dateErr := normalize.ParseDate("1997-21-25", normalize.DateOptions{})
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{Source: "a.csv", Line: 3, RecordID: "r1", Field: "birth_date", Value: "1997-21-25", Err: dateErr},
			`a.csv:3: record "r1": birth_date "1997-21-25": month 21 does not exist`},
		{Problem{Source: "a.csv", Line: 4, RecordID: "r2", Field: "sex", Value: "Q", Err: errors.New("not a sex code")},
			`a.csv:4: record "r2": sex "Q": not a sex code`},
		// A long value is cut short, on a whole rune.
		{Problem{Source: "a.csv", Line: 5, RecordID: "r3", Field: "email", Value: strings.Repeat("a", 63) + "é" + strings.Repeat("b", 1000), Err: normalize.ErrNotContact},
			`a.csv:5: record "r3": email "` + strings.Repeat("a", 63) + `…": ` + normalize.ErrNotContact.Error()},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}

// TestReadDelimiters reads the same roll written with each delimiter a spreadsheet or SIS
// export uses, found from the header line, and with one named in ReadOptions; blank
// cells, first, inner and last, keep their columns whatever the delimiter.
func TestReadDelimiters(t *testing.T) {
	rows := [][]string{{"record_id", "first_name", "last_name", "birth_date"},
		{"1", "Ana", "Silva, Jr.", "2012-03-04"}, {"2", "Ben", "Okafor", "2011-01-02"},
		{"3", "", "Reyes", ""}, {"4", "", "", "2010-05-06"}}
	write := func(comma, eol string) string {
		var b strings.Builder
		for _, row := range rows {
			for c, f := range row {
				if c > 0 {
					b.WriteString(comma)
				}
				if strings.ContainsAny(f, ",;|\t") {
					f = `"` + f + `"`
				}
				b.WriteString(f)
			}
			b.WriteString(eol)
		}
		return b.String()
	}
	for _, tc := range []struct {
		name, comma string
		opt         ReadOptions
		eol         string
	}{
		{"comma", ",", ReadOptions{}, "\r\n"},
		{"semicolon", ";", ReadOptions{}, "\r\n"},
		{"tab", "\t", ReadOptions{}, "\r\n"},
		{"bar", "|", ReadOptions{}, "\n"},
		{"named", ";", ReadOptions{Comma: ';'}, "\r\n"},
		{"lines ended by a carriage return alone", ",", ReadOptions{}, "\r"},
		{"tab, carriage returns alone", "\t", ReadOptions{}, "\r"},
	} {
		r, err := NewRoll("record_id", StudentColumns())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Read("x.csv", strings.NewReader(write(tc.comma, tc.eol)), tc.opt); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got [][]string
		for i := range r.Len() {
			rec := r.Record(i)
			got = append(got, []string{r.IDs[i], rec.Given, rec.Family, rec.BirthDate})
		}
		if d := cmp.Diff(rows[1:], got); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, d)
		}
	}
}

func TestQuoteHeader(t *testing.T) {
	long := strings.Repeat("x", 200)
	tests := []struct {
		header []string
		want   string
	}{
		{nil, "no columns"},
		{[]string{"id", "First Name"}, `"id", "First Name"`},
		{[]string{long}, `"` + strings.Repeat("x", 60) + `"… (200 bytes)`},
		{[]string{"\x00i\x00d"}, `"\x00i\x00d" (NUL bytes in the names: UTF-16? try -encoding utf-16, or utf-16be)`},
	}
	for _, tt := range tests {
		if got := quoteHeader(tt.header); got != tt.want {
			t.Errorf("quoteHeader(%q) = %s, want %s", tt.header, got, tt.want)
		}
	}
}

// TestRollSameIDTwoLEAs: a file of several LEAs whose local IDs collide stops at the
// second row, naming both LEAs and what to do.
func TestRollSameIDTwoLEAs(t *testing.T) {
	r, err := StudentSettings().NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	in := "lea,student_number,first_name,last_name\n01,1001,Ana,Lee\n02,1001,Bo,Chen\n"
	err = r.ReadCSV("state.csv", strings.NewReader(in))
	want := `state.csv:3: column "student_number": record ID "1001" already used at state.csv:2 by LEA "01", here LEA "02": IDs must be unique within a file; give each LEA its own file`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want %q", err, want)
	}
}

// TestRollReadTrimsFields trims spaces, tabs and no-break spaces around every field,
// inside quotes and in a tab-separated file too: " A1" is record A1.
func TestRollReadTrimsFields(t *testing.T) {
	for _, in := range []string{
		"id,first,last\n\" A1\",\" Ana \",Lopez\n\u00a0A2\u00a0,Ben\t,Ito\n",
		"id\tfirst\tlast\n A1\t Ana \tLopez\n\u00a0A2\u00a0\tBen\tIto\n",
	} {
		r, err := NewRoll("id", testColumns())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Read("in.csv", strings.NewReader(in), ReadOptions{}); err != nil {
			t.Fatal(err)
		}
		var got [][]string
		for i := range r.Len() {
			got = append(got, r.Row(i))
		}
		if d := cmp.Diff([][]string{{"A1", "Ana", "Lopez"}, {"A2", "Ben", "Ito"}}, got); d != "" {
			t.Errorf("%q (-want +got):\n%s", in, d)
		}
	}
}

// TestRollFullNameOrder reads a full-name column family name first where its name says
// so, and given name first otherwise.
func TestRollFullNameOrder(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   string // ColumnUse.NameOrder
		given  string // the given name read from "Williams Emma Rose"
	}{
		{"LastFirst", FamilyFirst, "Emma"},
		{"Student Name (Last First)", FamilyFirst, "Emma"},
		{"Last Name, First Name", FamilyFirst, "Emma"},
		{"FirstLast", GivenFirst, "Williams"},
		{"Student Name", "", "Williams"},
		{"Name", "", "Williams"},
	} {
		r, err := NewRoll("id", StudentColumns())
		if err != nil {
			t.Fatal(err)
		}
		in := "id," + quoteCSV(tc.header) + "\n1,Williams Emma Rose\n"
		if _, err := r.Read("x.csv", strings.NewReader(in), ReadOptions{}); err != nil {
			t.Fatalf("%s: %v", tc.header, err)
		}
		u := r.Header(0)[1]
		if u.Role != normalize.RoleFullName || u.NameOrder != tc.want {
			t.Errorf("%s: %+v, want full name %q", tc.header, u, tc.want)
		}
		tab := normalize.NewTable(1, 0)
		normalize.NewPreparer(normalize.Options{}).Fill(tab, 0, r.Record(0))
		if got := tab.Given[0].Key; got != normalize.Fold(tc.given) {
			t.Errorf("%s: given name %q, want %q", tc.header, got, normalize.Fold(tc.given))
		}
	}
}

// quoteCSV quotes a CSV field that holds a comma.
func quoteCSV(s string) string {
	if strings.Contains(s, ",") {
		return `"` + s + `"`
	}
	return s
}

// TestRollReadSwallowedRows refuses a row whose quote, left open, took in the rows after
// it (a tab-separated file's "Bob, or a comma file's), naming its column and lines, and
// keeps a quoted address written over two lines.
func TestRollReadSwallowedRows(t *testing.T) {
	const header = "record_id,first_name,middle_name,last_name,birth_date,address\n"
	for _, tc := range []struct {
		name, in string
		kept     []string
		rejected []Rejected
	}{{
		name: "tab",
		in: strings.ReplaceAll(header, ",", "\t") +
			"A1\tRobert\t\"Bob\tSmith\t2010-05-03\t1 Elm St\n" +
			"A2\tAna\t\tRuiz\t2011-02-01\t2 Elm St\n" +
			"A3\tMaria\tElena\"\tLopez\t2011-02-01\t3 Elm St\n" +
			"A4\tBen\t\tLee\t2012-03-04\t4 Elm St\n",
		kept: []string{"A4"},
		rejected: []Rejected{{Source: "in.csv", Line: 2, EndLine: 4, Fault: FaultQuote,
			Reason: `column "middle_name": a quote opened at line 2 closes only at line 4, and the field holds whole rows from line 3 on: a quote left open swallowed them (a quote within a field is written twice: "")`}},
	}, {
		name: "comma",
		in: header +
			"A1,Robert,\"Bob,Smith,2010-05-03,1 Elm St\n" +
			"A2,Ana,,Ruiz,2011-02-01,2 Elm St\n" +
			"A3,Maria,Elena\",Lopez,2011-02-01,3 Elm St\n",
		rejected: []Rejected{{Source: "in.csv", Line: 2, EndLine: 4, Fault: FaultQuote,
			Reason: `column "middle_name": a quote opened at line 2 closes only at line 4, and the field holds whole rows from line 3 on: a quote left open swallowed them (a quote within a field is written twice: "")`}},
	}, {
		name: "an address over two lines",
		in: header +
			"A1,Robert,,Smith,2010-05-03,\"12 Main St\nApt 4, Bldg B, Provo\"\n" +
			"A2,Ana,,Ruiz,2011-02-01,2 Elm St\n",
		kept: []string{"A1", "A2"},
	}} {
		r, err := NewRoll("record_id", StudentColumns())
		if err != nil {
			t.Fatal(err)
		}
		var rejected []Rejected
		if _, err := r.Read("in.csv", strings.NewReader(tc.in), ReadOptions{Reject: func(x Rejected) { rejected = append(rejected, x) }}); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if d := cmp.Diff(tc.kept, r.IDs); d != "" {
			t.Errorf("%s: kept (-want +got):\n%s", tc.name, d)
		}
		if d := cmp.Diff(tc.rejected, rejected); d != "" {
			t.Errorf("%s: rejected (-want +got):\n%s", tc.name, d)
		}
	}
}

// TestRollNameOrderFromNames reads a full-name column whose name says no order family
// name first where its names begin with a family name and a given name ten times or more
// and four times as often as the other way; a header that says given name first, or
// names too few to tell, keep given name first.
func TestRollNameOrderFromNames(t *testing.T) {
	names := []string{"Williams Emma Rose", "Garcia Sofia", "Nguyen Olivia Mai", "Smith Jacob",
		"Johnson Michael Lee", "Brown Sarah", "Lopez Daniel Jose", "Taylor Hannah", "Martinez Luis",
		"Anderson Elizabeth Ann", "Thompson Samuel", "Kim Joseph"}
	reversed := make([]string, len(names))
	for k, n := range names {
		w := strings.Fields(n)
		reversed[k] = strings.Join(append(w[1:], w[0]), " ")
	}
	for _, tc := range []struct {
		name, header string
		names        []string
		want         bool
	}{
		{"family first", "Student Name", names, true},
		{"given first", "Student Name", reversed, false},
		{"too few to tell", "Student Name", names[:5], false},
		{"the header says given first", "First Last", names, false},
	} {
		r, err := NewRoll("id", StudentColumns())
		if err != nil {
			t.Fatal(err)
		}
		in := "id," + tc.header + "\n"
		for k, n := range tc.names {
			in += strconv.Itoa(k) + "," + n + "\n"
		}
		if _, err := r.Read("x.csv", strings.NewReader(in), ReadOptions{}); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := r.FamilyFirst(0); got != tc.want {
			t.Errorf("%s: FamilyFirst %v (names counted %+v), want %v", tc.name, got, r.NameOrder(0), tc.want)
		}
		if got := r.Record(0).FamilyFirst; got != tc.want {
			t.Errorf("%s: Record(0).FamilyFirst %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestRollReadSkipsNonRows passes over what a spreadsheet or a join of files leaves that
// is no record: a first line naming the delimiter (sep=;), rows of empty fields (of the
// header's width or not) and the header again; they are counted as skipped.
func TestRollReadSkipsNonRows(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ids      []string
		skipped  int
	}{
		{"sep line", "sep=;\r\nid;first;last\r\n1;Ana;Ruiz\r\n2;Ben;Ito\r\n", []string{"1", "2"}, 0},
		{"sep line, then another delimiter named", "SEP=|\nid|first|last\n1|Ana|Ruiz\n", []string{"1"}, 0},
		{"empty rows", "id,first,last\n1,Ana,Ruiz\n,,\n , ,\n,\n2,Ben,Ito\n", []string{"1", "2"}, 3},
		{"header again", "id,first,last\n1,Ana,Ruiz\nid,first,last\n2,Ben,Ito\n", []string{"1", "2"}, 1},
	} {
		r, err := NewRoll("id", testColumns())
		if err != nil {
			t.Fatal(err)
		}
		n, err := r.Read("in.csv", strings.NewReader(tc.in), ReadOptions{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if d := cmp.Diff(tc.ids, r.IDs); d != "" || n.Skipped != tc.skipped || n.Read != len(tc.ids) {
			t.Errorf("%s: %+v, IDs (-want +got):\n%s", tc.name, n, d)
		}
	}
}
