// Package cli holds what the dedupe and link example binaries share: flags, reading the
// inputs, progress on stderr, the summary and the output files.
package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	studentlink "github.com/studentlink/studentlink"
	"github.com/studentlink/studentlink/block"
	"github.com/studentlink/studentlink/match"
)

// Flags are the binaries' command-line options.
type Flags struct {
	In        []string
	Preset    string
	Settings  string
	Mode      string
	Out       string
	Review    string
	IDs       string
	Truth     string
	TruthRe   string
	TruthFile string
	Model     string
	Problems  string
	Pairs     string
	// SplitBy splits the embedded sample into one source per value of this column.
	SplitBy string
	Workers int
	Quiet   bool
	Verbose bool
}

type multi struct{ to *[]string }

func (m multi) String() string {
	if m.to == nil {
		return ""
	}
	return strings.Join(*m.to, ",")
}
func (m multi) Set(v string) error { *m.to = append(*m.to, v); return nil }

// Register defines the flags on fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.Var(multi{&f.In}, "in", "input CSV `file` (repeat for several sources; default: the embedded sample roll)")
	fs.StringVar(&f.Preset, "preset", "student", "settings preset: student or person")
	fs.StringVar(&f.Settings, "settings", "", "settings JSON `file` (overrides -preset)")
	fs.StringVar(&f.Mode, "mode", "", "dedupe, link or link_and_dedupe (default: the settings' mode)")
	fs.StringVar(&f.Out, "out", "", "write record_id,cluster_id,match_weight,cluster_size to `file`")
	fs.StringVar(&f.Review, "review", "", "write the review queue to `file`")
	fs.StringVar(&f.IDs, "ids", "", "earlier run's clusters `file` (record_id,cluster_id) whose student IDs to keep")
	fs.StringVar(&f.Truth, "truth", "", "evaluate against this input `column` of true IDs")
	fs.StringVar(&f.TruthRe, "truth-regexp", "", "take the true ID from the first group of this `regexp` on the truth column (FEBRL: ^(rec-[0-9]+))")
	fs.StringVar(&f.TruthFile, "truth-file", "", "evaluate against a `file` of record_id,true_id rows")
	fs.StringVar(&f.Model, "model", "", "reuse the trained model in `file` if it exists, else save the trained model there")
	fs.StringVar(&f.Problems, "problems", "", "write values that could not be used to `file`")
	fs.IntVar(&f.Workers, "workers", 0, "goroutines (default: all cores)")
	fs.BoolVar(&f.Quiet, "quiet", false, "no progress line on stderr")
	fs.BoolVar(&f.Verbose, "v", false, "also print the training report: m, u and weight of every level, the prior, warnings")
}

// Embedded sample roll and its truth, used when no -in is given.
const (
	SampleRoll  = "testdata/synth/roll.csv"
	SampleTruth = "testdata/synth/truth.csv"
)

// Outcome is what a run produced: the result, and its evaluation when truth was given.
type Outcome struct {
	Settings    match.Settings
	Result      *match.Result
	Elapsed     time.Duration
	ModelLoaded bool
	// Evaluation and Blocking are set when truth was given: pairwise precision and recall
	// of the clusters, and how many true pairs blocking made candidates.
	Evaluation *match.Evaluation
	Blocking   *block.Completeness
}

// Run does the whole job the flags describe, writing the summary to stdout and progress to
// stderr.
func Run(ctx context.Context, f Flags, stdout, stderr io.Writer) error {
	o, err := Execute(ctx, f, stderr)
	if err != nil {
		return err
	}
	printSummary(stdout, o)
	if f.Verbose {
		printTraining(stdout, o.Result)
	}
	res := o.Result
	outputs := []struct {
		path  string
		write func(io.Writer) error
	}{
		{f.Out, res.WriteClusters},
		{f.Review, res.WriteReview},
		{f.Problems, res.WriteProblems},
		{f.Pairs, res.WritePairs},
	}
	for _, o := range outputs {
		if o.path != "" {
			if err := writeFile(o.path, o.write); err != nil {
				return err
			}
		}
	}
	return nil
}

