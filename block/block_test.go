package block

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/internal/sorted"
	"github.com/studentlink/studentlink/normalize"
)

// randomTable makes n records with few distinct values, so that blocks overlap a lot.
func randomTable(rng *rand.Rand, n int) *normalize.Table {
	given := []string{"Ana", "Bill", "José", "Jose", "Li", ""}
	family := []string{"Garcia", "García-López", "Smith", "Smyth", "Nguyễn", ""}
	dates := []string{"2010-01-02", "2010-02-01", "2011-01-02", ""}
	zips := []string{"84101", "84102", ""}
	t := normalize.NewTable(n, 0)
	p := normalize.NewPreparer(normalize.Options{})
	for i := range n {
		p.Fill(t, i, normalize.Record{
			Given: given[rng.IntN(len(given))], Family: family[rng.IntN(len(family))],
			BirthDate: dates[rng.IntN(len(dates))], Zip: zips[rng.IntN(len(zips))],
		})
	}
	return t
}

var testRules = []Rule{
	R(K(normalize.RoleBirthDate, Whole)),
	R(K(normalize.RoleFamily, Tokens), K(normalize.RoleZip, Whole)),
	R(K(normalize.RoleGiven, Metaphone), K(normalize.RoleBirthDate, Year)),
	R(K(normalize.RoleFamily, Soundex)),
}

// bruteForce lists every pair some rule admits, by comparing key sets directly.
func bruteForce(t *normalize.Table, rules []Rule, opt Options) []Pair {
	keys := make([][][]uint64, len(rules))
	for r, rule := range rules {
		for i := range t.Len() {
			keys[r] = append(keys[r], rule.AppendKeys(nil, t, i))
		}
	}
	var out []Pair
	for a := range t.Len() {
		for b := a + 1; b < t.Len(); b++ {
			if opt.Mode == Link && opt.Sources[a] == opt.Sources[b] {
				continue
			}
			for r := range rules {
				if sorted.Intersect(keys[r][a], keys[r][b]) {
					out = append(out, Pair{int32(a), int32(b)})
					break
				}
			}
		}
	}
	return out
}

// TestPairsEqualBruteForce is a property test: on small random tables, in every mode,
// the streamed pairs are exactly the brute-force candidates, each once.
func TestPairsEqualBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 30 {
		n := 5 + rng.IntN(120)
		tb := randomTable(rng, n)
		sources := make([]int32, n)
		for i := range sources {
			sources[i] = int32(rng.IntN(3))
		}
		for _, mode := range []Mode{Dedupe, Link, LinkAndDedupe} {
			opt := Options{Mode: mode, Sources: sources, Workers: 1 + trial%3}
			if mode == Dedupe {
				opt.Sources = nil
			}
			got, rep, err := All(context.Background(), tb, testRules, opt)
			if err != nil {
				t.Fatal(err)
			}
			want := bruteForce(tb, testRules, Options{Mode: mode, Sources: sources})
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("trial %d mode %d: pairs differ from brute force (-want +got):\n%s", trial, mode, d)
			}
			if rep.Candidates != int64(len(got)) {
				t.Fatalf("report counts %d candidates, %d streamed", rep.Candidates, len(got))
			}
			var perRule int64
			for _, r := range rep.Rules {
				perRule += r.Candidates
			}
			if perRule != rep.Candidates {
				t.Fatalf("per-rule counts sum to %d, total %d", perRule, rep.Candidates)
			}
			counted, err := Count(context.Background(), tb, testRules, opt)
			if err != nil || counted.Candidates != rep.Candidates {
				t.Fatalf("Count = %d, %v; Pairs gave %d", counted.Candidates, err, rep.Candidates)
			}
		}
	}
}

