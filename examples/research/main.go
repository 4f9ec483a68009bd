// Command research writes a de-identified research release (Utah R277-484-9): tables of
// student counts, or record-level data, never both from one population.
//
// With no arguments it links the embedded synthetic state roll, builds every student's
// backpack and publishes two tables of students — by LEA and grade, by sex and grade —
// with every count under 10 suppressed and labelled N<10, and more cells suppressed
// (labelled "suppressed") until the release passes its own audit: no suppressed cell's
// range, given every count, label, margin and total the release shows, pins it or makes
// it a small non-zero count. Grades and sexes are counted over every category, empty or
// not (backpack.GradeCategories, backpack.SexCategories), so a category's presence says
// nothing; an LEA or a performance level is shown only when students have it, so those
// of fewer than -min students are merged into one row, backpack.Combined (with the next
// smallest while that row counts fewer than -min, so it never stands for one small
// category). It prints what
// it merged, what it suppressed and what the audit found.
// -edfi uses the embedded Ed-Fi submissions instead and adds, for each assessment, a
// table of students by their latest performance level and grade.
//
// -records writes record-level data instead: one row per student, keyed by an HMAC under
// the state's secret, read from -secret-file (required: there is no default key), and the
// study's name, -study (keys differ between studies, so two studies' files cannot be
// joined), and k-anonymous with k = -min on birth year, sex, race, grade, LEA and
// school, with the students' latest assessment results beside it, each assessment named
// by its subject only (an identifier such as SA-2011-Mathematics-Fifth grade names a
// grade and a year); it prints what it generalised and how many students it left out.
//
// -min raises the minimum above 10; a smaller one is refused. -out DIR writes the files
// there; without it the tables go to stdout (-records needs -out).
//
// Every release is claimed first in the state's release ledger, -ledger FILE (by default
// studentlink/research-ledger.json under the user's configuration directory), whatever
// folder it goes to (backpack.ClaimRelease). The ledger refuses tables of students
// already published as records and records of students already published in tables;
// records of students already published as records (two generalisations joined on the
// key undo both); tables of a population that overlaps an earlier tables release
// without being it (the difference counts the students in one only); and tables that,
// read with every table already published of the population, fail the bounds audit — a
// table published again otherwise, at another -min say, is refused, the same one again
// is not. A refused run writes nothing. A DIR that already holds a release of the other kind
// (records.csv or scores.csv for tables, a table for records) is refused too.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/internal/boundedfile"
	"github.com/studentlink/studentlink/internal/cli"
	"github.com/studentlink/studentlink/internal/demo"
	"github.com/studentlink/studentlink/match"
)

type options struct {
	out        string
	records    bool
	secretFile string
	study      string
	edfi       bool
	min        int
	ledger     string
}

const usage = `usage: research -out DIR [-records -secret-file FILE] [-edfi] [-min N] [-ledger FILE]

Writes a de-identified research release from the synthetic roll (or, with -edfi, the
embedded Ed-Fi submissions): tables of students over declared categories with cells under
the minimum suppressed until the release passes its own bounds audit, or with -records
k-anonymous record-level data under keyed-hash student keys — never both of one
population: the release ledger refuses the other kind.`

func main() {
	var o options
	fs := cli.NewFlagSet("research", usage, os.Stderr)
	fs.StringVar(&o.out, "out", "", "directory to write the release to")
	fs.BoolVar(&o.records, "records", false, "write record-level data (k-anonymous) instead of tables")
	fs.StringVar(&o.secretFile, "secret-file", "", "file holding the state's HMAC secret for the record keys (at least 16 bytes, 8 of them distinct: made at random; required with -records)")
	fs.StringVar(&o.study, "study", "example-study", "study name: keys differ between studies")
	fs.BoolVar(&o.edfi, "edfi", false, "use the embedded Ed-Fi submissions instead of the synthetic roll")
	fs.IntVar(&o.min, "min", backpack.MinCount, "smallest group published (at least 10)")
	fs.StringVar(&o.ledger, "ledger", defaultLedger(), "the state's release ledger, which refuses tables and records of the same students")
	if code, stop := cli.Parse(fs, os.Args[1:]); stop {
		os.Exit(code)
	}
	if err := run(os.Stdout, os.Stderr, o); err != nil {
		fmt.Fprintln(os.Stderr, "research:", err)
		os.Exit(1)
	}
}

