package cli

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/studentlink/studentlink/match"
	"github.com/studentlink/studentlink/normalize"
)

func printSummary(w io.Writer, o *Outcome, f Flags) {
	s, res := o.Settings, o.Result
	roll := res.Prepared.Roll
	sizes := map[int]int{}
	for _, c := range res.Clusters() {
		sizes[len(c)]++
	}
	fmt.Fprintf(w, "settings:       %s (%s), mode %s\n", s.Name, s.Version, s.Mode)
	printInput(w, o, f)
	printColumns(w, roll)
	fmt.Fprintf(w, "records:        %d from %d source(s); %d value(s) could not be used in full\n", roll.Len(), len(roll.Sources), len(res.Prepared.Problems))
	printProblems(w, res.Prepared.Problems)
	fmt.Fprintf(w, "candidate pairs: %d\n", res.CandidatePairs)
	for _, r := range res.Blocking.Rules {
		for _, b := range r.Oversize {
			fmt.Fprintf(w, "oversize block: rule %s, key %s: %d records, over the cap of %d; not paired in full: its identical records are chained, the others meet only through the other rules\n",
				b.Rule, b.Key, b.Size, s.MaxBlock)
		}
	}
	fmt.Fprintf(w, "students:       %d (%d with one record, %d with several)\n", len(res.StudentIDs), sizes[1], len(res.StudentIDs)-sizes[1])
	fmt.Fprintf(w, "links:          %d accepted, %d refused, %d pair(s) for review\n", len(res.Links), len(res.Refusals), len(res.Review))
	if res.Settings.Mode == match.ModeLink && len(roll.Sources) == 1 && roll.Len() > 1 {
		fmt.Fprintf(w, "hint:           link mode links records of different files only, and this run read one: nothing in it can link; -mode dedupe finds one student's records within a file\n")
	}
	if n := sameSourceRefusals(res); n > 0 {
		fmt.Fprintf(w, "hint:           %d link(s) refused because each would put two records of one source in one student, which link mode forbids: if a file may hold a student more than once, -mode link_and_dedupe links within a file too\n", n)
	}
	if len(o.Decisions) > 0 {
		fmt.Fprintf(w, "decisions:      %d reviewer verdict(s) honoured\n", len(o.Decisions)-len(res.DecisionNotes))
		for _, note := range res.DecisionNotes {
			fmt.Fprintf(w, "  not honoured: %s\n", note)
		}
	}
	if f.IDs != "" {
		fmt.Fprintf(w, "earlier IDs:    %d of %d record(s) found in %s\n", res.EarlierFound, roll.Len(), f.IDs)
		if res.EarlierFound < roll.Len()/2 {
			fmt.Fprintf(w, "warning:        most records are not in %s, so they get new student IDs: does it come from a run on these records? (a record is named by its file and ID where another file uses the ID too)\n", f.IDs)
		}
	}
	if len(res.IDChanges) > 0 {
		fmt.Fprintf(w, "id changes:     %d student(s) split or merged since the earlier run\n", len(res.IDChanges))
	}
	for _, d := range res.Dropped {
		fmt.Fprintf(w, "dropped:        %s\n", d)
	}
	for _, r := range o.Uncompared {
		fmt.Fprintf(w, "warning:        the loaded model compares no %s: it was trained on a roll without it, so this roll's %s values are read but not compared; retrain (-model a new file) to use them\n", roleName(r), roleName(r))
	}
	if warn := nothingToCompare(roll); warn != "" {
		fmt.Fprintf(w, "warning:        %s\n", warn)
	}
	if !keepsTwinsApart(res.Settings) {
		fmt.Fprintf(w, "warning:        no cannot-link rule keeps twins apart in these settings (%s): children who share a family name, birth date and home may be merged; the student preset keeps them apart\n", s.Name)
	}
	fmt.Fprintf(w, "time:           %.2fs\n", o.Elapsed.Seconds())
	if ev := o.Evaluation; ev != nil {
		fmt.Fprintf(w, "truth:          %d true students, %d true pairs\n", ev.TrueClusters, ev.TruePairs)
		if b := o.Blocking; b != nil {
			fmt.Fprintf(w, "blocking:       %d of %d true pairs are candidates (pair completeness %.4f)\n", b.Found, b.TruePairs, b.PairCompleteness)
			for _, r := range b.Rules {
				fmt.Fprintf(w, "  rule %s: %d candidate(s) added, finds %d true pair(s) (%.4f), %d no other rule finds\n",
					r.Rule, r.Candidates, r.Found, r.PairCompleteness, r.Only)
			}
		}
		fmt.Fprintf(w, "pairwise:       precision %.4f  recall %.4f  F1 %.4f\n", ev.Precision, ev.Recall, ev.F1)
	}
}

