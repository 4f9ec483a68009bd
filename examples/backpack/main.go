// Command backpack builds student backpacks from Ed-Fi submissions and prints one.
//
// With no arguments it imports the embedded Ed-Fi samples of two LEAs (testdata/edfi),
// links their students with a model trained on the embedded synthetic roll, merges each
// student's records into a backpack with provenance, and prints the staff view of a
// student whose records came from both LEAs, as a registrar of the student's latest LEA
// sees it. -student picks another student by its student ID or by any SSID, local ID
// (studentUniqueId) or identification code (alone, or after its LEA: 255902/22002) or
// record ID (LEA/record ID) an LEA sent for one of its records (an
// unknown one lists the students); -json prints the
// backpack itself, alone on stdout (go run ./examples/backpack -json | python3 -m
// json.tool works): what the program says along the way goes to stderr.
//
// -edfi DIR imports your own Ed-Fi JSON instead: one folder per LEA, the flag repeated
// for each (-edfi lea1/ -edfi lea2/). The folder's name is the LEA's ID unless given as
// -edfi LEA=DIR; -submitted dates resources that carry no _lastModifiedDate (default
// today; stderr says how many student records took it: records of one date tie, and
// survivorship breaks the tie by LEA ID, as the explanations say). A folder given twice is
// an error. A resource that fails its checks is reported on stderr with its file and
// index, and the rest are imported; a student whose Student resource (students.json) is
// refused is left out with every resource about it, each reported as left out for that
// reason, so that no backpack without a name or birth date comes of it, and the summary
// counts only the students whose Student resource was imported. A second Student
// resource with a studentUniqueId already used in its students.json is left out and
// reported, and, when it is another student, so is every resource about that ID.
//
// Every merge and the view (with -json too: the backpack is printed as the registrar's
// staff view, which is logged) are audit entries. -audit F appends them to the durable log F
// (created if missing; later runs append to it), with its head in the anchor file
// -anchor (F.anchor by default). Keep the anchor where the log's writer cannot rewrite
// it, on other storage than F: one who can rewrite both can cut both back to an earlier
// point. An anchor in F's own directory, the default among them, is used with a warning
// on stderr. The log is keyed by the
// HMAC key in -key-file, which -audit and -verify need: for a new log a missing key file
// is created with a random key, and the program says so; for an existing log, and for
// -verify, a missing key file is an error (a mistyped path creates nothing). -verify
// checks F against its anchor under the key and prints what it verified, without
// building anything. A log a crash left is repaired on opening, and stderr says what was
// recovered. Two runs appending to one log take turns: the second waits for the first.
package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/internal/boundedfile"
	"github.com/studentlink/studentlink/internal/cli"
	"github.com/studentlink/studentlink/internal/demo"
	"github.com/studentlink/studentlink/match"
)

type options struct {
	student   string
	asJSON    bool
	audit     string // log file
	anchor    string
	keyFile   string
	verify    bool
	edfi      []string // [LEA=]DIR, one per LEA
	submitted string
}

const usage = `usage: backpack [-edfi DIR …] [-student ID] [-json] [-audit LOG -key-file KEY [-verify]]

Builds student backpacks from Ed-Fi submissions (the embedded samples of two LEAs, or your
folders with -edfi) and prints one: the staff view, or with -json the backpack itself.`

func main() {
	var o options
	fs := cli.NewFlagSet("backpack", usage, os.Stderr)
	fs.StringVar(&o.student, "student", "", "student ID, or any SSID, local ID (alone or as LEA/local ID) or record ID (LEA/record ID) an LEA sent, of the backpack to print (default: the first with records from several LEAs)")
	fs.BoolVar(&o.asJSON, "json", false, "print the backpack as JSON, alone on stdout, instead of the staff view")
	fs.Func("edfi", "an LEA's Ed-Fi JSON `folder`, [LEA=]DIR (repeat for each LEA; default: the embedded samples)", func(v string) error {
		o.edfi = append(o.edfi, v)
		return nil
	})
	fs.StringVar(&o.submitted, "submitted", "", "submission `date` of -edfi resources without a _lastModifiedDate (default: today)")
	fs.StringVar(&o.audit, "audit", "", "append the audit entries to this log `file` (JSON lines)")
	fs.StringVar(&o.anchor, "anchor", "", "the log's anchor `file` of checkpoints (default: the log's path + .anchor)")
	fs.StringVar(&o.keyFile, "key-file", "", "`file` holding the audit log's HMAC key (created with a random key if missing)")
	fs.BoolVar(&o.verify, "verify", false, "verify the -audit log against its anchor and exit")
	if code, stop := cli.Parse(fs, os.Args[1:]); stop {
		os.Exit(code)
	}
	if err := run(os.Stdout, os.Stderr, o); err != nil {
		fmt.Fprintln(os.Stderr, errorLine(err))
		os.Exit(1)
	}
}