// run writes the release: the tables go to stdout without -out, and what was suppressed,
// generalised and audited is said on stderr then, on stdout when the data went to files.
func run(stdout, stderr io.Writer, o options) error {
	w := stdout
	if o.out == "" {
		w = stderr
	}
	if o.min < backpack.MinCount {
		return fmt.Errorf("-min %d: the minimum is at least %d", o.min, backpack.MinCount)
	}
	if o.ledger == "" {
		return errors.New("-ledger FILE is required: the release ledger keeps a population from being published as tables and as records")
	}
	if err := boundedfile.Check(o.ledger, backpack.MaxLedgerSize); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("-ledger %s: %w: give the release ledger's file", o.ledger, err)
	}
	var x *backpack.Extractor
	if o.records {
		if o.secretFile == "" {
			return errors.New("-records needs -secret-file: the record keys are HMACs under the state's secret, and there is no default")
		}
		if o.out == "" {
			return errors.New("-records needs -out DIR")
		}
		secret, err := readSmall("-secret-file", o.secretFile, maxSecretSize)
		if err != nil {
			return err
		}
		if x, err = backpack.NewExtractor(secret, o.study); err != nil {
			return err
		}
	}
	if err := checkOut(o); err != nil {
		return err
	}
	bps, err := backpacks(o.edfi)
	if err != nil {
		return err
	}
	pop := backpack.NewPopulation(bps)
	fmt.Fprintf(w, "%d students from %d backpacks (%d merged by SSID; %d without a usable SSID, told apart by student ID)\n",
		len(pop.Students), pop.Backpacks, pop.Merged, pop.ByStudentID)
	if o.records {
		return writeRecords(w, o, x, pop)
	}
	return writeTables(stdout, w, o, pop)
}

// writeTables publishes the population's tables as one release and audits it: the tables
// to files under -out or to data, what it did to w.
func writeTables(data, w io.Writer, o options, pop *backpack.Population) error {
	names := []string{"lea_by_grade.csv", "sex_by_grade.csv"}
	rows := []backpack.Attribute{backpack.ByLEA, backpack.BySex}
	for k, a := range pop.Assessments() {
		names = append(names, fmt.Sprintf("assessment%d_level_by_grade.csv", k+1))
		rows = append(rows, backpack.ByLevel(a))
	}
	// Grades and sexes are counted over every category (a category may be empty, so its
	// presence says nothing); LEAs and levels over those the students have, each of which
	// counts one at least, so the small ones are merged into one row.
	tables := make([]backpack.Table, len(rows))
	for k, row := range rows {
		t, err := pop.Table(row, backpack.ByGrade)
		if err != nil {
			return err
		}
		var merged []string
		if tables[k], merged = backpack.MergeSmallRows(t, o.min); len(merged) > 0 {
			fmt.Fprintf(w, "%s: %d categories of %s with fewer than %d students each merged into %q\n", names[k], len(merged), row.Name, o.min, backpack.Combined)
		}
	}
	ps, err := backpack.SuppressTables(tables, o.min)
	if err != nil {
		return err
	}
	for k, p := range ps {
		small, other := labelCounts(p)
		fmt.Fprintf(w, "%s (%s × %s): %s suppressed, %d labelled N<%d and %d labelled %q\n",
			names[k], p.RowName, p.ColName, cells(small+other), small, o.min, other, backpack.SuppressedLabel)
	}
	bounds, err := backpack.Audit(ps...)
	if err != nil {
		return err
	}
	narrowest := -1
	for _, b := range bounds {
		if b.Leak != "" {
			return fmt.Errorf("the release fails its audit: %s cell %d,%d: %s", names[b.Table], b.Row, b.Col, b.Leak)
		}
		if narrowest < 0 || b.Hi-b.Lo < narrowest {
			narrowest = b.Hi - b.Lo
		}
	}
	fmt.Fprintf(w, "audit: %d suppressed cells; none is pinned or known to be between 1 and %d", len(bounds), o.min-1)
	if narrowest >= 0 {
		fmt.Fprintf(w, " (the narrowest range spans %d)", narrowest)
	}
	fmt.Fprintln(w)
	if err := backpack.ClaimRelease(o.ledger, backpack.TablesRelease, releaseName(o), pop, ps...); err != nil {
		return err
	}
	for k, p := range ps {
		if o.out == "" {
			fmt.Fprintf(data, "\n%s\n", names[k])
			if err := p.WriteCSV(data); err != nil {
				return err
			}
			continue
		}
		if err := writeFile(filepath.Join(o.out, names[k]), p.WriteCSV); err != nil {
			return err
		}
	}
	if o.out != "" {
		fmt.Fprintf(w, "wrote %s\n", o.out)
	}
	return nil
}

