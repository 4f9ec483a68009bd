package backpack_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/studentlink/studentlink/backpack"
)

// Counts of students by grade and sex are published with every count under 10 hidden
// and labelled N<10, and with enough other counts hidden, labelled "suppressed", that
// none can be worked out or bounded from the totals.
func ExampleSuppress() {
	type student struct{ grade, sex string }
	var roll []student
	add := func(grade, sex string, n int) {
		for range n {
			roll = append(roll, student{grade, sex})
		}
	}
	add("K", "Female", 11)
	add("K", "Male", 12)
	add("1", "Female", 3) // under 10: hidden
	add("1", "Male", 14)
	add("2", "Female", 16)
	add("2", "Male", 18)
	t := backpack.CrossTab(roll, "grade", func(s student) string { return s.grade },
		"sex", func(s student) string { return s.sex })
	p, err := backpack.Suppress(t, 10)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d primary, %d complementary\n", p.Primary, p.Complementary)
	if err := p.WriteCSV(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1 primary, 3 complementary
	// grade \ sex,Female,Male,Total
	// K,suppressed,suppressed,23
	// 1,N<10,suppressed,17
	// 2,16,18,34
	// Total,30,44,74
}

// Two LEAs sent the same student; the backpack shows the latest value of each field and
// lists the fields whose submissions disagree.
func ExampleStore_Build() {
	old := &backpack.Submission{LEA: "255901", Students: []backpack.StudentRecord{{
		Record: "255901/604855", FirstName: "Dianna", LastSurname: "Lloyd", BirthDate: "2014-09-21",
		Source: backpack.Source{LEA: "255901", Record: "255901/604855", Submitted: "2022-06-15"},
	}}}
	nw := &backpack.Submission{LEA: "255902", Students: []backpack.StudentRecord{{
		Record: "255902/W-22003", FirstName: "Diana", LastSurname: "Lloyd-Smith", BirthDate: "2014-09-21",
		Source: backpack.Source{LEA: "255902", Record: "255902/W-22003", Submitted: "2023-01-20"},
	}}}
	s, err := backpack.NewStore(old, nw)
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := s.Build("S1", []string{"255901/604855", "255902/W-22003"}, backpack.Survivorship{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(b.Value("first_name"), b.Value("last_surname"), b.Value("birth_date"))
	for _, c := range b.Conflicts {
		fmt.Printf("%s:", c.Field)
		for _, v := range c.Values {
			fmt.Printf(" %q from %s", v.Value, v.Source.LEA)
		}
		fmt.Println()
	}
	// Output:
	// Diana Lloyd-Smith 2014-09-21
	// first_name: "Diana" from 255902 "Dianna" from 255901
	// last_surname: "Lloyd-Smith" from 255902 "Lloyd" from 255901
}

// Every change is appended to a log chained by HMACs under the state's key, with the
// head checkpointed in an anchor file kept apart: a log cut short, emptied or added to
// without the key no longer verifies.
func ExampleOpenLog() {
	dir, err := os.MkdirTemp("", "audit")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path, anchor := filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor")
	key := []byte("the state's audit key, 32 bytes.")
	log, err := backpack.OpenLog(path, anchor, key)
	if err != nil {
		fmt.Println(err)
		return
	}
	log.Now = func() time.Time { return time.Date(2024, 9, 1, 8, 0, 0, 0, time.UTC) }
	log.Append(backpack.Entry{Action: backpack.ActionMerge, StudentID: "S1", Records: []string{"255901/604822", "255902/W-22001"}, Actor: "linker"})
	log.Append(backpack.Entry{Action: backpack.ActionHandoff, StudentID: "S1", Actor: "registrar"})
	log.Close()
	head, err := backpack.VerifyFile(path, anchor, key)
	fmt.Println(head.Seq, err)

	// Cut the last entry off: the anchor still names it.
	data, _ := os.ReadFile(path)
	os.WriteFile(path, data[:bytes.IndexByte(data, '\n')+1], 0o600)
	_, err = backpack.VerifyFile(path, anchor, key)
	var broken *backpack.ChainError
	if errors.As(err, &broken) {
		fmt.Println(broken.Reason)
	}
	// Output:
	// 2 <nil>
	// the log ends at seq 1 but the anchor names seq 2: entries were removed from the end
}
