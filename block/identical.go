package block

import (
	"cmp"
	"slices"

	"github.com/studentlink/studentlink/normalize"
)

// chainIdentical returns pairs that chain together the records of recs that are
// identical (the same names, birth date, class, sex, IDs, place, e-mail and phone): in a block too large to
// pair in full, 12,000 copies of one row are one student, and a chain of 11,999 pairs
// says so where 72 million would not fit. It returns too one record of each group of
// identical ones (the lowest), in order: a block of 5,002 records that holds two rows,
// "Maya Okafor" and "Maya R Okafor", is a block of two.
func chainIdentical(t *normalize.Table, recs []int32) (pairs [][2]int32, reps []int32) {
	slices.SortFunc(recs, func(a, b int32) int {
		return cmp.Or(compareIdentity(t, int(a), int(b)), cmp.Compare(a, b))
	})
	for k := range recs {
		if k > 0 && compareIdentity(t, int(recs[k-1]), int(recs[k])) == 0 {
			pairs = append(pairs, [2]int32{recs[k-1], recs[k]})
		} else {
			reps = append(reps, recs[k])
		}
	}
	return pairs, reps
}

// compareIdentity orders records i and j of t by the values that say who they are.
func compareIdentity(t *normalize.Table, i, j int) int {
	date := func(d normalize.Date) int { return int(d.Year)<<16 | int(d.Month)<<8 | int(d.Day) }
	return cmp.Or(
		cmp.Compare(t.Given[i].Key, t.Given[j].Key),
		cmp.Compare(t.Family[i].Key, t.Family[j].Key),
		cmp.Compare(t.Middle[i].Key, t.Middle[j].Key),
		cmp.Compare(t.Suffix[i], t.Suffix[j]),
		cmp.Compare(date(t.BirthDate[i]), date(t.BirthDate[j])),
		cmp.Compare(date(t.WrittenBirthDate[i]), date(t.WrittenBirthDate[j])),
		cmp.Compare(t.ClassOf[i], t.ClassOf[j]),
		cmp.Compare(t.Sex[i], t.Sex[j]),
		cmp.Compare(t.SSID[i], t.SSID[j]),
		cmp.Compare(t.LocalID[i], t.LocalID[j]),
		cmp.Compare(t.Address[i].Key, t.Address[j].Key),
		cmp.Compare(t.City[i].Key, t.City[j].Key),
		cmp.Compare(t.Zip[i], t.Zip[j]),
		cmp.Compare(t.Email[i], t.Email[j]),
		cmp.Compare(t.Phone[i], t.Phone[j]),
	)
}
