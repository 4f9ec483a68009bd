package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// TestRun plays the enrollment story and checks each arrival's outcome and the audit.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	sections := strings.Split(got, "\n== ")
	if len(sections) != 4 {
		t.Fatalf("want a header and 3 arrivals, got %d sections:\n%s", len(sections), got)
	}
	for k, want := range []string{"→ match:", "→ review:", "→ new student S-NEW-3"} {
		if !strings.Contains(sections[k+1], want) {
			t.Errorf("arrival %d: want %q in\n%s", k+1, want, sections[k+1])
		}
	}
	// The match and the review are about the same known student.
	student := regexp.MustCompile(`student (S[0-9a-f]{12})`)
	a, b := student.FindStringSubmatch(sections[1]), student.FindStringSubmatch(sections[2])
	if a == nil || b == nil || a[1] != b[1] {
		t.Errorf("match and review should name the same student: %v, %v", a, b)
	}
	for _, want := range []string{"backpack handed to LEA 99: 4 records", "audit log: 3 entries; the chain verifies against its anchor"} {
		if !strings.Contains(got, want) {
			t.Errorf("want %q in output:\n%s", want, got)
		}
	}
}
