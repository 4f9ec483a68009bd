package backpack

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/studentlink/studentlink/internal/boundedfile"
	"github.com/studentlink/studentlink/internal/filelock"
)

// ReleaseKind is the kind of a research release: tables of counts or record-level data.
type ReleaseKind string

// The kinds of research release. R277-484-9 allows one or the other from a population,
// never both: counting the rows of a record file by LEA or sex restores the margins its
// tables suppressed, and with them the cells.
const (
	TablesRelease  ReleaseKind = "tables"
	RecordsRelease ReleaseKind = "records"
)

// ErrOtherKindReleased is wrapped by ClaimRelease's error when students of the
// population were already published in a release of the other kind.
var ErrOtherKindReleased = errors.New("students of this population were already released as the other kind")

// ErrRecordsReleased is wrapped by ClaimRelease's error when students of a record-level
// release were already published at record level: each release generalises its own
// way, so joining two on the student key and keeping the finer value of each
// quasi-identifier undoes the k-anonymity of both.
var ErrRecordsReleased = errors.New("students of this population were already released at record level")

// ErrTablesDisclose is wrapped by ClaimRelease's error when a tables release, read with
// the tables already published of its students, discloses a cell: the same table
// published again otherwise, tables that pin each other's cells through shared margins,
// or a population that differs from an earlier one by a few students, whose counts the
// difference of the two releases gives.
var ErrTablesDisclose = errors.New("this tables release discloses counts with earlier ones")

// ledgerFile is the release ledger as stored: a key of its own, made at random when the
// ledger is created, and every release claimed. A student is kept as the first
// memberSize bytes of the HMAC-SHA-256 under the key of each of their identities — their
// student ID, every SSID their records carry and each LEA record
// (ResearchStudent.identities) — in hex,
// sorted and joined by '+' (ledgers written before kept one: the research identity,
// the student ID until an SSID was submitted, then the SSID most records carry), so the
// ledger names no SSID (a tables release's tables are kept with their true counts, for
// the joint audit); whoever holds the ledger (and so its key) can still test whether
// a given SSID was released, so the state keeps it as it keeps the roll.
type ledgerFile struct {
	Key      string          `json:"key"`
	Releases []ledgerRelease `json:"releases"`
}

// ledgerRelease is one release claimed in the ledger.
type ledgerRelease struct {
	Kind     ReleaseKind `json:"kind"`
	Name     string      `json:"name"`
	At       string      `json:"at"`
	Students int         `json:"students"`
	Members  []string    `json:"members"` // sorted; a student's identities joined by '+'

	// Tables are a tables release's tables as published, counts and all, for the joint
	// audit of later releases of the population; ledgers written before they were kept
	// lack them.
	Tables []Published `json:"tables,omitempty"`
}

// memberSize is how many bytes of a student's keyed hash the ledger keeps: 16 bytes
// make a collision between two students practically impossible.
const memberSize = 16

// ledgerWait is how long ClaimRelease waits for another claim on the ledger to finish.
var ledgerWait = 30 * time.Second

