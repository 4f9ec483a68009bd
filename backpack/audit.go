package backpack

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Audit actions.
const (
	ActionMerge   = "merge"   // records joined into one student's backpack
	ActionSplit   = "split"   // records taken out of a backpack
	ActionHandoff = "handoff" // a backpack handed to an LEA
	ActionRequest = "request" // a guardian request changed state
	ActionView    = "view"    // a staff member or guardian was shown a backpack
	ActionRecover = "recover" // OpenLog repaired what a crash left behind
	ActionExit    = "exit"    // a student's exit from an LEA recorded after its enrollment (Requests.RecordExit)
)

// Entry is one line of the audit log.
type Entry struct {
	Seq       int64     `json:"seq"`
	Time      time.Time `json:"time"`
	Action    string    `json:"action"`
	StudentID string    `json:"student_id,omitempty"`
	Records   []string  `json:"records,omitempty"`
	// Weight is the match weight of the link behind a merge.
	Weight          *float64 `json:"weight,omitempty"`
	Explanation     string   `json:"explanation,omitempty"`
	SettingsVersion string   `json:"settings_version,omitempty"`
	// Actor is who or what acted: a program, a staff member, a guardian.
	Actor string `json:"actor"`
	Note  string `json:"note,omitempty"`
	// Prev is the hash of the entry before (empty for the first); Hash is an HMAC, under
	// the log's key, of this entry's other fields and Prev, so altering, removing or
	// adding an entry breaks the chain for anyone holding the key, and no one without
	// it can mend the chain.
	Prev string `json:"prev,omitempty"`
	Hash string `json:"hash"`
}

// entryKeys are Entry's JSON keys: the only ones a log line may have.
var entryKeys = []string{"seq", "time", "action", "student_id", "records", "weight", "explanation",
	"settings_version", "actor", "note", "prev", "hash"}

// MaxEntrySize is the longest line of the audit log, in bytes, newline included: Append
// refuses a longer entry and the readers refuse a longer line.
const MaxEntrySize = 1 << 20

// MinKeySize is the shortest audit key accepted, in bytes.
const MinKeySize = 16

// mac returns the HMAC-SHA-256 of the entry's JSON with Hash empty.
func (e Entry) mac(key []byte) string {
	e.Hash = ""
	b, err := json.Marshal(e)
	if err != nil { // a NaN or infinite weight: Append refuses those
		return "unhashable: " + err.Error()
	}
	return macOf(key, b)
}

// macOf returns the HMAC-SHA-256 of an entry's JSON with Hash empty.
func macOf(key, unhashed []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(unhashed)
	return hex.EncodeToString(m.Sum(nil))
}

// link chains entries (checked) after head, whose time was last, under key, stamping
// those without a time with now (nil: time.Now), or with last if the clock went back: it
// returns them as stored, their lines (each entry's JSON, without newline), the new head
// and its time. An entry given a time before the entry it follows (a zero last is no
// entry) or later than now by more than clockSkew, or whose line is longer than
// MaxEntrySize, is an error, and nothing is linked: the log's times rise, so no entry
// can be dated into another's past or into the future.
func link(key []byte, head Checkpoint, last time.Time, now func() time.Time, es []Entry) ([]Entry, [][]byte, Checkpoint, time.Time, error) {
	if now == nil {
		now = time.Now
	}
	out := make([]Entry, len(es))
	lines := make([][]byte, len(es))
	for i, e := range es {
		switch at := now(); {
		case e.Time.IsZero():
			e.Time = at
			if e.Time.Before(last) {
				e.Time = last
			}
		case e.Time.Before(last):
			return nil, nil, head, last, fmt.Errorf("backpack: audit: entry by %q at %s comes before the entry it follows, at %s", e.Actor, e.Time.UTC().Format(time.RFC3339Nano), last.Format(time.RFC3339Nano))
		case e.Time.After(at.Add(clockSkew)):
			return nil, nil, head, last, fmt.Errorf("backpack: audit: entry by %q at %s is in the future (now is %s)", e.Actor, e.Time.UTC().Format(time.RFC3339Nano), at.UTC().Format(time.RFC3339))
		}
		e = e.clone()
		e.Time = e.Time.UTC().Round(0)
		last = e.Time
		e.Seq, e.Prev, e.Hash = head.Seq+1, head.Hash, ""
		unhashed, err := json.Marshal(e)
		if err != nil {
			return nil, nil, head, last, fmt.Errorf("backpack: audit: %w", err)
		}
		e.Hash = macOf(key, unhashed)
		// The line is the same JSON with the hash filled in: "hash" is the last key.
		line, ok := bytes.CutSuffix(unhashed, []byte(`"hash":""}`))
		if ok {
			line = append(append(append(line, `"hash":"`...), e.Hash...), `"}`...)
		} else if line, err = json.Marshal(e); err != nil {
			return nil, nil, head, last, fmt.Errorf("backpack: audit: %w", err)
		}
		if len(line)+1 > MaxEntrySize {
			return nil, nil, head, last, fmt.Errorf("backpack: audit: entry by %s is %d bytes written, over the limit of %d", e.Actor, len(line)+1, MaxEntrySize)
		}
		out[i], lines[i], head = e, line, Checkpoint{Seq: e.Seq, Hash: e.Hash}
	}
	return out, lines, head, last, nil
}

