// Command link links the rolls of two or more LEAs: it finds the records in different
// files that belong to the same student, writes those pairs, and assigns student IDs.
//
//	go run ./examples/link -a lea1.csv -b lea2.csv [-in lea3.csv …] [-pairs pairs.csv] \
//	    [-out clusters.csv] [-review review.csv] [-mode link|link_and_dedupe] …
//
// Each file is one source, and records are named by file and record ID: LEAs that number
// their students independently may use the same IDs.
//
// In link mode (the default) each file is taken to hold a student at most once: two
// records of one file are never compared and never share a student, so a file's own
// duplicates stay apart and, of a student's two records in one file, only one can link
// to another file's. When files may hold duplicates (per-LEA exports often do), use
// -mode link_and_dedupe, which also links within a file; the summary suggests it when
// link mode refused links between a file's own records. A model loaded with -model runs
// in the mode it was trained in (a -mode that differs is refused). With no -a and -b it
// links the embedded sample roll's LEAs with each other, in link_and_dedupe mode unless
// -mode says otherwise, since the sample has duplicates within an LEA.
//
// Every flag (go run ./examples/link -h lists them too; all but -a and -b are those of
// examples/dedupe, whose doc says more of each):
//
//	-a FILE              first LEA's roll (give -b with it)
//	-b FILE              second LEA's roll
//	-in FILE             a further LEA's roll (repeatable)
//	-preset P            settings preset: student (default) or person
//	-settings FILE       settings JSON (overrides -preset)
//	-print-settings      write the settings as JSON and exit
//	-mode M              link (default), link_and_dedupe or dedupe; a loaded -model's mode
//	                     cannot be overridden
//	-columns R=H,…       name the input columns: given_name=FirstName,birth_date=DOB,…
//	-encoding E          input text encoding (default UTF-8, or UTF-16 by its byte-order mark)
//	-skip-bad-rows FILE  set broken rows aside in FILE (- for stdout) and go on
//	-out FILE            record_id,source,cluster_id,match_weight,cluster_size (- for stdout)
//	-pairs FILE          the linked pairs of records from different files
//	-review FILE         the review queue: both records side by side, verdict/by/at to fill in
//	-decisions FILE      a filled-in review file: verdicts the run honours (repeatable;
//	                     -h lists the dates and times its at column takes)
//	-ids FILE            an earlier run's -out: students keep their IDs
//	-ids-renamed OLD=NEW a file the -ids file names OLD is this run's NEW
//	-id-changes FILE     the students split or merged since the -ids run (needs -ids)
//	-truth COLUMN        evaluate against this input column of true IDs
//	-truth-regexp RE     take the true ID from the first group of RE (needs -truth)
//	-truth-file FILE     evaluate against record_id,true_id rows
//	-model FILE          reuse the trained model in FILE if it exists, else save it there
//	-problems FILE       values that could not be used
//	-report FILE         the model report: one HTML page with charts
//	-workers N           goroutines (default: all cores)
//	-quiet               no progress line
//	-v                   also print m, u and weight of every level, the prior, warnings
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/studentlink/studentlink/internal/cli"
)

const usage = `usage: link -a lea1.csv -b lea2.csv [-in lea3.csv …] [flags]

Links the rolls of two or more LEAs, one file each. In link mode (the default) a file
holds each student at most once; use -mode link_and_dedupe when files hold duplicates.`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := cli.NewFlagSet("link", usage, stderr)
	var f cli.Flags
	f.Register(fs)
	a := fs.String("a", "", "first LEA's roll (CSV `file`)")
	b := fs.String("b", "", "second LEA's roll (CSV `file`)")
	fs.StringVar(&f.Pairs, "pairs", "", "write the linked cross-source pairs to `file`")
	if code, stop := cli.Parse(fs, args); stop {
		return code
	}
	if (*a == "") != (*b == "") {
		fmt.Fprintln(stderr, "link: give both -a and -b, or neither")
		return 2
	}
	if *a != "" {
		f.In = append([]string{*a, *b}, f.In...)
		f.InFlags = []string{"-a", "-b"}
	}
	// -mode, or a model loaded with -model, says otherwise.
	f.DefaultMode = "link"
	if len(f.In) == 0 {
		f.SplitBy = "lea_id"
		f.DefaultMode = "link_and_dedupe" // the sample roll has duplicates within an LEA
	}
	if err := cli.Run(ctx, f, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "link:", err)
		return 1
	}
	return 0
}
