package backpack

import (
	"cmp"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/studentlink/studentlink/normalize"
)

// Rule is a survivorship rule: which submitted value a demographic field shows. Each
// rule is a list of criteria tried in order until one prefers a value; the submission
// date, then the LEA and record ID in byte order, settle the rest, so the result never
// depends on input order.
type Rule string

const (
	// MostRecent shows the value of the latest submission.
	MostRecent Rule = "most_recent"
	// SourcePriority shows the value from the first LEA in Survivorship.Priority that
	// submitted one; LEAs not listed fall back to MostRecent among themselves.
	SourcePriority Rule = "source_priority"
	// MostFrequent shows the value the most LEAs agree with, then the latest. Values agree
	// when they are the same (case, accents and punctuation aside: "SYBIL" and "Sybil") or
	// one says less of the same thing: an initial of the other's word ("S" and "Sybil"),
	// or its first parts ("2012" and "2012-03-04", "Mary" and "Mary Ann").
	MostFrequent Rule = "most_frequent"
	// MostComplete shows the most complete value — a full name over an initial ("Sybil"
	// over "S."), both names over one, a full date over a year — then the latest.
	MostComplete Rule = "most_complete"
	// Consensus shows the value the most LEAs agree on, then the most complete, then the
	// latest: a typo or an initial from one LEA does not override what two others agree
	// on, however recent. It is the default for names and the birth date.
	Consensus Rule = "consensus"
)

// criteria lists, per rule, the criteria it tries before recency.
var criteria = map[Rule][]criterion{
	MostRecent:     nil,
	SourcePriority: {byPriority},
	MostFrequent:   {byAgreement},
	MostComplete:   {byCompleteness},
	Consensus:      {byAgreement, byCompleteness},
}

// consensusFields take Consensus by default; the others MostRecent (a new address, a
// corrected SSID).
var consensusFields = []string{"first_name", "middle_name", "last_surname", "suffix", "birth_date"}

// Survivorship configures how demographics are chosen. The zero value takes Consensus
// for names and the birth date and MostRecent for the other fields.
type Survivorship struct {
	Default  Rule            `json:"default,omitempty"`
	Fields   map[string]Rule `json:"fields,omitempty"` // per field name, overriding Default
	Priority []string        `json:"priority,omitempty"`
}

// Validate reports an unknown rule or field name.
func (s Survivorship) Validate() error {
	check := func(r Rule) error {
		if _, ok := criteria[r]; ok || r == "" {
			return nil
		}
		return fmt.Errorf("backpack: unknown survivorship rule %q (rules: %s, %s, %s, %s, %s)", r, MostRecent, SourcePriority, MostFrequent, MostComplete, Consensus)
	}
	if err := check(s.Default); err != nil {
		return err
	}
	for f, r := range s.Fields {
		if !slices.Contains(DemographicFields, f) {
			return fmt.Errorf("backpack: survivorship: unknown field %q (fields: %s)", f, strings.Join(DemographicFields, ", "))
		}
		if err := check(r); err != nil {
			return err
		}
	}
	return nil
}

func (s Survivorship) rule(field string) Rule {
	if r, ok := s.Fields[field]; ok && r != "" {
		return r
	}
	switch {
	case s.Default != "":
		return s.Default
	case slices.Contains(consensusFields, field):
		return Consensus
	}
	return MostRecent
}

// DemographicFields are the demographic fields of a backpack, in display order.
var DemographicFields = []string{
	"first_name", "middle_name", "last_surname", "suffix", "birth_date", "sex", "races",
	"hispanic_latino", "ssid", "address",
}

func fieldValue(s *StudentRecord, field string) string {
	switch field {
	case "first_name":
		return s.FirstName
	case "middle_name":
		return s.MiddleName
	case "last_surname":
		return s.LastSurname
	case "suffix":
		return s.Suffix
	case "birth_date":
		return s.BirthDate
	case "sex":
		return s.Sex
	case "races":
		return strings.Join(s.Races, "; ")
	case "hispanic_latino":
		return s.HispanicLatino
	case "ssid":
		return s.SSID
	case "address":
		return s.Address.String()
	}
	return ""
}

// fieldSource returns where a record's field came from.
func fieldSource(s *StudentRecord, field string) Source {
	switch field {
	case "sex", "races", "hispanic_latino", "ssid", "address":
		if s.AssociationSource.File != "" {
			return s.AssociationSource
		}
	}
	return s.Source
}

// Candidate is one submitted value of a field.
type Candidate struct {
	Value  string `json:"value"`
	Source Source `json:"source"`
}

