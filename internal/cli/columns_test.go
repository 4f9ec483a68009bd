package cli

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// An unknown name in -columns is refused with every name -columns takes, each once: the
// error listed the settings' columns and then the roles, middle_name, birth_date, ssid and
// a dozen more twice. With a loaded -model the model's columns are the ones named.
func TestColumnsUnknownName(t *testing.T) {
	dir := t.TempDir()
	roll := filepath.Join(dir, "roll.csv")
	writeText(t, roll, smallRoll)
	model := filepath.Join(dir, "model.json")
	if _, err := runSummary(t, dir, Flags{In: []string{roll}, Model: model}); err != nil {
		t.Fatal(err)
	}
	const want = "-columns: match: nosuchrole=X: nosuchrole names no role and no column of the settings; want id (the record ID, or record_id), " +
		"a role (given_name, middle_name, family_name, suffix, full_name, other_names, birth_date, sex, ssid, local_id, grade_level, address, city, zip, lea, school, email, phone, entry_date) " +
		"or another column of the settings (lea_id, school_id, first_name, last_name)"
	for _, tt := range []struct {
		name string
		f    Flags
		want string // the whole error; "" runs
	}{
		{"unknown, preset", Flags{Columns: "nosuchrole=X"}, want},
		{"unknown after a known one", Flags{Columns: "given_name=first_name, nosuchrole=X"}, want},
		{"unknown, loaded model", Flags{Columns: "nosuchrole=X", Model: model}, want},
		{"unknown, print-settings", Flags{Columns: "nosuchrole=X", PrintSettings: true}, want},
		{"a role", Flags{Columns: "given_name=first_name"}, ""},
		{"a column of the settings", Flags{Columns: "first_name=first_name"}, ""},
		{"the ID", Flags{Columns: "id=record_id"}, ""},
		{"the ID column by name", Flags{Columns: "record_id=record_id"}, ""},
		{"a role, loaded model", Flags{Columns: "family_name=last_name", Model: model}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			f.In = []string{roll}
			_, err := runSummary(t, dir, f)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ran; want %q", tt.want)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			seen := map[string]bool{}
			for _, list := range regexp.MustCompile(`\(([^)]*)\)`).FindAllStringSubmatch(err.Error(), -1) {
				for name := range strings.SplitSeq(list[1], ", ") {
					if seen[name] {
						t.Errorf("%s listed twice", name)
					}
					seen[name] = true
				}
			}
		})
	}
}

// TestParseColumnsQuoted: a header with a comma in it is named in double quotes.
func TestParseColumnsQuoted(t *testing.T) {
	for _, tt := range []struct {
		spec    string
		want    map[string]string
		wantErr bool
	}{
		{`given_name=FirstName,birth_date=DOB`, map[string]string{"given_name": "FirstName", "birth_date": "DOB"}, false},
		{`full_name="Last Name, First Name",id=LocalID`, map[string]string{"full_name": "Last Name, First Name", "id": "LocalID"}, false},
		{`full_name=Last Name, First Name`, nil, true}, // " First Name" is no pair
		{`full_name=""`, nil, true},
	} {
		got, err := parseColumns(tt.spec)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseColumns(%q) error %v, want error %v", tt.spec, err, tt.wantErr)
			continue
		}
		if d := cmp.Diff(tt.want, got); !tt.wantErr && d != "" {
			t.Errorf("parseColumns(%q) (-want +got):\n%s", tt.spec, d)
		}
	}
}
