package benchmarks

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/studentlink/studentlink/internal/synth"
	"github.com/studentlink/studentlink/match"
	"github.com/studentlink/studentlink/normalize"
)

// indexQuery is a held-out record to place and what a right placement is.
type indexQuery struct {
	rec normalize.Record
	// students are the student IDs the run gave the other records of the query's true
	// student; empty for a student not in the index, whose right placement is new or
	// review.
	students map[string]bool
}

// BenchmarkIndexQuery places held-out records one at a time in a match.Index built from
// a linked synthetic roll of 10^5 and (when asked for, see bench1MEnv) 10^6 records: one
// submission held out of each of 1,000 students with several records, and every record
// of about 1,000 students held out entirely. Building the roll, the run and the index are
// outside the timer. It reports the median and 99th-percentile latency of Query (limit
// 10) in µs, the share of held-out submissions placed as a match with their student
// (match-share) and the share of new students' records placed new or for review
// (new-share).
func BenchmarkIndexQuery(b *testing.B) {
	for _, size := range benchSizes[1:] {
		b.Run(size.name, func(b *testing.B) {
			skipLarge(b, size.name, size.records)
			x, queries, indexed := heldOutIndex(b, size.records, 1000, 1000)
			b.ReportAllocs()
			lat := make([]time.Duration, 0, 1<<16)
			var matched, again, fresh, newOrReview int
			k := 0
			for b.Loop() {
				q := &queries[k%len(queries)]
				k++
				start := time.Now()
				pl, err := x.Query(q.rec, 10)
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				if len(q.students) > 0 {
					again++
					if pl.Outcome == match.OutcomeMatch && q.students[pl.StudentID] {
						matched++
					}
				} else {
					fresh++
					if pl.Outcome != match.OutcomeMatch {
						newOrReview++
					}
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "median-µs")
			b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Nanoseconds())/1e3, "p99-µs")
			b.ReportMetric(float64(indexed), "indexed")
			if again > 0 {
				b.ReportMetric(float64(matched)/float64(again), "match-share")
			}
			if fresh > 0 {
				b.ReportMetric(float64(newOrReview)/float64(fresh), "new-share")
			}
		})
	}
}

// heldOutIndex generates records synthetic records, holds out one submission of each of
// the first again students with several records and every record of students with one
// record until fresh records are held, links the rest with the student preset and
// returns an index of them with the held-out records as queries, interleaved.
func heldOutIndex(b *testing.B, records, again, fresh int) (*match.Index, []indexQuery, int) {
	b.Helper()
	gen := studentRoll(b, records)
	byStudent := map[int32][]int{}
	for i := range gen.Records {
		s := gen.Records[i].Student
		byStudent[s] = append(byStudent[s], i)
	}
	held := make([]bool, len(gen.Records))
	var againRecs, freshRecs []int
	// Walk students in order so that the choice does not depend on map order.
	for s := int32(0); s < int32(gen.Students) && (len(againRecs) < again || len(freshRecs) < fresh); s++ {
		rs := byStudent[s]
		switch {
		case len(rs) >= 2 && len(againRecs) < again:
			againRecs = append(againRecs, rs[len(rs)-1])
			held[rs[len(rs)-1]] = true
		case len(rs) == 1 && len(freshRecs) < fresh:
			freshRecs = append(freshRecs, rs[0])
			held[rs[0]] = true
		}
	}
	var kept []synth.Record
	for i := range gen.Records {
		if !held[i] {
			kept = append(kept, gen.Records[i])
		}
	}
	roll := matchRoll(b, kept)
	l, err := match.New(match.StudentSettings())
	if err != nil {
		b.Fatal(err)
	}
	res, err := l.Run(context.Background(), roll, match.RunOptions{})
	if err != nil {
		b.Fatal(err)
	}
	runIDs := map[int32]map[string]bool{}
	for i := range kept {
		s := kept[i].Student
		if runIDs[s] == nil {
			runIDs[s] = map[string]bool{}
		}
		runIDs[s][res.StudentIDs[res.Label[i]]] = true
	}
	x, err := l.NewIndex(res)
	if err != nil {
		b.Fatal(err)
	}
	heldRoll := matchRoll(b, append(recordsAt(gen.Records, againRecs), recordsAt(gen.Records, freshRecs)...))
	var queries []indexQuery
	for k := range max(len(againRecs), len(freshRecs)) {
		if k < len(againRecs) {
			queries = append(queries, indexQuery{rec: heldRoll.Record(k), students: runIDs[gen.Records[againRecs[k]].Student]})
		}
		if k < len(freshRecs) {
			queries = append(queries, indexQuery{rec: heldRoll.Record(len(againRecs) + k)})
		}
	}
	return x, queries, roll.Len()
}

func recordsAt(recs []synth.Record, at []int) []synth.Record {
	out := make([]synth.Record, len(at))
	for k, i := range at {
		out[k] = recs[i]
	}
	return out
}
