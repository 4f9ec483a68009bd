package backpack_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/internal/demo"
)

var secret = []byte("0123456789abcdef-state-secret")

func extractor(t testing.TB, study string) *backpack.Extractor {
	t.Helper()
	x, err := backpack.NewExtractor(secret, study)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestNewExtractor(t *testing.T) {
	tests := []struct {
		name   string
		secret []byte
		study  string
		ok     bool
	}{
		{"minimum secret", []byte("0123456701234567"), "s", true},
		{"secret one byte short", []byte("012345670123456"), "s", false},
		{"sixteen identical bytes", bytes.Repeat([]byte{7}, backpack.MinSecret), "s", false},
		{"seven distinct bytes", bytes.Repeat([]byte("abcdefg"), 5), "s", false},
		{"eight distinct bytes", bytes.Repeat([]byte("abcdefgh"), 2), "s", true},
		{"no secret", nil, "s", false},
		{"no study", secret, "", false},
	}
	for _, tt := range tests {
		x, err := backpack.NewExtractor(tt.secret, tt.study)
		if (err == nil) != tt.ok || (x != nil) != tt.ok {
			t.Errorf("%s: NewExtractor = %v, %v; want ok=%v", tt.name, x, err, tt.ok)
		}
	}
}

func TestKey(t *testing.T) {
	ssid := "1000604822"
	a := extractor(t, "math-2024")
	k, err := a.KeySSID(ssid)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(ssid))
	if k == hex.EncodeToString(sum[:]) {
		t.Error("the key is the plain SHA-256 of the SSID: anyone can recompute it")
	}
	if strings.Contains(k, ssid) || len(k) != 64 {
		t.Errorf("key %q", k)
	}
	key := func(x *backpack.Extractor, ssid string) string {
		k, err := x.KeySSID(ssid)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	if key(extractor(t, "math-2024"), ssid) != k || key(a, "1000-604-822") != k {
		t.Error("the key is not stable within a study")
	}
	if key(extractor(t, "reading-2024"), ssid) == k {
		t.Error("two studies share keys")
	}
	if key(a, "1000604823") == k {
		t.Error("two SSIDs share a key")
	}
	other, _ := backpack.NewExtractor([]byte("another-secret-of-the-state"), "math-2024")
	if key(other, ssid) == k {
		t.Error("the key does not depend on the secret")
	}
	s := bytes.Clone(secret)
	x, _ := backpack.NewExtractor(s, "math-2024")
	s[0] ^= 0xff
	if key(x, ssid) != k {
		t.Error("changing the caller's secret changed the keys")
	}
	for _, bad := range []string{"000000000", "0", "123456789", ""} {
		if _, err := a.KeySSID(bad); err == nil {
			t.Errorf("KeySSID(%q) gave a key", bad)
		}
	}
}

// findStudent returns the population's students with the given attributes.
func findStudents(pop *backpack.Population, want backpack.ResearchStudent) int {
	n := 0
	for _, s := range pop.Students {
		if s.BirthYear == want.BirthYear && s.Sex == want.Sex && s.Race == want.Race && s.GradeLevel == want.GradeLevel &&
			s.LEA == want.LEA && s.School == want.School {
			n++
		}
	}
	return n
}

func TestPopulation(t *testing.T) {
	bps := allBackpacks(t)
	pop := backpack.NewPopulation(bps)
	if len(pop.Students) != len(bps) || pop.Backpacks != len(bps) || pop.Merged != 0 {
		t.Fatalf("%d students from %d backpacks (%d merged)", len(pop.Students), pop.Backpacks, pop.Merged)
	}
	// Lisa (latest enrollment at 255902, grade 9), Diana (two races shown: the latest
	// record), Glenn Gross (Hispanic).
	for _, want := range []backpack.ResearchStudent{
		{BirthYear: 2008, Sex: "Female", Race: "Asian", GradeLevel: "9", LEA: "255902", School: "255902001"},
		{BirthYear: 2014, Sex: "Female", Race: "Two or more races", GradeLevel: "3", LEA: "255902", School: "255902020"},
		{BirthYear: 2012, Sex: "Male", Race: "Hispanic/Latino", GradeLevel: "5", LEA: "255901", School: "255901107"},
	} {
		if n := findStudents(pop, want); n != 1 {
			t.Errorf("%d students %+v, want 1", n, want)
		}
	}
	// Jerry's fifth-grade mathematics result, reported by both LEAs, is one result.
	var results int
	for _, s := range pop.Students {
		for _, r := range s.Results {
			if r.Assessment == "SA-2011-Mathematics-Fifth grade" && r.Score == "40" {
				results++
				if r.Performance != "Met Standard" || r.SchoolYear != 2022 {
					t.Errorf("Jerry's math result %+v", r)
				}
			}
		}
	}
	if results != 1 {
		t.Errorf("Jerry's math result appears %d times, want once", results)
	}
}

// handBackpack is a backpack with one SSID candidate per value given (the first shown),
// enrolled at lea in grade.
func handBackpack(id, lea, grade string, ssids ...string) *backpack.Backpack {
	b := &backpack.Backpack{StudentID: id}
	f := backpack.Field{Name: "ssid"}
	for k, s := range ssids {
		c := backpack.Candidate{Value: s, Source: backpack.Source{LEA: lea, Record: fmt.Sprintf("%s/%d", id, k)}}
		f.Candidates = append(f.Candidates, c)
	}
	if len(ssids) > 0 {
		f.Value = ssids[0]
	}
	b.Demographics = []backpack.Field{f, {Name: "sex", Value: "Female"}, {Name: "birth_date", Value: "2012-03-04"}}
	b.Enrollments = []backpack.Fact[backpack.Enrollment]{{Fact: backpack.Enrollment{LEA: lea, GradeLevel: grade, SchoolID: 7, EntryDate: "2023-08-20"}}}
	return b
}

// The review's attack: a placeholder SSID gave three students one research key. Students
// are told apart by usable SSIDs only; the same usable SSID is one student.
func TestPopulationIdentity(t *testing.T) {
	var bps []*backpack.Backpack
	for k := range 3 {
		bps = append(bps, handBackpack(fmt.Sprintf("S-placeholder-%d", k), "05", "3", "000000000"))
	}
	for k := range 7 {
		bps = append(bps, handBackpack(fmt.Sprintf("S-%d", k), "05", "3", fmt.Sprintf("42593784%02d", 60+k)))
	}
	// Two backpacks of one student (the linker split them): the second's shown SSID is a
	// typo but most of its records carry the first's.
	bps = append(bps, handBackpack("S-split-a", "05", "3", "4259378499"))
	bps = append(bps, handBackpack("S-split-b", "06", "4", "4259378494", "4259378499", "4259378499"))
	pop := backpack.NewPopulation(bps)
	if len(pop.Students) != 11 || pop.Merged != 1 || pop.ByStudentID != 3 {
		t.Fatalf("%d students, %d merged, %d by student ID; want 11, 1, 3", len(pop.Students), pop.Merged, pop.ByStudentID)
	}
	rel, err := extractor(t, "s").Records(pop, 10)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, r := range rel.Records {
		keys[r.Key] = true
	}
	if len(keys) != len(rel.Records) || len(rel.Records)+rel.Suppressed != 11 {
		t.Errorf("%d records with %d distinct keys, %d left out; want 11 students with 11 keys", len(rel.Records), len(keys), rel.Suppressed)
	}
}

// The review's attack: 5 students with results in two years were published as 10. A
// table counts students.
func TestTablesCountStudents(t *testing.T) {
	var bps []*backpack.Backpack
	for k := range 5 {
		b := handBackpack(fmt.Sprint("S", k), "05", "3", fmt.Sprintf("42593784%02d", 60+k))
		for _, year := range []int{2023, 2024} {
			b.Assessments = append(b.Assessments, backpack.Fact[backpack.AssessmentResult]{Fact: backpack.AssessmentResult{
				AssessmentIdentifier: "RISE-Math", SchoolYear: year, AdministrationDate: fmt.Sprint(year, "-04-01"),
				PerformanceLevels: []backpack.PerformanceLevel{{Level: fmt.Sprint("Level ", year-2021)}}}})
		}
		bps = append(bps, b)
	}
	bps = append(bps, handBackpack("S9", "05", "3", "4259378469"))
	pop := backpack.NewPopulation(bps)
	grade := backpack.ByGrade
	grade.Categories = nil // the grades the students have
	tab := popTable(t, pop, backpack.ByLevel("RISE-Math"), grade)
	want := backpack.Table{RowName: "level on RISE-Math", ColName: "grade", Rows: []string{"Level 3", backpack.NotAssessed},
		Cols: []string{"3"}, Counts: [][]int{{5}, {1}}, RowTotals: []int{5, 1}, ColTotals: []int{6}, Total: 6}
	if diff := cmp.Diff(want, tab); diff != "" {
		t.Errorf("students by their latest level (-want +got):\n%s", diff)
	}
	if got := pop.Assessments(); !cmp.Equal(got, []string{"RISE-Math"}) {
		t.Errorf("assessments %v", got)
	}
}

var synth struct {
	once sync.Once
	pop  *backpack.Population
	err  error
}

// synthPopulation is the population of the embedded synthetic roll, linked once.
func synthPopulation(t testing.TB) *backpack.Population {
	t.Helper()
	synth.once.Do(func() {
		_, res, err := demo.TrainedLinker(t.Context())
		if err != nil {
			synth.err = err
			return
		}
		s, err := backpack.NewStore(backpack.FromRoll(res.Prepared.Roll, "2024-06-30")...)
		if err != nil {
			synth.err = err
			return
		}
		var bps []*backpack.Backpack
		for _, g := range backpack.Groups(res) {
			b, err := s.Build(g.StudentID, g.Records, backpack.Survivorship{})
			if err != nil {
				synth.err = err
				return
			}
			bps = append(bps, b)
		}
		synth.pop = backpack.NewPopulation(bps)
	})
	if synth.err != nil {
		t.Fatal(synth.err)
	}
	return synth.pop
}

// The review's first attack: 1,365 of 2,004 students were unique on birth year, sex,
// LEA, school and grade, and counting rows undid the tables. A record release is
// k-anonymous: however the rows are counted, by any set of the quasi-identifiers, every
// count is 0 or at least k.
func TestRecordsKAnonymous(t *testing.T) {
	pop := synthPopulation(t)
	x := extractor(t, "study")
	for _, k := range []int{10, 20} {
		rel, err := x.Records(pop, k)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("k %d: %d records, %d left out; %s", k, len(rel.Records), rel.Suppressed, strings.Join(rel.Generalised, ", "))
		if len(rel.Records)+rel.Suppressed != len(pop.Students) || float64(rel.Suppressed) > backpack.MaxSuppressedShare*float64(len(pop.Students)) {
			t.Errorf("%d records and %d left out of %d students", len(rel.Records), rel.Suppressed, len(pop.Students))
		}
		if len(rel.Generalised) != len(backpack.QuasiIdentifiers)+1 { // and the assessments
			t.Errorf("generalised: %v", rel.Generalised)
		}
		var out bytes.Buffer
		if err := rel.WriteRecordsCSV(&out); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&out).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// Count the rows by every subset of the quasi-identifiers.
		for subset := 1; subset < 1<<len(backpack.QuasiIdentifiers); subset++ {
			counts := map[string]int{}
			for _, row := range rows[1:] {
				var key []string
				for q := range backpack.QuasiIdentifiers {
					if subset&(1<<q) != 0 {
						key = append(key, row[1+q])
					}
				}
				counts[strings.Join(key, "|")]++
			}
			for key, n := range counts {
				if n < k {
					t.Fatalf("k %d: %d rows share %q on quasi-identifier set %06b", k, n, key, subset)
				}
			}
		}
		keys := map[string]bool{}
		for _, r := range rel.Records {
			keys[r.Key] = true
		}
		if len(keys) != len(rel.Records) {
			t.Errorf("%d keys for %d records", len(keys), len(rel.Records))
		}
	}
	if _, err := x.Records(pop, 9); err == nil {
		t.Error("k 9 accepted")
	}
}

