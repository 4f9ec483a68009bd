package match

import (
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/block"
	"github.com/studentlink/studentlink/internal/synth"
	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

// contactHeader is studentHeader with e-mail and phone columns.
var contactHeader = strings.TrimSuffix(studentHeader, "\n") + ",email,phone\n"

// contactSampleRoll is the embedded sample roll with an e-mail address and a phone
// number on its records: half the students write their own address, half a parent's
// (one a household), the phone is the household's, some records lack either, and a few
// addresses are mistyped a character short.
func contactSampleRoll() (string, error) {
	read := func(path string) ([][]string, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return csv.NewReader(f).ReadAll()
	}
	truthRows, err := read(sampleTruth)
	if err != nil {
		return "", err
	}
	truth := map[string]string{}
	for _, r := range truthRows[1:] {
		truth[r[0]] = r[1]
	}
	rows, err := read(sampleRoll)
	if err != nil {
		return "", err
	}
	hash := func(s string) uint32 { h := fnv.New32a(); h.Write([]byte(s)); return h.Sum32() }
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(append(rows[0], "email", "phone"))
	for n, r := range rows[1:] {
		student := truth[r[0]]
		home := strings.ToLower(r[11] + "|" + r[12])
		email := fmt.Sprintf("kid%d@mail.org", hash(student))
		if hash(student)%2 == 1 {
			email = fmt.Sprintf("family%d@home.net", hash(home))
		}
		phone := fmt.Sprintf("801%07d", hash(home)%10_000_000)
		switch {
		case n%5 == 0:
			email = ""
		case n%13 == 0:
			email = email[1:]
		}
		if n%4 == 0 || r[11] == "" {
			phone = ""
		}
		w.Write(append(r, email, phone))
	}
	w.Flush()
	return b.String(), w.Error()
}

// contactLinker is the student preset trained on contactSampleRoll.
var contactLinker = sync.OnceValues(func() (*Linker, error) {
	l, err := New(StudentSettings())
	if err != nil {
		return nil, err
	}
	roll, err := l.Settings().NewRoll()
	if err != nil {
		return nil, err
	}
	text, err := contactSampleRoll()
	if err != nil {
		return nil, err
	}
	if err := roll.ReadCSV("sample-contacts.csv", strings.NewReader(text)); err != nil {
		return nil, err
	}
	if _, err := l.Run(bgContext(), roll, RunOptions{}); err != nil {
		return nil, err
	}
	return l, nil
})

func trainedContactLinker(t *testing.T) *Linker {
	t.Helper()
	l, err := contactLinker()
	if err != nil {
		t.Fatal(err)
	}
	checkContactsBlockOnly(t, l, normalize.RoleEmail, normalize.RolePhone)
	return l
}

// checkContactsBlockOnly checks that a student linker trained on a roll with the contact
// columns roles blocks on them and weighs no contact.
func checkContactsBlockOnly(t *testing.T, l *Linker, roles ...normalize.Role) {
	t.Helper()
	s := l.Settings()
	for _, name := range []string{"email", "phone"} {
		if slices.ContainsFunc(s.Comparisons, func(c score.Comparison) bool { return c.Name == name }) {
			t.Errorf("the student preset weighs %s", name)
		}
	}
	for _, role := range roles {
		if !slices.ContainsFunc(s.Blocking, func(r block.Rule) bool {
			return len(r.Keys) == 1 && r.Keys[0].Role == role
		}) {
			t.Errorf("the student preset does not block on %s", role)
		}
	}
}

// TestEmailLinksDamagedNames: one person's two records, both names mistyped, the birth
// date a digit off, in two towns, no SSID: under the person preset the one e-mail address
// links them, and without it they do not link. A family sharing one e-mail address and
// one phone (parents and children, each under two records) is four people: agreeing on
// a contact counts only where the given names agree.
func TestEmailLinksDamagedNames(t *testing.T) {
	text, err := contactSampleRoll()
	if err != nil {
		t.Fatal(err)
	}
	roll := func(email string) *Roll {
		r, err := PersonSettings().NewRoll()
		if err != nil {
			t.Fatal(err)
		}
		extra := "xio-1,01,01001,,Xiomara,,Quintanilla,,2012-05-06,F,6,12 Canyon Rd,Provo,84604,2023-08-20," + email + ",\n" +
			"xio-2,02,02004,,Xiomra,,Quintanila,,2012-05-09,F,7,880 North Rd,Logan,84321,2024-08-19," + email + ",\n"
		for _, m := range []string{"Tomas,1978-02-11", "Lucia,1980-09-30", "Mateo,2009-04-17", "Sofia,2012-12-03"} {
			given, born, _ := strings.Cut(m, ",")
			for k := 1; k <= 2; k++ {
				extra += fmt.Sprintf("%s-%d,0%d,0%d001,,%s,,Vargas,,%s,,,,Ogden,84401,2023-08-20,vargas.family@mail.org,(801) 555-6622\n",
					strings.ToLower(given), k, k, k, given, born)
			}
		}
		if err := r.ReadCSV("contacts.csv", strings.NewReader(text+extra)); err != nil {
			t.Fatal(err)
		}
		return r
	}
	together := func(res *Result) bool {
		a, _ := res.StudentOf("xio-1")
		b, _ := res.StudentOf("xio-2")
		return a == b
	}
	s := PersonSettings()
	s.IDColumn = "record_id"
	_, with := linkRoll(t, s, roll("xquintanilla@mail.org"))
	if !together(with) {
		t.Errorf("the person preset does not link one person's records through their e-mail address")
	}
	family := map[string]string{}
	for _, given := range []string{"tomas", "lucia", "mateo", "sofia"} {
		a, _ := with.StudentOf(given + "-1")
		b, _ := with.StudentOf(given + "-2")
		if a != b {
			t.Errorf("%s's two records split", given)
		}
		if other, ok := family[a]; ok {
			t.Errorf("%s and %s, one family sharing an e-mail address and a phone, merged", other, given)
		}
		family[a] = given
	}
	if _, without := linkRoll(t, s, roll("")); together(without) {
		t.Errorf("the records link without the e-mail address: the test shows nothing of it")
	}
}

// TestSharedContactsKeepChildrenApart: twins, siblings born years apart and namesake
// cousins under one parent's or grandparent's e-mail address and phone number stay
// apart, while each child's records link: under the student preset trained on the
// sample roll with contacts, and on Splink's fake people with their e-mail addresses.
// The student preset blocks on contacts and does not weigh them.
func TestSharedContactsKeepChildrenApart(t *testing.T) {
	fake, _ := linkRoll(t, StudentSettings(), suiteRoll(t, "fake_1000-email"))
	checkContactsBlockOnly(t, fake, normalize.RoleEmail)
	const parent = ",tuilagi.family@mail.org,(801) 555-2368\n"
	const grandma = ",garcia.grandma@gmail.com,(801) 555-3030\n"
	roll := contactHeader +
		"maria-1,01,01001,4000000301,Maria,Luisa,Tuilagi,,2012-04-09,F,6,12 Canyon Rd,Provo,84604,2023-08-20" + parent +
		"maria-2,02,02004,,Maria,,Tuilagi,,04/09/2012,F,7,12 Canyon Rd,Provo,84604,2024-08-19" + parent +
		"marta-1,01,01001,4000000302,Marta,Ana,Tuilagi,,2012-04-09,F,6,12 Canyon Rd,Provo,84604,2023-08-20" + parent +
		"marta-2,02,02004,,Marta,,Tuilagi,,2012-04-09,F,7,12 Canyon Rd,Provo,84604,2024-08-19" + parent +
		"sione-1,01,01001,4000000303,Sione,,Tuilagi,,2009-11-30,M,9,12 Canyon Rd,Provo,84604,2023-08-20" + parent +
		"sione-2,02,02004,,Sione,,Tuilagi,,2009-11-30,M,10,12 Canyon Rd,Provo,84604,2024-08-19" + parent +
		"lupe-1,02,02004,,Lupe,,Tuilagi,,2014-02-03,F,4,12 Canyon Rd,Provo,84604,2024-08-19" + parent +
		"mele-1,02,02004,,Mele,,Tuilagi,,,F,3,12 Canyon Rd,Provo,84604,2024-08-19" + parent +
		// Siblings in their two parents' homes, the one e-mail address on both.
		"tevita-1,03,03001,,Tevita,,Fifita,,2010-06-01,M,8,4 Oak St,Ogden,84401,2023-08-20,fifita@mail.org,\n" +
		"losa-1,04,04001,,Losa,,Fifita,,2013-09-15,F,5,77 Ridge Rd,Logan,84321,2023-08-20,fifita@mail.org,\n" +
		// Twins, their home's address left off at one LEA, SSIDs not issued together.
		"noah-1,05,05001,5500000001,Noah,,Reyes,,2011-02-02,M,7,5 Ash St,Ogden,84401,2023-08-20,,(801) 555-4411\n" +
		"liam-1,06,06001,5500000777,Liam,,Reyes,,2011-02-02,M,7,,Ogden,84401,2024-08-19,,(801) 555-4411\n"
	// Cousins named alike, born ten days apart, at their grandmother's. (The model trained
	// on Splink's fake people, whose birth dates are damaged in most duplicates, takes
	// dates a digit apart for one person's and merges them with or without contacts.)
	cousins := "mariag-1,07,07001,,Maria,,Garcia,,2012-03-04,F,6,9 Mesa Dr,Provo,84604,2023-08-20" + grandma +
		"mariac-1,08,08001,,Maria,,Garcia,,2012-03-14,F,6,,Provo,84604,2024-08-19" + grandma
	for name, tc := range map[string]struct {
		l    *Linker
		roll string
	}{"sample with contacts": {trainedContactLinker(t), roll + cousins}, "fake_1000-email": {fake, roll}} {
		t.Run(name, func(t *testing.T) {
			checkChildren(t, runCSV(t, tc.l, tc.roll))
		})
	}
}

// TestContactHeaderAliases: the names districts give e-mail and phone columns fill the
// student preset's email and phone, whatever their case and punctuation.
func TestContactHeaderAliases(t *testing.T) {
	tests := []struct {
		header string
		role   normalize.Role
	}{
		{"E-mail", normalize.RoleEmail}, {"Email Address", normalize.RoleEmail}, {"ELECTRONIC_MAIL", normalize.RoleEmail},
		{"ElectronicMailAddress", normalize.RoleEmail}, {"student_email", normalize.RoleEmail},
		{"Phone", normalize.RolePhone}, {"Phone Number", normalize.RolePhone}, {"phone_num", normalize.RolePhone},
		{"Telephone", normalize.RolePhone}, {"TelephoneNumber", normalize.RolePhone}, {"Home Phone", normalize.RolePhone},
		{"primary_phone", normalize.RolePhone}, {"Cell-Phone", normalize.RolePhone}, {"Mobile", normalize.RolePhone},
	}
	for _, tt := range tests {
		for _, s := range []Settings{StudentSettings(), PersonSettings()} {
			roll, err := s.NewRoll()
			if err != nil {
				t.Fatal(err)
			}
			if err := roll.ReadCSV("aliases.csv", strings.NewReader("record_id,first_name,"+tt.header+"\n1,Ana,x\n")); err != nil {
				t.Fatal(err)
			}
			var got normalize.Role
			for _, u := range roll.Header(0) {
				if u.Header == tt.header {
					got = u.Role
				}
			}
			if got != tt.role {
				t.Errorf("%s preset: %q fills %q, want %q", s.Name, tt.header, got, tt.role)
			}
		}
	}
	// The values reach the record, cleaned by the normalizer.
	roll, _ := StudentSettings().NewRoll()
	if err := roll.ReadCSV("c.csv", strings.NewReader("record_id,first_name,E-Mail,Home Phone\n1,Ana,<Ana@Mail.ORG>,+1 (801) 555-2368\n")); err != nil {
		t.Fatal(err)
	}
	rec := roll.Record(0)
	if d := cmp.Diff([2]string{"<Ana@Mail.ORG>", "+1 (801) 555-2368"}, [2]string{rec.Email, rec.Phone}); d != "" {
		t.Errorf("record (-want +got):\n%s", d)
	}
}

// TestSharedNumbersAreNoHousehold: a school's main number on the records of thirty
// families, and directory assistance's, on two namesakes each (Liam Jones, born in one
// year; Olivia Brown, ten days apart) with no SSID and no address: neither number is a
// household's, so it is no evidence and is reported, and the namesakes stay apart.
func TestSharedNumbersAreNoHousehold(t *testing.T) {
	families := []string{"Anders", "Baker", "Chen", "Diaz", "Evans", "Fox", "Gupta", "Hale", "Ito", "Kahn",
		"Lund", "Mora", "Nash", "Ortiz", "Park", "Quinn", "Ruiz", "Shaw", "Tran", "Vega",
		"Wolfe", "Xu", "Young", "Zhou", "Bishop", "Carver", "Dunn", "Ellis", "Flynn", "Grant"}
	var b strings.Builder
	b.WriteString(contactHeader)
	for i, f := range families {
		fmt.Fprintf(&b, "s%d-1,01,01001,,Kid%c,,%s,,2012-0%d-1%d,F,6,,Provo,84601,2023-08-20,,(801) 374-4800\n", i, 'a'+i%26, f, 1+i%9, i%10)
	}
	b.WriteString("liam-1,01,01001,,Liam,,Jones,,2012-11-30,M,6,,Provo,84601,2023-08-20,,(801) 374-4800\n" +
		"liamj-1,02,02001,,Liam,,Jones,,2012-01-13,M,6,,Orem,84057,2024-08-19,,(801) 374-4800\n" +
		"olivia-1,01,01001,,Olivia,,Brown,,2015-07-07,F,3,,Provo,84601,2023-08-20,,801-555-1212\n" +
		"oliviab-1,02,02001,,Olivia,,Brown,,2015-07-17,F,3,,Orem,84057,2024-08-19,,801-555-1212\n")
	res := runCSV(t, trainedContactLinker(t), b.String())
	checkChildren(t, res)
	reported := map[string]int{}
	for _, p := range res.Prepared.Problems {
		if p.Field == "phone" {
			reported[p.Value]++
		}
	}
	if d := cmp.Diff(map[string]int{"8013744800": len(families) + 2, "801-555-1212": 2}, reported); d != "" {
		t.Errorf("phone numbers reported (-want +got):\n%s", d)
	}
}

// TestDefaultSSIDClearedNotLinked: an LEA that writes one default SSID (1000000000, which
// PlaceholderID does not know) for its students without a state ID put 60 children under
// one ID, and the matcher merged seven pairs of strangers on it. The SSID is cleared,
// each record reported, and no two of those children share a student.
func TestDefaultSSIDClearedNotLinked(t *testing.T) {
	gen, err := synth.Generate(synth.DefaultConfig(2000))
	if err != nil {
		t.Fatal(err)
	}
	const def = "1000000000"
	given := map[int32]bool{}
	for i := range gen.Records {
		r := &gen.Records[i]
		if r.LEA == "05" && (given[r.Student] || len(given) < 60) {
			given[r.Student] = true
			r.SSID = def
		}
	}
	s := StudentSettings()
	l, res := linkRoll(t, s, readSynth(t, s, synthSource{"default-ssid.csv", gen}))
	reported := 0
	for _, p := range res.Prepared.Problems {
		if errors.Is(p.Err, normalize.ErrSharedSSID) && p.Value == def {
			reported++
		}
	}
	carried := 0
	truth := gen.Truth()
	byLabel := map[int32]int32{}
	for i, r := range gen.Records {
		if r.SSID != def {
			continue
		}
		carried++
		if other, ok := byLabel[res.Label[i]]; ok && other != truth[i] {
			t.Errorf("record %s (child %d) shares student %s with child %d", r.ID, truth[i], res.StudentIDs[res.Label[i]], other)
		}
		byLabel[res.Label[i]] = truth[i]
	}
	if carried < 60 || reported != carried {
		t.Errorf("%d records carry the default SSID, %d reported as no one child's", carried, reported)
	}

	// The index of the run clears it too: a record added with it and a query carrying it
	// (a stranger born five days later in the same town) are not one child by it.
	x, err := l.NewIndex(res)
	if err != nil {
		t.Fatal(err)
	}
	quill := normalize.Record{Given: "Harper", Family: "Quill", BirthDate: "2011-02-03", Sex: "F", SSID: def, Address: "1 Alpha Rd", City: "Provo", Zip: "84602", LEA: "05"}
	problems, err := x.Add("NEW-1", quill, "STU-QUILL")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(problems, func(fe *normalize.FieldError) bool { return errors.Is(fe.Err, normalize.ErrSharedSSID) }) {
		t.Errorf("record added with the default SSID: problems %v, want it reported", problems)
	}
	vance := normalize.Record{Given: "Harper", Family: "Vance", BirthDate: "2011-02-08", Sex: "F", SSID: def, Address: "9 Omega Ln", City: "Provo", Zip: "84602", LEA: "05"}
	pl, err := x.Query(vance, 5)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Outcome == OutcomeMatch && pl.StudentID == "STU-QUILL" {
		t.Errorf("Harper Vance placed with Harper Quill by the default SSID (weight %.2f)", pl.Best.Weight)
	}
	if !slices.ContainsFunc(pl.Problems, func(fe *normalize.FieldError) bool {
		return errors.Is(fe.Err, normalize.ErrSharedSSID) && fe.Value == def
	}) {
		t.Errorf("query with the default SSID: problems %v, want it reported", pl.Problems)
	}
}

// TestDefaultBirthDateCleared: one LEA's export writes 2010-01-01 for every student, in a
// roll without SSIDs. Agreeing on it weighed as a birthday shared, and namesakes and
// households of that LEA merged. The date is cleared on that source's records, each
// reported, the other source's dates kept; a query carrying it has it cleared too. With
// the date kept, precision is 0.983 and recall 0.706; cleared, the LEA's records are
// linked by their names, homes and classes (grade and entry date): precision 0.988,
// recall 0.920. A record without a birth date between two namesakes of one class
// (Amelia Harris, born 6 and 24 December 2006) is where the precision goes.
func TestDefaultBirthDateCleared(t *testing.T) {
	gen, err := synth.Generate(synth.DefaultConfig(2000))
	if err != nil {
		t.Fatal(err)
	}
	gen.DropSSIDs()
	const def = "2010-01-01"
	var a, b synth.Roll
	for _, r := range gen.Records {
		if r.LEA == "05" {
			r.BirthDate = def
			b.Records = append(b.Records, r)
		} else {
			a.Records = append(a.Records, r)
		}
	}
	s := StudentSettings()
	l, res := linkRoll(t, s, readSynth(t, s, synthSource{"lea-a.csv", &a}, synthSource{"lea05.csv", &b}))
	truth := append(a.Truth(), b.Truth()...)
	reported := map[string]int{}
	for _, p := range res.Prepared.Problems {
		if errors.Is(p.Err, normalize.ErrSharedBirthDate) {
			reported[p.Source+" "+p.Value]++
		}
	}
	if d := cmp.Diff(map[string]int{"lea05.csv " + def: len(b.Records)}, reported); d != "" {
		t.Errorf("birth dates reported as no one child's (-want +got):\n%s", d)
	}
	ev, err := Evaluate(res.Label, truth, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("precision %.4f recall %.4f", ev.Precision, ev.Recall)
	if ev.Precision < 0.985 || ev.Recall < 0.9 {
		t.Errorf("precision %.4f recall %.4f, want at least 0.985 and 0.9", ev.Precision, ev.Recall)
	}

	x, err := l.NewIndex(res)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := x.Query(normalize.Record{Given: "Harper", Family: "Vance", BirthDate: def, Sex: "F", City: "Provo", Zip: "84602", LEA: "05"}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(pl.Problems, func(fe *normalize.FieldError) bool {
		return errors.Is(fe.Err, normalize.ErrSharedBirthDate) && fe.Value == def
	}) {
		t.Errorf("query with the default birth date: problems %v, want it reported", pl.Problems)
	}
}

// TestSchoolAddressCleared: one LEA writes its office's address for every student, in a
// roll without SSIDs. Agreeing on it weighed as a home shared, and blocking on it made
// every pair of its students with one initial a candidate. It is cleared on those
// records, each reported; a query carrying it has it cleared too.
func TestSchoolAddressCleared(t *testing.T) {
	const office, zip = "1 School Rd", "84601"
	carried := 0
	gen, err := synth.Generate(synth.DefaultConfig(2000))
	if err != nil {
		t.Fatal(err)
	}
	gen.DropSSIDs()
	for i := range gen.Records {
		if r := &gen.Records[i]; r.LEA == "05" {
			r.Address, r.Zip = office, zip
			carried++
		}
	}
	l, res := linkSynth(t, gen)
	reported := map[string]int{}
	for _, p := range res.Prepared.Problems {
		if errors.Is(p.Err, normalize.ErrSharedAddress) {
			reported[p.Value]++
		}
	}
	if d := cmp.Diff(map[string]int{"1 school road, " + zip: carried}, reported); d != "" {
		t.Errorf("addresses reported as no one household's (-want +got):\n%s", d)
	}
	ev, err := Evaluate(res.Label, gen.Truth(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("precision %.4f recall %.4f, %d candidate pairs", ev.Precision, ev.Recall, res.CandidatePairs)
	if ev.Precision < 0.995 {
		t.Errorf("precision %.4f, want at least 0.995", ev.Precision)
	}
	x, err := l.NewIndex(res)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := x.Query(normalize.Record{Given: "Harper", Family: "Vance", BirthDate: "2011-02-03", Address: office, Zip: zip, LEA: "05"}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(pl.Problems, func(fe *normalize.FieldError) bool { return errors.Is(fe.Err, normalize.ErrSharedAddress) }) {
		t.Errorf("query with the office's address: problems %v, want it reported", pl.Problems)
	}
}
