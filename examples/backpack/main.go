// Command backpack builds student backpacks from Ed-Fi submissions and prints one.
//
// With no arguments it imports the embedded Ed-Fi samples of two LEAs (testdata/edfi),
// links their students with a model trained on the embedded synthetic roll, merges each
// student's records into a backpack with provenance, and prints the staff view of a
// student whose records came from both LEAs. -student picks another student by SSID or
// student ID; -json prints the backpack itself; -audit writes the merge log.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/internal/demo"
	"github.com/studentlink/studentlink/match"
)

func main() {
	student := flag.String("student", "", "SSID or student ID of the backpack to print (default: the first with records from several LEAs)")
	asJSON := flag.Bool("json", false, "print the backpack as JSON instead of the staff view")
	auditPath := flag.String("audit", "", "write the audit log (JSON lines) to this file")
	flag.Parse()
	if err := run(os.Stdout, *student, *asJSON, *auditPath); err != nil {
		fmt.Fprintln(os.Stderr, "backpack:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, student string, asJSON bool, auditPath string) error {
	ctx := context.Background()
	subs, err := demo.EdFiSubmissions()
	if err != nil {
		return err
	}
	linker, _, err := demo.TrainedLinker(ctx)
	if err != nil {
		return err
	}
	res, err := backpack.Link(ctx, linker, match.RunOptions{}, subs...)
	if err != nil {
		return err
	}
	store, err := backpack.NewStore(subs...)
	if err != nil {
		return err
	}
	log, _ := backpack.NewLog()
	version := linker.Settings().Version
	var bps []*backpack.Backpack
	for _, g := range backpack.Groups(res) {
		b, err := store.Merge(g, backpack.Survivorship{}, log, "examples/backpack", version)
		if err != nil {
			return err
		}
		bps = append(bps, b)
	}
	fmt.Fprintf(w, "%d student records from %d LEAs → %d backpacks; %d audit entries\n",
		len(store.Records()), len(subs), len(bps), len(log.Entries()))
	pick := choose(bps, student)
	if pick == nil {
		return fmt.Errorf("no backpack for student %q", student)
	}
	if auditPath != "" {
		f, err := os.Create(auditPath)
		if err != nil {
			return err
		}
		if _, err := log.WriteTo(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if asJSON {
		return backpack.WriteJSON(w, pick)
	}
	staff := backpack.StaffUser{ID: "registrar", LEA: "255902", Permissions: backpack.PermView}
	v, err := backpack.StaffView(staff, pick)
	if err != nil {
		return err
	}
	fmt.Fprintln(w)
	return v.WriteText(w, nil)
}

// choose returns the backpack of the student named, or the first merged from several LEAs.
func choose(bps []*backpack.Backpack, student string) *backpack.Backpack {
	for _, b := range bps {
		if student != "" && (b.StudentID == student || b.SSID() == student) {
			return b
		}
	}
	if student != "" {
		return nil
	}
	var best *backpack.Backpack
	size := func(b *backpack.Backpack) int {
		return len(b.Enrollments) + len(b.Grades) + len(b.CourseHistory) + len(b.Attendance) + len(b.Teachers) + len(b.Assessments)
	}
	for _, b := range bps {
		if len(b.Records) > 1 && (best == nil || size(b) > size(best)) {
			best = b
		}
	}
	if best != nil {
		return best
	}
	return slices.MaxFunc(bps, func(a, b *backpack.Backpack) int { return len(a.Records) - len(b.Records) })
}
