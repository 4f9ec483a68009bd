package match

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

// heldOut is a record of the synthetic sample that was kept out of the linked roll.
type heldOut struct {
	id    string
	rec   normalize.Record
	truth string // the true student
}

// indexFixture is the embedded synthetic sample split into a linked roll and held-out
// records: again holds one submission of every third student with several records (the
// student's other records are linked); absent holds every record of one student in ten
// of the rest (the student is not in the roll at all).
type indexFixture struct {
	linker *Linker
	res    *Result
	// truth is each linked record's true student; runIDs the student IDs the run gave
	// the linked records of each true student.
	truth  map[string]string
	runIDs map[string]map[string]bool
	again  []heldOut
	absent []heldOut
}

var (
	indexFixtureOnce sync.Once
	indexFixtureVal  *indexFixture
	indexFixtureErr  error
)

// sampleIndexFixture links the sample once for all index tests; each test builds its own
// Index from the shared result.
func sampleIndexFixture(t testing.TB) *indexFixture {
	t.Helper()
	indexFixtureOnce.Do(func() { indexFixtureVal, indexFixtureErr = buildIndexFixture() })
	if indexFixtureErr != nil {
		t.Fatal(indexFixtureErr)
	}
	return indexFixtureVal
}

func readCSVRows(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return csv.NewReader(f).ReadAll()
}

func buildIndexFixture() (*indexFixture, error) {
	rows, err := readCSVRows("../testdata/synth/roll.csv")
	if err != nil {
		return nil, err
	}
	truthRows, err := readCSVRows("../testdata/synth/truth.csv")
	if err != nil {
		return nil, err
	}
	truth := map[string]string{}
	for _, r := range truthRows[1:] {
		truth[r[0]] = r[1]
	}
	header, body := rows[0], rows[1:]
	var order []string
	byStudent := map[string][]int{}
	for k, r := range body {
		s, ok := truth[r[0]]
		if !ok {
			return nil, fmt.Errorf("no truth for record %s", r[0])
		}
		if byStudent[s] == nil {
			order = append(order, s)
		}
		byStudent[s] = append(byStudent[s], k)
	}
	held := map[int]bool{}   // body row → held out
	absent := map[int]bool{} // body row → held out with its whole student
	multi, single := 0, 0
	for _, s := range order {
		rs := byStudent[s]
		if len(rs) >= 2 {
			multi++
			if multi%3 == 0 {
				held[rs[len(rs)-1]] = true
				continue
			}
		}
		single++
		if single%10 == 0 {
			for _, k := range rs {
				held[k], absent[k] = true, true
			}
		}
	}
	var kept, out bytes.Buffer
	kw, ow := csv.NewWriter(&kept), csv.NewWriter(&out)
	_ = kw.Write(header)
	_ = ow.Write(header)
	for k, r := range body {
		if held[k] {
			_ = ow.Write(r)
		} else {
			_ = kw.Write(r)
		}
	}
	kw.Flush()
	ow.Flush()

	s := StudentSettings()
	roll, err := s.NewRoll()
	if err != nil {
		return nil, err
	}
	if err := roll.ReadCSV("kept.csv", &kept); err != nil {
		return nil, err
	}
	heldRoll, err := s.NewRoll()
	if err != nil {
		return nil, err
	}
	if err := heldRoll.ReadCSV("held.csv", &out); err != nil {
		return nil, err
	}
	l, err := New(s)
	if err != nil {
		return nil, err
	}
	res, err := l.Run(context.Background(), roll, RunOptions{})
	if err != nil {
		return nil, err
	}
	fx := &indexFixture{linker: l, res: res, truth: map[string]string{}, runIDs: map[string]map[string]bool{}}
	for i, id := range roll.IDs {
		ts := truth[id]
		fx.truth[id] = ts
		if fx.runIDs[ts] == nil {
			fx.runIDs[ts] = map[string]bool{}
		}
		fx.runIDs[ts][res.StudentIDs[res.Label[i]]] = true
	}
	// heldRoll holds the held-out rows in body order, so its record i is the i-th held row.
	i := 0
	for k := range body {
		if !held[k] {
			continue
		}
		h := heldOut{id: heldRoll.IDs[i], rec: heldRoll.Record(i), truth: truth[heldRoll.IDs[i]]}
		if absent[k] {
			fx.absent = append(fx.absent, h)
		} else {
			fx.again = append(fx.again, h)
		}
		i++
	}
	return fx, nil
}

