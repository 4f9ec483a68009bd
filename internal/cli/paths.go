package cli

import (
	"fmt"
	"os"
	"path/filepath"
)

// flagPath is a file a flag names.
type flagPath struct{ flag, path string }

// checkPaths refuses, before anything is read or written, an output file that is one of
// the inputs (it would be overwritten: the roll lost) and two outputs on one file (the
// one written first would be lost). A file that exists is compared with os.SameFile, so
// that a link or another spelling of its path is caught; one that does not yet exist by
// its cleaned absolute path. "-" (stdout) is left to Run, which refuses two outputs on
// it.
func checkPaths(f Flags) error {
	var inputs, outputs []flagPath
	for k, in := range f.In {
		name := "-in"
		if k < len(f.InFlags) && f.InFlags[k] != "" {
			name = f.InFlags[k]
		}
		inputs = append(inputs, flagPath{name, in})
	}
	for _, d := range f.Decisions {
		inputs = append(inputs, flagPath{"-decisions", d})
	}
	inputs = append(inputs, flagPath{"-settings", f.Settings}, flagPath{"-ids", f.IDs}, flagPath{"-truth-file", f.TruthFile})
	if f.Model != "" {
		if _, err := os.Stat(f.Model); err == nil {
			inputs = append(inputs, flagPath{"-model", f.Model}) // loaded
		} else {
			outputs = append(outputs, flagPath{"-model", f.Model}) // saved
		}
	}
	outputs = append(outputs,
		flagPath{"-out", f.Out}, flagPath{"-review", f.Review}, flagPath{"-problems", f.Problems},
		flagPath{"-pairs", f.Pairs}, flagPath{"-id-changes", f.IDChanges}, flagPath{"-report", f.Report},
		flagPath{"-skip-bad-rows", f.SkipBadRows})
	for i, out := range outputs {
		if out.path == "" || out.path == "-" {
			continue
		}
		for _, in := range inputs {
			if in.path == "" || in.path == "-" {
				continue
			}
			if same, err := samePath(out.path, in.path); err != nil {
				return err
			} else if same {
				return fmt.Errorf("%s %s names the %s file %s: writing it would destroy the input; name another file for %s",
					out.flag, out.path, in.flag, in.path, out.flag)
			}
		}
		for _, other := range outputs[:i] {
			if other.path == "" || other.path == "-" {
				continue
			}
			if same, err := samePath(out.path, other.path); err != nil {
				return err
			} else if same {
				return fmt.Errorf("%s and %s both write to %s: one would overwrite the other; name another file for one", other.flag, out.flag, out.path)
			}
		}
	}
	return nil
}

// samePath reports whether two paths name one file: os.SameFile where both exist, else
// their cleaned absolute paths are equal.
func samePath(a, b string) (bool, error) {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb), nil
	}
	absA, err := filepath.Abs(a)
	if err != nil {
		return false, err
	}
	absB, err := filepath.Abs(b)
	if err != nil {
		return false, err
	}
	return absA == absB, nil
}
