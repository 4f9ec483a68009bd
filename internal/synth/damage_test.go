package synth

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/studentlink/studentlink/normalize"
)

// TestDamaged checks, for every damage at rate 1, what it does to each record: the
// damaged field as the damage says, every other field and the truth as they were.
func TestDamaged(t *testing.T) {
	base := mustGenerate(t, DefaultConfig(300))
	date := func(s string) normalize.Date {
		d, err := normalize.ParseDate(s, normalize.DateOptions{})
		if err != nil {
			t.Fatalf("birth date %q: %v", s, err)
		}
		return d
	}
	// want says whether after is before damaged as the damage says; it may change the
	// fields it names in after back to before's, so that the rest compare equal.
	tests := map[string]func(before Record, after *Record) bool{
		"given_typo": func(b Record, a *Record) bool {
			ok := a.First != b.First || len([]rune(b.First)) < 2
			a.First = b.First
			return ok
		},
		"family_typo": func(b Record, a *Record) bool {
			ok := a.Last != b.Last || len([]rune(b.Last)) < 2
			a.Last = b.Last
			return ok
		},
		"both_names_typo": func(b Record, a *Record) bool {
			ok := a.First != b.First && a.Last != b.Last
			a.First, a.Last = b.First, b.Last
			return ok
		},
		"given_missing":  func(b Record, a *Record) bool { ok := a.First == ""; a.First = b.First; return ok },
		"family_missing": func(b Record, a *Record) bool { ok := a.Last == ""; a.Last = b.Last; return ok },
		"given_initial": func(b Record, a *Record) bool {
			ok := len([]rune(a.First)) == 1 && strings.HasPrefix(b.First, a.First)
			a.First = b.First
			return ok
		},
		"names_swapped": func(b Record, a *Record) bool {
			ok := a.First == b.Last && a.Last == b.First
			a.First, a.Last = b.First, b.Last
			return ok
		},
		"family_replaced": func(b Record, a *Record) bool { a.Last = b.Last; return true }, // another child's may be the same
		"family_hyphenated": func(b Record, a *Record) bool {
			ok := strings.HasPrefix(a.Last, b.Last+"-")
			a.Last = b.Last
			return ok
		},
		"given_replaced": func(b Record, a *Record) bool { a.First = b.First; return true },
		"middle_missing": func(b Record, a *Record) bool { ok := a.Middle == ""; a.Middle = b.Middle; return ok },
		"middle_as_given": func(b Record, a *Record) bool {
			ok := b.Middle == "" && a.First == b.First || a.First == b.Middle && a.Middle == ""
			a.First, a.Middle = b.First, b.Middle
			return ok
		},
		"birth_date_missing": func(b Record, a *Record) bool { ok := a.BirthDate == ""; a.BirthDate = b.BirthDate; return ok },
		"birth_date_day_month": func(b Record, a *Record) bool {
			x, y := date(b.BirthDate), date(a.BirthDate)
			ok := x.Day > 12 && x == y || x.Day <= 12 && y.Month == x.Day && y.Day == x.Month && y.Year == x.Year
			a.BirthDate = b.BirthDate
			return ok
		},
		"birth_date_year_off": func(b Record, a *Record) bool {
			x, y := date(b.BirthDate), date(a.BirthDate)
			ok := (y.Year == x.Year+1 || y.Year == x.Year-1) && y.Month == x.Month && (y.Day == x.Day || x.Day == 29 && y.Day == 28)
			a.BirthDate = b.BirthDate
			return ok
		},
		"birth_date_day_off": func(b Record, a *Record) bool {
			d := date(a.BirthDate).DayNumber() - date(b.BirthDate).DayNumber()
			a.BirthDate = b.BirthDate
			return d != 0 && d >= -2 && d <= 2
		},
		"birth_date_replaced": func(b Record, a *Record) bool { ok := a.BirthDate != ""; a.BirthDate = b.BirthDate; return ok },
		"birth_date_placeholder": func(b Record, a *Record) bool {
			ok := a.BirthDate == "1900-01-01"
			a.BirthDate = b.BirthDate
			return ok
		},
		"birth_date_is_entry": func(b Record, a *Record) bool { ok := a.BirthDate == b.EntryDate; a.BirthDate = b.BirthDate; return ok },
		"sex_missing":         func(b Record, a *Record) bool { ok := a.Sex == ""; a.Sex = b.Sex; return ok },
		"sex_flipped": func(b Record, a *Record) bool {
			x, _ := normalize.ParseSex(b.Sex)
			y, _ := normalize.ParseSex(a.Sex)
			ok := x == normalize.SexFemale && y == normalize.SexMale || x == normalize.SexMale && y == normalize.SexFemale
			a.Sex = b.Sex
			return ok
		},
		"address_missing": func(b Record, a *Record) bool { ok := a.Address == ""; a.Address = b.Address; return ok },
		"place_missing": func(b Record, a *Record) bool {
			ok := a.Address == "" && a.City == "" && a.Zip == ""
			a.Address, a.City, a.Zip = b.Address, b.City, b.Zip
			return ok
		},
		"address_placeholder": func(b Record, a *Record) bool { ok := a.Address == "HOMELESS"; a.Address = b.Address; return ok },
		"address_other": func(b Record, a *Record) bool {
			a.Address, a.City, a.Zip = b.Address, b.City, b.Zip
			return true
		},
		"ssid_missing": func(b Record, a *Record) bool { ok := a.SSID == ""; a.SSID = b.SSID; return ok },
		"ssid_typo": func(b Record, a *Record) bool {
			ok := b.SSID == "" && a.SSID == "" || len(a.SSID) == len(b.SSID) && a.SSID != b.SSID
			a.SSID = b.SSID
			return ok
		},
		"ssid_other":       func(b Record, a *Record) bool { a.SSID = b.SSID; return true },
		"ssid_placeholder": func(b Record, a *Record) bool { ok := a.SSID == placeholderSSID; a.SSID = b.SSID; return ok },
		"upper_case": func(b Record, a *Record) bool {
			ok := a.First == strings.ToUpper(b.First) && a.Last == strings.ToUpper(b.Last) && a.City == strings.ToUpper(b.City)
			a.First, a.Middle, a.Last, a.Address, a.City = b.First, b.Middle, b.Last, b.Address, b.City
			return ok
		},
	}
	for _, d := range Damages() {
		t.Run(d.Name, func(t *testing.T) {
			want, ok := tests[d.Name]
			if !ok {
				t.Fatalf("no test for damage %s", d.Name)
			}
			got := base.Damaged(d, 1, 7)
			if got.Students != base.Students || len(got.Records) != len(base.Records) {
				t.Fatalf("%d records of %d students, want %d of %d", len(got.Records), got.Students, len(base.Records), base.Students)
			}
			changed := 0
			for i, b := range base.Records {
				a := got.Records[i]
				if a != b {
					changed++
				}
				if !want(b, &a) {
					t.Fatalf("record %s: %+v\nbecame %+v", b.ID, b, got.Records[i])
				}
				if diff := cmp.Diff(b, a); diff != "" {
					t.Fatalf("record %s: fields the damage does not name changed (-before +after):\n%s", b.ID, diff)
				}
			}
			if changed < len(base.Records)/4 {
				t.Errorf("%d of %d records changed", changed, len(base.Records))
			}
		})
	}
	for name := range tests {
		if _, ok := DamageNamed(name); !ok {
			t.Errorf("test for %s, which is no damage", name)
		}
	}
}

