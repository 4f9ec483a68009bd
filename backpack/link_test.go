package backpack_test

import (
	"bytes"
	"encoding/csv"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/match"
)

func TestWriteStudentCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := backpack.WriteStudentCSV(&buf, submissions(t)...); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+14 {
		t.Fatalf("%d rows, want a header and 14 students", len(rows))
	}
	byID := map[string][]string{}
	for _, r := range rows[1:] {
		byID[r[0]] = r
	}
	tests := []struct {
		record string
		want   []string
	}{
		{lisaNew, []string{lisaNew, "255902", "255902001", "1000604822", "Lisa", "S", "Woods", "", "2008-09-13", "Female", "9",
			"12 Harbor Lane", "Lake Vista", "78840", "2022-08-22"}},
		{jerryOld, []string{jerryOld, "255901", "255901107", "1000604871", "Gerald", "", "Berry", "", "2012-02-08", "Male", "5",
			"375 Oak Street", "Grand Bend", "78834", "2021-08-23"}},
		// Lisa has no enrollment at Grand Bend: school, grade and entry date stay blank.
		{lisaOld, []string{lisaOld, "255901", "", "1000604822", "Lisa", "Sybil", "Woods", "", "2008-09-13", "Female", "",
			"54 Rocky Clarendon Avenue", "Grand Bend", "78834", ""}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, byID[tt.record]); diff != "" {
			t.Errorf("row of %s (-want +got):\n%s", tt.record, diff)
		}
	}
}

