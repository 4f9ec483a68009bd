package normalize

import (
	"strings"
	"testing"
)

func TestStandardAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"123 North Main Street, Apt. #4", "123 north main street 4"},
		{"123 N Main St #4", "123 north main street 4"},
		{"123 N. MAIN ST., UNIT 4", "123 north main street 4"},
		{"45 First Avenue", "45 1st avenue"},
		{"45 1st Av", "45 1st avenue"},
		{"9 Wallaby Place", "9 wallaby place"},
		{"700 E 400 S", "700 east 400 south"},
		{"835 Highland Dr", "835 highland drive"},
		{"Suite", "suite"},
		{"Apt 4", "4"},
		{"St", "street"},
		{"", ""},
		{"  ", ""},
	}
	for _, tc := range tests {
		if got := StandardAddress(tc.in); got != tc.want {
			t.Errorf("StandardAddress(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzStandardAddress: the result is folded, standard already (a second pass changes
// nothing), empty only for input that folds to nothing, and never a panic.
func FuzzStandardAddress(f *testing.F) {
	for _, s := range []string{"123 North Main Street, Apt. #4", "Suite", "apt apt", "Ünit 5 Straße", "\xff no"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := StandardAddress(s)
		if again := StandardAddress(got); again != got {
			t.Errorf("StandardAddress(%q) = %q, again %q", s, got, again)
		}
		if Fold(got) != got {
			t.Errorf("StandardAddress(%q) = %q, not folded", s, got)
		}
		if (got == "") != (Fold(s) == "") {
			t.Errorf("StandardAddress(%q) = %q, Fold gives %q", s, got, Fold(s))
		}
		if strings.Contains(got, "  ") {
			t.Errorf("StandardAddress(%q) = %q has a double space", s, got)
		}
	})
}