// TestDamagedRate checks that rate 0 changes nothing, that a rate damages about that
// share of the records, that a seed gives the same roll twice, and that the roll damaged
// is left as it was.
func TestDamagedRate(t *testing.T) {
	base := mustGenerate(t, DefaultConfig(500))
	before, _ := csvBytes(t, base)
	d, ok := DamageNamed("birth_date_missing")
	if !ok {
		t.Fatal("no damage birth_date_missing")
	}
	if diff := cmp.Diff(base.Records, base.Damaged(d, 0, 1).Records); diff != "" {
		t.Errorf("rate 0 changed records:\n%s", diff)
	}
	had := 0
	for _, r := range base.Records {
		if r.BirthDate != "" {
			had++
		}
	}
	a, b := base.Damaged(d, 0.3, 5), base.Damaged(d, 0.3, 5)
	if diff := cmp.Diff(a.Records, b.Records); diff != "" {
		t.Errorf("one seed, two rolls:\n%s", diff)
	}
	blank := 0
	for _, r := range a.Records {
		if r.BirthDate == "" {
			blank++
		}
	}
	if share := float64(blank) / float64(had); share < 0.25 || share > 0.35 {
		t.Errorf("rate 0.3 blanked %d of %d birth dates (%.3f)", blank, had, share)
	}
	if after, _ := csvBytes(t, base); string(after) != string(before) {
		t.Error("Damaged changed the roll it copied")
	}
}
