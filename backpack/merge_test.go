package backpack_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// person is a hand-made student record of one LEA.
func person(lea, uid, submitted string, set func(*backpack.StudentRecord)) backpack.StudentRecord {
	rec := backpack.RecordID(lea, uid)
	s := backpack.StudentRecord{Record: rec, StudentUniqueID: uid,
		Source: backpack.Source{LEA: lea, Record: rec, Submitted: submitted, File: lea + "/students.json"}}
	set(&s)
	return s
}

// survivorshipStore holds one student as three LEAs submitted them:
// A (2022) Ann, B (2023, latest) Anne M. Berg, C (2021) Annie Crane.
func survivorshipStore(t *testing.T, order ...int) *backpack.Store {
	t.Helper()
	subs := []*backpack.Submission{
		{LEA: "A", Students: []backpack.StudentRecord{person("A", "1", "2022-01-01", func(s *backpack.StudentRecord) {
			s.FirstName, s.BirthDate, s.Sex = "Ann", "2010-01-01", "Female"
		})}},
		{LEA: "B", Students: []backpack.StudentRecord{person("B", "1", "2023-01-01", func(s *backpack.StudentRecord) {
			s.FirstName, s.MiddleName, s.LastSurname, s.BirthDate = "Anne", "M", "Berg", "2010-01-01"
		})}},
		{LEA: "C", Students: []backpack.StudentRecord{person("C", "1", "2021-01-01", func(s *backpack.StudentRecord) {
			s.FirstName, s.LastSurname, s.BirthDate, s.SSID = "Annie", "Crane", "2010-10-01", "42"
		})}},
	}
	if order != nil {
		var o []*backpack.Submission
		for _, k := range order {
			o = append(o, subs[k])
		}
		subs = o
	}
	s, err := backpack.NewStore(subs...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var abc = []string{"A/1", "B/1", "C/1"}

func TestSurvivorship(t *testing.T) {
	type shown struct {
		Value, Record string
		Rule          backpack.Rule
	}
	tests := []struct {
		name  string
		rules backpack.Survivorship
		want  map[string]shown
	}{
		{"zero value: consensus for names and birth date, else most recent", backpack.Survivorship{}, map[string]shown{
			"first_name":   {"Anne", "B/1", backpack.Consensus}, // no two agree, all complete: the latest
			"middle_name":  {"M", "B/1", backpack.Consensus},
			"last_surname": {"Berg", "B/1", backpack.Consensus},
			"birth_date":   {"2010-01-01", "B/1", backpack.Consensus}, // A and B agree; B is later
			"sex":          {"Female", "A/1", backpack.MostRecent},    // only A sent one: blanks never win
			"ssid":         {"42", "C/1", backpack.MostRecent},
			"suffix":       {"", "", ""},
		}},
		{"source priority", backpack.Survivorship{Default: backpack.SourcePriority, Priority: []string{"C", "A"}}, map[string]shown{
			"first_name":   {"Annie", "C/1", backpack.SourcePriority},
			"middle_name":  {"M", "B/1", backpack.SourcePriority}, // neither C nor A sent one
			"last_surname": {"Crane", "C/1", backpack.SourcePriority},
			"birth_date":   {"2010-10-01", "C/1", backpack.SourcePriority},
		}},
		{"priority order matters", backpack.Survivorship{Default: backpack.SourcePriority, Priority: []string{"A", "C"}}, map[string]shown{
			"first_name":   {"Ann", "A/1", backpack.SourcePriority},
			"last_surname": {"Crane", "C/1", backpack.SourcePriority}, // A sent none
			"birth_date":   {"2010-01-01", "A/1", backpack.SourcePriority},
		}},
		{"unlisted LEAs fall back to most recent", backpack.Survivorship{Default: backpack.SourcePriority, Priority: []string{"A"}}, map[string]shown{
			"first_name":   {"Ann", "A/1", backpack.SourcePriority},
			"last_surname": {"Berg", "B/1", backpack.SourcePriority}, // B (2023) before C (2021)
		}},
		{"no listed LEA submitted", backpack.Survivorship{Default: backpack.SourcePriority, Priority: []string{"Z"}}, map[string]shown{
			"first_name": {"Anne", "B/1", backpack.SourcePriority},
		}},
		{"per-field override of the default", backpack.Survivorship{
			Fields: map[string]backpack.Rule{"first_name": backpack.SourcePriority}, Priority: []string{"C"}}, map[string]shown{
			"first_name":   {"Annie", "C/1", backpack.SourcePriority},
			"last_surname": {"Berg", "B/1", backpack.Consensus},
		}},
		{"per-field most recent under a priority default", backpack.Survivorship{Default: backpack.SourcePriority,
			Fields: map[string]backpack.Rule{"last_surname": backpack.MostRecent}, Priority: []string{"C"}}, map[string]shown{
			"first_name":   {"Annie", "C/1", backpack.SourcePriority},
			"last_surname": {"Berg", "B/1", backpack.MostRecent},
		}},
	}
	s := survivorshipStore(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := s.Build("S1", abc, tt.rules)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]shown{}
			for name := range tt.want {
				f := field(b, name)
				got[name] = shown{f.Value, f.Source.Record, f.Rule}
				if b.Value(name) != f.Value {
					t.Errorf("Value(%s) = %q, field says %q", name, b.Value(name), f.Value)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("shown values (-want +got):\n%s", diff)
			}
		})
	}
}

