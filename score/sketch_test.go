package score

import (
	"github.com/google/go-cmp/cmp"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/studentlink/studentlink/internal/synth"
	"github.com/studentlink/studentlink/normalize"
)

// sketchEdgeRecords are records every fast path must defer on or decide exactly: long
// and non-ASCII keys, other names, compound family names, names in many nickname
// groups, long exact values, addresses with many repeats of a letter, swapped names.
var sketchEdgeRecords = []normalize.Record{
	{},
	{Given: "William", Middle: "Henry", Family: "Smith", BirthDate: "2010-03-04", SSID: "1234567890", Sex: "M", Zip: "97201", Address: "12 Oak St", LEA: "255901"},
	{Given: "Bill", Middle: "H", Family: "Smyth", BirthDate: "2010-04-03", SSID: "1234567809", Sex: "M", Zip: "97201", Address: "12 Oak Street", LEA: "255902"},
	{Given: "Henry", Middle: "William", Family: "Smith", BirthDate: "2010-03-14", SSID: "1234567891", Sex: "F", Zip: "97202-1234", Address: "12 oak st"},
	{Given: "Smith", Family: "William", BirthDate: "2010-03-04"},
	{Given: "Smith", Family: "Smith"},
	{Given: "Maximiliano Alejandro", Family: "Wolfeschlegelsteinhausen", SSID: "12345678901234567890", Zip: "A1B2C3D4E5"},
	{Given: "Maximiliano Alejandra", Family: "Wolfeschlegelsteinhausem", SSID: "12345678901234567891", Zip: "A1B2C3D4E5"},
	{Given: "Михаил", Family: "Иванов", Address: "улица Ленина 5", City: "Москва"},
	{Given: "Mikhail", Family: "Ivanov", Address: "ulitsa Lenina 5"},
	{Given: "María José", Family: "García López", OtherNames: []string{"Maria Garcia"}, Address: "1111 1111 1111 1111 1111 Rd"},
	{Given: "Maria", Family: "Garcia", Address: "1111 1111 1111 1111 1111 Road"},
	{Given: "Maria", Family: "Lopez", OtherNames: []string{"Mary Lopez-Smith"}},
	{Given: "Catherine", Family: "O'Brien", Middle: "Kate"},
	{Given: "Kathryn", Family: "OBrien", Middle: "Catherine"},
	{Given: "Kate", Family: "O Brien"},
	{Given: "Caitlin", Family: "Kealamakia", Sex: "X"},
	{Given: "Kaitlyn", Family: "Kealamakia"},
	{Given: "Jon", Family: "Lee-Lee"},
	{Given: "Lee", Family: "Jon"},
	{Given: "Al", Family: "Aaaaaaaaaaaaaaaaaaaaaa", Address: "aaaaaaaaaaaaaaaaaaaaa st"},
	{Given: "Alexander", Family: "Thompson", Address: "aaaaaaaaaaaaaaaaaaaaa ave"},
	{Given: "Sasha", Family: "Thomson", Address: "999 Main St Apt 9"},
	{FullName: "Nguyễn Văn An", BirthDate: "02/03/2011"},
	{FullName: "An Nguyen", BirthDate: "03/02/2011"},
	{Given: "Jo", Family: "Li", SSID: "x"},
	{Given: "Ana", Middle: "Jo", Family: "Lopez Garcia"},
	{Given: "Ana", Family: "Garcia"},
	{Given: "Lopez", Middle: "Ana", Family: "Lopez-Garcia-Li"},
	{Given: "Birchensha"},
	{Given: "Birchensna"},
	{Family: "Ana"},
	{Given: "John", Family: "Birchensha"},
	// Middle names in several nickname groups, and given names in one of them or not.
	{Given: "Samuel", Middle: "Jo", Family: "Reid"},
	{Given: "Joseph", Middle: "Sam", Family: "Reid"},
	{Given: "Christopher", Middle: "Alex", Family: "Reid"},
	{Given: "Alexander", Middle: "Chris", Family: "Reid"},
	{Given: "Terrence", Middle: "Lee", Family: "Reid"},
	// Neighbours: house numbers differ, streets alike.
	{Given: "Sam", Family: "Taylor", Address: "6 Elm St", Zip: "84321"},
	{Given: "Sam", Family: "Young", Address: "9 Elm St", Zip: "84321"},
	{Given: "Sam", Family: "Young", Address: "9 Elm Stret", Zip: "84321"},
	// Contacts: the same, a character off, one left out, too long for a row's key.
	{Given: "Robert", Family: "Alan", Email: "robert255@smith.net", Phone: "(801) 555-2368"},
	{Given: "Robert", Family: "Allen", Email: "roberta25@smith.net", Phone: "801-555-2386"},
	{Given: "Rob", Family: "Allen", Email: "robert25@smith.net", Phone: "801 555 236"},
	{Given: "Ana", Family: "Garcia", Email: "ana.maria.garcia.lopez@school.example.org", Phone: "+1 801 555 2368"},
	{Given: "Ana", Family: "Garcia", Email: "ana.maria.garcia.lopes@school.example.org", Phone: "8015552368 x12"},
	{Given: "Ana", Family: "Garcia", Email: "ana.maria.garcia.lopz@school.example.org"},
}

