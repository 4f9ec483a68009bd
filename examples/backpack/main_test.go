package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

func TestRunDefault(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, &out, options{}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"14 student records from 2 LEAs → 11 backpacks",
		"first_name=Lisa", "ssid=1000604822",
		"conflict: middle_name", "course history     3", "taken_at=Grand Bend High School",
		"credentials=Licensure, Mathematics, Professional (UT, expires 2027-06-30)",
		"from 255901 255901/604822", "from 255902 255902/W-22001",
		"12 audit entries, in memory only",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("want %q in output:\n%s", want, got)
		}
	}
}

// -audit appends to the log across runs, and -verify checks it against its anchor.
func TestRunAuditAppendsAndVerifies(t *testing.T) {
	dir := t.TempDir()
	o := options{audit: filepath.Join(dir, "audit.jsonl"), keyFile: filepath.Join(dir, "audit.key")}
	var out bytes.Buffer
	if err := run(&out, &out, o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "created the audit key") || !strings.Contains(out.String(), "entries 1–12 appended") {
		t.Errorf("first run:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "warning: the anchor "+o.audit+".anchor is in the log's directory") {
		t.Errorf("no warning of the anchor beside the log:\n%s", out.String())
	}
	first, _ := os.ReadFile(o.audit)
	out.Reset()
	if err := run(&out, &out, o); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "created the audit key") || !strings.Contains(out.String(), "entries 13–24 appended") {
		t.Errorf("second run:\n%s", out.String())
	}
	second, _ := os.ReadFile(o.audit)
	if !bytes.HasPrefix(second, first) {
		t.Error("the second run rewrote the first run's entries")
	}
	key, _ := os.ReadFile(o.keyFile)
	entries, err := backpack.ReadEntries(bytes.NewReader(second))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 24 || entries[11].Action != backpack.ActionView || entries[12].Seq != 13 {
		t.Errorf("%d entries; want 24, two runs of 11 merges and a view", len(entries))
	}
	out.Reset()
	verify := o
	verify.verify = true
	if err := run(&out, &out, verify); err != nil || !strings.Contains(out.String(), "24 entries verify against "+o.audit+".anchor") {
		t.Errorf("-verify: %v\n%s", err, out.String())
	}
	// Cut the last entry: -verify fails, and so does the next run.
	if err := os.WriteFile(o.audit, second[:bytes.LastIndexByte(second[:len(second)-1], '\n')+1], 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(&out, &out, verify); err == nil || !strings.Contains(err.Error(), "removed from the end") {
		t.Errorf("-verify of a cut log: %v", err)
	}
	if err := run(&out, &out, o); err == nil {
		t.Error("a run appended to a cut log")
	}
	if _, err := backpack.VerifyFile(o.audit, o.audit+".anchor", key); err == nil {
		t.Error("VerifyFile passed the cut log")
	}
	if err := run(&out, &out, options{audit: o.audit, verify: true}); err == nil {
		t.Error("-verify without a key file")
	}
}

func TestRunJSONByStudent(t *testing.T) {
	var out, talk bytes.Buffer
	if err := run(&out, &talk, options{student: "1000604871", asJSON: true}); err != nil {
		t.Fatal(err)
	}
	// stdout is the backpack alone, as JSON.
	if !json.Valid(out.Bytes()) {
		t.Fatalf("-json: stdout is not JSON:\n%s", out.String())
	}
	b, err := backpack.ReadBackpack(&out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(talk.String(), "backpacks") {
		t.Errorf("the summary should be on stderr: %q", talk.String())
	}
	if len(b.Records) != 2 || b.Value("first_name") != "Jerry" {
		t.Errorf("Gerald/Jerry Berry's backpack: records %v, first name %q", b.Records, b.Value("first_name"))
	}
	if len(b.Assessments) != 2 {
		t.Errorf("%d assessments, want 2 (the math result reported by both LEAs kept once)", len(b.Assessments))
	}
	if err := run(&out, &out, options{student: "no-such-student"}); err == nil {
		t.Error("an unknown student gave no error")
	}
}

// -edfi reads the user's own folders, one per LEA, the LEA named by the folder or given.
func TestRunEdFiFolders(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "edfi")
	var out, talk bytes.Buffer
	o := options{edfi: []string{filepath.Join(dir, "255901"), "255902=" + filepath.Join(dir, "255902")}, submitted: "2023-01-20", asJSON: true}
	if err := run(&out, &talk, o); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"LEA 255901: ", "LEA 255902: ", "14 student records from 2 LEAs → 11 backpacks"} {
		if !strings.Contains(talk.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, talk.String())
		}
	}
	if !json.Valid(out.Bytes()) {
		t.Errorf("stdout is not JSON:\n%s", out.String())
	}
	if err := run(&out, &talk, options{edfi: []string{t.TempDir()}}); err == nil || !strings.Contains(err.Error(), "no student imported") {
		t.Errorf("an empty folder: err = %v", err)
	}
	// A folder that is not there, or a file, is named as given.
	missing := filepath.Join(t.TempDir(), "lea9")
	if err := run(&out, &talk, options{edfi: []string{missing}}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("a missing folder: err = %v, want it named", err)
	}
	if err := run(&out, &talk, options{edfi: []string{"main.go"}}); err == nil || !strings.Contains(err.Error(), "main.go is not a folder") {
		t.Errorf("a file: err = %v", err)
	}
}