// errorLine is the message for a failed run, prefixed "backpack:" once: the package's
// errors carry the prefix already.
func errorLine(err error) string {
	msg := err.Error()
	if !strings.HasPrefix(msg, "backpack: ") {
		msg = "backpack: " + msg
	}
	return msg
}

// run does what the options say: the backpack (its staff view, or JSON) and -verify's
// answer go to stdout, everything said along the way to stderr.
func run(stdout, stderr io.Writer, o options) error {
	if err := checkSubmitted(o.submitted, time.Now()); err != nil {
		return err
	}
	if o.anchor == "" && o.audit != "" {
		o.anchor = o.audit + ".anchor"
	}
	if o.audit != "" && sameDir(o.audit, o.anchor) {
		fmt.Fprintf(stderr, "audit: warning: the anchor %s is in the log's directory: whoever can rewrite the log there can rewrite its anchor too and cut both back; keep it where the log's writer cannot write (-anchor)\n", o.anchor)
	}
	if o.verify {
		return verify(stdout, stderr, o)
	}
	log, err := openLog(stderr, o)
	if err != nil {
		return err
	}
	defer log.Close()
	first := log.Head().Seq
	ctx := context.Background()
	subs, err := submissions(stderr, o)
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
	version := linker.Settings().Version
	var bps []*backpack.Backpack
	for _, g := range backpack.Groups(res) {
		b, err := store.Merge(g, backpack.Survivorship{}, log, "examples/backpack", version)
		if err != nil {
			return err
		}
		bps = append(bps, b)
	}
	fmt.Fprintf(stderr, "%d student records from %d LEAs → %d backpacks\n", len(store.Records()), len(subs), len(bps))
	pick, how, err := choose(bps, store, o.student)
	if err != nil {
		return err
	}
	if how != "" {
		fmt.Fprintf(stderr, "-student %s: %s\n", o.student, how)
	}
	v, err := staffView(log, pick)
	if err != nil {
		return err
	}
	if o.asJSON {
		// The staff view holds everything; the backpack itself is what -json writes.
		err = backpack.WriteJSON(stdout, pick)
	} else {
		fmt.Fprintln(stdout)
		err = v.WriteText(stdout, nil)
	}
	if err != nil {
		return err
	}
	return reportLog(stderr, o, log, first)
}

