// Package cli holds what the dedupe and link example binaries share: flags, reading the
// inputs, progress on stderr, the summary and the output files.
//
// Standard output carries the summary, or the data when an output file is named "-" (the
// summary then goes to standard error); progress, the model's loading or saving and
// everything else said along the way go to standard error.
package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/studentlink/studentlink/block"
	"github.com/studentlink/studentlink/internal/report"
	"github.com/studentlink/studentlink/match"
	"github.com/studentlink/studentlink/normalize"
)

// Flags are the binaries' command-line options.
type Flags struct {
	In []string
	// InFlags names the flag that gave each of In, for messages: the link program's -a
	// and -b; past its end, or "", it is -in.
	InFlags  []string
	Preset   string
	Settings string
	Mode     string
	// DefaultMode is the mode when neither -mode nor a loaded -model names one (the link
	// program's link); "" leaves the settings' own.
	DefaultMode string
	Columns     string
	Encoding    string
	Out         string
	Review      string
	Decisions   []string
	IDs         string
	IDsRenamed  string
	IDChanges   string
	Truth       string
	TruthRe     string
	TruthFile   string
	Model       string
	Problems    string
	Pairs       string
	Report      string
	// SkipBadRows names the file that takes the rows set aside; "" stops at a broken row.
	SkipBadRows string
	// PrintSettings writes the settings as JSON to stdout and does nothing else.
	PrintSettings bool
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
	fs.StringVar(&f.Preset, "preset", "", "settings preset: student (the default) or person; a model loaded with -model runs with its own settings, and a -preset or -settings beside it is refused")
	fs.StringVar(&f.Settings, "settings", "", "settings JSON `file` (overrides -preset; -print-settings writes one to start from)")
	fs.StringVar(&f.Mode, "mode", "", "dedupe, link or link_and_dedupe (default: the settings' mode, or a loaded -model's, which a different -mode cannot override); link takes each file to hold a student at most once")
	fs.StringVar(&f.Columns, "columns", "", "name the input columns: `role=Header,…` (given_name=FirstName,birth_date=DOB,id=StudentNumber; a header with a comma in double quotes: full_name=\"Last, First\"); Header+Header joins columns (birth_date=by+bm+bd); beside a loaded -model, renames on top of the model's columns")
	fs.BoolVar(&f.PrintSettings, "print-settings", false, "write the settings the run would use (preset, or a loaded -model's, with -mode and -columns applied) as JSON to stdout and exit")
	fs.StringVar(&f.Encoding, "encoding", "", "input text `encoding`: "+strings.Join(match.Encodings(), ", ")+" (default UTF-8, or UTF-16 by its byte-order mark)")
	fs.StringVar(&f.SkipBadRows, "skip-bad-rows", "", "set broken rows aside in `file` (- for stdout) with file, line and reason, and go on; without it a broken row stops the run")
	fs.StringVar(&f.Out, "out", "", "write record_id,source,cluster_id,match_weight,cluster_size to `file` (- for stdout)")
	fs.StringVar(&f.Review, "review", "", "write the review queue to `file`: both records side by side, with verdict, by and at columns to fill in (at as -decisions reads it)")
	fs.Var(multi{&f.Decisions}, "decisions", "reviewers' verdicts: a review `file` with its verdict column filled in (same or different; repeatable); "+decidedAt)
	fs.StringVar(&f.IDs, "ids", "", "earlier run's -out `file` (record_id,source,cluster_id) whose student IDs to keep")
	fs.StringVar(&f.IDsRenamed, "ids-renamed", "", "`old=new`[,…]: a file the -ids file names old is this run's new (a renamed or moved export)")
	fs.StringVar(&f.IDChanges, "id-changes", "", "write the students split or merged since the -ids run to `file` (needs -ids)")
	fs.StringVar(&f.Truth, "truth", "", "evaluate against this input `column` of true IDs")
	fs.StringVar(&f.TruthRe, "truth-regexp", "", "take the true ID from the first group of this `regexp` on the truth column (FEBRL: ^(rec-[0-9]+))")
	fs.StringVar(&f.TruthFile, "truth-file", "", "evaluate against a `file` of record_id,true_id rows")
	fs.StringVar(&f.Model, "model", "", "reuse the trained model in `file` if it exists (its settings, columns included, read the inputs), else save the trained model there")
	fs.StringVar(&f.Problems, "problems", "", "write values that could not be used to `file`")
	fs.StringVar(&f.Report, "report", "", "write the model report to `file` (HTML, one self-contained page with charts)")
	fs.IntVar(&f.Workers, "workers", 0, "goroutines (default: all cores)")
	fs.BoolVar(&f.Quiet, "quiet", false, "no progress line on stderr")
	fs.BoolVar(&f.Verbose, "v", false, "also print the training report: m, u and weight of every level, the prior, warnings")
}

