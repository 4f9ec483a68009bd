// Command enroll plays the move the library exists for: a student enrolls at a new LEA.
//
// It links the embedded synthetic state roll (several LEAs), builds the incremental index
// of its students, then takes three new enrollments at LEA 99: a student the state knows
// enrolling with a nickname, a typo and no SSID (a match), a record with little to go on
// (which a person must place), and a student new to the state. For each, the index says where the record belongs; for a match, the
// student's backpack is built from every LEA's records plus the new one and handed to the
// new LEA, whose registrar views it. The audit log — a file in a temporary directory,
// keyed for this run, with its anchor beside it — records the merge, the handoff and the
// view, and is verified against its anchor at the end.
package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/internal/cli"
	"github.com/studentlink/studentlink/internal/demo"
	"github.com/studentlink/studentlink/match"
	"github.com/studentlink/studentlink/normalize"
)

const newLEA = "99"

const usage = `usage: enroll

Plays a new enrollment on the embedded synthetic roll: the index places three new
students at LEA 99, a match's backpack is handed to the new LEA, and the audit log
records and verifies it. It takes no flags but -h.`

func main() {
	if code, stop := cli.Parse(cli.NewFlagSet("enroll", usage, os.Stderr), os.Args[1:]); stop {
		os.Exit(code)
	}
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "enroll:", err)
		os.Exit(1)
	}
}

// run plays the story on stdout; a failed write to stdout fails it (write /dev/stdout: …).
func run(stdout io.Writer) error {
	w := cli.NewStdout(stdout)
	if err := story(w); err != nil {
		return err
	}
	return w.Err()
}

func story(w io.Writer) error {
	ctx := context.Background()
	linker, res, err := demo.TrainedLinker(ctx)
	if err != nil {
		return err
	}
	roll := res.Prepared.Roll
	groups := backpack.Groups(res)
	fmt.Fprintf(w, "state roll: %d records from %d LEAs linked into %d students\n", roll.Len(), len(backpack.FromRoll(roll, "")), len(groups))

	index, err := linker.NewIndex(res)
	if err != nil {
		return err
	}
	store, err := backpack.NewStore(backpack.FromRoll(roll, "2024-06-30")...)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "enroll-audit")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	logPath, anchorPath := filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor")
	log, err := backpack.OpenLog(logPath, anchorPath, key)
	if err != nil {
		return err
	}
	defer log.Close()
	requests, err := backpack.NewRequests(log)
	if err != nil {
		return err
	}
	records := map[string][]string{}
	for _, g := range groups {
		records[g.StudentID] = g.Records
	}

	known := pickStudent(groups, roll)
	arrivals := []struct {
		id   string
		note string
		rec  normalize.Record
	}{
		{"NEW-1", "a student the state knows, with a nickname, a typo in the family name, a new address and no SSID", moved(roll, known, true)},
		{"NEW-2", "a record with little to go on: a given-name initial, the family name mistyped, the birth date typed day first, sex, nothing else", initialOnly(roll, known)},
		{"NEW-3", "a student new to the state", normalize.Record{Given: "Ofa", Family: "Vainikolo", BirthDate: "2015-03-09", Sex: "F", Grade: "3", LEA: newLEA, School: "99001"}},
	}
	for _, a := range arrivals {
		fmt.Fprintf(w, "\n== %s: %s\n   %s %s %s, born %s, SSID %q\n", a.id, a.note, a.rec.Given, a.rec.Middle, a.rec.Family, a.rec.BirthDate, a.rec.SSID)
		pl, err := index.Query(a.rec, 3)
		if err != nil {
			return err
		}
		for k, c := range pl.Candidates {
			fmt.Fprintf(w, "   candidate %d: record %s of student %s, weight %.1f (p %.4f)\n", k+1, c.RecordID, c.StudentID, c.Weight, c.Probability)
		}
		switch {
		case pl.Outcome == match.OutcomeMatch:
			fmt.Fprintf(w, "   → match: student %s\n     because %s\n", pl.StudentID, pl.Best.Explanation)
			if err := handoff(w, store, index, log, requests, linker, a.id, a.rec, pl, records[pl.StudentID]); err != nil {
				return err
			}
			records[pl.StudentID] = append(records[pl.StudentID], a.id)
		case pl.Outcome == match.OutcomeReview && pl.Best.Refused != "":
			fmt.Fprintf(w, "   → review: a person decides whether it is student %s (weight %.1f, but the cannot-link rule %q keeps them apart)\n",
				pl.StudentID, pl.Best.Weight, pl.Best.Refused)
		case pl.Outcome == match.OutcomeReview:
			fmt.Fprintf(w, "   → review: a person decides whether it is student %s (weight %.1f between the thresholds)\n     because %s\n",
				pl.StudentID, pl.Best.Weight, pl.Best.Explanation)
		default:
			sid := "S-" + a.id
			if _, err := index.Add(a.id, a.rec, sid); err != nil {
				return err
			}
			fmt.Fprintf(w, "   → new student %s, added to the index (%d records)\n", sid, index.Len())
		}
	}

	head, err := backpack.VerifyFile(logPath, anchorPath, key)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\naudit log: %d entries; the chain verifies against its anchor\n", head.Seq)
	return nil
}

