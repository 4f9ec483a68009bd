package main

import (
	"bytes"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	studentlink "github.com/studentlink/studentlink"
)

// With the embedded subset (no ../shared/datasets beside the working folder), "all" and
// -list mean the sets it holds, which are Fast; before, "all" named sets the subset does
// not hold and each failed (datasets: open splink/fake_20000.csv: file does not exist).
// The subset holds Fast, fake_1000-email, which reads fake_1000's file, and the generated
// synth-dense-20000.
func TestEmbeddedSubsetIsAll(t *testing.T) {
	sub, err := fs.Sub(studentlink.Testdata, "testdata")
	if err != nil {
		t.Fatal(err)
	}
	got, err := pick("all", held(sub))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(embeddedSets(), got); diff != "" {
		t.Errorf("all, embedded (-want +got):\n%s", diff)
	}
}

// The flags run against the embedded subset (t.Chdir to a folder with no
// ../shared/datasets) or a -data folder that does not exist; none of these runs a set.
func TestEvaluateFlags(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, tt := range []struct {
		name       string
		args       []string
		code       int
		stdout     string // whole; "" for none
		stderrHas  []string
		stderrLack string
	}{
		{"list, embedded", []string{"-list"}, 0, strings.Join(embeddedSets(), "\n") + "\n",
			[]string{"evaluate: using the embedded subset: 18 sets; -data DIR for all"}, ""},
		{"data folder missing", []string{"-data", "/nonexistent", "-list"}, 1, "",
			[]string{"evaluate: -data /nonexistent: no such file or directory"}, ""},
		{"data folder missing, sets run", []string{"-data", "/nonexistent", "-sets", "febrl1"}, 1, "",
			[]string{"evaluate: -data /nonexistent: no such file or directory"}, "febrl1"},
		{"unknown preset", []string{"-preset", "nope"}, 1, "",
			[]string{`evaluate: -preset: unknown preset "nope"`}, "datasets:"},
		{"set not embedded", []string{"-sets", "fake_20000"}, 1, "",
			[]string{`-sets: set "fake_20000" is not in the embedded subset`}, "datasets:"},
		{"one unknown set", []string{"-one", "bogus"}, 1, "",
			[]string{`evaluate: datasets: unknown set "bogus"`}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, stderr.String())
			}
			if tt.stdout != "" || tt.code == 0 {
				if diff := cmp.Diff(tt.stdout, stdout.String()); diff != "" {
					t.Errorf("stdout (-want +got):\n%s", diff)
				}
			}
			for _, want := range tt.stderrHas {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
			if tt.stderrLack != "" && strings.Contains(stderr.String(), tt.stderrLack) {
				t.Errorf("stderr has %q:\n%s", tt.stderrLack, stderr.String())
			}
		})
	}
}

// embeddedSets are the sets the embedded subset holds, sorted as -list sorts them.
func embeddedSets() []string {
	// fake_1000-email reads fake_1000's file; synth-dense-20000 is generated, held anywhere.
	sets := append(slices.Clone(Fast), "fake_1000-email", "synth-dense-20000")
	slices.Sort(sets)
	return sets
}
