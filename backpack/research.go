package backpack

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// A research release (R277-484-9, FERPA 99.31(b)) is either tables of counts
// (SuppressTables, audited by Audit) or record-level data (Extractor.Records), never both
// from one population. Record-level data is always k-anonymous, but k-anonymity does not
// protect tables of the same students: counting a record file's rows by a
// quasi-identifier it keeps exact (an LEA, a sex) gives the margins the tables
// suppressed, and Audit cannot count what such a file adds. So every release is claimed
// first in the state's release ledger (ClaimRelease), which refuses a release of one kind
// when any of its students was published in a release of the other, records of students
// already released as records, and tables that disclose counts read with the tables
// already published of their students.

// ResearchStudent is one distinct student of a research population: the
// quasi-identifiers a release may show and their latest assessment results. It holds no
// name, address or ID; its identity (a valid SSID, or the state's student ID) stays in
// the package, for an Extractor to key.
type ResearchStudent struct {
	id string
	// identities are every identity the student is known by — "student:" and its
	// student ID, "ssid:" and each usable SSID its records carry, "record:" and each LEA
	// record it was built from — for the release ledger, which must know a student again
	// when an SSID is added or corrected or the roll is linked again (see ledgerMembers).
	identities []string
	BirthYear  int // 0 when not reported
	Sex        string
	// Race is the federal reporting category: Hispanic/Latino of any race, one race, or
	// "Two or more races".
	Race       string
	GradeLevel string // of the latest enrollment
	LEA        string // of the latest enrollment
	School     string // of the latest enrollment
	// Results are the student's latest result on each assessment, by assessment.
	Results []ResearchResult
	latest  string // the latest enrollment's entry date, to choose between duplicates
}

// ResearchResult is a student's latest result on one assessment.
type ResearchResult struct {
	Assessment  string
	SchoolYear  int
	Performance string
	Score       string
	date        string
}

// Population is the students of a research release, each counted once.
type Population struct {
	Students []ResearchStudent
	// Backpacks is the number of backpacks read; Merged how many of them were of a
	// student already counted (the same SSID: the linker split one student); ByStudentID
	// how many students have no usable SSID (see CleanSSID) and are told apart by their
	// student ID — a placeholder such as 000000000 never makes two students one.
	Backpacks, Merged, ByStudentID int
}

// NewPopulation turns backpacks into research students, one per distinct student: two
// backpacks carrying the same SSID are one student, shown by the one enrolled latest,
// with the latest result of both on each assessment.
func NewPopulation(bps []*Backpack) *Population {
	pop := &Population{Backpacks: len(bps)}
	at := map[string]int{}
	for _, b := range bps {
		s := researchStudent(b)
		if strings.HasPrefix(s.id, "student:") {
			pop.ByStudentID++
		}
		k, dup := at[s.id]
		if !dup {
			at[s.id] = len(pop.Students)
			pop.Students = append(pop.Students, s)
			continue
		}
		pop.Merged++
		old := &pop.Students[k]
		results := append(old.Results, s.Results...)
		identities := append(slices.Clone(old.identities), s.identities...)
		if s.latest > old.latest {
			*old = s
		}
		old.Results = latestResults(results)
		slices.Sort(identities)
		old.identities = slices.Compact(identities)
	}
	slices.SortFunc(pop.Students, func(a, b ResearchStudent) int { return cmp.Compare(a.id, b.id) })
	return pop
}

func researchStudent(b *Backpack) ResearchStudent {
	s := ResearchStudent{id: b.researchID(), identities: b.ledgerIdentities(), Sex: b.Value("sex"), Race: federalRace(b.Value("races"), b.Value("hispanic_latino"))}
	if bd := b.Value("birth_date"); len(bd) >= 4 {
		if y, err := strconv.Atoi(bd[:4]); err == nil && y > 0 {
			s.BirthYear = y
		}
	}
	if n := len(b.Enrollments); n > 0 {
		e := b.Enrollments[n-1].Fact // sorted by entry date
		s.GradeLevel, s.LEA, s.School, s.latest = e.GradeLevel, e.LEA, e.SchoolCode(), e.EntryDate
	}
	var results []ResearchResult
	for _, f := range b.Assessments {
		a := f.Fact
		r := ResearchResult{Assessment: a.AssessmentIdentifier, SchoolYear: a.SchoolYear, date: a.AdministrationDate}
		if len(a.PerformanceLevels) > 0 {
			r.Performance = a.PerformanceLevels[0].Level
		}
		if len(a.Scores) > 0 {
			r.Score = a.Scores[0].Result
		}
		results = append(results, r)
	}
	s.Results = latestResults(results)
	return s
}