func TestLinkGroups(t *testing.T) {
	_, res := linkResult(t)
	groups := backpack.Groups(res)
	if len(groups) != 11 {
		t.Errorf("%d groups, want 11", len(groups))
	}
	records := 0
	seen := map[string]bool{}
	for i, g := range groups {
		records += len(g.Records)
		if i > 0 && groups[i-1].StudentID >= g.StudentID {
			t.Errorf("groups not sorted by student ID at %d", i)
		}
		for _, r := range g.Records {
			if seen[r] {
				t.Errorf("record %s in two groups", r)
			}
			seen[r] = true
		}
		if len(g.Links) != len(g.Records)-1 {
			t.Errorf("group %s: %d links for %d records (a spanning tree)", g.StudentID, len(g.Links), len(g.Records))
		}
		for _, l := range g.Links {
			if l.A >= l.B || !contains(g.Records, l.A) || !contains(g.Records, l.B) {
				t.Errorf("group %s: link %s–%s", g.StudentID, l.A, l.B)
			}
		}
	}
	if records != 14 {
		t.Errorf("%d records in the groups, want 14", records)
	}
	tests := []struct {
		name string
		want []string
	}{
		{"Lisa", []string{lisaOld, lisaNew}},
		{"Jerry", []string{jerryOld, jerryNew}},
		{"Diana", []string{dianaOld, dianaNew}},
		{"Tevita", []string{tevitaNew}},
	}
	for _, tt := range tests {
		g, ok := groupOf(groups, tt.want[len(tt.want)-1])
		if !ok {
			t.Errorf("%s: no group", tt.name)
			continue
		}
		if diff := cmp.Diff(tt.want, g.Records); diff != "" {
			t.Errorf("%s's group (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestMergeLogs(t *testing.T) {
	linker, res := linkResult(t)
	s := newStore(t)
	log := memLog(t)
	version := linker.Settings().Version
	if version == "" {
		t.Fatal("the linker's settings have no version")
	}
	want := 0
	for _, g := range backpack.Groups(res) {
		before := len(entriesOf(t, log))
		b, err := s.Merge(g, backpack.Survivorship{}, log, "test", version)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(build(t, s, g.StudentID, g.Records...), b, ignoreSeal); diff != "" {
			t.Errorf("Merge vs Build (-build +merge):\n%s", diff)
		}
		added := entriesOf(t, log)[before:]
		if len(g.Links) == 0 {
			want++
			if len(added) != 1 || added[0].Weight != nil || added[0].Action != backpack.ActionMerge ||
				!cmp.Equal(added[0].Records, g.Records) || added[0].SettingsVersion != version {
				t.Errorf("single-record group %s logged %+v", g.StudentID, added)
			}
			continue
		}
		want += len(g.Links)
		if len(added) != len(g.Links) {
			t.Errorf("group %s: %d entries for %d links", g.StudentID, len(added), len(g.Links))
			continue
		}
		for k, e := range added {
			l := g.Links[k]
			switch {
			case e.Action != backpack.ActionMerge, e.StudentID != g.StudentID, e.Actor != "test":
				t.Errorf("entry %+v: action, student or actor wrong", e)
			case e.Weight == nil || math.IsNaN(*e.Weight) || math.IsInf(*e.Weight, 0) || *e.Weight != l.Weight:
				t.Errorf("entry %+v: weight, want %v", e, l.Weight)
			case e.Explanation == "" || e.Explanation != l.Explanation:
				t.Errorf("entry %+v: explanation, want %q", e, l.Explanation)
			case e.SettingsVersion != version:
				t.Errorf("entry %+v: settings version, want %q", e, version)
			case !cmp.Equal(e.Records, []string{l.A, l.B}):
				t.Errorf("entry %+v: records, want %s %s", e, l.A, l.B)
			}
		}
	}
	if n := len(entriesOf(t, log)); n != want || n != 11 {
		t.Errorf("%d entries for %d links and single records; want 11 (3 links, 8 single records)", n, want)
	}
	if err := log.Verify(); err != nil {
		t.Error(err)
	}
	// Merge without a log builds the backpack alone; an unknown record is an error.
	g := backpack.Groups(res)[0]
	if _, err := s.Merge(g, backpack.Survivorship{}, nil, "test", version); err != nil {
		t.Error(err)
	}
	g.Records = append(g.Records, "nobody")
	before := len(entriesOf(t, log))
	if _, err := s.Merge(g, backpack.Survivorship{}, log, "test", version); err == nil {
		t.Error("Merge of an unknown record succeeded")
	}
	if len(entriesOf(t, log)) != before {
		t.Error("a failed Merge was logged")
	}
}

const smallRoll = `record_id,lea_id,school_id,ssid,first_name,middle_name,last_name,suffix,birth_date,sex,grade_level,address,city,zip,entry_date
R1,20,2001,,Ben,Q,Ode,Jr,13/45/2011,M,Fifth grade,2 Oak Ave,Orem,84057,08/21/2023
R2,10,1001,204-61-8837,Ana,,Ruiz,,2012-03-04,F,5,1 Elm St,Provo,84601,2022-08-20
R3,10,,SSID-unknown,Cy,,Lee,,"Mar 5, 2013",X,,,,,
R4,20,2002,,Dee,,Ng,,2014-01-02,zz,2,,,,
`

func TestFromRoll(t *testing.T) {
	roll, err := match.StudentSettings().NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	if err := roll.ReadCSV("roll.csv", strings.NewReader(smallRoll)); err != nil {
		t.Fatal(err)
	}
	subs := backpack.FromRoll(roll, "2024-01-31")
	var leas []string
	for _, s := range subs {
		leas = append(leas, s.LEA)
		if s.Submitted != "2024-01-31" {
			t.Errorf("LEA %s submitted %q", s.LEA, s.Submitted)
		}
	}
	if diff := cmp.Diff([]string{"10", "20"}, leas); diff != "" {
		t.Fatalf("one submission per LEA, sorted (-want +got):\n%s", diff)
	}
	src := func(lea, rec string, line int, submitted string) backpack.Source {
		return backpack.Source{LEA: lea, Record: rec, Submitted: submitted, File: "roll.csv", Index: line}
	}
	want10 := &backpack.Submission{LEA: "10", Submitted: "2024-01-31",
		Students: []backpack.StudentRecord{
			{Record: "R2", FirstName: "Ana", LastSurname: "Ruiz", BirthDate: "2012-03-04", Sex: "Female", SSID: "204618837",
				Address: backpack.Address{Street: "1 Elm St", City: "Provo", PostalCode: "84601"}, Source: src("10", "R2", 3, "2022-08-20")},
			{Record: "R3", FirstName: "Cy", LastSurname: "Lee", BirthDate: "2013-03-05", Sex: "Non-binary", SSID: "SSID-unknown", Source: src("10", "R3", 4, "2024-01-31")},
		},
		Enrollments: []backpack.Enrollment{{Record: "R2", LEA: "10", SchoolID: 1001, EntryDate: "2022-08-20", GradeLevel: "5",
			Source: src("10", "R2", 3, "2022-08-20")}},
	}
	want20 := &backpack.Submission{LEA: "20", Submitted: "2024-01-31",
		Students: []backpack.StudentRecord{
			// The impossible birth date is kept as written.
			{Record: "R1", FirstName: "Ben", MiddleName: "Q", LastSurname: "Ode", Suffix: "Jr", BirthDate: "13/45/2011", Sex: "Male",
				Address: backpack.Address{Street: "2 Oak Ave", City: "Orem", PostalCode: "84057"}, Source: src("20", "R1", 2, "2023-08-21")},
			{Record: "R4", FirstName: "Dee", LastSurname: "Ng", BirthDate: "2014-01-02", Sex: "zz", Source: src("20", "R4", 5, "2024-01-31")},
		},
		Enrollments: []backpack.Enrollment{{Record: "R1", LEA: "20", SchoolID: 2001, EntryDate: "2023-08-21", GradeLevel: "5",
			Source: src("20", "R1", 2, "2023-08-21")}},
	}
	if diff := cmp.Diff([]*backpack.Submission{want10, want20}, subs); diff != "" {
		t.Errorf("FromRoll (-want +got):\n%s", diff)
	}
	// The submissions go into a store and build.
	s, err := backpack.NewStore(subs...)
	if err != nil {
		t.Fatal(err)
	}
	b := build(t, s, "S", "R1")
	if b.Value("birth_date") != "13/45/2011" || len(b.Enrollments) != 1 {
		t.Errorf("backpack from the roll: birth date %q, %d enrollments", b.Value("birth_date"), len(b.Enrollments))
	}
	// The roll's SSID 204-61-8837 is the ID a guardian asks with, however written.
	ana := build(t, s, "S2", "R2")
	if _, _, err := viewsFor(t, ana, "204 618 837"); err != nil {
		t.Errorf("guardian of the roll's student refused: %v", err)
	}
}

// FuzzFromRoll: whatever roll match reads, FromRoll keeps every record and its
// submissions go into a store.
func FuzzFromRoll(f *testing.F) {
	f.Add(smallRoll)
	f.Add("record_id,lea_id,school_id,entry_date,birth_date\nA,,0,2020-01-01,\nB,1,-5,13/45/2011,2011-02-30\n")
	f.Add("record_id,lea_id,school_id,entry_date,grade_level\nA,1,99999999999999999999,1/2/3,Twelfth\n")
	f.Fuzz(func(t *testing.T, data string) {
		roll, err := match.StudentSettings().NewRoll()
		if err != nil {
			t.Fatal(err)
		}
		if err := roll.ReadCSV("roll.csv", strings.NewReader(data)); err != nil {
			return
		}
		subs := backpack.FromRoll(roll, "2024-01-31")
		n := 0
		for _, s := range subs {
			n += len(s.Students)
			for _, st := range s.Students {
				if st.Source.LEA != s.LEA || st.Source.File != "roll.csv" {
					t.Fatalf("student %+v in LEA %q's submission", st, s.LEA)
				}
			}
		}
		if n != roll.Len() {
			t.Fatalf("%d students from %d records", n, roll.Len())
		}
		s, err := backpack.NewStore(subs...)
		if err != nil {
			t.Fatalf("NewStore: %v", err)
		}
		for _, r := range s.Records() {
			if _, err := s.Build("S", []string{r}, backpack.Survivorship{}); err != nil {
				t.Fatalf("Build %s: %v", r, err)
			}
		}
	})
}

// TestFromRollKeepsSchoolCodes: a school written other than as an Ed-Fi school ID is kept
// as written, in the enrollment and in the CSV written back, rather than dropped.
func TestFromRollKeepsSchoolCodes(t *testing.T) {
	const data = `record_id,lea_id,school_id,first_name,last_name,entry_date
A,10,2001,Ana,Ruiz,2022-08-20
B,10,A12,Ben,Ode,2022-08-21
C,10,0123,Cy,Lee,2022-08-22
D,10,-5,Dee,Ng,2022-08-23
E,10,,Eve,Oh,2022-08-24
`
	roll, err := match.StudentSettings().NewRoll()
	if err != nil {
		t.Fatal(err)
	}
	if err := roll.ReadCSV("roll.csv", strings.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	subs := backpack.FromRoll(roll, "2024-01-31")
	type school struct {
		Record string
		ID     int64
		Code   string
	}
	var got []school
	for _, e := range subs[0].Enrollments {
		got = append(got, school{e.Record, e.SchoolID, e.School})
	}
	want := []school{{"A", 2001, ""}, {"B", 0, "A12"}, {"C", 0, "0123"}, {"D", 0, "-5"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("enrollments' schools (-want +got):\n%s", diff)
	}
	var buf bytes.Buffer
	if err := backpack.WriteStudentCSV(&buf, subs...); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var schools []string
	for _, r := range rows[1:] {
		schools = append(schools, r[2])
	}
	if diff := cmp.Diff([]string{"2001", "A12", "0123", "-5", ""}, schools); diff != "" {
		t.Errorf("school column written back (-want +got):\n%s", diff)
	}
}
