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
	"time"

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

// ledgerFile is the release ledger as stored: a key of its own, made at random when the
// ledger is created, and every release claimed. A student is kept as the first
// memberSize bytes of the HMAC-SHA-256 of their research identity under the key, so the
// ledger names no SSID; whoever holds the ledger (and so its key) can still test whether
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
	Members  []string    `json:"members"` // sorted
}

// memberSize is how many bytes of a student's keyed hash the ledger keeps: 16 bytes
// make a collision between two students practically impossible.
const memberSize = 16

// ledgerWait is how long ClaimRelease waits for another claim on the ledger to finish.
var ledgerWait = 30 * time.Second

// ClaimRelease records in the release ledger at path that a release of the given kind,
// named name (a study, a folder: it is quoted back in errors), is published from pop,
// and refuses it when any student of pop was already published in a release of the
// other kind: an error naming that release and how many students the two share, which
// wraps ErrOtherKindReleased, and the ledger is left as it was. Another release of the
// same kind is allowed. Call it before writing a release, once it passed its own checks:
// a claimed release that is then not written stays in the ledger, which errs on the
// side of refusing.
//
// Overlap is counted student by student, not by one fingerprint of the population, so a
// population with one student added or dropped is still caught. The ledger is a JSON
// file the state keeps (see ledgerFile); a missing one is created (mode 0600) with a new
// random key, and its directory too. Claims are serialised by an advisory lock on
// path+".lock" (waiting up to 30 seconds), and the ledger is replaced atomically. A
// ledger that does not read is an error: nothing is claimed over it.
func ClaimRelease(path string, kind ReleaseKind, name string, pop *Population) error {
	if kind != TablesRelease && kind != RecordsRelease {
		return fmt.Errorf("backpack: research: release kind %q: want %q or %q", kind, TablesRelease, RecordsRelease)
	}
	if path == "" {
		return errors.New("backpack: research: no release ledger given: the ledger is how a population is kept from being released as tables and as records")
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
	for k, r := range l.Releases {
		if r.Kind == kind {
			continue
		}
		if n := shared(members, r.Members); n > 0 {
			return fmt.Errorf("backpack: research: ledger %s: %w: %d of the %d students of this %s release %q were in %s release %d %q (%s): counting one against the other undoes the tables' suppression",
				path, ErrOtherKindReleased, n, len(members), kind, name, r.Kind, k+1, r.Name, r.At)
		}
	}
	l.Releases = append(l.Releases, ledgerRelease{Kind: kind, Name: name, At: time.Now().UTC().Format(time.RFC3339), Students: len(members), Members: members})
	return writeLedger(path, l)
}

// ledgerMembers returns the population's students as the ledger keeps them, sorted.
func ledgerMembers(key []byte, pop *Population) []string {
	out := make([]string, 0, len(pop.Students))
	for _, s := range pop.Students {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(s.id))
		out = append(out, hex.EncodeToString(m.Sum(nil)[:memberSize]))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// shared counts the members two sorted lists have in common.
func shared(a, b []string) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			n, i, j = n+1, i+1, j+1
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return n
}

// readLedger reads the ledger at path; a missing one is a new ledger with a random key.
// The ledger is read strictly: unknown fields, trailing data and unsorted member lists
// are errors, not guesses.
func readLedger(path string) (*ledgerFile, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("backpack: research: ledger key: %w", err)
		}
		return &ledgerFile{Key: hex.EncodeToString(key)}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("backpack: research: ledger: %w", err)
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

// writeLedger replaces the ledger at path by l: written to a temporary file beside it,
// synced, then renamed over it, so a crash leaves the old ledger or the new one.
func writeLedger(path string, l *ledgerFile) error {
	data, err := json.MarshalIndent(l, "", " ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("backpack: research: ledger: %w", err)
	}
	defer os.Remove(tmp.Name()) // once renamed, there is nothing to remove
	_, err = tmp.Write(append(data, '\n'))
	err = errors.Join(err, tmp.Chmod(0o600), tmp.Sync(), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
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