// decidedAt says what a -decisions file's at column may hold: what match.ReadDecisions
// reads, each form named here held to it by TestDecidedAtHelp.
const decidedAt = "at, when the verdict was given: blank; 2024-05-01; 2024-05-01 14:30 or 2024-05-01 14:30:05, or with a T for the space " +
	"(2024-05-01T14:30), with seconds a zone too (RFC 3339: 2024-05-01T14:30:05Z); or as a spreadsheet rewrites a date, " +
	"5/13/2024 month first or 13/5/2024 day first, alone or with 14:30, 14:30:05, 2:30 PM or 2:30:05 PM; " +
	"refused: 5/1/2024, which could be either"

// Embedded sample roll and its truth, used when no -in is given.
const (
	SampleRoll  = "testdata/synth/roll.csv"
	SampleTruth = "testdata/synth/truth.csv"
)

// Outcome is what a run produced: the result, and its evaluation when truth was given.
type Outcome struct {
	// Settings are the settings the run used: the loaded model's when -model loaded one.
	Settings match.Settings
	Result   *match.Result
	Elapsed  time.Duration
	// ModelLoaded says the model came from -model; ModelSaved that it was written there.
	ModelLoaded, ModelSaved bool
	// Reads counts each source's rows; Rejected lists the rows set aside (-skip-bad-rows).
	Reads    []match.ReadCount
	Rejected []match.Rejected
	// Decisions are the reviewers' verdicts the run honoured.
	Decisions []match.Decision
	// Truth is each record's true ID when truth was given; Evaluation and Blocking then
	// say how the clusters and the blocking rules did against it.
	Truth      []string
	Evaluation *match.Evaluation
	Blocking   *block.Completeness
	// Uncompared, when the model was loaded, lists the roles the roll has values for
	// that settings trained now would compare and no comparison of the loaded model
	// reads: it was trained on a roll without them.
	Uncompared []normalize.Role
}

// uncompared returns the roles of present that fresh compares and loaded does not.
func uncompared(present, fresh, loaded []normalize.Role) []normalize.Role {
	var out []normalize.Role
	for _, r := range present {
		if slices.Contains(fresh, r) && !slices.Contains(loaded, r) {
			out = append(out, r)
		}
	}
	return out
}