// Field is a demographic field of a backpack: the value shown, where it came from, the
// rule that chose it and why (Reason: what set the value apart from the others), and
// every non-blank value submitted (the winner included).
type Field struct {
	Name       string      `json:"name"`
	Value      string      `json:"value"`
	Source     Source      `json:"source,omitzero"`
	Rule       Rule        `json:"rule,omitempty"`
	Reason     string      `json:"reason,omitempty"`
	Candidates []Candidate `json:"candidates,omitempty"`
}

// Conflict is a field whose submissions disagree. The state does not resolve it: it goes
// back to the LEAs that submitted the values.
type Conflict struct {
	Field  string      `json:"field"`
	Values []Candidate `json:"values"`
}

// Fact is a submitted fact with every submission of it: identical facts submitted twice
// are kept once, with both sources.
type Fact[T any] struct {
	Fact    T        `json:"fact"`
	Sources []Source `json:"sources"`
}

// Backpack is one student's record as the state hands it on: built only from what LEAs
// submitted, every value with its source.
type Backpack struct {
	StudentID    string     `json:"student_id"`
	Records      []string   `json:"records"`
	Demographics []Field    `json:"demographics"`
	Conflicts    []Conflict `json:"conflicts,omitempty"`

	Enrollments   []Fact[Enrollment]       `json:"enrollments,omitempty"`
	Grades        []Fact[Grade]            `json:"grades,omitempty"`
	CourseHistory []Fact[CourseRecord]     `json:"course_history,omitempty"`
	Attendance    []Fact[AttendanceEvent]  `json:"attendance,omitempty"`
	Teachers      []Fact[Teacher]          `json:"teachers,omitempty"`
	Assessments   []Fact[AssessmentResult] `json:"assessments,omitempty"`

	// built is the digest of the backpack as Store.Build made it: views are given only of
	// a backpack whose content still has it, not of one made by hand, read from JSON or
	// changed after.
	built [sha256.Size]byte
}

func (b *Backpack) digest() [sha256.Size]byte {
	data, err := json.Marshal(b)
	if err != nil {
		return [sha256.Size]byte{}
	}
	return sha256.Sum256(data)
}

// intact reports whether a Store built b and its content did not change since.
func (b *Backpack) intact() bool {
	return b != nil && b.built != [sha256.Size]byte{} && b.built == b.digest()
}

