// Command evaluate is the accuracy suite: it converts each public ground-truth dataset to
// the student CSV, links it exactly as `examples/dedupe -in … -mode … -truth-file …`
// would (the student preset, no per-set settings), and prints per set the records,
// candidate pairs, pairs per record, blocking pair completeness, pairwise precision,
// recall and F1, time and peak memory.
//
//	go run ./examples/evaluate                      # every set in ../shared/datasets
//	go run ./examples/evaluate -sets febrl1,census  # some of them
//	go run ./examples/evaluate -data testdata -sets fast
//
// The table goes to stdout, progress to stderr. A set that fails (its files missing, its
// run stopped) shows "error" in its row and its error on stderr, and the program exits 1
// once the table is printed. A -data folder that does not exist and an unknown -preset
// are refused before any set runs; -one exits 1 when its set fails. Interrupted (Ctrl-C,
// SIGINT), the suite passes the interrupt to the set running, which stops, prints the
// table of the sets that finished, says it was interrupted and during which set, and
// exits 130; the set stopped is not counted as failed.
//
// Flags:
//
//	-data DIR    the datasets folder (default ../shared/datasets, else the subset embedded
//	             from testdata/, which holds the sets in Fast)
//	-sets LIST   comma-separated set names, "all" (default: every set, or with the
//	             embedded subset every set it holds, which stderr says) or "fast" (the
//	             CI subset)
//	-preset P    student (default) or person
//	-md          print the table as Markdown
//	-list        list the sets ("all": with the embedded subset, those it holds) and exit
//	-one SET     run one set in this process and print its row as JSON (what each child
//	             process of the suite does)
//
// Each set runs in a child process of this program, so that its peak memory is its own.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	studentlink "github.com/studentlink/studentlink"
	"github.com/studentlink/studentlink/block"
	"github.com/studentlink/studentlink/internal/cli"
	"github.com/studentlink/studentlink/internal/datasets"
)

// Fast lists the sets the embedded subset holds and CI runs.
var Fast = []string{"census", "dsgen-A-1000", "dsgen-C-1000", "dsgen-D-1000", "dsgen-F-1000", "fake_1000",
	"febrl1", "febrl2", "febrl3", "febrl4", "ncvr-500-ocp40", "ncvr-5000-ocp40", "rldata500", "rldata10000", "synth", "synth-nossid"}

// Row is one set's line of the table.
type Row struct {
	Set            string   `json:"set"`
	Mode           string   `json:"mode"`
	Columns        []string `json:"columns"`
	Records        int      `json:"records"`
	Candidates     int64    `json:"candidates"`
	PairsPerRecord float64  `json:"pairs_per_record"`
	Completeness   float64  `json:"pair_completeness"`
	Precision      float64  `json:"precision"`
	Recall         float64  `json:"recall"`
	F1             float64  `json:"f1"`
	TruePairs      int64    `json:"true_pairs"`
	Seconds        float64  `json:"seconds"`
	PeakMB         float64  `json:"peak_mb"`
	// Rules are the blocking rules' candidates and true pairs found, rule by rule.
	Rules    []block.RuleCompleteness `json:"rules,omitempty"`
	Dropped  []string                 `json:"dropped,omitempty"`
	Warnings []string                 `json:"warnings,omitempty"`
	Err      string                   `json:"error,omitempty"`
}

const usage = `usage: evaluate [-data DIR] [-sets LIST] [-preset P] [-md] [-list]

The accuracy suite: links each public ground-truth dataset as examples/dedupe would and
prints a table of records, candidate pairs, blocking pair completeness, pairwise
precision, recall and F1, time and peak memory per set (stdout; progress on stderr). A set
that fails shows "error" in its row, its error on stderr, and the program exits 1;
interrupted (Ctrl-C), it prints the sets that finished and exits 130.`

func main() { os.Exit(program()) }

