package match

import (
	"testing"

	"github.com/studentlink/studentlink/normalize"
)

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

// FuzzRespelled: respelled is symmetric, holds for a name and itself, and never for names
// of different first letters.
func FuzzRespelled(f *testing.F) {
	f.Add("Ahmed", "Ahmad")
	f.Add("Mason", "Jason")
	f.Add("", "Ann")
	f.Fuzz(func(t *testing.T, a, b string) {
		x, y := normalize.NewNamePart(a, nil), normalize.NewNamePart(b, nil)
		if respelled(&x, &y) != respelled(&y, &x) {
			t.Errorf("respelled(%q, %q) is not symmetric", a, b)
		}
		if !x.Empty() && !respelled(&x, &x) {
			t.Errorf("respelled(%q, itself) = false", a)
		}
		if respelled(&x, &y) && x.Key[0] != y.Key[0] {
			t.Errorf("respelled(%q, %q) with different first letters", a, b)
		}
	})
}
