package synth

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

func mustGenerate(t *testing.T, c Config) *Roll {
	t.Helper()
	r, err := Generate(c)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func csvBytes(t *testing.T, r *Roll) (roll, truth []byte) {
	t.Helper()
	var a, b bytes.Buffer
	if err := r.WriteCSV(&a); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteTruth(&b); err != nil {
		t.Fatal(err)
	}
	return a.Bytes(), b.Bytes()
}

func TestValidate(t *testing.T) {
	bad := []Config{{}, {Students: 1}, {Students: 1, LEAs: 1, SchoolsPerLEA: 1}}
	for _, c := range bad {
		if _, err := Generate(c); err == nil {
			t.Errorf("Generate(%+v) = nil error", c)
		}
	}
}

func TestTruthConsistent(t *testing.T) {
	r := mustGenerate(t, DefaultConfig(5000))
	truth := r.Truth()
	if len(truth) != len(r.Records) {
		t.Fatalf("Truth has %d entries for %d records", len(truth), len(r.Records))
	}
	ids := map[string]bool{}
	seen := make([]bool, r.Students)
	for i, rec := range r.Records {
		if ids[rec.ID] {
			t.Fatalf("record ID %q repeated", rec.ID)
		}
		ids[rec.ID] = true
		if truth[i] != rec.Student || rec.Student < 0 || int(rec.Student) >= r.Students {
			t.Fatalf("record %s: truth %d, student %d of %d", rec.ID, truth[i], rec.Student, r.Students)
		}
		seen[rec.Student] = true
	}
	for s, ok := range seen {
		if !ok {
			t.Fatalf("student %d has no record", s)
		}
	}
	// The truth CSV names each record exactly once, with the record's student.
	_, tb := csvBytes(t, r)
	lines := strings.Split(strings.TrimSuffix(string(tb), "\n"), "\n")
	if lines[0] != "record_id,student_id" || len(lines) != len(r.Records)+1 {
		t.Fatalf("truth CSV header %q, %d lines for %d records", lines[0], len(lines), len(r.Records))
	}
	student := map[string]string{}
	for _, l := range lines[1:] {
		id, sid, ok := strings.Cut(l, ",")
		if !ok || student[id] != "" {
			t.Fatalf("truth line %q malformed or repeated", l)
		}
		student[id] = sid
	}
	// Records of one student share one student_id, and different students differ.
	byStudent := map[int32]string{}
	owner := map[string]int32{}
	for _, rec := range r.Records {
		sid := student[rec.ID]
		if prev, ok := byStudent[rec.Student]; ok && prev != sid {
			t.Fatalf("student %d has student_ids %q and %q", rec.Student, prev, sid)
		}
		if o, ok := owner[sid]; ok && o != rec.Student {
			t.Fatalf("student_id %q names students %d and %d", sid, o, rec.Student)
		}
		byStudent[rec.Student], owner[sid] = sid, rec.Student
	}
}

func TestRecordIDsHideStudent(t *testing.T) {
	r := mustGenerate(t, DefaultConfig(3000))
	// After the shuffle, consecutive record IDs rarely belong to one student.
	same := 0
	for i := 1; i < len(r.Records); i++ {
		if r.Records[i].Student == r.Records[i-1].Student {
			same++
		}
	}
	if same > len(r.Records)/100 {
		t.Errorf("%d of %d consecutive records share a student", same, len(r.Records))
	}
}

func TestDeterministic(t *testing.T) {
	a1, t1 := csvBytes(t, mustGenerate(t, DefaultConfig(2000)))
	a2, t2 := csvBytes(t, mustGenerate(t, DefaultConfig(2000)))
	if !bytes.Equal(a1, a2) || !bytes.Equal(t1, t2) {
		t.Error("same seed gave different bytes")
	}
	c := DefaultConfig(2000)
	c.Seed = 2
	a3, _ := csvBytes(t, mustGenerate(t, c))
	if bytes.Equal(a1, a3) {
		t.Error("different seeds gave the same roll")
	}
}

func TestHeader(t *testing.T) {
	roll, _ := csvBytes(t, mustGenerate(t, DefaultConfig(10)))
	first, _, _ := strings.Cut(string(roll), "\n")
	want := "record_id,lea_id,school_id,ssid,first_name,middle_name,last_name,suffix,birth_date,sex,grade_level,address,city,zip,entry_date"
	if first != want {
		t.Errorf("header %q, want %q", first, want)
	}
}

func TestAccentsNicknamesAndSpread(t *testing.T) {
	r := mustGenerate(t, DefaultConfig(20000))
	accented, leas, names := 0, map[string]bool{}, map[string]bool{}
	for _, rec := range r.Records {
		for _, s := range []string{rec.First, rec.Last} {
			if !isASCII(s) {
				accented++
			}
		}
		leas[rec.LEA] = true
		names[normalize.Fold(rec.Last)] = true
		names[normalize.Fold(rec.First)] = true
	}
	if accented < len(r.Records)/100 {
		t.Errorf("%d accented names in %d records", accented, len(r.Records))
	}
	if len(leas) != 8 {
		t.Errorf("%d LEAs, want 8", len(leas))
	}
	if len(names) < 400 {
		t.Errorf("%d distinct names, want several hundred", len(names))
	}
	for _, want := range []string{"José", "María", "Nguyễn"} {
		found := false
		for _, rec := range r.Records {
			if rec.First == want || rec.Last == want {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no record named %q", want)
		}
	}
}

func TestHardNegatives(t *testing.T) {
	c := DefaultConfig(20000)
	g := newGen(c)
	students := g.students()
	twins, siblings := 0, 0
	type key struct {
		family, address string
		birth           normalize.Date
	}
	byKey := map[key]int{}
	byHome := map[[2]string]int{}
	for i, s := range students {
		k := key{s.family, s.address, s.birth}
		if j, ok := byKey[k]; ok && students[j].given != s.given && students[j].ssid != s.ssid {
			twins++
		}
		byKey[k] = i
		h := [2]string{s.family, s.address}
		if j, ok := byHome[h]; ok && students[j].birth != s.birth && students[j].ssid != s.ssid {
			siblings++
		}
		byHome[h] = i
	}
	wantTwins := c.Rates.Twins * float64(c.Students)
	if float64(twins) < wantTwins/2 || float64(twins) > wantTwins*2 {
		t.Errorf("%d twin pairs, want about %.0f", twins, wantTwins)
	}
	if float64(siblings) < c.Rates.Siblings*float64(c.Students)/2 {
		t.Errorf("%d sibling pairs, want about %.0f", siblings, c.Rates.Siblings*float64(c.Students))
	}
	// Common names: the most frequent given+family pair is shared by many students.
	count := map[string]int{}
	top := 0
	for _, s := range students {
		n := normalize.Fold(s.given + " " + s.family)
		count[n]++
		top = max(top, count[n])
	}
	if top < 20 {
		t.Errorf("most common full name held by %d of %d students", top, len(students))
	}
}

// rateCase measures one error kind on records generated straight from the true students.
type rateCase struct {
	name string
	set  func(*Rates)
	rate float64
	// applies reports whether the error can show on this student; happened whether it did.
	applies  func(s *student) bool
	happened func(s *student, r *Record) bool
}

func TestObservedRates(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 20_000
	}
	always := func(*student) bool { return true }
	cases := []rateCase{
		{"typo", func(r *Rates) { r.Typo = 0.1 }, 0.1, always,
			func(s *student, r *Record) bool { return r.First != s.given || r.Last != s.family }},
		{"upper", func(r *Rates) { r.UpperCase = 0.2 }, 0.2, always,
			func(s *student, r *Record) bool { return r.Last != s.family || r.First != s.given }},
		{"nickname", func(r *Rates) { r.Nickname = 0.2 }, 0.2,
			hasNickname,
			func(s *student, r *Record) bool { return r.First != s.given }},
		{"middle dropped", func(r *Rates) { r.MiddleDropped = 0.3 }, 0.3,
			func(s *student) bool { return s.middle != "" },
			func(s *student, r *Record) bool { return r.Middle == "" }},
		{"middle initial", func(r *Rates) { r.MiddleInitial = 0.15 }, 0.15,
			func(s *student) bool { return s.middle != "" },
			func(s *student, r *Record) bool { return utf8.RuneCountInString(r.Middle) == 1 }},
		{"name swap", func(r *Rates) { r.NameSwap = 0.05 }, 0.05,
			func(s *student) bool { return s.given != s.family },
			func(s *student, r *Record) bool { return r.First == s.family }},
		{"drop accents", func(r *Rates) { r.DropAccents = 0.35 }, 0.35,
			func(s *student) bool { return !isASCII(s.given + s.family + s.middle) },
			func(s *student, r *Record) bool { return isASCII(r.First + r.Last + r.Middle) }},
		{"ssid missing", func(r *Rates) { r.SSIDMissing = 0.08 }, 0.08, always,
			func(s *student, r *Record) bool { return r.SSID == "" }},
		{"ssid typo", func(r *Rates) { r.SSIDTypo = 0.05 }, 0.05, always,
			func(s *student, r *Record) bool { return r.SSID != s.ssid && hamming(r.SSID, s.ssid) <= 2 }},
		{"ssid other", func(r *Rates) { r.SSIDOther = 0.05 }, 0.05, always,
			func(s *student, r *Record) bool { return r.SSID != s.ssid && hamming(r.SSID, s.ssid) > 2 }},
		{"date swap", func(r *Rates) { r.DateSwap = 0.1 }, 0.1,
			func(s *student) bool { return s.birth.Day <= 12 && s.birth.Day != s.birth.Month },
			func(s *student, r *Record) bool { return r.BirthDate != s.birth.String() }},
		{"date off by a day", func(r *Rates) { r.DateOffDay = 0.05 }, 0.05, always,
			func(s *student, r *Record) bool { return r.BirthDate != s.birth.String() }},
		{"suffix in family", func(r *Rates) { r.SuffixInFamily = 0.3 }, 0.3,
			func(s *student) bool { return s.suffix != "" },
			func(s *student, r *Record) bool { return r.Suffix == "" && strings.HasSuffix(r.Last, " "+s.suffix) }},
		{"given name missing", func(r *Rates) { r.GivenMissing = 0.05 }, 0.05, always,
			func(s *student, r *Record) bool { return r.First == "" }},
		{"birth date missing", func(r *Rates) { r.BirthDateMissing = 0.05 }, 0.05, always,
			func(s *student, r *Record) bool { return r.BirthDate == "" }},
		{"address missing, city and zip kept", func(r *Rates) { r.AddressMissing = 0.15 }, 0.15, always,
			func(s *student, r *Record) bool { return r.Address == "" && r.City == s.city && r.Zip != "" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig(n / 4)
			c.Rates = Rates{}
			tc.set(&c.Rates)
			g := newGen(c)
			students := g.students()
			applicable, hits := 0, 0
			for i := 0; i < n; i++ {
				s := &students[i%len(students)]
				// LEA 0 writes ISO dates, so a changed date string is a changed date.
				r := g.record(int32(i), s, 0, c.FirstYear)
				if !tc.applies(s) {
					continue
				}
				applicable++
				if tc.happened(s, &r) {
					hits++
				}
			}
			if applicable < 200 {
				t.Fatalf("only %d applicable records", applicable)
			}
			got := float64(hits) / float64(applicable)
			sd := math.Sqrt(tc.rate * (1 - tc.rate) / float64(applicable))
			// Five standard errors, plus a little for errors that leave the value unchanged
			// (a typo swapping equal letters, upper case of an all-capital name).
			if math.Abs(got-tc.rate) > 5*sd+0.02*tc.rate {
				t.Errorf("observed %.4f over %d records, configured %.4f (±%.4f)", got, applicable, tc.rate, 5*sd)
			}
		})
	}
}

var testNicknames = normalize.DefaultNicknames()

// hasNickname reports whether given belongs to one nickname group with another name in it,
// so that a nickname, when drawn, always changes it.
func hasNickname(s *student) bool {
	nick := testNicknames
	groups := nick.Groups(s.given)
	if len(groups) != 1 {
		return false
	}
	for _, n := range nick.Names(groups[0]) {
		if normalize.Fold(n) != normalize.Fold(s.given) {
			return true
		}
	}
	return false
}

func hamming(a, b string) int {
	if len(a) != len(b) {
		return len(a) + len(b)
	}
	d := 0
	for i := range len(a) {
		if a[i] != b[i] {
			d++
		}
	}
	return d
}

// TestGolden checks that the committed sample is what the documented command writes:
//
//	go run ./examples/synth -students 2000 -seed 1 -out testdata/synth/roll.csv -truth testdata/synth/truth.csv
func TestGolden(t *testing.T) {
	c := DefaultConfig(2000)
	c.Seed = 1
	r := mustGenerate(t, c)
	roll, truth := csvBytes(t, r)
	for _, f := range []struct {
		path string
		got  []byte
	}{{"../../testdata/synth/roll.csv", roll}, {"../../testdata/synth/truth.csv", truth}} {
		want, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.got, want) {
			t.Errorf("%s differs from the generated roll; regenerate it with the command in testdata/README.md", f.path)
		}
	}
	r.DropSSIDs()
	noSSID, _ := csvBytes(t, r)
	want, err := os.ReadFile("../../testdata/synth/roll_nossid.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(noSSID, want) {
		t.Error("testdata/synth/roll_nossid.csv differs from the generated roll without SSIDs")
	}
}

