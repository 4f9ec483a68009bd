package datasets

import (
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	studentlink "github.com/studentlink/studentlink"
	"github.com/studentlink/studentlink/internal/synth"
)

// StudentHeader is the header of every converted source: student CSV columns only.
// ContactHeader's columns follow it in the sources of a set that fills them.
var StudentHeader = []string{"record_id", "first_name", "middle_name", "last_name", "birth_date", "sex", "address", "city", "zip", "ssid"}

// ContactHeader are the student CSV's contact columns, written only by the sets that
// fill them (fake_1000-email), so that every other set's files stay as they were.
var ContactHeader = []string{"email", "phone"}

// Student is one converted record, in StudentHeader's order after the record ID, then
// ContactHeader's.
type Student struct {
	ID, First, Middle, Last, BirthDate, Sex, Address, City, Zip, SSID string
	Email, Phone                                                      string
}

func (s Student) row() []string {
	return []string{s.ID, s.First, s.Middle, s.Last, s.BirthDate, s.Sex, s.Address, s.City, s.Zip, s.SSID, s.Email, s.Phone}
}

// studentColumns are the columns of Student.row after the record ID.
func studentColumns() []string {
	return slices.Concat(StudentHeader[1:], ContactHeader)
}

// header returns the columns of every source of the set, a prefix of Student.row's:
// StudentHeader, and the contact columns up to the last one the set fills.
func (s Set) header() []string {
	n := len(StudentHeader)
	for k, c := range ContactHeader {
		if slices.Contains(s.Columns, c) {
			n = len(StudentHeader) + k + 1
		}
	}
	return slices.Concat(StudentHeader, ContactHeader)[:n]
}

// Source is one input file of a set.
type Source struct {
	Name    string
	Records []Student
}

// Set is a converted dataset.
type Set struct {
	Name string
	// Mode is the linkage mode a user would choose: dedupe, link or link_and_dedupe.
	Mode    string
	Sources []Source
	// Truth maps each record ID to its true entity.
	Truth map[string]string
	// Columns says which student columns the set fills.
	Columns []string
}

// Records returns the number of records over all sources.
func (s Set) Records() int {
	n := 0
	for _, src := range s.Sources {
		n += len(src.Records)
	}
	return n
}

// spec says where a set's files are and how its rows become students.
type spec struct {
	name  string
	mode  string
	files []string
	// convert turns a row (by header name) of file f into a student and its entity.
	convert func(f int, row map[string]string) (Student, string)
	// header, when set, replaces the file's header row (NCVR's ocp_0 files carry a wrong
	// one).
	header []string
	// embedded sets are read from the project's testdata, with their truth file.
	embedded bool
	// generate, when set, makes the set's one source instead of reading files: a
	// synthetic roll with its truth.
	generate func() (*synth.Roll, error)
}

var specs []spec