func (fx *indexFixture) newIndex(t testing.TB) *Index {
	t.Helper()
	x, err := fx.linker.NewIndex(fx.res)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestIndexPlacesHeldOutRecords(t *testing.T) {
	fx := sampleIndexFixture(t)
	x := fx.newIndex(t)
	if got, want := x.Len(), fx.res.Prepared.Roll.Len(); got != want {
		t.Fatalf("Len = %d, want the %d linked records", got, want)
	}
	tests := []struct {
		name string
		recs []heldOut
		// minRight is the least share placed as a match with a student holding the
		// record's true mates (again) or placed as new or for review (absent); maxWrong
		// the most placed as a match with a student that is not theirs.
		minRight, maxWrong float64
		inIndex            bool
	}{
		{"another submission of a linked student", fx.again, 0.90, 0.02, true},
		{"a student not in the index", fx.absent, 0.95, 0.05, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.recs) < 50 {
				t.Fatalf("only %d held-out records; the fixture should hold out more", len(tc.recs))
			}
			outcomes := map[string]int{}
			right, wrong := 0, 0
			for _, h := range tc.recs {
				pl, err := x.Query(h.rec, 5)
				if err != nil {
					t.Fatal(err)
				}
				outcomes[pl.Outcome]++
				switch pl.Outcome {
				case OutcomeMatch:
					if tc.inIndex && fx.runIDs[h.truth][pl.StudentID] {
						right++
					} else {
						wrong++
						t.Logf("%s (true %s) placed with %s at weight %.2f", h.id, h.truth, pl.StudentID, pl.Candidates[0].Weight)
					}
				case OutcomeReview, OutcomeNew:
					if !tc.inIndex {
						right++
					}
				default:
					t.Errorf("%s: unknown outcome %q", h.id, pl.Outcome)
				}
				if pl.Outcome == OutcomeNew && pl.StudentID != "" {
					t.Errorf("%s: outcome new with student %q", h.id, pl.StudentID)
				}
				if pl.Outcome != OutcomeNew && (len(pl.Candidates) == 0 || pl.StudentID != pl.Candidates[0].StudentID) {
					t.Errorf("%s: outcome %s with student %q, but the best candidate is %+v", h.id, pl.Outcome, pl.StudentID, pl.Candidates)
				}
			}
			n := float64(len(tc.recs))
			t.Logf("%d records: %.1f%% right, %.1f%% matched to a wrong student; outcomes %v",
				len(tc.recs), 100*float64(right)/n, 100*float64(wrong)/n, outcomes)
			if share := float64(right) / n; share < tc.minRight {
				t.Errorf("%.1f%% placed right, want ≥ %.0f%%", 100*share, 100*tc.minRight)
			}
			if share := float64(wrong) / n; share > tc.maxWrong {
				t.Errorf("%.1f%% matched to a wrong student, want ≤ %.0f%%", 100*share, 100*tc.maxWrong)
			}
		})
	}
}

func TestIndexQueryUnknownStudent(t *testing.T) {
	fx := sampleIndexFixture(t)
	x := fx.newIndex(t)
	tests := []struct {
		name string
		rec  normalize.Record
	}{
		{"nobody like them", normalize.Record{Given: "Zebulon", Family: "Quixotezky", BirthDate: "1931-02-03", Sex: "M", SSID: "0000000017"}},
		{"an empty record", normalize.Record{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pl, err := x.Query(tc.rec, 10)
			if err != nil {
				t.Fatal(err)
			}
			if pl.Outcome != OutcomeNew || pl.StudentID != "" {
				t.Errorf("outcome %q student %q, want %q and no student; candidates %+v", pl.Outcome, pl.StudentID, OutcomeNew, pl.Candidates)
			}
		})
	}
}