// program runs the program on os.Args, stopping its work on SIGINT, and returns its exit
// status.
func program() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return run(ctx, os.Args[1:], os.Stdout, os.Stderr)
}

// exitInterrupted is the exit status of a run stopped by SIGINT, as a shell reports a
// program the signal ended (128 + 2).
const exitInterrupted = 130

// interruptWait is how long a set's child process has to stop once interrupted before it
// is killed.
const interruptWait = 10 * time.Second

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := cli.NewFlagSet("evaluate", usage, stderr)
	var (
		data   = fset.String("data", "", "datasets `folder` (default ../shared/datasets, else the embedded subset)")
		sets   = fset.String("sets", "all", "comma-separated set `names`, all, or fast")
		preset = fset.String("preset", "student", "settings preset: student or person")
		md     = fset.Bool("md", false, "print the table as Markdown")
		list   = fset.Bool("list", false, "list the sets and exit")
		one    = fset.String("one", "", "run one set in this process and print its row as JSON (used by the suite)")
	)
	if code, stop := cli.Parse(fset, args); stop {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "evaluate:", err)
		return 1
	}
	// A failed write to stdout (the table, the list, -one's row) fails the program.
	out := cli.NewStdout(stdout)
	stdout = out
	if _, err := cli.Settings(cli.Flags{Preset: *preset}); err != nil {
		return fail(fmt.Errorf("-preset: %w", err)) // before any set runs
	}
	fsys, where, embedded, err := dataFS(*data)
	if err != nil {
		return fail(err)
	}
	// The embedded subset holds some of the sets: "all" and -list mean those.
	known := datasets.Names()
	if embedded {
		known = held(fsys)
		if *one == "" {
			fmt.Fprintf(stderr, "evaluate: using the embedded subset: %d sets; -data DIR for all\n", len(known))
		}
	}
	if *list {
		fmt.Fprintln(stdout, strings.Join(known, "\n"))
		if err := out.Err(); err != nil {
			return fail(err)
		}
		return 0
	}
	if *one != "" {
		row := RunSet(ctx, fsys, *one, *preset)
		if row.Err != "" && ctx.Err() != nil {
			fmt.Fprintf(stderr, "evaluate: interrupted during set %s\n", *one)
			return exitInterrupted
		}
		_ = json.NewEncoder(stdout).Encode(row)
		if err := out.Err(); err != nil {
			return fail(err)
		}
		if row.Err != "" {
			return fail(errors.New(row.Err))
		}
		return 0
	}
	names, err := pick(*sets, known)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stderr, "datasets: %s; preset %s\n", where, *preset)
	var rows []Row
	var failed []string
	interrupted := "" // the set running when SIGINT came
	for _, name := range names {
		fmt.Fprintf(stderr, "%-16s ", name)
		row, err := runChild(ctx, name, *data, *preset)
		if (ctx.Err() != nil || errors.Is(err, errChildInterrupted)) && (err != nil || row.Err != "") {
			// Stopped by the interrupt, not failed: its error (the child's
			// "context canceled", or a kill's) says nothing of the set.
			fmt.Fprintln(stderr, "interrupted")
			interrupted = name
			break
		}
		if err != nil {
			row = Row{Set: name, Err: err.Error()}
		}
		if row.Err != "" {
			fmt.Fprintf(stderr, "error: %s\n", row.Err)
			failed = append(failed, name)
		} else {
			fmt.Fprintf(stderr, "F1 %.4f  %.1fs\n", row.F1, row.Seconds)
		}
		rows = append(rows, row)
		if ctx.Err() != nil {
			if len(rows) < len(names) {
				interrupted = names[len(rows)]
			}
			break
		}
	}
	if *md {
		WriteMarkdown(stdout, rows)
	} else {
		WriteTable(stdout, rows)
	}
	if err := out.Err(); err != nil {
		return fail(err)
	}
	code := 0
	if len(failed) > 0 {
		code = fail(fmt.Errorf("%d of %d set(s) failed: %s", len(failed), len(rows), strings.Join(failed, ", ")))
	}
	if interrupted != "" {
		fmt.Fprintf(stderr, "evaluate: interrupted at set %s; %d of %d set(s) ran\n", interrupted, len(rows), len(names))
		return exitInterrupted
	}
	return code
}

