package synth

import (
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/studentlink/studentlink/normalize"
)

// Damage is one kind of error applied to records of a finished roll, one kind at a time,
// to see what each does to the matcher (examples/damage). Unlike Rates, which draw the
// errors districts make as a roll is generated, a Damage may be far harsher than data
// stewards report: a placeholder on every damaged record, another child's value.
type Damage struct {
	Name string
	// What says what it does to a record.
	What string
	// NeedsSSID marks a damage to the SSID, which means nothing in a roll without one.
	NeedsSSID bool
	// change damages rec; other is another child's record to borrow a value from.
	change func(rec, other *Record, rng *rand.Rand)
}

// Damages lists the kinds of damage, in a fixed order.
func Damages() []Damage { return damages }

// DamageNamed returns the damage with the given name; false when there is none.
func DamageNamed(name string) (Damage, bool) {
	for _, d := range damages {
		if d.Name == name {
			return d, true
		}
	}
	return Damage{}, false
}

// Damaged returns a copy of r with d applied to a share rate of its records (each drawn
// with that probability from a generator seeded with seed). The truth is unchanged.
// Values borrowed from another child's record are read from r as it was, so that damage
// does not compound.
func (r *Roll) Damaged(d Damage, rate float64, seed uint64) *Roll {
	rng := rand.New(rand.NewPCG(seed, 0x6a09e667f3bcc909))
	out := &Roll{Records: slices.Clone(r.Records), Students: r.Students}
	for i := range out.Records {
		if rng.Float64() < rate {
			d.change(&out.Records[i], r.otherStudent(i, rng), rng)
		}
	}
	return out
}

// OneRecordPerStudent returns a copy of r that keeps the first record of each student.
func (r *Roll) OneRecordPerStudent() *Roll {
	seen := make(map[int32]bool, r.Students)
	out := &Roll{Students: r.Students}
	for _, rec := range r.Records {
		if !seen[rec.Student] {
			seen[rec.Student] = true
			out.Records = append(out.Records, rec)
		}
	}
	return out
}

// otherStudent returns a record of a student other than record i's, drawn at random
// (record i itself where 32 draws find none: a roll of one student).
func (r *Roll) otherStudent(i int, rng *rand.Rand) *Record {
	for range 32 {
		j := rng.IntN(len(r.Records))
		if r.Records[j].Student != r.Records[i].Student {
			return &r.Records[j]
		}
	}
	return &r.Records[i]
}

// birthDate rewrites a record's birth date through change, in ISO form; a date the
// normalizer cannot read is left as it is.
func birthDate(rec *Record, change func(d normalize.Date) normalize.Date) {
	d, err := normalize.ParseDate(rec.BirthDate, normalize.DateOptions{})
	if err != nil || d.IsZero() {
		return
	}
	rec.BirthDate = change(d).String()
}

// typoOf is the generator's one-edit typo with rng, drawn again where it left s as it
// was (a letter replaced by itself, two alike swapped); s itself where it has under two
// letters.
func typoOf(s string, rng *rand.Rand) string {
	g := gen{rng: rng}
	for range 16 {
		if t := g.typo(s); t != s {
			return t
		}
	}
	return s
}

// placeholderSSID is the one SSID a damaged record carries under ssid_placeholder.
const placeholderSSID = "999999999"

var damages []Damage