func init() {
	for _, n := range []string{"1", "2", "3"} {
		specs = append(specs, spec{name: "febrl" + n, mode: "dedupe", files: []string{"febrl/dataset" + n + ".csv"}, convert: febrl})
	}
	specs = append(specs, spec{name: "febrl4", mode: "link", files: []string{"febrl/dataset4a.csv", "febrl/dataset4b.csv"}, convert: febrl})
	for _, size := range []string{"1000", "10000"} {
		for _, s := range []string{"A", "C"} {
			specs = append(specs, spec{name: "dsgen-" + s + "-" + size, mode: "dedupe",
				files: []string{"febrl-dsgen/dedup-dsgen/dataset_" + s + "_" + size + ".csv"}, convert: dsgen})
		}
		// D holds one record per entity in each file; F's dup file also holds duplicates of
		// each other, so it is linked and deduplicated at once and every true pair counts.
		for s, mode := range map[string]string{"D": "link", "F": "link_and_dedupe"} {
			specs = append(specs, spec{name: "dsgen-" + s + "-" + size, mode: mode,
				files: []string{
					"febrl-dsgen/link-dsgen/dataset_" + s + "_org_" + size + ".csv",
					"febrl-dsgen/link-dsgen/dataset_" + s + "_dup_" + size + ".csv",
				}, convert: dsgen})
		}
	}
	specs = append(specs,
		spec{name: "fake_1000", mode: "dedupe", files: []string{"splink/fake_1000.csv"}, convert: splinkFake},
		spec{name: "fake_20000", mode: "dedupe", files: []string{"splink/fake_20000.csv"}, convert: splinkFake},
		// The same people with their e-mail addresses, which the sets above leave out (the
		// figures the project's issues quote are without them).
		spec{name: "fake_1000-email", mode: "dedupe", files: []string{"splink/fake_1000.csv"}, convert: splinkFakeEmail},
		spec{name: "fake_20000-email", mode: "dedupe", files: []string{"splink/fake_20000.csv"}, convert: splinkFakeEmail},
		spec{name: "historical_50k", mode: "dedupe", files: []string{"splink/historical_50k.csv.gz"}, convert: historical},
		spec{name: "rldata500", mode: "dedupe", files: []string{"rldata/RLdata500.csv"}, convert: rldata},
		spec{name: "rldata10000", mode: "dedupe", files: []string{"rldata/RLdata10000.csv"}, convert: rldata},
	)
	for _, size := range []string{"500", "5000"} {
		for _, ocp := range []string{"0", "20", "40"} {
			var files []string
			for p := range 5 {
				files = append(files, fmt.Sprintf("ncvr-5party/ncvr_numrec_%s_modrec_2_ocp_%s_myp_%d_nump_5.csv", size, ocp, p))
			}
			specs = append(specs, spec{name: "ncvr-" + size + "-ocp" + ocp, mode: "link", files: files,
				header: []string{"recid", "givenname", "surname", "suburb", "postcode"}, convert: ncvr})
		}
	}
	specs = append(specs, spec{name: "census", mode: "link", files: []string{"secondstring-census/census.csv"}, convert: census})
	// The project's own synthetic rolls, embedded (read from studentlink.Testdata).
	for name, file := range map[string]string{"synth": "synth/roll.csv", "synth-nossid": "synth/roll_nossid.csv"} {
		specs = append(specs, spec{name: name, mode: "link_and_dedupe", files: []string{file}, convert: synthRow, embedded: true})
	}
	// A roll whose SSIDs a state issued in sequence, so that each has students a digit
	// away: generated, the same students as the default roll of its seed.
	specs = append(specs, spec{name: "synth-dense-20000", mode: "link_and_dedupe", generate: func() (*synth.Roll, error) {
		cfg := synth.DefaultConfig(0)
		cfg.Records, cfg.SSIDsDense = 20_000, true
		return synth.Generate(cfg)
	}})
	slices.SortStableFunc(specs, func(a, b spec) int { return strings.Compare(a.name, b.name) })
}

// Names lists the sets Load knows, sorted.
func Names() []string {
	var out []string
	for _, s := range specs {
		out = append(out, s.name)
	}
	return out
}

// Files lists the files, relative to the datasets folder, that set name reads.
func Files(name string) []string {
	for _, s := range specs {
		if s.name == name {
			return slices.Clone(s.files)
		}
	}
	return nil
}

