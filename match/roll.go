package match

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/studentlink/studentlink/normalize"
)

// Column maps an input column to a role. Several columns may share a role (street number
// and street name both mapped to address); their values are joined with a space.
type Column struct {
	Name string         `json:"name"`
	Role normalize.Role `json:"role"`
	// Optional columns may be absent from an input's header; required ones must be there
	// (their values may still be empty on a row).
	Optional bool `json:"optional,omitempty"`
}

// Roll holds input records read from one or more sources, raw, as submitted: the values
// travel with the record for output, review and the backpack. Record i is row i of every
// slice.
type Roll struct {
	// Sources names each source (a file name, an LEA); Source[i] indexes it.
	Sources []string
	Source  []int32
	// IDs are the record IDs, unique across the roll.
	IDs []string
	// Lines are the 1-based line numbers of the records in their source.
	Lines []int32
	// Rows hold each record's fields in its source's column order; Headers[s] names them.
	Rows    [][]string
	Headers [][]string

	idColumn string
	columns  []Column
	// roleFields[s][role] lists the field indexes of source s that feed a role.
	roleFields []map[normalize.Role][]int
	extras     []string
	byID       map[string]int32
}

// NewRoll returns an empty roll whose records have their ID in idColumn and their other
// values in columns.
func NewRoll(idColumn string, columns []Column) (*Roll, error) {
	if idColumn == "" {
		return nil, errors.New("match: no record ID column given")
	}
	seen := map[string]bool{idColumn: true}
	r := &Roll{idColumn: idColumn, byID: map[string]int32{}}
	for _, c := range columns {
		if c.Name == "" {
			return nil, fmt.Errorf("match: a column mapped to role %q has no name", c.Role)
		}
		if seen[c.Name] {
			return nil, fmt.Errorf("match: column %q is mapped twice", c.Name)
		}
		seen[c.Name] = true
		if name, ok := c.Role.ExtraName(); ok {
			r.extras = append(r.extras, name)
		} else if !knownRole(c.Role) {
			return nil, fmt.Errorf("match: column %q has unknown role %q", c.Name, c.Role)
		}
		r.columns = append(r.columns, c)
	}
	return r, nil
}

func knownRole(role normalize.Role) bool {
	for _, k := range normalize.Roles() {
		if role == k {
			return true
		}
	}
	return false
}

// IDColumn returns the name of the record ID column.
func (r *Roll) IDColumn() string { return r.idColumn }

// Len returns the number of records.
func (r *Roll) Len() int { return len(r.IDs) }

// ExtraNames returns the names of the extra columns, in the order of Record.Extra.
func (r *Roll) ExtraNames() []string { return r.extras }

// Index returns the index of the record with the given ID.
func (r *Roll) Index(id string) (int, bool) {
	i, ok := r.byID[id]
	return int(i), ok
}

// ReadCSVFile reads a CSV file into the roll as a new source named after the file.
func (r *Roll) ReadCSVFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("match: %w", err)
	}
	defer f.Close()
	return r.ReadCSV(path, f)
}

