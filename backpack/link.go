package backpack

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/studentlink/studentlink/match"
	"github.com/studentlink/studentlink/normalize"
)

// WriteStudentCSV writes the submissions' student records as the student CSV that
// package match reads (record_id, lea_id, school_id, ssid, names, birth_date, sex,
// grade_level, address, city, zip, entry_date), school, grade and entry date from each
// record's latest enrollment. It is how Ed-Fi submissions reach the linker.
func WriteStudentCSV(w io.Writer, subs ...*Submission) error {
	cw := csv.NewWriter(w)
	cw.Write(StudentCSVHeader())
	for _, sub := range subs {
		latest := latestEnrollments(sub)
		for _, s := range sub.Students {
			cw.Write(studentCSVRow(sub, s, latest))
		}
	}
	cw.Flush()
	return cw.Error()
}

// StudentCSVHeader returns the header of the student CSV WriteStudentCSV writes.
func StudentCSVHeader() []string {
	return []string{"record_id", "lea_id", "school_id", "ssid", "first_name", "middle_name", "last_name", "suffix",
		"birth_date", "sex", "grade_level", "address", "city", "zip", "entry_date"}
}

// StudentCSVRows returns the rows WriteStudentCSV writes for a submission's student
// records, one per record in the order of StudentCSVHeader, as values (not yet CSV).
func StudentCSVRows(sub *Submission) [][]string {
	latest := latestEnrollments(sub)
	rows := make([][]string, len(sub.Students))
	for i, s := range sub.Students {
		rows[i] = studentCSVRow(sub, s, latest)
	}
	return rows
}

// latestEnrollments returns each record's latest enrollment in a submission.
func latestEnrollments(sub *Submission) map[string]Enrollment {
	latest := map[string]Enrollment{}
	for _, e := range sub.Enrollments {
		if l, ok := latest[e.Record]; !ok || e.EntryDate > l.EntryDate {
			latest[e.Record] = e
		}
	}
	return latest
}

// studentCSVRow is a student record's row of the student CSV.
func studentCSVRow(sub *Submission, s StudentRecord, latest map[string]Enrollment) []string {
	e := latest[s.Record]
	return []string{s.Record, sub.LEA, e.SchoolCode(), s.SSID, s.FirstName, s.MiddleName, s.LastSurname, s.Suffix,
		s.BirthDate, s.Sex, e.GradeLevel, s.Address.Street, s.Address.City, s.Address.PostalCode, e.EntryDate}
}

// FromRoll turns the records of a student CSV roll (as package match reads it) into one
// submission per LEA: each record becomes a student record under its own record ID, with
// an enrollment when it names a school and entry date (a school that is not an Ed-Fi
// school ID is kept as written in Enrollment.School). submitted dates the submissions.
// Values the roll holds but cannot parse (a birth date like 13/45/2011) are kept as
// written: the backpack shows what the LEA sent.
func FromRoll(roll *match.Roll, submitted string) []*Submission {
	byLEA := map[string]*Submission{}
	var leas []string
	for i := range roll.Len() {
		rec := roll.Record(i)
		sub := byLEA[rec.LEA]
		if sub == nil {
			sub = &Submission{LEA: rec.LEA, Submitted: submitted}
			byLEA[rec.LEA] = sub
			leas = append(leas, rec.LEA)
		}
		src := Source{LEA: rec.LEA, Record: roll.IDs[i], Submitted: submitted, File: roll.Sources[roll.Source[i]], Index: int(roll.Lines[i])}
		entry := roll.Column(i, "entry_date")
		if entry != "" {
			src.Submitted = cmp.Or(maxDate(entry), submitted)
		}
		st := StudentRecord{Record: roll.IDs[i], FirstName: rec.Given, MiddleName: rec.Middle, LastSurname: rec.Family,
			Suffix: rec.Suffix, BirthDate: isoDate(rec.BirthDate), Sex: sexName(rec.Sex), SSID: cleanSSID(rec.SSID),
			Address: Address{Street: rec.Address, City: rec.City, PostalCode: rec.Zip}, Source: src}
		sub.Students = append(sub.Students, st)
		if school := strings.TrimSpace(rec.School); school != "" && entry != "" {
			g, _ := normalize.ParseGrade(rec.Grade)
			grade := g.String()
			if grade == "" {
				grade = rec.Grade
			}
			e := Enrollment{Record: roll.IDs[i], LEA: rec.LEA, EntryDate: isoDate(entry), GradeLevel: grade, Source: src}
			if n, err := strconv.ParseInt(school, 10, 64); err == nil && n > 0 && strconv.FormatInt(n, 10) == school {
				e.SchoolID = n
			} else {
				e.School = school // kept as written rather than lost or changed
			}
			sub.Enrollments = append(sub.Enrollments, e)
		}
	}
	slices.Sort(leas)
	out := make([]*Submission, len(leas))
	for k, l := range leas {
		out[k] = byLEA[l]
	}
	return out
}

