package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// FlagPath is a file a flag names: an input read or an output written.
type FlagPath struct{ Flag, Path string }

// stdoutNames are the paths that name standard output on Linux and the BSDs.
var stdoutNames = []string{"/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"}

// IsStdout reports whether path names standard output: "-", /dev/stdout, /dev/fd/1,
// /proc/self/fd/1, or, when stdout is a file (os.File), a path to that very file
// (os.SameFile): the file a shell redirected stdout to. os.DevNull is never stdout:
// writing there twice loses nothing.
func IsStdout(path string, stdout io.Writer) bool {
	switch {
	case path == "-":
		return true
	case path == "" || path == os.DevNull:
		return false
	}
	for _, name := range stdoutNames {
		if filepath.Clean(path) == name {
			return true
		}
	}
	f, ok := stdout.(*os.File)
	if !ok {
		return false
	}
	so, err := f.Stat()
	if err != nil {
		return false
	}
	st, err := os.Stat(path)
	return err == nil && os.SameFile(so, st) && !sameFileAsDevNull(st)
}

// sameFileAsDevNull reports whether st is os.DevNull.
func sameFileAsDevNull(st os.FileInfo) bool {
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(st, null)
}

// checkPaths checks the files the flags name (CheckPaths); stdout is the writer "-"
// writes to.
func checkPaths(f Flags, stdout io.Writer) error {
	var inputs, outputs []FlagPath
	for k, in := range f.In {
		name := "-in"
		if k < len(f.InFlags) && f.InFlags[k] != "" {
			name = f.InFlags[k]
		}
		inputs = append(inputs, FlagPath{name, in})
	}
	for _, d := range f.Decisions {
		inputs = append(inputs, FlagPath{"-decisions", d})
	}
	inputs = append(inputs, FlagPath{"-settings", f.Settings}, FlagPath{"-ids", f.IDs}, FlagPath{"-truth-file", f.TruthFile})
	if f.Model != "" {
		if _, err := os.Stat(f.Model); err == nil {
			inputs = append(inputs, FlagPath{"-model", f.Model}) // loaded
		} else {
			outputs = append(outputs, FlagPath{"-model", f.Model}) // saved
		}
	}
	outputs = append(outputs,
		FlagPath{"-out", f.Out}, FlagPath{"-review", f.Review}, FlagPath{"-problems", f.Problems},
		FlagPath{"-pairs", f.Pairs}, FlagPath{"-id-changes", f.IDChanges}, FlagPath{"-report", f.Report},
		FlagPath{"-skip-bad-rows", f.SkipBadRows})
	return CheckPaths(inputs, outputs, stdout)
}

// CheckPaths refuses, before anything is read or written, an output file that is one of
// the inputs (it would be overwritten: the input lost), two outputs on one file (the one
// written first would be lost), two outputs on standard output in any of its spellings
// (IsStdout: -, /dev/stdout, the file stdout was redirected to), and an output in a
// folder that does not exist or cannot be written to. A file that exists is compared with
// os.SameFile, so that a link or another spelling of its path is caught; one that does
// not yet exist by its cleaned absolute path. Empty paths are skipped; stdout is the
// writer "-" writes to. dedupe, link and synth share it.
func CheckPaths(inputs, outputs []FlagPath, stdout io.Writer) error {
	toStdout := ""
	for i, out := range outputs {
		if out.Path == "" {
			continue
		}
		if IsStdout(out.Path, stdout) {
			if toStdout != "" {
				return fmt.Errorf("%s and %s %s both write to stdout: name a file for one", toStdout, out.Flag, out.Path)
			}
			toStdout = out.Flag + " " + out.Path
			continue
		}
		if out.Path == os.DevNull {
			continue
		}
		for _, in := range inputs {
			if in.Path == "" || in.Path == "-" {
				continue
			}
			if same, err := samePath(out.Path, in.Path); err != nil {
				return err
			} else if same {
				return fmt.Errorf("%s %s names the %s file %s: writing it would destroy the input; name another file for %s",
					out.Flag, out.Path, in.Flag, in.Path, out.Flag)
			}
		}
		for _, other := range outputs[:i] {
			if other.Path == "" || other.Path == os.DevNull || IsStdout(other.Path, stdout) {
				continue
			}
			if same, err := samePath(out.Path, other.Path); err != nil {
				return err
			} else if same {
				return fmt.Errorf("%s and %s both write to %s: one would overwrite the other; name another file for one", other.Flag, out.Flag, out.Path)
			}
		}
		if err := writableFolder(out.Path); err != nil {
			return fmt.Errorf("%s %s: %w", out.Flag, out.Path, err)
		}
	}
	return nil
}

// writableFolder reports why a file cannot be made at path: its folder missing, not a
// folder, or not writable. A file that exists and can be opened for writing passes.
func writableFolder(path string) error {
	if st, err := os.Stat(path); err == nil {
		if st.IsDir() {
			return fmt.Errorf("is a folder, not a file")
		}
		return nil // an existing file: creating it reports a permission problem itself
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("folder %s does not exist: make it first, or name a file in a folder that does", dir)
	case !st.IsDir():
		return fmt.Errorf("%s is not a folder", dir)
	}
	probe, err := os.CreateTemp(dir, ".studentlink-write-check-*")
	if err != nil {
		return fmt.Errorf("folder %s cannot be written to: %w", dir, err)
	}
	name := probe.Name()
	probe.Close()
	return os.Remove(name)
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
