package backpack

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Data elements of a backpack, in the order views show them.
const (
	ElementDemographics  = "demographics"
	ElementEnrollments   = "enrollments"
	ElementGrades        = "grades"
	ElementCourseHistory = "course history"
	ElementAttendance    = "attendance"
	ElementTeachers      = "teachers"
	ElementAssessments   = "assessments"
)

// Elements lists the data elements in view order.
var Elements = []string{ElementDemographics, ElementEnrollments, ElementGrades, ElementCourseHistory,
	ElementAttendance, ElementTeachers, ElementAssessments}

// Audience is who a view is for.
type Audience string

// Audiences.
const (
	AudienceStaff    Audience = "staff"
	AudienceGuardian Audience = "guardian"
)

// KV is one labelled value of an item.
type KV struct {
	Key, Value string
}

// Item is one record of a data element as a view shows it.
type Item struct {
	Fields []KV
	// Sources name where the item came from ("LEA record file[index]"); staff views only.
	Sources []string
	// Why says why a demographic value was chosen among the LEAs' (its rule's reason);
	// staff views only.
	Why string
}

// Count is a summary line: a data element and its number of records.
type Count struct {
	Element string
	Records int
}

// View is a backpack as one audience may see it: a summary of every data element with
// its number of records, and the records behind each on request (Records). Only Requests
// hands out views.
type View struct {
	Audience Audience
	// StudentID is the state's internal student ID (staff views only).
	StudentID string
	Summary   []Count
	// Conflicts are the demographic fields whose submissions disagree (staff only).
	Conflicts []Conflict
	items     map[string][]Item
}

// Records returns the records behind one data element of the summary.
func (v *View) Records(element string) ([]Item, error) {
	items, ok := v.items[element]
	if !ok {
		return nil, fmt.Errorf("backpack: view: unknown data element %q (elements: %s)", element, strings.Join(Elements, ", "))
	}
	return items, nil
}

// hasSSID reports whether any record of the backpack carries the SSID (compared as
// CleanSSID writes it; a value CleanSSID refuses never matches).
func (b *Backpack) hasSSID(ssid string) bool {
	want, err := CleanSSID(ssid)
	if err != nil {
		return false
	}
	for _, f := range b.Demographics {
		if f.Name != "ssid" {
			continue
		}
		for _, c := range f.Candidates {
			if got, err := CleanSSID(c.Value); err == nil && got == want {
				return true
			}
		}
	}
	return false
}