// dataFS opens the datasets folder: the one given, ../shared/datasets when it exists, or
// the embedded subset (embedded true). A folder given that does not exist is an error.
func dataFS(dir string) (fsys fs.FS, where string, embedded bool, err error) {
	if dir == "" {
		if st, err := os.Stat("../shared/datasets"); err == nil && st.IsDir() {
			dir = "../shared/datasets"
		}
	} else if st, err := os.Stat(dir); err != nil {
		return nil, "", false, fmt.Errorf("-data %s: %w", dir, errors.Unwrap(err))
	} else if !st.IsDir() {
		return nil, "", false, fmt.Errorf("-data %s: not a folder", dir)
	}
	if dir == "" {
		sub, err := fs.Sub(studentlink.Testdata, "testdata")
		return sub, "embedded testdata", true, err
	}
	return os.DirFS(dir), dir, false, nil
}

// held lists the sets whose files fsys holds, in Names' order.
func held(fsys fs.FS) []string {
	var out []string
	for _, name := range datasets.Names() {
		ok := true
		for _, f := range datasets.Files(name) {
			if _, err := fs.Stat(fsys, f); err != nil {
				ok = false
			}
		}
		if ok {
			out = append(out, name)
		}
	}
	return out
}

// pick returns the sets list names: all (those known), fast, or names from known.
func pick(list string, known []string) ([]string, error) {
	switch list {
	case "all", "":
		return known, nil
	case "fast":
		return Fast, nil
	}
	var out []string
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if !slices.Contains(known, n) {
			if slices.Contains(datasets.Names(), n) {
				return nil, fmt.Errorf("-sets: set %q is not in the embedded subset (-data DIR names a datasets folder that holds it)", n)
			}
			return nil, fmt.Errorf("-sets: unknown set %q (see -list)", n)
		}
		out = append(out, n)
	}
	return out, nil
}

// errChildInterrupted says a set's child process was stopped by SIGINT. A terminal's
// Ctrl-C reaches the child and the program at once, and the child may end before the
// program's own context sees the signal, so the child's end says it too.
var errChildInterrupted = errors.New("interrupted")