// latestResults keeps the latest result of each assessment (by school year, then date),
// sorted by assessment.
func latestResults(rs []ResearchResult) []ResearchResult {
	slices.SortStableFunc(rs, func(a, b ResearchResult) int {
		return cmp.Or(cmp.Compare(a.Assessment, b.Assessment), -cmp.Compare(a.SchoolYear, b.SchoolYear), -cmp.Compare(a.date, b.date))
	})
	return slices.CompactFunc(rs, func(a, b ResearchResult) bool { return a.Assessment == b.Assessment })
}

// researchID is the identity a research key is made from: the usable SSID most of the
// backpack's records carry (ties: the one shown, then the smallest), so one LEA's mistyped
// SSID does not give the student a key of its own; without one, the student ID.
func (b *Backpack) researchID() string {
	count := map[string]int{}
	for _, f := range b.Demographics {
		if f.Name != "ssid" {
			continue
		}
		for _, c := range f.Candidates {
			if ssid, err := CleanSSID(c.Value); err == nil {
				count[ssid]++
			}
		}
	}
	shown, _ := CleanSSID(b.SSID())
	best := ""
	for v, n := range count {
		switch {
		case best == "", n > count[best]:
			best = v
		case n == count[best] && best != shown && (v == shown || v < best):
			best = v
		}
	}
	if best == "" {
		return "student:" + b.StudentID
	}
	return "ssid:" + best
}

// ledgerIdentities returns every identity of the backpack's student, sorted: its student
// ID ("student:ID"), each usable SSID any of its records carries ("ssid:SSID"), the
// researchID among them, and each record it was built from ("record:", its LEA and ID: see
// recordIdentity). The researchID alone changes when an LEA submits an SSID or more
// records carry another one, and the student ID when the roll is linked again without
// the earlier IDs; an LEA's record keeps its ID through both, and through a mistyped SSID
// corrected. The release ledger keeps them all, so a student released before under one
// is known again under any other.
func (b *Backpack) ledgerIdentities() []string {
	var out []string
	if b.StudentID != "" {
		out = append(out, "student:"+b.StudentID)
	}
	recorded := map[string]bool{}
	for _, f := range b.Demographics {
		for _, c := range f.Candidates {
			if f.Name == "ssid" {
				if ssid, err := CleanSSID(c.Value); err == nil {
					out = append(out, "ssid:"+ssid)
				}
			}
			if c.Source.Record != "" {
				recorded[c.Source.Record] = true
				out = append(out, recordIdentity(c.Source))
			}
		}
	}
	for _, r := range b.Records {
		if !recorded[r] { // a record that submitted no demographic value
			out = append(out, recordIdentity(Source{Record: r}))
		}
	}
	if ssid, err := CleanSSID(b.SSID()); err == nil {
		out = append(out, "ssid:"+ssid)
	}
	out = append(out, b.researchID())
	slices.Sort(out)
	return slices.Compact(out)
}

// recordIdentity is the ledger identity of the LEA record src names: its LEA and record
// ID, which the LEA keeps across submissions (an Ed-Fi record ID names its LEA already:
// RecordID). A roll without LEAs is told apart by its file's name, as two files may use
// one record ID for two students: renamed, the record is not known again by this identity,
// only by the student's others.
func recordIdentity(src Source) string {
	where := src.LEA
	if where == "" {
		where = "file " + filepath.Base(src.File)
	}
	return "record:" + where + "\x00" + src.Record
}

// federalRace maps races ("A; B") and the Hispanic flag to one reporting category.
func federalRace(races, hispanic string) string {
	switch {
	case hispanic == "true":
		return "Hispanic/Latino"
	case races == "":
		return ""
	case strings.Contains(races, "; "):
		return "Two or more races"
	}
	return races
}

// Attribute is a value of a research student that tables count by.
type Attribute struct {
	Name string
	Of   func(ResearchStudent) string
	// Categories, when not nil, declares every category of the attribute, in the order
	// tables show them, whether or not a student has it (see CrossTabOver): a reader
	// learns nothing from a declared category's presence, so its margin may be small. Of
	// must then give one of them for every student.
	Categories []string
}

// OtherCategory is the declared category of a value the declared list does not name.
const OtherCategory = "(other)"

