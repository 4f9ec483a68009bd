package benchmarks

import (
	"bytes"
	"context"
	"flag"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/studentlink/studentlink/internal/synth"
	"github.com/studentlink/studentlink/match"
)

// The 10^6-record sizes of BenchmarkDedupe and BenchmarkIndexQuery take minutes and
// several GB, so they run only when asked for: with STUDENTLINK_BENCH_1M=1 in the
// environment, or with a -bench pattern that names the size, such as
// -bench 'BenchmarkDedupe/1e6'.
const bench1MEnv = "STUDENTLINK_BENCH_1M"

// benchSizes are the sub-benchmarks of the end-to-end benchmarks.
var benchSizes = []struct {
	name    string
	records int
}{{"1e4", 10_000}, {"1e5", 100_000}, {"1e6", 1_000_000}}

// skipLarge skips a sub-benchmark of 10^6 records or more unless it was asked for.
func skipLarge(b *testing.B, name string, records int) {
	b.Helper()
	if records < 1_000_000 {
		return
	}
	if os.Getenv(bench1MEnv) == "1" {
		return
	}
	if f := flag.Lookup("test.bench"); f != nil && strings.Contains(f.Value.String(), name) {
		return
	}
	b.Skipf("%s records: set %s=1 or name %s in -bench to run", name, bench1MEnv, name)
}

// studentRoll generates a seeded synthetic roll of exactly records records.
func studentRoll(b testing.TB, records int) *synth.Roll {
	b.Helper()
	cfg := synth.DefaultConfig(0)
	cfg.Records = records
	roll, err := synth.Generate(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return roll
}

// matchRoll reads synthetic records into a roll for the student preset through the
// student CSV, as examples/dedupe reads a file.
func matchRoll(b testing.TB, recs []synth.Record) *match.Roll {
	b.Helper()
	var buf bytes.Buffer
	if err := (&synth.Roll{Records: recs}).WriteCSV(&buf); err != nil {
		b.Fatal(err)
	}
	roll, err := match.StudentSettings().NewRoll()
	if err != nil {
		b.Fatal(err)
	}
	if err := roll.ReadCSV("synth.csv", &buf); err != nil {
		b.Fatal(err)
	}
	return roll
}

// memPeak samples the Go heap while a benchmark runs (runtime/metrics, which does not
// stop the world) and keeps the largest values seen.
type memPeak struct {
	stop chan struct{}
	done sync.WaitGroup
	// heap is the most bytes in live and not yet swept heap objects (MemStats.HeapAlloc);
	// total the most bytes mapped by the runtime (MemStats.Sys).
	heap, total uint64
}

func startMemPeak(every time.Duration) *memPeak {
	m := &memPeak{stop: make(chan struct{})}
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/total:bytes"}}
	read := func() {
		metrics.Read(samples)
		m.heap = max(m.heap, samples[0].Value.Uint64())
		m.total = max(m.total, samples[1].Value.Uint64())
	}
	m.done.Add(1)
	go func() {
		defer m.done.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			read()
			select {
			case <-m.stop:
				read()
				return
			case <-t.C:
			}
		}
	}()
	return m
}

// Stop ends sampling and reports the peaks in MB.
func (m *memPeak) Stop(b *testing.B) {
	close(m.stop)
	m.done.Wait()
	b.ReportMetric(float64(m.heap)/1e6, "peak-heap-MB")
	b.ReportMetric(float64(m.total)/1e6, "peak-sys-MB")
}

// BenchmarkDedupe runs the whole dedupe of examples/dedupe on a synthetic roll of 10^4,
// 10^5 and (when asked for, see bench1MEnv) 10^6 records: match.New with the student
// preset, then Run, which prepares every record, trains the model by EM, scores every
// candidate pair, clusters and assigns student IDs. Generating the roll and reading it
// from CSV are outside the timer. It reports candidate pairs, pairs/s, records/s, the
// CPU seconds a run used on every core, pairwise precision, recall and F1 against the
// synthetic truth, and the peak heap.
func BenchmarkDedupe(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			skipLarge(b, size.name, size.records)
			gen := studentRoll(b, size.records)
			truth := gen.Truth()
			students := gen.Students
			roll := matchRoll(b, gen.Records)
			gen = nil
			runtime.GC()
			b.ReportAllocs()
			peak := startMemPeak(20 * time.Millisecond)
			cpu := processCPU()
			var res *match.Result
			for b.Loop() {
				l, err := match.New(match.StudentSettings())
				if err != nil {
					b.Fatal(err)
				}
				res = nil // let the previous iteration's result go before this one runs
				if res, err = l.Run(context.Background(), roll, match.RunOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			cpu = processCPU() - cpu
			peak.Stop(b)
			ev, err := match.Evaluate(res.Label, truth, nil)
			if err != nil {
				b.Fatal(err)
			}
			perOp := b.Elapsed().Seconds() / float64(b.N)
			// CPU time varies less than wall time where other jobs share the machine's
			// cores: compare runs by both (0 where processCPU is not measured).
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(roll.Len())/perOp, "records/s")
			b.ReportMetric(float64(res.CandidatePairs), "pairs")
			b.ReportMetric(float64(res.CandidatePairs)/perOp, "pairs/s")
			b.ReportMetric(float64(students), "true-students")
			b.ReportMetric(float64(len(res.StudentIDs)), "students")
			b.ReportMetric(ev.Precision, "precision")
			b.ReportMetric(ev.Recall, "recall")
			b.ReportMetric(ev.F1, "F1")
		})
	}
}