// -json prints the whole backpack, so it is a staff view like any other: an audit entry
// of the student it shows.
func TestRunJSONIsAudited(t *testing.T) {
	dir := t.TempDir()
	o := options{student: "1000604871", asJSON: true, audit: filepath.Join(dir, "audit.jsonl"), keyFile: filepath.Join(dir, "audit.key")}
	var out, talk bytes.Buffer
	if err := run(&out, &talk, o); err != nil {
		t.Fatal(err)
	}
	b, err := backpack.ReadBackpack(&out)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(o.audit)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := backpack.ReadEntries(f)
	if err != nil {
		t.Fatal(err)
	}
	var views []string
	for _, e := range entries {
		if e.Action == backpack.ActionView {
			views = append(views, e.StudentID+" by "+e.Actor)
		}
	}
	want := []string{b.StudentID + " by registrar@" + b.Enrollments[len(b.Enrollments)-1].Fact.LEA}
	if diff := cmp.Diff(want, views); diff != "" {
		t.Errorf("view entries of a -json run (-want +got):\n%s", diff)
	}
}

// A mistyped -key-file creates no key: not for -verify, not for a log that exists. A
// crash's leftovers are reported on stderr when the log is opened. Errors say
// "backpack:" once.
func TestRunKeyFileAndRecovery(t *testing.T) {
	dir := t.TempDir()
	o := options{audit: filepath.Join(dir, "audit.jsonl"), keyFile: filepath.Join(dir, "audit.key"), student: "1000604871"}
	var out bytes.Buffer
	if err := run(&out, &out, o); err != nil {
		t.Fatal(err)
	}
	typo := filepath.Join(dir, "audit.kye")
	for _, verify := range []bool{true, false} {
		mistyped := o
		mistyped.keyFile, mistyped.verify = typo, verify
		err := run(&out, &out, mistyped)
		if err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("-verify %v with a mistyped -key-file: %v", verify, err)
		}
		if _, statErr := os.Stat(typo); statErr == nil {
			t.Fatalf("-verify %v with a mistyped -key-file created %s", verify, typo)
		}
	}
	// A crash after the log's write, before its head was anchored: the anchor still holds
	// the head before and the intent. The next run anchors the announced batch and says so.
	anchor := o.audit + ".anchor"
	f, err := os.Open(o.audit)
	if err != nil {
		t.Fatal(err)
	}
	es, err := backpack.ReadEntries(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	n := len(es)
	crashed := fmt.Sprintf(`{"seq":%d,"hash":"%s"}`+"\n"+`{"seq":%d,"hash":""}`+"\n", n-1, es[n-2].Hash, n)
	if err := os.WriteFile(anchor, []byte(crashed), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(&out, &out, o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "was not closed cleanly (a crash); recovered: anchored entries 12–12") {
		t.Errorf("the recovery is not reported:\n%s", out.String())
	}
	// An emptied anchor is no crash: the run refuses the log, and says "backpack:" once.
	if err := os.WriteFile(anchor, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err = run(&out, &out, o)
	if err == nil || !strings.Contains(err.Error(), "follow the anchor") {
		t.Fatalf("a run with an emptied anchor: %v", err)
	}
	if line := errorLine(err); strings.Count(line, "backpack:") != 1 {
		t.Errorf("error line %q repeats the prefix", line)
	}
}

// An anchor kept in another directory than the log draws no warning; one beside it does,
// on stderr.
func TestRunWarnsOfAnAnchorBesideTheLog(t *testing.T) {
	logDir, anchorDir := t.TempDir(), t.TempDir()
	for _, tt := range []struct {
		anchor string
		warn   bool
	}{
		{filepath.Join(anchorDir, "audit.anchor"), false},
		{filepath.Join(logDir, "elsewhere.anchor"), true},
	} {
		o := options{audit: filepath.Join(logDir, fmt.Sprint(tt.warn, ".jsonl")), anchor: tt.anchor, keyFile: filepath.Join(logDir, "audit.key")}
		var stdout, stderr bytes.Buffer
		if err := run(&stdout, &stderr, o); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(stderr.String(), "warning: the anchor"); got != tt.warn || strings.Contains(stdout.String(), "warning") {
			t.Errorf("-anchor %s: warned on stderr %v, want %v\nstdout:\n%s\nstderr:\n%s", tt.anchor, got, tt.warn, stdout.String(), stderr.String())
		}
	}
}

// -student finds a backpack by any ID an LEA sent for one of its records: the SSID that
// did not survive, a local ID, a record ID; an unknown one lists the students.
func TestRunStudentByAnyID(t *testing.T) {
	dianna := []string{"255901/604855", "255902/W-22003"}
	for _, tt := range []struct {
		student string
		records []string
		how     string // on stderr; "" for none
	}{
		// The embedded samples date LEA 255902's record later: its SSID is shown.
		{"1000604585", dianna, ""},
		{"1000-604-585", dianna, ""},
		{"1000604855", dianna, "-student 1000604855: the SSID LEA 255901 sent for record 255901/604855; the backpack shows SSID 1000604585"},
		{"604855", dianna, "-student 604855: the local ID of record 255901/604855 (LEA 255901)"},
		{"W-22003", dianna, "-student W-22003: the local ID of record 255902/W-22003"},
		{"255902/W-22003", dianna, "-student 255902/W-22003: the record 255902/W-22003"},
		{"1000604871", []string{"255901/604871", "255902/W-22002"}, ""},
		// The Local ID an LEA sent, alone or after its LEA, as record IDs are written.
		{"22002", []string{"255901/604871", "255902/W-22002"}, "-student 22002: the Local ID of record 255902/W-22002 (LEA 255902)"},
		{"255902/22002", []string{"255901/604871", "255902/W-22002"}, "-student 255902/22002: the Local ID of record 255902/W-22002 (LEA 255902)"},
	} {
		t.Run(tt.student, func(t *testing.T) {
			var out, talk bytes.Buffer
			if err := run(&out, &talk, options{student: tt.student, asJSON: true}); err != nil {
				t.Fatal(err)
			}
			b, err := backpack.ReadBackpack(&out)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.records, b.Records); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			if got := strings.Contains(talk.String(), "-student "); got != (tt.how != "") || !strings.Contains(talk.String(), tt.how) {
				t.Errorf("stderr: want %q:\n%s", tt.how, talk.String())
			}
		})
	}
	var out bytes.Buffer
	err := run(&out, &out, options{student: "1000609999"})
	if err == nil {
		t.Fatal("an unknown student gave no error")
	}
	for _, want := range []string{`"1000609999"`, "the 11 students (-student takes any of their IDs)", "SSID 1000604822, Lisa Woods", "records 255901/604855 255902/W-22003"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// A folder given twice, however written, is refused before anything is read.
func TestRunEdFiFolderGivenTwice(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "edfi", "255901"))
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "lea")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		edfi []string
		want string // in the error; "" for none
	}{
		{"the same path", []string{dir, dir}, "given twice"},
		{"a trailing slash", []string{dir, dir + string(filepath.Separator)}, "given twice"},
		{"named and not", []string{dir, "X=" + dir}, "-edfi X=" + dir + ": the folder " + dir + " was given twice (-edfi " + dir + " is the same folder)"},
		{"through a link", []string{dir, link}, "given twice"},
		{"two folders", []string{dir, filepath.Join(filepath.Dir(dir), "255902")}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(&out, &out, options{edfi: tt.edfi, submitted: "2023-01-20"})
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(out.String(), "imported") {
				t.Errorf("a folder was read before the error:\n%s", out.String())
			}
		})
	}
}

