package benchmarks

import (
	"context"
	"io"
	"testing"

	"github.com/studentlink/studentlink/internal/synth"
)

// BenchmarkGenerate measures the synthetic roll generator: generating the records and
// writing the roll and truth CSVs (to io.Discard), at three sizes.
func BenchmarkGenerate(b *testing.B) {
	for _, n := range []struct {
		name    string
		records int
	}{{"1e4", 10_000}, {"1e5", 100_000}, {"1e6", 1_000_000}} {
		b.Run(n.name, func(b *testing.B) {
			if testing.Short() && n.records > 100_000 {
				b.Skip("1e6 records skipped in -short")
			}
			b.ReportAllocs()
			cfg := synth.DefaultConfig(0)
			cfg.Records = n.records
			for b.Loop() {
				roll, err := synth.Generate(cfg)
				if err != nil {
					b.Fatal(err)
				}
				if err := roll.WriteCSV(io.Discard); err != nil {
					b.Fatal(err)
				}
				if err := roll.WriteTruth(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n.records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkStream measures synth.Stream, which writes as it generates, at 10^6 records.
func BenchmarkStream(b *testing.B) {
	if testing.Short() {
		b.Skip("1e6 records skipped in -short")
	}
	b.ReportAllocs()
	cfg := synth.DefaultConfig(0)
	cfg.Records = 1_000_000
	for b.Loop() {
		if _, err := synth.Stream(context.Background(), cfg, io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cfg.Records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
