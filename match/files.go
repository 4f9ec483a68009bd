package match

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Columns of the review file that ReadDecisions reads back.
const (
	colRecordA = "record_a"
	colSourceA = "source_a"
	colRecordB = "record_b"
	colSourceB = "source_b"
	colVerdict = "verdict"
	colBy      = "by"
	colAt      = "at"
)

// Verdicts a reviewer writes in the review file's verdict column.
const (
	VerdictSame      = "same"
	VerdictDifferent = "different"
)

// WriteReview writes the review queue as CSV, one pair a row, for a reviewer to fill in
// and give back to ReadDecisions: record_a, source_a, record_b, source_b, then verdict, by
// and at left blank (the reviewer writes same or different, their name and the date),
// the weight and probability, the reason, and for a refused link the rule that refused
// it and the two records it found different (conflict_a and conflict_b, with their
// sources: one in each student the link would join); the model's explanation; then both
// records' values side by side, a.COLUMN and b.COLUMN for every input column.
func (r *Result) WriteReview(w io.Writer) error {
	roll := r.Prepared.Roll
	cols := roll.valueColumns()
	header := []string{colRecordA, colSourceA, colRecordB, colSourceB, colVerdict, colBy, colAt,
		"match_weight", "match_probability", "reason", "rule", "conflict_a", "conflict_source_a", "conflict_b", "conflict_source_b", "explanation"}
	for _, c := range cols {
		header = append(header, "a."+c, "b."+c)
	}
	cw := csv.NewWriter(w)
	_ = cw.Write(header)
	for _, it := range r.Review {
		row := []string{it.A, it.SourceA, it.B, it.SourceB, "", "", "",
			strconv.FormatFloat(it.Weight, 'f', 3, 64), strconv.FormatFloat(it.Probability, 'f', 4, 64), it.Reason, it.Rule,
			it.Against[0].ID, it.Against[0].Source, it.Against[1].ID, it.Against[1].Source, it.Explanation.String()}
		for _, c := range cols {
			row = append(row, roll.Column(int(it.RecordA), c), roll.Column(int(it.RecordB), c))
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// valueColumns names the input columns to show a record by, the ID aside, in order of
// first appearance over the sources: a column that fills a settings column under the
// settings column's name, so that sources naming it differently share it.
func (r *Roll) valueColumns() []string {
	var out []string
	for _, uses := range r.uses {
		for _, u := range uses {
			name := cmp.Or(u.Column, u.Header)
			if name != r.idColumn && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// ReadDecisions reads reviewers' verdicts from CSV with a header: the review file
// WriteReview wrote, with its verdict column filled in, or any file with the columns
// record_a, record_b and verdict (source_a, source_b, by and at optional). A verdict is
// same or different (any case); a blank verdict leaves the pair undecided and is
// skipped. at is a date (2024-05-01, or as a spreadsheet rewrites it: 5/13/2024 or
// 13/5/2024, not 5/1/2024, which could be either) or a time (RFC 3339, or 2024-05-01 14:30). A pair decided both ways is an
// error naming both lines. The file is UTF-8 or UTF-16 (a spreadsheet's "Unicode text"),
// its fields separated by commas, semicolons or tabs. A relative source path that is no
// file from here but is one beside the decisions file is read from there (besideFile).
func ReadDecisions(name string, in io.Reader) ([]Decision, error) {
	cr, err := spreadsheetCSV(in)
	if err != nil {
		return nil, fmt.Errorf("match: decisions %s: %w", name, err)
	}
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("match: decisions %s: empty, no header row", name)
		}
		return nil, fmt.Errorf("match: decisions %s: %w", name, err)
	}
	col := map[string]int{}
	for c, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; !dup {
			col[h] = c
		}
	}
	for _, need := range []string{colRecordA, colRecordB, colVerdict} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("match: decisions %s:1: no %s column; read: %s", name, need, quoteHeader(header))
		}
	}
	get := func(row []string, c string) string {
		if k, ok := col[c]; ok && k < len(row) {
			return strings.TrimSpace(row[k])
		}
		return ""
	}
	var out []Decision
	source := besideFile(name)
	seen := map[[2]RecordRef]int{} // pair → index in out
	cr.FieldsPerRecord = -1
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("match: decisions %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		verdict := strings.ToLower(get(row, colVerdict))
		if verdict == "" {
			continue
		}
		d := Decision{A: get(row, colRecordA), SourceA: source(get(row, colSourceA)), B: get(row, colRecordB), SourceB: source(get(row, colSourceB)), By: get(row, colBy),
			Where: fmt.Sprintf("%s:%d", name, line)}
		switch verdict {
		case VerdictSame:
			d.Same = true
		case VerdictDifferent:
		default:
			return nil, fmt.Errorf("match: decisions %s:%d: verdict %q: want %s or %s, or blank to leave the pair undecided", name, line, verdict, VerdictSame, VerdictDifferent)
		}
		if d.A == "" || d.B == "" {
			return nil, fmt.Errorf("match: decisions %s:%d: a verdict needs both records (record_a, record_b)", name, line)
		}
		if d.At, err = parseDecided(get(row, colAt)); err != nil {
			return nil, fmt.Errorf("match: decisions %s:%d: at: %w", name, line, err)
		}
		a, b := RecordRef{Source: d.SourceA, ID: d.A}, RecordRef{Source: d.SourceB, ID: d.B}
		if b.Key() < a.Key() {
			a, b = b, a
		}
		if k, ok := seen[[2]RecordRef{a, b}]; ok {
			if out[k].Same != d.Same {
				return nil, fmt.Errorf("match: decisions %s:%d: records %s and %s were decided the other way on an earlier line", name, line, a, b)
			}
			continue
		}
		seen[[2]RecordRef{a, b}] = len(out)
		out = append(out, d)
	}
}

// spreadsheetCSV returns a CSV reader of a file a reviewer may have saved from a
// spreadsheet: UTF-8, or UTF-16 ("Unicode text"), its fields separated by commas or, as
// some locales save them, semicolons or tabs (sniffComma).
func spreadsheetCSV(in io.Reader) (*csv.Reader, error) {
	text, _, err := decode(in, "")
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(text, 64<<10)
	return newCSVReader(br, sniffComma(br)), nil
}

// slashDate is a date as a spreadsheet rewrites it: two numbers and a year.
var slashDate = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/\d{4}\b`)

// parseDecided reads a decision's date or time ("" is the zero time). A date a
// spreadsheet rewrote with slashes is read in whichever order its numbers allow (5/13/2024
// month first, 13/5/2024 day first); one that allows both (2/1/2024) is an error, since
// the later verdict wins by it.
func parseDecided(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	layouts := []string{time.RFC3339, time.DateOnly, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04"}
	if m := slashDate.FindStringSubmatch(s); m != nil {
		first, _ := strconv.Atoi(m[1])
		second, _ := strconv.Atoi(m[2])
		if first <= 12 && second <= 12 && first != second {
			return time.Time{}, fmt.Errorf("%q could be month first or day first: write it 2024-05-01", s)
		}
		order := "1/2/2006" // month first
		if first > 12 {
			order = "2/1/2006"
		}
		layouts = []string{order, order + " 15:04", order + " 15:04:05", order + " 3:04 PM", order + " 3:04:05 PM"}
	}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date or time this reads: 2024-05-01, 2024-05-01 14:30 or 2024-05-01 14:30:05 (a T for the space allowed, "+
		"with seconds a zone too: 2024-05-01T14:30:05Z), or 5/13/2024 month first or 13/5/2024 day first, alone or with 14:30, 14:30:05, 2:30 PM or 2:30:05 PM", s)
}

// besideFile returns how a file at path names its sources: a relative path that is no
// file from here but is one beside that file (an earlier run's -out, written in the
// folder the run was made in, read from another) is taken from there; one that is a file
// both from here and beside that file, two different files, names neither (which folder
// the writer ran in is not known: A/ids.csv's "roll.csv" read from B is A's or B's); any
// other name is kept as written. Names are looked up once each.
func besideFile(path string) func(string) string {
	keep := func(s string) string { return s }
	st, err := os.Stat(path)
	dir := filepath.Dir(path)
	if err != nil || !st.Mode().IsRegular() || dir == "." {
		return keep
	}
	seen := map[string]string{}
	return func(src string) string {
		if src == "" || filepath.IsAbs(src) {
			return src
		}
		if was, ok := seen[src]; ok {
			return was
		}
		name := src
		p := filepath.Join(dir, src)
		here, errHere := os.Stat(src)
		beside, errBeside := os.Stat(p)
		switch {
		case errHere != nil && errBeside == nil:
			name = p
		case errHere == nil && errBeside == nil && !os.SameFile(here, beside):
			name = src + " (ambiguous: a file of that name here and another beside " + filepath.Base(path) + ")"
		}
		seen[src] = name
		return name
	}
}

// ReadStudentIDs reads the student IDs of an earlier run from its clusters file
// (WriteClusters: record_id, source, cluster_id …; student_id may stand for cluster_id,
// and a file without a source column names records by ID alone), keyed for
// RunOptions.EarlierIDs. Sources are read as ReadDecisions reads them (besideFile); a
// renamed export is said with RenameEarlierSource.
func ReadStudentIDs(name string, in io.Reader) (map[string]string, error) {
	cr, err := spreadsheetCSV(in)
	if err != nil {
		return nil, fmt.Errorf("match: student IDs %s: %w", name, err)
	}
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("match: student IDs %s: %w", name, err)
	}
	id, src, student := -1, -1, -1
	for c, h := range header {
		switch strings.TrimPrefix(h, "\ufeff") {
		case "record_id":
			id = c
		case "source":
			src = c
		case "cluster_id", "student_id":
			if student < 0 {
				student = c
			}
		}
	}
	if id < 0 || student < 0 {
		return nil, fmt.Errorf("match: student IDs %s:1: want the columns record_id and cluster_id (source optional); read: %s", name, quoteHeader(header))
	}
	out := map[string]string{}
	source := besideFile(name)
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("match: student IDs %s: %w", name, err)
		}
		ref := RecordRef{ID: row[id]}
		if src >= 0 {
			ref.Source = source(row[src])
		}
		prev, dup := out[ref.Key()]
		if dup && prev != row[student] {
			line, _ := cr.FieldPos(0)
			return nil, fmt.Errorf("match: student IDs %s:%d: record %s has two student IDs, %s and %s", name, line, ref, prev, row[student])
		}
		out[ref.Key()] = row[student]
	}
}

// WriteIDChanges writes the students split or merged since the earlier run, one a row:
// kind (split or merged), the earlier student IDs and the student IDs now, each list
// separated by spaces.
func (r *Result) WriteIDChanges(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"kind", "earlier", "now"})
	for _, c := range r.IDChanges {
		_ = cw.Write([]string{c.Kind, strings.Join(c.Earlier, " "), strings.Join(c.Now, " ")})
	}
	cw.Flush()
	return cw.Error()
}