// LEAs returns the LEAs that submitted a record or an enrollment of the backpack's
// student, sorted.
func (b *Backpack) LEAs() []string {
	var out []string
	for _, f := range b.Demographics {
		for _, c := range f.Candidates {
			out = append(out, c.Source.LEA)
		}
	}
	for _, e := range b.Enrollments {
		out = append(out, e.Fact.LEA)
		for _, s := range e.Sources {
			out = append(out, s.LEA)
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > 0 && out[0] == "" {
		out = out[1:]
	}
	return out
}

// Value returns the shown value of a demographic field ("" when none was submitted).
func (b *Backpack) Value(field string) string {
	for _, f := range b.Demographics {
		if f.Name == field {
			return f.Value
		}
	}
	return ""
}

// SSID returns the student's state ID as shown.
func (b *Backpack) SSID() string { return b.Value("ssid") }

// Store holds the LEAs' submissions and builds backpacks from them. It never changes a
// submitted value. Safe for concurrent use.
type Store struct {
	mu   sync.RWMutex
	leas map[string]bool
	// records holds each student record and its facts, packed (see packed.go), by the
	// symbol of its record ID.
	records map[uint32]packedRecord
	syms    *symbols
	packs   arena
	staff   map[[2]string]*Staff // (LEA, staffUniqueId)
	creds   map[[2]string]*Credential
	teaches map[SectionKey][]staffTeaching
}

// packedRecord locates a record's student record and its facts in the store's arena.
type packedRecord struct{ student, facts span }

type staffTeaching struct {
	lea string
	at  StaffSection
}

// recordFacts are the facts of one student record (fields exported for pack).
type recordFacts struct {
	Enrollments []Enrollment
	Sections    []SectionKey
	Grades      []Grade
	Transcripts []CourseRecord
	Attendance  []AttendanceEvent
	Assessments []AssessmentResult
}

// NewStore returns a store holding the submissions.
func NewStore(subs ...*Submission) (*Store, error) {
	s := &Store{
		leas: map[string]bool{}, records: map[uint32]packedRecord{}, syms: newSymbols(),
		staff: map[[2]string]*Staff{}, creds: map[[2]string]*Credential{}, teaches: map[SectionKey][]staffTeaching{},
	}
	for _, sub := range subs {
		if err := s.Add(sub); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Add adds one LEA's submission, keeping copies of its values (equal strings shared)
// and never writing to sub. A record ID already in the store, or a fact of a student
// the submission does not hold, is an error naming it; nothing of a failed submission is
// added.
func (s *Store) Add(sub *Submission) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	local := map[string]bool{}
	for i := range sub.Students {
		st := &sub.Students[i]
		if st.Record == "" {
			return fmt.Errorf("backpack: LEA %s: student %d has no record ID", sub.LEA, i)
		}
		if _, dup := s.record(st.Record); dup || local[st.Record] {
			return fmt.Errorf("backpack: LEA %s: record %q is already in the store", sub.LEA, st.Record)
		}
		local[st.Record] = true
	}
	for _, f := range studentFacts(sub) {
		if !local[f.record] {
			return fmt.Errorf("backpack: LEA %s: %s at %s[%d] is for record %q, which the submission does not hold",
				sub.LEA, f.kind, f.source.File, f.source.Index, f.record)
		}
	}

	s.leas[sub.LEA] = true
	facts := map[string]*recordFacts{}
	at := func(rec string) *recordFacts {
		f := facts[rec]
		if f == nil {
			f = &recordFacts{}
			facts[rec] = f
		}
		return f
	}
	for _, x := range sub.Enrollments {
		at(x.Record).Enrollments = append(at(x.Record).Enrollments, x)
	}
	for _, x := range sub.SectionLinks {
		at(x.Record).Sections = append(at(x.Record).Sections, x.Section)
	}
	for _, x := range sub.Grades {
		at(x.Record).Grades = append(at(x.Record).Grades, x)
		at(x.Record).Sections = append(at(x.Record).Sections, x.Section)
	}
	for _, x := range sub.Transcripts {
		at(x.Record).Transcripts = append(at(x.Record).Transcripts, x)
	}
	for _, x := range sub.Attendance {
		at(x.Record).Attendance = append(at(x.Record).Attendance, x)
		if !x.Section.IsZero() {
			at(x.Record).Sections = append(at(x.Record).Sections, x.Section)
		}
	}
	for _, x := range sub.Assessments {
		at(x.Record).Assessments = append(at(x.Record).Assessments, x)
	}
	var buf []byte
	for i := range sub.Students {
		st := &sub.Students[i]
		var pr packedRecord
		pr.student, buf = packValue(&s.packs, s.syms, buf, st)
		pr.facts, buf = packValue(&s.packs, s.syms, buf, at(st.Record))
		s.records[s.syms.id(st.Record)] = pr
	}
	for i := range sub.Staff {
		x := sub.Staff[i]
		buf = ownCopy(s.syms, buf, &x)
		s.staff[[2]string{sub.LEA, x.StaffUniqueID}] = &x
	}
	for i := range sub.Credentials {
		x := sub.Credentials[i]
		buf = ownCopy(s.syms, buf, &x)
		s.creds[[2]string{x.ID, x.StateOfIssue}] = &x
	}
	for _, x := range sub.StaffSections {
		buf = ownCopy(s.syms, buf, &x)
		s.teaches[x.Section] = append(s.teaches[x.Section], staffTeaching{lea: sub.LEA, at: x})
	}
	return nil
}

// factRef names a submitted fact of a student record.
type factRef struct {
	kind, record string
	source       Source
}

// studentFacts lists the facts of sub that belong to a student record.
func studentFacts(sub *Submission) []factRef {
	var out []factRef
	add := func(kind, rec string, src Source) { out = append(out, factRef{kind, rec, src}) }
	for _, x := range sub.Enrollments {
		add("enrollment", x.Record, x.Source)
	}
	for _, x := range sub.Grades {
		add("grade", x.Record, x.Source)
	}
	for _, x := range sub.Transcripts {
		add("course record", x.Record, x.Source)
	}
	for _, x := range sub.Attendance {
		add("attendance event", x.Record, x.Source)
	}
	for _, x := range sub.Assessments {
		add("assessment result", x.Record, x.Source)
	}
	for _, x := range sub.SectionLinks {
		add("section enrollment", x.Record, x.Source)
	}
	return out
}

// Records returns the IDs of every student record in the store, sorted.
func (s *Store) Records() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.records))
	for id := range s.records {
		out = append(out, s.syms.strs[id])
	}
	slices.Sort(out)
	return out
}

