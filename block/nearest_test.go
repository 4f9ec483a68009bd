package block

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/normalize"
)

// damaged returns a table of pairs whose every key is damaged in the second record (a
// typo in each name, a digit of the birth date, the zip) among distractors that share
// one field each with them: no key rule of the student kind pairs them, the Nearest
// rule must.
func damaged(t *testing.T, pairs int) (*normalize.Table, [][2]int32) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 1))
	given := []string{"Margaret", "Theodore", "Annabelle", "Christopher", "Gwendolyn", "Maximilian", "Josephine", "Sebastian"}
	family := []string{"Richardson", "Castellano", "Whitmore", "Fitzgerald", "Okonkwo", "Lindqvist", "Tremblay", "Abernathy"}
	typo := func(s string) string {
		k := 2 + rng.IntN(len(s)-3)
		return s[:k] + string(rune('a'+rng.IntN(26))) + s[k+1:]
	}
	var recs []normalize.Record
	var truth [][2]int32
	for p := range pairs {
		g, f := given[p%len(given)], family[(p/len(given))%len(family)]
		date := fmt.Sprintf("%d-%02d-%02d", 2005+rng.IntN(10), 1+rng.IntN(12), 1+rng.IntN(28))
		zip := fmt.Sprintf("84%03d", rng.IntN(1000))
		a := normalize.Record{Given: g, Family: f, BirthDate: date, Zip: zip, City: "Provo"}
		b := normalize.Record{Given: typo(g), Family: typo(f), BirthDate: date[:3] + "9" + date[4:], Zip: zip[:4] + "0", City: "Provo"}
		truth = append(truth, [2]int32{int32(len(recs)), int32(len(recs) + 1)})
		recs = append(recs, a, b)
		// A distractor sharing the given name and the zip, another the family name.
		recs = append(recs, normalize.Record{Given: g, Family: "Nguyen", BirthDate: "2001-01-01", Zip: zip, City: "Orem"},
			normalize.Record{Given: "Li", Family: f, BirthDate: "1999-09-09", Zip: "84999", City: "Orem"})
	}
	tb := normalize.NewTable(len(recs), 0)
	prep := normalize.NewPreparer(normalize.Options{})
	for i, r := range recs {
		prep.Fill(tb, i, r)
	}
	return tb, truth
}