// newView builds the view of b for an audience. A guardian's view has no student ID: that
// is the state's internal ID.
func newView(a Audience, b *Backpack) *View {
	v := &View{Audience: a, items: map[string][]Item{}}
	staff := a == AudienceStaff
	if staff {
		v.StudentID, v.Conflicts = b.StudentID, b.Conflicts
	}
	add := func(element string, fields []KV, sources []Source, why string) {
		it := Item{}
		for _, f := range fields {
			if staff || strings.TrimSpace(f.Value) != "" {
				it.Fields = append(it.Fields, f)
			}
		}
		if len(it.Fields) == 0 {
			return
		}
		if staff {
			for _, s := range sources {
				it.Sources = append(it.Sources, sourceLabel(s))
			}
			it.Why = why
		}
		v.items[element] = append(v.items[element], it)
	}
	for _, f := range b.Demographics {
		var src []Source
		if f.Value != "" {
			src = []Source{f.Source}
		}
		add(ElementDemographics, []KV{{f.Name, f.Value}}, src, f.Reason)
	}
	for _, f := range b.Enrollments {
		x := f.Fact
		add(ElementEnrollments, []KV{{"lea", x.LEA}, {"school", x.SchoolCode()}, {"entry_date", x.EntryDate},
			{"exit_date", x.ExitDate}, {"exit_type", x.ExitType}, {"grade_level", x.GradeLevel}}, f.Sources, "")
	}
	for _, f := range b.Grades {
		x := f.Fact
		add(ElementGrades, []KV{{"course", x.Section.LocalCourseCode}, {"section", x.Section.SectionIdentifier},
			{"school_year", num(x.Section.SchoolYear)}, {"grading_period", x.GradingPeriodName}, {"grade_type", x.GradeType},
			{"letter", x.Letter}, {"numeric", float(x.Numeric)}}, f.Sources, "")
	}
	for _, f := range b.CourseHistory {
		x := f.Fact
		add(ElementCourseHistory, []KV{{"course", x.CourseCode}, {"title", x.CourseTitle}, {"school_year", num(x.SchoolYear)},
			{"term", x.Term}, {"result", x.Result}, {"final_letter", x.FinalLetter}, {"final_numeric", float(x.FinalNumeric)},
			{"credits_earned", float(x.EarnedCredits)}, {"grade_level", x.GradeLevel}, {"taken_at", x.TakenAt}}, f.Sources, "")
	}
	for _, f := range b.Attendance {
		x := f.Fact
		add(ElementAttendance, []KV{{"date", x.Date}, {"course", x.Section.LocalCourseCode}, {"school", id64(x.SchoolID)},
			{"category", x.Category}, {"reason", x.Reason}, {"minutes", intp(x.Minutes)}}, f.Sources, "")
	}
	for _, f := range b.Teachers {
		x := f.Fact
		var courses, creds []string
		for _, s := range x.Sections {
			courses = append(courses, s.LocalCourseCode)
		}
		for _, c := range x.Credentials {
			creds = append(creds, credentialLabel(c))
		}
		name := strings.Join(strings.Fields(x.FirstName+" "+x.MiddleName+" "+x.LastSurname), " ")
		fields := []KV{{"name", name}, {"lea", x.LEA}, {"position", x.Position}, {"courses", strings.Join(courses, ", ")},
			{"credentials", strings.Join(creds, "; ")}}
		if staff {
			fields = append([]KV{{"staff_unique_id", x.StaffUniqueID}}, fields...)
		}
		add(ElementTeachers, fields, f.Sources, "")
	}
	for _, f := range b.Assessments {
		x := f.Fact
		var scores, levels []string
		for _, s := range x.Scores {
			scores = append(scores, s.Method+" "+s.Result)
		}
		for _, l := range x.PerformanceLevels {
			levels = append(levels, l.Level)
		}
		add(ElementAssessments, []KV{{"assessment", x.AssessmentIdentifier}, {"date", x.AdministrationDate},
			{"grade_level", x.GradeLevel}, {"scores", strings.Join(scores, "; ")}, {"performance", strings.Join(levels, "; ")}}, f.Sources, "")
	}
	for _, e := range Elements {
		v.Summary = append(v.Summary, Count{Element: e, Records: len(v.items[e])})
		if v.items[e] == nil {
			v.items[e] = []Item{}
		}
	}
	return v
}

func credentialLabel(c Credential) string {
	parts := []string{c.Type}
	if c.Field != "" {
		parts = append(parts, c.Field)
	}
	if c.TeachingCredential != "" {
		parts = append(parts, c.TeachingCredential)
	}
	label := strings.Join(parts, ", ")
	if c.StateOfIssue != "" {
		label += " (" + c.StateOfIssue
		if c.ExpirationDate != "" {
			label += ", expires " + c.ExpirationDate
		}
		label += ")"
	}
	if strings.TrimSpace(label) == "" {
		return "credential " + c.ID
	}
	return label
}

func sourceLabel(s Source) string {
	l := s.LEA + " " + s.Record
	if s.File != "" {
		l += fmt.Sprintf(" %s[%d]", s.File, s.Index)
	}
	if s.Submitted != "" {
		l += " " + s.Submitted
	}
	return l
}

func num(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func intp(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func float(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

// WriteText writes the view: the summary, then, for each element in details, its records
// (all elements when details is nil).
func (v *View) WriteText(w io.Writer, details []string) error {
	var b strings.Builder
	if v.StudentID != "" {
		fmt.Fprintf(&b, "Backpack of student %s (%s view)\n", v.StudentID, v.Audience)
	} else {
		fmt.Fprintf(&b, "Backpack (%s view)\n", v.Audience)
	}
	for _, c := range v.Summary {
		fmt.Fprintf(&b, "  %-15s %4d\n", c.Element, c.Records)
	}
	for _, c := range v.Conflicts {
		var vals []string
		for _, x := range c.Values {
			vals = append(vals, fmt.Sprintf("%q from %s", x.Value, x.Source.LEA))
		}
		fmt.Fprintf(&b, "  conflict: %s: %s\n", c.Field, strings.Join(vals, " vs "))
	}
	if details == nil {
		details = Elements
	}
	for _, e := range details {
		items, err := v.Records(e)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s:\n", e)
		for _, it := range items {
			var kv []string
			for _, f := range it.Fields {
				kv = append(kv, f.Key+"="+f.Value)
			}
			fmt.Fprintf(&b, "  - %s\n", strings.Join(kv, "  "))
			for _, s := range it.Sources {
				fmt.Fprintf(&b, "      from %s\n", s)
			}
			if it.Why != "" {
				fmt.Fprintf(&b, "      because %s\n", it.Why)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
