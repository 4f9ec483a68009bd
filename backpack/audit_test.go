package backpack_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

var t0 = time.Date(2024, 9, 1, 8, 0, 0, 0, time.UTC)

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

// sampleLog returns a log of five varied entries.
func sampleLog(t *testing.T) *backpack.Log {
	t.Helper()
	log, err := backpack.NewLog()
	if err != nil {
		t.Fatal(err)
	}
	log.Now = clock()
	for _, e := range []backpack.Entry{
		{Action: backpack.ActionMerge, StudentID: "S1", Records: []string{lisaOld, lisaNew}, Weight: ptr(17.25),
			Explanation: "ssid +9.1", SettingsVersion: "student-1", Actor: "linker"},
		{Action: backpack.ActionMerge, StudentID: "S2", Records: []string{tevitaNew}, Actor: "linker", SettingsVersion: "student-1",
			Note: "backpack built from 1 record(s)"},
		{Action: backpack.ActionSplit, StudentID: "S1", Records: []string{lisaNew}, Actor: "registrar", Note: "split out as S3"},
		{Action: backpack.ActionRequest, Actor: "guardian-7", Note: "request R000001 for SSID 1000604822: submitted Retrieve"},
		{Action: backpack.ActionHandoff, StudentID: "S1", Records: []string{lisaOld}, Actor: "registrar", Weight: ptr(-3.5),
			Time: time.Date(2024, 9, 2, 10, 0, 0, 123456789, time.FixedZone("MDT", -6*3600))},
	} {
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
	es := log.Entries()
	if len(es) != 5 {
		t.Fatalf("%d entries", len(es))
	}
	for i, e := range es {
		if e.Seq != int64(i+1) {
			t.Errorf("entry %d: seq %d", i, e.Seq)
		}
		if len(e.Hash) != 64 {
			t.Errorf("entry %d: hash %q is not a hex SHA-256", i, e.Hash)
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
	if want := time.Date(2024, 9, 2, 16, 0, 0, 123456789, time.UTC); !es[4].Time.Equal(want) {
		t.Errorf("a given time is kept (in UTC): %v, want %v", es[4].Time, want)
	}
	if log.Head() != es[4].Hash {
		t.Errorf("Head %q, want the last hash", log.Head())
	}
	if err := backpack.Verify(es); err != nil {
		t.Errorf("Verify of an untouched log: %v", err)
	}
	if err := backpack.VerifyHead(es, log.Head()); err != nil {
		t.Errorf("VerifyHead of an untouched log: %v", err)
	}
	empty, _ := backpack.NewLog()
	if empty.Head() != "" || backpack.VerifyHead(nil, "") != nil {
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
	es := sampleLog(t).Entries()
	for _, ed := range edits {
		for i := range es {
			t.Run(fmt.Sprintf("%s/%d", ed.field, i), func(t *testing.T) {
				c := deepCopy(es)
				ed.edit(&c[i])
				err := backpack.Verify(c)
				if err == nil {
					t.Fatal("Verify passed an edited entry")
				}
				if got := chainIndex(t, err); got != i {
					t.Errorf("ChainError.Index = %d, want %d", got, i)
				}
			})
		}
	}
}

func TestVerifyCatchesRemovalAndReorder(t *testing.T) {
	es := sampleLog(t).Entries()
	head := es[len(es)-1].Hash
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := backpack.Verify(tt.entries)
			if err == nil {
				t.Fatal("Verify passed")
			}
			if got := chainIndex(t, err); got != tt.index {
				t.Errorf("ChainError.Index = %d, want %d", got, tt.index)
			}
			if backpack.VerifyHead(tt.entries, head) == nil {
				t.Error("VerifyHead passed")
			}
		})
	}
	// Dropping the last entry leaves a valid chain: only the head tells.
	short := deepCopy(es)[:len(es)-1]
	if err := backpack.Verify(short); err != nil {
		t.Errorf("Verify of a truncated chain: %v", err)
	}
	err := backpack.VerifyHead(short, head)
	if err == nil {
		t.Fatal("VerifyHead passed a truncated chain")
	}
	if got := chainIndex(t, err); got != len(short) {
		t.Errorf("ChainError.Index = %d, want %d", got, len(short))
	}
	if err := backpack.VerifyHead(nil, head); err == nil {
		t.Error("VerifyHead passed an emptied log")
	}
}

func TestLogWriteRead(t *testing.T) {
	log := sampleLog(t)
	var buf bytes.Buffer
	n, err := log.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Errorf("WriteTo says %d bytes, wrote %d", n, buf.Len())
	}
	if lines := strings.Count(buf.String(), "\n"); lines != 5 {
		t.Errorf("%d lines, want 5", lines)
	}
	read, err := backpack.ReadEntries(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(log.Entries(), read); diff != "" {
		t.Errorf("read back (-written +read):\n%s", diff)
	}
	if err := backpack.VerifyHead(read, log.Head()); err != nil {
		t.Errorf("VerifyHead after reading back: %v", err)
	}
	// A log continues from entries read back.
	again, err := backpack.NewLog(read...)
	if err != nil {
		t.Fatal(err)
	}
	e, err := again.Append(backpack.Entry{Action: backpack.ActionHandoff, Actor: "registrar", Time: t0})
	if err != nil {
		t.Fatal(err)
	}
	if e.Seq != 6 || e.Prev != log.Head() {
		t.Errorf("continued entry seq %d prev %q", e.Seq, e.Prev)
	}
	if err := backpack.Verify(again.Entries()); err != nil {
		t.Error(err)
	}
	// Blank lines are skipped; a bad line is an error naming it.
	withBlank := strings.Replace(buf.String(), "\n", "\n\n  \t\n", 1)
	if r, err := backpack.ReadEntries(strings.NewReader(withBlank)); err != nil || len(r) != 5 {
		t.Errorf("blank line: %d entries, %v", len(r), err)
	}
	bad := strings.Replace(buf.String(), "\n", "\n{\"seq\": \"three\"}\n", 2)
	if _, err := backpack.ReadEntries(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad line: %v", err)
	}
}

func TestNewLogRefusesBrokenChain(t *testing.T) {
	es := sampleLog(t).Entries()
	c := deepCopy(es)
	c[3].Note = "nothing happened"
	log, err := backpack.NewLog(c...)
	if err == nil || log != nil {
		t.Fatalf("NewLog of an edited chain = %v, %v", log, err)
	}
	if got := chainIndex(t, err); got != 3 {
		t.Errorf("ChainError.Index = %d, want 3", got)
	}
	if _, err := backpack.NewLog(es...); err != nil {
		t.Errorf("NewLog of a good chain: %v", err)
	}
}

func TestAppendRefuses(t *testing.T) {
	tests := []struct {
		name string
		e    backpack.Entry
	}{
		{"NaN weight", backpack.Entry{Action: backpack.ActionMerge, Actor: "linker", Weight: ptr(math.NaN())}},
		{"infinite weight", backpack.Entry{Action: backpack.ActionMerge, Actor: "linker", Weight: ptr(math.Inf(-1))}},
		{"no actor", backpack.Entry{Action: backpack.ActionMerge}},
		{"no action", backpack.Entry{Actor: "linker"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := sampleLog(t)
			head := log.Head()
			if e, err := log.Append(tt.e); err == nil {
				t.Fatalf("Append = %+v, want an error", e)
			}
			if n := len(log.Entries()); n != 5 || log.Head() != head {
				t.Errorf("a refused entry changed the log: %d entries", n)
			}
		})
	}
}

// The log's entries must not change through pointers or slices its callers hold.
func TestLogEntriesAreCopies(t *testing.T) {
	log, _ := backpack.NewLog()
	log.Now = clock()
	w := 12.5
	recs := []string{"a", "b"}
	stored, err := log.Append(backpack.Entry{Action: backpack.ActionMerge, Actor: "linker", Weight: &w, Records: recs})
	if err != nil {
		t.Fatal(err)
	}
	w = 99
	recs[0] = "z"
	stored.Records[1] = "y"
	*stored.Weight = 7
	es := log.Entries()
	es[0].Records[0] = "x"
	*es[0].Weight = -1
	es[0].Note = "edited copy"
	got := log.Entries()[0]
	if *got.Weight != 12.5 || !slices.Equal(got.Records, []string{"a", "b"}) || got.Note != "" {
		t.Errorf("stored entry changed through the caller's values: weight %v, records %v, note %q", *got.Weight, got.Records, got.Note)
	}
	if err := backpack.VerifyHead(log.Entries(), log.Head()); err != nil {
		t.Errorf("the log no longer verifies: %v", err)
	}
	// NewLog keeps its own copy of the entries it continues.
	given := log.Entries()
	cont, err := backpack.NewLog(given...)
	if err != nil {
		t.Fatal(err)
	}
	given[0].Records[0], *given[0].Weight = "w", 0
	if err := backpack.Verify(cont.Entries()); err != nil {
		t.Errorf("NewLog's entries changed through the caller's slice: %v", err)
	}
}

func TestConcurrentAppend(t *testing.T) {
	log, _ := backpack.NewLog()
	const workers, each = 16, 40
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
				if k%10 == 0 {
					_ = log.Entries()
					_ = log.Head()
				}
			}
		}()
	}
	wg.Wait()
	es := log.Entries()
	if len(es) != workers*each {
		t.Fatalf("%d entries, want %d", len(es), workers*each)
	}
	if err := backpack.VerifyHead(es, log.Head()); err != nil {
		t.Fatal(err)
	}
	perActor := map[string]int{}
	weights := map[float64]bool{}
	for _, e := range es {
		perActor[e.Actor]++
		weights[*e.Weight] = true
	}
	for g := range workers {
		if n := perActor[fmt.Sprintf("worker-%d", g)]; n != each {
			t.Errorf("worker %d: %d entries, want %d", g, n, each)
		}
	}
	if len(weights) != workers*each {
		t.Errorf("%d distinct weights, want %d", len(weights), workers*each)
	}
}

// FuzzReadEntries: ReadEntries never panics, and Verify never panics on what it reads.
func FuzzReadEntries(f *testing.F) {
	log, _ := backpack.NewLog()
	log.Now = clock()
	log.Append(backpack.Entry{Action: backpack.ActionMerge, Actor: "linker", Weight: ptr(3), Records: []string{"a", "b"}})
	log.Append(backpack.Entry{Action: backpack.ActionSplit, Actor: "registrar", Note: "n"})
	var buf bytes.Buffer
	log.WriteTo(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte("{\"seq\":1}\n\n{\"weight\":1e999}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := backpack.ReadEntries(bytes.NewReader(data))
		if err != nil {
			return
		}
		if err := backpack.Verify(es); err == nil {
			// A chain that verifies continues.
			l, err := backpack.NewLog(es...)
			if err != nil {
				t.Fatalf("Verify passed, NewLog failed: %v", err)
			}
			if _, err := l.Append(backpack.Entry{Action: "x", Actor: "y", Time: t0}); err != nil {
				t.Fatal(err)
			}
			if err := backpack.Verify(l.Entries()); err != nil {
				t.Fatalf("appending to a verified chain broke it: %v", err)
			}
		}
	})
}