// Load reads set name from fsys, which holds the datasets folder's layout
// (febrl/dataset1.csv, splink/fake_1000.csv, …).
func Load(fsys fs.FS, name string) (Set, error) {
	k := slices.IndexFunc(specs, func(s spec) bool { return s.name == name })
	if k < 0 {
		return Set{}, fmt.Errorf("datasets: unknown set %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	sp := specs[k]
	set := Set{Name: sp.name, Mode: sp.mode, Truth: map[string]string{}}
	filled := map[string]bool{}
	columns := studentColumns()
	if sp.embedded {
		var err error
		if fsys, err = fs.Sub(studentlink.Testdata, "testdata"); err != nil {
			return Set{}, err
		}
		truth, err := readRows(fsys, "synth/truth.csv", nil)
		if err != nil {
			return Set{}, err
		}
		for _, r := range truth {
			synthTruth[r["record_id"]] = r["student_id"]
		}
	}
	// add puts a converted record in src; where names it in errors.
	add := func(src *Source, st Student, entity, where string) error {
		if entity == "" {
			return fmt.Errorf("datasets: %s: no true entity", where)
		}
		if _, dup := set.Truth[st.ID]; dup {
			return fmt.Errorf("datasets: %s: record ID %q repeats", where, st.ID)
		}
		set.Truth[st.ID] = entity
		for c, v := range st.row()[1:] {
			if v != "" {
				filled[columns[c]] = true
			}
		}
		src.Records = append(src.Records, st)
		return nil
	}
	if sp.generate != nil {
		roll, err := sp.generate()
		if err != nil {
			return Set{}, fmt.Errorf("datasets: %s: %w", sp.name, err)
		}
		src := Source{Name: sp.name + ".csv"}
		for _, r := range roll.Records {
			st := Student{ID: r.ID, First: r.First, Middle: r.Middle, Last: join(r.Last, r.Suffix),
				BirthDate: r.BirthDate, Sex: r.Sex, Address: r.Address, City: r.City, Zip: r.Zip, SSID: r.SSID}
			if err := add(&src, st, strconv.Itoa(int(r.Student)), sp.name+" record "+r.ID); err != nil {
				return Set{}, err
			}
		}
		set.Sources = append(set.Sources, src)
	}
	for f, file := range sp.files {
		rows, err := readRows(fsys, file, sp.header)
		if err != nil {
			return Set{}, err
		}
		src := Source{Name: path.Base(strings.TrimSuffix(file, ".gz"))}
		for r, row := range rows {
			st, entity := sp.convert(f, row)
			if st.ID == "" {
				st.ID = fmt.Sprintf("s%d-%d", f, r+1)
			}
			if err := add(&src, st, entity, fmt.Sprintf("%s row %d", file, r+2)); err != nil {
				return Set{}, err
			}
		}
		set.Sources = append(set.Sources, src)
	}
	// census.csv holds both files: split it by its file column.
	if sp.name == "census" {
		set.Sources = splitCensus(set.Sources[0])
	}
	for _, c := range studentColumns() {
		if filled[c] {
			set.Columns = append(set.Columns, c)
		}
	}
	return set, nil
}

// readRows reads a CSV (gzipped when its name ends in .gz) into maps by header name.
func readRows(fsys fs.FS, file string, header []string) ([]map[string]string, error) {
	f, err := fsys.Open(file)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(file, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("datasets: %s: %w", file, err)
		}
		defer gz.Close()
		r = gz
	}
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	first, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: header: %w", file, err)
	}
	if header == nil {
		header = first
	}
	var out []map[string]string
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("datasets: %s: %w", file, err)
		}
		if len(rec) != len(header) {
			return nil, fmt.Errorf("datasets: %s:%d: %d fields, header has %d", file, line, len(rec), len(header))
		}
		row := make(map[string]string, len(header))
		for c, h := range header {
			row[strings.TrimSpace(h)] = strings.TrimSpace(rec[c])
		}
		out = append(out, row)
	}
}

func join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// febrl: rec-N-org / rec-N-dup-k; N is the entity.
func febrl(_ int, r map[string]string) (Student, string) {
	entity := r["rec_id"]
	if parts := strings.Split(entity, "-"); len(parts) >= 2 {
		entity = parts[1]
	}
	return Student{
		First: r["given_name"], Last: r["surname"], BirthDate: r["date_of_birth"],
		Address: join(r["street_number"], r["address_1"], r["address_2"]), City: r["suburb"], Zip: r["postcode"], SSID: r["soc_sec_id"],
	}, entity
}