func TestNearestFindsPairsWithEveryKeyDamaged(t *testing.T) {
	tb, truth := damaged(t, 64)
	keyRules := StudentRules()[:len(StudentRules())-1]
	if slices.ContainsFunc(keyRules, func(r Rule) bool { return r.Nearest != nil }) {
		t.Fatal("StudentRules' last rule is not the Nearest rule")
	}
	found := func(rules []Rule) int {
		ix, err := NewIndex(context.Background(), tb, rules, Options{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range truth {
			if ix.Candidate(p[0], p[1]) {
				n++
			}
		}
		return n
	}
	if n := found(keyRules); n > 3*len(truth)/4 {
		t.Fatalf("the key rules alone find %d of %d damaged pairs: the test does not damage every key", n, len(truth))
	}
	if n := found([]Rule{NearestRule()}); n != len(truth) {
		t.Errorf("the Nearest rule finds %d of %d pairs with every key damaged", n, len(truth))
	}
	c, _, err := Measure(context.Background(), tb, StudentRules(), Options{}, func() []int {
		labels := make([]int, tb.Len())
		for i := range labels {
			labels[i] = 1000 + i
		}
		for k, p := range truth {
			labels[p[0]], labels[p[1]] = k, k
		}
		return labels
	}())
	if err != nil {
		t.Fatal(err)
	}
	if c.PairCompleteness != 1 {
		t.Errorf("student rules: pair completeness %v, want 1", c.PairCompleteness)
	}
	if per := float64(c.Candidates) / float64(tb.Len()); per > 3*float64(Nearest{}.NeighbourCount()) {
		t.Errorf("%.1f candidates a record", per)
	}
}

// TestIndexCandidateAgreesWithPairs: a pair is a Candidate exactly when Pairs hands it
// out, in every mode, with and without a Nearest rule.
func TestIndexCandidateAgreesWithPairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	tb := randomTable(rng, 120)
	sources := make([]int32, tb.Len())
	for i := range sources {
		sources[i] = int32(rng.IntN(3))
	}
	for _, rules := range [][]Rule{testRules, append(slices.Clone(testRules), NearestRule()), {NearestRule()}} {
		for _, mode := range []Mode{Dedupe, Link, LinkAndDedupe} {
			opt := Options{Mode: mode, Sources: sources, MaxBlock: 30}
			ix, err := NewIndex(context.Background(), tb, rules, opt)
			if err != nil {
				t.Fatal(err)
			}
			var got []Pair
			if _, err := ix.Pairs(context.Background(), func(_ int, b []Pair) error { got = append(got, b...); return nil }); err != nil {
				t.Fatal(err)
			}
			set := map[Pair]bool{}
			for _, p := range got {
				if set[p] {
					t.Errorf("mode %d: pair %v handed out twice", mode, p)
				}
				set[p] = true
			}
			for a := range int32(tb.Len()) {
				for b := a + 1; b < int32(tb.Len()); b++ {
					if c := ix.Candidate(a, b); c != set[Pair{a, b}] || c != ix.Candidate(b, a) {
						t.Fatalf("mode %d, %d rules: Candidate(%d, %d) = %v, Pairs hands it out: %v", mode, len(rules), a, b, c, set[Pair{a, b}])
					}
				}
			}
		}
	}
}

// TestNearestDeterministic: the neighbours do not depend on the number of workers (a
// roll of 4,000 records, which up to four share).
func TestNearestDeterministic(t *testing.T) {
	tb, _ := damaged(t, 2000)
	var first *neighbours
	for _, w := range []int{1, 2, 5} {
		nb, err := findNeighbours(context.Background(), tb, Nearest{}, Options{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = nb
			continue
		}
		if d := cmp.Diff(first.off, nb.off); d != "" {
			t.Fatalf("%d workers: offsets differ:\n%s", w, d)
		}
		if d := cmp.Diff(first.list, nb.list); d != "" {
			t.Fatalf("%d workers: neighbours differ:\n%s", w, d)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := findNeighbours(ctx, tb, Nearest{}, Options{}); err == nil {
		t.Error("a cancelled search gave no error")
	}
}

func TestNearestRuleValidate(t *testing.T) {
	for _, r := range []Rule{
		{Name: "both", Keys: []Key{K(normalize.RoleZip, Whole)}, Nearest: &Nearest{}},
		{Name: "negative", Nearest: &Nearest{K: -1}},
	} {
		if err := r.Validate(); err == nil {
			t.Errorf("rule %+v validates", r)
		}
	}
	if err := NearestRule().Validate(); err != nil {
		t.Error(err)
	}
	if keys := NearestRule().AppendKeys(nil, randomTable(rand.New(rand.NewPCG(1, 2)), 3), 0); len(keys) != 0 {
		t.Errorf("a Nearest rule gives keys %v", keys)
	}
}

// TestNeighbourhood: records added one by one are found for a query with every key
// damaged, as the Nearest rule finds them in a batch, from many goroutines at once.
func TestNeighbourhood(t *testing.T) {
	tb, truth := damaged(t, 64)
	g := NewNeighbourhood(normalize.NewTable(0, 0))
	for i := range tb.Len() {
		g.Add(tb, i)
	}
	if g.Len() != tb.Len() {
		t.Fatalf("%d records indexed, want %d", g.Len(), tb.Len())
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	found := 0
	for _, p := range truth {
		wg.Add(1)
		go func() {
			defer wg.Done()
			near := g.Nearest(tb, int(p[1]), 8)
			if len(near) > 8 {
				t.Errorf("%d neighbours, want at most 8", len(near))
			}
			if slices.Contains(near, p[0]) {
				mu.Lock()
				found++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if found != len(truth) {
		t.Errorf("found %d of %d damaged records' partners", found, len(truth))
	}
	if got := NewNeighbourhood(tb).Nearest(tb, 0, 0); got != nil {
		t.Errorf("k = 0 gives %v", got)
	}
}

// TestUpperPairs: each record's partners of higher index, sorted, once each, and every
// neighbour relation found among them.
func TestUpperPairs(t *testing.T) {
	tb, _ := damaged(t, 300)
	nb, err := findNeighbours(context.Background(), tb, Nearest{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := tb.Len()
	up := upperPairs(nb, n, 3)
	if diff := cmp.Diff(upperPairs(nb, n, 1), up, cmp.AllowUnexported(neighbours{})); diff != "" {
		t.Errorf("three workers and one differ (-one +three):\n%s", diff)
	}
	for a := range n {
		if !slices.IsSorted(up.of(a)) || len(slices.Compact(slices.Clone(up.of(a)))) != len(up.of(a)) {
			t.Fatalf("record %d: partners %v not sorted and distinct", a, up.of(a))
		}
		for _, b := range up.of(a) {
			if b <= int32(a) || b >= int32(n) {
				t.Fatalf("record %d: partner %d", a, b)
			}
			if !slices.Contains(nb.of(a), b) && !slices.Contains(nb.of(int(b)), int32(a)) {
				t.Fatalf("pair %d %d: neither found the other", a, b)
			}
		}
		for _, b := range nb.of(a) {
			if !up.paired(int32(a), b) || !up.paired(b, int32(a)) {
				t.Fatalf("neighbours %d %d are not paired", a, b)
			}
		}
	}
}

// TestPairsWithNearest: with key rules and a Nearest rule, in every mode, the pairs are
// exactly those some key rule or the neighbour lists make, each once, and the rules'
// counts add up to them.
func TestPairsWithNearest(t *testing.T) {
	tb, _ := damaged(t, 150)
	n := tb.Len()
	sources := make([]int32, n)
	for i := range sources {
		sources[i] = int32(i % 3)
	}
	rules := append(slices.Clone(testRules), NearestRule())
	for _, mode := range []Mode{Dedupe, Link, LinkAndDedupe} {
		opt := Options{Mode: mode, Sources: sources}
		nb, err := findNeighbours(context.Background(), tb, Nearest{}, opt)
		if err != nil {
			t.Fatal(err)
		}
		want := map[Pair]bool{}
		for _, p := range bruteForce(tb, testRules, opt) {
			want[p] = true
		}
		for a := range n {
			for _, b := range nb.of(a) {
				if mode != Link || sources[a] != sources[b] {
					want[Pair{min(int32(a), b), max(int32(a), b)}] = true
				}
			}
		}
		got, rep, err := All(context.Background(), tb, rules, opt)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[Pair]bool{}
		for _, p := range got {
			if seen[p] || !want[p] {
				t.Fatalf("mode %d: pair %v emitted twice or not made by any rule", mode, p)
			}
			seen[p] = true
		}
		if len(seen) != len(want) {
			t.Fatalf("mode %d: %d pairs, want %d", mode, len(seen), len(want))
		}
		var perRule int64
		for _, r := range rep.Rules {
			perRule += r.Candidates
		}
		if perRule != int64(len(got)) || rep.Candidates != int64(len(got)) {
			t.Fatalf("mode %d: rules count %d, report %d, pairs %d", mode, perRule, rep.Candidates, len(got))
		}
	}
}

// TestScoreTable: the table's sums are a map's, added in the same order, through growth
// and resets.
func TestSumTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var tb sumTable[float32]
	for round := range 5 {
		tb.reset()
		want := map[uint32]float32{}
		var order []uint32
		for range rng.IntN(6000) {
			k, w := uint32(rng.IntN(1+round*3000)), rng.Float32()
			if round == 4 && rng.IntN(100) == 0 {
				k = freeKey // the key that marks a free slot is a key too
			}
			if _, ok := want[k]; !ok && k != freeKey {
				order = append(order, k)
			}
			want[k] += w
			tb.add(k, w)
		}
		if _, ok := want[freeKey]; ok {
			order = append(order, freeKey) // each visits it last
		}
		var got []uint32
		tb.each(func(k uint32, sum float32) {
			got = append(got, k)
			if sum != want[k] {
				t.Fatalf("round %d: key %d sums %v, want %v", round, k, sum, want[k])
			}
		})
		if d := cmp.Diff(order, got); d != "" {
			t.Fatalf("round %d: keys (-first added +in the table):\n%s", round, d)
		}
		if tb.len() != len(want) {
			t.Fatalf("round %d: len %d, want %d", round, tb.len(), len(want))
		}
		for k := range uint32(3100 * (round + 1)) {
			if sum, ok := tb.get(k); ok != hasKey(want, k) || sum != want[k] {
				t.Fatalf("round %d: get(%d) = %v, %v; want %v", round, k, sum, ok, want[k])
			}
		}
		if sum, ok := tb.get(freeKey); ok != hasKey(want, freeKey) || sum != want[freeKey] {
			t.Fatalf("round %d: get(freeKey) = %v, %v; want %v", round, sum, ok, want[freeKey])
		}
	}
	var empty sumTable[int32]
	if _, ok := empty.get(7); ok || empty.len() != 0 {
		t.Error("an empty table has a key")
	}
	// reserve: room for n keys, added without growing; a table with keys is left alone.
	var r sumTable[int32]
	r.reserve(3000)
	size := len(r.keys)
	for k := range uint32(3000) {
		r.add(k, int32(k))
	}
	if len(r.keys) != size || r.len() != 3000 {
		t.Errorf("after reserve(3000): %d slots, then %d with %d keys", size, len(r.keys), r.len())
	}
	r.reserve(1 << 20)
	if len(r.keys) != size || r.len() != 3000 {
		t.Errorf("reserve on a full table: %d slots, %d keys", len(r.keys), r.len())
	}
	if s, ok := r.get(2999); !ok || s != 2999 {
		t.Errorf("get(2999) = %d, %v after reserve", s, ok)
	}
}

func hasKey(m map[uint32]float32, k uint32) bool { _, ok := m[k]; return ok }

// TestRuleProgress: NewIndex reports each rule once it is built, key rules and a Nearest
// rule alike, one call at a time, ending at every rule.
func TestRuleProgress(t *testing.T) {
	tb, _ := damaged(t, 150)
	rules := append(slices.Clone(testRules), NearestRule())
	var calls []int
	var inside atomic.Int32
	overlaps := 0
	opt := Options{Mode: Dedupe, Workers: 4, RuleProgress: func(done, total int) {
		if inside.Add(1) != 1 {
			overlaps++
		}
		if total != len(rules) {
			t.Errorf("total %d, want %d rules", total, len(rules))
		}
		calls = append(calls, done)
		inside.Add(-1)
	}}
	if _, err := NewIndex(context.Background(), tb, rules, opt); err != nil {
		t.Fatal(err)
	}
	want := make([]int, len(rules))
	for i := range want {
		want[i] = i + 1
	}
	if diff := cmp.Diff(want, calls); diff != "" {
		t.Errorf("rules done as reported (-want +got):\n%s", diff)
	}
	if overlaps > 0 {
		t.Errorf("RuleProgress called from %d goroutines at once", overlaps+1)
	}
}