// Folders without _lastModifiedDate: stderr says the records were dated by default and
// how to date them, the explanations say a tie on the date was broken by LEA ID, and
// stdout stays the backpack alone with -json.
func TestRunEdFiUndatedTies(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "edfi")
	for _, tt := range []struct {
		submitted string
		asJSON    bool
		talk      []string
		out       []string
	}{
		{"", false,
			[]string{"LEA 255901: 10 of 10 student record(s) carry no _lastModifiedDate", "(today, by default)", "give the date they were submitted with -submitted YYYY-MM-DD"},
			[]string{`first_name=Dianna`, `because a tie: "Dianna" (LEA 255901) and "Diana" (LEA 255902), both submitted `, "broken by LEA ID: 255901 sorts before 255902"}},
		{"2023-01-20", false,
			[]string{"dated 2023-01-20 (the -submitted date)", "-submitted gives every folder the same date"},
			[]string{`both submitted 2023-01-20; broken by LEA ID: 255901 sorts before 255902`}},
		{"2023-01-20", true, []string{"carry no _lastModifiedDate", "-student 1000604585: the SSID LEA 255902 sent"}, []string{`"a tie: \"Dianna\" (LEA 255901)`}},
	} {
		t.Run(fmt.Sprint(tt.submitted, tt.asJSON), func(t *testing.T) {
			var out, talk bytes.Buffer
			// Either order of the folders: the same winner, for the same reason.
			for _, edfi := range [][]string{{"255901", "255902"}, {"255902", "255901"}} {
				out.Reset()
				talk.Reset()
				o := options{edfi: []string{filepath.Join(dir, edfi[0]), filepath.Join(dir, edfi[1])}, student: "1000604585", submitted: tt.submitted, asJSON: tt.asJSON}
				if err := run(&out, &talk, o); err != nil {
					t.Fatal(err)
				}
				for _, want := range tt.talk {
					if !strings.Contains(talk.String(), want) {
						t.Errorf("%v: stderr lacks %q:\n%s", edfi, want, talk.String())
					}
				}
				for _, want := range tt.out {
					if !strings.Contains(out.String(), want) {
						t.Errorf("%v: stdout lacks %q:\n%s", edfi, want, out.String())
					}
				}
				if strings.Contains(out.String(), "most recently") {
					t.Errorf("%v: recency claimed among records of one date:\n%s", edfi, out.String())
				}
				if tt.asJSON && !json.Valid(out.Bytes()) {
					t.Errorf("%v: stdout is not JSON:\n%s", edfi, out.String())
				}
			}
		})
	}
}

