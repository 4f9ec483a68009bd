// Command damage links a synthetic roll with one kind of damage at a time, applied to a
// share of its records, and prints what each does to the matcher: pairwise precision,
// recall and F1, the change in F1 from the undamaged roll, and the pairs of two
// children joined (false) and of one child kept apart (missed). It judges the matcher
// on errors the public sets do not hold, each alone and harsher than districts make
// them (another child's birth date, a placeholder SSID), with SSIDs and without.
//
//	go run ./examples/damage                          # every damage at 10% and 30%
//	go run ./examples/damage -kinds ssid_other,names_swapped -rates 0.5
//	go run ./examples/damage -one-record              # one record per student
//
// Each run goes the way a user's does (internal/cli.Execute, as examples/dedupe -in …
// -truth-file … runs): the damaged roll is written to a temporary folder and linked with
// the student preset. With -one-record the roll keeps one record of each student, so
// that every link joins two children: the false pairs column is then all there is.
//
// The table goes to stdout, progress to stderr. Interrupted (Ctrl-C), the program prints
// the runs that finished and exits 130.
//
// Flags:
//
//	-students N   students in the roll before twins and siblings (default 5000: about
//	              6,800 records)
//	-seed S       random seed of the roll and of the damage (default 1)
//	-kinds LIST   comma-separated damages, "all" (default) or "list" (print each damage
//	              and what it does, and exit)
//	-rates LIST   comma-separated shares of the records to damage (default 0.1,0.3)
//	-ssid V       the roll with SSIDs (yes), without (no) or both (default)
//	-one-record   keep one record per student
//	-md           print the table as Markdown
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/studentlink/studentlink/internal/cli"
	"github.com/studentlink/studentlink/internal/synth"
)

const usage = `usage: damage [-students N] [-seed S] [-kinds LIST] [-rates LIST] [-ssid both|yes|no] [-one-record] [-md]

Links a synthetic roll with one kind of damage at a time (a name mistyped or replaced,
a birth date swapped or another child's, an SSID missing, mistyped or another child's,
a placeholder, …) applied to a share of its records, and prints per damage and share
pairwise precision, recall, F1, the change in F1 from the undamaged roll, and the pairs
of two children joined and of one child kept apart. -kinds list prints the damages.`

func main() { os.Exit(program()) }

func program() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return run(ctx, os.Args[1:], os.Stdout, os.Stderr)
}

// exitInterrupted is the exit status of a run stopped by SIGINT (128 + 2).
const exitInterrupted = 130

// Row is one linked roll: a damage (none for the undamaged roll) at a rate.
type Row struct {
	SSIDs                 bool
	Damage                string
	Rate                  float64
	Records               int
	Precision, Recall, F1 float64
	// DeltaF1 is F1 less the undamaged roll's.
	DeltaF1 float64
	// FalsePairs join two children; MissedPairs keep one child's records apart.
	FalsePairs, MissedPairs int64
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := cli.NewFlagSet("damage", usage, stderr)
	var (
		students  = fset.Int("students", 5000, "students in the roll before twins and siblings (about 1.4 records each)")
		seed      = fset.Uint64("seed", 1, "random seed of the roll and of the damage")
		kinds     = fset.String("kinds", "all", "comma-separated damages, all, or list (print them and exit)")
		rates     = fset.String("rates", "0.1,0.3", "comma-separated shares of the records to damage")
		ssid      = fset.String("ssid", "both", "roll with SSIDs (yes), without (no) or both")
		oneRecord = fset.Bool("one-record", false, "keep one record per student: every link joins two children")
		md        = fset.Bool("md", false, "print the table as Markdown")
	)
	if code, stop := cli.Parse(fset, args); stop {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "damage:", err)
		return 1
	}
	out := cli.NewStdout(stdout)
	if *kinds == "list" {
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		for _, d := range synth.Damages() {
			fmt.Fprintf(tw, "%s\t%s\n", d.Name, d.What)
		}
		tw.Flush()
		if err := out.Err(); err != nil {
			return fail(err)
		}
		return 0
	}
	damages, err := pickDamages(*kinds)
	if err != nil {
		return fail(fmt.Errorf("-kinds: %w", err))
	}
	shares, err := parseRates(*rates)
	if err != nil {
		return fail(fmt.Errorf("-rates: %w", err))
	}
	variants := map[string][]bool{"both": {true, false}, "yes": {true}, "no": {false}}[*ssid]
	if variants == nil {
		return fail(fmt.Errorf("-ssid: %q is none of both, yes, no", *ssid))
	}
	if *students < 1 {
		return fail(fmt.Errorf("-students: %d, need at least 1", *students))
	}
	dir, err := os.MkdirTemp("", "damage")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)

	var rows []Row
	interrupted := false