// check reports what Append cannot write faithfully, and identifiers (action, actor,
// student, records, settings version) holding a control or invisible character (see
// visible): "a\x00b" or a bidi override would show a reader of the log another name than
// the one chained.
func (e Entry) check() error {
	if e.Action == "" || e.Actor == "" {
		return errors.New("backpack: audit: an entry needs an action and an actor")
	}
	if e.Weight != nil && (math.IsNaN(*e.Weight) || math.IsInf(*e.Weight, 0)) {
		return fmt.Errorf("backpack: audit: weight %v is not a finite number", *e.Weight)
	}
	for _, s := range []string{e.Explanation, e.Note} {
		if !utf8.ValidString(s) {
			return fmt.Errorf("backpack: audit: %q is not valid UTF-8", s)
		}
	}
	ids := [][2]string{{"action", e.Action}, {"actor", e.Actor}, {"student ID", e.StudentID}, {"settings version", e.SettingsVersion}}
	for _, r := range e.Records {
		ids = append(ids, [2]string{"record", r})
	}
	for _, id := range ids {
		if err := visible(id[0], id[1]); err != nil {
			return fmt.Errorf("backpack: audit: %w", err)
		}
	}
	return nil
}

// clone returns a copy of e sharing no memory with it (Records, Weight), so that no caller
// can alter a stored entry.
func (e Entry) clone() Entry {
	e.Records = slices.Clone(e.Records)
	if e.Weight != nil {
		w := *e.Weight
		e.Weight = &w
	}
	return e
}

// Checkpoint names the head of an audit chain: the last entry's sequence number and hash.
type Checkpoint struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

var checkpointKeys = []string{"seq", "hash"}

// intent reports whether a checkpoint of an anchor file is an intent: a batch announced
// up to Seq before it is written, with no hash yet.
func (c Checkpoint) intent() bool { return c.Seq > 0 && c.Hash == "" }

// Log is an append-only, HMAC-chained audit log, held in memory (NewLog) or in a file
// with an anchor file of its head (OpenLog). Safe for concurrent use.
type Log struct {
	mu   sync.Mutex
	key  []byte
	head Checkpoint
	mem  []Entry // in-memory logs only
	disk *logFiles
	// broken is set when a write may have half happened: the log refuses more.
	broken error
	// base is the head before the entries mem holds: the last entry Drain handed on.
	base Checkpoint
	// last is the time of the head's entry: the next may not come before it.
	last time.Time
	// recovered says what OpenLog repaired, if anything.
	recovered string
	// Now stamps entries without a time; nil means time.Now.
	Now func() time.Time
}

// NewLog returns an empty in-memory log keyed by key (at least MinKeySize bytes; the
// state holds it). It lives as long as the process: use OpenLog for a durable one.
func NewLog(key []byte) (*Log, error) {
	if err := checkAuditKey(key); err != nil {
		return nil, err
	}
	return &Log{key: slices.Clone(key)}, nil
}

// usable refuses a Log that NewLog or OpenLog did not make: a zero Log has no key.
func (l *Log) usable() error {
	if l == nil || len(l.key) < MinKeySize {
		return errors.New("backpack: audit: the log was not made by NewLog or OpenLog: it has no key to chain its entries with")
	}
	return nil
}

func checkAuditKey(key []byte) error {
	if len(key) < MinKeySize {
		return fmt.Errorf("backpack: audit: the key has %d bytes, want at least %d", len(key), MinKeySize)
	}
	return nil
}

