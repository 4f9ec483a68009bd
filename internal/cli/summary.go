package cli

import (
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
			fmt.Fprintf(w, "oversize block: rule %s, key %s: %d records, over the cap of %d; skipped, its records meet through the other rules\n",
				b.Rule, b.Key, b.Size, s.MaxBlock)
		}
	}
	fmt.Fprintf(w, "students:       %d (%d with one record, %d with several)\n", len(res.StudentIDs), sizes[1], len(res.StudentIDs)-sizes[1])
	fmt.Fprintf(w, "links:          %d accepted, %d refused, %d pair(s) for review\n", len(res.Links), len(res.Refusals), len(res.Review))
	if len(o.Decisions) > 0 {
		fmt.Fprintf(w, "decisions:      %d reviewer verdict(s) honoured\n", len(o.Decisions))
	}
	if len(res.IDChanges) > 0 {
		fmt.Fprintf(w, "id changes:     %d student(s) split or merged since the earlier run\n", len(res.IDChanges))
	}
	for _, d := range res.Dropped {
		fmt.Fprintf(w, "dropped:        %s\n", d)
	}
	if warn := nothingToCompare(roll); warn != "" {
		fmt.Fprintf(w, "warning:        %s\n", warn)
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
	}
	if len(o.Reads) == 1 {
		fmt.Fprintf(w, "input:          %s: %d row(s) read, %d kept, %d set aside\n", roll.Sources[0], total.Read, total.Kept, total.Rejected)
	} else {
		fmt.Fprintf(w, "input:          %d source(s): %d row(s) read, %d kept, %d set aside\n", len(o.Reads), total.Read, total.Kept, total.Rejected)
	}
	if total.Rejected > 0 {
		fmt.Fprintf(w, "set aside:      %d broken row(s), each with its file, line and reason, in %s\n", total.Rejected, f.SkipBadRows)
	}
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
		if len(g.sources) > 1 {
			which = fmt.Sprintf("%d sources (%s … %s)", len(g.sources), g.sources[0], g.sources[len(g.sources)-1])
		}
		fmt.Fprintf(w, "columns of %s:\n%s", which, g.text)
	}
}

// describeHeader writes what source s's columns fill, one line each, indented.
func describeHeader(roll *match.Roll, s int) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	var ignored []string
	for _, u := range roll.Header(s) {
		switch {
		case u.Column == "":
			ignored = append(ignored, u.Header)
			continue
		case u.Role == "":
			fmt.Fprintf(tw, "  %s\trecord ID", u.Header)
		default:
			fmt.Fprintf(tw, "  %s\t%s", u.Header, roleName(u.Role))
		}
		if u.Column != u.Header {
			fmt.Fprintf(tw, "\t(column %s, matched by %s)", u.Column, map[string]string{"name": "name, case and punctuation aside", "alias": "a name districts use", "parts": "the birth date's year, month and day columns"}[u.How])
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
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
	if order := roll.DateOrder(s); order.DayFirst() {
		fmt.Fprintf(&b, "  birth dates read day first (03/04/2010 is 3 April): %d of them can be read no other way, %d only month first\n",
			order.DayOnly, order.MonthOnly)
	}
	return b.String()
}

// roleName writes a role for people: an extra column's role as "compared as NAME".
func roleName(r normalize.Role) string {
	if name, ok := r.ExtraName(); ok {
		return "extra column " + name
	}
	return string(r)
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
		for _, rt := range tr.RuleTests {
			verdict := "kept"
			if rt.SetAside {
				verdict = "set aside"
			}
			fmt.Fprintf(w, "rule test:      %q: %d of %d pairs agreeing on %s meet it (at most %.1f%% allowed): %s\n",
				rt.Rule, rt.Met, rt.Judged, rt.Anchor, 100*rt.MaxShare, verdict)
		}
	} else {
		fmt.Fprintln(w, "training:       none (model loaded)")
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