func TestRecordsExact(t *testing.T) {
	for _, n := range []int{1, 7, 5000} {
		c := DefaultConfig(0)
		c.Records = n
		r := mustGenerate(t, c)
		if len(r.Records) != n {
			t.Errorf("Records %d: got %d records", n, len(r.Records))
		}
		for _, rec := range r.Records {
			if int(rec.Student) >= r.Students {
				t.Fatalf("Records %d: student %d of %d", n, rec.Student, r.Students)
			}
		}
	}
}

func TestCSVRoundTrip(t *testing.T) {
	r := mustGenerate(t, DefaultConfig(3000))
	roll, _ := csvBytes(t, r)
	rows, err := csv.NewReader(bytes.NewReader(roll)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(r.Records)+1 {
		t.Fatalf("%d CSV rows for %d records", len(rows), len(r.Records))
	}
	for i, rec := range r.Records {
		if diff := cmp.Diff(rec.Fields(), rows[i+1]); diff != "" {
			t.Fatalf("record %s read back differently (-want +got):\n%s", rec.ID, diff)
		}
	}
}

func TestStream(t *testing.T) {
	c := DefaultConfig(0)
	c.Records = 150_000
	var roll, truth bytes.Buffer
	n, err := Stream(context.Background(), c, &roll, &truth)
	if err != nil || n != c.Records {
		t.Fatalf("Stream = %d, %v; want %d records", n, err, c.Records)
	}
	rows, err := csv.NewReader(&roll).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	truths, err := csv.NewReader(&truth).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n+1 || len(truths) != n+1 {
		t.Fatalf("%d roll rows and %d truth rows for %d records", len(rows), len(truths), n)
	}
	// Same records as Generate makes for this Config, in another order and numbering.
	g := mustGenerate(t, c)
	count := map[string]int{}
	for i := range g.Records {
		f := g.Records[i].Fields()
		count[strings.Join(f[1:], ",")]++
	}
	for i, row := range rows[1:] {
		if row[0] != truths[i+1][0] {
			t.Fatalf("roll row %d is %s, truth row is %s", i, row[0], truths[i+1][0])
		}
		count[strings.Join(row[1:], ",")]--
	}
	for k, v := range count {
		if v != 0 {
			t.Fatalf("record %q: %+d between Generate and Stream", k, v)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Stream(ctx, c, io.Discard, io.Discard); err != context.Canceled {
		t.Errorf("cancelled Stream returned %v", err)
	}
}

func TestEnrolledOnlyThroughGrade12(t *testing.T) {
	c := DefaultConfig(20000)
	g := newGen(c)
	students := g.students()
	var recs []Record
	for i := range students {
		recs = recs[:0]
		g.submissions(&recs, int32(i), &students[i])
		for _, r := range recs {
			year, _ := strconv.Atoi(r.EntryDate[:4])
			if grade := year - int(students[i].birth.Year) - 5; grade > 12 {
				t.Fatalf("student %d born %v enrolled in %d (grade %d)", i, students[i].birth, year, grade)
			}
			if year < c.FirstYear || year >= c.FirstYear+c.Years {
				t.Fatalf("student %d enrolled in %d, outside the configured years", i, year)
			}
		}
	}
}

// TestTwinsAlikeAndNear: with both rates at 1, every pair of twins has SSIDs one apart
// and given names alike in spelling, of one sex.
func TestTwinsAlikeAndNear(t *testing.T) {
	c := DefaultConfig(2000)
	c.Rates = Rates{Twins: 1, TwinsAlikeNames: 1, TwinsSSIDsNear: 1}
	students := newGen(c).students()
	for i := 0; i+1 < len(students); i += 2 {
		a, b := students[i], students[i+1]
		if a.birth != b.birth || a.family != b.family {
			t.Fatalf("students %d and %d are not twins: %+v %+v", i, i+1, a, b)
		}
		x, _ := strconv.Atoi(a.ssid)
		y, _ := strconv.Atoi(b.ssid)
		if x-y != 1 && y-x != 1 {
			t.Errorf("twins %s and %s: SSIDs %s and %s, want one apart", a.given, b.given, a.ssid, b.ssid)
		}
		if jw := score.JaroWinkler(normalize.Fold(a.given), normalize.Fold(b.given)); jw < 0.85 || a.given == b.given || a.female != b.female {
			t.Errorf("twins %s and %s (female %v, %v): Jaro–Winkler %.3f, want alike names (≥ 0.85), not the same, one sex",
				a.given, b.given, a.female, b.female, jw)
		}
	}
}

// TestSSIDsDense: SSIDs issued in sequence fill their range, one student each, and the
// roll's students are otherwise those of the roll with SSIDs drawn at random.
func TestSSIDsDense(t *testing.T) {
	c := DefaultConfig(3000)
	random := newGen(c).students()
	c.SSIDsDense = true
	dense := newGen(c).students()
	if len(dense) != len(random) {
		t.Fatalf("%d students with dense SSIDs, %d without", len(dense), len(random))
	}
	seen := map[int]bool{}
	lo, hi := math.MaxInt, 0
	for k, s := range dense {
		n, err := strconv.Atoi(s.ssid)
		if err != nil || seen[n] {
			t.Fatalf("student %d: SSID %q not a new number", k, s.ssid)
		}
		seen[n] = true
		lo, hi = min(lo, n), max(hi, n)
		r := random[k]
		if s.given != r.given || s.family != r.family || s.birth != r.birth || s.ssid == r.ssid {
			t.Fatalf("student %d: %s %s %v %s with dense SSIDs, %s %s %v %s without", k, s.given, s.family, s.birth, s.ssid, r.given, r.family, r.birth, r.ssid)
		}
	}
	if lo != 1_000_000_000 || hi-lo+1 > len(dense)*11/10 {
		t.Errorf("%d SSIDs from %d to %d: want them from 1000000000, nearly every number in the range used", len(dense), lo, hi)
	}
}