// Append adds an entry, filling its sequence number, time (when zero), Prev and Hash, and
// returns it as stored. An entry without an action or actor, with a weight that is not
// finite, with text that is not UTF-8 or longer than MaxEntrySize written, with a
// control or invisible character in an identifier (see Entry.check), or with a time
// before the previous entry's or in the future (see link) is an error, and nothing is
// written.
func (l *Log) Append(e Entry) (Entry, error) {
	out, err := l.AppendBatch(e)
	if err != nil {
		return Entry{}, err
	}
	return out[0], nil
}

// AppendBatch adds entries in order as one write: in a file log, one fsync of the log and
// one checkpoint in the anchor for all of them. If any entry is refused, none is added. No
// entries write nothing.
func (l *Log) AppendBatch(es ...Entry) ([]Entry, error) {
	if len(es) == 0 {
		return nil, nil
	}
	for _, e := range es {
		if err := e.check(); err != nil {
			return nil, err
		}
	}
	if err := l.usable(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.broken != nil {
		return nil, l.broken
	}
	out, written, head, last, err := link(l.key, l.head, l.last, l.Now, es)
	if err != nil {
		return nil, err
	}
	var lines bytes.Buffer
	for _, line := range written {
		lines.Write(line)
		lines.WriteByte('\n')
	}
	if l.disk != nil {
		if err := l.disk.append(lines.Bytes(), head); err != nil {
			l.broken = fmt.Errorf("backpack: audit: the log stopped at a failed write; reopen it: %w", err)
			return nil, err
		}
	} else {
		for _, e := range out {
			l.mem = append(l.mem, e.clone())
		}
	}
	l.head, l.last = head, last
	for i := range out {
		out[i] = out[i].clone()
	}
	return out, nil
}

// Entries returns a copy of the log's entries; a file log reads them back from its file.
func (l *Log) Entries() ([]Entry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.disk != nil {
		return l.disk.entries()
	}
	out := make([]Entry, len(l.mem))
	for i, e := range l.mem {
		out[i] = e.clone()
	}
	return out, nil
}

// Drain returns the entries of an in-memory log and forgets them, keeping the head, so
// that the chain goes on from the last entry: for a log whose entries are handed on to
// another store as they come (a service's audit chain), which would otherwise hold and
// copy every entry since start. A file log is an error: its entries are its file.
func (l *Log) Drain() ([]Entry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.disk != nil {
		return nil, errors.New("backpack: audit: Drain is for in-memory logs; a file log's entries stay in its file")
	}
	out := l.mem
	l.mem, l.base = nil, l.head
	return out, nil
}

// Recovered says what OpenLog repaired of what a crash left ("" when nothing): the same
// text as the ActionRecover entry it appended, for the caller to report.
func (l *Log) Recovered() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.recovered
}

// Head returns the checkpoint of the last entry (the zero Checkpoint for an empty log).
// Kept apart from the log, it catches entries removed from its end.
func (l *Log) Head() Checkpoint {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.head
}

// Verify checks the log's entries as VerifyAnchored does against its head (and, for a
// file log, against every checkpoint of its anchor file). An in-memory log that was
// drained checks the entries since, chained from the last one drained.
func (l *Log) Verify() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.disk != nil {
		_, err := VerifyFile(l.disk.path, l.disk.anchorPath, l.key)
		return err
	}
	if err := verifyChainFrom(l.mem, l.key, l.base); err != nil {
		return err
	}
	if got := l.base; len(l.mem) > 0 {
		got = Checkpoint{Seq: l.mem[len(l.mem)-1].Seq, Hash: l.mem[len(l.mem)-1].Hash}
		if got != l.head {
			return &ChainError{Index: len(l.mem), Seq: got.Seq, Reason: fmt.Sprintf("the log ends at seq %d, its head is seq %d", got.Seq, l.head.Seq)}
		}
	} else if got != l.head {
		return &ChainError{Index: 0, Seq: got.Seq, Reason: fmt.Sprintf("the log ends at seq %d, its head is seq %d", got.Seq, l.head.Seq)}
	}
	return nil
}

// Close closes a file log's files; an in-memory log has nothing to close. A closed log
// refuses appends.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.broken == nil {
		l.broken = errors.New("backpack: audit: the log is closed")
	}
	if l.disk == nil {
		return nil
	}
	return l.disk.close()
}

// ChainError says where an audit chain breaks.
type ChainError struct {
	Index  int   // position in the entries given (len(entries) for a missing end)
	Seq    int64 // the sequence number found there
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("backpack: audit chain breaks at entry %d (seq %d): %s", e.Index, e.Seq, e.Reason)
}

