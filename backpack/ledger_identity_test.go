package backpack_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// lateSSIDPopulation is the audit's population (F3): 30 students of one LEA, each one
// record, with their SSIDs when withSSID (the LEA submitted them later), else none.
func lateSSIDPopulation(t *testing.T, withSSID bool) *backpack.Population {
	t.Helper()
	o := rollOptions{lea: "100001", studentID: "S"}
	if withSSID {
		o.ssid = 1000000700
	}
	pop := thirtyStudents(t, o)
	if want := map[bool]int{false: 30, true: 0}[withSSID]; pop.ByStudentID != want {
		t.Fatalf("%d students by student ID, want %d", pop.ByStudentID, want)
	}
	return pop
}

// rollOptions say how thirtyStudents submits and links its students.
type rollOptions struct {
	lea, file string
	// studentID prefixes the student IDs the linker gave (a run without the earlier IDs
	// gives others); ssid is the first student's SSID (0: none), the others' following it.
	studentID string
	ssid      int64
	// together builds the first two students' records into one backpack.
	together bool
}

// thirtyStudents is a population of 30 students, each one record of lea (local IDs 5000
// to 5029), as the linker put them into backpacks.
func thirtyStudents(t *testing.T, o rollOptions) *backpack.Population {
	t.Helper()
	sub := &backpack.Submission{LEA: o.lea, Submitted: "2024-06-30"}
	for i := range 30 {
		uid := fmt.Sprint(5000 + i)
		rec := backpack.RecordID(o.lea, uid)
		src := backpack.Source{LEA: o.lea, Record: rec, File: o.file}
		s := backpack.StudentRecord{Record: rec, StudentUniqueID: uid, FirstName: fmt.Sprintf("Kid%c", 'A'+i%26), LastSurname: "Test",
			BirthDate: "2012-03-04", Sex: []string{"Female", "Male"}[i%2], Source: src}
		if o.ssid != 0 {
			s.SSID = fmt.Sprint(o.ssid + int64(i))
		}
		sub.Students = append(sub.Students, s)
		sub.Enrollments = append(sub.Enrollments, backpack.Enrollment{Record: rec, LEA: o.lea, SchoolID: 100001001, EntryDate: "2023-08-20",
			GradeLevel: "5", Source: src})
	}
	st, err := backpack.NewStore(sub)
	if err != nil {
		t.Fatal(err)
	}
	var bps []*backpack.Backpack
	for k := 0; k < len(sub.Students); k++ {
		recs := []string{sub.Students[k].Record}
		if o.together && k == 0 {
			k++
			recs = append(recs, sub.Students[k].Record)
		}
		b, err := st.Build(o.studentID+sub.Students[k].StudentUniqueID, recs, backpack.Survivorship{})
		if err != nil {
			t.Fatal(err)
		}
		bps = append(bps, b)
	}
	return backpack.NewPopulation(bps)
}