func TestIndexQueryRankingAndLimit(t *testing.T) {
	fx := sampleIndexFixture(t)
	x := fx.newIndex(t)
	th := fx.linker.Settings().Thresholds
	queries := append(slices.Clone(fx.again), fx.absent...)
	tests := []struct {
		limit, max int // max: the most candidates the limit allows
	}{{1, 1}, {3, 3}, {0, 10}, {-1, 10}, {10, 10}, {1000, 1000}}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("limit=%d", tc.limit), func(t *testing.T) {
			capped := 0
			for _, h := range queries {
				pl, err := x.Query(h.rec, tc.limit)
				if err != nil {
					t.Fatal(err)
				}
				all, err := x.Query(h.rec, 100_000)
				if err != nil {
					t.Fatal(err)
				}
				if len(pl.Candidates) > tc.max {
					t.Errorf("%s: %d candidates, limit %d allows %d", h.id, len(pl.Candidates), tc.limit, tc.max)
				}
				// The capped list is the head of the full ranking.
				want := all.Candidates[:min(tc.max, len(all.Candidates))]
				if d := cmp.Diff(candidateKeys(want), candidateKeys(pl.Candidates)); d != "" {
					t.Errorf("%s: limit %d is not the head of the full ranking (-want +got):\n%s", h.id, tc.limit, d)
				}
				if len(all.Candidates) > tc.max {
					capped++
				}
				for k := 1; k < len(all.Candidates); k++ {
					a, b := all.Candidates[k-1], all.Candidates[k]
					if a.Weight < b.Weight || (a.Weight == b.Weight && a.RecordID >= b.RecordID) {
						t.Errorf("%s: candidate %d (%s, %.3f) ranked above %d (%s, %.3f)", h.id, k-1, a.RecordID, a.Weight, k, b.RecordID, b.Weight)
					}
				}
				if pl.Outcome != all.Outcome || pl.StudentID != all.StudentID {
					t.Errorf("%s: limit %d changed the placement: %s %s, unlimited %s %s", h.id, tc.limit, pl.Outcome, pl.StudentID, all.Outcome, all.StudentID)
				}
				// The strongest candidate over the upper threshold whose student no
				// cannot-link rule refuses is the match; else the strongest over the
				// lower one is for review.
				want2, wantStudent := OutcomeNew, ""
				for _, c := range all.Candidates {
					if c.Weight >= th.Upper && c.Refused == "" {
						want2, wantStudent = OutcomeMatch, c.StudentID
						break
					}
				}
				if want2 == OutcomeNew && len(all.Candidates) > 0 && all.Candidates[0].Weight >= th.Lower {
					want2, wantStudent = OutcomeReview, all.Candidates[0].StudentID
				}
				if pl.Outcome != want2 || pl.StudentID != wantStudent {
					t.Errorf("%s: %s %s, but the candidates %v against thresholds %+v mean %s %s", h.id, pl.Outcome, pl.StudentID, all.Candidates, th, want2, wantStudent)
				}
			}
			if tc.max < 10 && capped == 0 {
				t.Errorf("no query had more than %d candidates, so the limit was never tested", tc.max)
			}
		})
	}
}

type candidateKey struct {
	RecordID, StudentID string
	Weight              float64
}

func candidateKeys(cs []Candidate) []candidateKey {
	out := make([]candidateKey, len(cs))
	for k, c := range cs {
		out[k] = candidateKey{c.RecordID, c.StudentID, c.Weight}
	}
	return out
}

// TestIndexExplanations checks every candidate's weight, probability and explanation
// against a scorer of the query and the linked roll built here from the run's model.
func TestIndexExplanations(t *testing.T) {
	fx := sampleIndexFixture(t)
	x := fx.newIndex(t)
	roll := fx.res.Prepared.Roll
	prep := normalize.NewPreparer(normalize.Options{Dates: fx.linker.Settings().Dates})
	checked := 0
	for _, h := range append(slices.Clone(fx.again), fx.absent...) {
		pl, err := x.Query(h.rec, 20)
		if err != nil {
			t.Fatal(err)
		}
		q := normalize.NewTable(1, 0)
		prep.Fill(q, 0, h.rec)
		sc, err := fx.res.Model.Scorer(q, fx.res.Prepared.Table)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range pl.Candidates {
			j, ok := roll.Index(c.RecordID)
			if !ok {
				t.Fatalf("%s: candidate %s is not in the roll", h.id, c.RecordID)
			}
			if want, _ := fx.res.StudentOf(c.RecordID); c.StudentID != want {
				t.Errorf("%s: candidate %s has student %s, the run gave it %s", h.id, c.RecordID, c.StudentID, want)
			}
			e := c.Explanation
			sum := e.Prior
			for _, term := range e.Terms {
				sum += term.Weight + term.TermFrequency
			}
			if math.Abs(sum-c.Weight) > 1e-9 || e.Weight != c.Weight {
				t.Errorf("%s/%s: explanation terms sum to %v and say %v, candidate weight %v", h.id, c.RecordID, sum, e.Weight, c.Weight)
			}
			if want := sc.Weight(0, j); c.Weight != want {
				t.Errorf("%s/%s: weight %v, the model scores the pair %v", h.id, c.RecordID, c.Weight, want)
			}
			if d := cmp.Diff(sc.Explain(0, j), e); d != "" {
				t.Errorf("%s/%s: explanation differs from the model's (-model +index):\n%s", h.id, c.RecordID, d)
			}
			if want := score.Probability(c.Weight); c.Probability != want || e.Probability != want {
				t.Errorf("%s/%s: probability %v (explanation %v), want %v", h.id, c.RecordID, c.Probability, e.Probability, want)
			}
			if len(e.Terms) != len(fx.linker.Settings().Comparisons) {
				t.Errorf("%s/%s: %d terms for %d comparisons", h.id, c.RecordID, len(e.Terms), len(fx.linker.Settings().Comparisons))
			}
			checked++
		}
	}
	if checked < 100 {
		t.Errorf("only %d candidates checked", checked)
	}
}