func TestEachPairOnce(t *testing.T) {
	tb := randomTable(rand.New(rand.NewPCG(5, 6)), 400)
	var mu sync.Mutex
	seen := map[Pair]int{}
	_, err := Pairs(context.Background(), tb, testRules, Options{Workers: 4}, func(_ int, batch []Pair) error {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range batch {
			if p.A >= p.B {
				return fmt.Errorf("pair %v not ordered", p)
			}
			seen[p]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, n := range seen {
		if n != 1 {
			t.Errorf("pair %v emitted %d times", p, n)
		}
	}
	if len(seen) == 0 {
		t.Fatal("no pairs")
	}
}

func TestMissingValuesMakeNoKey(t *testing.T) {
	tb := normalize.NewTable(50, 0) // every value missing
	got, _, err := All(context.Background(), tb, PersonRules(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("%d pairs among records with no values", len(got))
	}
	if keys := R(K(normalize.RoleFamily, Whole)).AppendKeys(nil, tb, 0); len(keys) != 0 {
		t.Errorf("a blank family name made keys %v", keys)
	}
}

func TestOversizeBlocks(t *testing.T) {
	n := 30
	tb := normalize.NewTable(n, 0)
	p := normalize.NewPreparer(normalize.Options{})
	for i := range n {
		p.Fill(tb, i, normalize.Record{Family: "Smith", BirthDate: fmt.Sprintf("2010-01-%02d", 1+i%3)})
	}
	rules := []Rule{R(K(normalize.RoleFamily, Whole)), R(K(normalize.RoleBirthDate, Whole))}
	skip, rep, err := All(context.Background(), tb, rules, Options{MaxBlock: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rules[0].Oversize) != 1 || rep.Rules[0].Oversize[0].Key != "smith" || rep.Rules[0].Oversize[0].Size != 30 {
		t.Errorf("oversize report = %+v", rep.Rules[0].Oversize)
	}
	// Skipping the Smith block leaves the birth-date blocks, 3 blocks of 10, and a block
	// of the Smith block's 3 distinct rows, one record of each.
	if len(skip) != 3*45+3 {
		t.Errorf("skip: %d pairs, want %d", len(skip), 3*45+3)
	}
	capped, _, err := All(context.Background(), tb, rules, Options{MaxBlock: 20, Oversize: Cap})
	if err != nil {
		t.Fatal(err)
	}
	want := bruteForceCapped(tb, 20)
	if d := cmp.Diff(want, capped); d != "" {
		t.Errorf("cap: (-want +got):\n%s", d)
	}
	if rep.Largest[0].Size != 30 {
		t.Errorf("largest = %+v", rep.Largest)
	}
}

// bruteForceCapped: the first 20 Smiths pair with each other; every pair sharing a date
// pairs too.
func bruteForceCapped(tb *normalize.Table, cap int) []Pair {
	var out []Pair
	for a := range tb.Len() {
		for b := a + 1; b < tb.Len(); b++ {
			if b < cap || tb.BirthDate[a] == tb.BirthDate[b] {
				out = append(out, Pair{int32(a), int32(b)})
			}
		}
	}
	return out
}

func TestPairsStopsOnErrorAndCancel(t *testing.T) {
	tb := randomTable(rand.New(rand.NewPCG(7, 8)), 300)
	boom := errors.New("boom")
	_, err := Pairs(context.Background(), tb, testRules, Options{}, func(int, []Pair) error { return boom })
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Count(ctx, tb, testRules, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestRuleValidate(t *testing.T) {
	bad := []Rule{
		{Name: "empty"},
		R(K(normalize.RoleZip, Soundex)),
		R(K(normalize.RoleGiven, Year)),
		R(Key{Role: normalize.RoleGiven, Transform: First}),
		R(K("nope", Whole)),
	}
	for _, r := range bad {
		if r.Validate() == nil {
			t.Errorf("%+v: want an error", r)
		}
	}
	if _, _, err := All(context.Background(), normalize.NewTable(2, 0), nil, Options{}); err == nil {
		t.Error("no rules: want an error")
	}
	if _, _, err := All(context.Background(), normalize.NewTable(2, 0), PersonRules(), Options{Mode: Link}); err == nil {
		t.Error("link mode without sources: want an error")
	}
}

func TestKeys(t *testing.T) {
	tb := normalize.NewTable(1, 0)
	normalize.NewPreparer(normalize.Options{}).Fill(tb, 0, normalize.Record{Given: "Jose", Family: "García-López", BirthDate: "2010-03-04",
		Email: "<Jose.Garcia@Mail.org>", Phone: "+1 (801) 555-2368"})
	tests := []struct {
		rule Rule
		want []string
	}{
		{R(K(normalize.RoleFamily, Tokens)), []string{"garcia", "lopez"}},
		{R(K(normalize.RoleFamily, Whole)), []string{"garcialopez"}},
		{R(K(normalize.RoleGiven, Metaphone)), []string{"HS"}},
		{R(K(normalize.RoleFamily, Metaphone)), []string{"KRSL", "KRXL"}},
		{R(Key{Role: normalize.RoleFamily, Transform: First, N: 3}), []string{"gar"}},
		{R(K(normalize.RoleBirthDate, Year), K(normalize.RoleGiven, Initial)), []string{"2010|j"}},
		{R(K(normalize.RoleBirthDate, MonthDay)), []string{"0304"}},
		{R(K(normalize.RoleBirthDate, MonthDaySet)), []string{"0304"}},
		{R(K(normalize.RoleBirthDate, DateSet)), []string{"20100304"}},
		{R(K(normalize.RoleEmail, Whole)), []string{"jose.garcia@mail.org"}},
		{R(K(normalize.RolePhone, Whole)), []string{"8015552368"}},
	}
	for _, tc := range tests {
		var got []string
		for _, h := range tc.rule.AppendKeys(nil, tb, 0) {
			got = append(got, tc.rule.describe(tb, 0, h))
		}
		slices.Sort(got)
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s keys (-want +got):\n%s", tc.rule.Name, d)
		}
	}
}

var febrlID = regexp.MustCompile(`^rec-\d+`)

// readFEBRL prepares a FEBRL file (columns rec_id, given_name, surname, street_number,
// address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id) and returns
// the table and each record's true cluster. rec_id is truth only.
func readFEBRL(t testing.TB, paths ...string) (*normalize.Table, []string, []int32) {
	t.Helper()
	var recs []normalize.Record
	var truth []string
	var sources []int32
	for s, path := range paths {
		rows := readCSV(t, path)
		for _, row := range rows[1:] {
			f := func(k int) string { return strings.TrimSpace(row[k]) }
			recs = append(recs, normalize.Record{Given: f(1), Family: f(2), Address: f(3) + " " + f(4),
				City: f(6), Zip: f(7), BirthDate: f(9), SSID: f(10), Extra: []string{f(5), f(8)}})
			truth = append(truth, febrlID.FindString(f(0)))
			sources = append(sources, int32(s))
		}
	}
	tb := normalize.NewTable(len(recs), 2)
	tb.ExtraNames = []string{"address_2", "state"}
	p := normalize.NewPreparer(normalize.Options{})
	for i, r := range recs {
		p.Fill(tb, i, r)
	}
	return tb, truth, sources
}

func TestPersonRulesOnFEBRL(t *testing.T) {
	// Every true pair is found, at a few candidates a record (the bound is 30).
	tests := []struct {
		name      string
		files     []string
		minPC     float64
		perRecord float64
		linked    bool
	}{
		{"dataset1", []string{"dataset1.csv"}, 0.999, 8, false},
		{"dataset2", []string{"dataset2.csv"}, 0.999, 8, false},
		{"dataset3", []string{"dataset3.csv"}, 0.999, 8, false},
		{"dataset4", []string{"dataset4a.csv", "dataset4b.csv"}, 0.999, 8, true},
	}
	for _, tc := range tests {
		var paths []string
		for _, f := range tc.files {
			paths = append(paths, "../testdata/febrl/"+f)
		}
		tb, truth, sources := readFEBRL(t, paths...)
		opt := Options{}
		if tc.linked {
			opt = Options{Mode: Link, Sources: sources}
		}
		c, rep, err := Measure(context.Background(), tb, PersonRules(), opt, truth)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: pair completeness %.4f (%d of %d true pairs), reduction ratio %.5f (%d candidates of %d pairs)",
			tc.name, c.PairCompleteness, c.Found, c.TruePairs, c.ReductionRatio, c.Candidates, c.AllPairs)
		for _, r := range rep.Rules {
			t.Logf("  rule %-40s %6d candidates", r.Rule, r.Candidates)
		}
		if per := float64(c.Candidates) / float64(tb.Len()); c.PairCompleteness < tc.minPC || per > tc.perRecord {
			t.Errorf("%s: PC %.4f with %.1f candidates a record, want ≥ %.3f with at most %.0f", tc.name, c.PairCompleteness, per, tc.minPC, tc.perRecord)
		}
	}
}

func TestMonthDaySetKeepsSwappedDates(t *testing.T) {
	tb := normalize.NewTable(3, 0)
	p := normalize.NewPreparer(normalize.Options{})
	for i, d := range []string{"2012-02-08", "2012-08-02", "2012-02-09"} {
		p.Fill(tb, i, normalize.Record{Family: "Berry", BirthDate: d})
	}
	rule := R(K(normalize.RoleBirthDate, MonthDaySet), K(normalize.RoleFamily, Soundex))
	key := func(i int) []uint64 { return rule.AppendKeys(nil, tb, i) }
	if d := cmp.Diff(key(0), key(1)); d != "" {
		t.Errorf("swapped day and month give different keys (-8 Feb +2 Aug):\n%s", d)
	}
	if cmp.Equal(key(0), key(2)) {
		t.Errorf("different days give the same key %v", key(0))
	}
}

// TestEitherSoundexKeepsSwappedNames: a record whose given and family names were
// swapped shares a key with its other record under EitherSoundex, not under Soundex; a
// record of other names born the same day shares none.
func TestEitherSoundexKeepsSwappedNames(t *testing.T) {
	tb := normalize.NewTable(3, 0)
	p := normalize.NewPreparer(normalize.Options{})
	for i, r := range []normalize.Record{
		{Given: "Ying", Family: "Zhou", BirthDate: "2012-02-08"},
		{Given: "Zhou", Family: "Ying", BirthDate: "2012-02-08"},
		{Given: "Ana", Family: "Lopez", BirthDate: "2012-02-08"},
	} {
		p.Fill(tb, i, r)
	}
	shared := func(rule Rule, a, b int) bool {
		ka := rule.AppendKeys(nil, tb, a)
		return slices.ContainsFunc(rule.AppendKeys(nil, tb, b), func(k uint64) bool { return slices.Contains(ka, k) })
	}
	either := R(K(normalize.RoleBirthDate, Whole), K(normalize.RoleGiven, EitherSoundex))
	given := R(K(normalize.RoleBirthDate, Whole), K(normalize.RoleGiven, Soundex))
	if !shared(either, 0, 1) || shared(given, 0, 1) {
		t.Errorf("swapped names: either_soundex shares a key %v, soundex %v; want true, false", shared(either, 0, 1), shared(given, 0, 1))
	}
	if shared(either, 0, 2) {
		t.Error("other names born the same day share an either_soundex key")
	}
	if err := either.Validate(); err != nil {
		t.Error(err)
	}
	if err := R(K(normalize.RoleAddress, EitherSoundex)).Validate(); err == nil {
		t.Error("either_soundex on an address validates")
	}
}

func TestMeasureByRule(t *testing.T) {
	tb := normalize.NewTable(4, 0)
	p := normalize.NewPreparer(normalize.Options{})
	for i, r := range []normalize.Record{
		{Given: "Ann", Family: "Lee", BirthDate: "2012-02-08", SSID: "111"},
		{Given: "Anne", Family: "Lee", BirthDate: "2012-02-08", SSID: "111"},
		{Given: "Bo", Family: "Kim", BirthDate: "2013-05-06", SSID: "111"},
		{Given: "Cy", Family: "Day", BirthDate: "2012-02-08", SSID: "999"},
	} {
		p.Fill(tb, i, r)
	}
	// Records 0, 1 and 2 are one person sharing an SSID; 0–1 also share a birth date and
	// a given-name code, which the second rule finds though the first found them already.
	// Record 3, another person, shares their birth date only.
	truth := []string{"p", "p", "p", "q"}
	rules := []Rule{R(K(normalize.RoleSSID, Whole)), R(K(normalize.RoleBirthDate, Whole), K(normalize.RoleGiven, Soundex))}
	c, _, err := Measure(context.Background(), tb, rules, Options{}, truth)
	if err != nil {
		t.Fatal(err)
	}
	want := []RuleCompleteness{
		{Rule: "ssid", Candidates: 3, Found: 3, Only: 2, PairCompleteness: 1},
		{Rule: "birth_date+given_name:soundex", Candidates: 0, Found: 1, Only: 0, PairCompleteness: 1.0 / 3},
	}
	if d := cmp.Diff(want, c.Rules); d != "" {
		t.Errorf("per-rule completeness (-want +got):\n%s", d)
	}
	if c.TruePairs != 3 || c.Found != 3 {
		t.Errorf("found %d of %d true pairs, want 3 of 3", c.Found, c.TruePairs)
	}
}

// TestAppendKeysAppends: a record's keys do not depend on what the slice already holds
// (a cap on the combinations counted the whole slice, so that in a roll's key list every
// record after the first few kept one combination only).
func TestAppendKeysAppends(t *testing.T) {
	tb := randomTable(rand.New(rand.NewPCG(7, 8)), 60)
	multi := 0
	for _, rule := range StudentRules() {
		var all []uint64
		for i := range tb.Len() {
			own := rule.AppendKeys(nil, tb, i)
			start := len(all)
			all = rule.AppendKeys(all, tb, i)
			if !slices.Equal(own, all[start:]) {
				t.Fatalf("%s, record %d: keys alone %v, after %d others %v", rule.Name, i, own, start, all[start:])
			}
			if len(own) > 1 {
				multi++
			}
		}
	}
	if multi == 0 {
		t.Fatal("no record has several keys under any rule: the test shows nothing")
	}
}

// TestContactGrams: an e-mail address and a phone number each add one gram, and a record
// without them has the grams it had before they were read.
func TestContactGrams(t *testing.T) {
	tb := normalize.NewTable(2, 0)
	p := normalize.NewPreparer(normalize.Options{})
	rec := normalize.Record{Given: "Ana", Family: "Lopez", BirthDate: "2011-02-03", City: "Provo", Zip: "84601"}
	p.Fill(tb, 0, rec)
	rec.Email, rec.Phone = "ana@mail.org", "801-555-2368"
	p.Fill(tb, 1, rec)
	without, with := appendGrams(nil, tb, 0), appendGrams(nil, tb, 1)
	if len(with) != len(without)+2 || !slices.Equal(with[:len(without)], without) {
		t.Errorf("grams with contacts %v, without %v: want two more at the end", with, without)
	}
	if with[len(with)-1] != hashGram(tagPhone, "8015552368") || with[len(with)-2] != hashGram(tagEmail, "ana@mail.org") {
		t.Errorf("the contact grams are not the e-mail's and the phone's")
	}
}
