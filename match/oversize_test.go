package match

import (
	"fmt"
	"strings"
	"testing"
)

// TestIdenticalRowsBeyondTheBlockCap: identical rows, more than the preset's block cap of
// 5,000, make one student, also beyond what the Nearest rule's work budget can pair
// (before, 12,000 copies gave no candidate pair and 12,000 students); the blocks over the
// cap are reported.
func TestIdenticalRowsBeyondTheBlockCap(t *testing.T) {
	if testing.Short() {
		t.Skip("links 12,000 rows")
	}
	// Copies of one row; and of two rows of one child, "Maya Okafor" and "Maya R Okafor"
	// with her address, half and half: the block of 5,002 holds two rows, and they link.
	for _, n := range []int{5001, 5002, 12_000} {
		var b strings.Builder
		b.WriteString(studentHeader)
		for i := range n {
			if n == 5002 && i%2 == 1 {
				fmt.Fprintf(&b, "r%05d,02,02001,4000000099,Maya,R,Okafor,,2013-03-03,F,5,,,,2024-08-20\n", i)
				continue
			}
			fmt.Fprintf(&b, "r%05d,01,01001,4000000099,Maya,,Okafor,,2013-03-03,F,5,1 Elm St,Provo,84601,2023-08-20\n", i)
		}
		l, err := New(StudentSettings())
		if err != nil {
			t.Fatal(err)
		}
		res := runCSV(t, l, b.String())
		if len(res.StudentIDs) != 1 {
			t.Errorf("%d students from %d rows of one child, want 1", len(res.StudentIDs), n)
		}
		oversize := 0
		for _, r := range res.Blocking.Rules {
			for _, blk := range r.Oversize {
				if blk.Size != n || blk.Key == "" {
					t.Errorf("%d rows: oversize block %+v", n, blk)
				}
				oversize++
			}
		}
		if oversize == 0 {
			t.Errorf("%d rows: no block over the cap reported", n)
		}
	}
}

// TestOversizeBlockLeavesNoRecordOut: 20,000 records of one family name share twenty
// birth dates, a thousand each (one date crowded far above the others would be cleared
// as no one child's), and a zip; under a block cap of 500 the rules keyed on them make blocks over
// the cap, which are reported, and every record still has candidates, so that a record
// with a twin in the roll finds it.
func TestOversizeBlockLeavesNoRecordOut(t *testing.T) {
	if testing.Short() {
		t.Skip("links 20,000 rows")
	}
	syllables := []string{"ka", "lo", "mi", "ne", "su", "ta", "ri", "vo", "da", "je", "pu", "xo", "ze", "bi", "ha", "qu"}
	given := func(i int) string {
		s := ""
		for range 4 {
			s += syllables[i%len(syllables)]
			i /= len(syllables)
		}
		return s
	}
	var b strings.Builder
	b.WriteString(studentHeader)
	for i := range 20_000 {
		fmt.Fprintf(&b, "r%05d,01,01001,%010d,%s,,Smith,,2012-09-%02d,F,5,%d Main St,Provo,84601,2023-08-20\n", i, 5000000000+int64(i)*7, given(i), 1+i%20, i)
	}
	// A second record of r00001, with a typo in the given name.
	b.WriteString("dup,02,02001,5000000007," + given(1)[:3] + "x" + given(1)[4:] + ",,Smith,,2012-09-02,F,5,1 Main St,Provo,84601,2024-08-20\n")
	s := StudentSettings()
	s.MaxBlock = 500
	l, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	res := runCSV(t, l, b.String())
	var reported []string
	for _, r := range res.Blocking.Rules {
		for _, blk := range r.Oversize {
			reported = append(reported, fmt.Sprintf("%s %s %d", blk.Rule, blk.Key, blk.Size))
		}
	}
	if len(reported) == 0 {
		t.Fatal("no oversize block reported")
	}
	t.Logf("oversize: %v", reported)
	for i, id := range res.Prepared.Roll.IDs {
		if ap, ok, err := res.WhyApart(id); err != nil || (!ok && res.clustering.size[res.Label[i]] == 1) {
			t.Fatalf("record %s has no candidate at all (%+v, %v)", id, ap, err)
		}
	}
	if a, _ := res.StudentOf("r00001"); a != must(res.StudentOf("dup")) {
		t.Errorf("the second record of r00001 did not link (%s, %s)", a, must(res.StudentOf("dup")))
	}
}

func must(s string, ok bool) string {
	if !ok {
		return "?"
	}
	return s
}
