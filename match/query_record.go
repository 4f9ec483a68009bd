package match

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/studentlink/studentlink/normalize"
)

// RowReader turns rows of values — one record's fields in the order of a header, as a
// program holds them before writing CSV — into the records Index.Query takes, exactly as
// a Roll of the same settings reads them from CSV with that header (csv.Writer's output
// read back by Roll.Read), but without writing or parsing CSV and without a Roll per
// record. It is safe for concurrent use.
type RowReader struct {
	roll *Roll // the header's source and its resolution; no records
	id   int   // the record ID's field
}

// NewRowReader resolves header against the settings' columns as Roll.Read resolves a CSV
// header (by name, by name with case and punctuation aside, by the names districts use):
// a header without the ID column or a required column is an error.
func (s Settings) NewRowReader(header []string) (*RowReader, error) {
	r, err := s.NewRoll()
	if err != nil {
		return nil, err
	}
	header = trimFields(slices.Clone(header))
	for c, h := range header {
		if !utf8.ValidString(h) {
			return nil, fmt.Errorf("match: column %d: header is not valid UTF-8", c+1)
		}
	}
	res, err := resolveHeader(header, r.idColumn, r.columns)
	if err != nil {
		return nil, fmt.Errorf("match: %w", err)
	}
	r.Sources, r.Headers = []string{"rows"}, [][]string{header}
	r.addFields(res)
	return &RowReader{roll: r, id: res.id}, nil
}

// Record returns the record of one row: its fields trimmed of trailing spaces and tabs
// as Roll.Read trims them, then given to roles as Roll.Record gives them. A row with
// another number of fields than the header, a field that is not UTF-8 or an empty record
// ID is an error, as Roll.Read refuses such a row.
func (rr *RowReader) Record(row []string) (normalize.Record, error) {
	header := rr.roll.Headers[0]
	if len(row) != len(header) {
		return normalize.Record{}, fmt.Errorf("match: %d fields, want %d as in the header", len(row), len(header))
	}
	row = trimFields(slices.Clone(row))
	for c, v := range row {
		if !utf8.ValidString(v) {
			return normalize.Record{}, fmt.Errorf("match: column %q: value is not valid UTF-8", header[c])
		}
	}
	if row[rr.id] == "" {
		return normalize.Record{}, fmt.Errorf("match: column %q: empty record ID", header[rr.id])
	}
	r := *rr.roll // a one-record view: Roll.Record reads the record's source, row and extras
	r.rowText, r.rowEnds, r.rowOff, r.Source = nil, nil, nil, []int32{0}
	r.appendRow(row)
	return r.Record(0), nil
}

// Rank places rec as Query does — the same candidates, weights, probabilities and
// outcome — without explaining the candidates (their Explanation is empty): for a caller
// that shows who the candidates are and how likely, not why.
func (x *Index) Rank(rec normalize.Record, limit int) (Placement, error) {
	return x.query(rec, limit, false)
}