// submissions imports the -edfi folders, one LEA each, or the embedded samples. A
// resource that fails its checks is reported on stderr and left out; a folder that cannot
// be read is an error.
func submissions(stderr io.Writer, o options) ([]*backpack.Submission, error) {
	if len(o.edfi) == 0 {
		return demo.EdFiSubmissions()
	}
	submitted, defaulted := o.submitted, "the -submitted date"
	if submitted == "" {
		submitted, defaulted = time.Now().Format(time.DateOnly), "today, by default"
	}
	type folder struct {
		arg, lea, dir string
		st            os.FileInfo
	}
	var folders []folder
	for _, arg := range o.edfi {
		lea, dir, named := strings.Cut(arg, "=")
		if !named {
			dir, lea = arg, filepath.Base(filepath.Clean(arg))
		}
		st, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("-edfi %s: %w", arg, err)
		} else if !st.IsDir() {
			return nil, fmt.Errorf("-edfi %s: %s is not a folder (one folder of Ed-Fi JSON per LEA)", arg, dir)
		}
		for _, f := range folders {
			if os.SameFile(f.st, st) {
				return nil, fmt.Errorf("-edfi %s: the folder %s was given twice (-edfi %s is the same folder): give each LEA's folder once", arg, dir, f.arg)
			}
		}
		folders = append(folders, folder{arg, lea, dir, st})
	}
	var subs []*backpack.Submission
	var undatedLEAs []string
	for _, f := range folders {
		arg, lea, dir := f.arg, f.lea, f.dir
		sub, errs := backpack.Import(os.DirFS(dir), ".", backpack.ImportOptions{LEA: lea, Submitted: submitted})
		if sub == nil || len(sub.Students) == 0 {
			return nil, fmt.Errorf("-edfi %s: no student imported from %s: %w", arg, dir, errors.Join(append(errs, errors.New("no students.json with a valid student"))...))
		}
		const shown = 20
		for k, err := range errs {
			if k == shown {
				fmt.Fprintf(stderr, "-edfi %s: … and %d more problems\n", arg, len(errs)-shown)
				break
			}
			fmt.Fprintf(stderr, "-edfi %s: left out: %v\n", arg, err)
		}
		refused, dups, ambiguous := 0, 0, 0
		for _, err := range errs {
			var rs *backpack.RefusedStudentError
			var ds *backpack.DuplicateStudentError
			switch {
			case errors.As(err, &rs):
				refused++
			case errors.As(err, &ds) && ds.About:
				ambiguous++
			case errors.As(err, &ds):
				dups++
			}
		}
		var why []string
		if refused > 0 {
			why = append(why, fmt.Sprintf("%d of them about a student whose Student resource was refused", refused))
		}
		if dups > 0 {
			why = append(why, fmt.Sprintf("%d Student resource(s) with a studentUniqueId already used", dups))
		}
		if ambiguous > 0 {
			why = append(why, fmt.Sprintf("%d about a studentUniqueId two different students were given", ambiguous))
		}
		because := ""
		if len(why) > 0 {
			because = " (" + strings.Join(why, "; ") + ")"
		}
		nameless := ""
		if n := withoutStudent(sub); n > 0 {
			nameless = fmt.Sprintf(" (%d of them with no Student resource in students.json: no name or birth date, only associations)", n)
		}
		fmt.Fprintf(stderr, "LEA %s: %d student(s) imported from %s%s, %d resource(s) left out%s\n", lea, len(sub.Students), dir, nameless, len(errs), because)
		if n := undated(sub); n > 0 {
			fmt.Fprintf(stderr, "LEA %s: %d of %d student record(s) carry no _lastModifiedDate: dated %s (%s)\n", lea, n, len(sub.Students), submitted, defaulted)
			undatedLEAs = append(undatedLEAs, lea)
		}
		subs = append(subs, sub)
	}
	if len(undatedLEAs) > 0 {
		how := "give the date they were submitted with -submitted YYYY-MM-DD (one date for every folder), or a _lastModifiedDate in each resource"
		if o.submitted != "" {
			how = "-submitted gives every folder the same date; a _lastModifiedDate in each resource tells LEAs apart"
		}
		fmt.Fprintf(stderr, "submission dates: the records of LEA %s are dated %s for want of a _lastModifiedDate: where LEAs' values differ, "+
			"the most recent cannot be told from records of the same date, and the tie goes to the LEA whose ID sorts first; %s\n",
			strings.Join(undatedLEAs, ", "), submitted, how)
	}
	return subs, nil
}

// withoutStudent counts the submission's student records that no Student resource gave:
// they come of associations alone.
func withoutStudent(sub *backpack.Submission) int {
	n := 0
	for _, st := range sub.Students {
		if path.Base(filepath.ToSlash(st.Source.File)) != "students.json" {
			n++
		}
	}
	return n
}

// checkSubmitted refuses a -submitted that is not a real date YYYY-MM-DD, or is after
// the latest date anywhere on Earth at now (UTC+14), whatever else is given: "" is
// today, the default.
func checkSubmitted(v string, now time.Time) error {
	if v == "" {
		return nil
	}
	day, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return fmt.Errorf("-submitted %s: not a date YYYY-MM-DD (a real one)", v)
	}
	if latest := now.UTC().Add(14 * time.Hour).Format(time.DateOnly); day.Format(time.DateOnly) > latest {
		return fmt.Errorf("-submitted %s: in the future (the latest date anywhere is %s)", v, latest)
	}
	return nil
}