// VerifyChain checks a chain of entries under key: sequence numbers 1, 2, 3…, each Prev
// the hash of the entry before, each Hash the HMAC of the entry's content, each entry one
// Append accepts in its form (Entry.check). It returns a *ChainError at the first entry
// that fails, or nil. A chain cut short at its end still verifies: VerifyAnchored
// catches that.
//
// Times are not checked: they are data the chain protects, not structure. Whether a log
// verifies must not depend on the verifier's clock (a log written by a clock running
// ahead would fail until the clock caught up) nor on the order of times (a clock stepped
// back, or a log written before Append refused times out of order, would never open
// again). Append and Chain.Link refuse a caller's time out of order or in the future, and
// stamp their own times in order, when an entry is written.
func VerifyChain(entries []Entry, key []byte) error {
	return verifyChainFrom(entries, key, Checkpoint{})
}

// verifyChainFrom is VerifyChain of entries that follow base.
func verifyChainFrom(entries []Entry, key []byte, base Checkpoint) error {
	prev := base.Hash
	for i, e := range entries {
		if err := verifyLink(i, e, key, base, prev); err != nil {
			return err
		}
		prev = e.Hash
	}
	return nil
}

// verifyLink checks entry e, at index i of a chain that follows base, under key: prev is
// the hash of the entry before it (base's for the first).
func verifyLink(i int, e Entry, key []byte, base Checkpoint, prev string) error {
	err := e.check()
	switch {
	case err != nil:
		return &ChainError{Index: i, Seq: e.Seq, Reason: "Append would refuse the entry: " + strings.TrimPrefix(err.Error(), "backpack: audit: ")}
	case e.Seq != base.Seq+int64(i)+1:
		return &ChainError{Index: i, Seq: e.Seq, Reason: fmt.Sprintf("sequence number %d, want %d: an entry was removed or inserted", e.Seq, base.Seq+int64(i)+1)}
	case e.Prev != prev:
		return &ChainError{Index: i, Seq: e.Seq, Reason: "previous-entry hash does not match: the entry before was altered or removed"}
	case !hmac.Equal([]byte(e.mac(key)), []byte(e.Hash)):
		return &ChainError{Index: i, Seq: e.Seq, Reason: "hash does not match the entry's content under the key: the entry was altered or written without the key"}
	}
	return nil
}

// VerifyAnchored is VerifyChain plus the anchor: every checkpoint must name an entry of
// the chain by its sequence number and hash, and the chain must end exactly at the last
// checkpoint, so entries cut from the end (or all of them) and entries appended past the
// anchor are caught. Checkpoints must rise.
func VerifyAnchored(entries []Entry, key []byte, anchor []Checkpoint) error {
	if err := VerifyChain(entries, key); err != nil {
		return err
	}
	return checkAnchor(int64(len(entries)), anchor, func(seq int64) string { return entries[seq-1].Hash })
}

// checkAnchor is VerifyAnchored once the chain of n entries verified: hashAt returns the
// hash of the entry with sequence number seq, from 1 to n.
func checkAnchor(n int64, anchor []Checkpoint, hashAt func(seq int64) string) error {
	last := Checkpoint{}
	for k, c := range anchor {
		if c.Seq < last.Seq || c.Seq < 0 {
			return &ChainError{Index: int(n), Seq: c.Seq, Reason: fmt.Sprintf("anchor checkpoint %d (seq %d) comes after seq %d: the anchor was altered", k+1, c.Seq, last.Seq)}
		}
		if c.intent() { // a batch announced: its checkpoint follows, unless a crash came first
			continue
		}
		last = c
		if c.Seq == 0 {
			continue
		}
		if c.Seq > n {
			return &ChainError{Index: int(n), Seq: n, Reason: fmt.Sprintf(
				"the log ends at seq %d but the anchor names seq %d: entries were removed from the end", n, c.Seq)}
		}
		if hashAt(c.Seq) != c.Hash {
			return &ChainError{Index: int(c.Seq - 1), Seq: c.Seq, Reason: "the entry's hash differs from the anchor's checkpoint: the entry was rewritten"}
		}
	}
	if n > last.Seq {
		return &ChainError{Index: int(last.Seq), Seq: last.Seq + 1, Reason: fmt.Sprintf(
			"%d entries follow the anchor's last checkpoint (seq %d): they were appended without the anchor", n-last.Seq, last.Seq)}
	}
	return nil
}
