// Command normalize shows what the normalize package makes of a messy roll: each record's
// raw values, then the prepared features the matcher compares, and the values it could not
// use.
//
//	go run ./examples/normalize             # the embedded sample roll
//	go run ./examples/normalize -in roll.csv
//	go run ./examples/normalize -in district.csv -encoding windows-1252 -columns given_name=Prénom
//
// The input is read as examples/dedupe reads it: columns are matched to the student
// CSV's (record_id, lea_id, school_id, ssid, first_name, middle_name, last_name, suffix,
// birth_date, sex, grade_level, address, city, zip, …) by name with case and punctuation
// aside and by the names districts use (RECORD_ID, FirstName, DOB, Gender, StateID …), and
// -columns names the rest. What each column was taken for goes to stderr, the records to
// stdout. A file none of whose columns is one normalize prepares is an error.
//
// Flags:
//
//	-in FILE        student CSV (default: the embedded sample roll)
//	-encoding E     utf-8 (default), windows-1252, iso-8859-1, utf-16 …
//	-columns R=H,…  name the input columns: given_name=FirstName,birth_date=DOB,id=StudentNumber
//	-day-first      read every ambiguous date such as 03/04/2010 day first (a file whose
//	                dates can only be read day first has its ambiguous ones so read anyway)
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	studentlink "github.com/studentlink/studentlink"
	"github.com/studentlink/studentlink/internal/cli"
	"github.com/studentlink/studentlink/match"
	"github.com/studentlink/studentlink/normalize"
)

const sample = "testdata/normalize/sample_roll.csv"

const usage = `usage: normalize [-in roll.csv] [-encoding E] [-columns role=Header,…] [-day-first]

Shows what normalization makes of a roll: each record's raw values, then the prepared
names, codes and dates the matcher compares, and the values it could not use. Columns are
matched as examples/dedupe matches them (what each was taken for goes to stderr); with no
-in it reads an embedded sample roll of messy records.`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := cli.NewFlagSet("normalize", usage, stderr)
	in := fs.String("in", "", "student CSV `file` (default: the embedded sample roll)")
	encoding := fs.String("encoding", "", "input text `encoding`: "+strings.Join(match.Encodings(), ", ")+" (default UTF-8, or UTF-16 by its byte-order mark)")
	columns := fs.String("columns", "", "name the input columns: `role=Header,…` (given_name=FirstName,birth_date=DOB,id=StudentNumber)")
	dayFirst := fs.Bool("day-first", false, "read ambiguous dates such as 03/04/2010 day first")
	if code, stop := cli.Parse(fs, args); stop {
		return code
	}
	roll, settings, err := readRoll(*in, *encoding, *columns)
	if err == nil {
		cli.DescribeColumns(stderr, roll)
		err = usable(roll)
	}
	if err == nil {
		opt := normalize.Options{Dates: settings.Dates}
		opt.Dates.DayFirst = opt.Dates.DayFirst || *dayFirst
		out := cli.NewStdout(stdout)
		if err = show(roll, out, opt); err == nil {
			err = out.Err()
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "normalize:", err)
		return 1
	}
	return 0
}

// readRoll reads the file (the embedded sample when path is "") into a roll of the student
// settings' columns, -columns applied.
func readRoll(path, encoding, columns string) (*match.Roll, match.Settings, error) {
	settings, err := cli.Settings(cli.Flags{Preset: "student", Columns: columns})
	if err != nil {
		return nil, settings, err
	}
	roll, err := settings.NewRoll()
	if err != nil {
		return nil, settings, err
	}
	opt := match.ReadOptions{Encoding: encoding}
	if path == "" {
		data, err := studentlink.Testdata.ReadFile(sample)
		if err != nil {
			return nil, settings, err
		}
		_, err = roll.Read(sample, bytes.NewReader(data), opt)
		return roll, settings, err
	}
	_, err = roll.ReadFile(path, opt)
	return roll, settings, err
}

// usable refuses a roll none of whose columns, the record ID aside, is one normalize
// prepares: every record would print empty.
func usable(roll *match.Roll) error {
	for s := range roll.Sources {
		var header []string
		used := false
		for _, u := range roll.Header(s) {
			header = append(header, u.Header)
			used = used || u.Role != ""
		}
		if !used {
			return fmt.Errorf("%s: no column of the header (%s) is one normalize prepares (first_name, last_name, birth_date, sex, ssid, …): name them with -columns given_name=…,birth_date=…",
				roll.Sources[s], strings.Join(header, ", "))
		}
	}
	return nil
}

// show prints each record before and after preparation.
func show(roll *match.Roll, out io.Writer, opt normalize.Options) error {
	p := normalize.NewPreparer(opt)
	t := normalize.NewTable(roll.Len(), len(roll.ExtraNames()))
	for i := range roll.Len() {
		row := roll.Row(i)
		var raw []string
		for c, u := range roll.Header(int(roll.Source[i])) {
			if u.Role != "" && row[c] != "" {
				raw = append(raw, u.Header+"="+row[c])
			}
		}
		errs := p.Fill(t, i, roll.Record(i))
		fmt.Fprintf(out, "record %s\n  raw:    %s\n", roll.IDs[i], strings.Join(raw, " | "))
		fmt.Fprintf(out, "  name:   given %s  middle %s  family %s  suffix %q\n",
			part(*t.Given[i]), part(*t.Middle[i]), part(*t.Family[i]), t.Suffix[i])
		fmt.Fprintf(out, "  codes:  birth %s  sex %s  grade %s  ssid %q  zip %q  address %q\n",
			orDash(t.BirthDate[i].String()), t.Sex[i], orDash(t.Grade[i].String()), t.SSID[i], t.Zip[i], t.Address[i].Folded)
		for _, e := range errs {
			fmt.Fprintf(out, "  problem: %v\n", e)
		}
	}
	return nil
}

func part(p normalize.NamePart) string {
	if p.Empty() {
		return "-"
	}
	s := fmt.Sprintf("%q", p.Folded)
	if len(p.Tokens) > 1 {
		s += fmt.Sprintf(" key %q", p.Key)
	}
	s += fmt.Sprintf(" [%s/%s %s %s]", p.Metaphone, p.MetaphoneAlt, p.NYSIIS, p.Soundex)
	if len(p.Nicknames) > 0 {
		s += fmt.Sprintf(" nick%v", p.Nicknames)
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