// A student whose Student resource is refused is left out with every resource about it:
// no nameless backpack comes of it, the summary counts only the students imported, and
// says how many resources were left out for that reason; the other LEA's record of the
// same child stands alone.
func TestRunEdFiRefusedStudents(t *testing.T) {
	const (
		id1 = `"studentUniqueId": "W-22002",`
		bd2 = `"birthDate": "2014-09-21"`
		bd3 = `"birthDate": "2013-03-05"`
	)
	dianna := []string{"255901/604855", "255902/W-22003"}
	for _, tt := range []struct {
		name    string
		edits   [][2]string
		talk    []string
		records []string // of the backpack of 255901/604855, Dianna Lloyd
		gone    []string // records refused
	}{
		{"three refused", [][2]string{{id1, id1 + ` "_lastModifiedDate": "2999-01-01",`}, {bd2, `"birthDate": "2099-01-01"`}, {bd3, `"birthDate": "+2013-03-05"`}},
			[]string{"LEA 255902: 1 student(s) imported from ", ", 17 resource(s) left out (14 of them about a student whose Student resource was refused)",
				"left out: backpack: studentSchoolAssociations.json[2] at byte 676: its Student resource (students.json[2]) was refused",
				"11 student records from 2 LEAs → 10 backpacks"},
			[]string{"255901/604855"}, []string{"255902/W-22002", "255902/W-22003", "255902/W-22004"}},
		{"syntax error", [][2]string{{`"firstName": "Jerry",`, `"firstName": "Jerry"`}},
			[]string{"LEA 255902: 3 student(s) imported from ", ", 8 resource(s) left out (7 of them about a student whose Student resource was refused)",
				"13 student records from 2 LEAs → 11 backpacks"},
			dianna, []string{"255902/W-22002"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "testdata", "edfi"))); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "255902", "students.json")
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			data := string(b)
			for _, e := range tt.edits {
				if strings.Count(data, e[0]) != 1 {
					t.Fatalf("students.json holds %q %d times, want once", e[0], strings.Count(data, e[0]))
				}
				data = strings.Replace(data, e[0], e[1], 1)
			}
			if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			var out, talk bytes.Buffer
			o := options{edfi: []string{"255901=" + filepath.Join(dir, "255901"), "255902=" + filepath.Join(dir, "255902")},
				student: "255901/604855", submitted: "2023-01-20", asJSON: true}
			if err := run(&out, &talk, o); err != nil {
				t.Fatal(err)
			}
			for _, want := range tt.talk {
				if !strings.Contains(talk.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, talk.String())
				}
			}
			bp, err := backpack.ReadBackpack(&out)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.records, bp.Records); diff != "" {
				t.Errorf("records of Dianna Lloyd's backpack (-want +got):\n%s", diff)
			}
			if bp.Value("first_name") != "Dianna" || bp.Value("birth_date") == "" {
				t.Errorf("Dianna Lloyd's backpack: first name %q, birth date %q", bp.Value("first_name"), bp.Value("birth_date"))
			}
			// The refused records are no backpack of their own.
			for _, rec := range tt.gone {
				o.student = rec
				if err := run(&out, &talk, o); err == nil {
					t.Errorf("-student %s: a backpack of a refused student", rec)
				}
			}
		})
	}
}

