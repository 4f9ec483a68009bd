package match

import "testing"

// FuzzWilsonLower: the bound lies in [0, met/n] for every count.
func FuzzWilsonLower(f *testing.F) {
	f.Add(int64(3), int64(53))
	f.Add(int64(0), int64(1))
	f.Add(int64(7), int64(7))
	f.Fuzz(func(t *testing.T, met, n int64) {
		if n <= 0 || met < 0 || met > n {
			return
		}
		got := wilsonLower(met, n)
		if share := float64(met) / float64(n); got < -1e-12 || got > share+1e-12 {
			t.Errorf("wilsonLower(%d, %d) = %g, outside [0, %g]", met, n, got, share)
		}
	})
}
