package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An output file that is an input, by the same path, another spelling of it or a link to
// it, and two outputs on one file, are refused before anything is read or written: the
// input is left as it was and no output is made.
func TestOutputPathClashesRefused(t *testing.T) {
	dir := t.TempDir()
	roll := filepath.Join(dir, "roll.csv")
	const rollText = "record_id,first_name,last_name,birth_date\n1,Ann,Lee,2010-01-02\n2,Ann,Lee,2010-01-02\n"
	writeText(t, roll, rollText)
	model := filepath.Join(dir, "model.json")
	writeText(t, model, "{}")
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink(roll, link); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.csv")
	tests := []struct {
		name string
		f    Flags
		want string
	}{
		{"out is the input", Flags{In: []string{roll}, Out: roll}, "-out " + roll + " names the -in file " + roll},
		{"another spelling", Flags{In: []string{roll}, Report: filepath.Join(dir, "x", "..", "roll.csv")}, "-report " + filepath.Join(dir, "x", "..", "roll.csv") + " names the -in file"},
		{"a link to the input", Flags{In: []string{link}, Review: roll}, "-review " + roll + " names the -in file " + link},
		{"link's -b", Flags{In: []string{other, roll}, InFlags: []string{"-a", "-b"}, Pairs: roll}, "-pairs " + roll + " names the -b file " + roll},
		{"rejects on the input", Flags{In: []string{roll}, SkipBadRows: roll}, "-skip-bad-rows " + roll + " names the -in file"},
		{"id changes on the ids", Flags{In: []string{roll}, IDs: roll, IDChanges: roll}, "-id-changes " + roll + " names the -in file"},
		{"out on a loaded model", Flags{In: []string{other}, Model: model, Out: model}, "-out " + model + " names the -model file"},
		{"a model to save on the input", Flags{In: []string{roll}, Model: roll}, ""}, // the model exists: loaded, not written
		{"two outputs", Flags{In: []string{roll}, SkipBadRows: other, Out: other}, "-out and -skip-bad-rows both write to " + other},
		{"two outputs, model saved", Flags{In: []string{roll}, Model: other, Problems: other}, "-model and -problems both write to " + other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkPaths(tt.f, &bytes.Buffer{})
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
	// Through Run: refused with the input untouched and nothing written.
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), Flags{In: []string{roll}, Out: roll, Quiet: true}, &stdout, &stderr)
	if err == nil {
		t.Fatal("Run wrote its clusters over the roll")
	}
	if b, _ := os.ReadFile(roll); string(b) != rollText {
		t.Errorf("the roll was changed:\n%s", b)
	}
	if _, err := os.Stat(other); err == nil {
		t.Errorf("%s was written", other)
	}
}

// Standard output in any spelling (-, /dev/stdout, /dev/fd/1, /proc/self/fd/1, the file
// a shell redirected stdout to) counts as one file: two outputs on it are refused, as is
// an output in a folder that does not exist; /dev/null takes any number.
func TestStdoutSpellingsAndFolders(t *testing.T) {
	dir := t.TempDir()
	roll := filepath.Join(dir, "roll.csv")
	writeText(t, roll, "record_id,first_name,last_name,birth_date\n1,Ann,Lee,2010-01-02\n")
	redirected, err := os.Create(filepath.Join(dir, "f.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer redirected.Close()
	tests := []struct {
		name   string
		f      Flags
		stdout io.Writer
		want   string // in the error; "" passes
	}{
		{"- and /dev/stdout", Flags{Out: "-", Pairs: "/dev/stdout"}, &bytes.Buffer{}, "-out - and -pairs /dev/stdout both write to stdout"},
		{"/dev/fd/1 and /proc/self/fd/1", Flags{Review: "/dev/fd/1", Report: "/proc/self/fd/1"}, &bytes.Buffer{}, "-review /dev/fd/1 and -report /proc/self/fd/1 both write to stdout"},
		{"the file stdout goes to", Flags{Out: "-", Pairs: redirected.Name()}, redirected, "-out - and -pairs " + redirected.Name() + " both write to stdout"},
		{"that file alone", Flags{Pairs: redirected.Name()}, redirected, ""},
		{"/dev/null twice", Flags{Out: os.DevNull, Pairs: os.DevNull, Review: "-"}, &bytes.Buffer{}, ""},
		{"no such folder", Flags{Out: filepath.Join(dir, "nodir", "out.csv")}, &bytes.Buffer{}, "-out " + filepath.Join(dir, "nodir", "out.csv") + ": folder " + filepath.Join(dir, "nodir") + " does not exist"},
		{"a folder", Flags{Out: dir}, &bytes.Buffer{}, "is a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			f.In = []string{roll}
			err := checkPaths(f, tt.stdout)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
	// Through Run: -pairs /dev/stdout alone is written to stdout, and the summary goes
	// to stderr.
	var stdout, stderr bytes.Buffer
	if err := Run(context.Background(), Flags{In: []string{roll}, Pairs: "/dev/stdout", Quiet: true}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stdout.String(), "students:") || !strings.Contains(stderr.String(), "students:") {
		t.Errorf("the summary went to stdout beside the pairs:\nstdout %s\nstderr %s", stdout.String(), stderr.String())
	}
}