// sexByGrade is the population's sex × grade table, suppressed at 10.
func sexByGrade(t *testing.T, pop *backpack.Population) []backpack.Published {
	t.Helper()
	ps, err := backpack.SuppressTables([]backpack.Table{popTable(t, pop, backpack.BySex, backpack.ByGrade)}, 10)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// A student's ledger identity survives an SSID submitted after a release: the same 30
// students released as records before their LEA submitted their SSIDs, and then as
// tables with them, are refused (an audit found the tables claimed, as the ledger keyed
// students by "student:ID" first and by "ssid:SSID" after), and so are records twice; the
// same tables again of the same students, SSIDs added, are the same population.
func TestClaimReleaseSSIDSubmittedLater(t *testing.T) {
	before, after := lateSSIDPopulation(t, false), lateSSIDPopulation(t, true)
	for _, tt := range []struct {
		name   string
		claims []ledgerClaim
	}{
		{"records, then tables once SSIDs were submitted", []ledgerClaim{{backpack.RecordsRelease, before, nil}, {backpack.TablesRelease, after, backpack.ErrOtherKindReleased}}},
		{"tables, then records once SSIDs were submitted", []ledgerClaim{{backpack.TablesRelease, before, nil}, {backpack.RecordsRelease, after, backpack.ErrOtherKindReleased}}},
		{"records twice, SSIDs submitted between", []ledgerClaim{{backpack.RecordsRelease, before, nil}, {backpack.RecordsRelease, after, backpack.ErrRecordsReleased}}},
		{"records with SSIDs, then tables by student ID", []ledgerClaim{{backpack.RecordsRelease, after, nil}, {backpack.TablesRelease, before, backpack.ErrOtherKindReleased}}},
		{"the same tables again, SSIDs submitted between", []ledgerClaim{{backpack.TablesRelease, before, nil}, {backpack.TablesRelease, after, nil}, {backpack.RecordsRelease, before, backpack.ErrOtherKindReleased}}},
		{"the control: records, then tables, no SSIDs", []ledgerClaim{{backpack.RecordsRelease, before, nil}, {backpack.TablesRelease, before, backpack.ErrOtherKindReleased}}},
	} {
		t.Run(tt.name, func(t *testing.T) { checkClaims(t, tt.claims) })
	}
}

// A student released once is known again after the roll is linked again under new
// student IDs with its mistyped SSIDs corrected, and after two of its students' records
// were put into one backpack: every identity the ledger held of them but their LEA
// records changed. Students of another LEA with the same local IDs, and of another file
// of a roll without LEAs, are other students.
func TestClaimReleaseRelinked(t *testing.T) {
	first := thirtyStudents(t, rollOptions{lea: "100001", studentID: "S", ssid: 2000000700}) // SSIDs mistyped
	relinked := thirtyStudents(t, rollOptions{lea: "100001", studentID: "T", ssid: 1000000700})
	merged := thirtyStudents(t, rollOptions{lea: "100001", studentID: "T", ssid: 1000000700, together: true})
	otherLEA := thirtyStudents(t, rollOptions{lea: "100002", studentID: "U", ssid: 3000000700})
	noLEA := func(file, id string) *backpack.Population {
		return thirtyStudents(t, rollOptions{file: file, studentID: id})
	}
	for _, tt := range []struct {
		name   string
		claims []ledgerClaim
	}{
		{"records, then tables after relinking", []ledgerClaim{{backpack.RecordsRelease, first, nil}, {backpack.TablesRelease, relinked, backpack.ErrOtherKindReleased}}},
		{"records twice, relinked between", []ledgerClaim{{backpack.RecordsRelease, first, nil}, {backpack.RecordsRelease, relinked, backpack.ErrRecordsReleased}}},
		{"records, then records with two students merged", []ledgerClaim{{backpack.RecordsRelease, first, nil}, {backpack.RecordsRelease, merged, backpack.ErrRecordsReleased}}},
		{"tables, then tables after relinking", []ledgerClaim{{backpack.TablesRelease, first, nil}, {backpack.TablesRelease, relinked, nil}, {backpack.RecordsRelease, relinked, backpack.ErrOtherKindReleased}}},
		{"another LEA's records with the same local IDs", []ledgerClaim{{backpack.RecordsRelease, first, nil}, {backpack.TablesRelease, otherLEA, nil}}},
		{"another file's records, no LEAs", []ledgerClaim{{backpack.RecordsRelease, noLEA("a.csv", "S"), nil}, {backpack.TablesRelease, noLEA("b.csv", "T"), nil}, {backpack.TablesRelease, noLEA("dir/a.csv", "V"), backpack.ErrOtherKindReleased}}},
	} {
		t.Run(tt.name, func(t *testing.T) { checkClaims(t, tt.claims) })
	}
}

// ledgerClaim is a release claimed in a ledger, and its expected outcome.
type ledgerClaim struct {
	kind backpack.ReleaseKind
	pop  *backpack.Population
	want error // nil: claimed
}

// checkClaims claims each release in turn in a new ledger (a tables release with the sex
// × grade table) and compares the outcomes with the ones wanted.
func checkClaims(t *testing.T, claims []ledgerClaim) {
	t.Helper()
	ledger := filepath.Join(t.TempDir(), "ledger.json")
	var got, want []string
	for k, c := range claims {
		var tables []backpack.Published
		if c.kind == backpack.TablesRelease {
			tables = sexByGrade(t, c.pop)
		}
		err := backpack.ClaimRelease(ledger, c.kind, fmt.Sprint("study ", k), c.pop, tables...)
		got, want = append(got, verdict(err, c.want)), append(want, fmt.Sprint(c.want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
}

// verdict is a claim's error as checkClaims compares it: the
// sentinel it wraps, or the whole error.
func verdict(err, want error) string {
	if want != nil && errors.Is(err, want) {
		return fmt.Sprint(want)
	}
	return fmt.Sprint(err)
}

// A ledger written before students were kept by all their identities holds one keyed
// hash each, of the research identity ("student:ID" for students without an SSID): a
// student released so is known again by it once an SSID is submitted.
func TestClaimReleaseOneIdentityLedger(t *testing.T) {
	before, after := lateSSIDPopulation(t, false), lateSSIDPopulation(t, true)
	ledger := filepath.Join(t.TempDir(), "ledger.json")
	if err := backpack.ClaimRelease(ledger, backpack.RecordsRelease, "old", before); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(ledger)
	if err != nil {
		t.Fatal(err)
	}
	var l struct {
		Key      string           `json:"key"`
		Releases []map[string]any `json:"releases"`
	}
	if err := json.Unmarshal(data, &l); err != nil {
		t.Fatal(err)
	}
	key, err := hex.DecodeString(l.Key)
	if err != nil {
		t.Fatal(err)
	}
	var members []string
	for i := range 30 {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(fmt.Sprintf("student:S%d", 5000+i)))
		members = append(members, hex.EncodeToString(m.Sum(nil)[:16]))
	}
	slices.Sort(members)
	l.Releases[0]["members"] = members
	if data, err = json.Marshal(l); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ledger, data, 0o600); err != nil {
		t.Fatal(err)
	}
	err = backpack.ClaimRelease(ledger, backpack.TablesRelease, "new", after, sexByGrade(t, after)...)
	if !errors.Is(err, backpack.ErrOtherKindReleased) {
		t.Errorf("tables of students released as records under a one-identity ledger: %v, want ErrOtherKindReleased", err)
	}
}
