package cli

import (
	"flag"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A reviewer's verdict naming a record the roll does not hold is not honoured, and the
// summary says so verdict by verdict, with its file and line, beside the count of those
// honoured.
func TestVerdictOnAMissingRecordIsNamed(t *testing.T) {
	dir := t.TempDir()
	roll := filepath.Join(dir, "roll.csv")
	writeText(t, roll, smallRoll)
	decisions := filepath.Join(dir, "review.csv")
	writeText(t, decisions, "record_a,source_a,record_b,source_b,verdict,by,at\n"+
		"R1,roll.csv,R9,roll.csv,same,ann,2026-01-01\n"+
		"R1,roll.csv,R3,roll.csv,different,ann,2026-01-01\n")
	summary, err := runSummary(t, dir, Flags{In: []string{roll}, Decisions: []string{decisions}})
	if err != nil {
		t.Fatal(err)
	}
	got := section(summary, "decisions:", "dropped:")
	want := "decisions:      1 reviewer verdict(s) honoured\n" +
		"  not honoured: DIR/review.csv:2 (R1, R9): record \"R9\" is not in source DIR/roll.csv: skipped\n"
	if got != want {
		t.Errorf("summary's decisions:\n%s\nwant:\n%s", got, want)
	}
	if strings.Count(summary, "not honoured") != 1 {
		t.Errorf("summary:\n%s", summary)
	}
}

// The -decisions help names the at column's forms exactly as the parser
// (match.ReadDecisions, the one a run reads decisions with) takes them: each date or time
// it names as taken is taken, the one it names as refused is refused. The help named none,
// the parser's error offered 5/1/2024 (month first), which the parser refuses as either.
// Forms the help describes by rule (a spreadsheet's date with a time) are held here too;
// a refused one stops the run naming the file, the line and the at column.
func TestDecidedAtHelp(t *testing.T) {
	dir := t.TempDir()
	roll := filepath.Join(dir, "roll.csv")
	writeText(t, roll, smallRoll)
	forms := []struct {
		at    string
		taken bool
	}{
		{"", true},
		{"2024-05-01", true},
		{"2024-05-01 14:30", true},
		{"2024-05-01 14:30:05", true},
		{"2024-05-01T14:30", true},
		{"2024-05-01T14:30:05", true},
		{"2024-05-01T14:30:05Z", true},
		{"2024-05-01T14:30:05+02:00", true},
		{"5/13/2024", true},
		{"13/5/2024", true},
		{"05/13/2024", true},
		{"5/5/2024", true}, // the same either way
		{"5/13/2024 14:30", true},
		{"13/5/2024 14:30:05", true},
		{"5/13/2024 2:30 PM", true},
		{"13/5/2024 2:30:05 PM", true},
		{"5/1/2024", false}, // month or day first
		{"5/1/2024 14:30", false},
		{"2024-05-01 2:30 PM", false},
		{"2024-05-01 14:30:05Z", false}, // a zone needs the T
		{"2024-05-01T14:30Z", false},    // and the seconds
		{"2024/05/01", false},
		{"5/13/24", false},
		{"1 May 2024", false},
	}
	taken := map[string]bool{}
	for k, tt := range forms {
		taken[tt.at] = tt.taken
		t.Run(fmt.Sprintf("%q", tt.at), func(t *testing.T) {
			decisions := filepath.Join(dir, fmt.Sprintf("review%d.csv", k))
			writeText(t, decisions, "record_a,record_b,verdict,by,at\n"+
				"R1,R3,different,ann,"+tt.at+"\n")
			_, err := runSummary(t, dir, Flags{In: []string{roll}, Decisions: []string{decisions}})
			switch {
			case tt.taken && err != nil:
				t.Errorf("refused: %v", err)
			case !tt.taken && err == nil:
				t.Errorf("taken")
			case !tt.taken:
				got := strings.ReplaceAll(err.Error(), dir, "DIR")
				if !strings.HasPrefix(got, "-decisions: ") {
					t.Errorf("error %q does not start with the flag that read the file", err)
				}
				if want := fmt.Sprintf("DIR/review%d.csv:2: at: %q", k, tt.at); !strings.Contains(got, want) {
					t.Errorf("error %q does not name %s", err, want)
				}
			}
		})
	}
	fs := flag.NewFlagSet("dedupe", flag.ContinueOnError)
	new(Flags).Register(fs)
	help := fs.Lookup("decisions").Usage
	accepted, refused, _ := strings.Cut(help, "refused")
	date := regexp.MustCompile(`\d{1,4}[-/]\d{1,2}[-/]\d{2,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?: [AP]M)?(?:Z|[+-]\d{2}:\d{2})?)?`)
	var named []string
	for part, text := range map[bool]string{true: accepted, false: refused} {
		for _, at := range date.FindAllString(text, -1) {
			named = append(named, at)
			if is, ok := taken[at]; !ok {
				t.Errorf("the help names %q, which this test does not hold to the parser", at)
			} else if is != part {
				t.Errorf("the help says %q is taken %v, the parser %v", at, part, is)
			}
		}
	}
	slices.Sort(named)
	want := []string{"13/5/2024", "2024-05-01", "2024-05-01 14:30", "2024-05-01 14:30:05", "2024-05-01T14:30", "2024-05-01T14:30:05Z", "5/1/2024", "5/13/2024"}
	if diff := cmp.Diff(want, named); diff != "" {
		t.Errorf("forms the -decisions help names (-want +got):\n%s\nhelp: %s", diff, help)
	}
	for _, clock := range []string{"14:30, 14:30:05, 2:30 PM or 2:30:05 PM", "blank"} {
		if !strings.Contains(help, clock) {
			t.Errorf("the help does not say %q: %s", clock, help)
		}
	}
}