// Run does the whole job the flags describe: the summary, or -print-settings' JSON, goes
// to stdout (to stderr when an output file is "-"), progress and notes to stderr.
func Run(ctx context.Context, f Flags, stdout, stderr io.Writer) error {
	if f.PrintSettings {
		// The settings the run would use: a loaded model's, when -model names one.
		_, s, loaded, err := loadModel(f)
		if err != nil {
			return err
		}
		if !loaded {
			if s, err = loadSettings(f); err != nil {
				return err
			}
		}
		out := NewStdout(stdout)
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		_ = enc.Encode(s)
		return out.Err()
	}
	if f.IDChanges != "" && f.IDs == "" {
		return errors.New("-id-changes needs -ids: the students split or merged are those whose records an earlier run's -out file (-ids clusters.csv) grouped otherwise")
	}
	if err := checkFlags(f); err != nil {
		return err
	}
	if err := checkPaths(f, stdout); err != nil {
		return err
	}
	// An output that names stdout in another spelling (/dev/stdout, the file stdout is
	// redirected to) is written as "-" is: the summary then goes to stderr.
	for _, p := range []*string{&f.Out, &f.Review, &f.Problems, &f.Pairs, &f.IDChanges, &f.Report, &f.SkipBadRows} {
		if IsStdout(*p, stdout) {
			*p = "-"
		}
	}
	// From here on a failed write to stdout (the summary's or an output's) fails the run.
	so := NewStdout(stdout)
	stdout = so
	outputs := []struct {
		flag, path string
		write      func(*Outcome, io.Writer) error
	}{
		{"-out", f.Out, func(o *Outcome, w io.Writer) error { return o.Result.WriteClusters(w) }},
		{"-review", f.Review, func(o *Outcome, w io.Writer) error { return o.Result.WriteReview(w) }},
		{"-problems", f.Problems, func(o *Outcome, w io.Writer) error { return o.Result.WriteProblems(w) }},
		{"-pairs", f.Pairs, func(o *Outcome, w io.Writer) error { return o.Result.WritePairs(w) }},
		{"-id-changes", f.IDChanges, func(o *Outcome, w io.Writer) error { return o.Result.WriteIDChanges(w) }},
		{"-report", f.Report, func(o *Outcome, w io.Writer) error { return writeReport(ctx, o, f, w) }},
		// A rejects file is written as the inputs are read (readInputs), so that it is
		// there when the run stops later; "-" waits for stdout's turn here.
		{"-skip-bad-rows", onlyStdout(f.SkipBadRows), func(o *Outcome, w io.Writer) error { return o.writeRejected(w) }},
	}
	talk := stdout
	for _, o := range outputs {
		if o.path == "-" {
			talk = stderr // checkPaths let one output at most write to stdout
		}
	}
	o, err := Execute(ctx, f, stderr)
	if err != nil {
		return err
	}
	printSummary(talk, o, f)
	if f.Verbose {
		printTraining(talk, o.Result)
	}
	for _, out := range outputs {
		if out.path == "" {
			continue
		}
		write := func(w io.Writer) error { return out.write(o, w) }
		if out.path == "-" {
			err = write(stdout)
		} else {
			err = writeFile(out.path, write)
		}
		if err != nil {
			if so.Err() != nil && out.path == "-" {
				return fmt.Errorf("%s: %w", out.flag, so.Err())
			}
			return fmt.Errorf("%s: %w", out.flag, err)
		}
	}
	return so.Err()
}

// writeReport builds the model report of the run and renders it as HTML.
func writeReport(ctx context.Context, o *Outcome, f Flags, w io.Writer) error {
	rep, err := match.NewReport(ctx, o.Result, match.ReportOptions{Truth: o.Truth, Workers: f.Workers})
	if err != nil {
		return err
	}
	rep.Title = "studentlink model report: " + strings.Join(o.Result.Prepared.Roll.Sources, ", ")
	rep.Elapsed = o.Elapsed.Seconds()
	for _, x := range o.Reads {
		rep.Summary.RowsRead += x.Read
		rep.Summary.RowsRejected += x.Rejected
	}
	return report.WriteHTML(w, rep)
}