// ReadCSV reads CSV records with a header row into the roll as a new source. Columns may
// come in any order; columns no role names are kept and ignored; leading spaces of fields
// are trimmed. A row with the wrong number of fields, invalid UTF-8, a missing or
// duplicate record ID, or a header without a required column stops the read with an error
// naming the source, line and column; records read before it are kept.
func (r *Roll) ReadCSV(source string, in io.Reader) error {
	cr := csv.NewReader(in)
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return fmt.Errorf("match: %s: empty input, no header row", source)
	}
	if err != nil {
		return fmt.Errorf("match: %s: %w", source, err)
	}
	header = trimFields(header)
	for c, h := range header {
		if !utf8.ValidString(h) {
			return fmt.Errorf("match: %s:1: column %d: header is not valid UTF-8", source, c+1)
		}
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	pos := map[string]int{}
	for c, h := range header {
		if _, dup := pos[h]; dup {
			return fmt.Errorf("match: %s:1: column %q appears twice in the header", source, h)
		}
		pos[h] = c
	}
	idField, ok := pos[r.idColumn]
	if !ok {
		return fmt.Errorf("match: %s:1: required column %q is missing from the header", source, r.idColumn)
	}
	fields := map[normalize.Role][]int{}
	for _, c := range r.columns {
		f, ok := pos[c.Name]
		if !ok {
			if c.Optional {
				continue
			}
			return fmt.Errorf("match: %s:1: required column %q (%s) is missing from the header", source, c.Name, c.Role)
		}
		fields[c.Role] = append(fields[c.Role], f)
	}
	s := int32(len(r.Sources))
	r.Sources = append(r.Sources, source)
	r.Headers = append(r.Headers, header)
	r.roleFields = append(r.roleFields, fields)
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return fmt.Errorf("match: %s: %w", source, err)
			}
			if pe.Err == csv.ErrFieldCount {
				return fmt.Errorf("match: %s:%d: %d fields, want %d as in the header", source, pe.StartLine, len(row), len(header))
			}
			return fmt.Errorf("match: %s:%d: column %d: %v", source, pe.Line, pe.Column, pe.Err)
		}
		line, _ := cr.FieldPos(0)
		row = trimFields(row)
		for c, v := range row {
			if !utf8.ValidString(v) {
				return fmt.Errorf("match: %s:%d: column %q: value is not valid UTF-8", source, line, header[c])
			}
		}
		id := row[idField]
		if id == "" {
			return fmt.Errorf("match: %s:%d: column %q: empty record ID", source, line, r.idColumn)
		}
		if prev, dup := r.byID[id]; dup {
			return fmt.Errorf("match: %s:%d: column %q: record ID %q already used at %s:%d",
				source, line, r.idColumn, id, r.Sources[r.Source[prev]], r.Lines[prev])
		}
		r.byID[id] = int32(len(r.IDs))
		r.IDs = append(r.IDs, id)
		r.Source = append(r.Source, s)
		r.Lines = append(r.Lines, int32(line))
		r.Rows = append(r.Rows, row)
	}
}

// trimFields trims trailing spaces (csv trims only leading ones) in place.
func trimFields(row []string) []string {
	for k, v := range row {
		row[k] = strings.TrimRight(v, " \t")
	}
	return row
}

// Value returns record i's value for a role: the fields mapped to it joined by a space, or
// "" when the source has none.
func (r *Roll) Value(i int, role normalize.Role) string {
	fields := r.roleFields[r.Source[i]][role]
	switch len(fields) {
	case 0:
		return ""
	case 1:
		return r.Rows[i][fields[0]]
	}
	var b strings.Builder
	for _, f := range fields {
		if v := r.Rows[i][f]; v != "" {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(v)
		}
	}
	return b.String()
}

// Column returns record i's value in the named column of its source, or "" when the
// source has no such column.
func (r *Roll) Column(i int, name string) string {
	for c, h := range r.Headers[r.Source[i]] {
		if h == name {
			return r.Rows[i][c]
		}
	}
	return ""
}

// Record returns record i's values by role, for normalize.
func (r *Roll) Record(i int) normalize.Record {
	rec := normalize.Record{
		Given:     r.Value(i, normalize.RoleGiven),
		Middle:    r.Value(i, normalize.RoleMiddle),
		Family:    r.Value(i, normalize.RoleFamily),
		Suffix:    r.Value(i, normalize.RoleSuffix),
		FullName:  r.Value(i, normalize.RoleFullName),
		BirthDate: r.Value(i, normalize.RoleBirthDate),
		Sex:       r.Value(i, normalize.RoleSex),
		SSID:      r.Value(i, normalize.RoleSSID),
		LocalID:   r.Value(i, normalize.RoleLocalID),
		Grade:     r.Value(i, normalize.RoleGrade),
		Address:   r.Value(i, normalize.RoleAddress),
		City:      r.Value(i, normalize.RoleCity),
		Zip:       r.Value(i, normalize.RoleZip),
		LEA:       r.Value(i, normalize.RoleLEA),
		School:    r.Value(i, normalize.RoleSchool),
	}
	if other := r.Value(i, normalize.RoleOtherNames); other != "" {
		rec.OtherNames = splitOtherNames(other)
	}
	if len(r.extras) > 0 {
		rec.Extra = make([]string, len(r.extras))
		for k, name := range r.extras {
			rec.Extra[k] = r.Value(i, normalize.ExtraRole(name))
		}
	}
	return rec
}

// splitOtherNames splits a column of other names separated by semicolons or pipes.
func splitOtherNames(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '|' })
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Problem is a value that could not be used: the record is kept and the value treated as
// missing.
type Problem struct {
	Source   string
	Line     int
	RecordID string
	Field    string
	Value    string
	Err      error
}

func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: record %q: %s %q: %v", p.Source, p.Line, p.RecordID, p.Field, p.Value, p.Err)
}