// The Ed-Fi sample's eleven students make one group of eleven: everything generalised.
func TestRecordsSmallPopulation(t *testing.T) {
	pop := backpack.NewPopulation(allBackpacks(t))
	rel, err := extractor(t, "s").Records(pop, 10)
	if err != nil {
		t.Fatal(err)
	}
	if backpack.SmallestGroup(rel.Records) < 10 || len(rel.Records) != 11 {
		t.Errorf("%d records, smallest group %d", len(rel.Records), backpack.SmallestGroup(rel.Records))
	}
	if len(rel.Scores) == 0 {
		t.Error("no scores")
	}
	// Assessments are named by subject only: SA-2011-Mathematics-Fifth grade would give
	// back the grade and year the records generalise.
	subjects := map[string]bool{}
	for _, sc := range rel.Scores {
		subjects[sc.Subject] = true
	}
	wantSubjects := map[string]bool{"Mathematics": true, "English Language Arts": true, backpack.UnknownSubject: true}
	if diff := cmp.Diff(wantSubjects, subjects); diff != "" {
		t.Errorf("subjects of the scores (-want +got):\n%s", diff)
	}
	var scores bytes.Buffer
	rel.WriteScoresCSV(&scores)
	for _, leak := range []string{"2011", "Fifth", "grade", "SA-"} {
		if strings.Contains(scores.String(), leak) {
			t.Errorf("scores.csv names %q:\n%s", leak, scores.String())
		}
	}
	var out bytes.Buffer
	rel.WriteRecordsCSV(&out)
	rel.WriteScoresCSV(&out)
	text := out.String()
	// Nothing that names or identifies a student may appear: names, streets, cities, IDs
	// of every record, full birth dates, assessment serial numbers.
	s := newStore(t)
	for _, b := range allBackpacks(t) {
		secrets := []string{b.StudentID}
		for _, rec := range b.Records {
			st, _ := s.Student(rec)
			secrets = append(secrets, st.FirstName, st.LastSurname, st.Address.Street, st.Address.City, st.SSID,
				st.StudentUniqueID, st.Record, st.BirthDate)
		}
		for _, a := range b.Assessments {
			secrets = append(secrets, a.Fact.StudentAssessmentIdentifier)
		}
		for _, v := range secrets {
			if len(v) > 2 && strings.Contains(text, v) {
				t.Errorf("the release contains %q", v)
			}
		}
	}
	if _, err := extractor(t, "s").Records(&backpack.Population{Students: pop.Students[:9]}, 10); err == nil {
		t.Error("nine students made a release with k 10")
	}
}

