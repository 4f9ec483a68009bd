package boundedfile

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrNotRegular and ErrTooLarge are what Open and ReadFile refuse; their errors wrap
// them with the detail (the file's type, the cap).
var (
	ErrNotRegular = errors.New("not a regular file")
	ErrTooLarge   = errors.New("larger than the most read of it")
)

// tooLargeError is ErrTooLarge with the cap: "larger than 256 MB, the most read of it".
type tooLargeError struct{ limit int64 }

func (e tooLargeError) Error() string {
	size := fmt.Sprintf("%d bytes", e.limit)
	if e.limit >= 1<<20 && e.limit%(1<<20) == 0 {
		size = fmt.Sprintf("%d MB", e.limit>>20)
	}
	return "larger than " + size + ", the most read of it"
}

func (e tooLargeError) Is(target error) bool { return target == ErrTooLarge }

// Open opens path for reading. It refuses what is not a regular file, before opening it
// and again once open (it may have been replaced between), and a file over limit bytes;
// the reader it returns fails with ErrTooLarge once more than limit bytes are read (a file
// that grew). Errors do not name path, which callers name with their flag: an
// os.PathError gives its cause alone (os.ErrNotExist, say, still matches).
func Open(path string, limit int64) (io.ReadCloser, error) {
	if err := Check(path, limit); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, cause(err)
	}
	if st, err := f.Stat(); err != nil || check(st, limit) != nil {
		f.Close()
		if err == nil {
			err = check(st, limit)
		}
		return nil, cause(err)
	}
	return &capped{f: f, left: limit, limit: limit}, nil
}

// Check says, without opening path, what Open would refuse: not a regular file, or over
// limit bytes; a file that does not exist returns an error that is os.ErrNotExist, for
// callers that create it then.
func Check(path string, limit int64) error {
	st, err := os.Stat(path)
	if err != nil {
		return cause(err)
	}
	return check(st, limit)
}

// ReadFile reads the whole of path through Open.
func ReadFile(path string, limit int64) ([]byte, error) {
	r, err := Open(path, limit)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, cause(err)
	}
	return b, nil
}

func check(st os.FileInfo, limit int64) error {
	switch {
	case !st.Mode().IsRegular():
		return fmt.Errorf("%w (%v)", ErrNotRegular, st.Mode().Type())
	case st.Size() > limit:
		return tooLarge(limit)
	}
	return nil
}

func tooLarge(limit int64) error { return tooLargeError{limit} }

// cause drops an os.PathError's operation and path, which callers name already.
func cause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// capped reads a file and fails past its limit.
type capped struct {
	f           *os.File
	left, limit int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more tells a file of exactly limit bytes from a larger one.
		var one [1]byte
		if n, _ := c.f.Read(one[:]); n > 0 {
			return 0, tooLarge(c.limit)
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
