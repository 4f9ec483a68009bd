package backpack

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"
	"time"
)

// Audit actions.
const (
	ActionMerge   = "merge"   // records joined into one student's backpack
	ActionSplit   = "split"   // records taken out of a backpack
	ActionHandoff = "handoff" // a backpack handed to an LEA
	ActionRequest = "request" // a guardian request changed state
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
	// Prev is the hash of the entry before (empty for the first); Hash covers this entry's
	// fields and Prev, so altering or removing an entry breaks the chain after it.
	Prev string `json:"prev,omitempty"`
	Hash string `json:"hash"`
}

// computeHash returns the entry's hash: SHA-256 of its JSON with Hash empty.
func (e Entry) computeHash() string {
	e.Hash = ""
	b, err := json.Marshal(e)
	if err != nil { // a NaN or infinite weight: Append refuses those
		return "unhashable: " + err.Error()
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Log is an append-only, hash-chained audit log. Safe for concurrent use.
type Log struct {
	mu      sync.Mutex
	entries []Entry
	// Now stamps entries without a time; nil means time.Now.
	Now func() time.Time
}

// NewLog returns an empty log, or one continuing entries (which must verify).
func NewLog(entries ...Entry) (*Log, error) {
	if err := Verify(entries); err != nil {
		return nil, err
	}
	l := &Log{entries: make([]Entry, len(entries))}
	for i, e := range entries {
		l.entries[i] = e.clone()
	}
	return l, nil
}

// Append adds an entry, filling its sequence number, time (when zero), Prev and Hash, and
// returns it as stored. An entry without an action or actor is an error.
func (l *Log) Append(e Entry) (Entry, error) {
	if e.Action == "" || e.Actor == "" {
		return Entry{}, errors.New("backpack: audit: an entry needs an action and an actor")
	}
	if e.Weight != nil && (math.IsNaN(*e.Weight) || math.IsInf(*e.Weight, 0)) {
		return Entry{}, fmt.Errorf("backpack: audit: weight %v is not a finite number", *e.Weight)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if e.Time.IsZero() {
		now := time.Now
		if l.Now != nil {
			now = l.Now
		}
		e.Time = now()
	}
	e.Time = e.Time.UTC().Round(0)
	e = e.clone()
	e.Seq = int64(len(l.entries)) + 1
	e.Prev = ""
	if n := len(l.entries); n > 0 {
		e.Prev = l.entries[n-1].Hash
	}
	e.Hash = e.computeHash()
	l.entries = append(l.entries, e)
	return e.clone(), nil
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

// Entries returns a copy of the log's entries.
func (l *Log) Entries() []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Entry, len(l.entries))
	for i, e := range l.entries {
		out[i] = e.clone()
	}
	return out
}

// Head returns the hash of the last entry: keep it apart from the log to detect entries
// removed from its end, which Verify alone cannot.
func (l *Log) Head() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.entries) == 0 {
		return ""
	}
	return l.entries[len(l.entries)-1].Hash
}

// ChainError says where an audit chain breaks.
type ChainError struct {
	Index  int   // position in the entries given
	Seq    int64 // the sequence number found there
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("backpack: audit chain breaks at entry %d (seq %d): %s", e.Index, e.Seq, e.Reason)
}

// Verify checks a chain of entries: sequence numbers 1, 2, 3…, each Prev the hash of the
// entry before, each Hash matching the entry's content. It returns a *ChainError at the
// first entry that fails, or nil.
func Verify(entries []Entry) error {
	prev := ""
	for i, e := range entries {
		switch {
		case e.Seq != int64(i)+1:
			return &ChainError{Index: i, Seq: e.Seq, Reason: fmt.Sprintf("sequence number %d, want %d: an entry was removed or inserted", e.Seq, i+1)}
		case e.Prev != prev:
			return &ChainError{Index: i, Seq: e.Seq, Reason: "previous-entry hash does not match: the entry before was altered or removed"}
		case e.computeHash() != e.Hash:
			return &ChainError{Index: i, Seq: e.Seq, Reason: "hash does not match the entry's content: the entry was altered"}
		}
		prev = e.Hash
	}
	return nil
}

// VerifyHead is Verify plus a check that the chain ends at head (from Log.Head), which
// catches entries removed from the end.
func VerifyHead(entries []Entry, head string) error {
	if err := Verify(entries); err != nil {
		return err
	}
	last := ""
	if n := len(entries); n > 0 {
		last = entries[n-1].Hash
	}
	if last != head {
		return &ChainError{Index: len(entries), Seq: int64(len(entries)), Reason: "the chain does not end at the recorded head: entries were removed from the end"}
	}
	return nil
}

// WriteTo writes the log as JSON lines.
func (l *Log) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	enc := json.NewEncoder(cw)
	for _, e := range l.Entries() {
		if err := enc.Encode(e); err != nil {
			return cw.n, err
		}
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ReadEntries reads JSON-lines entries as WriteTo writes them. It does not verify them.
func ReadEntries(r io.Reader) ([]Entry, error) {
	var out []Entry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return out, fmt.Errorf("backpack: audit log line %d: %w", line, err)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}
