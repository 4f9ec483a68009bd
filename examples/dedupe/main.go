// Command dedupe finds the records of one student across a roll and assigns student IDs.
//
// With no arguments it runs on an embedded synthetic state roll (testdata/synth, one file
// of 2,737 records from 8 LEAs) and prints a summary with pairwise precision, recall and
// F1 against the roll's truth:
//
//	go run ./examples/dedupe
//
// On your own data:
//
//	go run ./examples/dedupe -in roll.csv -out clusters.csv -review review.csv -report report.html
//
// Every flag (go run ./examples/dedupe -h lists them too):
//
//	-in FILE             input CSV (repeat for several sources; default: the embedded sample)
//	-preset P            settings preset: student (default) or person
//	-settings FILE       settings JSON (overrides -preset); a model loaded with -model
//	                     runs with its own settings, and -settings or a -preset other
//	                     than the model's beside it is refused
//	-print-settings      write the settings (preset, -mode, -columns applied) as JSON and exit
//	-mode M              dedupe, link or link_and_dedupe; link takes each file to hold a
//	                     student at most once and never joins two records of one file;
//	                     a model loaded with -model runs in its own mode, and a -mode
//	                     that differs from it is refused
//	-columns R=H,…       name the input columns: given_name=FirstName,birth_date=DOB,id=StudentNumber;
//	                     H+H joins columns: birth_date=by+bm+bd (year, month, day columns)
//	-encoding E          utf-8 (default; UTF-16 is found by its byte-order mark or, without
//	                     one, by the zero bytes of its header), windows-1252, iso-8859-1,
//	                     iso-8859-15, utf-16 …
//	-skip-bad-rows FILE  set broken rows aside in FILE (file, line, reason; - for stdout) and
//	                     go on; the summary counts them by fault and warns of a row that took
//	                     many lines (a quote never closed)
//	-out FILE            record_id,source,cluster_id,match_weight,cluster_size (- for stdout)
//	-review FILE         the review queue: both records side by side, verdict/by/at to fill in
//	-decisions FILE      a filled-in review file: verdicts (same, different) the run honours
//	-ids FILE            an earlier run's -out: students keep their IDs
//	-ids-renamed OLD=NEW a file the -ids file names OLD is this run's NEW (a renamed or
//	                     moved export; comma-separated for several): without it a file
//	                     of another name gets no earlier IDs, as another LEA's would not
//	-id-changes FILE     the students split or merged since the -ids run (needs -ids)
//	-truth COLUMN        evaluate against this input column of true IDs
//	-truth-regexp RE     take the true ID from the first group of RE (FEBRL: ^(rec-[0-9]+))
//	-truth-file FILE     evaluate against record_id,true_id rows
//	-model FILE          reuse the trained model in FILE if it exists, else save it there
//	-problems FILE       values that could not be used
//	-pairs FILE          the linked pairs of records from different sources
//	-report FILE         the model report: one HTML page with charts
//	-workers N           goroutines (default: all cores)
//	-quiet               no progress line
//	-v                   also print m, u and weight of every level, the prior, warnings
//
// Columns are matched to the preset's by name, by name with case, spaces and punctuation
// aside (RECORD_ID, Last_Name), and by the names districts use (DOB, Gender, FirstName,
// StateID, StudentNumber, District, PostalCode …); a birth date kept in year, month and
// day columns (BirthYear, BirthMonth, BirthDay; by, bm, bd) is read from the three. The
// summary lists what each column fills and every column ignored. Records are named by file and record ID, so two files
// may use the same IDs. Each file's birth dates are read in the order it writes them: a
// file whose dates can only be read day first (25/04/2010) has its ambiguous ones
// (03/04/2010) read day first too, and the summary says so; a birth date column whose
// name writes its format (Date of Birth (dd/mm/yyyy), DOB (mm/dd/yyyy)) is read in that
// order whatever its dates say.
//
// The summary goes to stdout, or to stderr when an output file is "-"; progress and the
// model's loading or saving go to stderr.
//
// A review round trip: run with -out clusters.csv -review review.csv; a reviewer writes
// same or different (and their name, and the date in a form -h lists under -decisions)
// in review.csv's verdict, by and at columns; run again with -decisions review.csv -ids
// clusters.csv -id-changes changes.csv: the verdicts hold and every other student keeps
// their ID.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/studentlink/studentlink/internal/cli"
)

const usage = `usage: dedupe [-in roll.csv …] [flags]

Finds the records of one student across a roll and assigns student IDs. With no -in it
links the embedded synthetic roll and scores itself against the roll's truth.`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// flags returns the program's flag set and the flags it fills.
func flags(stderr io.Writer) (*flag.FlagSet, *cli.Flags) {
	fs := cli.NewFlagSet("dedupe", usage, stderr)
	var f cli.Flags
	f.Register(fs)
	fs.StringVar(&f.Pairs, "pairs", "", "write the linked pairs of records from different sources to `file`")
	return fs, &f
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, f := flags(stderr)
	if code, stop := cli.Parse(fs, args); stop {
		return code
	}
	if err := cli.Run(ctx, *f, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "dedupe:", err)
		return 1
	}
	return 0
}