func TestIndexAddThenQuery(t *testing.T) {
	fx := sampleIndexFixture(t)
	x := fx.newIndex(t)
	n := x.Len()
	// An absent student: its first record is added as a new student; the record itself
	// and the student's other records must now be placed with it.
	bySt := map[string][]heldOut{}
	var order []string
	for _, h := range fx.absent {
		if bySt[h.truth] == nil {
			order = append(order, h.truth)
		}
		bySt[h.truth] = append(bySt[h.truth], h)
	}
	added, others, found := 0, 0, 0
	for _, s := range order {
		recs := bySt[s]
		newID := "NEW-" + s
		if _, err := x.Add(recs[0].id, recs[0].rec, newID); err != nil {
			t.Fatalf("Add(%s): %v", recs[0].id, err)
		}
		added++
		pl, err := x.Query(recs[0].rec, 10)
		if err != nil {
			t.Fatal(err)
		}
		if pl.Outcome != OutcomeMatch || pl.StudentID != newID || len(pl.Candidates) == 0 || pl.Candidates[0].RecordID != recs[0].id {
			t.Errorf("after Add(%s, %s): query of the same record gives %s %q, candidates %v", recs[0].id, newID, pl.Outcome, pl.StudentID, candidateKeys(pl.Candidates))
		}
		for _, h := range recs[1:] {
			others++
			pl, err := x.Query(h.rec, 10)
			if err != nil {
				t.Fatal(err)
			}
			if pl.Outcome == OutcomeMatch && pl.StudentID == newID {
				found++
			}
		}
	}
	if got := x.Len(); got != n+added {
		t.Errorf("Len = %d after %d additions to %d records", got, added, n)
	}
	if others < 10 {
		t.Fatalf("only %d further records of added students", others)
	}
	t.Logf("%d students added; %d of %d of their other records placed with them", added, found, others)
	if share := float64(found) / float64(others); share < 0.85 {
		t.Errorf("%.1f%% of the added students' other records placed with them, want ≥ 85%%", 100*share)
	}
	// The run's result is not changed by additions to its index.
	if got, want := fx.res.Prepared.Table.Len(), fx.res.Prepared.Roll.Len(); got != want {
		t.Errorf("the run's prepared table has %d rows after Add, its roll %d records", got, want)
	}
}

func TestIndexAddErrors(t *testing.T) {
	fx := sampleIndexFixture(t)
	x := fx.newIndex(t)
	indexed := fx.res.Prepared.Roll.IDs[0]
	indexedStudent, _ := fx.res.StudentOf(indexed)
	h := fx.absent[0]
	if _, err := x.Add("ADDED-1", h.rec, "S-NEW"); err != nil {
		t.Fatal(err)
	}
	n := x.Len()
	tests := []struct {
		name, recordID, studentID string
		wantInErr                 string
	}{
		{"empty record ID", "", "S-X", "record ID"},
		{"empty student ID", "ADDED-2", "", "student ID"},
		{"both empty", "", "", "record ID"},
		{"record ID of a linked record", indexed, "S-X", indexed},
		{"record ID added before", "ADDED-1", "S-X", "ADDED-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := x.Add(tc.recordID, fx.again[0].rec, tc.studentID)
			if err == nil || !strings.Contains(err.Error(), tc.wantInErr) {
				t.Errorf("Add(%q, _, %q): err = %v, want an error naming %q", tc.recordID, tc.studentID, err, tc.wantInErr)
			}
			if got := x.Len(); got != n {
				t.Errorf("Len = %d after a refused Add, want %d", got, n)
			}
		})
	}
	// The refused duplicates did not replace the records they named.
	for _, c := range []struct{ id, student string }{{indexed, indexedStudent}, {"ADDED-1", "S-NEW"}} {
		pl, err := x.Query(fx.again[0].rec, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, cand := range pl.Candidates {
			if cand.RecordID == c.id && cand.StudentID != c.student {
				t.Errorf("record %s now belongs to %s, want %s", c.id, cand.StudentID, c.student)
			}
		}
	}
}