// An ID several backpacks carry is refused with each backpack and why it matched: the
// SSID it shows is said so, not left as empty brackets.
func TestChooseAmbiguousSaysWhy(t *testing.T) {
	withSSID := func(id, ssid string) *backpack.Backpack {
		return &backpack.Backpack{StudentID: id, Records: []string{"1/" + id}, Demographics: []backpack.Field{{Name: "ssid", Value: ssid}}}
	}
	_, _, err := choose([]*backpack.Backpack{withSSID("S1", "1000000001"), withSSID("S2", "1000000001")}, nil, "1000000001")
	if err == nil {
		t.Fatal("an ID two backpacks show was not refused")
	}
	for _, want := range []string{"student ID S1, records 1/S1 (the SSID it shows)", "a local ID with its LEA (LEA/local ID)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "()") {
		t.Errorf("empty brackets:\n%v", err)
	}
}

// Glenn Gross's Student resource given Lisa Woods's studentUniqueId (604822) is left out
// and reported, naming the file, its index and the student at index 0 that holds the ID;
// the resources about 604822 are left out as they may be about either, and counted.
// Before, the import said "0 resource(s) left out" and folded Glenn into Lisa.
func TestRunEdFiDuplicateStudentUniqueID(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "testdata", "edfi"))); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "255901", "students.json")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	const glenn = `"studentUniqueId": "604837"`
	if strings.Count(string(b), glenn) != 1 {
		t.Fatalf("students.json holds %q %d times, want once", glenn, strings.Count(string(b), glenn))
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(b), glenn, `"studentUniqueId": "604822"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, talk bytes.Buffer
	o := options{edfi: []string{"255901=" + filepath.Join(dir, "255901"), "255902=" + filepath.Join(dir, "255902")}, submitted: "2023-01-20", asJSON: true}
	if err := run(&out, &talk, o); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"-edfi 255901=" + filepath.Join(dir, "255901") + ": left out: backpack: students.json[1] at byte ",
		": studentUniqueId 604822 already used by the student at index 0 (students.json)",
		": studentUniqueId 604822 is used by two different Student resources (students.json[0] and [1]): which student this resource is about cannot be told",
		"LEA 255901: 10 student(s) imported from ",
		" (1 of them with no Student resource in students.json: no name or birth date, only associations), 21 resource(s) left out",
		"(1 Student resource(s) with a studentUniqueId already used; 20 about a studentUniqueId two different students were given)",
	} {
		if !strings.Contains(talk.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, talk.String())
		}
	}
	if strings.Contains(talk.String(), "255901, 0 resource(s) left out") {
		t.Errorf("the duplicate was imported:\n%s", talk.String())
	}
}

// A -key-file that is not a regular file (/dev/full reads without end) or is larger than
// a key file is refused by flag and name, not read.
func TestRunKeyFileBounded(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.key")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxKeySize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	tests := []struct {
		name, keyFile, want string
	}{
		{"a device", os.DevNull, "-key-file " + os.DevNull + ": not a regular file"},
		{"a folder", dir, "-key-file " + dir + ": not a regular file"},
		{"too large", big, "-key-file " + big + ": larger than 4096 bytes"},
	}
	for _, tt := range tests {
		for _, verify := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s verify %v", tt.name, verify), func(t *testing.T) {
				o := options{audit: filepath.Join(dir, "c.log"), keyFile: tt.keyFile, verify: verify}
				err := run(&bytes.Buffer{}, &bytes.Buffer{}, o)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("run = %v, want an error with %q", err, tt.want)
				}
			})
		}
	}
}

// An invalid -submitted is refused by the flag's name whatever else is given; before, it
// was ignored without -edfi and named ImportOptions.Submitted with it.
func TestRunRefusesInvalidSubmitted(t *testing.T) {
	edfi := []string{filepath.Join("..", "..", "testdata", "edfi", "255901")}
	tests := []struct {
		name      string
		submitted string
		edfi      []string
		want      string
	}{
		{"no month 13, without -edfi", "2024-13-45", nil, "-submitted 2024-13-45: not a date YYYY-MM-DD"},
		{"no month 13, with -edfi", "2024-13-45", edfi, "-submitted 2024-13-45: not a date YYYY-MM-DD"},
		{"not a date", "yesterday", nil, "-submitted yesterday: not a date"},
		{"30 February", "2023-02-30", edfi, "-submitted 2023-02-30: not a date"},
		{"the future", "2999-01-01", nil, "-submitted 2999-01-01: in the future"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(&bytes.Buffer{}, &bytes.Buffer{}, options{submitted: tt.submitted, edfi: tt.edfi})
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "ImportOptions") {
				t.Errorf("run = %v, want an error with %q", err, tt.want)
			}
		})
	}
}
