package backpack_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

var t0 = time.Date(2024, 9, 1, 8, 0, 0, 0, time.UTC)

// auditKey is the state's key for the test logs.
var auditKey = []byte("the state's audit key, 32 bytes.")

// clock returns a Now that ticks one second per call.
func clock() func() time.Time {
	var mu sync.Mutex
	at := t0
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		at = at.Add(time.Second)
		return at
	}
}

func ptr(f float64) *float64 { return &f }

// memLog returns an empty in-memory log under auditKey with a ticking clock.
func memLog(t testing.TB) *backpack.Log {
	t.Helper()
	log, err := backpack.NewLog(auditKey)
	if err != nil {
		t.Fatal(err)
	}
	log.Now = clock()
	return log
}

// entriesOf returns a log's entries or fails the test.
func entriesOf(t testing.TB, log *backpack.Log) []backpack.Entry {
	t.Helper()
	es, err := log.Entries()
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// sampleEntries are five varied entries.
var sampleEntries = []backpack.Entry{
	{Action: backpack.ActionMerge, StudentID: "S1", Records: []string{lisaOld, lisaNew}, Weight: ptr(17.25),
		Explanation: "ssid +9.1", SettingsVersion: "student-1", Actor: "linker"},
	{Action: backpack.ActionMerge, StudentID: "S2", Records: []string{tevitaNew}, Actor: "linker", SettingsVersion: "student-1",
		Note: "backpack built from 1 record(s)"},
	{Action: backpack.ActionSplit, StudentID: "S1", Records: []string{lisaNew}, Actor: "registrar", Note: "split out as S3 <&>"},
	{Action: backpack.ActionRequest, Actor: "guardian-7", Note: "request R000001 for SSID 1000604822: submitted Retrieve"},
	{Action: backpack.ActionHandoff, StudentID: "S1", Records: []string{lisaOld}, Actor: "registrar", Weight: ptr(-3.5),
		Time: time.Date(2024, 9, 1, 2, 0, 10, 123456789, time.FixedZone("MDT", -6*3600))},
}

// sampleLog returns an in-memory log of the sample entries.
func sampleLog(t *testing.T) *backpack.Log {
	t.Helper()
	log := memLog(t)
	for _, e := range sampleEntries {
		if _, err := log.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	return log
}

// deepCopy copies entries so that editing one never touches the log.
func deepCopy(es []backpack.Entry) []backpack.Entry {
	out := slices.Clone(es)
	for i := range out {
		out[i].Records = slices.Clone(out[i].Records)
		if out[i].Weight != nil {
			out[i].Weight = ptr(*out[i].Weight)
		}
	}
	return out
}

func TestAppendFills(t *testing.T) {
	log := sampleLog(t)
	es := entriesOf(t, log)
	if len(es) != 5 {
		t.Fatalf("%d entries", len(es))
	}
	for i, e := range es {
		if e.Seq != int64(i+1) {
			t.Errorf("entry %d: seq %d", i, e.Seq)
		}
		if len(e.Hash) != 64 {
			t.Errorf("entry %d: hash %q is not a hex HMAC-SHA-256", i, e.Hash)
		}
		prev := ""
		if i > 0 {
			prev = es[i-1].Hash
		}
		if e.Prev != prev {
			t.Errorf("entry %d: prev %q, want %q", i, e.Prev, prev)
		}
		if e.Time.Location() != time.UTC {
			t.Errorf("entry %d: time %v not in UTC", i, e.Time)
		}
	}
	if !es[0].Time.Equal(t0.Add(time.Second)) || !es[1].Time.Equal(t0.Add(2*time.Second)) {
		t.Errorf("times from Now: %v, %v", es[0].Time, es[1].Time)
	}
	if want := time.Date(2024, 9, 1, 8, 0, 10, 123456789, time.UTC); !es[4].Time.Equal(want) {
		t.Errorf("a given time is kept (in UTC): %v, want %v", es[4].Time, want)
	}
	if h := log.Head(); h.Seq != 5 || h.Hash != es[4].Hash {
		t.Errorf("Head %+v, want the last entry", h)
	}
	if err := backpack.VerifyChain(es, auditKey); err != nil {
		t.Errorf("VerifyChain of an untouched log: %v", err)
	}
	if err := log.Verify(); err != nil {
		t.Errorf("Verify of an untouched log: %v", err)
	}
	if err := backpack.VerifyChain(es, []byte("another key, also 32 bytes long.")); err == nil {
		t.Error("the chain verifies under another key")
	}
	empty := memLog(t)
	if empty.Head() != (backpack.Checkpoint{}) || empty.Verify() != nil {
		t.Error("an empty log does not verify with an empty head")
	}
}

func chainIndex(t *testing.T, err error) int {
	t.Helper()
	var ce *backpack.ChainError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *ChainError", err, err)
	}
	if ce.Error() == "" || ce.Reason == "" {
		t.Errorf("ChainError without a reason: %+v", ce)
	}
	return ce.Index
}

func TestVerifyCatchesEdits(t *testing.T) {
	edits := []struct {
		field string
		edit  func(*backpack.Entry)
	}{
		{"Actor", func(e *backpack.Entry) { e.Actor += "x" }},
		{"Note", func(e *backpack.Entry) { e.Note += " (edited)" }},
		{"Weight", func(e *backpack.Entry) {
			if e.Weight == nil {
				e.Weight = ptr(1)
			} else {
				e.Weight = ptr(*e.Weight + 0.5)
			}
		}},
		{"Weight removed", func(e *backpack.Entry) {
			if e.Weight == nil {
				e.Weight = ptr(0)
			} else {
				e.Weight = nil
			}
		}},
		{"Records", func(e *backpack.Entry) { e.Records = append(e.Records, "255901/604837") }},
		{"Records reordered", func(e *backpack.Entry) {
			if len(e.Records) < 2 {
				e.Records = append(e.Records, "x")
			} else {
				slices.Reverse(e.Records)
			}
		}},
		{"Time", func(e *backpack.Entry) { e.Time = e.Time.Add(time.Nanosecond) }},
		{"StudentID", func(e *backpack.Entry) { e.StudentID += "9" }},
		{"Action", func(e *backpack.Entry) { e.Action = "erase" }},
		{"Explanation", func(e *backpack.Entry) { e.Explanation += "!" }},
		{"SettingsVersion", func(e *backpack.Entry) { e.SettingsVersion = "student-2" }},
		{"Seq", func(e *backpack.Entry) { e.Seq += 10 }},
		{"Prev", func(e *backpack.Entry) { e.Prev = strings.Repeat("0", 64) }},
		{"Hash", func(e *backpack.Entry) { e.Hash = strings.Repeat("f", 64) }},
	}
	es := entriesOf(t, sampleLog(t))
	for _, ed := range edits {
		for i := range es {
			t.Run(fmt.Sprintf("%s/%d", ed.field, i), func(t *testing.T) {
				c := deepCopy(es)
				ed.edit(&c[i])
				err := backpack.VerifyChain(c, auditKey)
				if err == nil {
					t.Fatal("VerifyChain passed an edited entry")
				}
				if got := chainIndex(t, err); got != i {
					t.Errorf("ChainError.Index = %d, want %d", got, i)
				}
			})
		}
	}
}

func TestVerifyCatchesRemovalAndReorder(t *testing.T) {
	es := entriesOf(t, sampleLog(t))
	anchor := []backpack.Checkpoint{{Seq: 5, Hash: es[4].Hash}}
	renumber := func(c []backpack.Entry) []backpack.Entry {
		for i := range c {
			c[i].Seq = int64(i + 1)
		}
		return c
	}
	tests := []struct {
		name    string
		entries []backpack.Entry
		index   int
	}{
		{"middle removed", slices.Delete(deepCopy(es), 2, 3), 2},
		{"middle removed, renumbered", renumber(slices.Delete(deepCopy(es), 2, 3)), 2},
		{"first removed", deepCopy(es)[1:], 0},
		{"first removed, renumbered", renumber(deepCopy(es)[1:]), 0},
		{"two swapped", func() []backpack.Entry { c := deepCopy(es); c[1], c[3] = c[3], c[1]; return c }(), 1},
		{"two swapped, renumbered", func() []backpack.Entry { c := deepCopy(es); c[1], c[2] = c[2], c[1]; return renumber(c) }(), 1},
		{"entry duplicated", slices.Insert(deepCopy(es), 2, es[1]), 2},
		{"last entry replayed at the end", append(deepCopy(es), es[4]), 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := backpack.VerifyChain(tt.entries, auditKey)
			if err == nil {
				t.Fatal("VerifyChain passed")
			}
			if got := chainIndex(t, err); got != tt.index {
				t.Errorf("ChainError.Index = %d, want %d", got, tt.index)
			}
			if backpack.VerifyAnchored(tt.entries, auditKey, anchor) == nil {
				t.Error("VerifyAnchored passed")
			}
		})
	}
	// Dropping the last entries leaves a valid chain: only the anchor tells.
	for _, keep := range []int{4, 1, 0} {
		short := deepCopy(es)[:keep]
		if err := backpack.VerifyChain(short, auditKey); err != nil {
			t.Errorf("VerifyChain of a chain cut to %d: %v", keep, err)
		}
		err := backpack.VerifyAnchored(short, auditKey, anchor)
		if err == nil {
			t.Fatalf("VerifyAnchored passed a chain cut to %d entries", keep)
		}
		if got := chainIndex(t, err); got != keep {
			t.Errorf("cut to %d: ChainError.Index = %d", keep, got)
		}
	}
}