// TestIndexesOfOneResult checks that two indexes of one run do not share additions.
func TestIndexesOfOneResult(t *testing.T) {
	fx := sampleIndexFixture(t)
	a, b := fx.newIndex(t), fx.newIndex(t)
	ha, hb := fx.absent[0], fx.absent[len(fx.absent)-1]
	if _, err := a.Add("A-1", ha.rec, "S-A"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Add("B-1", hb.rec, "S-B"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		x      *Index
		rec    normalize.Record
		wantID string // the added record expected at the top, "" for none of either
	}{
		{"a finds its own", a, ha.rec, "A-1"},
		{"b finds its own", b, hb.rec, "B-1"},
		{"a does not see b's", a, hb.rec, ""},
		{"b does not see a's", b, ha.rec, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pl, err := tc.x.Query(tc.rec, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantID != "" && (len(pl.Candidates) == 0 || pl.Candidates[0].RecordID != tc.wantID) {
				t.Errorf("top candidate is not %s: %v", tc.wantID, candidateKeys(pl.Candidates))
			}
			for _, c := range pl.Candidates {
				if (c.RecordID == "A-1" || c.RecordID == "B-1") && c.RecordID != tc.wantID {
					t.Errorf("candidate %s was added to the other index", c.RecordID)
				}
			}
		})
	}
	if a.Len() != b.Len() || a.Len() != fx.res.Prepared.Roll.Len()+1 {
		t.Errorf("Len: a %d, b %d, want %d each", a.Len(), b.Len(), fx.res.Prepared.Roll.Len()+1)
	}
}

// TestIndexConcurrent queries and adds from many goroutines at once (run it with -race).
// Queries of linked students' records must give what they gave before the additions
// whenever the additions do not change their best candidate, and every goroutine must
// find the records it added.
func TestIndexConcurrent(t *testing.T) {
	fx := sampleIndexFixture(t)
	x := fx.newIndex(t)
	n := x.Len()
	queries := fx.again
	before := make([]Placement, len(queries))
	for k, h := range queries {
		pl, err := x.Query(h.rec, 3)
		if err != nil {
			t.Fatal(err)
		}
		before[k] = pl
	}
	const queriers, adders = 8, 8
	type answer struct {
		k  int
		pl Placement
	}
	answers := make([][]answer, queriers)
	var wg sync.WaitGroup
	errs := make(chan error, queriers+adders)
	for g := range queriers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := g % 2; k < len(queries); k += 2 { // every query asked by four goroutines
				pl, err := x.Query(queries[k].rec, 3)
				if err != nil {
					errs <- err
					return
				}
				answers[g] = append(answers[g], answer{k, pl})
				_ = x.Len()
			}
		}()
	}
	var added sync.Map // record ID → student ID
	for g := range adders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := g; k < len(fx.absent); k += adders {
				h := fx.absent[k]
				id, student := fmt.Sprintf("C%d-%s", g, h.id), "NEW-"+h.id
				if _, err := x.Add(id, h.rec, student); err != nil {
					errs <- err
					return
				}
				added.Store(id, student)
				pl, err := x.Query(h.rec, 1000)
				if err != nil {
					errs <- err
					return
				}
				if !slices.ContainsFunc(pl.Candidates, func(c Candidate) bool { return c.RecordID == id && c.StudentID == student }) {
					errs <- fmt.Errorf("goroutine %d added %s but its query does not find it: %v", g, id, candidateKeys(pl.Candidates))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := x.Len(); got != n+len(fx.absent) {
		t.Errorf("Len = %d, want %d + %d added", got, n, len(fx.absent))
	}
	// After the additions, which queries still have their old best candidate? Those
	// must have had it at every moment in between.
	after := make([]Placement, len(queries))
	stable := 0
	for k, h := range queries {
		pl, err := x.Query(h.rec, 3)
		if err != nil {
			t.Fatal(err)
		}
		after[k] = pl
		if sameBest(before[k], pl) {
			stable++
		}
	}
	if stable < len(queries)*9/10 {
		t.Errorf("only %d of %d queries kept their best candidate through the additions", stable, len(queries))
	}
	asked := 0
	for g := range answers {
		for _, a := range answers[g] {
			asked++
			if sameBest(before[a.k], after[a.k]) && !sameBest(before[a.k], a.pl) {
				t.Errorf("query %s during the additions: %s %s best %v, before and after: %s %s best %v",
					queries[a.k].id, a.pl.Outcome, a.pl.StudentID, candidateKeys(a.pl.Candidates),
					before[a.k].Outcome, before[a.k].StudentID, candidateKeys(before[a.k].Candidates))
			}
		}
	}
	if asked != 4*len(queries) {
		t.Errorf("%d answers, want %d", asked, 4*len(queries))
	}
	// Every addition is still there, under its own student.
	count := 0
	added.Range(func(id, student any) bool {
		count++
		return true
	})
	if count != len(fx.absent) {
		t.Errorf("%d additions recorded, want %d", count, len(fx.absent))
	}
	for k, h := range fx.absent {
		pl, err := x.Query(h.rec, 1000)
		if err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprintf("C%d-%s", k%adders, h.id)
		student, _ := added.Load(id)
		if !slices.ContainsFunc(pl.Candidates, func(c Candidate) bool { return c.RecordID == id && c.StudentID == student }) {
			t.Errorf("added record %s (student %v) is not found after the additions", id, student)
		}
	}
}

// sameBest reports whether two placements agree on the outcome, student and best candidate.
func sameBest(a, b Placement) bool {
	if a.Outcome != b.Outcome || a.StudentID != b.StudentID || (len(a.Candidates) == 0) != (len(b.Candidates) == 0) {
		return false
	}
	return len(a.Candidates) == 0 || candidateKeys(a.Candidates[:1])[0] == candidateKeys(b.Candidates[:1])[0]
}

// TestIndexSkipsOversizeKeys: a query key shared by more indexed records than MaxBlock is
// skipped and counted, as Run skips such blocks, and the records most like the query are
// still found, through the Nearest rule.
func TestIndexSkipsOversizeKeys(t *testing.T) {
	var b strings.Builder
	b.WriteString(studentHeader)
	for k := range 5 { // five records sharing an address and given initial: one block of 5
		fmt.Fprintf(&b, "h%d,01,01001,55500%05d,Ana%c,,Lopez%c,,2011-0%d-1%d,F,3,9 Same St,Provo,84604,2023-08-20\n", k, k, 'a'+k, 'a'+k, k+1, k)
	}
	query := normalize.Record{Given: "Ana", Family: "Nobody", Address: "9 Same St", BirthDate: "2001-01-01"}
	for _, tc := range []struct {
		maxBlock       int
		wantOversize   bool
		wantCandidates bool
	}{{0, false, true}, {2, true, true}} {
		s := StudentSettings()
		s.MaxBlock = tc.maxBlock
		l, err := New(s)
		if err != nil {
			t.Fatal(err)
		}
		x, err := l.NewIndex(runCSV(t, l, b.String()))
		if err != nil {
			t.Fatal(err)
		}
		pl, err := x.Query(query, 10)
		if err != nil {
			t.Fatal(err)
		}
		if (pl.Oversize > 0) != tc.wantOversize || (len(pl.Candidates) > 0) != tc.wantCandidates {
			t.Errorf("MaxBlock %d: oversize %d, %d candidates; want oversize %v, candidates %v",
				tc.maxBlock, pl.Oversize, len(pl.Candidates), tc.wantOversize, tc.wantCandidates)
		}
	}
}

// TestIndexSharedIDs: two LEAs number their students from 1001; the index keeps both
// records of ID 1001 apart, explains each candidate by its own record, and takes a new
// record 1001 from a third LEA.
func TestIndexSharedIDs(t *testing.T) {
	s := StudentSettings()
	roll, err := s.NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	header := "record_id,first_name,last_name,birth_date,ssid\n"
	if err := roll.ReadCSV("lea1", strings.NewReader(header+"1001,Ana,Silva,2012-01-05,7000000001\n1002,Ben,Okafor,2011-02-06,7000000002\n")); err != nil {
		t.Fatal(err)
	}
	if err := roll.ReadCSV("lea2", strings.NewReader(header+"1001,Cora,Nakamura,2013-03-07,7000000003\n1002,Ana,Silva,2012-01-05,7000000001\n")); err != nil {
		t.Fatal(err)
	}
	l, res := linkRoll(t, s, roll)
	x, err := l.NewIndex(res)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := x.Query(normalize.Record{Given: "Cora", Family: "Nakamura", BirthDate: "2013-03-07", SSID: "7000000003"}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Candidates) == 0 || pl.Candidates[0].RecordID != "1001" || pl.Candidates[0].Source != "lea2" {
		t.Fatalf("best candidate %+v, want 1001 of lea2", pl.Candidates)
	}
	for _, term := range pl.Candidates[0].Explanation.Terms {
		if term.Comparison == "given_name" && term.LevelName != "exact" {
			t.Errorf("the explanation compares another record: given name %s", term.LevelName)
		}
	}
	if _, err := x.AddRef(RecordRef{Source: "lea3", ID: "1001"}, normalize.Record{Given: "Dev", Family: "Rao"}, "S-new"); err != nil {
		t.Errorf("a third LEA's 1001: %v", err)
	}
	if _, err := x.AddRef(RecordRef{Source: "lea1", ID: "1001"}, normalize.Record{Given: "Dev", Family: "Rao"}, "S-new"); err == nil {
		t.Error("lea1's 1001 indexed twice")
	}
	if _, err := x.Add("1001", normalize.Record{Given: "Dev", Family: "Rao"}, "S-new"); err == nil {
		t.Error("a bare 1001 indexed though three sources use it")
	}
}

// TestIndexFindsEveryKeyDamaged: a new enrollment whose names both carry a typo and whose
// birth date is a digit off shares no key with the student's records; the index still
// places it with them, through the Nearest rule.
func TestIndexFindsEveryKeyDamaged(t *testing.T) {
	f := sampleIndexFixture(t)
	x, err := f.linker.NewIndex(f.res)
	if err != nil {
		t.Fatal(err)
	}
	roll := f.res.Prepared.Roll
	found, tried := 0, 0
	for i := 0; i < roll.Len() && tried < 40; i += 37 {
		r := roll.Record(i)
		if len(r.Given) < 4 || len(r.Family) < 4 || r.BirthDate == "" {
			continue
		}
		d, err := normalize.ParseDate(r.BirthDate, normalize.DateOptions{})
		if err != nil || d.Day > 27 {
			continue
		}
		d.Day++
		q := normalize.Record{Given: r.Given[:2] + "x" + r.Given[3:], Family: r.Family[:2] + "x" + r.Family[3:], BirthDate: d.String(), Zip: r.Zip}
		tried++
		pl, err := x.Query(q, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range pl.Candidates {
			if c.RecordID == roll.IDs[i] {
				found++
				break
			}
		}
	}
	if tried < 20 || found < tried*9/10 {
		t.Errorf("found the damaged record's own record among the candidates %d times in %d", found, tried)
	}
}

// TestIndexKeepsTwinsApart: a twin enrolling where her sister is indexed is never placed
// in her sister's student (the cannot-link rules hold for queries as in Run); she goes to
// review, and the candidate says which rule refused it. One child under a nickname still
// matches.
func TestIndexKeepsTwinsApart(t *testing.T) {
	var kept []string
	for _, row := range strings.Split(strings.TrimSpace(twinRoll), "\n") {
		if !strings.HasPrefix(row, "olivia-") && !strings.HasPrefix(row, "liam-") {
			kept = append(kept, row)
		}
	}
	l, err := New(StudentSettings())
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, strings.Join(kept, "\n")+"\n")
	x, err := l.NewIndex(res)
	if err != nil {
		t.Fatal(err)
	}
	studentOf := func(id string) string {
		for i, rid := range res.Prepared.Roll.IDs {
			if rid == id {
				return res.StudentIDs[res.Label[i]]
			}
		}
		t.Fatalf("no record %s", id)
		return ""
	}
	tests := []struct {
		name    string
		rec     normalize.Record
		sibling string // a student the query must not join
		want    string // the outcome
	}{
		{"Olivia without an SSID", normalize.Record{Given: "Olivia", Family: "Johnson", BirthDate: "2014-05-06", Sex: "F",
			Address: "88 Orchard Ln", City: "Provo", Zip: "84601"}, studentOf("emma-1"), OutcomeReview},
		{"Olivia with her SSID", normalize.Record{Given: "Olivia", Family: "Johnson", BirthDate: "2014-05-06", Sex: "F",
			SSID: "4000000015", Address: "88 Orchard Ln", City: "Provo", Zip: "84601"}, studentOf("emma-1"), OutcomeReview},
		{"Liam without an SSID", normalize.Record{Given: "Liam", Family: "Brown", BirthDate: "2012-11-12", Sex: "M",
			Address: "70 Lake Dr", City: "Logan", Zip: "84321"}, studentOf("noah-1"), OutcomeReview},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pl, err := x.Query(tc.rec, 5)
			if err != nil {
				t.Fatal(err)
			}
			if pl.Outcome != tc.want || (pl.Outcome == OutcomeMatch && pl.StudentID == tc.sibling) {
				t.Errorf("outcome %s, student %s; want %s, never %s", pl.Outcome, pl.StudentID, tc.want, tc.sibling)
			}
			for _, c := range pl.Candidates {
				if c.StudentID == tc.sibling && c.Refused == "" {
					t.Errorf("candidate %s of the sibling's student, weight %.2f, not refused", c.RecordID, c.Weight)
				}
			}
			if pl.Best.StudentID != tc.sibling || pl.Best.Refused == "" {
				t.Errorf("the review rests on %+v, want the sibling's refused record", pl.Best)
			}
		})
	}
	pl, err := x.Query(normalize.Record{Given: "Liz", Family: "Davis", BirthDate: "2011-03-04", Sex: "F", SSID: "4000000040",
		Address: "21 Oak Ave", City: "Sandy", Zip: "84070"}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Outcome != OutcomeMatch || pl.StudentID != studentOf("eliz-1") || pl.Best.StudentID != pl.StudentID || pl.Best.Refused != "" {
		t.Errorf("Liz Davis: outcome %s, student %s; want a match with Elizabeth's %s", pl.Outcome, pl.StudentID, studentOf("eliz-1"))
	}
}

