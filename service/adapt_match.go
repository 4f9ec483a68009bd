package service

// Adapters between the store and package match. The service keeps each record as a row of
// the student CSV (match.StudentColumns) and lets match read those rows as it reads any
// roll, so that no mapping of columns to roles, and no matching rule, lives here.

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/match"
	"github.com/studentlink/studentlink/normalize"
)

// idColumn is the record ID column of the student CSV.
const idColumn = "record_id"

// studentHeader is the header of the rows the store keeps: the student CSV as backpack
// writes it from Ed-Fi submissions (the record ID, then the columns an LEA's records
// carry). match's student columns may be more (a full name, other names), all optional.
func studentHeader() []string { return backpack.StudentCSVHeader() }

// checkSettings refuses a linker that does not read the student CSV: the store's rows
// are in that layout.
func checkSettings(s match.Settings) error {
	if s.IDColumn != idColumn {
		return fmt.Errorf("service: the linker's ID column is %q; the service keeps records in the student CSV, whose ID column is %q", s.IDColumn, idColumn)
	}
	have := map[string]bool{}
	for _, c := range s.Columns {
		have[c.Name] = true
	}
	for _, name := range studentHeader()[1:] {
		if !have[name] {
			return fmt.Errorf("service: the linker's settings lack the student CSV column %q", name)
		}
	}
	return nil
}

// rowOf returns record i of a roll as a store row (every student CSV column).
func rowOf(roll *match.Roll, i int) map[string]string {
	row := map[string]string{}
	for _, name := range studentHeader()[1:] {
		if v := roll.Column(i, name); v != "" {
			row[name] = v
		}
	}
	return row
}

// encodeRow writes a record as one line of the student CSV (without its newline), as
// the store keeps it: the record ID, then every column in the header's order.
func encodeRow(id string, row map[string]string) string {
	header := studentHeader()
	line := make([]string, len(header))
	line[0] = id
	for c, name := range header[1:] {
		line[c+1] = row[name]
	}
	var b strings.Builder
	cw := csv.NewWriter(&b)
	cw.Write(line)
	cw.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

// decodeRow reads a line encodeRow wrote.
func decodeRow(line string) (string, map[string]string, error) {
	ids, rows, err := readRows(strings.NewReader(strings.Join(studentHeader(), ",") + "\n" + line + "\n"))
	if err != nil {
		return "", nil, err
	}
	if len(ids) != 1 {
		return "", nil, fmt.Errorf("service: a stored record line holds %d records", len(ids))
	}
	return ids[0], rows[0], nil
}

// readRows reads the student CSV (as WriteStudentCSV writes it) into store rows.
func readRows(r io.Reader) (ids []string, rows []map[string]string, err error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("service: student CSV header: %w", err)
	}
	for {
		line, err := cr.Read()
		if err == io.EOF {
			return ids, rows, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("service: student CSV: %w", err)
		}
		row := map[string]string{}
		id := ""
		for c, name := range header {
			switch {
			case name == idColumn:
				id = line[c]
			case line[c] != "":
				row[name] = line[c]
			}
		}
		ids, rows = append(ids, id), append(rows, row)
	}
}

// rollOf reads lines of the student CSV (as encodeRow writes them) into a roll of the
// linker's settings.
func rollOf(s match.Settings, source string, lines []string) (*match.Roll, error) {
	var b strings.Builder
	b.WriteString(strings.Join(studentHeader(), ","))
	b.WriteByte('\n')
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	roll, err := s.NewRoll()
	if err != nil {
		return nil, err
	}
	if err := roll.ReadCSV(source, strings.NewReader(b.String())); err != nil {
		return nil, err
	}
	return roll, nil
}

// recordOf turns one stored record into the record match places, reading its row as the
// linker reads a line of the student CSV (match.RowReader: no CSV, no Roll).
func (s *Server) recordOf(id string, row map[string]string) (normalize.Record, error) {
	header := s.rows.header
	line := make([]string, len(header))
	line[0] = id
	for c, name := range header[1:] {
		line[c+1] = row[name]
	}
	return s.rows.Record(line)
}

// rowReader reads rows of the student CSV's values into the records match places.
type rowReader struct {
	*match.RowReader
	header []string // studentHeader()
}

// newRowReader returns the reader of the student CSV's rows under the linker's settings.
// backpack.StudentCSVRows writes its rows in the same order.
func newRowReader(s match.Settings) (rowReader, error) {
	header := studentHeader()
	if header[0] != idColumn {
		return rowReader{}, fmt.Errorf("service: backpack's student CSV starts with %q, not the record ID column %q", header[0], idColumn)
	}
	rr, err := s.NewRowReader(header)
	return rowReader{rr, header}, err
}

// buildIndex builds the linker's index over stored records and the students the store
// gives them, without re-deciding anything: match prepares the records, the labels are
// the stored student IDs. (match offers no constructor for an index over records whose
// students are already known; a hand-made Result carries them.)
func buildIndex(ctx context.Context, l *match.Linker, lines, students []string) (*match.Index, error) {
	roll, err := rollOf(l.Settings(), "store", lines)
	if err != nil {
		return nil, err
	}
	p, err := l.Prepare(ctx, roll, match.RunOptions{})
	if err != nil {
		return nil, err
	}
	label := make([]int32, len(students))
	byID := map[string]int32{}
	var names []string
	for i, sid := range students {
		lab, ok := byID[sid]
		if !ok {
			lab = int32(len(names))
			byID[sid] = lab
			names = append(names, sid)
		}
		label[i] = lab
	}
	return l.NewIndex(&match.Result{Prepared: p, Label: label, StudentIDs: names})
}

// newStudentID names a new student whose first record is the one given, by match's own
// rule for new students, avoiding the IDs taken says are in use. match does not export
// the rule, so a one-record run applies it; an ID in use is passed back as an earlier ID,
// which match never reissues.
func newStudentID(ctx context.Context, l *match.Linker, id string, row map[string]string, taken func(string) bool) (string, error) {
	roll, err := rollOf(l.Settings(), "new", []string{encodeRow(id, row)})
	if err != nil {
		return "", err
	}
	earlier := map[string]string{}
	for range 100 {
		res, err := l.Run(ctx, roll, match.RunOptions{Workers: 1, EarlierIDs: earlier})
		if err != nil {
			return "", err
		}
		sid := res.StudentIDs[0]
		if !taken(sid) {
			return sid, nil
		}
		earlier["\x00in use "+sid] = sid
	}
	return "", fmt.Errorf("service: no free student ID for record %q", id)
}

// likely keeps the candidates worth showing a person: those whose weight reaches the
// linker's lower threshold (review or match), best first, but for those whose student a
// cannot-link rule refuses: a twin shown at a score of 96 would be taken for the child.
// It reuses cands' array.
func likely(l *match.Linker, cands []match.Candidate) []match.Candidate {
	lower := l.Settings().Thresholds.Lower
	return slices.DeleteFunc(cands, func(c match.Candidate) bool { return c.Weight < lower || c.Refused != "" })
}