// undated counts the submission's student records that took the default submission
// date: their student or association resource carried no _lastModifiedDate (one that
// carried exactly the default date is counted too).
func undated(sub *backpack.Submission) int {
	n := 0
	for _, st := range sub.Students {
		if st.Source.Submitted == sub.Submitted || (st.AssociationSource.File != "" && st.AssociationSource.Submitted == sub.Submitted) {
			n++
		}
	}
	return n
}

// staffView returns the backpack's view for a registrar of the student's latest LEA: the
// view goes through the workflow, which logs it. Printing the view or, with -json, the
// backpack itself both rest on it: nothing of a backpack is shown without an audit entry.
func staffView(log *backpack.Log, b *backpack.Backpack) (*backpack.View, error) {
	requests, err := backpack.NewRequests(log)
	if err != nil {
		return nil, err
	}
	lea := b.LEAs()[0]
	if n := len(b.Enrollments); n > 0 {
		lea = b.Enrollments[n-1].Fact.LEA
	}
	staff := backpack.StaffUser{ID: "registrar@" + lea, LEA: lea, Permissions: backpack.PermView}
	return requests.StaffView(staff, b)
}

// openLog opens the -audit log, or, without one, a log in memory for this run.
func openLog(w io.Writer, o options) (*backpack.Log, error) {
	if o.audit == "" {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		return backpack.NewLog(key)
	}
	// A new key only for a new log: under a new key an existing log would not open, and
	// a mistyped -key-file would leave a stray key behind.
	_, statErr := os.Stat(o.audit)
	key, err := readKey(w, o.keyFile, errors.Is(statErr, fs.ErrNotExist))
	if err != nil {
		return nil, err
	}
	log, err := backpack.OpenLog(o.audit, o.anchor, key)
	if err != nil {
		return nil, err
	}
	if r := log.Recovered(); r != "" {
		fmt.Fprintf(w, "audit: %s was not closed cleanly (a crash); recovered: %s\n", o.audit, r)
	}
	return log, nil
}

// sameDir reports whether two files are in one directory (compared as absolute paths;
// a path that does not resolve counts as the same, to warn rather than not).
func sameDir(a, b string) bool {
	da, errA := filepath.Abs(filepath.Dir(a))
	db, errB := filepath.Abs(filepath.Dir(b))
	return errA != nil || errB != nil || da == db
}

// reportLog says what was logged and, for a file log, verifies it against its anchor.
func reportLog(w io.Writer, o options, log *backpack.Log, first int64) error {
	head := log.Head()
	if o.audit == "" {
		fmt.Fprintf(w, "\n%d audit entries, in memory only (-audit F -key-file K keeps them)\n", head.Seq)
		return nil
	}
	if err := log.Verify(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\naudit: entries %d–%d appended to %s; %d entries verify against %s\n", first+1, head.Seq, o.audit, head.Seq, o.anchor)
	return nil
}

func verify(stdout, stderr io.Writer, o options) error {
	if o.audit == "" {
		return errors.New("-verify needs the log: -audit F")
	}
	key, err := readKey(stderr, o.keyFile, false)
	if err != nil {
		return err
	}
	head, err := backpack.VerifyFile(o.audit, o.anchor, key)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d entries verify against %s; head %s\n", o.audit, head.Seq, o.anchor, head.Hash)
	return nil
}

// readKey reads the audit key from path; when the file is missing, it creates it with a
// random key if create says so (a new log), else it is an error.
func readKey(w io.Writer, path string, create bool) ([]byte, error) {
	if path == "" {
		return nil, errors.New("the audit log needs its HMAC key: -key-file K (a missing K is created with a random key for a new log)")
	}
	key, err := readKeyFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !create:
		return nil, fmt.Errorf("-key-file %s does not exist: a key is created only for a new log, and this log has one already (a mistyped path?)", path)
	case !errors.Is(err, fs.ErrNotExist):
		return key, err
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "created the audit key %s with a random key: keep it apart from the log and its anchor\n", path)
	return key, nil
}

// maxKeySize is the largest -key-file read: a key is 32 bytes.
const maxKeySize = 4 << 10

// readKeyFile reads the -key-file path (boundedfile.ReadFile): a device, FIFO or
// directory, or a file larger than maxKeySize, is an error naming the flag and file.
func readKeyFile(path string) ([]byte, error) {
	key, err := boundedfile.ReadFile(path, maxKeySize)
	if err != nil {
		return nil, fmt.Errorf("-key-file %s: %w", path, err)
	}
	return key, nil
}

