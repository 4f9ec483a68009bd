package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// Stdout wraps a program's standard output and keeps its first write error, so that a
// program whose output could not be written (stdout on a full disk, a closed pipe) exits
// 1 saying so instead of 0: the programs write with fmt.Fprint*, which drop the error.
type Stdout struct {
	w   io.Writer
	err error
}

// NewStdout wraps w, the program's standard output.
func NewStdout(w io.Writer) *Stdout { return &Stdout{w: w} }

// Write writes to stdout; after a failed write it writes nothing more and fails again.
func (s *Stdout) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	if err != nil {
		s.err = err
	}
	return n, err
}

// Err returns the first write error, as "write /dev/stdout: …", or nil.
func (s *Stdout) Err() error {
	if s.err == nil {
		return nil
	}
	var pe *fs.PathError
	if errors.As(s.err, &pe) && pe.Op == "write" {
		return s.err // os.Stdout's own: write /dev/stdout: no space left on device
	}
	return fmt.Errorf("write /dev/stdout: %w", s.err)
}
