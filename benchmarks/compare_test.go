package benchmarks

import (
	"math/rand/v2"
	"testing"

	"github.com/studentlink/studentlink/internal/synth"
	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

// syntheticTable prepares a synthetic roll of about n records.
func syntheticTable(b *testing.B, students int, seed uint64) (*normalize.Table, *synth.Roll) {
	return syntheticTableT(b, students, seed)
}

func syntheticTableT(b testing.TB, students int, seed uint64) (*normalize.Table, *synth.Roll) {
	b.Helper()
	cfg := synth.DefaultConfig(students)
	cfg.Seed = seed
	roll, err := synth.Generate(cfg)
	if err != nil {
		b.Fatal(err)
	}
	t := normalize.NewTable(len(roll.Records), 0)
	p := normalize.NewPreparer(normalize.Options{})
	for i := range roll.Records {
		r := &roll.Records[i]
		p.Fill(t, i, normalize.Record{Given: r.First, Middle: r.Middle, Family: r.Last, Suffix: r.Suffix,
			BirthDate: r.BirthDate, Sex: r.Sex, SSID: r.SSID, Address: r.Address, City: r.City, Zip: r.Zip, LEA: r.LEA})
	}
	return t, roll
}

// BenchmarkCompareVector computes the student comparison vector (8 comparisons) and the
// match weight of pairs on prepared features: half pairs of one student's records, half
// pairs of different students, as a blocked candidate set mixes them.
func BenchmarkCompareVector(b *testing.B) {
	t, roll := syntheticTable(b, benchStudents, 1)
	bySt := map[int32][]int{}
	for i, r := range roll.Records {
		bySt[r.Student] = append(bySt[r.Student], i)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	var pairs [][2]int
	for _, recs := range bySt {
		if len(recs) > 1 {
			pairs = append(pairs, [2]int{recs[0], recs[1]})
		}
		pairs = append(pairs, [2]int{recs[0], rng.IntN(t.Len())})
	}
	m, err := score.NewModel(score.StudentComparisons(), 0.1)
	if err != nil {
		b.Fatal(err)
	}
	s, err := m.Scorer(t, t)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("key", func(b *testing.B) {
		b.ReportAllocs()
		var sink uint64
		for i, k := 0, 0; i < b.N; i, k = i+1, k+1 {
			if k == len(pairs) {
				k = 0
			}
			sink += s.Key(pairs[k][0], pairs[k][1])
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/pair")
		_ = sink
	})
	b.Run("weight", func(b *testing.B) {
		b.ReportAllocs()
		var sink float64
		for i, k := 0, 0; i < b.N; i, k = i+1, k+1 {
			if k == len(pairs) {
				k = 0
			}
			sink += s.Weight(pairs[k][0], pairs[k][1])
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
		_ = sink
	})
}

var benchStudents = 20000