// dsgen: the entity is rec_id / 10.
func dsgen(f int, r map[string]string) (Student, string) {
	st, _ := febrl(f, r)
	n, err := strconv.Atoi(r["rec_id"])
	if err != nil {
		return st, ""
	}
	return st, strconv.Itoa(n / 10)
}

func splinkFake(_ int, r map[string]string) (Student, string) {
	return Student{First: r["first_name"], Last: r["surname"], BirthDate: r["dob"], City: r["city"]}, r["cluster"]
}

// splinkFakeEmail is splinkFake with the e-mail address.
func splinkFakeEmail(f int, r map[string]string) (Student, string) {
	st, entity := splinkFake(f, r)
	st.Email = r["email"]
	return st, entity
}

func historical(_ int, r map[string]string) (Student, string) {
	return Student{
		First: r["first_name"], Last: r["surname"], BirthDate: r["dob"], Sex: r["gender"],
		City: r["birth_place"], Zip: r["postcode_fake"],
	}, r["cluster"]
}

// rldata: the second part of the first name is a middle name; the family name's parts
// make one compound name. Impossible dates (day 71) are written as given.
func rldata(_ int, r map[string]string) (Student, string) {
	date := ""
	if r["by"] != "" && r["bm"] != "" && r["bd"] != "" {
		date = fmt.Sprintf("%s-%02s-%02s", r["by"], r["bm"], r["bd"])
	}
	return Student{
		First: r["fname_c1"], Middle: r["fname_c2"], Last: join(r["lname_c1"], r["lname_c2"]), BirthDate: date,
	}, r["ent_id"]
}

func ncvr(f int, r map[string]string) (Student, string) {
	return Student{First: r["givenname"], Last: r["surname"], City: r["suburb"], Zip: r["postcode"]}, r["recid"]
}

func census(_ int, r map[string]string) (Student, string) {
	return Student{
		ID:    r["file"] + "-" + r["row"],
		First: r["first_name"], Middle: r["middle_initial"], Last: r["last_name"],
		Address: join(r["house_number"], r["street"]),
	}, r["entity_id"]
}

// synthTruth maps the synthetic rolls' record IDs to their students.
var synthTruth = map[string]string{}

func synthRow(_ int, r map[string]string) (Student, string) {
	return Student{
		ID: r["record_id"], First: r["first_name"], Middle: r["middle_name"], Last: join(r["last_name"], r["suffix"]),
		BirthDate: r["birth_date"], Sex: r["sex"], Address: r["address"], City: r["city"], Zip: r["zip"], SSID: r["ssid"],
	}, synthTruth[r["record_id"]]
}

func splitCensus(all Source) []Source {
	a, b := Source{Name: "censusA"}, Source{Name: "censusB"}
	for _, st := range all.Records {
		if strings.HasPrefix(st.ID, "A-") {
			a.Records = append(a.Records, st)
		} else {
			b.Records = append(b.Records, st)
		}
	}
	return []Source{a, b}
}

// WriteCSV writes each source as a student CSV in dir and the truth as
// record_id,true_id; it returns the source files' paths and the truth file's.
func (s Set) WriteCSV(dir string) (sources []string, truth string, err error) {
	for _, src := range s.Sources {
		p := filepath.Join(dir, s.Name+"-"+strings.TrimSuffix(src.Name, ".csv")+".csv")
		header := s.header()
		rows := [][]string{header}
		for _, st := range src.Records {
			rows = append(rows, st.row()[:len(header)])
		}
		if err := writeRows(p, rows); err != nil {
			return nil, "", err
		}
		sources = append(sources, p)
	}
	truth = filepath.Join(dir, s.Name+"-truth.csv")
	rows := [][]string{{"record_id", "true_id"}}
	for _, src := range s.Sources {
		for _, st := range src.Records {
			rows = append(rows, []string{st.ID, s.Truth[st.ID]})
		}
	}
	return sources, truth, writeRows(truth, rows)
}

func writeRows(p string, rows [][]string) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