// Execute reads the inputs, links them and evaluates the result against the truth when
// the flags give one; progress and notes go to stderr.
func Execute(ctx context.Context, f Flags, stderr io.Writer) (*Outcome, error) {
	if err := checkFlags(f); err != nil {
		return nil, err
	}
	linker, used, loaded, err := loadModel(f)
	if err != nil {
		return nil, err
	}
	// settings are the flags' (-settings or -preset, -mode, -columns); with a loaded
	// model they only stand for settings trained now, and need not fit this roll.
	settings, err := loadSettings(f)
	if err != nil && !loaded {
		return nil, err
	} else if err != nil {
		settings = used
	}
	o := &Outcome{Settings: settings}
	if loaded {
		o.ModelLoaded, o.Settings = true, used
		fmt.Fprintf(stderr, "model: loaded from %s (settings %s, %s, mode %s); not trained again\n", f.Model, used.Name, used.Version, used.Mode)
		if now, ok := presetNamed(used.Name); ok && now.Version != used.Version {
			fmt.Fprintf(stderr, "warning: the model was trained with %s, and the %s preset is now %s, whose rules differ (twins and siblings kept apart among them): name a new -model file to train one with the preset as it is\n",
				used.Version, used.Name, now.Version)
		}
	} else if linker, err = match.New(settings); err != nil {
		return nil, err
	}
	// The inputs are read with the settings the run links with: a loaded model's
	// columns, ID column and dates (with -columns on top), not the flags' preset.
	roll, err := o.Settings.NewRoll()
	if err != nil {
		return nil, err
	}
	truthFile, truthData, err := o.readInputs(roll, f)
	if err != nil {
		return nil, err
	}
	if err := hasColumn(roll, f.Truth); err != nil { // before the link, not after
		return nil, err
	}
	opt := match.RunOptions{Workers: f.Workers}
	endProgress := func() {}
	if !f.Quiet {
		opt.Progress, endProgress = progressLine(stderr)
	}
	if f.IDs != "" {
		if opt.EarlierIDs, err = readFileWith("-ids", f.IDs, listCap, match.ReadStudentIDs); err != nil {
			return nil, err
		}
		for _, pair := range strings.Split(f.IDsRenamed, ",") {
			if pair = strings.TrimSpace(pair); pair == "" {
				continue
			}
			from, to, ok := strings.Cut(pair, "=")
			if !ok || from == "" || to == "" {
				return nil, fmt.Errorf("-ids-renamed %q: want old=new, a source the -ids file names and this run's file", pair)
			}
			if match.RenameEarlierSource(opt.EarlierIDs, from, to) == 0 {
				return nil, fmt.Errorf("-ids-renamed %q: %s names no source %q", pair, f.IDs, from)
			}
		}
	} else if f.IDsRenamed != "" {
		return nil, errors.New("-ids-renamed needs -ids")
	}
	for _, path := range f.Decisions {
		ds, err := readFileWith("-decisions", path, listCap, match.ReadDecisions)
		if err != nil {
			return nil, err
		}
		opt.Decisions = append(opt.Decisions, ds...)
	}
	o.Decisions = opt.Decisions
	start := time.Now()
	res, err := linker.Run(ctx, roll, opt)
	endProgress()
	if err != nil {
		if f.IDs != "" && strings.Contains(err.Error(), "earlier IDs name record") {
			err = fmt.Errorf("-ids %s: %w (the file's source column must name the -in files as given)", f.IDs, err)
		}
		return nil, err
	}
	o.Result, o.Elapsed = res, time.Since(start)
	if o.ModelLoaded {
		fresh, ok := presetNamed(o.Settings.Name)
		if !ok {
			fresh = settings
		}
		o.Uncompared = uncompared(res.Prepared.RolesWithValues(), fresh.ComparedRoles(), o.Settings.ComparedRoles())
	}
	if f.Model != "" && !o.ModelLoaded {
		if err := writeFile(f.Model, linker.Save); err != nil {
			return nil, err
		}
		o.ModelSaved = true
		fmt.Fprintf(stderr, "model: trained on this roll and saved to %s; the next run with -model %s reuses it\n", f.Model, f.Model)
	}
	if o.Truth, err = readTruth(roll, f, truthFile, truthData); err != nil {
		return nil, err
	}
	if o.Truth != nil {
		if err := o.evaluate(ctx, linker, o.Truth, opt); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// checkFlags refuses values no run can use, before anything is read.
func checkFlags(f Flags) error {
	switch {
	case f.Workers < 0:
		return fmt.Errorf("-workers %d: want 0 (all cores) or a positive number of goroutines", f.Workers)
	case f.TruthRe != "" && f.Truth == "":
		return fmt.Errorf("-truth-regexp %q needs -truth, the column it reads the true IDs from", f.TruthRe)
	}
	if f.TruthRe != "" {
		if _, err := regexp.Compile(f.TruthRe); err != nil {
			return fmt.Errorf("-truth-regexp: %w", err)
		}
	}
	return nil
}

// hasColumn reports, naming the file, a source whose header has no column named column
// (the -truth column); "" passes.
func hasColumn(roll *match.Roll, column string) error {
	if column == "" || column == roll.IDColumn() {
		return nil
	}
	for s, src := range roll.Sources {
		if !slices.ContainsFunc(roll.Header(s), func(u match.ColumnUse) bool { return u.Header == column || u.Column == column }) {
			var names []string
			for _, u := range roll.Header(s) {
				names = append(names, u.Header)
			}
			return fmt.Errorf("-truth %s: %s has no column %q (its header: %s)", column, src, column, strings.Join(names, ", "))
		}
	}
	return nil
}

// loadModel loads the -model file when it exists. It returns the linker and the
// settings the run uses with it: the model's own (columns, ID column, dates, mode), with
// -columns applied on top of the model's columns. A -mode, -preset or -settings that
// contradicts the model is refused. loaded is false when there is no model to load.
func loadModel(f Flags) (linker *match.Linker, used match.Settings, loaded bool, err error) {
	if f.Model == "" {
		return nil, used, false, nil
	}
	b, err := readInput("-model", f.Model, modelCap)
	if errors.Is(err, os.ErrNotExist) {
		return nil, used, false, nil
	}
	if err != nil {
		return nil, used, false, err
	}
	if linker, err = match.Load(bytes.NewReader(b)); err != nil {
		if jsonKind(b) == kindSettings {
			return nil, used, false, fmt.Errorf("-model %s: a settings file (as -print-settings writes them), not a trained model: name it with -settings %s, and with -model a file to keep the trained model in",
				f.Model, f.Model)
		}
		if errors.Is(err, match.ErrModelVersion) {
			return nil, used, false, fmt.Errorf("%s: %w (remove the file, or name another -model file, and the run trains one and saves it there)", f.Model, err)
		}
		return nil, used, false, fmt.Errorf("%s: %w", f.Model, err)
	}
	used = linker.Settings()
	if f.Mode != "" && match.Mode(f.Mode) != used.Mode {
		return nil, used, false, fmt.Errorf("-mode %s, but the model in %s was trained in %s mode and scores its pairs so: drop -mode to run in %s mode, or name a new -model file to train one in %s mode",
			f.Mode, f.Model, used.Mode, used.Mode, f.Mode)
	}
	if f.Settings != "" {
		return nil, used, false, fmt.Errorf("-settings %s, but the model in %s carries the settings it was trained with (%s, %s) and runs with them: drop -settings to run the model, or name a new -model file to train one with %s",
			f.Settings, f.Model, used.Name, used.Version, f.Settings)
	}
	if f.Preset != "" && f.Preset != used.Name {
		return nil, used, false, fmt.Errorf("-preset %s, but the model in %s was trained with the %s settings and runs with them: drop -preset to run the model, or name a new -model file to train one with the %s preset",
			f.Preset, f.Model, used.Name, f.Preset)
	}
	if f.Columns != "" {
		if used, err = withColumns(used, f.Columns); err != nil {
			return nil, used, false, err
		}
	}
	return linker, used, true, nil
}

// What a JSON file a flag names holds, by its top-level keys (jsonKind).
const (
	kindModel    = "model"    // a saved model: version, settings and model
	kindSettings = "settings" // settings: columns, comparisons … and no model
)

// jsonKind says whether b is a saved model (kindModel) or a settings file (kindSettings)
// by its top-level keys, so that one named by the other's flag is said to be so; ""
// when it is neither or no JSON object.
func jsonKind(b []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(b, &top) != nil {
		return ""
	}
	has := func(k string) bool { _, ok := top[k]; return ok }
	switch {
	case has("settings") && has("model"):
		return kindModel
	case !has("settings") && !has("model") && (has("columns") || has("comparisons")):
		return kindSettings
	}
	return ""
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
			if b, rerr := readInput("-settings", f.Settings, modelCap); rerr == nil && jsonKind(b) == kindModel {
				return s, fmt.Errorf("-settings %s: a trained model (as -model saves them), not a settings file: run it with -model %s (-model %s -print-settings writes its settings)",
					f.Settings, f.Settings, f.Settings)
			}
			return s, err
		}
	default:
		var ok bool
		if s, ok = presetNamed(cmp.Or(f.Preset, "student")); !ok {
			return s, fmt.Errorf("unknown preset %q (want student or person)", f.Preset)
		}
	}
	if mode := cmp.Or(f.Mode, f.DefaultMode); mode != "" {
		s.Mode = match.Mode(mode)
	}
	if f.Columns != "" {
		var err error
		if s, err = withColumns(s, f.Columns); err != nil {
			return s, err
		}
	}
	return s, s.Validate()
}