// sketchTable prepares recs, with the extra columns the person comparisons read.
func sketchTable(recs []normalize.Record) *normalize.Table {
	t := normalize.NewTable(len(recs), 2)
	t.ExtraNames = []string{"address_2", "state"}
	p := normalize.NewPreparer(normalize.Options{})
	for i, r := range recs {
		p.Fill(t, i, r)
		t.Extra[0][i] = normalize.NewText(r.City)
		t.Extra[1][i] = normalize.NewText(r.LEA)
	}
	return t
}

// checkSketch compares, for every pair, each comparison's fast level (when the rows
// decide it) with the table's, and returns how many levels the rows decided.
func checkSketch(t *testing.T, comps []Comparison, a, b *normalize.Table, pairs [][2]int) (fast, total int) {
	t.Helper()
	m, err := NewModel(comps, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Scorer(a, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		x, y := s.rows(p[0], p[1])
		if x == nil {
			t.Fatalf("pair %v not sketched", p)
		}
		key, deferred := s.fastKey(x, y, p[0], p[1])
		for c := range s.comps {
			k := &s.comps[c]
			want := k.level(a, p[0], b, p[1])
			total++
			if deferred&(1<<c) == 0 {
				fast++
				if got := LevelOf(key, c); got != want {
					t.Errorf("%s, records %d and %d: sketch gives %s, table %s", k.Name, p[0], p[1], k.names[got], k.names[want])
				}
			}
		}
	}
	return fast, total
}

func allPairs(n int) [][2]int {
	var pairs [][2]int
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			pairs = append(pairs, [2]int{i, j})
		}
	}
	return pairs
}

func TestSketchAgreesOnEdgeCases(t *testing.T) {
	tb := sketchTable(sketchEdgeRecords)
	for _, comps := range [][]Comparison{StudentComparisons(), PersonComparisons(),
		{GivenName(), FamilyName(), Text(normalize.RoleCity), Exact(normalize.RoleLEA), ID(normalize.RoleLocalID)},
		{Contact(normalize.RoleEmail), Contact(normalize.RolePhone), ID(normalize.RoleSSID)}} {
		fast, total := checkSketch(t, comps, tb, tb, allPairs(tb.Len()))
		t.Logf("%d of %d levels from the rows", fast, total)
	}
	// Two tables: the scorer sketches each.
	other := sketchTable(sketchEdgeRecords[len(sketchEdgeRecords)/2:])
	var pairs [][2]int
	for i := 0; i < tb.Len(); i++ {
		for j := 0; j < other.Len(); j++ {
			pairs = append(pairs, [2]int{i, j})
		}
	}
	checkSketch(t, StudentComparisons(), tb, other, pairs)
}

