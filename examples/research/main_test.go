package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	studentlink "github.com/studentlink/studentlink"
)

func TestRunWritesDeidentifiedExtract(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("a state secret of 32 bytes......"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(&out, filepath.Join(dir, "x"), secret, "s1", false, 10); err != nil {
		t.Fatal(err)
	}
	// The sample holds 2,000 true students; the linker finds about as many.
	var students int
	if _, err := fmt.Sscanf(out.String(), "%d students", &students); err != nil || students < 1980 || students > 2020 {
		t.Errorf("want about 2000 students in the summary: %s", out.String())
	}
	records, err := os.ReadFile(filepath.Join(dir, "x", "records.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// No SSID, record ID, family name or street of the roll appears in the extract.
	roll, err := studentlink.Testdata.ReadFile("testdata/synth/roll.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(roll)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	text := string(records)
	for _, row := range rows[1:] {
		for _, col := range []int{0, 3, 6, 11} { // record_id, ssid, last_name, address
			if v := row[col]; len(v) > 4 && strings.Contains(text, v) {
				t.Fatalf("the extract contains %q (column %s)", v, rows[0][col])
			}
		}
	}
	table, err := os.ReadFile(filepath.Join(dir, "x", "lea_by_grade.csv"))
	if err != nil {
		t.Fatal(err)
	}
	cells, err := csv.NewReader(bytes.NewReader(table)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range cells[1:] {
		for _, c := range row[1:] {
			if c != "N<10" && len(c) == 1 {
				t.Errorf("published count %s is under 10", c)
			}
		}
	}
}
