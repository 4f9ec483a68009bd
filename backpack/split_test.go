package backpack_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

func TestSplit(t *testing.T) {
	rules := backpack.Survivorship{Default: backpack.SourcePriority, Priority: []string{"255901"}}
	tests := []struct {
		name    string
		records []string // the merged backpack's
		out     []string // split out
	}{
		{"Diana's new record", []string{dianaOld, dianaNew}, []string{dianaNew}},
		{"Diana's old record", []string{dianaOld, dianaNew}, []string{dianaOld}},
		{"one of three", []string{lisaOld, lisaNew, jerryNew}, []string{jerryNew}},
		{"two of three", []string{lisaOld, lisaNew, jerryNew}, []string{lisaNew, jerryNew}},
		{"named twice", []string{jerryOld, jerryNew}, []string{jerryNew, jerryNew}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			before := map[string]backpack.StudentRecord{}
			for _, r := range s.Records() {
				before[r], _ = s.Student(r)
			}
			b, err := s.Build("S1", tt.records, rules)
			if err != nil {
				t.Fatal(err)
			}
			var rest []string
			for _, r := range tt.records {
				if !contains(tt.out, r) {
					rest = append(rest, r)
				}
			}
			kept, split, err := s.Split(b, tt.out, "S2", rules)
			if err != nil {
				t.Fatal(err)
			}
			wantKept, err := s.Build("S1", rest, rules)
			if err != nil {
				t.Fatal(err)
			}
			wantSplit, err := s.Build("S2", tt.out, rules)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantKept, kept, ignoreSeal); diff != "" {
				t.Errorf("kept vs Build(rest) (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantSplit, split, ignoreSeal); diff != "" {
				t.Errorf("split vs Build(split records) (-want +got):\n%s", diff)
			}
			for _, r := range s.Records() {
				now, _ := s.Student(r)
				if diff := cmp.Diff(before[r], now); diff != "" {
					t.Errorf("Split changed submitted record %s (-before +after):\n%s", r, diff)
				}
			}
		})
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestSplitErrors(t *testing.T) {
	s := newStore(t)
	b := build(t, s, "S1", dianaOld, dianaNew)
	tests := []struct {
		name    string
		records []string
		newID   string
		mention string
	}{
		{"record not in the backpack", []string{lisaNew}, "S2", lisaNew},
		{"every record", []string{dianaOld, dianaNew}, "S2", "no record would remain"},
		{"same student ID", []string{dianaNew}, "S1", "new student ID"},
		{"empty student ID", []string{dianaNew}, "", "new student ID"},
		{"no records", nil, "S2", "no records"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := memLog(t)
			kept, split, err := s.Unmerge(b, tt.records, tt.newID, backpack.Survivorship{}, log, "registrar", "wrong merge")
			if err == nil || kept != nil || split != nil {
				t.Fatalf("Unmerge = %v, %v, %v; want an error", kept, split, err)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
			if n := len(entriesOf(t, log)); n != 0 {
				t.Errorf("a failed unmerge logged %d entries", n)
			}
		})
	}
}

func TestUnmergeLogs(t *testing.T) {
	s := newStore(t)
	b := build(t, s, "S1", dianaOld, dianaNew)
	log := memLog(t)
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	log.Now = func() time.Time { return at }
	kept, split, err := s.Unmerge(b, []string{dianaNew}, "S2", backpack.Survivorship{}, log, "registrar", "SSIDs differ")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{dianaOld}, kept.Records); diff != "" {
		t.Errorf("kept records (-want +got):\n%s", diff)
	}
	if split.StudentID != "S2" || kept.StudentID != "S1" {
		t.Errorf("student IDs kept %s, split %s", kept.StudentID, split.StudentID)
	}
	entries := entriesOf(t, log)
	if len(entries) != 1 {
		t.Fatalf("%d entries, want 1", len(entries))
	}
	e := entries[0]
	want := backpack.Entry{Seq: 1, Time: at, Action: backpack.ActionSplit, StudentID: "S1", Records: []string{dianaNew},
		Actor: "registrar", Note: "split out as student S2: SSIDs differ", Hash: e.Hash}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Errorf("split entry (-want +got):\n%s", diff)
	}
	if err := log.Verify(); err != nil {
		t.Error(err)
	}
}