// forge plays an attacker who rewrites entries from index from on and mends the chain
// after them: each hash recomputed with mac, each Prev pointed at the hash before.
func forge(es []backpack.Entry, from int, mac func(backpack.Entry) string) []backpack.Entry {
	c := deepCopy(es)
	for i := from; i < len(c); i++ {
		if i > 0 {
			c[i].Prev = c[i-1].Hash
		}
		c[i].Hash = ""
		c[i].Hash = mac(c[i])
	}
	return c
}

// sha256Mac is the unkeyed hash the log used to chain with.
func sha256Mac(e backpack.Entry) string {
	b, _ := json.Marshal(e)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// hmacMac hashes as the log does, under a key.
func hmacMac(key []byte) func(backpack.Entry) string {
	return func(e backpack.Entry) string {
		b, _ := json.Marshal(e)
		m := hmac.New(sha256.New, key)
		m.Write(b)
		return hex.EncodeToString(m.Sum(nil))
	}
}

// An attacker who edits an entry and recomputes every hash after it is caught unless
// they hold the key; one who holds it but cannot reach the anchor is caught by the
// anchor.
func TestRecomputedHashEdit(t *testing.T) {
	es := entriesOf(t, sampleLog(t))
	anchor := []backpack.Checkpoint{{Seq: 2, Hash: es[1].Hash}, {Seq: 5, Hash: es[4].Hash}}
	edited := deepCopy(es)
	edited[2].Actor = "mallory"
	if first := es[0]; hmacMac(auditKey)(func() backpack.Entry { first.Hash = ""; return first }()) != es[0].Hash {
		t.Fatal("the test's HMAC is not the log's: the forgeries below would prove nothing")
	}
	tests := []struct {
		name string
		mac  func(backpack.Entry) string
	}{
		{"plain SHA-256", sha256Mac},
		{"HMAC under a guessed key", hmacMac([]byte("0123456789abcdef0123456789abcdef"))},
		{"HMAC under an empty key", hmacMac(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := backpack.VerifyChain(forge(edited, 2, tt.mac), auditKey)
			if err == nil {
				t.Fatal("the forged chain verifies")
			}
			if got := chainIndex(t, err); got != 2 {
				t.Errorf("caught at %d, want 2", got)
			}
		})
	}
	withKey := forge(edited, 2, hmacMac(auditKey))
	if err := backpack.VerifyChain(withKey, auditKey); err != nil {
		t.Fatalf("the key holder's forgery should chain: %v", err)
	}
	err := backpack.VerifyAnchored(withKey, auditKey, anchor)
	if err == nil {
		t.Fatal("the anchor did not catch the key holder's rewrite")
	}
	if got := chainIndex(t, err); got != 4 {
		t.Errorf("caught at %d, want 4 (the anchored head)", got)
	}
}

// openLog opens the log and anchor in dir.
func openLog(t *testing.T, dir string) *backpack.Log {
	t.Helper()
	log, err := backpack.OpenLog(filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor"), auditKey)
	if err != nil {
		t.Fatal(err)
	}
	log.Now = clock()
	return log
}

// fileLog writes the sample entries to a file log in a new directory and closes it.
func fileLog(t *testing.T) (dir string, entries []backpack.Entry) {
	t.Helper()
	dir = t.TempDir()
	log := openLog(t, dir)
	for _, e := range sampleEntries[:3] {
		if _, err := log.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := log.AppendBatch(sampleEntries[3:]...); err != nil {
		t.Fatal(err)
	}
	entries = entriesOf(t, log)
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, entries
}

func verifyDir(dir string) (backpack.Checkpoint, error) {
	return backpack.VerifyFile(filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor"), auditKey)
}

func TestFileLogAppendsAcrossOpens(t *testing.T) {
	dir, first := fileLog(t)
	path := filepath.Join(dir, "audit.jsonl")
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(before, []byte("\n")); n != 5 {
		t.Fatalf("%d lines after five appends", n)
	}
	anchor, _ := os.ReadFile(filepath.Join(dir, "audit.anchor"))
	empty := openLog(t, dir)
	if out, err := empty.AppendBatch(); err != nil || out != nil {
		t.Errorf("an empty batch: %v, %v", out, err)
	}
	empty.Close()
	if again, _ := os.ReadFile(filepath.Join(dir, "audit.anchor")); !bytes.Equal(again, anchor) {
		t.Error("an empty batch wrote a checkpoint")
	}
	// The anchor holds the head alone: no earlier head, no intent once a batch is written.
	if want := fmt.Sprintf(`{"seq":5,"hash":"%s"}`+"\n", first[4].Hash); string(anchor) != want {
		t.Errorf("anchor %q, want the head alone, %q", anchor, want)
	}
	log := openLog(t, dir)
	if h := log.Head(); h.Seq != 5 || h.Hash != first[4].Hash {
		t.Errorf("reopened head %+v", h)
	}
	e, err := log.Append(backpack.Entry{Action: backpack.ActionHandoff, Actor: "registrar"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Seq != 6 || e.Prev != first[4].Hash {
		t.Errorf("the chain does not continue: seq %d prev %q", e.Seq, e.Prev)
	}
	log.Close()
	if _, err := log.Append(backpack.Entry{Action: backpack.ActionHandoff, Actor: "registrar"}); err == nil {
		t.Error("a closed log appended")
	}
	after, _ := os.ReadFile(path)
	if !bytes.HasPrefix(after, before) {
		t.Error("reopening and appending changed what was written before")
	}
	head, err := verifyDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if head.Seq != 6 {
		t.Errorf("verified head %+v", head)
	}
	read, err := backpack.ReadEntries(bytes.NewReader(after))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, read[:5]); diff != "" {
		t.Errorf("read back (-written +read):\n%s", diff)
	}
}

// mutate rewrites one of the log's files.
func mutate(t *testing.T, path string, f func([]byte) []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, f(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// lines splits data into lines, each with its newline.
func lines(data []byte) []string {
	l := strings.SplitAfter(string(data), "\n")
	return l[:len(l)-1]
}

// lineOf encodes an entry as a log line.
func lineOf(e backpack.Entry) string {
	b, _ := json.Marshal(e)
	return string(b) + "\n"
}

// The attacks on a log file: each must stop VerifyFile and OpenLog.
func TestFileLogAttacks(t *testing.T) {
	attacks := []struct {
		name string
		file string // "log" or "anchor"
		edit func(data []byte, es []backpack.Entry) []byte
		want string // in the error
	}{
		{"tail truncated", "log", func(d []byte, _ []backpack.Entry) []byte {
			l := lines(d)
			return []byte(strings.Join(l[:len(l)-1], ""))
		}, "removed from the end"},
		{"emptied", "log", func([]byte, []backpack.Entry) []byte { return nil }, "removed from the end"},
		{"forged append, SHA-256", "log", func(d []byte, es []backpack.Entry) []byte {
			e := backpack.Entry{Seq: 6, Time: es[4].Time, Action: backpack.ActionHandoff, Actor: "mallory", Prev: es[4].Hash}
			e.Hash = sha256Mac(e)
			return append(d, lineOf(e)...)
		}, "without the key"},
		{"forged append, replayed line", "log", func(d []byte, _ []backpack.Entry) []byte {
			l := lines(d)
			return append(d, l[len(l)-1]...)
		}, "sequence number"},
		{"edit with recomputed hashes", "log", func(_ []byte, es []backpack.Entry) []byte {
			c := deepCopy(es)
			c[1].Actor = "mallory"
			var out string
			for _, e := range forge(c, 1, sha256Mac) {
				out += lineOf(e)
			}
			return []byte(out)
		}, "without the key"},
		{"duplicate key", "log", func(d []byte, _ []backpack.Entry) []byte {
			l := lines(d)
			l[3] = strings.Replace(l[3], `"actor":"guardian-7"`, `"actor":"mallory","actor":"guardian-7"`, 1)
			return []byte(strings.Join(l, ""))
		}, "appears twice"},
		{"miscased duplicate key", "log", func(d []byte, _ []backpack.Entry) []byte {
			l := lines(d)
			l[3] = strings.Replace(l[3], `"actor":"guardian-7"`, `"actor":"mallory","Actor":"guardian-7"`, 1)
			return []byte(strings.Join(l, ""))
		}, "another case"},
		{"miscased key", "log", func(d []byte, _ []backpack.Entry) []byte {
			l := lines(d)
			l[3] = strings.Replace(l[3], `"actor":`, `"Actor":`, 1)
			return []byte(strings.Join(l, ""))
		}, `spelt "actor"`},
		{"unknown key", "log", func(d []byte, _ []backpack.Entry) []byte {
			l := lines(d)
			l[3] = strings.Replace(l[3], `"actor":`, `"approved":true,"actor":`, 1)
			return []byte(strings.Join(l, ""))
		}, `unknown key "approved"`},
		{"spacing changed", "log", func(d []byte, _ []backpack.Entry) []byte {
			return bytes.Replace(d, []byte(`"actor":"guardian-7"`), []byte(`"actor": "guardian-7"`), 1)
		}, "as Append writes it"},
		{"anchor emptied", "anchor", func([]byte, []backpack.Entry) []byte { return nil }, "follow the anchor"},
		{"anchor cut short", "anchor", func(d []byte, _ []backpack.Entry) []byte { return d[:len(d)/2] }, "torn"},
		{"anchor rewritten to an earlier head", "anchor", func(_ []byte, es []backpack.Entry) []byte {
			return []byte(fmt.Sprintf(`{"seq":5,"hash":"%s"}`+"\n", es[3].Hash))
		}, "differs from the anchor"},
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			dir, es := fileLog(t)
			path := filepath.Join(dir, "audit.jsonl")
			if a.file == "anchor" {
				path = filepath.Join(dir, "audit.anchor")
			}
			mutate(t, path, func(d []byte) []byte { return a.edit(d, es) })
			_, err := verifyDir(dir)
			if err == nil {
				t.Fatal("VerifyFile passed")
			}
			if !strings.Contains(err.Error(), a.want) {
				t.Errorf("VerifyFile: %v; want %q in it", err, a.want)
			}
			// OpenLog anchors the entries of one batch a crash left past the last checkpoint,
			// no more: an emptied or cut anchor is not a crash.
			if log, err := backpack.OpenLog(filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor"), auditKey); err == nil {
				log.Close()
				t.Error("OpenLog opened the attacked log")
			} else if strings.Contains(err.Error(), "backpack: audit: backpack:") || strings.Count(err.Error(), "backpack:") > 1 {
				t.Errorf("OpenLog: %v: the prefix repeats", err)
			}
		})
	}
	// A deleted log with its anchor left is caught on opening.
	dir, _ := fileLog(t)
	os.Remove(filepath.Join(dir, "audit.jsonl"))
	if _, err := verifyDir(dir); err == nil {
		t.Error("VerifyFile passed a deleted log")
	}
	if _, err := backpack.OpenLog(filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor"), auditKey); err == nil ||
		!strings.Contains(err.Error(), "deleted") {
		t.Errorf("OpenLog of a deleted log: %v", err)
	}
	// A log whose anchor is gone is not opened either.
	dir, _ = fileLog(t)
	os.Remove(filepath.Join(dir, "audit.anchor"))
	if _, err := backpack.OpenLog(filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor"), auditKey); err == nil {
		t.Error("OpenLog opened a log without its anchor")
	}
	// The wrong key opens nothing.
	dir, _ = fileLog(t)
	if _, err := backpack.OpenLog(filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor"), []byte("not the state's key, 32 bytes..")); err == nil {
		t.Error("OpenLog under the wrong key")
	}
}

// What a crash leaves — a torn last line, entries the anchor did not reach — is repaired
// on opening, and the repair is logged.
func TestOpenLogRecovers(t *testing.T) {
	t.Run("torn last line", func(t *testing.T) {
		dir, _ := fileLog(t)
		path := filepath.Join(dir, "audit.jsonl")
		mutate(t, path, func(d []byte) []byte { return append(d, `{"seq":6,"time":"2024-09-0`...) })
		_, err := verifyDir(dir)
		if !errors.Is(err, backpack.ErrTorn) {
			t.Fatalf("VerifyFile of a torn log: %v", err)
		}
		log := openLog(t, dir)
		es := entriesOf(t, log)
		log.Close()
		if len(es) != 6 || es[5].Action != backpack.ActionRecover || !strings.Contains(es[5].Note, "torn last line at byte") {
			t.Fatalf("after recovery: %d entries, last %+v", len(es), es[len(es)-1])
		}
		if _, err := verifyDir(dir); err != nil {
			t.Error(err)
		}
	})
	t.Run("batch announced, never written", func(t *testing.T) {
		dir, _ := fileLog(t)
		mutate(t, filepath.Join(dir, "audit.anchor"), func(d []byte) []byte { return append(d, `{"seq":9,"hash":""}`+"\n"...) })
		if _, err := verifyDir(dir); !errors.Is(err, backpack.ErrUnfinishedBatch) {
			t.Fatalf("VerifyFile of an intent alone: %v, want ErrUnfinishedBatch", err)
		}
		log := openLog(t, dir)
		es := entriesOf(t, log)
		if got := log.Recovered(); !strings.Contains(got, "announced up to 9 was never written") || len(es) != 6 || es[5].Note != got {
			t.Errorf("Recovered() = %q; %d entries", got, len(es))
		}
		log.Close()
		if _, err := verifyDir(dir); err != nil {
			t.Error(err)
		}
	})
	t.Run("anchor behind the log", func(t *testing.T) {
		dir, written := fileLog(t)
		anchor := filepath.Join(dir, "audit.anchor")
		mutate(t, anchor, func([]byte) []byte { // as the last batch (entries 4–5) left it before its head
			return []byte(fmt.Sprintf(`{"seq":3,"hash":"%s"}`+"\n"+`{"seq":5,"hash":""}`+"\n", written[2].Hash))
		})
		if _, err := verifyDir(dir); err == nil {
			t.Fatal("VerifyFile passed entries past the anchor")
		}
		log := openLog(t, dir)
		es := entriesOf(t, log)
		recovered := log.Recovered()
		log.Close()
		if len(es) != 6 || !strings.Contains(es[5].Note, "anchored entries 4–5") {
			t.Fatalf("after recovery: %d entries, last %+v", len(es), es[len(es)-1])
		}
		if recovered != es[5].Note {
			t.Errorf("Recovered() = %q, want the recover entry's note %q", recovered, es[5].Note)
		}
		if again := openLog(t, dir); again.Recovered() != "" {
			t.Errorf("a second open recovered %q", again.Recovered())
		} else {
			again.Close()
		}
		if _, err := verifyDir(dir); err != nil {
			t.Error(err)
		}
	})
}

func TestReadEntriesStrict(t *testing.T) {
	dir, es := fileLog(t)
	good, _ := os.ReadFile(filepath.Join(dir, "audit.jsonl"))
	tests := []struct {
		name string
		data string
		line int
	}{
		{"blank line", strings.Replace(string(good), "\n", "\n\n", 1), 2},
		{"wrong type", strings.Replace(string(good), "\n", "\n{\"seq\":\"three\"}\n", 1), 2},
		{"not an object", "[1,2]\n", 1},
		{"two objects on a line", strings.Replace(string(good), "\n", "{}\n", 1), 1},
		{"a key missing", lineOf(es[0])[:strings.Index(lineOf(es[0]), `,"hash"`)] + "}\n", 1},
		{"torn", string(good) + `{"seq":6`, 6},
		{"over the size limit", string(good) + `{"note":"` + strings.Repeat("x", backpack.MaxEntrySize) + "\"}\n", 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			read, err := backpack.ReadEntries(strings.NewReader(tt.data))
			var le *backpack.LineError
			if !errors.As(err, &le) {
				t.Fatalf("ReadEntries: %v (%T), want a *LineError", err, err)
			}
			if le.Line != tt.line || !strings.Contains(err.Error(), fmt.Sprintf("line %d", tt.line)) {
				t.Errorf("error %q names line %d, want %d", err, le.Line, tt.line)
			}
			if len(read) != tt.line-1 {
				t.Errorf("%d entries returned before the bad line %d", len(read), tt.line)
			}
		})
	}
}

func TestAppendRefuses(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(-1)
	tests := []struct {
		name string
		e    backpack.Entry
	}{
		{"no action", backpack.Entry{Actor: "a"}},
		{"no actor", backpack.Entry{Action: backpack.ActionMerge}},
		{"NaN weight", backpack.Entry{Action: backpack.ActionMerge, Actor: "a", Weight: &nan}},
		{"infinite weight", backpack.Entry{Action: backpack.ActionMerge, Actor: "a", Weight: &inf}},
		{"not UTF-8", backpack.Entry{Action: backpack.ActionMerge, Actor: "a\xff"}},
		{"over the size limit", backpack.Entry{Action: backpack.ActionMerge, Actor: "a", Note: strings.Repeat("n", backpack.MaxEntrySize)}},
		{"NUL and bidi override in the actor", backpack.Entry{Action: backpack.ActionMerge, Actor: "a\x00b\u202e"}},
		{"bidi override in the student ID", backpack.Entry{Action: backpack.ActionView, Actor: "a", StudentID: "S\u202e1"}},
		{"newline in a record", backpack.Entry{Action: backpack.ActionMerge, Actor: "a", Records: []string{"r1\nr2"}}},
		{"control character in the action", backpack.Entry{Action: "merge\r", Actor: "a"}},
		{"before the entry before", backpack.Entry{Action: backpack.ActionMerge, Actor: "a", Time: t0}},
		{"in 1999, after 2024", backpack.Entry{Action: backpack.ActionMerge, Actor: "a", Time: time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"in 2999", backpack.Entry{Action: backpack.ActionMerge, Actor: "a", Time: time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := sampleLog(t)
			if _, err := log.Append(tt.e); err == nil {
				t.Error("Append accepted it")
			}
			if _, err := log.AppendBatch(sampleEntries[0], tt.e); err == nil {
				t.Error("AppendBatch accepted it")
			}
			if n := len(entriesOf(t, log)); n != 5 {
				t.Errorf("%d entries after a refusal, want 5", n)
			}
		})
	}
	// The largest entry that fits is written and read back.
	dir := t.TempDir()
	log := openLog(t, dir)
	e := backpack.Entry{Action: backpack.ActionMerge, Actor: "a", Time: t0}
	base := len(lineOf(backpack.Entry{Seq: 1, Time: t0, Action: "merge", Actor: "a", Note: "x", Hash: strings.Repeat("0", 64)}))
	e.Note = strings.Repeat("n", backpack.MaxEntrySize-base+1)
	if _, err := log.Append(e); err != nil {
		t.Fatalf("an entry of exactly MaxEntrySize bytes: %v", err)
	}
	log.Close()
	if _, err := verifyDir(dir); err != nil {
		t.Error(err)
	}
	for _, key := range [][]byte{nil, []byte("short")} {
		if _, err := backpack.NewLog(key); err == nil {
			t.Errorf("NewLog with a %d-byte key", len(key))
		}
		if _, err := backpack.OpenLog(filepath.Join(dir, "k"), filepath.Join(dir, "k.anchor"), key); err == nil {
			t.Errorf("OpenLog with a %d-byte key", len(key))
		}
	}
}

func TestLogEntriesAreCopies(t *testing.T) {
	log := sampleLog(t)
	w := 2.5
	stored, err := log.Append(backpack.Entry{Action: backpack.ActionMerge, Actor: "a", Records: []string{"x", "y"}, Weight: &w})
	if err != nil {
		t.Fatal(err)
	}
	w = 99
	stored.Records[0] = "evil"
	*stored.Weight = -1
	es := entriesOf(t, log)
	es[0].Records[0] = "evil"
	*es[0].Weight = -1
	again := entriesOf(t, log)
	if again[5].Records[0] != "x" || *again[5].Weight != 2.5 || again[0].Records[0] != lisaOld || *again[0].Weight != 17.25 {
		t.Errorf("stored entries changed through a caller's copy: %+v, %+v", again[0], again[5])
	}
	if err := log.Verify(); err != nil {
		t.Error(err)
	}
}

func TestConcurrentAppend(t *testing.T) {
	for _, name := range []string{"memory", "file"} {
		t.Run(name, func(t *testing.T) {
			log := memLog(t)
			if name == "file" {
				log = openLog(t, t.TempDir())
				defer log.Close()
			}
			const workers, each = 8, 10
			var wg sync.WaitGroup
			for g := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := range each {
						w := float64(g*each + k)
						if _, err := log.Append(backpack.Entry{Action: backpack.ActionMerge, Actor: fmt.Sprintf("worker-%d", g),
							Records: []string{fmt.Sprint(k)}, Weight: &w}); err != nil {
							t.Error(err)
							return
						}
						if k%5 == 0 {
							_ = log.Head()
						}
					}
				}()
			}
			wg.Wait()
			es := entriesOf(t, log)
			if len(es) != workers*each {
				t.Fatalf("%d entries, want %d", len(es), workers*each)
			}
			if err := log.Verify(); err != nil {
				t.Fatal(err)
			}
			perActor := map[string]int{}
			for _, e := range es {
				perActor[e.Actor]++
			}
			for g := range workers {
				if n := perActor[fmt.Sprintf("worker-%d", g)]; n != each {
					t.Errorf("worker %d: %d entries, want %d", g, n, each)
				}
			}
		})
	}
}

// FuzzReadEntries: ReadEntries never panics; what it accepts is written exactly as
// Append writes it, and checking the chain never panics.
func FuzzReadEntries(f *testing.F) {
	dir := f.TempDir()
	log, err := backpack.OpenLog(filepath.Join(dir, "a"), filepath.Join(dir, "b"), auditKey)
	if err != nil {
		f.Fatal(err)
	}
	log.Now = clock()
	log.Append(backpack.Entry{Action: backpack.ActionMerge, Actor: "linker", Weight: ptr(3), Records: []string{"a", "b"}})
	log.Append(backpack.Entry{Action: backpack.ActionSplit, Actor: "registrar", Note: "n <&> \u2028"})
	log.Close()
	data, _ := os.ReadFile(filepath.Join(dir, "a"))
	f.Add(data)
	f.Add([]byte("{\"seq\":1}\n\n{\"weight\":1e999}\n"))
	f.Add([]byte(`{"seq":1,"actor":"a","Actor":"b"}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := backpack.ReadEntries(bytes.NewReader(data))
		var out bytes.Buffer
		for _, e := range es {
			out.WriteString(lineOf(e))
		}
		if !bytes.HasPrefix(data, out.Bytes()) {
			t.Fatalf("entries read do not write back as the input's prefix:\n%q\n%q", out.Bytes(), data)
		}
		if err == nil && out.Len() != len(data) {
			t.Fatalf("ReadEntries accepted %d bytes but they write back as %d", len(data), out.Len())
		}
		_ = backpack.VerifyChain(es, auditKey)
		_ = backpack.VerifyAnchored(es, auditKey, []backpack.Checkpoint{{Seq: int64(len(es))}})
	})
}

// TestDrainKeepsTheChain drains an in-memory log between appends: the drained entries
// are those appended since the last drain, the log holds none after, and the chain goes
// on from the last drained entry (sequence and previous hash), as one undrained log's
// entries would be.
func TestDrainKeepsTheChain(t *testing.T) {
	drained, whole := memLog(t), memLog(t)
	var got []backpack.Entry
	for round, n := range []int{3, 0, 2} {
		for k := range n {
			e := backpack.Entry{Action: "view", Actor: fmt.Sprintf("staff-%d-%d", round, k)}
			for _, log := range []*backpack.Log{drained, whole} {
				if _, err := log.Append(e); err != nil {
					t.Fatal(err)
				}
			}
		}
		es, err := drained.Drain()
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != n {
			t.Errorf("round %d: drained %d entries, want %d", round, len(es), n)
		}
		if left := entriesOf(t, drained); len(left) != 0 {
			t.Errorf("round %d: %d entries left after Drain", round, len(left))
		}
		got = append(got, es...)
	}
	if d := cmp.Diff(entriesOf(t, whole), got); d != "" {
		t.Errorf("drained entries differ from an undrained log's (-whole +drained):\n%s", d)
	}
	if drained.Head() != whole.Head() {
		t.Errorf("head %+v, want %+v", drained.Head(), whole.Head())
	}
	if _, err := openLog(t, t.TempDir()).Drain(); err == nil {
		t.Error("a file log drained without an error")
	}
	// A drained log still verifies: the entries since, chained from the last drained.
	if err := drained.Verify(); err != nil {
		t.Errorf("Verify after Drain: %v", err)
	}
	if _, err := drained.Append(backpack.Entry{Action: "view", Actor: "late"}); err != nil {
		t.Fatal(err)
	}
	if err := drained.Verify(); err != nil {
		t.Errorf("Verify after Drain and an append: %v", err)
	}
}

// The auditor's cut: the log's last entry removed and the anchor's last checkpoint with
// it, leaving the intent that announced the entry. VerifyFile reports the unfinished
// batch (with the head that did verify) instead of passing; OpenLog takes it for a crash,
// repairs it and logs the repair, after which the log verifies.
func TestVerifyFileDanglingIntent(t *testing.T) {
	dir := t.TempDir()
	path, anchor := filepath.Join(dir, "log"), filepath.Join(dir, "anchor")
	l, err := backpack.OpenLog(path, anchor, auditKey)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := l.Append(backpack.Entry{Action: "view", Actor: "a"}); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	if _, err := backpack.VerifyFile(path, anchor, auditKey); err != nil {
		t.Fatalf("the intact log: %v", err)
	}
	cutLines(t, path, 1) // the third entry
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	es, err := backpack.ReadEntries(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// The anchor as the third append left it before its head: the second's head and the intent.
	if err := os.WriteFile(anchor, []byte(fmt.Sprintf(`{"seq":2,"hash":"%s"}`+"\n"+`{"seq":3,"hash":""}`+"\n", es[1].Hash)), 0o600); err != nil {
		t.Fatal(err)
	}
	head, err := backpack.VerifyFile(path, anchor, auditKey)
	if !errors.Is(err, backpack.ErrUnfinishedBatch) || !strings.Contains(err.Error(), "seq 3") {
		t.Errorf("VerifyFile of the cut log: %v, want ErrUnfinishedBatch naming seq 3", err)
	}
	if head.Seq != 2 {
		t.Errorf("head %d, want the verified 2", head.Seq)
	}
	l, err = backpack.OpenLog(path, anchor, auditKey)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Recovered(); !strings.Contains(got, "announced up to 3 was never written") {
		t.Errorf("Recovered() = %q", got)
	}
	l.Close()
	if _, err := backpack.VerifyFile(path, anchor, auditKey); err != nil {
		t.Errorf("after OpenLog's logged repair: %v", err)
	}
}

// cutLines removes the last n lines of the file at path.
func cutLines(t *testing.T, path string, n int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	lines = lines[:len(lines)-1] // the empty string after the last newline
	if err := os.WriteFile(path, []byte(strings.Join(lines[:len(lines)-n], "")), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Entries a caller wrote with hidden characters in an identifier, under the key, before
// Append refused them: VerifyChain (and so VerifyAnchored, VerifyFile and OpenLog, which
// run it first) flags each at its index. Times out of order or ahead are not flagged
// (TestOldOutOfOrderLogOpens).
func TestVerifyFlagsEntriesAppendRefuses(t *testing.T) {
	es := entriesOf(t, sampleLog(t))
	for _, tt := range []struct {
		name string
		edit func(*backpack.Entry)
		want string
	}{
		{"NUL and bidi override in the actor", func(e *backpack.Entry) { e.Actor = "a\x00b\u202e" }, `actor "a\x00b\u202e" holds`},
		{"zero-width joiner in a record", func(e *backpack.Entry) { e.Records = []string{"r\u200d1"} }, `record "r\u200d1" holds`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := deepCopy(es)
			tt.edit(&c[2])
			c = forge(c, 2, hmacMac(auditKey))
			err := backpack.VerifyChain(c, auditKey)
			if i := chainIndex(t, err); i != 2 || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("VerifyChain: %v, want entry 2 flagged with %q", err, tt.want)
			}
		})
	}
}

// The second audit's attack: the anchor kept every head, so cutting the log and its
// anchor back to an earlier point verified. The anchor now holds the latest head alone:
// whatever length it is cut to, and the log to any earlier non-empty point, nothing
// verifies or opens. (Both emptied look like a new log: the anchor belongs where the
// log's writer cannot write.) An anchor of earlier versions, one checkpoint a line, still
// reads, and OpenLog rewrites it to its last.
func TestAnchorHoldsTheLatestHeadOnly(t *testing.T) {
	dir, es := fileLog(t)
	path, anchor := filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor")
	logData, _ := os.ReadFile(path)
	anchorData, _ := os.ReadFile(anchor)
	logLines := lines(logData)
	for keep := 1; keep < len(logLines); keep++ {
		for cut := 0; cut < len(anchorData); cut++ {
			if err := os.WriteFile(path, []byte(strings.Join(logLines[:keep], "")), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(anchor, anchorData[:cut], 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := verifyDir(dir); err == nil {
				t.Fatalf("the log cut to %d entries and the anchor to %d bytes verify", keep, cut)
			}
			if log, err := backpack.OpenLog(path, anchor, auditKey); err == nil {
				log.Close()
				t.Fatalf("the log cut to %d entries and the anchor to %d bytes open", keep, cut)
			}
		}
	}

	// An anchor of every checkpoint, as earlier versions wrote it.
	var old strings.Builder
	for _, e := range es {
		fmt.Fprintf(&old, `{"seq":%d,"hash":""}`+"\n"+`{"seq":%d,"hash":"%s"}`+"\n", e.Seq, e.Seq, e.Hash)
	}
	if err := os.WriteFile(path, logData, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(anchor, []byte(old.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if head, err := verifyDir(dir); err != nil || head.Seq != 5 {
		t.Fatalf("an anchor of every checkpoint: %+v, %v", head, err)
	}
	openLog(t, dir).Close()
	if got, _ := os.ReadFile(anchor); string(got) != string(anchorData) {
		t.Errorf("OpenLog left the anchor %q, want its last head alone, %q", got, anchorData)
	}
}