// printInput says how many rows each source had and how many were set aside.
func printInput(w io.Writer, o *Outcome, f Flags) {
	roll := o.Result.Prepared.Roll
	var total match.ReadCount
	for _, n := range o.Reads {
		total.Read += n.Read
		total.Kept += n.Kept
		total.Rejected += n.Rejected
		total.Skipped += n.Skipped
	}
	skipped := ""
	if total.Skipped > 0 {
		skipped = fmt.Sprintf(" (and %d row(s) with no value, or the header again, passed over)", total.Skipped)
	}
	if len(o.Reads) == 1 {
		fmt.Fprintf(w, "input:          %s: %d row(s) read, %d kept, %d set aside%s\n", roll.Sources[0], total.Read, total.Kept, total.Rejected, skipped)
	} else {
		fmt.Fprintf(w, "input:          %d source(s): %d row(s) read, %d kept, %d set aside%s\n", len(o.Reads), total.Read, total.Kept, total.Rejected, skipped)
	}
	for k, n := range o.Reads {
		if !namesUTF8(f.Encoding) && k < len(roll.Sources) {
			switch n.Encoding {
			case "utf-8":
				fmt.Fprintf(w, "encoding:       %s read as UTF-8, which it is, not %s\n", roll.Sources[k], f.Encoding)
			case "utf-16", "utf-16le", "utf-16be":
				if !strings.HasPrefix(strings.ToLower(f.Encoding), "utf-16") && !strings.HasPrefix(strings.ToLower(f.Encoding), "utf16") {
					fmt.Fprintf(w, "encoding:       %s read as UTF-16, which it is, not %s\n", roll.Sources[k], f.Encoding)
				}
			}
		}
	}
	if total.Rejected > 0 {
		printRejected(w, o.Rejected, f)
	}
}

// printRejected says what the rows set aside were, by kind of fault with the first of
// each, how many lines they took, which of them swallowed many lines (a quote opened
// and never closed takes the rest of the file as one field), and, when rows were set
// aside for text that is not UTF-8, to name the file's encoding.
func printRejected(w io.Writer, rejected []match.Rejected, f Flags) {
	lines := 0
	type kind struct {
		name  string
		n     int
		first match.Rejected
	}
	var kinds []kind
	var long []match.Rejected
	for _, x := range rejected {
		lines += x.EndLine - x.Line + 1
		if x.EndLine-x.Line+1 >= manyLines {
			long = append(long, x)
		}
		name := cmp.Or(x.Fault, x.Reason)
		k := slices.IndexFunc(kinds, func(k kind) bool { return k.name == name })
		if k < 0 {
			kinds = append(kinds, kind{name: name, first: x})
			k = len(kinds) - 1
		}
		kinds[k].n++
	}
	fmt.Fprintf(w, "set aside:      %d broken row(s) over %d line(s), each with its file, line and reason, in %s\n", len(rejected), lines, outputName(f.SkipBadRows))
	for _, k := range kinds {
		fmt.Fprintf(w, "  %s: %d, the first %s:%s", k.name, k.n, k.first.Source, lineSpan(k.first))
		if k.name != k.first.Reason {
			fmt.Fprintf(w, ": %s", k.first.Reason)
		}
		fmt.Fprintln(w)
	}
	for i, x := range long {
		if i == maxLongWarnings {
			fmt.Fprintf(w, "warning:        %d more rejected row(s) span %d lines or more; -skip-bad-rows's file lists them\n", len(long)-i, manyLines)
			break
		}
		fmt.Fprintf(w, "warning:        %s:%d-%d is one rejected row of %d lines: a quote opened in the row at line %d is not closed where it should be, so the lines after it were read as one field; fix the quoting at line %d and run again\n",
			x.Source, x.Line, x.EndLine, x.EndLine-x.Line+1, x.Line, x.Line)
	}
	for _, k := range kinds {
		if k.name == match.FaultEncoding && namesUTF8(f.Encoding) {
			fmt.Fprintf(w, "hint:           %d row(s) hold text that is not UTF-8: if the file is in another encoding, name it with -encoding (%s)\n",
				k.n, strings.Join(match.Encodings(), ", "))
		}
	}
}

// A rejected row over manyLines lines or more is warned of: it took lines that may have
// been rows of their own. Up to maxLongWarnings of them are named.
const (
	manyLines       = 3
	maxLongWarnings = 3
)

// namesUTF8 reports whether -encoding names UTF-8, or nothing (which reads UTF-8).
func namesUTF8(encoding string) bool {
	e := strings.ToLower(strings.TrimSpace(encoding))
	return e == "" || e == "utf-8" || e == "utf8"
}

