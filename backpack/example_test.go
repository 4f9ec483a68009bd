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

// Hiding only the counts under 10 is not enough: counts cannot be negative, so the
// totals bound the hidden cells, and Audit finds the cells they pin down. Suppress
// hides more until Audit finds nothing.
func ExampleAudit() {
	t := backpack.Table{RowName: "lea", ColName: "grade", Rows: []string{"A", "B", "C"}, Cols: []string{"1", "2", "3"},
		Counts:    [][]int{{0, 8, 13}, {5, 26, 3}, {0, 7, 22}},
		RowTotals: []int{21, 34, 29}, ColTotals: []int{5, 41, 38}, Total: 84}
	// The grid with its margins: hide and label N<10 every count under 10.
	grid := [][]int{{0, 8, 13, 21}, {5, 26, 3, 34}, {0, 7, 22, 29}, {5, 41, 38, 84}}
	naive := backpack.Published{Table: t, Min: 10}
	for _, row := range grid {
		small := make([]bool, len(row))
		for j, n := range row {
			small[j] = n < 10
		}
		naive.Suppressed, naive.Small = append(naive.Suppressed, small), append(naive.Small, small)
	}
	bounds, _ := backpack.Audit(naive)
	for _, b := range bounds {
		if b.Leak != "" {
			fmt.Printf("cell %d,%d: %s\n", b.Row, b.Col, b.Leak)
		}
	}
	p, _ := backpack.Suppress(t, 10)
	bounds, _ = backpack.Audit(p)
	leaks := 0
	for _, b := range bounds {
		if b.Leak != "" {
			leaks++
		}
	}
	fmt.Println("after Suppress:", leaks, "leaks")
	// Output:
	// cell 0,0: pinned at 0
	// cell 0,1: pinned at 8
	// cell 1,0: pinned at 5
	// cell 1,2: pinned at 3
	// cell 2,0: pinned at 0
	// cell 2,1: pinned at 7
	// cell 3,0: pinned at 5
	// after Suppress: 0 leaks
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

// A guardian asks their child's LEA for the backpack; a registrar there approves it with
// the student's backpack; only then, and only to that guardian, does the workflow give
// the guardian view. Each step is in the audit log.
func ExampleRequests() {
	sub := &backpack.Submission{LEA: "255902", Students: []backpack.StudentRecord{{
		Record: "255902/W-22001", FirstName: "Lisa", LastSurname: "Woods", SSID: "1000604822",
		Source: backpack.Source{LEA: "255902", Record: "255902/W-22001", Submitted: "2023-01-20"},
	}}}
	store, _ := backpack.NewStore(sub)
	b, _ := store.Build("S1", []string{"255902/W-22001"}, backpack.Survivorship{})
	log, _ := backpack.NewLog([]byte("the state's audit key, 32 bytes."))
	requests, _ := backpack.NewRequests(log)

	req, _ := requests.Submit("255902", "parent@example.org", "1000-604-822")
	_, err := requests.GuardianView("parent@example.org", req.ID, b)
	fmt.Println(errors.Is(err, backpack.ErrDenied)) // not approved yet
	registrar := backpack.StaffUser{ID: "registrar", LEA: "255902", Permissions: backpack.PermRequest}
	if _, err := requests.Approve(registrar, req.ID, b); err != nil {
		fmt.Println(err)
		return
	}
	v, err := requests.GuardianView("parent@example.org", req.ID, b)
	fmt.Println(v.Audience, err)
	entries, _ := log.Entries()
	for _, e := range entries {
		fmt.Println(e.Action, e.Actor)
	}
	// Output:
	// true
	// guardian <nil>
	// request parent@example.org
	// request registrar
	// view parent@example.org
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

// An in-memory log whose entries go on to another store as they come (a service's
// database) drains them: it holds none after, and the chain goes on from the last.
func ExampleLog_Drain() {
	log, _ := backpack.NewLog([]byte("the state's audit key, 32 bytes."))
	log.Now = func() time.Time { return time.Date(2024, 9, 1, 8, 0, 0, 0, time.UTC) }
	log.Append(backpack.Entry{Action: backpack.ActionHandoff, StudentID: "S1", Actor: "registrar"})
	first, _ := log.Drain()
	log.Append(backpack.Entry{Action: backpack.ActionHandoff, StudentID: "S2", Actor: "registrar"})
	second, _ := log.Drain()
	left, _ := log.Entries()
	fmt.Println(len(first), len(second), len(left))
	fmt.Println(second[0].Seq, second[0].Prev == first[0].Hash)
	// Output:
	// 1 1 0
	// 2 true
}

// An LEA's staff see a student's backpack while the LEA enrolls the student. The
// enrollment was submitted open; when the student leaves, the LEA records the exit, and
// from the next day its staff no longer see the backpack. The exit is in the audit log.
func ExampleRequests_RecordExit() {
	src := backpack.Source{LEA: "255901", Record: "255901/604822", Submitted: "2023-08-21"}
	store, _ := backpack.NewStore(&backpack.Submission{LEA: "255901", Submitted: src.Submitted,
		Students: []backpack.StudentRecord{{Record: src.Record, FirstName: "Lisa", SSID: "1000604822", Source: src}},
		Enrollments: []backpack.Enrollment{{Record: src.Record, LEA: "255901", SchoolID: 255901001,
			EntryDate: "2023-08-21", Source: src}}, // open: no exit date
	})
	b, _ := store.Build("S1", []string{src.Record}, backpack.Survivorship{})
	log, _ := backpack.NewLog([]byte("the state's audit key, 32 bytes."))
	requests, _ := backpack.NewRequests(log)
	today := time.Date(2024, 9, 3, 9, 0, 0, 0, time.UTC)
	requests.Now = func() time.Time { return today }

	registrar := backpack.StaffUser{ID: "registrar", LEA: "255901", Permissions: backpack.PermView}
	if err := requests.RecordExit(registrar, b, "255901", "2024-09-06"); err != nil {
		fmt.Println(err)
		return
	}
	_, err := requests.StaffView(registrar, b)
	fmt.Println("on 2024-09-03:", err) // before the exit

	today = time.Date(2024, 9, 7, 9, 0, 0, 0, time.UTC)
	_, err = requests.StaffView(registrar, b)
	fmt.Println("on 2024-09-07:", errors.Is(err, backpack.ErrDenied))
	fmt.Println(err)

	entries, _ := log.Entries()
	for _, e := range entries {
		fmt.Println(e.Action, e.Actor, e.Note)
	}
	// Output:
	// on 2024-09-03: <nil>
	// on 2024-09-07: true
	// backpack: permission denied: student S1's enrollments at LEA 255901 ended on 2024-09-06, the exit recorded after the enrollment was submitted (today is 2024-09-07); the student is not enrolled at LEA 255901 now
	// exit registrar exit from LEA 255901 on 2024-09-06 recorded
	// view registrar staff view at LEA 255901
}