// runChild runs one set in a child process and reads its row and peak memory.
func runChild(ctx context.Context, name, data, preset string) (Row, error) {
	exe, err := os.Executable()
	if err != nil {
		return Row{}, err
	}
	args := []string{"-one", name, "-preset", preset}
	if data != "" {
		args = append(args, "-data", data)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	// Interrupted, the child is interrupted too, and stops as the program would; one that
	// has not stopped interruptWait later is killed.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = interruptWait
	var stderr strings.Builder // the child's error: its row says it too
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if interruptedBySignal(cmd.ProcessState) {
		return Row{}, fmt.Errorf("%s: %w", name, errChildInterrupted)
	}
	var row Row
	if jerr := json.Unmarshal(out, &row); jerr != nil || row.Set == "" {
		if err == nil {
			err = jerr
		}
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return Row{}, fmt.Errorf("%s: %w", name, err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		row.PeakMB = float64(ru.Maxrss) / 1024 // Linux reports KB
	}
	return row, nil
}

// interruptedBySignal says the process ended on SIGINT: killed by it before its handler
// was installed, or stopped by it with the status exitInterrupted.
func interruptedBySignal(ps *os.ProcessState) bool {
	if ps == nil {
		return false
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGINT {
		return true
	}
	return ps.ExitCode() == exitInterrupted
}

// RunSet converts one set to student CSV files in a temporary folder and runs them through
// the dedupe program's own path.
func RunSet(ctx context.Context, fsys fs.FS, name, preset string) Row {
	row := Row{Set: name}
	set, err := datasets.Load(fsys, name)
	if err != nil {
		row.Err = err.Error()
		return row
	}
	row.Mode, row.Columns, row.Records = set.Mode, set.Columns, set.Records()
	dir, err := os.MkdirTemp("", "studentlink-evaluate-")
	if err != nil {
		row.Err = err.Error()
		return row
	}
	defer os.RemoveAll(dir)
	files, truth, err := set.WriteCSV(dir)
	if err != nil {
		row.Err = err.Error()
		return row
	}
	start := time.Now()
	o, err := cli.Execute(ctx, cli.Flags{In: files, Preset: preset, Mode: set.Mode, TruthFile: truth, Quiet: true}, io.Discard)
	row.Seconds = time.Since(start).Seconds()
	if err != nil {
		row.Err = err.Error()
		return row
	}
	row.Candidates = o.Result.CandidatePairs
	row.PairsPerRecord = float64(row.Candidates) / float64(max(row.Records, 1))
	if ev := o.Evaluation; ev != nil {
		row.Precision, row.Recall, row.F1, row.TruePairs = ev.Precision, ev.Recall, ev.F1, ev.TruePairs
	}
	if b := o.Blocking; b != nil {
		row.Completeness, row.Rules = b.PairCompleteness, b.Rules
	}
	if o.Evaluation == nil {
		row.Err = errors.New("no evaluation").Error()
	}
	return row
}

// WriteTable prints rows as an aligned text table.
func WriteTable(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "set\tmode\trecords\tcandidates\tper record\tblocking PC\tprecision\trecall\tF1\ttime s\tpeak MB\t")
	for _, r := range rows {
		if r.Err != "" { // the error itself went to stderr
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\t-\t-\terror\t-\t-\t\n", r.Set, r.Mode)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.1f\t%.4f\t%.4f\t%.4f\t%.4f\t%.1f\t%.0f\t\n",
			r.Set, r.Mode, r.Records, r.Candidates, r.PairsPerRecord, r.Completeness, r.Precision, r.Recall, r.F1, r.Seconds, r.PeakMB)
	}
	tw.Flush()
}

// WriteMarkdown prints rows as a Markdown table.
func WriteMarkdown(w io.Writer, rows []Row) {
	fmt.Fprintln(w, "| set | mode | columns | records | candidate pairs | per record | blocking PC | precision | recall | F1 | time (s) | peak MB |")
	fmt.Fprintln(w, "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		if r.Err != "" { // the error itself went to stderr
			fmt.Fprintf(w, "| %s | %s | | - | - | - | - | - | - | error | - | - |\n", r.Set, r.Mode)
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %s | %d | %d | %.1f | %.4f | %.4f | %.4f | %.4f | %.1f | %.0f |\n",
			r.Set, r.Mode, strings.Join(r.Columns, ", "), r.Records, r.Candidates, r.PairsPerRecord, r.Completeness, r.Precision, r.Recall, r.F1, r.Seconds, r.PeakMB)
	}
	fmt.Fprintln(w)
	WriteRulesMarkdown(w, rows)
}

// WriteRulesMarkdown prints, set by set, each blocking rule's candidates (those no
// earlier rule admits), the true pairs it finds by itself and its pair completeness, and
// the true pairs no other rule finds.
func WriteRulesMarkdown(w io.Writer, rows []Row) {
	fmt.Fprintln(w, "| set | rule | candidates added | true pairs found | rule's PC | found by no other rule |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|")
	for _, r := range rows {
		for _, rc := range r.Rules {
			fmt.Fprintf(w, "| %s | %s | %d | %d | %.4f | %d |\n", r.Set, rc.Rule, rc.Candidates, rc.Found, rc.PairCompleteness, rc.Only)
		}
	}
}