// lineSpan writes a rejected row's line, or first-last lines.
func lineSpan(x match.Rejected) string {
	if x.EndLine > x.Line {
		return fmt.Sprintf("%d-%d", x.Line, x.EndLine)
	}
	return fmt.Sprint(x.Line)
}

// printColumns lists, for each distinct header among the sources, what each column fills
// (its settings column and role, and how it matched when not by its exact name), the
// columns ignored, and the settings columns absent.
func printColumns(w io.Writer, roll *match.Roll) {
	type group struct {
		sources []string
		text    string
	}
	var groups []group
	for s, name := range roll.Sources {
		text := describeHeader(roll, s)
		if k := slices.IndexFunc(groups, func(g group) bool { return g.text == text }); k >= 0 {
			groups[k].sources = append(groups[k].sources, name)
			continue
		}
		groups = append(groups, group{[]string{name}, text})
	}
	for _, g := range groups {
		which := g.sources[0]
		switch n := len(g.sources); {
		case n > 6:
			which = fmt.Sprintf("%d sources (%s and %d more)", n, strings.Join(g.sources[:5], ", "), n-5)
		case n > 1:
			which = fmt.Sprintf("%d sources (%s)", n, strings.Join(g.sources, ", "))
		}
		fmt.Fprintf(w, "columns of %s:\n%s", which, g.text)
	}
}

// describeHeader writes what source s's columns fill, one line each, indented.
func describeHeader(roll *match.Roll, s int) string {
	var table strings.Builder
	// Every line has the same cells, the last maybe empty, so that the columns align
	// over the whole table and not only over runs of lines alike.
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	var ignored []string
	for _, u := range roll.Header(s) {
		if u.Column == "" {
			ignored = append(ignored, u.Header)
			continue
		}
		role, how := "record ID", ""
		if u.Role != "" {
			role = roleName(u.Role)
		}
		if u.Column != u.Header {
			how = fmt.Sprintf("(column %s, matched by %s)", u.Column, howMatched(u))
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", u.Header, role, how)
	}
	tw.Flush()
	var b strings.Builder
	for line := range strings.Lines(table.String()) {
		b.WriteString(strings.TrimRight(line, " \n"))
		b.WriteByte('\n')
	}
	if len(ignored) > 0 {
		fmt.Fprintf(&b, "  ignored: %s\n", strings.Join(ignored, ", "))
	}
	var missing []string
	for _, c := range roll.Missing(s) {
		missing = append(missing, c.Name)
	}
	if len(missing) > 0 {
		fmt.Fprintf(&b, "  not in the file: %s\n", strings.Join(missing, ", "))
	}
	switch names := roll.NameOrder(s); {
	case roll.HeaderNameOrder(s) == match.FamilyFirst:
		fmt.Fprintf(&b, "  full names without a comma read family name first (Williams Emma Rose), as the column's name says\n")
	case roll.HeaderNameOrder(s) == "" && roll.FamilyFirst(s):
		fmt.Fprintf(&b, "  full names without a comma read family name first (Williams Emma Rose): %d of them begin with a family name and a given name, %d with a given name\n",
			names.FamilyFirst, names.GivenFirst)
	}
	order := roll.DateOrder(s)
	switch hint := roll.HeaderDateOrder(s); {
	case hint == match.DayFirst:
		fmt.Fprintf(&b, "  birth dates read day first (03/04/2010 is 3 April), as the column's name says%s\n", against(order.MonthOnly, "month"))
	case hint == match.MonthFirst:
		fmt.Fprintf(&b, "  birth dates read month first (03/04/2010 is 4 March), as the column's name says%s\n", against(order.DayOnly, "day"))
	case order.DayFirst():
		fmt.Fprintf(&b, "  birth dates read day first (03/04/2010 is 3 April): %d of them can be read no other way, %d only month first\n",
			order.DayOnly, order.MonthOnly)
	}
	return b.String()
}

// against says how many of a source's dates can be read only the other way than its
// header's format says (first is "day" or "month"), when any can.
func against(n int, first string) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("; warning: %d of them can only be read %s first: check the column", n, first)
}

// roleName writes a role for people: an extra column's role as "compared as NAME".
func roleName(r normalize.Role) string {
	if name, ok := r.ExtraName(); ok {
		return "extra column " + name
	}
	return string(r)
}

// sameSourceRefusals counts the links over the upper threshold that link mode refused
// because they would join two records of one source: a sign that the files hold
// duplicates, which link_and_dedupe would link.
func sameSourceRefusals(res *match.Result) int {
	if res.Settings.Mode != match.ModeLink {
		return 0
	}
	src := res.Prepared.Roll.Source
	n := 0
	for _, r := range res.Refusals {
		if r.Reason == match.RefusedDifferent && src[r.Against[0]] == src[r.Against[1]] {
			n++
		}
	}
	return n
}

