package match

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
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
	// NameOnly columns match a header by their name alone (case, spaces and punctuation
	// aside), never by their role's aliases: a column the user named (WithColumns), whose
	// absence must not be filled by a guess.
	NameOnly bool `json:"name_only,omitempty"`
}

// Roll holds input records read from one or more sources, raw, as submitted: the values
// travel with the record for output, review and the backpack. Record i is row i of every
// slice.
type Roll struct {
	// Sources names each source (a file name, an LEA); Source[i] indexes it.
	Sources []string
	Source  []int32
	// IDs are the record IDs. An ID is unique within its source; two sources (LEAs that
	// number their students independently) may use the same one: a record is named by
	// its source and ID (Ref).
	IDs []string
	// Lines are the 1-based line numbers of the records in their source.
	Lines []int32
	// Headers[s] names source s's columns; Row(i) gives record i's fields in that order.
	Headers [][]string
	// rowText holds each record's fields end to end, and rowEnds[rowOff[i]:] where each
	// of record i's fields ends in it: one string and a few offsets a record, where a
	// slice of strings would cost 16 bytes a field more (a few hundred MB at 10^6).
	rowText []string
	rowEnds []uint32
	rowOff  []int32

	idColumn string
	columns  []Column
	// roleFields[s][role] lists the field indexes of source s that feed a role;
	// recordFields[s] the same for each of recordRoles and then each extra column, which
	// Record reads without a map lookup a role.
	roleFields   []map[normalize.Role][]int
	recordFields [][][]int
	// uses[s] says what each column of source s's header fills.
	uses [][]ColumnUse
	// dateOrder[s] counts how source s writes its birth dates, up to orderSample
	// telling values: Record reads an ambiguous one (03/04/2010) as the source does.
	dateOrder []normalize.DateOrderCount
	// headerOrder[s] is the order of day and month source s's birth date column's name
	// gives (DayFirst, MonthFirst; "" when none), which wins over what the dates say.
	headerOrder []string
	// headerNameOrder[s] is the order of names source s's full-name column's name gives
	// (FamilyFirst, GivenFirst; "" when none), which wins over what the names say;
	// nameOrder[s] counts what its first full names say (up to orderSample).
	headerNameOrder []string
	nameOrder       []normalize.NameOrderCount
	extras          []string
	// byRef finds a record by source and ID; byID by ID alone, -1 when several sources
	// use the ID.
	byRef map[recordKey]int32
	byID  map[string]int32
}

// recordKey is a record's identity within a roll: its source's index and its ID.
type recordKey struct {
	source int32
	id     string
}

// RecordRef names a record by its source and its ID there. Source "" names the record
// with that ID when only one source uses the ID.
type RecordRef struct {
	Source string `json:"source,omitempty"`
	ID     string `json:"id"`
}

// String writes the ref as the ID alone, or ID@source when the source is named.
func (r RecordRef) String() string {
	if r.Source == "" {
		return r.ID
	}
	return r.ID + "@" + r.Source
}

