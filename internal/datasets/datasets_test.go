package datasets

import (
	"encoding/csv"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLoadCounts checks each embedded set's records and true pairs against the figures
// the datasets' README gives, so that a converter that drops rows or misreads the truth
// fails here rather than in the accuracy figures.
func TestLoadCounts(t *testing.T) {
	tests := []struct {
		name      string
		records   int
		truePairs int // within the set; across sources only in link mode
		columns   []string
	}{
		{"febrl1", 1000, 500, []string{"first_name", "last_name", "birth_date", "address", "city", "zip", "ssid"}},
		{"febrl4", 10000, 5000, nil},
		{"dsgen-A-1000", 1000, 500, nil},
		{"dsgen-C-1000", 1000, 1372, nil},
		{"dsgen-D-1000", 1000, 500, nil},
		{"rldata500", 500, 50, []string{"first_name", "middle_name", "last_name", "birth_date"}},
		{"rldata10000", 10000, 1000, nil},
		{"fake_1000", 1000, 2031, []string{"first_name", "last_name", "birth_date", "city"}},
		{"fake_1000-email", 1000, 2031, []string{"first_name", "last_name", "birth_date", "city", "email"}},
		{"ncvr-500-ocp40", 2500, 1500, []string{"first_name", "last_name", "city", "zip"}},
		{"census", 841, 327, []string{"first_name", "middle_name", "last_name", "address"}},
		{"synth", 2737, 980, nil},
	}
	fsys := os.DirFS("../../testdata")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := Load(fsys, tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if set.Records() != tt.records || len(set.Truth) != tt.records {
				t.Errorf("%d records, %d with truth, want %d", set.Records(), len(set.Truth), tt.records)
			}
			if got := truePairs(set); got != tt.truePairs {
				t.Errorf("%d true pairs, want %d", got, tt.truePairs)
			}
			if tt.columns != nil {
				if d := cmp.Diff(tt.columns, set.Columns); d != "" {
					t.Errorf("columns (-want +got):\n%s", d)
				}
			}
		})
	}
	if _, err := Load(fsys, "nope"); err == nil {
		t.Error("an unknown set loaded")
	}
}

// truePairs counts pairs of records with one entity: across sources only in link mode.
func truePairs(set Set) int {
	type key struct {
		entity string
		source int
	}
	per := map[key]int{}
	total := map[string]int{}
	for s, src := range set.Sources {
		for _, st := range src.Records {
			per[key{set.Truth[st.ID], s}]++
			total[set.Truth[st.ID]]++
		}
	}
	n := 0
	for _, c := range total {
		n += c * (c - 1) / 2
	}
	if set.Mode == "link" {
		for _, c := range per {
			n -= c * (c - 1) / 2
		}
	}
	return n
}

func TestWriteCSVRoundTrip(t *testing.T) {
	set, err := Load(os.DirFS("../../testdata"), "census")
	if err != nil {
		t.Fatal(err)
	}
	files, truth, err := set.WriteCSV(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("census wrote %d files, want A and B", len(files))
	}
	b, err := os.ReadFile(truth)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(b), "\n"); lines != set.Records()+1 {
		t.Errorf("truth file has %d lines for %d records", lines, set.Records())
	}
}

// TestContactColumnsWritten: a set that fills the e-mail column writes it after the
// student columns; every other set writes StudentHeader alone, as before the contact
// columns were added.
func TestContactColumnsWritten(t *testing.T) {
	for name, want := range map[string][]string{
		"fake_1000":       StudentHeader,
		"fake_1000-email": append(slices.Clone(StudentHeader), "email"),
	} {
		set, err := Load(os.DirFS("../../testdata"), name)
		if err != nil {
			t.Fatal(err)
		}
		files, _, err := set.WriteCSV(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(files[0])
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, rows[0]); d != "" {
			t.Errorf("%s: header (-want +got):\n%s", name, d)
		}
		if name == "fake_1000-email" && rows[1][len(rows[1])-1] != set.Sources[0].Records[0].Email {
			t.Errorf("%s: first row %q does not end in its e-mail address", name, rows[1])
		}
	}
}