// record returns the packed record with the given ID.
func (s *Store) record(id string) (packedRecord, bool) {
	sym, ok := s.syms.lookup(id)
	if !ok {
		return packedRecord{}, false
	}
	pr, ok := s.records[sym]
	return pr, ok
}

// student decodes a packed student record.
func (s *Store) student(pr packedRecord) (*StudentRecord, error) {
	var st StudentRecord
	if err := unpackValue(&s.packs, s.syms, pr.student, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// Student returns a submitted student record.
func (s *Store) Student(record string) (StudentRecord, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pr, ok := s.record(record)
	if !ok {
		return StudentRecord{}, false
	}
	st, err := s.student(pr)
	if err != nil {
		return StudentRecord{}, false // the store wrote it: not reached
	}
	return *st, true
}

// Build merges the records of one student (as package match clustered them) into a
// backpack. An unknown record ID is an error naming it. Build never re-decides identity:
// records that disagree are merged as told, their disagreements listed as Conflicts.
func (s *Store) Build(studentID string, records []string, rules Survivorship) (*Backpack, error) {
	if studentID == "" {
		return nil, fmt.Errorf("backpack: build: empty student ID")
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("backpack: build %s: no records", studentID)
	}
	if err := rules.Validate(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	recs := slices.Clone(records)
	slices.Sort(recs)
	recs = slices.Compact(recs)
	var students []*StudentRecord
	var packed []packedRecord
	for _, r := range recs {
		pr, ok := s.record(r)
		if !ok {
			return nil, fmt.Errorf("backpack: build %s: record %q is not in the store", studentID, r)
		}
		st, err := s.student(pr)
		if err != nil {
			return nil, fmt.Errorf("backpack: build %s: record %q: %w", studentID, r, err)
		}
		students = append(students, st)
		packed = append(packed, pr)
	}
	b := &Backpack{StudentID: studentID, Records: recs}
	for _, f := range DemographicFields {
		field, conflict := survive(f, students, rules)
		b.Demographics = append(b.Demographics, field)
		if conflict != nil {
			b.Conflicts = append(b.Conflicts, *conflict)
		}
	}
	sections := map[SectionKey]bool{}
	var all recordFacts
	for k, pr := range packed {
		var f recordFacts
		if err := unpackValue(&s.packs, s.syms, pr.facts, &f); err != nil {
			return nil, fmt.Errorf("backpack: build %s: record %q: %w", studentID, recs[k], err)
		}
		all.Enrollments = append(all.Enrollments, f.Enrollments...)
		all.Grades = append(all.Grades, f.Grades...)
		all.Transcripts = append(all.Transcripts, f.Transcripts...)
		all.Attendance = append(all.Attendance, f.Attendance...)
		all.Assessments = append(all.Assessments, f.Assessments...)
		for _, k := range f.Sections {
			sections[k] = true
		}
	}
	b.Enrollments = addFacts(all.Enrollments)
	b.Grades = addFacts(all.Grades)
	b.CourseHistory = addFacts(all.Transcripts)
	b.Attendance = addFacts(all.Attendance)
	b.Assessments = addFacts(all.Assessments)
	b.Teachers = s.teachers(sections)
	sortFacts(b.Enrollments, func(x Enrollment) string { return x.EntryDate + fmt.Sprint(x.SchoolID) + x.School })
	sortFacts(b.Grades, func(x Grade) string {
		return fmt.Sprintf("%d %s %s", x.Section.SchoolYear, x.GradingPeriodName, x.Section.LocalCourseCode)
	})
	sortFacts(b.CourseHistory, func(x CourseRecord) string { return fmt.Sprintf("%d %s %s", x.SchoolYear, x.Term, x.CourseCode) })
	sortFacts(b.Attendance, func(x AttendanceEvent) string { return x.Date + x.Section.LocalCourseCode })
	sortFacts(b.Assessments, func(x AssessmentResult) string { return x.AdministrationDate + x.AssessmentIdentifier })
	b.built = b.digest()
	return b, nil
}

// survive chooses field f's value among the students' records by the rules.
func survive(f string, students []*StudentRecord, rules Survivorship) (Field, *Conflict) {
	field := Field{Name: f, Rule: rules.rule(f)}
	for _, st := range students {
		if v := fieldValue(st, f); v != "" {
			field.Candidates = append(field.Candidates, Candidate{Value: v, Source: fieldSource(st, f)})
		}
		for _, o := range st.OtherValues {
			if o.Field == f && o.Value != "" {
				field.Candidates = append(field.Candidates, Candidate{Value: o.Value, Source: o.Source})
			}
		}
	}
	if len(field.Candidates) == 0 {
		field.Rule = ""
		return field, nil
	}
	ctx := criterionContext{priority: rules.Priority, leas: agreeingLEAs(field.Candidates)}
	tried := criteria[field.Rule]
	// Strongest first: the rule's criteria, then the latest submission, then LEA and
	// record for a total order.
	slices.SortStableFunc(field.Candidates, func(a, b Candidate) int {
		for _, c := range tried {
			if d := c.compare(ctx, a, b); d != 0 {
				return d
			}
		}
		return cmp.Or(
			-compareSubmitted(a.Source.Submitted, b.Source.Submitted),
			cmp.Compare(a.Source.LEA, b.Source.LEA),
			cmp.Compare(a.Source.Record, b.Source.Record),
		)
	})
	field.Reason = explainChoice(ctx, tried, field.Candidates)
	if k, how := bestWritten(field.Candidates); k > 0 {
		c := field.Candidates[k]
		copy(field.Candidates[1:k+1], field.Candidates[:k])
		field.Candidates[0] = c
		field.Reason += fmt.Sprintf("; shown as LEA %s wrote it, %q (%s)", c.Source.LEA, c.Value, how)
	}
	field.Value, field.Source = field.Candidates[0].Value, field.Candidates[0].Source
	distinct := map[string]bool{}
	for _, c := range field.Candidates {
		distinct[c.Value] = true
	}
	if len(distinct) > 1 {
		return field, &Conflict{Field: f, Values: slices.Clone(field.Candidates)}
	}
	return field, nil
}

// bestWritten returns the index of the best-written of the candidates that say exactly
// what the first says (the same once case, accents and punctuation are set aside) and how
// it is better: in mixed case rather than capitals or small letters alone, then with its
// accents. The rules choose what a value says; this chooses how it is shown, so that
// "GABRIELA" from the latest LEA is shown as "Gabriela", as an older LEA wrote it. 0 when
// the first is as well written as any.
func bestWritten(sorted []Candidate) (int, string) {
	key := agreementKey(sorted[0].Value)
	best, bestMixed, bestAccents := 0, mixedCase(sorted[0].Value), accented(sorted[0].Value)
	for k, c := range sorted[1:] {
		if agreementKey(c.Value) != key {
			continue
		}
		mixed, accents := mixedCase(c.Value), accented(c.Value)
		if (mixed && !bestMixed) || (mixed == bestMixed && accents && !bestAccents) {
			best, bestMixed, bestAccents = k+1, mixed, accents
		}
	}
	if best == 0 {
		return 0, ""
	}
	how := "in mixed case"
	if mixedCase(sorted[0].Value) == bestMixed {
		how = "with its accents"
	}
	return best, how
}

// mixedCase reports whether v has capital and small letters both.
func mixedCase(v string) bool {
	return strings.ContainsFunc(v, unicode.IsUpper) && strings.ContainsFunc(v, unicode.IsLower)
}

// accented reports whether v has a letter outside ASCII.
func accented(v string) bool {
	return strings.ContainsFunc(v, func(r rune) bool { return r >= utf8.RuneSelf && unicode.IsLetter(r) })
}

// criterionContext is what the criteria of one field know besides the two candidates.
type criterionContext struct {
	priority []string
	// leas holds, by agreement key, the LEAs whose values agree with a value of that key.
	leas map[string][]string
}

// criterion is one way to prefer a value: compare is negative when a is preferred, and
// why says what set the winner apart from the runner-up.
type criterion struct {
	compare func(ctx criterionContext, a, b Candidate) int
	why     func(ctx criterionContext, win, next Candidate) string
}

var (
	byPriority = criterion{
		compare: func(ctx criterionContext, a, b Candidate) int {
			return cmp.Compare(priorityRank(ctx.priority, a.Source.LEA), priorityRank(ctx.priority, b.Source.LEA))
		},
		why: func(ctx criterionContext, win, next Candidate) string {
			return fmt.Sprintf("LEA %s comes before LEA %s in the source priority", win.Source.LEA, next.Source.LEA)
		},
	}
	byAgreement = criterion{
		compare: func(ctx criterionContext, a, b Candidate) int {
			return -cmp.Compare(len(ctx.leas[agreementKey(a.Value)]), len(ctx.leas[agreementKey(b.Value)]))
		},
		why: func(ctx criterionContext, win, next Candidate) string {
			leas := ctx.leas[agreementKey(win.Value)]
			return fmt.Sprintf("%d LEAs (%s) sent values that agree with %q; %d with %q", len(leas), strings.Join(leas, ", "), win.Value,
				len(ctx.leas[agreementKey(next.Value)]), next.Value)
		},
	}
	byCompleteness = criterion{
		compare: func(ctx criterionContext, a, b Candidate) int {
			return -cmp.Compare(Completeness(a.Value), Completeness(b.Value))
		},
		why: func(ctx criterionContext, win, next Candidate) string {
			return fmt.Sprintf("%q is more complete than %q", win.Value, next.Value)
		},
	}
)

// priorityRank is an LEA's place in the priority list; unlisted LEAs come after all.
func priorityRank(priority []string, lea string) int {
	if i := slices.Index(priority, lea); i >= 0 {
		return i
	}
	return len(priority)
}

// agreementKey is a value folded (case, accents and punctuation aside): values with the
// same key are the same value.
func agreementKey(v string) string { return normalize.Fold(v) }

// Agree reports whether two values say the same thing, as the MostFrequent and Consensus
// rules read them: the same once case, accents and punctuation are set aside ("SYBIL" and
// "Sybil"), or one saying less of the same thing — word by word the same, or an initial of
// the other's word, for as many words as the shorter has ("S" and "Sybil", "2012" and
// "2012-03-04", "Mary A." and "Mary Ann").
func Agree(a, b string) bool { return agree(agreementKey(a), agreementKey(b)) }

// agree reports whether two agreement keys say the same thing, one perhaps less of it:
// word by word the same, or an initial of the other's word, for as many words as the
// shorter has ("s" and "sybil", "2012" and "2012 03 04", "mary a" and "mary ann").
func agree(a, b string) bool {
	ta, tb := strings.Fields(a), strings.Fields(b)
	if len(ta) > len(tb) {
		ta, tb = tb, ta
	}
	if len(ta) == 0 {
		return len(tb) == 0
	}
	for i, w := range ta {
		x := tb[i]
		if w != x && !(utf8.RuneCountInString(w) == 1 && strings.HasPrefix(x, w)) && !(utf8.RuneCountInString(x) == 1 && strings.HasPrefix(w, x)) {
			return false
		}
	}
	return true
}

// agreeingLEAs lists, by agreement key, the LEAs whose values agree with a value of that
// key, each once, sorted.
func agreeingLEAs(cands []Candidate) map[string][]string {
	out := map[string][]string{}
	for _, c := range cands {
		k := agreementKey(c.Value)
		if _, ok := out[k]; !ok {
			out[k] = []string{}
		}
	}
	for k := range out {
		for _, c := range cands {
			if agree(k, agreementKey(c.Value)) && !slices.Contains(out[k], c.Source.LEA) {
				out[k] = append(out[k], c.Source.LEA)
			}
		}
		slices.Sort(out[k])
	}
	return out
}

// Completeness scores how much a value says, as the MostComplete and Consensus rules
// weigh it (case, accents and punctuation aside): each word or number of two characters or
// more counts 2, an initial 1. "Sybil" 2 > "S." 1; "Mary Ann" 4 > "Mary A" 3;
// "2012-03-04" 6 > "2012" 2.
func Completeness(v string) int {
	n := 0
	for _, tok := range strings.Fields(normalize.Fold(v)) {
		if utf8.RuneCountInString(tok) > 1 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// explainChoice says why the first of the sorted candidates is shown: the first
// criterion that sets it apart from the best value that differs from it, or recency.
func explainChoice(ctx criterionContext, tried []criterion, sorted []Candidate) string {
	win := sorted[0]
	next := -1
	for k, c := range sorted[1:] {
		if agreementKey(c.Value) != agreementKey(win.Value) {
			next = k + 1
			break
		}
	}
	if next < 0 {
		if len(ctx.leas) == 1 && len(sorted) > 1 {
			if recency(win, sorted[1]) != "" {
				return fmt.Sprintf("every submission agrees; shown as LEA %s last sent it (%s)", win.Source.LEA, win.Source.Submitted)
			}
			return fmt.Sprintf("every submission agrees; shown as LEA %s sent it (%s)", win.Source.LEA, win.Source.Submitted)
		}
		return fmt.Sprintf("the only value submitted (LEA %s)", win.Source.LEA)
	}
	for _, c := range tried {
		if c.compare(ctx, win, sorted[next]) < 0 {
			return c.why(ctx, win, sorted[next])
		}
	}
	if why := recency(win, sorted[next]); why != "" {
		return why
	}
	return tieBreak(win, sorted[next])
}

// recency says why win, sorted before next, was submitted later than next: "" when their
// submission dates do not tell them apart (the same instant, or neither readable), and
// the order came from the tie-break (tieBreak).
func recency(win, next Candidate) string {
	tw, okw := submittedTime(win.Source.Submitted)
	tn, okn := submittedTime(next.Source.Submitted)
	switch {
	case okw && okn && tw.After(tn):
		return fmt.Sprintf("LEA %s sent %q most recently (%s); %q came from LEA %s (%s)", win.Source.LEA, win.Value, win.Source.Submitted,
			next.Value, next.Source.LEA, next.Source.Submitted)
	case okw && !okn:
		return fmt.Sprintf("LEA %s sent %q dated %s; %q came from LEA %s undated", win.Source.LEA, win.Value, win.Source.Submitted,
			next.Value, next.Source.LEA)
	}
	return ""
}

// tieBreak says how win came before next when neither the rule's criteria nor the
// submission dates set them apart: dates written differently (the same instant, or
// neither readable) by their text, the later in byte order first; then by LEA ID, then
// record ID, in byte order.
func tieBreak(win, next Candidate) string {
	var when, by string
	switch ws, ns := win.Source.Submitted, next.Source.Submitted; {
	case ws != ns:
		when = fmt.Sprintf("submitted %s and %s, the same time", ws, ns)
		if _, ok := submittedTime(ws); !ok {
			when = fmt.Sprintf("submitted %q and %q, neither a readable date", ws, ns)
		}
		by = fmt.Sprintf("the dates as written: %q sorts after %q", ws, ns)
	case ws == "":
		when = "neither submission is dated"
	default:
		when = "both submitted " + ws
	}
	switch {
	case by != "":
	case win.Source.LEA != next.Source.LEA:
		by = fmt.Sprintf("LEA ID: %s sorts before %s", win.Source.LEA, next.Source.LEA)
	case win.Source.Record != next.Source.Record:
		by = fmt.Sprintf("record ID: %s sorts before %s", win.Source.Record, next.Source.Record)
	default:
		by = fmt.Sprintf("the order record %s's resources were read in", win.Source.Record)
	}
	return fmt.Sprintf("a tie: %q (LEA %s) and %q (LEA %s), %s; broken by %s", win.Value, win.Source.LEA, next.Value, next.Source.LEA, when, by)
}

// compareSubmitted orders submission dates and times as instants (submittedTime): a bare
// date is its midnight UTC, a date-time without a zone is UTC, one with a zone keeps its
// fraction and offset. Blank or unreadable values
// sort before every readable one; equal instants written differently, and unreadable
// values among themselves, fall back to byte order so the order stays total.
func compareSubmitted(a, b string) int {
	ta, oka := submittedTime(a)
	tb, okb := submittedTime(b)
	switch {
	case oka && okb:
		if c := ta.Compare(tb); c != 0 {
			return c
		}
	case oka:
		return 1
	case okb:
		return -1
	}
	return cmp.Compare(a, b)
}

// submittedTime reads a submission date as Import does (parseEdFiTime): every form
// Import accepts — a date, a date-time with or without seconds, fraction or zone — is an
// instant here.
func submittedTime(s string) (time.Time, bool) {
	t, _, _, err := parseEdFiTime(s)
	return t, err == nil
}

// addFacts turns submitted facts into backpack facts, keeping identical facts (once
// stripped of record and source) once with all their sources.
func addFacts[T any, P interface {
	*T
	provenance() (*string, *Source)
}](xs []T) []Fact[T] {
	var facts []Fact[T]
	at := make(map[string]int, len(xs))
	for _, fact := range xs {
		rec, src := P(&fact).provenance()
		from := *src
		*rec, *src = "", Source{}
		key := factKey(fact)
		if i, ok := at[key]; ok {
			facts[i].Sources = append(facts[i].Sources, from)
			continue
		}
		at[key] = len(facts)
		facts = append(facts, Fact[T]{Fact: fact, Sources: []Source{from}})
	}
	return facts
}

// provenance gives addFacts a fact's record and source, the parts that differ between
// two submissions of one fact.
func (x *Enrollment) provenance() (*string, *Source)        { return &x.Record, &x.Source }
func (x *Grade) provenance() (*string, *Source)             { return &x.Record, &x.Source }
func (x *CourseRecord) provenance() (*string, *Source)      { return &x.Record, &x.Source }
func (x *AttendanceEvent) provenance() (*string, *Source)   { return &x.Record, &x.Source }
func (x *AssessmentResult) provenance() (*string, *Source)  { return &x.Record, &x.Source }
func (x *SectionEnrollment) provenance() (*string, *Source) { return &x.Record, &x.Source }

func factKey(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

func sortFacts[T any](facts []Fact[T], key func(T) string) {
	slices.SortStableFunc(facts, func(a, b Fact[T]) int {
		return cmp.Or(cmp.Compare(key(a.Fact), key(b.Fact)), cmp.Compare(factKey(a.Fact), factKey(b.Fact)))
	})
}

// teachers returns the staff who taught the sections, with their credentials.
func (s *Store) teachers(sections map[SectionKey]bool) []Fact[Teacher] {
	type id = [2]string
	byStaff := map[id]*Fact[Teacher]{}
	// In section order, so a teacher's position (from their first section) does not
	// depend on map order.
	keys := make([]SectionKey, 0, len(sections))
	for k := range sections {
		keys = append(keys, k)
	}
	sortSections(keys)
	for _, k := range keys {
		for _, t := range s.teaches[k] {
			key := id{t.lea, t.at.StaffUniqueID}
			ft := byStaff[key]
			if ft == nil {
				ft = &Fact[Teacher]{Fact: Teacher{StaffUniqueID: t.at.StaffUniqueID, LEA: t.lea, Position: t.at.Position}}
				if st, ok := s.staff[key]; ok {
					ft.Fact.FirstName, ft.Fact.MiddleName, ft.Fact.LastSurname = st.FirstName, st.MiddleName, st.LastSurname
					ft.Sources = append(ft.Sources, st.Source)
					for _, ref := range st.CredentialRefs {
						if c, ok := s.creds[id{ref.ID, ref.StateOfIssue}]; ok {
							ft.Fact.Credentials = append(ft.Fact.Credentials, *c)
						} else {
							ft.Fact.Credentials = append(ft.Fact.Credentials, Credential{ID: ref.ID, StateOfIssue: ref.StateOfIssue})
						}
					}
				}
				byStaff[key] = ft
			}
			ft.Fact.Sections = append(ft.Fact.Sections, k)
			ft.Sources = append(ft.Sources, t.at.Source)
		}
	}
	var out []Fact[Teacher]
	for _, ft := range byStaff {
		sortSections(ft.Fact.Sections)
		slices.SortFunc(ft.Sources, compareSource)
		ft.Sources = slices.Compact(ft.Sources)
		out = append(out, *ft)
	}
	slices.SortFunc(out, func(a, b Fact[Teacher]) int {
		return cmp.Or(cmp.Compare(a.Fact.LEA, b.Fact.LEA), cmp.Compare(a.Fact.StaffUniqueID, b.Fact.StaffUniqueID))
	})
	return out
}

func sortSections(ks []SectionKey) {
	slices.SortFunc(ks, func(a, b SectionKey) int {
		return cmp.Or(cmp.Compare(a.SchoolYear, b.SchoolYear), cmp.Compare(a.SessionName, b.SessionName),
			cmp.Compare(a.SchoolID, b.SchoolID), cmp.Compare(a.SectionIdentifier, b.SectionIdentifier),
			cmp.Compare(a.LocalCourseCode, b.LocalCourseCode))
	})
}

func compareSource(a, b Source) int {
	return cmp.Or(cmp.Compare(a.LEA, b.LEA), cmp.Compare(a.File, b.File), cmp.Compare(a.Index, b.Index),
		cmp.Compare(a.Record, b.Record), cmp.Compare(a.Submitted, b.Submitted))
}

// Split takes records out of a backpack that was wrongly merged: it returns the backpack
// rebuilt without them and one built from them alone (under newStudentID). Neither
// backpack's source values change.
func (s *Store) Split(b *Backpack, records []string, newStudentID string, rules Survivorship) (kept, split *Backpack, err error) {
	var rest []string
	out := map[string]bool{}
	for _, r := range records {
		if !slices.Contains(b.Records, r) {
			return nil, nil, fmt.Errorf("backpack: split %s: record %q is not in the backpack", b.StudentID, r)
		}
		out[r] = true
	}
	for _, r := range b.Records {
		if !out[r] {
			rest = append(rest, r)
		}
	}
	if len(rest) == 0 {
		return nil, nil, fmt.Errorf("backpack: split %s: no record would remain", b.StudentID)
	}
	if newStudentID == "" || newStudentID == b.StudentID {
		return nil, nil, fmt.Errorf("backpack: split %s: the split-out records need a new student ID", b.StudentID)
	}
	if kept, err = s.Build(b.StudentID, rest, rules); err != nil {
		return nil, nil, err
	}
	if split, err = s.Build(newStudentID, records, rules); err != nil {
		return nil, nil, err
	}
	return kept, split, nil
}