// ClaimRelease records in the release ledger at path that a release of the given kind,
// named name (a study, a folder: it is quoted back in errors), is published from pop,
// and refuses it, leaving the ledger as it was, when publishing it beside the releases
// already claimed would disclose what either protects:
//
//   - any student of pop was published in a release of the other kind (error wrapping
//     ErrOtherKindReleased);
//   - a records release shares any student with an earlier records release
//     (ErrRecordsReleased): a student is released at record level once;
//   - a tables release (tables: its tables as SuppressTables published them, required)
//     shares students with an earlier tables release of another population — one
//     student more or less, and the difference of the two gives that student's cells —
//     or publishes a table of the same attributes as an earlier release of its
//     population otherwise than it was published, or fails Audit read together with
//     every table published of its population, each cell judged by its own table's
//     minimum (ErrTablesDisclose). Publishing the same tables again is allowed.
//   - a tables release of a population a ledger written before the tables were kept
//     (releases without a "tables" field) holds as published: that release's tables are
//     unknown, so no later tables release of those students can be audited with them,
//     not even an identical rerun (ErrTablesDisclose, saying so). Claim it in a new
//     ledger, and only once the earlier release's tables are known to add nothing to it.
//
// The ledger's refusals are only as good as the ledger: deleting it or editing it (a
// release removed) resets them, as a new ledger refuses nothing. Keep it where the one
// who writes releases cannot rewrite it, as the audit anchor is kept (see OpenLog).
//
// Call it before writing a release, once it passed its own checks: a claimed release
// that is then not written stays in the ledger, which errs on the side of refusing.
//
// Overlap is counted student by student, not by one fingerprint of the population, so a
// population with one student added or dropped is still caught. A student is known by
// every identity it has — its student ID, each usable SSID any of its records carries and
// each LEA record it was built from (LEA and record ID) — and two releases share it when
// any of them is in both: a student released before its LEA submitted its SSID, before
// more records carried another SSID, or before the roll was linked again under new
// student IDs and a mistyped SSID was corrected, is the same student after (its research
// key may change; its ledger identity does not) while one of its records is. A mistyped
// SSID one record carries, or one record ID an LEA gave two children, may make two
// students one to the ledger, which then refuses more, never less. The ledger is a JSON
// file the state keeps (see ledgerFile); a missing one is created (mode 0600) with a new
// random key, and its directory too. Claims are serialised by an advisory lock on
// path+".lock" (waiting up to 30 seconds), and the ledger is replaced atomically. A
// ledger that does not read is an error: nothing is claimed over it.
func ClaimRelease(path string, kind ReleaseKind, name string, pop *Population, tables ...Published) error {
	switch {
	case kind != TablesRelease && kind != RecordsRelease:
		return fmt.Errorf("backpack: research: release kind %q: want %q or %q", kind, TablesRelease, RecordsRelease)
	case kind == TablesRelease && len(tables) == 0:
		return fmt.Errorf("backpack: research: tables release %q: give its tables: later releases of its students are audited with them", name)
	case kind == RecordsRelease && len(tables) > 0:
		return fmt.Errorf("backpack: research: records release %q: %d tables given: a release is tables or records", name, len(tables))
	case path == "":
		return errors.New("backpack: research: no release ledger given: the ledger is how a population is kept from being released as tables and as records")
	case pop == nil:
		return fmt.Errorf("backpack: research: %s release %q: no population given: the ledger claims a release by its students", kind, name)
	}
	for k, p := range tables {
		if p.Total != len(pop.Students) {
			return fmt.Errorf("backpack: research: tables release %q: table %d (%s × %s) counts %d students, its population has %d", name, k, p.RowName, p.ColName, p.Total, len(pop.Students))
		}
	}
	if err := boundedfile.Check(path, MaxLedgerSize); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backpack: research: ledger %s: %w: give the ledger's file", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("backpack: research: ledger: %w", err)
	}
	unlock, err := lockLedger(path)
	if err != nil {
		return err
	}
	defer unlock()
	l, err := readLedger(path)
	if err != nil {
		return err
	}
	key, err := hex.DecodeString(l.Key)
	if err != nil || len(key) < MinSecret {
		return fmt.Errorf("backpack: research: ledger %s: its key does not read", path)
	}
	members := ledgerMembers(key, pop)
	of := memberIndex(members)
	var earlier []earlierTable // the tables published of pop
	for k, r := range l.Releases {
		n, back := shared(of, r.Members)
		if n == 0 {
			continue
		}
		at := fmt.Sprintf("%s release %d %q (%s)", r.Kind, k+1, r.Name, r.At)
		switch {
		case r.Kind != kind:
			return fmt.Errorf("backpack: research: ledger %s: %w: %d of the %d students of this %s release %q were in %s: counting one against the other undoes the tables' suppression",
				path, ErrOtherKindReleased, n, len(members), kind, name, at)
		case kind == RecordsRelease:
			return fmt.Errorf("backpack: research: ledger %s: %w: %d of the %d students of records release %q were in %s: joined on the key, the finer value of each quasi-identifier undoes both generalisations",
				path, ErrRecordsReleased, n, len(members), name, at)
		case n != len(members) || back != len(r.Members):
			return fmt.Errorf("backpack: research: ledger %s: %w: tables release %q counts %d students, %d of them in %s of %d students: the difference of the two releases counts the students in one only",
				path, ErrTablesDisclose, name, len(members), n, at, len(r.Members))
		case len(r.Tables) == 0:
			return fmt.Errorf("backpack: research: ledger %s: %w: the population of tables release %q was published in %s, claimed by a version that did not keep a release's tables: its tables are unknown, so no tables release of these students can be audited with it, not even the same tables again; publish it only from a new ledger, once the earlier release's tables are known to add nothing to it",
				path, ErrTablesDisclose, name, at)
		}
		for _, p := range r.Tables {
			earlier = append(earlier, earlierTable{p, at})
		}
	}
	if kind == TablesRelease {
		if err := auditWithEarlier(earlier, tables); err != nil {
			return fmt.Errorf("backpack: research: ledger %s: %w: tables release %q: %w", path, ErrTablesDisclose, name, err)
		}
	}
	l.Releases = append(l.Releases, ledgerRelease{Kind: kind, Name: name, At: time.Now().UTC().Format(time.RFC3339), Students: len(members), Members: members, Tables: tables})
	return writeLedger(path, l)
}

// earlierTable is a table already published of a population, and the release it was in.
type earlierTable struct {
	Published
	release string
}