// Execute reads the inputs, links them and evaluates the result against the truth when
// the flags give one; progress goes to stderr.
func Execute(ctx context.Context, f Flags, stderr io.Writer) (*Outcome, error) {
	settings, err := loadSettings(f)
	if err != nil {
		return nil, err
	}
	roll, err := settings.NewRoll()
	if err != nil {
		return nil, err
	}
	truthFile := f.TruthFile
	var truthData []byte
	if len(f.In) == 0 {
		data, err := studentlink.Testdata.ReadFile(SampleRoll)
		if err != nil {
			return nil, err
		}
		if err := readSample(roll, data, f.SplitBy); err != nil {
			return nil, err
		}
		if truthFile == "" && f.Truth == "" {
			truthData, _ = studentlink.Testdata.ReadFile(SampleTruth)
			truthFile = SampleTruth
		}
	}
	for _, in := range f.In {
		if err := roll.ReadCSVFile(in); err != nil {
			return nil, err
		}
	}
	linker, err := match.New(settings)
	if err != nil {
		return nil, err
	}
	o := &Outcome{Settings: settings}
	if f.Model != "" {
		if b, err := os.ReadFile(f.Model); err == nil {
			if linker, err = match.Load(bytes.NewReader(b)); err != nil {
				return nil, fmt.Errorf("%s: %w", f.Model, err)
			}
			o.ModelLoaded = true
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	opt := match.RunOptions{Workers: f.Workers}
	if !f.Quiet {
		opt.Progress = progressLine(stderr)
	}
	if f.IDs != "" {
		if opt.EarlierIDs, err = readPairs(f.IDs, "record_id", "cluster_id"); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	res, err := linker.Run(ctx, roll, opt)
	if !f.Quiet {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return nil, err
	}
	o.Result, o.Elapsed = res, time.Since(start)
	if f.Model != "" && !o.ModelLoaded {
		if err := writeFile(f.Model, linker.Save); err != nil {
			return nil, err
		}
	}
	var truth []string
	switch {
	case f.Truth != "":
		if truth, err = truthColumn(roll, f.Truth, f.TruthRe); err != nil {
			return nil, err
		}
	case truthFile != "":
		if truthData == nil {
			if truthData, err = os.ReadFile(truthFile); err != nil {
				return nil, err
			}
		}
		if truth, err = truthFromFile(roll, truthFile, truthData); err != nil {
			return nil, err
		}
	}
	if truth != nil {
		if err := o.evaluate(ctx, linker, truth, opt); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// evaluate scores the clusters and the blocking rules against the truth.
func (o *Outcome) evaluate(ctx context.Context, linker *match.Linker, truth []string, opt match.RunOptions) error {
	roll := o.Result.Prepared.Roll
	var sources []int32
	if linker.Settings().Mode == match.ModeLink {
		sources = roll.Source
	}
	ev, err := match.Evaluate(o.Result.Label, truth, sources)
	if err != nil {
		return err
	}
	o.Evaluation = &ev
	c, err := linker.MeasureBlocking(ctx, o.Result.Prepared, truth, opt)
	if err != nil {
		return err
	}
	o.Blocking = &c
	return nil
}

func loadSettings(f Flags) (match.Settings, error) {
	var s match.Settings
	switch {
	case f.Settings != "":
		var err error
		if s, err = match.LoadSettings(f.Settings); err != nil {
			return s, err
		}
	case f.Preset == "student":
		s = match.StudentSettings()
	case f.Preset == "person":
		s = match.PersonSettings()
	default:
		return s, fmt.Errorf("unknown preset %q (want student or person)", f.Preset)
	}
	if f.Mode != "" {
		s.Mode = match.Mode(f.Mode)
	}
	return s, s.Validate()
}

func printSummary(w io.Writer, o *Outcome) {
	s, res := o.Settings, o.Result
	roll := res.Prepared.Roll
	sizes := map[int]int{}
	for _, c := range res.Clusters() {
		sizes[len(c)]++
	}
	fmt.Fprintf(w, "settings:       %s (%s), mode %s\n", s.Name, s.Version, s.Mode)
	fmt.Fprintf(w, "records:        %d from %d source(s); %d value(s) could not be used\n", roll.Len(), len(roll.Sources), len(res.Prepared.Problems))
	fmt.Fprintf(w, "candidate pairs: %d\n", res.CandidatePairs)
	fmt.Fprintf(w, "students:       %d (%d with one record, %d with several)\n", len(res.StudentIDs), sizes[1], len(res.StudentIDs)-sizes[1])
	fmt.Fprintf(w, "links:          %d accepted, %d refused, %d pair(s) for review\n", len(res.Links), len(res.Refusals), len(res.Review))
	if len(res.IDChanges) > 0 {
		fmt.Fprintf(w, "id changes:     %d student(s) split or merged since the earlier run\n", len(res.IDChanges))
	}
	for _, d := range res.Dropped {
		fmt.Fprintf(w, "dropped:        %s\n", d)
	}
	fmt.Fprintf(w, "time:           %.2fs\n", o.Elapsed.Seconds())
	if ev := o.Evaluation; ev != nil {
		fmt.Fprintf(w, "truth:          %d true students, %d true pairs\n", ev.TrueClusters, ev.TruePairs)
		if b := o.Blocking; b != nil {
			fmt.Fprintf(w, "blocking:       %d of %d true pairs are candidates (pair completeness %.4f)\n", b.Found, b.TruePairs, b.PairCompleteness)
		}
		fmt.Fprintf(w, "pairwise:       precision %.4f  recall %.4f  F1 %.4f\n", ev.Precision, ev.Recall, ev.F1)
	}
}

// printTraining prints how the model was trained and its parameters.
func printTraining(w io.Writer, res *match.Result) {
	if tr := res.Training; tr != nil {
		fmt.Fprintf(w, "training:       %s; %d candidate pairs, %d other pairs %s of %.0f\n", tr.Method, tr.CandidatePairs, tr.SampledPairs,
			map[bool]string{true: "counted", false: "sampled"}[tr.Exhaustive], tr.AllPairs-float64(tr.CandidatePairs))
		fmt.Fprintf(w, "EM:             %d iterations, converged %v, last change %.2g, log-likelihood %.6g\n", tr.EM.Iterations, tr.EM.Converged, tr.EM.MaxChange, tr.EM.LogLikelihood)
		for _, warn := range tr.Warnings {
			fmt.Fprintf(w, "warning:        %s\n", warn)
		}
	} else {
		fmt.Fprintln(w, "training:       none (model loaded)")
	}
	m := res.Model
	fmt.Fprintf(w, "prior:          %.4g (%+.2f bits)\n", m.Prior, math.Log2(m.Prior/(1-m.Prior)))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "comparison\tlevel\tm\tu\tweight")
	for c, comp := range m.Comparisons {
		for l, name := range comp.LevelNames() {
			if l == 0 {
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%.4g\t%.4g\t%+.2f\n", comp.Name, name, m.M[c][l], m.U[c][l], math.Log2(math.Max(m.M[c][l], 1e-6)/math.Max(m.U[c][l], 1e-6)))
		}
	}
	tw.Flush()
}

// progressLine draws a one-line progress report on w.
func progressLine(w io.Writer) func(match.Progress) {
	last := time.Time{}
	return func(p match.Progress) {
		now := time.Now()
		if now.Sub(last) < 200*time.Millisecond && p.Done != p.Total {
			return
		}
		last = now
		if p.Total > 0 {
			fmt.Fprintf(w, "\r%-8s %d/%d (%.0f%%)        ", p.Stage, p.Done, p.Total, 100*float64(p.Done)/float64(p.Total))
		} else {
			fmt.Fprintf(w, "\r%-8s %d pairs              ", p.Stage, p.Done)
		}
	}
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// truthColumn reads each record's true ID from an input column, optionally through the
// first group of a regexp.
func truthColumn(roll *match.Roll, column, expr string) ([]string, error) {
	var re *regexp.Regexp
	if expr != "" {
		var err error
		if re, err = regexp.Compile(expr); err != nil {
			return nil, fmt.Errorf("-truth-regexp: %w", err)
		}
	}
	out := make([]string, roll.Len())
	for i := range out {
		v := roll.Column(i, column)
		if column == roll.IDColumn() {
			v = roll.IDs[i]
		}
		if re != nil {
			if m := re.FindStringSubmatch(v); len(m) > 1 {
				v = m[1]
			}
		}
		if v == "" {
			return nil, fmt.Errorf("%s:%d: record %q has no true ID in column %q", roll.Sources[roll.Source[i]], roll.Lines[i], roll.IDs[i], column)
		}
		out[i] = v
	}
	return out, nil
}

func truthFromFile(roll *match.Roll, name string, data []byte) ([]string, error) {
	m, err := parsePairs(name, bytes.NewReader(data), "record_id", "")
	if err != nil {
		return nil, err
	}
	out := make([]string, roll.Len())
	for i, id := range roll.IDs {
		t, ok := m[id]
		if !ok {
			return nil, fmt.Errorf("%s: no true ID for record %q", name, id)
		}
		out[i] = t
	}
	return out, nil
}

func readPairs(path, keyCol, valCol string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parsePairs(path, f, keyCol, valCol)
}

// parsePairs reads a CSV with a header into key → value; valCol "" means the second column.
func parsePairs(name string, r io.Reader, keyCol, valCol string) (map[string]string, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	k, v := -1, -1
	for c, h := range header {
		switch {
		case h == keyCol:
			k = c
		case h == valCol || (valCol == "" && v < 0):
			v = c
		}
	}
	if k < 0 || v < 0 {
		return nil, fmt.Errorf("%s: header %v needs columns %q and %q", name, header, keyCol, valCol)
	}
	out := map[string]string{}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[row[k]] = row[v]
	}
}

// readSample reads the embedded sample roll as one source, or as one source per value of
// the split column.
func readSample(roll *match.Roll, data []byte, split string) error {
	if split == "" {
		return roll.ReadCSV(SampleRoll, bytes.NewReader(data))
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(rows) == 0 {
		return fmt.Errorf("%s: %v", SampleRoll, err)
	}
	col := -1
	for c, h := range rows[0] {
		if h == split {
			col = c
		}
	}
	if col < 0 {
		return fmt.Errorf("%s: no column %q to split by", SampleRoll, split)
	}
	parts := map[string]*bytes.Buffer{}
	var order []string
	for _, row := range rows[1:] {
		key := row[col]
		buf, ok := parts[key]
		if !ok {
			buf = &bytes.Buffer{}
			w := csv.NewWriter(buf)
			_ = w.Write(rows[0])
			w.Flush()
			parts[key] = buf
			order = append(order, key)
		}
		w := csv.NewWriter(buf)
		_ = w.Write(row)
		w.Flush()
	}
	for _, key := range order {
		if err := roll.ReadCSV(fmt.Sprintf("%s[%s=%s]", SampleRoll, split, key), parts[key]); err != nil {
			return err
		}
	}
	return nil
}
