package benchmarks

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/studentlink/studentlink/block"
)

// BenchmarkBlock generates the candidate pairs of the student rules on a synthetic roll
// of about 100,000 records, streaming them to a counting callback on all cores.
func BenchmarkBlock(b *testing.B) {
	t, _ := syntheticTable(b, 68000, 2) // ≈100,000 records
	rules := block.StudentRules()
	b.ReportAllocs()
	b.ResetTimer()
	var pairs int64
	for i := 0; i < b.N; i++ {
		var n atomic.Int64
		_, err := block.Pairs(context.Background(), t, rules, block.Options{Mode: block.Dedupe, MaxBlock: 5000},
			func(_ int, batch []block.Pair) error {
				n.Add(int64(len(batch)))
				return nil
			})
		if err != nil {
			b.Fatal(err)
		}
		pairs = n.Load()
	}
	b.ReportMetric(float64(t.Len()), "records")
	b.ReportMetric(float64(pairs), "candidates")
	b.ReportMetric(float64(pairs)*float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}
