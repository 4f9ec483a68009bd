package main

import (
	"bytes"
	"strings"
	"testing"

	studentlink "github.com/studentlink/studentlink"
	"github.com/studentlink/studentlink/normalize"
)

func TestRunSample(t *testing.T) {
	data, err := studentlink.Testdata.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(bytes.NewReader(data), &out, normalize.Options{}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"record r01",
		`family "garcia lopez" key "garcialopez"`,
		"birth 2012-03-04",
		`problem: birth_date "13/45/2011"`,
		`problem: birth_date "2010-02-30"`,
		`problem: ssid "not known"`,
		`suffix "jr"`,
		"sex Female  grade 4",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if n := strings.Count(got, "record r"); n != 12 {
		t.Errorf("%d records printed, want 12", n)
	}
}