// nothingToCompare warns when no source has a column that identifies a student.
func nothingToCompare(roll *match.Roll) string {
	for s := range roll.Sources {
		for _, u := range roll.Header(s) {
			switch u.Role {
			case normalize.RoleGiven, normalize.RoleFamily, normalize.RoleFullName, normalize.RoleBirthDate, normalize.RoleSSID:
				return ""
			}
		}
	}
	return "no column gives a name, a birth date or an SSID, so every record stays a student of its own: name the columns with -columns (given_name=FirstName,birth_date=DOB,…)"
}

// printTraining prints how the model was trained and its parameters.
func printTraining(w io.Writer, res *match.Result) {
	if tr := res.Training; tr != nil {
		fmt.Fprintf(w, "training:       %s; %d candidate pairs, %d other pairs %s of %.0f\n", tr.Method, tr.CandidatePairs, tr.SampledPairs,
			map[bool]string{true: "counted", false: "sampled"}[tr.Exhaustive], tr.AllPairs-float64(tr.CandidatePairs))
		fmt.Fprintf(w, "EM:             %d iterations, converged %v, last change %.2g, log-likelihood %.6g\n", tr.EM.Iterations, tr.EM.Converged, tr.EM.MaxChange, tr.EM.LogLikelihood)
		for _, warn := range tr.Warnings {
			fmt.Fprintf(w, "warning:        %s\n", warn)
		}
	} else {
		fmt.Fprintln(w, "training:       none (model loaded)")
	}
	for _, rt := range res.RuleTests {
		fmt.Fprintf(w, "rule test:      %s\n", describeRuleTest(rt))
	}
	m := res.Model
	fmt.Fprintf(w, "prior:          %.4g (%+.2f bits)\n", m.Prior, math.Log2(m.Prior/(1-m.Prior)))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "comparison\tlevel\tm\tu\tweight")
	for _, c := range match.ModelLevels(m) {
		for _, l := range c.Levels {
			fmt.Fprintf(tw, "%s\t%s\t%.4g\t%.4g\t%+.2f\n", c.Name, l.Name, l.M, l.U, l.Weight)
		}
	}
	tw.Flush()
}

// describeRuleTest says what a belief rule's test counted, on which pairs, and what
// became of the rule.
func describeRuleTest(rt match.RuleTest) string {
	verdict := "kept"
	if rt.SetAside {
		verdict = "set aside"
	}
	pairs := "pairs agreeing on " + rt.Anchor
	if rt.ByModel {
		pairs = "pairs the model calls one student (each by its probability)"
	}
	return fmt.Sprintf("%q: %d of %d %s meet it (at most %.1f%% allowed): %s", rt.Rule, rt.Met, rt.Judged, pairs, 100*rt.MaxShare, verdict)
}

// printProblems counts the values that could not be used by field, with the first of
// each as an example, so that a column of dates in a form the reader does not know
// shows at once (-problems lists every one).
func printProblems(w io.Writer, problems []match.Problem) {
	type field struct {
		name  string
		n     int
		first match.Problem
	}
	var fields []field
	for _, p := range problems {
		k := slices.IndexFunc(fields, func(f field) bool { return f.name == p.Field })
		if k < 0 {
			fields = append(fields, field{name: p.Field, first: p})
			k = len(fields) - 1
		}
		fields[k].n++
	}
	for _, f := range fields {
		fmt.Fprintf(w, "  %s: %d, the first %s\n", f.name, f.n, f.first)
	}
}

// howMatched says how a header column came to fill a settings column, for the summary.
func howMatched(u match.ColumnUse) string {
	switch u.How {
	case "exact":
		return "its name, the date format written in it aside"
	case "name":
		return "name, case and punctuation aside"
	case "alias":
		return "a name districts use"
	case "word":
		return "a place's word in its name"
	case "stand-in":
		return "a stand-in's name (the file has no column of the role's own)"
	case "parts":
		switch u.Role {
		case normalize.RoleBirthDate:
			return "the birth date's year, month and day columns"
		case normalize.RoleAddress:
			return "a part's name (house number, street and second line, joined in order)"
		}
		return "a numbered part's name (the parts joined in order)"
	}
	return u.How
}

// keepsTwinsApart reports whether the settings have a cannot-link rule on given names:
// what tells twins apart where their family name, birth date and home agree.
func keepsTwinsApart(s match.Settings) bool {
	for _, c := range s.CannotLink {
		for _, cond := range c.Conditions {
			if cond.Comparison == "given_name" {
				return true
			}
		}
	}
	return false
}

// outputName names an output file for the summary: "stdout" for "-".
func outputName(path string) string {
	if path == "-" {
		return "stdout"
	}
	return path
}