// auditWithEarlier audits a release's tables together with the tables published earlier
// of its population. A table of the same attributes as an earlier one must be published
// as it was (it then adds nothing and is left out of the audit): the same table with
// other suppression, another minimum or other rows pins cells between the two.
func auditWithEarlier(earlier []earlierTable, tables []Published) error {
	if len(earlier) == 0 {
		return nil
	}
	all := make([]Published, 0, len(earlier)+len(tables))
	from := make([]string, 0, cap(all))
	for _, e := range earlier {
		all, from = append(all, e.Published), append(from, e.release)
	}
next:
	for k, p := range tables {
		for _, e := range earlier {
			if e.RowName != p.RowName || e.ColName != p.ColName {
				continue
			}
			if !samePublished(e.Published, p) {
				return fmt.Errorf("table %d (%s × %s) was published otherwise in %s: the two together pin its suppressed cells", k, p.RowName, p.ColName, e.release)
			}
			continue next
		}
		all, from = append(all, p), append(from, fmt.Sprintf("this release's table %d", k))
	}
	releases := slices.Compact(slices.Clone(from[:len(earlier)]))
	bounds, err := auditTables(all)
	if err != nil {
		return fmt.Errorf("read with %s: %w", strings.Join(releases, ", "), err)
	}
	for _, b := range bounds {
		if b.Leak != "" {
			p := all[b.Table]
			return fmt.Errorf("read with %s, cell %d,%d of %s (%s × %s) is %s", strings.Join(releases, ", "), b.Row, b.Col, from[b.Table], p.RowName, p.ColName, b.Leak)
		}
	}
	return nil
}

// samePublished reports whether two tables are published alike, compared as the ledger
// stores them.
func samePublished(a, b Published) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// ledgerMembers returns the population's students as the ledger keeps them, sorted:
// each the keyed hashes of all its identities, sorted and joined by '+'. A student is
// known by every identity it had when it was released: released without an SSID (by its
// student ID) and again once an LEA submitted one, or once more records carry another,
// it shares its student ID or an SSID with itself, where one research identity would
// have changed and made it a student the ledger never saw.
func ledgerMembers(key []byte, pop *Population) []string {
	out := make([]string, 0, len(pop.Students))
	for _, s := range pop.Students {
		ids := s.identities
		if len(ids) == 0 { // a student not made by NewPopulation
			ids = []string{s.id}
		}
		hashes := make([]string, 0, len(ids))
		for _, id := range ids {
			m := hmac.New(sha256.New, key)
			m.Write([]byte(id))
			hashes = append(hashes, hex.EncodeToString(m.Sum(nil)[:memberSize]))
		}
		slices.Sort(hashes)
		out = append(out, strings.Join(slices.Compact(hashes), "+"))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// memberIndex maps each identity hash of a release's members to the member holding it.
func memberIndex(members []string) map[string]int {
	of := map[string]int{}
	for k, m := range members {
		for _, h := range strings.Split(m, "+") {
			of[h] = k
		}
	}
	return of
}

// shared counts the students two releases have in common: n of the release indexed by
// of (memberIndex) and back of the earlier members, a student being in both when any of
// its identities is (so one student of one release may be two of the other, when two
// students shared an SSID).
func shared(of map[string]int, earlier []string) (n, back int) {
	seen := map[int]bool{}
	for _, m := range earlier {
		hit := false
		for _, h := range strings.Split(m, "+") {
			if k, ok := of[h]; ok {
				hit, seen[k] = true, true
			}
		}
		if hit {
			back++
		}
	}
	return len(seen), back
}

// readLedger reads the ledger at path; a missing one is a new ledger with a random key.
// The ledger is read strictly: unknown fields, trailing data and unsorted member lists
// are errors, not guesses.
func readLedger(path string) (*ledgerFile, error) {
	data, err := boundedfile.ReadFile(path, MaxLedgerSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("backpack: research: ledger key: %w", err)
		}
		return &ledgerFile{Key: hex.EncodeToString(key)}, nil
	case err != nil:
		return nil, fmt.Errorf("backpack: research: ledger %s: %w", path, err)
	}
	var l ledgerFile
	if err := decodeStrict(data, &l); err != nil {
		return nil, fmt.Errorf("backpack: research: ledger %s does not read: %w", path, err)
	}
	for k, r := range l.Releases {
		if !slices.IsSorted(r.Members) {
			return nil, fmt.Errorf("backpack: research: ledger %s: release %d %q: its students are not sorted: the ledger was edited", path, k+1, r.Name)
		}
	}
	return &l, nil
}

// MaxLedgerSize is the largest release ledger ClaimRelease reads: a ledger larger is
// refused, not read into memory.
const MaxLedgerSize = 256 << 20

// decodeStrict decodes one JSON value with no unknown fields and nothing after it.
func decodeStrict(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("data after the ledger")
	}
	return nil
}

// writeLedger replaces the ledger at path by l (replaceFile), so a crash leaves the old
// ledger or the new one.
func writeLedger(path string, l *ledgerFile) error {
	data, err := json.MarshalIndent(l, "", " ")
	if err != nil {
		return err
	}
	if err := replaceFile(path, append(data, '\n')); err != nil {
		return fmt.Errorf("backpack: research: ledger: %w", err)
	}
	return nil
}

// lockLedger takes the ledger's lock, path+".lock", waiting up to ledgerWait, and returns
// the function that releases it.
func lockLedger(path string) (func(), error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("backpack: research: ledger: %w", err)
	}
	switch ok, err := filelock.Within(f, ledgerWait); {
	case err != nil:
		f.Close()
		return nil, fmt.Errorf("backpack: research: locking ledger %s: %w", path, err)
	case !ok:
		f.Close()
		return nil, fmt.Errorf("backpack: research: ledger %s: another claim held it for %v", path, ledgerWait)
	}
	return func() { f.Close() }, nil
}