// GradeCategories are the declared categories of ByGrade: every grade level, then
// OtherCategory and "(not reported)".
var GradeCategories = []string{"IT", "PK", "K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "PS", "UG", OtherCategory, notReported}

// SexCategories are the declared categories of BySex: the Ed-Fi sexes, then OtherCategory
// and "(not reported)".
var SexCategories = []string{"Female", "Male", "Non-binary", "Not Selected", OtherCategory, notReported}

// declared returns a function giving v's category among cats: v itself, "(not
// reported)" for a blank and OtherCategory for any other value.
func declared(cats []string, v func(ResearchStudent) string) func(ResearchStudent) string {
	return func(s ResearchStudent) string {
		x := v(s)
		switch {
		case strings.TrimSpace(x) == "":
			return notReported
		case slices.Contains(cats, x):
			return x
		}
		return OtherCategory
	}
}

// The attributes of a research student. ByGrade and BySex count over declared
// categories (GradeCategories, SexCategories); the others over the values the students
// have.
var (
	ByLEA       = Attribute{Name: "lea", Of: func(s ResearchStudent) string { return s.LEA }}
	BySchool    = Attribute{Name: "school", Of: func(s ResearchStudent) string { return s.School }}
	ByGrade     = Attribute{Name: "grade", Of: declared(GradeCategories, func(s ResearchStudent) string { return s.GradeLevel }), Categories: GradeCategories}
	BySex       = Attribute{Name: "sex", Of: declared(SexCategories, func(s ResearchStudent) string { return s.Sex }), Categories: SexCategories}
	ByRace      = Attribute{Name: "race", Of: func(s ResearchStudent) string { return s.Race }}
	ByBirthYear = Attribute{Name: "birth_year", Of: func(s ResearchStudent) string { return num(s.BirthYear) }}
)

// NotAssessed is the level of a student without a result on an assessment.
const NotAssessed = "(not assessed)"

// ByLevel is the performance level of a student's latest result on an assessment, or
// NotAssessed: every student counts once, so the table's counts are students, not
// results.
func ByLevel(assessment string) Attribute {
	return Attribute{Name: "level on " + assessment, Of: func(s ResearchStudent) string {
		for _, r := range s.Results {
			if r.Assessment == assessment {
				return r.Performance
			}
		}
		return NotAssessed
	}}
}

// Table counts the population's students by two attributes, over their declared
// categories where they have them (see CrossTabOver). A student whose value is not one of
// a declared attribute's categories is an error.
func (p *Population) Table(row, col Attribute) (Table, error) {
	t, err := CrossTabOver(p.Students, row.Name, row.Categories, row.Of, col.Name, col.Categories, col.Of)
	if err != nil {
		return Table{}, fmt.Errorf("backpack: research: %w", err)
	}
	return t, nil
}

// Assessments returns the assessments the population has results on, sorted.
func (p *Population) Assessments() []string {
	var out []string
	for _, s := range p.Students {
		for _, r := range s.Results {
			out = append(out, r.Assessment)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Extractor keys the students of a record-level release for one study.
type Extractor struct {
	secret []byte
	study  string
}

// MinSecret is the shortest secret NewExtractor accepts, in bytes.
const MinSecret = 16

// MinSecretVariety is the fewest distinct byte values NewExtractor accepts in a secret:
// sixteen identical bytes, or a word repeated, is a secret one guesses.
const MinSecretVariety = 8

// NewExtractor returns an extractor keyed by the state's secret for the named study: the
// same student gets the same key within a study and unrelated keys across studies. There
// is no default secret, and one shorter than MinSecret or of fewer than MinSecretVariety
// distinct bytes is refused.
func NewExtractor(secret []byte, study string) (*Extractor, error) {
	if len(secret) < MinSecret {
		return nil, fmt.Errorf("backpack: research: the secret has %d bytes, want at least %d", len(secret), MinSecret)
	}
	distinct := map[byte]bool{}
	for _, b := range secret {
		distinct[b] = true
	}
	if len(distinct) < MinSecretVariety {
		return nil, fmt.Errorf("backpack: research: the secret has %d distinct bytes, want at least %d: make it at random", len(distinct), MinSecretVariety)
	}
	if study == "" {
		return nil, errors.New("backpack: research: name the study")
	}
	return &Extractor{secret: slices.Clone(secret), study: study}, nil
}

// Key returns the keyed hash of an identifier: HMAC-SHA-256 under the state's secret, so
// a researcher can join a study's files but cannot recover the ID by hashing every 7- or
// 10-digit number.
func (x *Extractor) Key(id string) string {
	m := hmac.New(sha256.New, x.secret)
	m.Write([]byte(x.study))
	m.Write([]byte{0})
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))
}

// KeySSID returns the key of a student with the given SSID (as Records keys them), or an
// error when CleanSSID refuses it.
func (x *Extractor) KeySSID(ssid string) (string, error) {
	clean, err := CleanSSID(ssid)
	if err != nil {
		return "", err
	}
	return x.Key("ssid:" + clean), nil
}

func id64(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}