// isoDate rewrites a parseable date as YYYY-MM-DD and keeps anything else as written.
func isoDate(s string) string {
	d, err := normalize.ParseDate(s, normalize.DateOptions{})
	if err != nil || d.IsZero() {
		return s
	}
	return d.String()
}

// cleanSSID writes an SSID as Import does ("123-45" → "12345"), so that
// guardians' requests, conflicts and research keys see one ID; anything that is not an ID
// is kept as written.
func cleanSSID(s string) string {
	c, err := normalize.CleanID(s)
	if err != nil {
		return s
	}
	return c
}

func maxDate(s string) string {
	d, err := normalize.ParseDate(s, normalize.DateOptions{})
	if err != nil || d.IsZero() {
		return ""
	}
	return d.String()
}

func sexName(s string) string {
	x, err := normalize.ParseSex(s)
	if err != nil || x == normalize.SexUnknown {
		return s
	}
	return x.String()
}

// Group is one student as package match clustered them: the records and the links that
// joined them, each with its weight and explanation.
type Group struct {
	StudentID string
	Records   []string
	Links     []GroupLink
}

// GroupLink is a link of a group.
type GroupLink struct {
	A, B        string
	Weight      float64
	Explanation string
}

// Groups returns the students of a match result, sorted by student ID, with the links
// that joined each (the spanning links clustering kept).
func Groups(res *match.Result) []Group {
	ids := res.Prepared.Roll.IDs
	groups := make([]Group, len(res.StudentIDs))
	for lab, sid := range res.StudentIDs {
		groups[lab].StudentID = sid
	}
	for i, lab := range res.Label {
		groups[lab].Records = append(groups[lab].Records, ids[i])
	}
	for _, l := range res.Links {
		a, b := ids[l.A], ids[l.B]
		if a > b {
			a, b = b, a
		}
		chain, _, err := res.Why(a, b)
		expl := ""
		if err == nil && len(chain) > 0 {
			expl = chain[0].Explanation.String()
		}
		lab := res.Label[l.A]
		groups[lab].Links = append(groups[lab].Links, GroupLink{A: a, B: b, Weight: l.Weight, Explanation: expl})
	}
	for k := range groups {
		slices.Sort(groups[k].Records)
		slices.SortFunc(groups[k].Links, func(x, y GroupLink) int { return cmp.Or(cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B)) })
	}
	slices.SortFunc(groups, func(x, y Group) int { return cmp.Compare(x.StudentID, y.StudentID) })
	return groups
}

// Merge builds the backpack of a group and records the merge in the audit log: one entry
// per link with its weight and explanation (a single-record group logs one entry without
// a weight), stamped with the settings version and the actor.
func (s *Store) Merge(g Group, rules Survivorship, log *Log, actor, settingsVersion string) (*Backpack, error) {
	b, err := s.Build(g.StudentID, g.Records, rules)
	if err != nil {
		return nil, err
	}
	if log == nil {
		return b, nil
	}
	if len(g.Links) == 0 {
		_, err = log.Append(Entry{Action: ActionMerge, StudentID: g.StudentID, Records: b.Records, Actor: actor,
			SettingsVersion: settingsVersion, Note: fmt.Sprintf("backpack built from %d record(s)", len(b.Records))})
		return b, err
	}
	var entries []Entry
	for _, l := range g.Links {
		w := l.Weight
		entries = append(entries, Entry{Action: ActionMerge, StudentID: g.StudentID, Records: []string{l.A, l.B}, Weight: &w,
			Explanation: l.Explanation, Actor: actor, SettingsVersion: settingsVersion})
	}
	_, err = log.AppendBatch(entries...)
	return b, err
}

// Unmerge splits records out of a backpack (see Split) and records it in the audit log.
func (s *Store) Unmerge(b *Backpack, records []string, newStudentID string, rules Survivorship, log *Log, actor, reason string) (kept, split *Backpack, err error) {
	kept, split, err = s.Split(b, records, newStudentID, rules)
	if err != nil || log == nil {
		return kept, split, err
	}
	_, err = log.Append(Entry{Action: ActionSplit, StudentID: b.StudentID, Records: split.Records, Actor: actor,
		Note: fmt.Sprintf("split out as student %s: %s", newStudentID, reason)})
	return kept, split, err
}

// Link links the submissions' student records with the linker (trained, or trained on
// them when it has no model) and returns the result, whose record IDs are the student
// records' (see RecordID).
func Link(ctx context.Context, l *match.Linker, opt match.RunOptions, subs ...*Submission) (*match.Result, error) {
	var buf bytes.Buffer
	if err := WriteStudentCSV(&buf, subs...); err != nil {
		return nil, err
	}
	roll, err := l.Settings().NewRoll()
	if err != nil {
		return nil, err
	}
	if err := roll.ReadCSV("submissions", &buf); err != nil {
		return nil, err
	}
	return l.Run(ctx, roll, opt)
}
