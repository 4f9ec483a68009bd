package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// NewFlagSet returns the flag set of a program: -h prints usage (what the program does,
// how to call it) and the flags to stderr, and a bad flag is an error, not an exit.
func NewFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nFlags:\n", strings.TrimSpace(usage))
		fs.PrintDefaults()
	}
	return fs
}

// Parse parses a program's arguments. When the program should stop, stop is true and
// code its exit status: 0 after -h, 2 for a bad flag or an argument that is not a flag.
func Parse(fs *flag.FlagSet, args []string) (code int, stop bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, true
		}
		return 2, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q (flags come as -name value)\n", fs.Name(), fs.Arg(0))
		return 2, true
	}
	return 0, false
}