// NewRoll returns an empty roll whose records have their ID in idColumn and their other
// values in columns.
func NewRoll(idColumn string, columns []Column) (*Roll, error) {
	if idColumn == "" {
		return nil, errors.New("match: no record ID column given")
	}
	seen := map[string]bool{idColumn: true}
	r := &Roll{idColumn: idColumn, byRef: map[recordKey]int32{}, byID: map[string]int32{}}
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

// Index returns the index of the record with the given ID. ok is false when no record
// has the ID, and when records of several sources do: Find names a record by source too.
func (r *Roll) Index(id string) (int, bool) {
	i, ok := r.byID[id]
	return int(i), ok && i >= 0
}

// Key returns the ref as one string, the key of a record in RunOptions.EarlierIDs: the ID
// when Source is "", else the source and the ID joined by a NUL byte (which no source
// name holds).
func (r RecordRef) Key() string {
	if r.Source == "" {
		return r.ID
	}
	return r.Source + "\x00" + r.ID
}

// refOfKey is the record a RecordRef.Key names, or a bare record ID.
func refOfKey(key string) RecordRef {
	if source, id, ok := strings.Cut(key, "\x00"); ok {
		return RecordRef{Source: source, ID: id}
	}
	return RecordRef{ID: key}
}

// Find returns the index of the record ref names. A ref without a source finds the
// record with that ID when one source alone uses it; a source written by another path,
// or moved to another folder, finds its file (the one of that name). The error says which
// sources share an ID, or that no record has it.
func (r *Roll) Find(ref RecordRef) (int, error) {
	i, err := r.find(ref)
	if err != nil {
		return 0, fmt.Errorf("match: %w", err)
	}
	return i, nil
}

// find is Find with errors that do not name the package, for wrapping.
func (r *Roll) find(ref RecordRef) (int, error) {
	if ref.Source == "" {
		i, ok := r.byID[ref.ID]
		switch {
		case !ok:
			return 0, fmt.Errorf("record %q is not in the roll", ref.ID)
		case i < 0:
			return 0, fmt.Errorf("record ID %q is used by several sources (%s): name the source", ref.ID, strings.Join(r.sourcesOf(ref.ID), ", "))
		}
		return int(i), nil
	}
	s, ok := r.sourceNamed(ref.Source)
	if !ok {
		return 0, fmt.Errorf("record %q: no source %q in the roll (sources: %s)", ref.ID, ref.Source, strings.Join(r.Sources, ", "))
	}
	i, ok := r.byRef[recordKey{int32(s), ref.ID}]
	if !ok {
		return 0, fmt.Errorf("record %q is not in source %s", ref.ID, ref.Source)
	}
	return int(i), nil
}

// sourceNamed returns the source a name names: the source of that name, else the one
// whose path is the same file written otherwise ("./l1.csv", "/home/x/l1.csv" for
// "l1.csv"), else — where no file of that name is on disk — the one alone of that file
// name in another folder (a roll moved since the decisions or earlier IDs were written).
// A name that is a file on disk the roll did not read names no source, however its base
// name agrees with one's: B/roll.csv is not A/roll.csv.
func (r *Roll) sourceNamed(name string) (int, bool) {
	if s := slices.Index(r.Sources, name); s >= 0 {
		return s, true
	}
	want := absPath(name)
	if s := slices.IndexFunc(r.Sources, func(src string) bool { return absPath(src) == want }); s >= 0 {
		return s, true
	}
	if s, onDisk := r.sameFile(name); onDisk {
		return s, s >= 0
	}
	found := -1
	for s, src := range r.Sources {
		if filepath.Base(src) == filepath.Base(name) {
			if found >= 0 {
				return -1, false // two files of that name: which one is not known
			}
			found = s
		}
	}
	return found, found >= 0
}

// absPath returns p made absolute, or cleaned where it cannot be.
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// sameFile returns the index of the roll's source that is the file at path (by another
// path to it, or -1) and whether path is a file on disk at all.
func (r *Roll) sameFile(path string) (s int, onDisk bool) {
	st, err := os.Stat(path)
	if err != nil {
		return -1, false
	}
	return slices.IndexFunc(r.Sources, func(src string) bool {
		other, err := os.Stat(src)
		return err == nil && os.SameFile(other, st)
	}), true
}

// sourcesOf lists the sources holding a record with the ID.
func (r *Roll) sourcesOf(id string) []string {
	var out []string
	for s, name := range r.Sources {
		if _, ok := r.byRef[recordKey{int32(s), id}]; ok {
			out = append(out, name)
		}
	}
	return out
}

// Ref returns record i's source and ID.
func (r *Roll) Ref(i int) RecordRef {
	return RecordRef{Source: r.Sources[r.Source[i]], ID: r.IDs[i]}
}

// SharedID reports whether record i's ID is also used by a record of another source.
func (r *Roll) SharedID(i int) bool { return r.byID[r.IDs[i]] < 0 }

// ReadCSVFile reads a CSV file into the roll as a new source named after the file (see
// ReadCSV).
func (r *Roll) ReadCSVFile(path string) error {
	_, err := r.ReadFile(path, ReadOptions{})
	return err
}

// ReadCSV reads UTF-8 CSV records with a header row into the roll as a new source, and
// stops at the first broken row (see Read).
func (r *Roll) ReadCSV(source string, in io.Reader) error {
	_, err := r.Read(source, in, ReadOptions{})
	return err
}

// ReadOptions say how to read a CSV source.
type ReadOptions struct {
	// Encoding is the input's text encoding, one of Encodings: "" reads UTF-8, or UTF-16
	// when the input starts with a UTF-16 byte-order mark. A single-byte encoding
	// (windows-1252, iso-8859-1, iso-8859-15) is not applied to an input that is UTF-8
	// after all (a UTF-8 byte-order mark, or valid UTF-8 with a character of several
	// bytes in its first 64 KB): ReadCount.Encoding says how it was read.
	Encoding string
	// Comma is the field delimiter. 0 reads it from the header line: the commonest of
	// ',', ';', tab and '|' outside quotes there (a comma when none is), so that the
	// semicolon files of European spreadsheets and tab-separated exports read as they are.
	Comma rune
	// Reject, when set, is given each broken row — the wrong number of fields, bad
	// quoting, text that is not valid in the encoding, an empty record ID, an ID the
	// source already used — and reading goes on. When nil, such a row stops the read
	// with an error naming the source, line and column; rows before it are kept.
	Reject func(Rejected)
}

// newCSVReader reads fields separated by comma, skipping the spaces that open a field
// (", Smith") unless the separator is itself white space: encoding/csv would then skip
// the separators of empty fields too, and a tab-separated row with a blank cell would
// lose a column.
func newCSVReader(in io.Reader, comma rune) *csv.Reader {
	cr := csv.NewReader(in)
	cr.Comma = comma
	cr.TrimLeadingSpace = !unicode.IsSpace(comma)
	return cr
}

// excelSep reads the line "sep=;" a spreadsheet writes first to name a file's delimiter,
// and returns the delimiter, or 0 (and reads nothing) when the file does not start so.
func excelSep(br *bufio.Reader) rune {
	head, _ := br.Peek(7)
	if len(head) < 5 || !bytes.EqualFold(head[:4], []byte("sep=")) || (len(head) > 5 && head[5] != '\n' && head[5] != '\r') {
		return 0
	}
	sep := rune(head[4])
	end := 5
	for end < len(head) && end < 7 && (head[end] == '\r' || head[end] == '\n') {
		end++
		if head[end-1] == '\n' {
			break
		}
	}
	br.Discard(end)
	return sep
}

// repeatsHeader reports whether row is the header again (white space aside), looking at
// the record ID's field first: a data row's differs.
func repeatsHeader(row, header []string, idField int) bool {
	return strings.TrimSpace(row[idField]) == header[idField] && slices.Equal(trimFields(row), header)
}

// blankRow reports whether every field of row is empty or white space.
func blankRow(row []string) bool {
	for _, v := range row {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// crLines reads text whose lines end in a carriage return alone as lines ending in a
// newline, which encoding/csv reads; it would take such a file for one line.
type crLines struct{ r io.Reader }

func (c crLines) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

// sniffComma returns the delimiter of the header line at the start of br (see
// ReadOptions.Comma), without consuming it.
func sniffComma(br *bufio.Reader) rune {
	head, _ := br.Peek(br.Size())
	if i := bytes.IndexAny(head, "\r\n"); i >= 0 {
		head = head[:i]
	}
	counts := map[byte]int{}
	quoted := false
	for _, c := range head {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t' || c == '|'):
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t', '|'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}

// Rejected is a row set aside by Read: where it is and why.
type Rejected struct {
	Source string
	// Line is the row's first line in its source; EndLine its last (the same unless a
	// quoted field spans lines).
	Line, EndLine int
	// Fault is the kind of fault (one of the Fault constants); Reason says it of this row.
	Fault  string
	Reason string
}

// The faults a broken row is set aside for (Rejected.Fault).
const (
	FaultFields   = "wrong number of fields"
	FaultQuote    = "bad quoting"
	FaultEncoding = "text not valid UTF-8"
	FaultEmptyID  = "empty record ID"
	FaultSameID   = "record ID used twice"
	FaultRead     = "unreadable"
)

// ReadCount counts a source's data rows: every row read is kept or rejected, but for the
// row that stopped a read.
type ReadCount struct {
	Read, Kept, Rejected int
	// Skipped counts the rows that are no record and were passed over: every field
	// empty (a spreadsheet's ,,,, rows) or the header again (files joined end to end).
	Skipped int
	// Encoding is the encoding the input was read in: ReadOptions.Encoding, or "utf-8"
	// where the input was UTF-8 after all (see ReadOptions.Encoding) or none was named.
	Encoding string
}

// ReadFile reads a CSV file into the roll as a new source named after the file (see
// Read).
func (r *Roll) ReadFile(path string, opt ReadOptions) (ReadCount, error) {
	f, err := os.Open(path)
	if err != nil {
		return ReadCount{}, fmt.Errorf("match: %w", err)
	}
	defer f.Close()
	return r.Read(path, f, opt)
}

// Read reads CSV records with a header row into the roll as a new source. Columns may
// come in any order and are matched to the settings' columns by name, by name with case,
// spaces and punctuation aside ("Last_Name" for last_name), or by a name districts use
// for the role ("DOB" for a birth date), and a birth date no column gives whole from its
// year, month and day columns (BirthYear, BirthMonth, BirthDay; a year and a month, or a
// year alone, where no day column is given); other columns are kept and ignored (Header
// says which was which). Spaces around fields are trimmed. A header without a required
// column stops the read with an error that shows the header; a broken row stops it too,
// or goes to opt.Reject (see ReadOptions). Records read before an error are kept.
// Ambiguous birth dates (03/04/2010) are read day first when the source's others can
// only be read so (DateOrder). A birth date that names no day ("2012", "March 2012") is
// compared by what it names, and listed among the Problems.
func (r *Roll) Read(source string, in io.Reader, opt ReadOptions) (ReadCount, error) {
	var n ReadCount
	if err := r.checkSource(source); err != nil {
		return n, err
	}
	text, used, err := decode(in, opt.Encoding)
	if err != nil {
		return n, fmt.Errorf("match: %s: %w", source, err)
	}
	n.Encoding = used
	br := bufio.NewReaderSize(text, 64<<10)
	text = br
	comma := opt.Comma
	if sep := excelSep(br); sep != 0 && comma == 0 {
		comma = sep
	}
	if head, _ := br.Peek(br.Size()); bytes.IndexByte(head, '\n') < 0 && bytes.IndexByte(head, '\r') >= 0 {
		text = crLines{br} // a classic Mac OS export: its lines end in a carriage return alone
	}
	if comma == 0 {
		comma = sniffComma(br)
	}
	cr := newCSVReader(text, comma)
	cr.ReuseRecord = true // rows are copied into the roll's compact store
	header, err := cr.Read()
	if err == io.EOF {
		return n, fmt.Errorf("match: %s: empty input, no header row", source)
	}
	if err != nil {
		return n, fmt.Errorf("match: %s: header: %w", source, err)
	}
	header = slices.Clone(trimFields(header)) // the reader reuses its memory
	for c, h := range header {
		if !utf8.ValidString(h) {
			return n, fmt.Errorf("match: %s:1: column %d: header is not valid UTF-8%s", source, c+1, headerHint(header[0], opt.Encoding))
		}
		if strings.IndexByte(h, 0) >= 0 {
			return n, fmt.Errorf("match: %s:1: column %d: header has a zero byte, as text in UTF-16 read as another encoding has (name the encoding: utf-16le or utf-16be)", source, c+1)
		}
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	res, err := resolveHeader(header, r.idColumn, r.columns)
	if err != nil {
		return n, fmt.Errorf("match: %s:1: %w", source, err)
	}
	s := int32(len(r.Sources))
	r.Sources = append(r.Sources, source)
	r.Headers = append(r.Headers, header)
	r.addFields(res)
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return n, nil
		}
		if (err == nil || errors.Is(err, csv.ErrFieldCount)) && blankRow(row) || err == nil && repeatsHeader(row, header, res.id) {
			n.Skipped++
			continue
		}
		n.Read++
		line, end, fault, why := r.checkRow(cr, row, err, s, res.id, opt.Encoding)
		if why != "" {
			if opt.Reject == nil {
				return n, fmt.Errorf("match: %s:%d: %s", source, line, why)
			}
			n.Rejected++
			opt.Reject(Rejected{Source: source, Line: line, EndLine: end, Fault: fault, Reason: why})
			continue
		}
		n.Kept++
		r.appendRow(row)
		i := int32(len(r.IDs))
		id := r.fieldOf(int(i), res.id) // not row's: the reader reuses row's memory
		r.byRef[recordKey{s, id}] = i
		if _, used := r.byID[id]; used {
			i = -1 // another source uses the ID
		}
		r.byID[id] = i
		r.IDs = append(r.IDs, id)
		r.Source = append(r.Source, s)
		r.Lines = append(r.Lines, int32(line))
		if c := &r.dateOrder[s]; c.DayOnly+c.MonthOnly < orderSample {
			c.Add(r.joinFields(len(r.IDs)-1, r.recordFields[s][slotBirthDate]))
		}
		// Names split into words and looked up: judged on the source's first rows alone,
		// where a roll of names the table does not know would tell nothing on any row.
		if f := r.recordFields[s][slotFullName]; len(f) > 0 && r.nameOrder[s].Counted() < orderSample && n.Kept <= 10*orderSample {
			r.nameOrder[s].Add(r.joinFields(len(r.IDs)-1, f))
		}
	}
}

// NameOrder returns what source s's full names say of the order they are written in
// (from its first ten thousand rows, up to a thousand telling names).
func (r *Roll) NameOrder(s int) normalize.NameOrderCount { return r.nameOrder[s] }

// HeaderNameOrder returns the order of names source s's full-name column's name gives
// (FamilyFirst, GivenFirst), or "" when it gives none.
func (r *Roll) HeaderNameOrder(s int) string { return r.headerNameOrder[s] }

// FamilyFirst reports whether source s's full names without a comma are read family name
// first: as its full-name column's name says when it says (LastFirst: HeaderNameOrder),
// else when its names say so (NameOrder).
func (r *Roll) FamilyFirst(s int) bool {
	switch r.headerNameOrder[s] {
	case FamilyFirst:
		return true
	case GivenFirst:
		return false
	}
	return r.nameOrder[s].FamilyFirstOrder()
}

// orderSample is how many telling values a source's order is judged on (birth dates that
// can be read only one way, full names whose words tell given from family): enough to
// outweigh typos, few enough to cost nothing.
const orderSample = 1000

// DateOrder returns what source s's birth dates say of how it writes dates (from its
// first rows, up to a thousand telling dates); Record reads the source's ambiguous dates
// day first when its DayFirst reports true.
func (r *Roll) DateOrder(s int) normalize.DateOrderCount { return r.dateOrder[s] }

// DayFirst reports whether source s's ambiguous birth dates (03/04/2010) are read day
// first: as its birth date column's name says when it writes a format (Date of Birth
// (dd/mm/yyyy), DOB (mm/dd/yyyy): HeaderDateOrder), else when its dates can only be read
// so (DateOrder).
func (r *Roll) DayFirst(s int) bool {
	switch r.headerOrder[s] {
	case DayFirst:
		return true
	case MonthFirst:
		return false
	}
	return r.dateOrder[s].DayFirst()
}

// HeaderDateOrder returns the order of day and month source s's birth date column's name
// gives (DayFirst, MonthFirst), or "" when it gives none.
func (r *Roll) HeaderDateOrder(s int) string { return r.headerOrder[s] }

// appendRow stores a record's fields compactly (see rowText).
func (r *Roll) appendRow(row []string) {
	n := 0
	for _, v := range row {
		n += len(v)
	}
	var b strings.Builder
	b.Grow(n)
	r.rowOff = append(r.rowOff, int32(len(r.rowEnds)))
	for _, v := range row {
		b.WriteString(v)
		r.rowEnds = append(r.rowEnds, uint32(b.Len()))
	}
	r.rowText = append(r.rowText, b.String())
}

// fieldOf returns field f of record i.
func (r *Roll) fieldOf(i, f int) string {
	ends := r.rowEnds[r.rowOff[i]:]
	start := uint32(0)
	if f > 0 {
		start = ends[f-1]
	}
	return r.rowText[i][start:ends[f]]
}

// Row returns record i's fields in its source's column order (Headers of its source).
func (r *Roll) Row(i int) []string {
	row := make([]string, len(r.Headers[r.Source[i]]))
	for f := range row {
		row[f] = r.fieldOf(i, f)
	}
	return row
}

// checkRow says what is wrong with a row of source s as the CSV reader returned it (with
// err): its fault (a Fault constant) and why, "" if nothing, and its first and last lines;
// it trims the row's fields in place.
func (r *Roll) checkRow(cr *csv.Reader, row []string, err error, s int32, idField int, encoding string) (line, end int, fault, why string) {
	if err != nil {
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return 0, 0, FaultRead, err.Error()
		}
		if pe.Err == csv.ErrFieldCount {
			return pe.StartLine, pe.Line, FaultFields, fmt.Sprintf("%d fields, want %d as in the header", len(row), len(r.Headers[s]))
		}
		if pe.Line > pe.StartLine {
			return pe.StartLine, pe.Line, FaultQuote, fmt.Sprintf("%v at line %d, character %d (a quoted field runs on from line %d)", pe.Err, pe.Line, pe.Column, pe.StartLine)
		}
		return pe.StartLine, pe.Line, FaultQuote, fmt.Sprintf("character %d of the line: %v", pe.Column, pe.Err)
	}
	line, _ = cr.FieldPos(0)
	end, _ = cr.FieldPos(len(row) - 1)
	header := r.Headers[s]
	if end > line {
		if c, from := swallowedRows(row, cr.Comma, len(header)); c >= 0 {
			at, _ := cr.FieldPos(c)
			return line, end, FaultQuote, fmt.Sprintf("column %q: a quote opened at line %d closes only at line %d, and the field holds whole rows from line %d on: a quote left open swallowed them (a quote within a field is written twice: \"\")", header[c], at, at+strings.Count(row[c], "\n"), at+from)
		}
	}
	row = trimFields(row)
	id := row[idField]
	for c, v := range row {
		if !utf8.ValidString(v) {
			return line, end, FaultEncoding, fmt.Sprintf("%scolumn %q: value is not valid UTF-8%s", recordNamed(id), header[c], encodingHint(encoding))
		}
		if strings.IndexByte(v, 0) >= 0 {
			return line, end, FaultEncoding, fmt.Sprintf("%scolumn %q: value has a zero byte, as text in UTF-16 read as another encoding has", recordNamed(id), header[c])
		}
	}
	if id == "" {
		return line, end, FaultEmptyID, fmt.Sprintf("column %q: empty record ID", header[idField])
	}
	if prev, dup := r.byRef[recordKey{s, id}]; dup {
		why := fmt.Sprintf("column %q: record ID %q already used at %s:%d", header[idField], id, r.Sources[s], r.Lines[prev])
		if leas := r.roleFields[s][normalize.RoleLEA]; len(leas) == 1 {
			if was, is := r.Value(int(prev), normalize.RoleLEA), row[leas[0]]; was != is {
				why += fmt.Sprintf(" by LEA %q, here LEA %q: IDs must be unique within a file; give each LEA its own file (records are named by file and ID) or the file an ID unique across it", was, is)
			}
		}
		return line, end, FaultSameID, why
	}
	return line, end, "", ""
}

// recordNamed is the start of a message about a row whose record ID is id: `record "id", `
// where the ID can be read (present, valid UTF-8, no zero byte), else "".
func recordNamed(id string) string {
	if id == "" || !utf8.ValidString(id) || strings.IndexByte(id, 0) >= 0 {
		return ""
	}
	return fmt.Sprintf("record %q, ", id)
}

// swallowedRows returns the first field of row holding, on a line after its first, at
// least half as many delimiters as a row of width fields has (two at least, three for a
// comma, which an address's second line may hold: "Apt 4, Bldg B"), and that line's
// number within the field; -1 when none does. A quoted field may span lines (an address
// written on two), but a line of it that reads as a row is a row a quote left open took
// in.
func swallowedRows(row []string, comma rune, width int) (field, line int) {
	need := max(2, (width-1)/2)
	if comma == ',' {
		need = max(3, need)
	}
	for c, v := range row {
		for k, l := range strings.Split(v, "\n") {
			if k > 0 && strings.Count(l, string(comma)) >= need {
				return c, k
			}
		}
	}
	return -1, 0
}

// checkSource refuses a source name that is empty, holds a control character, or names
// a source already read: records are named by source and ID.
func (r *Roll) checkSource(source string) error {
	switch {
	case source == "":
		return errors.New("match: a source needs a name")
	case strings.ContainsFunc(source, unicode.IsControl):
		return fmt.Errorf("match: source name %q holds a control character", source)
	case slices.Contains(r.Sources, source):
		return fmt.Errorf("match: source %q is already in the roll", source)
	}
	if same, _ := r.sameFile(source); same >= 0 {
		return fmt.Errorf("match: %s is the file already read as source %s", source, r.Sources[same])
	}
	return nil
}

// trimFields trims white space around each field in place: trailing spaces, which csv
// keeps, and leading ones inside quotes or in a tab-separated file, where csv keeps them
// too, a no-break space included (a spreadsheet's padding): " A1" is record A1.
func trimFields(row []string) []string {
	for k, v := range row {
		row[k] = strings.TrimSpace(v)
	}
	return row
}

// The slots of Roll.recordFields: one a role Record reads, then the extra columns.
const (
	slotGiven = iota
	slotMiddle
	slotFamily
	slotSuffix
	slotFullName
	slotBirthDate
	slotSex
	slotSSID
	slotLocalID
	slotGrade
	slotAddress
	slotCity
	slotZip
	slotLEA
	slotSchool
	slotOtherNames
	slotEmail
	slotPhone
	slotEntryDate
	slotExtras // the first extra column's
)

// recordRoles are the roles of the slots before slotExtras.
var recordRoles = [slotExtras]normalize.Role{
	slotGiven: normalize.RoleGiven, slotMiddle: normalize.RoleMiddle, slotFamily: normalize.RoleFamily,
	slotSuffix: normalize.RoleSuffix, slotFullName: normalize.RoleFullName, slotBirthDate: normalize.RoleBirthDate,
	slotSex: normalize.RoleSex, slotSSID: normalize.RoleSSID, slotLocalID: normalize.RoleLocalID,
	slotGrade: normalize.RoleGrade, slotAddress: normalize.RoleAddress, slotCity: normalize.RoleCity,
	slotZip: normalize.RoleZip, slotLEA: normalize.RoleLEA, slotSchool: normalize.RoleSchool,
	slotOtherNames: normalize.RoleOtherNames, slotEmail: normalize.RoleEmail, slotPhone: normalize.RolePhone,
	slotEntryDate: normalize.RoleEntryDate,
}

// addFields notes, for a new source whose header res resolved, which of its fields feed
// each role.
func (r *Roll) addFields(res resolution) {
	fields := map[normalize.Role][]int{}
	for k, c := range r.columns {
		if parts, ok := res.parts[k]; ok {
			fields[c.Role] = append(fields[c.Role], parts...)
		} else if f := res.field[k]; f >= 0 {
			fields[c.Role] = append(fields[c.Role], f)
		}
	}
	slots := make([][]int, 0, slotExtras+len(r.extras))
	for _, role := range recordRoles {
		slots = append(slots, fields[role])
	}
	for _, name := range r.extras {
		slots = append(slots, fields[normalize.ExtraRole(name)])
	}
	r.uses = append(r.uses, res.uses)
	r.dateOrder = append(r.dateOrder, normalize.DateOrderCount{})
	order := ""
	for _, u := range res.uses {
		if u.Role == normalize.RoleBirthDate && u.DateOrder != "" {
			order = u.DateOrder
		}
	}
	r.headerOrder = append(r.headerOrder, order)
	nameOrder := ""
	for _, u := range res.uses {
		if u.Role == normalize.RoleFullName && u.NameOrder != "" {
			nameOrder = u.NameOrder
		}
	}
	r.headerNameOrder = append(r.headerNameOrder, nameOrder)
	r.nameOrder = append(r.nameOrder, normalize.NameOrderCount{})
	r.roleFields = append(r.roleFields, fields)
	r.recordFields = append(r.recordFields, slots)
}

// Value returns record i's value for a role: the fields mapped to it joined by a space, or
// "" when the source has none.
func (r *Roll) Value(i int, role normalize.Role) string {
	return r.joinFields(i, r.roleFields[r.Source[i]][role])
}

// joinFields returns record i's fields joined by a space, empty ones left out.
func (r *Roll) joinFields(i int, fields []int) string {
	switch len(fields) {
	case 0:
		return ""
	case 1:
		return r.fieldOf(i, fields[0])
	}
	var b strings.Builder
	for _, f := range fields {
		if v := r.fieldOf(i, f); v != "" {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(v)
		}
	}
	return b.String()
}

// Column returns record i's value in the named column of its source: the column that
// fills the settings column of that name (whatever the file calls it), else the column
// the header names so; "" when the source has neither. A value read from several columns
// (a birth date from year, month and day; an address from number, street and line 2) is
// the parts joined.
func (r *Roll) Column(i int, name string) string {
	s := int(r.Source[i])
	if k := slices.IndexFunc(r.uses[s], func(u ColumnUse) bool { return u.Column == name && u.How == matchParts }); k >= 0 {
		return r.Value(i, r.uses[s][k].Role) // the parts joined in order: year, month and day; number, street, line 2
	}
	if f := r.field(s, name); f >= 0 {
		return r.fieldOf(i, f)
	}
	return ""
}

// field returns the index of source s's column that fills the settings column name, or
// else bears the name, or -1.
func (r *Roll) field(s int, name string) int {
	exact := -1
	for c, u := range r.uses[s] {
		if u.Column == name {
			return c
		}
		if u.Header == name && exact < 0 {
			exact = c
		}
	}
	return exact
}

// Header says what the roll made of each column of source s's header: the settings
// column it fills and how it matched, or nothing for a column ignored.
func (r *Roll) Header(s int) []ColumnUse { return slices.Clone(r.uses[s]) }

// Missing lists the settings columns source s's header does not have.
func (r *Roll) Missing(s int) []Column {
	var out []Column
	for _, c := range r.columns {
		if !slices.ContainsFunc(r.uses[s], func(u ColumnUse) bool { return u.Column == c.Name }) {
			out = append(out, c)
		}
	}
	return out
}

// Record returns record i's values by role, for normalize.
func (r *Roll) Record(i int) normalize.Record {
	f := r.recordFields[r.Source[i]]
	v := func(slot int) string { return r.joinFields(i, f[slot]) }
	rec := normalize.Record{
		Given: v(slotGiven), Middle: v(slotMiddle), Family: v(slotFamily), Suffix: v(slotSuffix),
		FullName: v(slotFullName), BirthDate: v(slotBirthDate), Sex: v(slotSex), SSID: v(slotSSID),
		LocalID: v(slotLocalID), Grade: v(slotGrade), Address: v(slotAddress), City: v(slotCity),
		Zip: v(slotZip), LEA: v(slotLEA), School: v(slotSchool), Email: v(slotEmail), Phone: v(slotPhone),
		EntryDate: v(slotEntryDate), DayFirst: r.DayFirst(int(r.Source[i])), FamilyFirst: r.FamilyFirst(int(r.Source[i])),
	}
	if other := v(slotOtherNames); other != "" {
		rec.OtherNames = splitOtherNames(other)
	}
	if len(r.extras) > 0 {
		rec.Extra = make([]string, len(r.extras))
		for k := range r.extras {
			rec.Extra[k] = v(slotExtras + k)
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

// Problem is a value that could not be used in full: the record is kept and the value
// treated as missing, or, for a birth date that names no day (a year alone, a month 21),
// compared by the numbers written.
type Problem struct {
	Source   string
	Line     int
	RecordID string
	Field    string
	Value    string
	Err      error
}

// String names the problem on one line, a long value cut short (normalize.QuoteValue).
func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: record %q: %s %s: %s", p.Source, p.Line, p.RecordID, p.Field, normalize.QuoteValue(p.Value), p.Reason())
}

// Reason returns the error's text without the value it starts with, where it does (a
// parser's error names the value it was given): `month 21 does not exist`, not
// `"1997-21-25": month 21 does not exist`.
func (p Problem) Reason() string {
	if p.Err == nil {
		return ""
	}
	return strings.TrimPrefix(p.Err.Error(), strconv.Quote(p.Value)+": ")
}