// handoff adds the new record to the index and the store, builds the student's backpack
// from all their records, logs the merge, hands the backpack to the new LEA and shows its
// registrar's view of it.
func handoff(w io.Writer, store *backpack.Store, index *match.Index, log *backpack.Log, requests *backpack.Requests, linker *match.Linker,
	id string, rec normalize.Record, pl match.Placement, earlier []string) error {
	if _, err := index.Add(id, rec, pl.StudentID); err != nil {
		return err
	}
	sub := &backpack.Submission{LEA: newLEA, Submitted: "2024-08-20", Students: []backpack.StudentRecord{{
		Record: id, FirstName: rec.Given, MiddleName: rec.Middle, LastSurname: rec.Family, BirthDate: rec.BirthDate,
		Sex: sexName(rec.Sex), SSID: rec.SSID, Address: backpack.Address{Street: rec.Address, City: rec.City, PostalCode: rec.Zip}, Source: backpack.Source{LEA: newLEA, Record: id, Submitted: "2024-08-20"},
	}}}
	if err := store.Add(sub); err != nil {
		return err
	}
	b, err := store.Build(pl.StudentID, append(slices.Clone(earlier), id), backpack.Survivorship{})
	if err != nil {
		return err
	}
	weight := pl.Best.Weight
	if _, err := log.Append(backpack.Entry{Action: backpack.ActionMerge, StudentID: b.StudentID, Records: []string{pl.Best.RecordID, id},
		Weight: &weight, Explanation: pl.Best.Explanation.String(), SettingsVersion: linker.Settings().Version, Actor: "examples/enroll"}); err != nil {
		return err
	}
	// The state's enrollment service hands the backpack: only the state holds PermHandOff.
	state := backpack.StaffUser{ID: "examples/enroll", LEA: "state", Permissions: backpack.PermHandOff}
	if err := requests.HandOffAs(state, b, newLEA); err != nil {
		return err
	}
	v, err := requests.StaffView(backpack.StaffUser{ID: "registrar@" + newLEA, LEA: newLEA, Permissions: backpack.PermView}, b)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   backpack handed to LEA %s: %d records from LEAs %s\n", newLEA, len(b.Records), leas(b))
	var sb strings.Builder
	if err := v.WriteText(&sb, []string{backpack.ElementDemographics, backpack.ElementEnrollments}); err != nil {
		return err
	}
	for _, line := range strings.Split(strings.TrimRight(sb.String(), "\n"), "\n") {
		fmt.Fprintln(w, "   | "+line)
	}
	return nil
}

// sexName writes a sex code as the backpack does ("F" → "Female").
func sexName(s string) string {
	if x, err := normalize.ParseSex(s); err == nil && x != normalize.SexUnknown {
		return x.String()
	}
	return s
}

func leas(b *backpack.Backpack) string {
	seen := map[string]bool{}
	var out []string
	for _, f := range b.Demographics {
		for _, c := range f.Candidates {
			if !seen[c.Source.LEA] {
				seen[c.Source.LEA] = true
				out = append(out, c.Source.LEA)
			}
		}
	}
	return strings.Join(out, ", ")
}

// pickStudent returns a record of the first student (by ID) with records from two LEAs, a
// nickname-able given name and a full birth date: the one who moves.
func pickStudent(groups []backpack.Group, roll *match.Roll) int {
	for _, g := range groups {
		if len(g.Records) < 2 {
			continue
		}
		i, _ := roll.Index(g.Records[0])
		j, _ := roll.Index(g.Records[1])
		r := roll.Record(i)
		if r.LEA != roll.Record(j).LEA && nickname(r.Given) != "" && r.SSID != "" && r.BirthDate != "" {
			return i
		}
	}
	return 0
}

var nicknames = normalize.DefaultNicknames()

// nickname returns another name of the given name's nickname group, or "".
func nickname(given string) string {
	for _, g := range nicknames.Groups(given) {
		for _, n := range nicknames.Names(g) {
			if normalize.Fold(n) != normalize.Fold(given) {
				return n
			}
		}
	}
	return ""
}

// moved is record i as a new LEA might send it: a nickname, a new address, no SSID, and
// with typo a family-name typo.
func moved(roll *match.Roll, i int, typo bool) normalize.Record {
	r := roll.Record(i)
	out := normalize.Record{Given: r.Given, Middle: r.Middle, Family: r.Family, BirthDate: r.BirthDate, Sex: r.Sex,
		Grade: r.Grade, LEA: newLEA, School: "99001", Address: "100 New Street", City: r.City}
	if nick := nickname(r.Given); nick != "" {
		out.Given = nick
	}
	if f := []rune(out.Family); typo && len(f) > 3 {
		f[2], f[3] = f[3], f[2] // an adjacent transposition
		out.Family = string(f)
	}
	return out
}

// initialOnly is record i with a given-name initial, the family name's last two letters
// swapped, the birth date and sex, and nothing else.
func initialOnly(roll *match.Roll, i int) normalize.Record {
	r := roll.Record(i)
	family := []rune(r.Family)
	if n := len(family); n > 3 {
		family[n-1], family[n-2] = family[n-2], family[n-1]
	}
	initial := ""
	if g := []rune(r.Given); len(g) > 0 {
		initial = string(g[0]) + "."
	}
	birth := r.BirthDate
	if d, err := normalize.ParseDate(birth, normalize.DateOptions{}); err == nil && d.Day <= 12 && d.Day != d.Month {
		d.Month, d.Day = d.Day, d.Month // typed day first
		birth = d.String()
	}
	return normalize.Record{Given: initial, Family: string(family), BirthDate: birth, Sex: r.Sex, LEA: newLEA, School: "99002"}
}