// withColumns applies -columns (spec) to s.
func withColumns(s match.Settings, spec string) (match.Settings, error) {
	names, err := parseColumns(spec)
	if err != nil {
		return s, err
	}
	if s, err = s.WithColumns(names); err != nil {
		return s, fmt.Errorf("-columns: %w", err)
	}
	return s, nil
}

// parseColumns reads -columns: role=Header pairs separated by commas; a header with a
// comma in it is written in double quotes (full_name="Last Name, First Name").
func parseColumns(v string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range splitOutsideQuotes(v) {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, h, ok := strings.Cut(part, "=")
		k = strings.TrimSpace(k)
		if q := strings.TrimSpace(h); len(q) >= 2 && q[0] == '"' && q[len(q)-1] == '"' {
			h = q[1 : len(q)-1]
		}
		if !ok || k == "" || strings.TrimSpace(h) == "" {
			return nil, fmt.Errorf("-columns: %q is not role=Header (given_name=FirstName; a header with a comma in double quotes)", part)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("-columns: %s is named twice", k)
		}
		out[k] = h
	}
	return out, nil
}

// splitOutsideQuotes splits v at the commas that stand outside double quotes.
func splitOutsideQuotes(v string) []string {
	var parts []string
	quoted, start := false, 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				parts = append(parts, v[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, v[start:])
}

// progressLine reports progress on w. On a terminal it redraws one line, at most every
// 200 ms; elsewhere (a log file) it writes a line as each stage ends, with the stage's
// last count, so that a log holds no carriage returns and no count left stale by the
// redraw's pace. end finishes the report.
func progressLine(w io.Writer) (report func(match.Progress), end func()) {
	tty := isTerminal(w)
	var last time.Time
	var pending, written match.Progress // the latest update ("" stage once written), the last written
	write := func(p match.Progress) {
		if p == written {
			pending = match.Progress{}
			return
		}
		written = p
		if tty {
			fmt.Fprintf(w, "\r%-40s", describeProgress(p))
		} else {
			fmt.Fprintln(w, describeProgress(p))
		}
		pending = match.Progress{}
	}
	var mu sync.Mutex // workers report at once
	report = func(p match.Progress) {
		mu.Lock()
		defer mu.Unlock()
		if pending.Stage != "" && pending.Stage != p.Stage {
			write(pending) // the stage over, with its last count
		}
		pending = p
		now := time.Now()
		switch {
		case p.Total > 0 && p.Done == p.Total:
			write(p)
		case tty && now.Sub(last) >= 200*time.Millisecond:
			last = now
			write(p)
		}
	}
	end = func() {
		mu.Lock()
		defer mu.Unlock()
		if pending.Stage != "" {
			write(pending)
		}
		if tty {
			fmt.Fprintln(w)
		}
	}
	return report, end
}

// describeProgress says where a stage is: done of total, EM's iteration, or pairs so far.
func describeProgress(p match.Progress) string {
	switch {
	case p.Stage == match.StageBlock:
		return fmt.Sprintf("%-8s %d/%d rules", p.Stage, p.Done, p.Total)
	case p.Total > 0:
		return fmt.Sprintf("%-8s %d/%d (%.0f%%)", p.Stage, p.Done, p.Total, 100*float64(p.Done)/float64(p.Total))
	case p.Stage == match.StageTrain:
		return fmt.Sprintf("%-8s EM iteration %d", p.Stage, p.Done)
	}
	return fmt.Sprintf("%-8s %d pairs", p.Stage, p.Done)
}

// isTerminal reports whether w is a terminal (a character device), where a line can be
// redrawn in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// onlyStdout returns path when it is "-" (stdout), else "".
func onlyStdout(path string) string {
	if path == "-" {
		return path
	}
	return ""
}

// writeFile writes an output file through a temporary file in its folder, renamed over
// path once write and the close succeed and removed otherwise: a run stopped or failed
// while writing (SIGINT during -report) leaves no empty or partial file, and an earlier
// file of that name stays whole. A path that exists and is not a regular file (os.DevNull,
// a FIFO) is written in place.
func writeFile(path string, write func(io.Writer) error) error {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		if err := write(f); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", path, err)
		}
		return f.Close()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := write(tmp); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	ok = true
	return nil
}

// readFileWith opens the file flag names (openInput: a regular file of limit bytes at
// most) and reads it with read.
func readFileWith[T any](flag, path string, limit int64, read func(name string, r io.Reader) (T, error)) (T, error) {
	f, err := openInput(flag, path, limit)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	v, err := read(path, f)
	if err != nil {
		return v, fmt.Errorf("%s: %w", flag, err)
	}
	return v, nil
}

// presetNamed returns the preset of that name, as this version of the library has it.
func presetNamed(name string) (match.Settings, bool) {
	switch name {
	case "student":
		return match.StudentSettings(), true
	case "person":
		return match.PersonSettings(), true
	}
	return match.Settings{}, false
}