// Every field lists each non-blank submitted value, the shown one first.
func TestSurvivorshipCandidates(t *testing.T) {
	b, err := survivorshipStore(t).Build("S1", abc, backpack.Survivorship{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range b.Demographics {
		for _, c := range f.Candidates {
			if c.Value == "" {
				t.Errorf("%s: blank candidate %+v", f.Name, c)
			}
		}
		if len(f.Candidates) > 0 && (f.Candidates[0].Value != f.Value || f.Candidates[0].Source != f.Source) {
			t.Errorf("%s: shown %q from %+v, first candidate %+v", f.Name, f.Value, f.Source, f.Candidates[0])
		}
	}
	var names []string
	for _, c := range field(b, "first_name").Candidates {
		names = append(names, c.Value)
	}
	if diff := cmp.Diff([]string{"Anne", "Ann", "Annie"}, names); diff != "" {
		t.Errorf("first-name candidates, latest first (-want +got):\n%s", diff)
	}
	var fields []string
	for _, f := range b.Demographics {
		fields = append(fields, f.Name)
	}
	if diff := cmp.Diff(backpack.DemographicFields, fields); diff != "" {
		t.Errorf("demographic fields (-want +got):\n%s", diff)
	}
}

// Records submitted on the same date: the result must not depend on the order of the
// submissions or of the record IDs.
func TestSurvivorshipTiesDeterministic(t *testing.T) {
	same := func(lea, name string) *backpack.Submission {
		return &backpack.Submission{LEA: lea, Students: []backpack.StudentRecord{
			person(lea, "7", "2023-05-05", func(s *backpack.StudentRecord) { s.FirstName = name }),
		}}
	}
	tieSubs := func() []*backpack.Submission {
		return []*backpack.Submission{same("Y", "Yan"), same("X", "Xan"), same("Z", "Zan")}
	}
	recs := []string{"X/7", "Y/7", "Z/7"}
	var first *backpack.Backpack
	for _, order := range [][]int{{0, 1, 2}, {2, 1, 0}, {1, 2, 0}, {2, 0, 1}} {
		subs := tieSubs()
		var o []*backpack.Submission
		var r []string
		for _, k := range order {
			o = append(o, subs[k])
			r = append(r, recs[k])
		}
		s, err := backpack.NewStore(o...)
		if err != nil {
			t.Fatal(err)
		}
		for _, rules := range []backpack.Survivorship{{}, {Default: backpack.SourcePriority, Priority: []string{"Q"}}} {
			b, err := s.Build("S", r, rules)
			if err != nil {
				t.Fatal(err)
			}
			if b.Value("first_name") != "Xan" {
				t.Errorf("order %v, rules %+v: first name %q; ties go to the first LEA in byte order (X)", order, rules, b.Value("first_name"))
			}
			if rules.Default != "" {
				continue
			}
			if first == nil {
				first = b
			} else if diff := cmp.Diff(first, b, ignoreSeal); diff != "" {
				t.Errorf("order %v changes the backpack (-first +this):\n%s", order, diff)
			}
		}
	}
	// The same for the three-LEA student.
	want, err := survivorshipStore(t).Build("S1", abc, backpack.Survivorship{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := survivorshipStore(t, 2, 0, 1).Build("S1", []string{"C/1", "B/1", "A/1", "B/1"}, backpack.Survivorship{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, ignoreSeal); diff != "" {
		t.Errorf("input order changes the backpack (-sorted +shuffled):\n%s", diff)
	}
}

func TestSurvivorshipValidate(t *testing.T) {
	tests := []struct {
		name  string
		rules backpack.Survivorship
		ok    bool
	}{
		{"zero", backpack.Survivorship{}, true},
		{"priority", backpack.Survivorship{Default: backpack.SourcePriority, Priority: []string{"A"}}, true},
		{"every field", func() backpack.Survivorship {
			f := map[string]backpack.Rule{}
			for _, n := range backpack.DemographicFields {
				f[n] = backpack.MostRecent
			}
			return backpack.Survivorship{Fields: f}
		}(), true},
		{"unknown default", backpack.Survivorship{Default: "longest"}, false},
		{"unknown field rule", backpack.Survivorship{Fields: map[string]backpack.Rule{"first_name": "oldest"}}, false},
		{"unknown field", backpack.Survivorship{Fields: map[string]backpack.Rule{"nickname": backpack.MostRecent}}, false},
		{"case matters", backpack.Survivorship{Fields: map[string]backpack.Rule{"First_Name": backpack.MostRecent}}, false},
	}
	s := survivorshipStore(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rules.Validate()
			if (err == nil) != tt.ok {
				t.Errorf("Validate = %v, want ok=%v", err, tt.ok)
			}
			_, berr := s.Build("S1", abc, tt.rules)
			if (berr == nil) != tt.ok {
				t.Errorf("Build = %v, want ok=%v", berr, tt.ok)
			}
		})
	}
}

func TestConflictsDiana(t *testing.T) {
	b := build(t, newStore(t), "diana", dianaOld, dianaNew)
	got := map[string][]string{}
	for _, c := range b.Conflicts {
		for _, v := range c.Values {
			got[c.Field] = append(got[c.Field], v.Source.LEA+": "+v.Value)
		}
	}
	want := map[string][]string{
		"first_name":   {"255902: Diana", "255901: Dianna"},
		"last_surname": {"255902: Lloyd-Smith", "255901: Lloyd"},
		"races":        {"255902: Asian; White", "255901: Asian"},
		"ssid":         {"255902: 1000604585", "255901: 1000604855"},
		"address":      {"255902: 88 Mesa Drive, Lake Vista, TX 78840", "255901: 411 North Rocky Milton Way, Grand Bend, TX 78834"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Diana's conflicts (-want +got):\n%s", diff)
	}
	// Fields that agree are not conflicts but still list both submissions.
	for _, name := range []string{"middle_name", "birth_date", "sex", "hispanic_latino"} {
		if f := field(b, name); len(f.Candidates) != 2 || f.Candidates[0].Value != f.Candidates[1].Value {
			t.Errorf("%s: candidates %+v, want two agreeing", name, f.Candidates)
		}
	}
	// Each conflict lists exactly the field's candidates.
	for _, c := range b.Conflicts {
		if diff := cmp.Diff(field(b, c.Field).Candidates, c.Values); diff != "" {
			t.Errorf("conflict %s vs candidates (-candidates +conflict):\n%s", c.Field, diff)
		}
	}
	// A single record has no conflicts.
	if one := build(t, newStore(t), "diana", dianaNew); len(one.Conflicts) != 0 {
		t.Errorf("one record, conflicts %+v", one.Conflicts)
	}
}

func TestBuildErrors(t *testing.T) {
	s := newStore(t)
	tests := []struct {
		name, id string
		records  []string
		mention  string
	}{
		{"unknown record", "S1", []string{lisaOld, "255901/nobody"}, "255901/nobody"},
		{"empty student ID", "", []string{lisaOld}, "student ID"},
		{"no records", "S1", nil, "no records"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := s.Build(tt.id, tt.records, backpack.Survivorship{})
			if err == nil || b != nil {
				t.Fatalf("Build = %v, %v; want an error", b, err)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
		})
	}
}

func TestStoreAddErrors(t *testing.T) {
	good := func() *backpack.Submission {
		return &backpack.Submission{LEA: "A", Students: []backpack.StudentRecord{{Record: "A/1", StudentUniqueID: "1"}},
			Enrollments: []backpack.Enrollment{{Record: "A/1", LEA: "A", SchoolID: 1, EntryDate: "2022-01-01"}}}
	}
	tests := []struct {
		name string
		edit func(*backpack.Submission)
	}{
		{"no record ID", func(s *backpack.Submission) { s.Students[0].Record = "" }},
		{"record twice", func(s *backpack.Submission) { s.Students = append(s.Students, s.Students[0]) }},
		{"fact of a student not submitted", func(s *backpack.Submission) { s.Enrollments[0].Record = "A/2" }},
		{"grade of a student not submitted", func(s *backpack.Submission) { s.Grades = []backpack.Grade{{Record: "B/1"}} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := backpack.NewStore()
			if err != nil {
				t.Fatal(err)
			}
			sub := good()
			tt.edit(sub)
			if err := s.Add(sub); err == nil {
				t.Fatal("Add accepted it")
			}
			if recs := s.Records(); len(recs) != 0 {
				t.Errorf("a failed Add left records %v", recs)
			}
			if err := s.Add(good()); err != nil {
				t.Fatalf("Add of the good submission after a failed one: %v", err)
			}
			if err := s.Add(good()); err == nil {
				t.Error("the same record added twice")
			}
		})
	}
}

func TestJerryAssessmentOnce(t *testing.T) {
	b := build(t, newStore(t), "jerry", jerryOld, jerryNew)
	var math []backpack.Fact[backpack.AssessmentResult]
	for _, f := range b.Assessments {
		if f.Fact.AssessmentIdentifier == "SA-2011-Mathematics-Fifth grade" {
			math = append(math, f)
		}
	}
	if len(math) != 1 {
		t.Fatalf("Jerry's math assessment appears %d times, want once", len(math))
	}
	var leas []string
	for _, src := range math[0].Sources {
		leas = append(leas, src.LEA+" "+src.Record)
	}
	if diff := cmp.Diff([]string{"255901 " + jerryOld, "255902 " + jerryNew}, leas); diff != "" {
		t.Errorf("sources of the math assessment (-want +got):\n%s", diff)
	}
	if math[0].Fact.Record != "" || math[0].Fact.Source != (backpack.Source{}) {
		t.Errorf("a merged fact keeps a record or source: %+v", math[0].Fact)
	}
	if len(b.Assessments) != 2 {
		t.Errorf("Jerry has %d assessments, want 2 (math once, reading)", len(b.Assessments))
	}
}

// groupsByHand are the students of the embedded submissions as the README describes them.
func groupsByHand(t *testing.T, s *backpack.Store) map[string][]string {
	t.Helper()
	groups := map[string][]string{"lisa": {lisaOld, lisaNew}, "jerry": {jerryOld, jerryNew}, "diana": {dianaOld, dianaNew}}
	taken := map[string]bool{}
	for _, g := range groups {
		for _, r := range g {
			taken[r] = true
		}
	}
	for _, r := range s.Records() {
		if !taken[r] {
			groups[r] = []string{r}
		}
	}
	return groups
}

// Nothing is dropped: every submitted fact is one source of one fact of one backpack, and
// only the fact both LEAs submitted (Jerry's math assessment) is merged.
func TestFactsConserved(t *testing.T) {
	subs := submissions(t)
	s, err := backpack.NewStore(subs...)
	if err != nil {
		t.Fatal(err)
	}
	type tally struct{ Enrollments, Grades, Courses, Attendance, Assessments int }
	var submitted, sources, facts tally
	for _, sub := range subs {
		submitted.Enrollments += len(sub.Enrollments)
		submitted.Grades += len(sub.Grades)
		submitted.Courses += len(sub.Transcripts)
		submitted.Attendance += len(sub.Attendance)
		submitted.Assessments += len(sub.Assessments)
	}
	groups := groupsByHand(t, s)
	if len(groups) != 11 {
		t.Fatalf("%d students, want 11", len(groups))
	}
	multi := 0
	for id, recs := range groups {
		b := build(t, s, id, recs...)
		add := func(total *int, srcs [][]backpack.Source) {
			for _, x := range srcs {
				*total += len(x)
				if len(x) > 1 {
					multi++
				}
				if len(x) == 0 {
					t.Errorf("%s: a fact without a source", id)
				}
			}
		}
		add(&sources.Enrollments, sourcesOf(b.Enrollments))
		add(&sources.Grades, sourcesOf(b.Grades))
		add(&sources.Courses, sourcesOf(b.CourseHistory))
		add(&sources.Attendance, sourcesOf(b.Attendance))
		add(&sources.Assessments, sourcesOf(b.Assessments))
		facts.Enrollments += len(b.Enrollments)
		facts.Grades += len(b.Grades)
		facts.Courses += len(b.CourseHistory)
		facts.Attendance += len(b.Attendance)
		facts.Assessments += len(b.Assessments)
	}
	if diff := cmp.Diff(submitted, sources); diff != "" {
		t.Errorf("sources of the backpacks' facts vs facts submitted (-submitted +sources):\n%s", diff)
	}
	want := submitted
	want.Assessments-- // Jerry's math result, sent by both LEAs
	if diff := cmp.Diff(want, facts); diff != "" {
		t.Errorf("distinct facts (-want +got):\n%s", diff)
	}
	if multi != 1 {
		t.Errorf("%d facts with several sources, want 1", multi)
	}
}

func TestTeachersCredentials(t *testing.T) {
	b := build(t, newStore(t), "lisa", lisaOld, lisaNew)
	var taufa *backpack.Teacher
	var ids []string
	for i := range b.Teachers {
		ids = append(ids, b.Teachers[i].Fact.LEA+"/"+b.Teachers[i].Fact.StaffUniqueID)
		if b.Teachers[i].Fact.StaffUniqueID == "311001" {
			taufa = &b.Teachers[i].Fact
		}
	}
	if diff := cmp.Diff([]string{"255901/207268", "255901/207270", "255901/207274", "255902/311001"}, ids); diff != "" {
		t.Errorf("Lisa's teachers (-want +got):\n%s", diff)
	}
	if taufa == nil {
		t.Fatal("no teacher 311001")
	}
	want := []backpack.Credential{{
		ID: "UT-88120", StateOfIssue: "UT", Type: "Licensure", Field: "Mathematics", TeachingCredential: "Professional",
		IssuanceDate: "2012-06-01", EffectiveDate: "2012-07-01", ExpirationDate: "2027-06-30",
		GradeLevels: []string{"Ninth grade", "Tenth grade"},
		Source:      backpack.Source{LEA: "255902", Submitted: "2023-01-20", File: "255902/credentials.json", Index: 0},
	}}
	if diff := cmp.Diff(want, taufa.Credentials); diff != "" {
		t.Errorf("Taufa's credentials (-want +got):\n%s", diff)
	}
	if taufa.FirstName != "Siosaia" || taufa.LastSurname != "Taufa" || len(taufa.Sections) != 1 || taufa.Sections[0].LocalCourseCode != "ALG-2" {
		t.Errorf("teacher 311001 = %+v", taufa)
	}
	for _, tf := range b.Teachers {
		if len(tf.Fact.Credentials) == 0 {
			t.Errorf("teacher %s has no credentials", tf.Fact.StaffUniqueID)
		}
	}
}

// A teacher of two of the student's sections in different positions: the backpack must
// not depend on map order.
func TestTeachersDeterministic(t *testing.T) {
	k1 := backpack.SectionKey{LocalCourseCode: "MATH", SchoolID: 1, SchoolYear: 2023, SectionIdentifier: "M1", SessionName: "Fall"}
	k2 := backpack.SectionKey{LocalCourseCode: "ART", SchoolID: 1, SchoolYear: 2023, SectionIdentifier: "A1", SessionName: "Fall"}
	k3 := backpack.SectionKey{LocalCourseCode: "PE", SchoolID: 1, SchoolYear: 2023, SectionIdentifier: "P1", SessionName: "Spring"}
	sub := &backpack.Submission{LEA: "A",
		Students:     []backpack.StudentRecord{{Record: "A/1", StudentUniqueID: "1"}},
		SectionLinks: []backpack.SectionEnrollment{{Record: "A/1", Section: k1}, {Record: "A/1", Section: k2}, {Record: "A/1", Section: k3}},
		Staff:        []backpack.Staff{{StaffUniqueID: "T", FirstName: "Tea"}},
		StaffSections: []backpack.StaffSection{
			{StaffUniqueID: "T", Section: k1, Position: "Teacher of Record", Source: backpack.Source{LEA: "A", Index: 0}},
			{StaffUniqueID: "T", Section: k2, Position: "Assistant Teacher", Source: backpack.Source{LEA: "A", Index: 1}},
			{StaffUniqueID: "T", Section: k3, Position: "Substitute Teacher", Source: backpack.Source{LEA: "A", Index: 2}},
		},
	}
	s, err := backpack.NewStore(sub)
	if err != nil {
		t.Fatal(err)
	}
	first := build(t, s, "S", "A/1")
	for range 50 {
		if diff := cmp.Diff(first, build(t, s, "S", "A/1"), ignoreSeal); diff != "" {
			t.Fatalf("Build differs between runs (-first +this):\n%s", diff)
		}
	}
	if got := first.Teachers[0].Fact.Sections; !slices.Equal(got, []backpack.SectionKey{k2, k1, k3}) {
		t.Errorf("sections %v, want by year, session, school, identifier", got)
	}
}

func sourcesOf[T any](facts []backpack.Fact[T]) [][]backpack.Source {
	var out [][]backpack.Source
	for _, f := range facts {
		out = append(out, f.Sources)
	}
	return out
}

// MostRecent compares submission times as times: fractional seconds, offsets and bare
// dates mixed as Ed-Fi's _lastModifiedDate and ImportOptions.Submitted give them.
func TestMostRecentTimes(t *testing.T) {
	tests := []struct {
		name         string
		xTime, yTime string
		want         string // the LEA whose value wins
	}{
		{"dates", "2023-01-20", "2023-01-21", "Y"},
		{"date before a time that day", "2023-01-20", "2023-01-20T10:00:00Z", "Y"},
		{"fractional seconds are later", "2023-01-20T10:00:00.5Z", "2023-01-20T10:00:00Z", "X"},
		{"seven fractional digits", "2023-01-20T10:00:00.1234567Z", "2023-01-20T10:00:00.12Z", "X"},
		{"offsets", "2023-01-20T18:00:00+05:00", "2023-01-20T16:00:00Z", "Y"},
		{"negative offset", "2023-01-20T20:00:00-07:00", "2023-01-21T01:00:00Z", "X"},
		{"no date loses", "", "2001-01-01", "Y"},
		{"unreadable loses", "yesterday", "2001-01-01", "Y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub := func(lea, at string) *backpack.Submission {
				return &backpack.Submission{LEA: lea, Students: []backpack.StudentRecord{
					person(lea, "1", at, func(s *backpack.StudentRecord) { s.FirstName = lea + "-name" }),
				}}
			}
			for _, order := range [][2]string{{"X", "Y"}, {"Y", "X"}} {
				subs := map[string]*backpack.Submission{"X": sub("X", tt.xTime), "Y": sub("Y", tt.yTime)}
				s, err := backpack.NewStore(subs[order[0]], subs[order[1]])
				if err != nil {
					t.Fatal(err)
				}
				b := build(t, s, "S", "X/1", "Y/1")
				if got := b.Value("first_name"); got != tt.want+"-name" {
					t.Errorf("%s vs %s: %q wins, want %s's", tt.xTime, tt.yTime, got, tt.want)
				}
			}
		})
	}
}

// threeLEAs is one student as LEAs A (2021), B (2022) and C (2023, the latest) sent them,
// each set function filling one LEA's record.
func threeLEAs(t *testing.T, set ...func(*backpack.StudentRecord)) *backpack.Store {
	t.Helper()
	var subs []*backpack.Submission
	for k, lea := range []string{"A", "B", "C"} {
		subs = append(subs, &backpack.Submission{LEA: lea, Students: []backpack.StudentRecord{person(lea, "1", fmt.Sprintf("202%d-01-01", k+1), set[k])}})
	}
	s, err := backpack.NewStore(subs...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Two LEAs agree on "Sybil"; a third, more recent, sends "S": the backpack keeps Sybil and
// says why. A typo from the latest LEA does not override what two others agree on, and a
// full birth date is kept over a year.
func TestSurvivorshipKeepsWhatLEAsAgreeOn(t *testing.T) {
	s := threeLEAs(t,
		func(r *backpack.StudentRecord) {
			r.FirstName, r.MiddleName, r.LastSurname, r.BirthDate = "Gabriela", "Sybil", "Salazar-Chávez", "2012-03-04"
		},
		func(r *backpack.StudentRecord) {
			r.FirstName, r.MiddleName, r.LastSurname, r.BirthDate = "GABRIELA", "Sybil", "Salazar-Chavez", "2012"
		},
		func(r *backpack.StudentRecord) {
			r.FirstName, r.MiddleName, r.LastSurname, r.BirthDate = "gaby", "S", "Saalzar-Chávez", "2012"
		},
	)
	tests := []struct {
		rules                backpack.Survivorship
		field, want, wantLEA string
		wantRule             backpack.Rule
		wantReason           string
	}{
		// "S" is an initial of Sybil: all three agree, and Sybil says more.
		{backpack.Survivorship{}, "middle_name", "Sybil", "B", backpack.Consensus, `"Sybil" is more complete than "S"`},
		// What two LEAs agree on is shown as the one that wrote it best: mixed case, accents.
		{backpack.Survivorship{}, "first_name", "Gabriela", "A", backpack.Consensus, `2 LEAs (A, B) sent values that agree with "GABRIELA"; 1 with "gaby"; shown as LEA A wrote it, "Gabriela" (in mixed case)`},
		{backpack.Survivorship{}, "last_surname", "Salazar-Chávez", "A", backpack.Consensus, `2 LEAs (A, B) sent values that agree with "Salazar-Chavez"; 1 with "Saalzar-Chávez"; shown as LEA A wrote it, "Salazar-Chávez" (with its accents)`},
		// The year agrees with the full date, which says more.
		{backpack.Survivorship{}, "birth_date", "2012-03-04", "A", backpack.Consensus, `"2012-03-04" is more complete than "2012"`},
		{backpack.Survivorship{Default: backpack.MostComplete}, "middle_name", "Sybil", "B", backpack.MostComplete, `"Sybil" is more complete than "S"`},
		// Most frequent alone: Sybil and S agree with all three; the latest of them wins.
		{backpack.Survivorship{Default: backpack.MostFrequent}, "middle_name", "S", "C", backpack.MostFrequent, `LEA C sent "S" most recently (2023-01-01); "Sybil" came from LEA B (2022-01-01)`},
		{backpack.Survivorship{Default: backpack.MostFrequent}, "last_surname", "Salazar-Chávez", "A", backpack.MostFrequent, `2 LEAs (A, B) sent values that agree with "Salazar-Chavez"; 1 with "Saalzar-Chávez"; shown as LEA A wrote it, "Salazar-Chávez" (with its accents)`},
		{backpack.Survivorship{Default: backpack.MostRecent}, "middle_name", "S", "C", backpack.MostRecent, `LEA C sent "S" most recently (2023-01-01); "Sybil" came from LEA B (2022-01-01)`},
		{backpack.Survivorship{Default: backpack.SourcePriority, Priority: []string{"C"}}, "middle_name", "S", "C", backpack.SourcePriority, "LEA C comes before LEA B in the source priority"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s", tt.field, tt.wantRule), func(t *testing.T) {
			b, err := s.Build("S1", abc, tt.rules)
			if err != nil {
				t.Fatal(err)
			}
			f := field(b, tt.field)
			if f.Value != tt.want || f.Source.LEA != tt.wantLEA || f.Rule != tt.wantRule || f.Reason != tt.wantReason {
				t.Errorf("%s = %q from %s by %s because %q; want %q from %s by %s because %q",
					tt.field, f.Value, f.Source.LEA, f.Rule, f.Reason, tt.want, tt.wantLEA, tt.wantRule, tt.wantReason)
			}
			if len(f.Candidates) != 3 {
				t.Errorf("%d candidates kept, want all 3", len(f.Candidates))
			}
		})
	}
	if err := (backpack.Survivorship{Default: "loudest"}).Validate(); err == nil || !strings.Contains(err.Error(), "consensus") {
		t.Errorf("unknown rule: err = %v", err)
	}
}

// Completeness counts words and numbers, an initial half.
func TestSurvivorshipMostComplete(t *testing.T) {
	s := threeLEAs(t,
		func(r *backpack.StudentRecord) { r.FirstName = "Mary Ann" },
		func(r *backpack.StudentRecord) { r.FirstName = "Mary A." },
		func(r *backpack.StudentRecord) { r.FirstName = "Mary" },
	)
	b, err := s.Build("S1", abc, backpack.Survivorship{Default: backpack.MostComplete})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, c := range field(b, "first_name").Candidates {
		order = append(order, c.Value)
	}
	if d := cmp.Diff([]string{"Mary Ann", "Mary A.", "Mary"}, order); d != "" {
		t.Errorf("candidates, most complete first (-want +got):\n%s", d)
	}
}

// TestAgreeAndCompleteness: the rules MostFrequent, MostComplete and Consensus apply,
// exported for a caller that ranks candidates itself (the service's Identities API).
func TestAgreeAndCompleteness(t *testing.T) {
	type row struct {
		A, B  string
		Agree bool
		// CA and CB are the completeness of A and B.
		CA, CB int
	}
	for _, tt := range []row{
		{"Sybil", "SYBIL", true, 2, 2},
		{"Núñez", "nunez", true, 2, 2},
		{"S.", "Sybil", true, 1, 2},
		{"Sybil", "s", true, 2, 1},
		{"Mary A.", "Mary Ann", true, 3, 4},
		{"Mary", "Mary Ann", true, 2, 4},
		{"2012", "2012-03-04", true, 2, 6},
		{"2015-09-03", "2015-03-09", false, 6, 6},
		{"Vainikool", "Vainikolo", false, 2, 2},
		{"Ann Mary", "Mary Ann", false, 4, 4},
		{"Sa", "Sybil", false, 2, 2},
		{"", "", true, 0, 0},
		{"", "Sybil", false, 0, 2},
		{" - ", "", true, 0, 0},
	} {
		got := row{tt.A, tt.B, backpack.Agree(tt.A, tt.B), backpack.Completeness(tt.A), backpack.Completeness(tt.B)}
		if d := cmp.Diff(tt, got); d != "" {
			t.Errorf("Agree and Completeness of %q and %q (-want +got):\n%s", tt.A, tt.B, d)
		}
		if backpack.Agree(tt.B, tt.A) != tt.Agree {
			t.Errorf("Agree(%q, %q) is not Agree(%q, %q)", tt.B, tt.A, tt.A, tt.B)
		}
	}
}
