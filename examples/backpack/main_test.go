package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/studentlink/studentlink/backpack"
)

func TestRunDefault(t *testing.T) {
	var out bytes.Buffer
	audit := filepath.Join(t.TempDir(), "audit.jsonl")
	if err := run(&out, "", false, audit); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"14 student records from 2 LEAs → 11 backpacks",
		"first_name=Lisa", "ssid=1000604822",
		"conflict: middle_name", "course history     3", "taken_at=Grand Bend High School",
		"credentials=Licensure, Mathematics, Professional (UT, expires 2027-06-30)",
		"from 255901 255901/604822", "from 255902 255902/W-22001",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("want %q in output:\n%s", want, got)
		}
	}
	f, err := os.Open(audit)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := backpack.ReadEntries(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := backpack.Verify(entries); err != nil {
		t.Error(err)
	}
	if len(entries) != 11 {
		t.Errorf("audit has %d entries, want 11 (3 links, 8 single-record backpacks)", len(entries))
	}
}

func TestRunJSONByStudent(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, "1000604871", true, ""); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	b, err := backpack.ReadBackpack(strings.NewReader(text[strings.Index(text, "{"):]))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Records) != 2 || b.Value("first_name") != "Jerry" {
		t.Errorf("Gerald/Jerry Berry's backpack: records %v, first name %q", b.Records, b.Value("first_name"))
	}
	if len(b.Assessments) != 2 {
		t.Errorf("%d assessments, want 2 (the math result reported by both LEAs kept once)", len(b.Assessments))
	}
	if err := run(&out, "no-such-student", false, ""); err == nil {
		t.Error("an unknown student gave no error")
	}
}
