// Command synth writes a synthetic state student roll with known truth.
//
//	go run ./examples/synth                          # 1,000 students to roll.csv and truth.csv
//	go run ./examples/synth -students 600000 -seed 7 -out roll.csv -truth truth.csv
//	go run ./examples/synth -records 1000000 -out /tmp/roll.csv -truth /tmp/truth.csv
//	go run ./examples/synth -print-config > rates.json  # the settings as JSON, to edit
//	go run ./examples/synth -config rates.json
//
// -print-config writes the configuration the other flags give as JSON: the seed, the
// number of students (or records), LEAs (-leas, default 8), schools per LEA and school
// years, and the rate
// of each error the roll holds (typos, nicknames, dropped accents, swapped dates, missing
// or mistyped SSIDs, twins, siblings, duplicates within an LEA …); -config reads such a
// file back, and the flags given beside it override it. Some rates are 0 unless set
// there: values left out of a record (given_missing, birth_date_missing, address_missing)
// and twins as parents and states often make them (twins_alike_names: Mason and Jason;
// twins_ssids_near: SSIDs one apart) — the hard cases for keeping children apart.
//
// The roll has the student CSV columns (record_id, lea_id, school_id, ssid, first_name,
// middle_name, last_name, suffix, birth_date, sex, grade_level, address, city, zip,
// entry_date); the truth file maps each record_id to its student. -no-ssid blanks every
// SSID, for testing matching on demographics alone. -stream writes each record as it is
// generated, for rolls too big to hold in memory: the same kind of roll, with its records
// in another order and other record IDs than the same flags give without it.
//
// The files are the data; the line that says what was written goes to stderr. -out - or
// -truth - writes that file to stdout (not both); otherwise only -print-config writes to
// stdout.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/studentlink/studentlink/internal/cli"
	"github.com/studentlink/studentlink/internal/synth"
)

const usage = `usage: synth [-students N | -records N] [-seed S] [-out roll.csv] [-truth truth.csv] [flags]

Writes a synthetic state student roll with known truth: the student CSV, with the errors
districts make (typos, nicknames, swapped dates, missing or mistyped SSIDs, twins,
duplicates within an LEA …), and a truth file mapping each record to its student.
-print-config writes the generator's configuration as JSON to edit and read back with
-config.`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := cli.NewFlagSet("synth", usage, stderr)
	cfg := synth.DefaultConfig(1000)
	config := fs.String("config", "", "read the Config from a JSON `file` (flags below override it)")
	students := fs.Int("students", 0, "number of students (default 1000)")
	records := fs.Int("records", 0, "number of records (overrides -students)")
	seed := fs.Uint64("seed", 0, "random seed (default 1)")
	leas := fs.Int("leas", 0, "number of LEAs (default 8)")
	out := fs.String("out", "roll.csv", "roll `file` (- for stdout)")
	truth := fs.String("truth", "truth.csv", "truth `file` (- for stdout)")
	noSSID := fs.Bool("no-ssid", false, "leave every SSID blank")
	stream := fs.Bool("stream", false, "write each record as it is generated, in little memory (other record order and IDs)")
	printConfig := fs.Bool("print-config", false, "write the configuration (defaults, -config and the flags applied) as JSON to stdout and exit")
	if code, stop := cli.Parse(fs, args); stop {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "synth:", err)
		return 1
	}
	if *config != "" {
		b, err := os.ReadFile(*config)
		if err == nil {
			err = json.Unmarshal(b, &cfg)
		}
		if err != nil {
			return fail(err)
		}
	}
	// A count given must be positive: 0 or -5 is refused, not taken for the default.
	var bad error
	fs.Visit(func(f *flag.Flag) {
		for _, c := range []struct {
			name string
			v    int
		}{{"students", *students}, {"records", *records}, {"leas", *leas}} {
			if f.Name == c.name && c.v < 1 && bad == nil {
				bad = fmt.Errorf("-%s %d: must be at least 1", c.name, c.v)
			}
		}
	})
	if bad != nil {
		return fail(bad)
	}
	if *students > 0 {
		cfg.Students = *students
	}
	if *records > 0 {
		cfg.Records = *records
	}
	if *seed > 0 {
		cfg.Seed = *seed
	}
	if *leas > 0 {
		cfg.LEAs = *leas
	}
	if *printConfig {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(cfg); err != nil {
			return fail(err)
		}
		return 0
	}
	// Refused before anything is written: the two outputs on one file or on stdout in
	// any spelling (./x.csv, /dev/stdout), or one on the -config file.
	if err := cli.CheckPaths([]cli.FlagPath{{Flag: "-config", Path: *config}},
		[]cli.FlagPath{{Flag: "-out", Path: *out}, {Flag: "-truth", Path: *truth}}, stdout); err != nil {
		return fail(err)
	}
	for _, p := range []*string{out, truth} {
		if cli.IsStdout(*p, stdout) {
			*p = "-"
		}
	}
	start := time.Now()
	if *stream {
		if *noSSID {
			return fail(errors.New("-no-ssid is not supported with -stream"))
		}
		n, err := streamFiles(cfg, *out, *truth, stdout)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stderr, "synth: %d records streamed in %.2fs → %s, %s\n", n, time.Since(start).Seconds(), outName(*out), outName(*truth))
		return 0
	}
	roll, err := synth.Generate(cfg)
	if err != nil {
		return fail(err)
	}
	if *noSSID {
		roll.DropSSIDs()
	}
	if err := write(*out, stdout, roll.WriteCSV); err != nil {
		return fail(err)
	}
	if err := write(*truth, stdout, roll.WriteTruth); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stderr, "synth: %d records of %d students in %.2fs → %s, %s\n",
		len(roll.Records), roll.Students, time.Since(start).Seconds(), outName(*out), outName(*truth))
	return 0
}

func streamFiles(cfg synth.Config, out, truth string, stdout io.Writer) (int, error) {
	ro, err := create(out, stdout)
	if err != nil {
		return 0, err
	}
	defer ro.Close()
	tr, err := create(truth, stdout)
	if err != nil {
		return 0, err
	}
	defer tr.Close()
	n, err := synth.Stream(context.Background(), cfg, ro, tr)
	if err != nil {
		return n, err
	}
	if err := ro.Close(); err != nil {
		return n, err
	}
	return n, tr.Close()
}

// create opens path for writing; "-" is stdout, which closing leaves open.
func create(path string, stdout io.Writer) (io.WriteCloser, error) {
	if path == "-" {
		return nopCloser{stdout}, nil
	}
	return os.Create(path)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// write writes a file with fn; "-" is stdout.
func write(path string, stdout io.Writer, fn func(io.Writer) error) error {
	if path == "-" {
		return fn(stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// outName names an output for the note on stderr: "stdout" for "-".
func outName(path string) string {
	if path == "-" {
		return "stdout"
	}
	return path
}