func TestCrossTab(t *testing.T) {
	type kid struct{ grade, sex string }
	kids := []kid{{"10", "F"}, {"9", "M"}, {"K", "F"}, {"", "M"}, {"9", "F"}, {"PK", ""}, {"9", "M"}, {"Ungraded", "F"}}
	tab := backpack.CrossTab(kids, "grade", func(k kid) string { return k.grade }, "sex", func(k kid) string { return k.sex })
	want := backpack.Table{
		RowName: "grade", ColName: "sex",
		Rows:      []string{"PK", "K", "9", "10", "Ungraded", "(not reported)"},
		Cols:      []string{"F", "M", "(not reported)"},
		Counts:    [][]int{{0, 0, 1}, {1, 0, 0}, {1, 2, 0}, {1, 0, 0}, {1, 0, 0}, {0, 1, 0}},
		RowTotals: []int{1, 1, 3, 1, 1, 1},
		ColTotals: []int{4, 3, 1},
		Total:     8,
	}
	if diff := cmp.Diff(want, tab); diff != "" {
		t.Errorf("CrossTab (-want +got):\n%s", diff)
	}
}

// The synthetic roll's release of LEA × grade and sex × grade passes its audit.
func TestSynthTables(t *testing.T) {
	pop := synthPopulation(t)
	lea, merged := backpack.MergeSmallRows(popTable(t, pop, backpack.ByLEA, backpack.ByGrade), 10)
	if len(merged) > 0 {
		t.Errorf("LEAs of fewer than 10 students merged: %v", merged)
	}
	tables := []backpack.Table{lea, popTable(t, pop, backpack.BySex, backpack.ByGrade)}
	ps, err := backpack.SuppressTables(tables, 10)
	if err != nil {
		t.Fatal(err)
	}
	checkRelease(t, tables, 10, ps)
	if tables[0].Total != len(pop.Students) {
		t.Errorf("the tables count %d of %d students", tables[0].Total, len(pop.Students))
	}
}

func popTable(t testing.TB, pop *backpack.Population, row, col backpack.Attribute) backpack.Table {
	t.Helper()
	tab, err := pop.Table(row, col)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestAssessmentSubject(t *testing.T) {
	for id, want := range map[string]string{
		"SA-2011-Mathematics-Fifth grade":      "Mathematics",
		"SA-2011-Reading-Fifth grade":          "English Language Arts",
		"RISE-Math":                            "Mathematics",
		"ACT Science 2024":                     "Science",
		"01774fa3-06f1-47fe-8801-c8b1e65057f2": backpack.UnknownSubject,
		"":                                     backpack.UnknownSubject,
	} {
		if got := backpack.AssessmentSubject(id); got != want {
			t.Errorf("AssessmentSubject(%q) = %q, want %q", id, got, want)
		}
	}
}
