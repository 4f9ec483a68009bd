package cli

import (
	"fmt"
	"io"

	"github.com/studentlink/studentlink/internal/boundedfile"
)

// Caps on the files a flag names that the programs read whole: generous, but a path
// that never ends (/dev/zero) or a file far larger than any model or ID list stops the
// run with an error instead of the kernel's OOM killer.
const (
	modelCap int64 = 256 << 20 // -model
	listCap  int64 = 2 << 30   // -ids, -decisions, -truth-file
)

// openInput opens the file flag names for reading through boundedfile.Open (a regular
// file of at most limit bytes), errors naming the flag and the file; a file that does not
// exist returns an error that is os.ErrNotExist.
func openInput(flag, path string, limit int64) (io.ReadCloser, error) {
	r, err := boundedfile.Open(path, limit)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, path, err)
	}
	return &named{r: r, flag: flag, path: path}, nil
}

// named names the flag and file in a read's error (a file grown past its cap).
type named struct {
	r          io.ReadCloser
	flag, path string
}

func (n *named) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%s %s: %w", n.flag, n.path, err)
	}
	return k, err
}

func (n *named) Close() error { return n.r.Close() }

// readInput reads the whole file flag names through openInput.
func readInput(flag, path string, limit int64) ([]byte, error) {
	r, err := openInput(flag, path, limit)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}
