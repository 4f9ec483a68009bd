package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Caps on the files a flag names that the programs read whole: generous, but a path
// that never ends (/dev/zero) or a file far larger than any model or ID list stops the
// run with an error instead of the kernel's OOM killer.
const (
	modelCap int64 = 256 << 20 // -model
	listCap  int64 = 2 << 30   // -ids, -decisions, -truth-file
)

// openInput opens the file flag names for reading. It refuses anything that is not a
// regular file (a device such as /dev/full, a FIFO, a folder) without opening it, and the
// reader it returns fails once more than limit bytes are read, as does a file larger than
// limit at once. Errors name the flag and the file; a file that does not exist returns an
// error that is os.ErrNotExist.
func openInput(flag, path string, limit int64) (io.ReadCloser, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, path, pathErr(err))
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s %s: not a regular file", flag, path)
	}
	if st.Size() > limit {
		return nil, tooLarge(flag, path, limit)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, path, pathErr(err))
	}
	if st, err = f.Stat(); err != nil || !st.Mode().IsRegular() { // replaced since
		f.Close()
		return nil, fmt.Errorf("%s %s: not a regular file", flag, path)
	}
	return &capped{f: f, left: limit, flag: flag, path: path, limit: limit}, nil
}

func tooLarge(flag, path string, limit int64) error {
	return fmt.Errorf("%s %s: larger than %d MB, more than any %s file should hold", flag, path, limit>>20, flag)
}

// capped reads a file and fails past its limit.
type capped struct {
	f           *os.File
	left, limit int64
	flag, path  string
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more tells a file of exactly limit bytes from a larger one.
		var one [1]byte
		if n, _ := c.f.Read(one[:]); n > 0 {
			return 0, tooLarge(c.flag, c.path, c.limit)
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.f.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *capped) Close() error { return c.f.Close() }

// readInput reads the whole file flag names through openInput.
func readInput(flag, path string, limit int64) ([]byte, error) {
	r, err := openInput(flag, path, limit)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s: %w", flag, err)
		}
		return nil, err
	}
	return b, nil
}

// pathErr drops an os.PathError's operation and path, which the message names already.
func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
