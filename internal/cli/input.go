package cli

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	studentlink "github.com/studentlink/studentlink"
	"github.com/studentlink/studentlink/match"
)

// readInputs reads the -in files (or the embedded sample) into the roll, setting broken
// rows aside in the -skip-bad-rows file when it is given. It returns the truth file to
// use by default (the sample's) and its data.
func (o *Outcome) readInputs(roll *match.Roll, f Flags) (truthFile string, truthData []byte, err error) {
	opt := match.ReadOptions{Encoding: f.Encoding}
	if f.SkipBadRows != "" {
		opt.Reject = func(x match.Rejected) { o.Rejected = append(o.Rejected, x) }
	}
	truthFile = f.TruthFile
	if len(f.In) == 0 {
		data, err := studentlink.Testdata.ReadFile(SampleRoll)
		if err != nil {
			return "", nil, err
		}
		if o.Reads, err = readSample(roll, data, f.SplitBy, opt); err != nil {
			return "", nil, err
		}
		if truthFile == "" && f.Truth == "" {
			truthData, _ = studentlink.Testdata.ReadFile(SampleTruth)
			truthFile = SampleTruth
		}
	}
	for _, in := range f.In {
		n, err := roll.ReadFile(in, opt)
		o.Reads = append(o.Reads, n)
		if err != nil {
			return "", nil, withColumnsHint(err)
		}
	}
	if f.SkipBadRows != "" && f.SkipBadRows != "-" {
		if err := writeFile(f.SkipBadRows, o.writeRejected); err != nil {
			return "", nil, fmt.Errorf("-skip-bad-rows: %w", err)
		}
	}
	return truthFile, truthData, nil
}

// writeRejected writes the rows set aside: file, line (first-last for a row over
// several lines) and reason.
func (o *Outcome) writeRejected(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"file", "line", "reason"})
	for _, x := range o.Rejected {
		line := strconv.Itoa(x.Line)
		if x.EndLine > x.Line {
			line += "-" + strconv.Itoa(x.EndLine)
		}
		_ = cw.Write([]string{x.Source, line, x.Reason})
	}
	cw.Flush()
	return cw.Error()
}

// readTruth returns each record's true ID from the -truth column or the truth file, or
// nil when there is neither.
func readTruth(roll *match.Roll, f Flags, truthFile string, truthData []byte) ([]string, error) {
	switch {
	case f.Truth != "":
		return truthColumn(roll, f.Truth, f.TruthRe)
	case truthFile != "":
		if truthData == nil {
			var err error
			if truthData, err = readInput("-truth-file", truthFile, listCap); err != nil {
				return nil, err
			}
		}
		return truthFromFile(roll, truthFile, truthData)
	}
	return nil, nil
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
	matched := 0
	for i := range out {
		v := roll.Column(i, column)
		if column == roll.IDColumn() {
			v = roll.IDs[i]
		}
		if re != nil {
			if m := re.FindStringSubmatch(v); len(m) > 1 {
				v = m[1]
				matched++
			}
		}
		if v == "" {
			return nil, fmt.Errorf("%s:%d: record %q has no true ID in column %q", roll.Sources[roll.Source[i]], roll.Lines[i], roll.IDs[i], column)
		}
		out[i] = v
	}
	if re != nil && matched == 0 && len(out) > 0 {
		return nil, fmt.Errorf("-truth-regexp %q matches no value of the -truth column %q (the first: %q): every record would be its own student", expr, column, out[0])
	}
	return out, nil
}

// truthFromFile reads record_id,true_id rows (with a source column where sources share
// record IDs) and returns each record's true ID.
func truthFromFile(roll *match.Roll, name string, data []byte) ([]string, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	id, src, val := -1, -1, -1
	for c, h := range header {
		switch {
		case h == "record_id":
			id = c
		case h == "source":
			src = c
		case val < 0:
			val = c
		}
	}
	if id < 0 || val < 0 {
		return nil, fmt.Errorf("%s: header %v needs record_id and a true ID column (source optional)", name, header)
	}
	truth := map[string]string{}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		ref := match.RecordRef{ID: row[id]}
		if src >= 0 {
			ref.Source = row[src]
		}
		truth[ref.Key()] = row[val]
	}
	out := make([]string, roll.Len())
	for i := range out {
		ref := roll.Ref(i)
		t, ok := truth[ref.Key()]
		if !ok && !roll.SharedID(i) {
			t, ok = truth[ref.ID]
		}
		if !ok {
			return nil, fmt.Errorf("%s: no true ID for record %s", name, ref)
		}
		out[i] = t
	}
	return out, nil
}

// readSample reads the embedded sample roll as one source, or as one source per value of
// the split column.
func readSample(roll *match.Roll, data []byte, split string, opt match.ReadOptions) ([]match.ReadCount, error) {
	if split == "" {
		n, err := roll.Read(SampleRoll, bytes.NewReader(data), opt)
		return []match.ReadCount{n}, err
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(rows) == 0 {
		return nil, fmt.Errorf("%s: %v", SampleRoll, err)
	}
	col := -1
	for c, h := range rows[0] {
		if h == split {
			col = c
		}
	}
	if col < 0 {
		return nil, fmt.Errorf("%s: no column %q to split by", SampleRoll, split)
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
	var counts []match.ReadCount
	for _, key := range order {
		n, err := roll.Read(fmt.Sprintf("%s[%s=%s]", SampleRoll, split, key), parts[key], opt)
		counts = append(counts, n)
		if err != nil {
			return counts, err
		}
	}
	return counts, nil
}

// Settings returns the settings the flags name: -settings, else -preset, with -mode and
// -columns applied, as dedupe and link use them.
func Settings(f Flags) (match.Settings, error) { return loadSettings(f) }

// DescribeColumns writes what the summary says of the roll's columns: for each distinct
// header among its sources, what each column fills and how it matched, the columns
// ignored and the settings columns absent.
func DescribeColumns(w io.Writer, roll *match.Roll) { printColumns(w, roll) }

// withColumnsHint adds to an error for a required column the header lacks the -columns
// flag that names the file's own column for it.
func withColumnsHint(err error) error {
	var missing *match.MissingColumnError
	if !errors.As(err, &missing) {
		return err
	}
	role := string(missing.Role)
	if role == "" {
		role = "id"
	}
	return fmt.Errorf("%w (if the file has it under another name, say which: -columns %s=Header)", err, role)
}