func init() {
	damages = []Damage{
		recordDamage("given_typo", "one edit in the given name", false, func(rec *Record, _ *Record, rng *rand.Rand) {
			rec.First = typoOf(rec.First, rng)
		}),
		recordDamage("family_typo", "one edit in the family name", false, func(rec *Record, _ *Record, rng *rand.Rand) {
			rec.Last = typoOf(rec.Last, rng)
		}),
		recordDamage("both_names_typo", "one edit in the given name and one in the family name", false, func(rec *Record, _ *Record, rng *rand.Rand) {
			rec.First, rec.Last = typoOf(rec.First, rng), typoOf(rec.Last, rng)
		}),
		recordDamage("given_missing", "given name left blank", false, func(rec *Record, _ *Record, _ *rand.Rand) { rec.First = "" }),
		recordDamage("family_missing", "family name left blank", false, func(rec *Record, _ *Record, _ *rand.Rand) { rec.Last = "" }),
		recordDamage("given_initial", "given name cut to its initial", false, func(rec *Record, _ *Record, _ *rand.Rand) {
			if rs := []rune(rec.First); len(rs) > 0 {
				rec.First = string(rs[0])
			}
		}),
		recordDamage("names_swapped", "given and family names in each other's columns", false, func(rec *Record, _ *Record, _ *rand.Rand) {
			rec.First, rec.Last = rec.Last, rec.First
		}),
		recordDamage("family_replaced", "another child's family name (a step-family's, a new marriage's)", false, func(rec *Record, o *Record, _ *rand.Rand) {
			rec.Last = o.Last
		}),
		recordDamage("family_hyphenated", "another child's family name joined with a hyphen", false, func(rec *Record, o *Record, _ *rand.Rand) {
			if o.Last != "" && rec.Last != "" {
				rec.Last += "-" + o.Last
			}
		}),
		recordDamage("given_replaced", "another child's given name", false, func(rec *Record, o *Record, _ *rand.Rand) {
			rec.First = o.First
		}),
		recordDamage("middle_missing", "middle name left blank", false, func(rec *Record, _ *Record, _ *rand.Rand) { rec.Middle = "" }),
		recordDamage("middle_as_given", "the middle name in the given name's column, the given name dropped", false, func(rec *Record, _ *Record, _ *rand.Rand) {
			if rec.Middle != "" {
				rec.First, rec.Middle = rec.Middle, ""
			}
		}),
		recordDamage("birth_date_missing", "birth date left blank", false, func(rec *Record, _ *Record, _ *rand.Rand) { rec.BirthDate = "" }),
		recordDamage("birth_date_day_month", "day and month of the birth date swapped where both can be", false, func(rec *Record, _ *Record, _ *rand.Rand) {
			birthDate(rec, func(d normalize.Date) normalize.Date {
				if d.Day <= 12 {
					d.Month, d.Day = d.Day, d.Month
				}
				return d
			})
		}),
		recordDamage("birth_date_year_off", "birth year one off", false, func(rec *Record, _ *Record, rng *rand.Rand) {
			birthDate(rec, func(d normalize.Date) normalize.Date {
				d.Year += int16(1 - 2*rng.IntN(2))
				if d.Month == 2 && d.Day == 29 {
					d.Day = 28
				}
				return d
			})
		}),
		recordDamage("birth_date_day_off", "birth date a day or two off", false, func(rec *Record, _ *Record, rng *rand.Rand) {
			birthDate(rec, func(d normalize.Date) normalize.Date { return d.AddDays([]int{-2, -1, 1, 2}[rng.IntN(4)]) })
		}),
		recordDamage("birth_date_replaced", "another child's birth date", false, func(rec *Record, o *Record, _ *rand.Rand) {
			rec.BirthDate = o.BirthDate
		}),
		recordDamage("birth_date_placeholder", "1900-01-01 for the birth date", false, func(rec *Record, _ *Record, _ *rand.Rand) {
			rec.BirthDate = "1900-01-01"
		}),
		recordDamage("birth_date_is_entry", "the entry date written as the birth date", false, func(rec *Record, _ *Record, _ *rand.Rand) {
			rec.BirthDate = rec.EntryDate
		}),
		recordDamage("sex_missing", "sex left blank", false, func(rec *Record, _ *Record, _ *rand.Rand) { rec.Sex = "" }),
		recordDamage("sex_flipped", "the other sex", false, func(rec *Record, _ *Record, _ *rand.Rand) {
			switch s, _ := normalize.ParseSex(rec.Sex); s {
			case normalize.SexFemale:
				rec.Sex = "M"
			case normalize.SexMale:
				rec.Sex = "F"
			}
		}),
		recordDamage("address_missing", "street address left blank (city and zip kept)", false, func(rec *Record, _ *Record, _ *rand.Rand) {
			rec.Address = ""
		}),
		recordDamage("place_missing", "address, city and zip left blank", false, func(rec *Record, _ *Record, _ *rand.Rand) {
			rec.Address, rec.City, rec.Zip = "", "", ""
		}),
		recordDamage("address_placeholder", "HOMELESS for the address", false, func(rec *Record, _ *Record, _ *rand.Rand) {
			rec.Address = "HOMELESS"
		}),
		recordDamage("address_other", "another child's address, city and zip", false, func(rec *Record, o *Record, _ *rand.Rand) {
			rec.Address, rec.City, rec.Zip = o.Address, o.City, o.Zip
		}),
		recordDamage("ssid_missing", "SSID left blank", true, func(rec *Record, _ *Record, _ *rand.Rand) { rec.SSID = "" }),
		recordDamage("ssid_typo", "one digit of the SSID wrong, or two swapped", true, func(rec *Record, _ *Record, rng *rand.Rand) {
			if len(rec.SSID) > 1 {
				rec.SSID = ssidTypo(rec.SSID, rng)
			}
		}),
		recordDamage("ssid_other", "another child's SSID", true, func(rec *Record, o *Record, _ *rand.Rand) {
			if o.SSID != "" {
				rec.SSID = o.SSID
			}
		}),
		recordDamage("ssid_placeholder", placeholderSSID+" for the SSID", true, func(rec *Record, _ *Record, _ *rand.Rand) {
			rec.SSID = placeholderSSID
		}),
		recordDamage("upper_case", "every value in capitals", false, func(rec *Record, _ *Record, _ *rand.Rand) {
			rec.First, rec.Middle, rec.Last = strings.ToUpper(rec.First), strings.ToUpper(rec.Middle), strings.ToUpper(rec.Last)
			rec.Address, rec.City = strings.ToUpper(rec.Address), strings.ToUpper(rec.City)
		}),
	}
}

// recordDamage makes a Damage of change.
func recordDamage(name, what string, needsSSID bool, change func(rec, other *Record, rng *rand.Rand)) Damage {
	return Damage{Name: name, What: what, NeedsSSID: needsSSID, change: change}
}