// TestSketchAgreesOnRoll checks the rows on a synthetic roll: pairs of one student's
// records and random pairs. Most levels must come from the rows, or the sketch would be
// a cost without a use.
func TestSketchAgreesOnRoll(t *testing.T) {
	roll, err := synth.Generate(synth.DefaultConfig(1500))
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]normalize.Record, len(roll.Records))
	byStudent := map[int32][]int{}
	for i, r := range roll.Records {
		recs[i] = normalize.Record{Given: r.First, Middle: r.Middle, Family: r.Last, Suffix: r.Suffix, BirthDate: r.BirthDate,
			Sex: r.Sex, SSID: r.SSID, Address: r.Address, City: r.City, Zip: r.Zip, LEA: r.LEA}
		byStudent[r.Student] = append(byStudent[r.Student], i)
	}
	tb := sketchTable(recs)
	var pairs [][2]int
	for _, recs := range byStudent {
		for _, i := range recs {
			for _, j := range recs {
				pairs = append(pairs, [2]int{i, j})
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		pairs = append(pairs, [2]int{rng.IntN(tb.Len()), rng.IntN(tb.Len())})
	}
	fast, total := checkSketch(t, StudentComparisons(), tb, tb, pairs)
	share := float64(fast) / float64(total)
	t.Logf("%d pairs: %.1f%% of levels from the rows", len(pairs), 100*share)
	if share < 0.98 {
		t.Errorf("only %.1f%% of levels came from the rows; want at least 98%%", 100*share)
	}
}

// TestSketchParallel makes the copy of a table and its term-frequency adjustments in
// parallel and scores pairs from several goroutines (run it with -race): the rows and
// adjustments must equal those made in one goroutine.
func TestSketchParallel(t *testing.T) {
	tb := sketchTable(append(append([]normalize.Record(nil), sketchEdgeRecords...), sketchEdgeRecords...))
	m, err := NewModel(StudentComparisons(), 0.1)
	if err != nil {
		t.Fatal(err)
	}
	m.TermFrequencies = CountTerms(m.Comparisons, tb)
	one, err := m.Scorer(tb, tb)
	if err != nil {
		t.Fatal(err)
	}
	defer func(old int) { sketchChunk = old }(sketchChunk)
	sketchChunk = 3
	many, err := m.Scorer(tb, tb)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(one.sa.rows, many.sa.rows); diff != "" {
		t.Fatalf("rows made in parallel differ:\n%s", diff)
	}
	// Each record's adjustment, one by one: log2(u of exact / the value's frequency).
	want := make([][]float64, len(many.comps))
	for c, k := range many.comps {
		if tf := m.TermFrequencies[c]; k.TermFrequency && tf != nil {
			want[c] = make([]float64, tb.Len())
			for i := range tb.Len() {
				if v := tfAccessor(k)(tb, i); v != "" {
					want[c][i] = clampTF(math.Log2(many.uExact[c] / tf.Frequency(v)))
				}
			}
		}
	}
	if slices.IndexFunc(want, func(adj []float64) bool { return adj != nil }) < 0 {
		t.Fatal("no comparison has term-frequency adjustments: the test compares nothing")
	}
	if diff := cmp.Diff(want, many.tf); diff != "" {
		t.Fatalf("term-frequency adjustments made in parallel (-want +got):\n%s", diff)
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range allPairs(tb.Len()) {
				if a, b := many.Key(p[0], p[1]), one.Key(p[0], p[1]); a != b {
					t.Errorf("pair %v: key %x, want %x", p, a, b)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestScorerSync(t *testing.T) {
	tb := sketchTable(sketchEdgeRecords[:5])
	m, err := NewModel(StudentComparisons(), 0.1)
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Scorer(tb, tb)
	if err != nil {
		t.Fatal(err)
	}
	before := s.Weight(1, 2)
	p := normalize.NewPreparer(normalize.Options{})
	i := tb.Grow(1)
	p.Fill(tb, i, sketchEdgeRecords[1])
	if x, _ := s.rows(i, 1); x != nil {
		t.Fatal("a row added after the scorer was made is sketched before Sync")
	}
	unsynced := s.Weight(i, 1)
	old := s.For(tb) // a copy made before Sync keeps its rows
	s.Sync()
	if x, _ := s.rows(i, 1); x == nil {
		t.Fatal("Sync did not sketch the added row")
	}
	if got := s.Weight(i, 1); got != unsynced {
		t.Errorf("weight of the added row: %v after Sync, %v before", got, unsynced)
	}
	if got := old.Weight(1, 2); got != before {
		t.Errorf("copy made before Sync: weight %v, want %v", got, before)
	}
	fast, _ := checkSketch(t, StudentComparisons(), tb, tb, allPairs(tb.Len()))
	if fast == 0 {
		t.Error("no level came from the rows")
	}
}

func TestLetterCounts(t *testing.T) {
	for _, p := range testPairs(3000) {
		a, b := normalize.Fold(p[0]), normalize.Fold(p[1])
		for _, lanes := range []int{16, 32} {
			var ca, cb [32]int
			for i := 0; i < len(a); i++ {
				ca[int(a[i])%lanes]++
			}
			for i := 0; i < len(b); i++ {
				cb[int(b[i])%lanes]++
			}
			exact, fits := 0, true
			for lane := range ca {
				exact += min(ca[lane], cb[lane])
				fits = fits && ca[lane] <= 4 && cb[lane] <= 4
			}
			wa, wb := letterCounts(a, lanes), letterCounts(b, lanes)
			got := bits.OnesCount64(wa[0]&wb[0]) + bits.OnesCount64(wa[1]&wb[1])
			if fits && got != exact || got < exact {
				t.Fatalf("%q, %q, %d lanes: %d in common, want %d", a, b, lanes, got, exact)
			}
		}
	}
}

// TestBelowThresholds checks that the letter-count test never rules out a pair whose
// Jaro–Winkler similarity reaches the lowest threshold, and that it rules out some.
func TestBelowThresholds(t *testing.T) {
	for _, lowest := range []float64{0.85, 0.8, 0.75, 0.7, 0.69, 0.5, 0.1, 1} {
		k, err := compile(Text(normalize.RoleCity, lowest))
		if err != nil {
			t.Fatal(err)
		}
		k.setPrune()
		ruled := 0
		for _, p := range testPairs(5000) {
			a, b := normalize.Fold(p[0]), normalize.Fold(p[1])
			if a == "" || b == "" || !isASCII(a) || !isASCII(b) || len(a) > textCap || len(b) > textCap {
				continue
			}
			var ca, cb [256]int
			for i := 0; i < len(a); i++ {
				ca[a[i]]++
			}
			for i := 0; i < len(b); i++ {
				cb[b[i]]++
			}
			common := 0
			for c := range ca {
				common += min(ca[c], cb[c])
			}
			if k.belowThresholds(common, len(a), len(b), commonPrefixBytes(a, b)) {
				ruled++
				if jw := JaroWinkler(a, b); jw >= lowest {
					t.Errorf("threshold %v: %q, %q ruled out with Jaro–Winkler %v", lowest, a, b, jw)
				}
			}
		}
		if lowest >= 0.5 && ruled == 0 {
			t.Errorf("threshold %v: no pair ruled out", lowest)
		}
	}
}

// FuzzSketchLevels checks the fast levels against the table's on two fuzzed records.
func FuzzSketchLevels(f *testing.F) {
	f.Add("William", "Henry", "Smith", "2010-03-04", "1234567890", "12 Oak St", "Bill", "", "Smyth", "2010-04-03", "1234567809", "12 Oak Street")
	f.Add("Smith", "", "William", "", "", "", "William", "", "Smith", "", "", "")
	f.Add("María José", "x", "García López", "1/2/2003", "ab-12", "ñ", "Maria", "José", "Garcia", "2/1/2003", "AB12", "n")
	f.Fuzz(func(t *testing.T, g1, m1, f1, d1, s1, a1, g2, m2, f2, d2, s2, a2 string) {
		recs := []normalize.Record{
			{Given: g1, Middle: m1, Family: f1, BirthDate: d1, SSID: s1, Address: a1, Zip: s1, LEA: a1, Email: g1 + "@" + a1 + ".org", Phone: s1},
			{Given: g2, Middle: m2, Family: f2, BirthDate: d2, SSID: s2, Address: a2, Zip: s2, LEA: a2, Email: g2 + "@" + a2 + ".org", Phone: s2},
		}
		tb := sketchTable(recs)
		checkSketch(t, StudentComparisons(), tb, tb, allPairs(2))
		checkSketch(t, PersonComparisons(), tb, tb, allPairs(2))
	})
}

func TestOneEdit8(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	word := func(b []byte) uint64 {
		var w uint64
		for n, c := range b {
			w |= uint64(c) << (8 * n)
		}
		return w
	}
	for range 20000 {
		x := []byte("20100304")
		for n := range x {
			x[n] = byte('0' + rng.IntN(10))
		}
		y := append([]byte(nil), x...)
		switch rng.IntN(4) {
		case 1:
			y[rng.IntN(8)] = byte('0' + rng.IntN(10))
		case 2:
			n := rng.IntN(7)
			y[n], y[n+1] = y[n+1], y[n]
		case 3:
			y[rng.IntN(8)], y[rng.IntN(8)] = byte('0'+rng.IntN(10)), byte('0'+rng.IntN(10))
		}
		if got, want := oneEdit8(word(x), word(y)), oneEdit(x, y); got != want {
			t.Fatalf("oneEdit8(%s, %s) = %v, want %v", x, y, got, want)
		}
	}
}

// TestWithModel checks that a scorer made with WithModel shares the copy of the tables
// when the comparisons read the same features, makes its own when they do not, and
// scores exactly as a scorer made from scratch.
func TestWithModel(t *testing.T) {
	tb := sketchTable(sketchEdgeRecords)
	base, err := NewModel(StudentComparisons(), 0.1)
	if err != nil {
		t.Fatal(err)
	}
	s, err := base.Scorer(tb, tb)
	if err != nil {
		t.Fatal(err)
	}
	trained := base
	trained.Prior = 0.01
	trained.M = [][]float64{}
	for c := range base.M {
		m := append([]float64(nil), base.M[c]...)
		m[LevelExact] = 0.97
		trained.M = append(trained.M, m)
	}
	other, err := NewModel(PersonComparisons(), 0.1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		m     Model
		share bool
	}{{"same comparisons", trained, true}, {"other comparisons", other, false}} {
		got, err := s.WithModel(tc.m)
		if err != nil {
			t.Fatal(err)
		}
		if shared := got.sa == s.sa; shared != tc.share {
			t.Errorf("%s: shares the copy %v, want %v", tc.name, shared, tc.share)
		}
		fresh, err := tc.m.Scorer(tb, tb)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range allPairs(tb.Len()) {
			if g, w := got.Weight(p[0], p[1]), fresh.Weight(p[0], p[1]); g != w {
				t.Fatalf("%s: weight of %v is %v, a new scorer gives %v", tc.name, p, g, w)
			}
		}
	}
	if _, err := s.WithModel(Model{}); err == nil {
		t.Error("WithModel accepted an invalid model")
	}
	// EstimateU gives the same model whether it makes its scorer or borrows one.
	opt := UOptions{Pairs: 5000, Seed: 3}
	own, err := EstimateU(t.Context(), StudentComparisons(), tb, opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.Scorer = s
	borrowed, err := EstimateU(t.Context(), StudentComparisons(), tb, opt)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(own, borrowed); diff != "" {
		t.Errorf("EstimateU with a borrowed scorer differs (-own +borrowed):\n%s", diff)
	}
}
