package cli

import (
	"errors"
	"path/filepath"
	"testing"
)

// failing is a stdout whose every write fails.
type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// A run whose summary, -print-settings JSON or -out - cannot be written to stdout fails
// with write /dev/stdout and the cause; before, the summary's write error was dropped.
func TestRunFailsOnStdoutWriteError(t *testing.T) {
	dir := t.TempDir()
	roll := filepath.Join(dir, "roll.csv")
	writeText(t, roll, smallRoll)
	for _, tt := range []struct {
		name string
		f    Flags
		want string
	}{
		{"summary", Flags{In: []string{roll}}, "write /dev/stdout: no space left on device"},
		{"print-settings", Flags{PrintSettings: true}, "write /dev/stdout: no space left on device"},
		{"out -", Flags{In: []string{roll}, Out: "-"}, "-out: write /dev/stdout: no space left on device"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			f.Quiet = true
			err := Run(t.Context(), f, failing{}, &discard{})
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