// TestIndexKeepsItsRulesDuringRun queries an index of the sample roll, built with FEBRL
// 3's model (every rule stands on the sample), while its linker links FEBRL 3 again,
// whose tests set belief rules aside for that run: the index keeps the rules it was
// built with, and its answers do not change. Run with -race.
func TestIndexKeepsItsRulesDuringRun(t *testing.T) {
	if testing.Short() {
		t.Skip("links a suite set")
	}
	fx := sampleIndexFixture(t)
	febrl := suiteRoll(t, "febrl3")
	trained, _ := linkRoll(t, StudentSettings(), febrl) // sets belief rules aside
	l, err := reload(trained)
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Run(context.Background(), readRoll(t, StudentSettings(), sampleRoll), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	x, err := l.NewIndex(res)
	if err != nil {
		t.Fatal(err)
	}
	ask := func() ([]Placement, error) {
		var out []Placement
		for _, h := range fx.again {
			pl, err := x.Query(h.rec, 3)
			if err != nil {
				return nil, err
			}
			out = append(out, pl)
		}
		return out, nil
	}
	before, err := ask()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	answers := make([][]Placement, 4)
	errs := make([]error, 4)
	var done atomic.Bool
	for g := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done.Load() && errs[g] == nil { // ask until the run is over
				answers[g], errs[g] = ask()
			}
		}()
	}
	other, err := l.Run(context.Background(), febrl, RunOptions{})
	done.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(other.Dropped, func(d Dropped) bool { return strings.Contains(d.Reason, "set aside") }) {
		t.Error("FEBRL 3's run set no rule aside: the test does not change the linker's rules")
	}
	for g := range answers {
		if errs[g] != nil {
			t.Fatal(errs[g])
		}
		if d := cmp.Diff(before, answers[g], cmpopts.IgnoreUnexported(Candidate{})); d != "" {
			t.Errorf("querier %d: answers changed while the linker ran (-before +during):\n%s", g, d)
		}
	}
}
