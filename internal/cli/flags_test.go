package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// Flags no run can use are refused, and a -truth column the roll lacks is found before
// the link, not after it: -workers -3 ran, -truth-regexp without -truth was ignored, a
// -truth-regexp matching no value made every record its own student (0 true pairs).
func TestTruthAndWorkerFlags(t *testing.T) {
	dir := t.TempDir()
	roll := filepath.Join(dir, "roll.csv")
	writeText(t, roll, smallRoll)
	for _, tt := range []struct {
		name string
		f    Flags
		want string // in the error; "" runs
	}{
		{"workers negative", Flags{Workers: -3}, "-workers -3: want 0 (all cores) or a positive number"},
		{"workers zero", Flags{Workers: 0}, ""},
		{"truth-regexp alone", Flags{TruthRe: "^(R)"}, `-truth-regexp "^(R)" needs -truth`},
		{"truth-regexp broken", Flags{Truth: "record_id", TruthRe: "("}, "-truth-regexp: error parsing regexp"},
		{"truth-regexp matches nothing", Flags{Truth: "record_id", TruthRe: `X(\d+)`}, `-truth-regexp "X(\\d+)" matches no value of the -truth column "record_id" (the first: "R1")`},
		{"truth-regexp matches", Flags{Truth: "record_id", TruthRe: `^(R)`}, ""},
		{"truth column missing", Flags{Truth: "nope"}, `-truth nope: DIR/roll.csv has no column "nope"`},
		{"truth column", Flags{Truth: "last_name"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			f.In = []string{roll}
			summary, err := runSummary(t, dir, f)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ran; want %q", tt.want)
			}
			if got := strings.ReplaceAll(err.Error(), dir, "DIR"); !strings.Contains(got, tt.want) {
				t.Errorf("error %q, want %q", got, tt.want)
			}
			if summary != "" {
				t.Errorf("a summary was written:\n%s", summary)
			}
		})
	}
}