// choose returns the backpack of the student named — by the backpack's student ID, or
// by an SSID, local ID (studentUniqueId), record ID or identification code that any
// LEA sent for one of its records — or, with no student named, the first merged from
// several LEAs. how says what matched when it was not the backpack's own student ID or
// shown SSID. No backpack, or several, is an error listing the students.
func choose(bps []*backpack.Backpack, store *backpack.Store, student string) (b *backpack.Backpack, how string, err error) {
	if student == "" {
		return largest(bps), "", nil
	}
	type found struct {
		b   *backpack.Backpack
		how string
	}
	var matches []found
	for _, b := range bps {
		if b.StudentID == student {
			return b, "", nil
		}
		if how, ok := carries(store, b, student); ok {
			matches = append(matches, found{b, how})
		}
	}
	switch len(matches) {
	case 1:
		return matches[0].b, matches[0].how, nil
	case 0:
		return nil, "", fmt.Errorf("no backpack has a record with the SSID, local ID, record ID or student ID %q; %s", student, listStudents(bps))
	}
	var list []string
	for _, m := range matches {
		list = append(list, fmt.Sprintf("\n  %s (%s)", describe(m.b), cmp.Or(m.how, "the SSID it shows")))
	}
	return nil, "", fmt.Errorf("%d backpacks have a record with the ID %q: name one by its student ID, a record ID (LEA/record ID, as listed) or a local ID with its LEA (LEA/local ID):%s", len(matches), student, strings.Join(list, ""))
}

// carries reports whether a record of b carries the ID id, and says which, "" when it is
// the SSID b shows.
func carries(store *backpack.Store, b *backpack.Backpack, id string) (string, bool) {
	sameSSID := func(a, b string) bool {
		ca, errA := backpack.CleanSSID(a)
		cb, errB := backpack.CleanSSID(b)
		return a == b || (errA == nil && errB == nil && ca == cb)
	}
	if sameSSID(b.SSID(), id) {
		return "", true
	}
	for _, r := range b.Records {
		if r == id {
			return "the record " + r, true
		}
		st, ok := store.Student(r)
		if !ok {
			continue
		}
		lea := st.Source.LEA
		switch {
		case sameSSID(st.SSID, id):
			return fmt.Sprintf("the SSID LEA %s sent for record %s; the backpack shows SSID %s", lea, r, b.SSID()), true
		case st.StudentUniqueID != "" && (st.StudentUniqueID == id || lea+"/"+st.StudentUniqueID == id):
			return fmt.Sprintf("the local ID of record %s (LEA %s)", r, lea), true
		}
		for _, o := range st.OtherValues {
			if o.Field == "ssid" && sameSSID(o.Value, id) {
				return fmt.Sprintf("an SSID LEA %s sent for record %s; the backpack shows SSID %s", o.Source.LEA, r, b.SSID()), true
			}
		}
		for _, c := range st.IdentificationCodes {
			if c.Code != "" && (c.Code == id || lea+"/"+c.Code == id) {
				return fmt.Sprintf("the %s ID of record %s (LEA %s)", c.System, r, lea), true
			}
		}
	}
	return "", false
}

// describe names a backpack's student: the SSID shown, the name, and the records.
func describe(b *backpack.Backpack) string {
	name := strings.Join(strings.Fields(b.Value("first_name")+" "+b.Value("last_surname")), " ")
	return fmt.Sprintf("SSID %s, %s, student ID %s, records %s", cmp.Or(b.SSID(), "none"), cmp.Or(name, "no name"), b.StudentID, strings.Join(b.Records, " "))
}

// listStudents lists the backpacks' students for an error, the first few of many.
func listStudents(bps []*backpack.Backpack) string {
	const shown = 20
	var lines []string
	for k, b := range bps {
		if k == shown {
			lines = append(lines, fmt.Sprintf("… and %d more", len(bps)-shown))
			break
		}
		lines = append(lines, "  "+describe(b))
	}
	return fmt.Sprintf("the %d students (-student takes any of their IDs):\n%s", len(bps), strings.Join(lines, "\n"))
}

// largest returns the backpack with the most facts among those merged from several
// records, or the one with the most records.
func largest(bps []*backpack.Backpack) *backpack.Backpack {
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