runs:
	for _, withSSIDs := range variants {
		c := synth.DefaultConfig(*students)
		c.Seed = *seed
		base, err := synth.Generate(c)
		if err != nil {
			return fail(err)
		}
		if !withSSIDs {
			base.DropSSIDs()
		}
		if *oneRecord {
			base = base.OneRecordPerStudent()
		}
		undamaged, err := link(ctx, dir, base, Row{SSIDs: withSSIDs, Damage: "none"})
		if err != nil {
			if ctx.Err() != nil {
				interrupted = true
				break
			}
			return fail(err)
		}
		rows = append(rows, undamaged)
		progress(stderr, undamaged)
		for _, d := range damages {
			if d.NeedsSSID && !withSSIDs {
				continue
			}
			for _, rate := range shares {
				row, err := link(ctx, dir, base.Damaged(d, rate, *seed), Row{SSIDs: withSSIDs, Damage: d.Name, Rate: rate})
				if err != nil {
					if ctx.Err() != nil {
						interrupted = true
						break runs
					}
					return fail(fmt.Errorf("%s at %g: %w", d.Name, rate, err))
				}
				row.DeltaF1 = row.F1 - undamaged.F1
				rows = append(rows, row)
				progress(stderr, row)
			}
		}
	}
	write := WriteTable
	if *md {
		write = WriteMarkdown
	}
	write(out, rows)
	if err := out.Err(); err != nil {
		return fail(err)
	}
	if interrupted {
		fmt.Fprintf(stderr, "damage: interrupted; %d run(s) finished\n", len(rows))
		return exitInterrupted
	}
	return 0
}

// link writes roll and its truth to dir, links it as examples/dedupe does and fills in
// row's figures.
func link(ctx context.Context, dir string, roll *synth.Roll, row Row) (Row, error) {
	in, truth := filepath.Join(dir, "roll.csv"), filepath.Join(dir, "truth.csv")
	if err := writeFile(in, roll.WriteCSV); err != nil {
		return row, err
	}
	if err := writeFile(truth, roll.WriteTruth); err != nil {
		return row, err
	}
	o, err := cli.Execute(ctx, cli.Flags{In: []string{in}, TruthFile: truth, Quiet: true}, io.Discard)
	if err != nil {
		return row, err
	}
	ev := o.Evaluation
	if ev == nil {
		return row, errors.New("no evaluation")
	}
	row.Records = ev.Records
	row.Precision, row.Recall, row.F1 = ev.Precision, ev.Recall, ev.F1
	row.FalsePairs, row.MissedPairs = ev.PredictedPairs-ev.TruePositives, ev.TruePairs-ev.TruePositives
	return row, nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// pickDamages reads -kinds: all, or names of synth.Damages.
func pickDamages(list string) ([]synth.Damage, error) {
	if list == "all" {
		return synth.Damages(), nil
	}
	var out []synth.Damage
	for _, name := range strings.Split(list, ",") {
		d, ok := synth.DamageNamed(strings.TrimSpace(name))
		if !ok {
			return nil, fmt.Errorf("no damage %q (-kinds list prints them)", name)
		}
		out = append(out, d)
	}
	return out, nil
}

// parseRates reads -rates: shares over 0 and at most 1.
func parseRates(list string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(list, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(r > 0 && r <= 1) {
			return nil, fmt.Errorf("%q is no share over 0 and at most 1", f)
		}
		out = append(out, r)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func progress(w io.Writer, r Row) {
	fmt.Fprintf(w, "%-5s %-24s %4.2f  F1 %.4f  false %d  missed %d\n", ssidsWord(r.SSIDs), r.Damage, r.Rate, r.F1, r.FalsePairs, r.MissedPairs)
}

func ssidsWord(b bool) string {
	if b {
		return "SSIDs"
	}
	return "none"
}

// columns are the table's columns, and cells a row's values in them.
var columns = []string{"SSIDs", "damage", "rate", "records", "precision", "recall", "F1", "ΔF1", "false pairs", "missed pairs"}

func cells(r Row) []string {
	return []string{ssidsWord(r.SSIDs), r.Damage, strconv.FormatFloat(r.Rate, 'g', -1, 64), strconv.Itoa(r.Records),
		fmt.Sprintf("%.4f", r.Precision), fmt.Sprintf("%.4f", r.Recall), fmt.Sprintf("%.4f", r.F1), fmt.Sprintf("%+.4f", r.DeltaF1),
		strconv.FormatInt(r.FalsePairs, 10), strconv.FormatInt(r.MissedPairs, 10)}
}

// WriteTable prints rows as an aligned text table.
func WriteTable(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(columns, "\t")+"\t")
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(cells(r), "\t")+"\t")
	}
	tw.Flush()
}

// WriteMarkdown prints rows as a Markdown table.
func WriteMarkdown(w io.Writer, rows []Row) {
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(columns, " | "), strings.Repeat("---|", len(columns)))
	for _, r := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells(r), " | "))
	}
}