// writeRecords publishes the population as k-anonymous records.
func writeRecords(w io.Writer, o options, x *backpack.Extractor, pop *backpack.Population) error {
	rel, err := x.Records(pop, o.min)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "records.csv: %d students, every combination of %s shared by at least %d (smallest group %d)\n",
		len(rel.Records), strings.Join(backpack.QuasiIdentifiers, ", "), rel.K, backpack.SmallestGroup(rel.Records))
	fmt.Fprintf(w, "generalised: %s\n", strings.Join(rel.Generalised, "; "))
	fmt.Fprintf(w, "left out: %d students whose group stayed under %d\n", rel.Suppressed, rel.K)
	fmt.Fprintf(w, "scores.csv: %d latest results, one per student and subject\n", len(rel.Scores))
	if err := backpack.ClaimRelease(o.ledger, backpack.RecordsRelease, releaseName(o), pop); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(o.out, "records.csv"), rel.WriteRecordsCSV); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(o.out, "scores.csv"), rel.WriteScoresCSV); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s\n", o.out)
	return nil
}

// maxSecretSize is the largest -secret-file read: a secret is a few dozen bytes.
const maxSecretSize = 4 << 10

// readSmall reads the regular file path given by flag, of at most limit bytes
// (boundedfile.ReadFile): a device, FIFO or directory, or a larger file, is an error
// naming the flag and file.
func readSmall(flag, path string, limit int64) ([]byte, error) {
	data, err := boundedfile.ReadFile(path, limit)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, path, err)
	}
	return data, nil
}

// defaultLedger is the release ledger's path when -ledger is not given, "" when the
// system names no configuration directory (then -ledger is required).
func defaultLedger() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "studentlink", "research-ledger.json")
}

// releaseName names a release in the ledger: its folder and study.
func releaseName(o options) string {
	out := o.out
	if out == "" {
		out = "stdout"
	}
	return fmt.Sprintf("%s, study %s", out, o.study)
}

// recordFiles are the files of a record-level release; a tables release writes
// *_by_grade.csv.
var recordFiles = []string{"records.csv", "scores.csv"}

// checkOut refuses an -out directory that holds a release of the other kind: records
// beside tables of the same population would undo the tables' suppression.
func checkOut(o options) error {
	if o.out == "" {
		return nil
	}
	es, err := os.ReadDir(o.out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range es {
		name := e.Name()
		isRecords, isTables := slices.Contains(recordFiles, name), strings.HasSuffix(name, "_by_grade.csv")
		switch {
		case o.records && isTables:
			return fmt.Errorf("-out %s holds the tables release %s: record-level data beside tables would undo their suppression; use another directory", o.out, name)
		case !o.records && isRecords:
			return fmt.Errorf("-out %s holds the record-level release %s: tables beside records would be undone by counting them; use another directory", o.out, name)
		}
	}
	return nil
}

// backpacks links the sample data and builds every student's backpack.
func backpacks(edfi bool) ([]*backpack.Backpack, error) {
	ctx := context.Background()
	linker, res, err := demo.TrainedLinker(ctx)
	if err != nil {
		return nil, err
	}
	subs := backpack.FromRoll(res.Prepared.Roll, "2024-06-30")
	if edfi {
		if subs, err = demo.EdFiSubmissions(); err != nil {
			return nil, err
		}
		if res, err = backpack.Link(ctx, linker, match.RunOptions{}, subs...); err != nil {
			return nil, err
		}
	}
	store, err := backpack.NewStore(subs...)
	if err != nil {
		return nil, err
	}
	var bps []*backpack.Backpack
	for _, g := range backpack.Groups(res) {
		b, err := store.Build(g.StudentID, g.Records, backpack.Survivorship{})
		if err != nil {
			return nil, err
		}
		bps = append(bps, b)
	}
	return bps, nil
}

// labelCounts counts the cells of p (margins too) labelled "N<min" and those labelled
// "suppressed": what the published table shows, and no more. How many "suppressed" cells
// count fewer than min students (p.Relabelled) is not said: with none, every
// "suppressed" cell would be known to count min or more, a bound the audit does not
// grant the reader.
func labelCounts(p backpack.Published) (small, other int) {
	for i := range p.Suppressed {
		for j, hidden := range p.Suppressed[i] {
			switch {
			case p.Small[i][j]:
				small++
			case hidden:
				other++
			}
		}
	}
	return small, other
}

func cells(n int) string {
	if n == 1 {
		return "1 cell"
	}
	return fmt.Sprintf("%d cells", n)
}

func writeFile(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
