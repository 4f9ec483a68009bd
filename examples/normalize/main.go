// Command normalize shows what the normalize package makes of a messy roll: each record's
// raw values, then the prepared features the matcher compares, and the values it could not
// use.
//
//	go run ./examples/normalize             # the embedded sample roll
//	go run ./examples/normalize -in roll.csv
//
// The input is the student CSV (record_id, lea_id, school_id, ssid, first_name,
// middle_name, last_name, suffix, birth_date, sex, grade_level, address, city, zip, …).
package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	studentlink "github.com/studentlink/studentlink"
	"github.com/studentlink/studentlink/normalize"
)

const sample = "testdata/normalize/sample_roll.csv"

func main() {
	in := flag.String("in", "", "student CSV `file` (default: the embedded sample roll)")
	dayFirst := flag.Bool("day-first", false, "read ambiguous dates such as 03/04/2010 day first")
	flag.Parse()
	var r io.Reader
	if *in == "" {
		data, err := studentlink.Testdata.ReadFile(sample)
		if err != nil {
			fail(err)
		}
		r = bytes.NewReader(data)
	} else {
		f, err := os.Open(*in)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		r = f
	}
	if err := run(r, os.Stdout, normalize.Options{Dates: normalize.DateOptions{DayFirst: *dayFirst}}); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "normalize:", err)
	os.Exit(1)
}

var columns = map[string]func(*normalize.Record, string){
	"lea_id":      func(r *normalize.Record, v string) { r.LEA = v },
	"school_id":   func(r *normalize.Record, v string) { r.School = v },
	"ssid":        func(r *normalize.Record, v string) { r.SSID = v },
	"first_name":  func(r *normalize.Record, v string) { r.Given = v },
	"middle_name": func(r *normalize.Record, v string) { r.Middle = v },
	"last_name":   func(r *normalize.Record, v string) { r.Family = v },
	"suffix":      func(r *normalize.Record, v string) { r.Suffix = v },
	"birth_date":  func(r *normalize.Record, v string) { r.BirthDate = v },
	"sex":         func(r *normalize.Record, v string) { r.Sex = v },
	"grade_level": func(r *normalize.Record, v string) { r.Grade = v },
	"address":     func(r *normalize.Record, v string) { r.Address = v },
	"city":        func(r *normalize.Record, v string) { r.City = v },
	"zip":         func(r *normalize.Record, v string) { r.Zip = v },
}

// run prints each record before and after preparation.
func run(in io.Reader, out io.Writer, opt normalize.Options) error {
	rows, err := csv.NewReader(in).ReadAll()
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("no header row")
	}
	header := rows[0]
	p := normalize.NewPreparer(opt)
	t := normalize.NewTable(len(rows)-1, 0)
	for i, row := range rows[1:] {
		var rec normalize.Record
		id := ""
		var raw []string
		for c, v := range row {
			if header[c] == "record_id" {
				id = v
			}
			if set, ok := columns[header[c]]; ok && v != "" {
				set(&rec, v)
				raw = append(raw, header[c]+"="+v)
			}
		}
		errs := p.Fill(t, i, rec)
		fmt.Fprintf(out, "record %s\n  raw:    %s\n", id, strings.Join(raw, " | "))
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
