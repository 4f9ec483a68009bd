package backpack

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/studentlink/studentlink/internal/boundedfile"
	"github.com/studentlink/studentlink/internal/filelock"
	"github.com/studentlink/studentlink/internal/strictjson"
)

// logFiles are a file log's two files: the entries, opened for appending only, and the
// anchor, which holds the head alone (see writeAnchor).
type logFiles struct {
	path, anchorPath string
	log              *os.File
	head             Checkpoint // what the anchor holds
}

// OpenLog opens the durable audit log at path, keyed by key (at least MinKeySize bytes,
// held by the state), with its head in the anchor file at anchorPath — keep that on
// other storage than the log, so that one who can rewrite the log cannot also rewrite its
// anchor. The log and the anchor must be two files: two spellings of one path
// ("dir/log" and "dir/./log") and, where the files exist, two names of one file (a
// symbolic or hard link) are refused with an error naming both paths, as writing the
// anchor would replace the log. Missing files are created (both, or a missing anchor
// beside an empty log).
//
// Each Append writes its line with O_APPEND and fsyncs it, then replaces the anchor by
// the new head (writeAnchor), so a crash leaves a readable prefix. The anchor holds the
// latest head only, never earlier ones: cutting it short leaves no older head that a log
// cut to match would verify against. An anchor of earlier versions, which kept every
// checkpoint, still reads, and OpenLog rewrites it to its last. The
// log is one writer's: OpenLog takes an exclusive lock on the log file (flock, where the
// system has it), held until Close, and waits up to 30 seconds for another writer — in
// this process or another — to close it, then fails wrapping ErrLogBusy. On
// opening, the log must verify against its anchor before anything is appended: a log cut
// short, emptied or deleted, an entry altered or appended without the key, is an error
// and the log is not opened. What a crash can leave is repaired, the repair is logged as
// an ActionRecover entry and Log.Recovered says what it was: the torn last line of a
// write that never returned (it is cut off; it was never acknowledged), and the entries
// of the one batch that was being written, which the anchor announced (an intent) but
// did not checkpoint yet (they verify under the key and are anchored). More entries past
// the last checkpoint than the batch announced — all of them, when the anchor was
// emptied — are an error.
//
// What OpenLog reads is bounded, as the log grows for years: the log and the anchor must
// be regular files where they exist (a device such as /dev/zero, a FIFO or a folder, or
// a symbolic link to one, is refused with an error naming it, before it is opened); the
// log is read and verified one line at a time, holding no more than one entry, and any
// line over MaxEntrySize is an error wrapping ErrLineTooLong naming the file and the
// line; the anchor, two short lines, is read whole up to MaxAnchorSize. The log has no
// cap on its size: a longer log takes longer to open, not more memory.
func OpenLog(path, anchorPath string, key []byte) (*Log, error) {
	if err := checkAuditKey(key); err != nil {
		return nil, err
	}
	if err := distinctFiles(path, anchorPath, nil); err != nil {
		return nil, err
	}
	if err := checkFiles(path, anchorPath); err != nil {
		return nil, err
	}
	lf, err := lockLog(path, anchorPath)
	if err != nil {
		return nil, err
	}
	if err := distinctFiles(path, anchorPath, lf); err != nil { // the log exists now: an anchor that is a dangling link to it resolves
		lf.Close()
		return nil, err
	}
	l, err := openLocked(lf, path, anchorPath, key)
	if err != nil {
		lf.Close() // and the lock with it
		return nil, err
	}
	return l, nil
}

// distinctFiles refuses a log and an anchor that are one file: the same path once made
// absolute and cleaned ("dir/log" and "dir/./log", "sub/../log"), or, where both exist,
// one file by os.SameFile (a symbolic link to the other, a hard link, a name a
// case-insensitive file system folds). Writing the anchor would replace the log, entries
// and all. lf, when given, is the log as opened, compared in place of a Stat of path; a
// path that does not exist yet, or that Stat cannot read, is compared by name alone (the
// open that follows reports it).
func distinctFiles(path, anchorPath string, lf *os.File) error {
	refuse := func(why string) error {
		return fmt.Errorf("backpack: audit: the log %s and its anchor %s are one file (%s): the anchor must be another file than the log", path, anchorPath, why)
	}
	absLog, errLog := filepath.Abs(path)
	absAnchor, errAnchor := filepath.Abs(anchorPath)
	if errLog == nil && errAnchor == nil && absLog == absAnchor {
		return refuse("the same path, " + absLog)
	}
	if path == anchorPath {
		return refuse("the same path")
	}
	var logInfo fs.FileInfo
	var err error
	if lf != nil {
		logInfo, err = lf.Stat()
	} else {
		logInfo, err = os.Stat(path)
	}
	if err != nil {
		return nil
	}
	anchorInfo, err := os.Stat(anchorPath)
	if err != nil {
		return nil
	}
	if os.SameFile(logInfo, anchorInfo) {
		return refuse("a link to the same file")
	}
	return nil
}

// MaxAnchorSize is the most read of an anchor file, in bytes: OpenLog and VerifyFile
// refuse a larger one, naming it. An anchor holds two short lines (the head, and an
// intent while a batch is written); an anchor of earlier versions, which kept a line of
// about 90 bytes for every batch ever appended, fits while it has fewer than some
// 700,000 of them.
const MaxAnchorSize = 64 << 20

// checkFiles refuses, before anything opens them, a log or anchor that exists and is not
// a regular file — a device such as /dev/zero, a FIFO (opening one blocks), a folder, or
// a symbolic link to one — and an anchor over MaxAnchorSize, with an error naming the
// file. A missing file passes: OpenLog creates it. The log has no cap on its size, only
// on each line (MaxEntrySize): it is read one line at a time.
func checkFiles(path, anchorPath string) error {
	for _, f := range []struct {
		what, path string
		limit      int64
	}{{"log", path, math.MaxInt64}, {"anchor", anchorPath, MaxAnchorSize}} {
		if err := boundedfile.Check(f.path, f.limit); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("backpack: audit: the %s %s: %w", f.what, f.path, err)
		}
	}
	return nil
}

// openLogWait is how long OpenLog waits for another writer to close the log.
var openLogWait = 30 * time.Second

// ErrLogBusy is wrapped by OpenLog's error when another writer kept the log open for
// longer than OpenLog waits.
var ErrLogBusy = errors.New("the log is open for writing elsewhere")

// lockLog opens the log for appending and takes its exclusive lock, waiting up to
// openLogWait for another writer to close it. A missing log is created, unless its
// anchor names entries: then the log was deleted, which is an error.
func lockLog(path, anchorPath string) (*os.File, error) {
	lf, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if errors.Is(err, fs.ErrNotExist) {
		anchor, anchorErr := readAnchor(anchorPath)
		if n := lastCheckpoint(anchor).Seq; anchorErr == nil && n > 0 {
			return nil, fmt.Errorf("backpack: audit: %s is missing but its anchor %s names %d entries: the log was deleted", path, anchorPath, n)
		}
		lf, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	}
	if err != nil {
		return nil, fmt.Errorf("backpack: audit: %w", err)
	}
	if st, err := lf.Stat(); err != nil || !st.Mode().IsRegular() { // replaced since checkFiles
		lf.Close()
		if err == nil {
			err = fmt.Errorf("%w (%v)", boundedfile.ErrNotRegular, st.Mode().Type())
		}
		return nil, fmt.Errorf("backpack: audit: the log %s: %w", path, err)
	}
	switch ok, err := filelock.Within(lf, openLogWait); {
	case err != nil:
		lf.Close()
		return nil, fmt.Errorf("backpack: audit: locking %s: %w", path, err)
	case !ok:
		lf.Close()
		return nil, fmt.Errorf("backpack: audit: %s: %w (another process or Log has it open); waited %v for it to close", path, ErrLogBusy, openLogWait)
	}
	return lf, nil
}

// openLocked is OpenLog once it holds the lock on lf, the log opened for appending.
func openLocked(lf *os.File, path, anchorPath string, key []byte) (*Log, error) {
	anchor, err := readAnchor(anchorPath)
	anchorTorn, anchorErr := tornAt(err)
	scan, err := scanLog(path, key, anchor)
	logTorn, logErr := tornAt(err)
	logMissing, anchorMissing := errors.Is(logErr, fs.ErrNotExist), errors.Is(anchorErr, fs.ErrNotExist)
	switch {
	case logErr != nil && !logMissing:
		return nil, fmt.Errorf("backpack: audit: %s: %w", path, logErr)
	case anchorErr != nil && !anchorMissing:
		return nil, fmt.Errorf("backpack: audit: %s: %w", anchorPath, anchorErr)
	case logMissing && !anchorMissing && lastCheckpoint(anchor).Seq > 0:
		return nil, fmt.Errorf("backpack: audit: %s is missing but its anchor %s names %d entries: the log was deleted",
			path, anchorPath, lastCheckpoint(anchor).Seq)
	case anchorMissing && (scan.n > 0 || logTorn >= 0):
		return nil, fmt.Errorf("backpack: audit: %s holds entries but its anchor %s is missing", path, anchorPath)
	}
	last, intent := lastCheckpoint(anchor), pendingIntent(anchor)
	if scan.n < last.Seq {
		return nil, inFile(path, scan.anchored(anchor, last.Seq))
	}
	if err := scan.anchored(anchor, last.Seq); err != nil {
		return nil, inFile(path, err)
	}
	if scan.chainErr != nil {
		return nil, inFile(path, scan.chainErr)
	}
	// Entries past the last checkpoint are what a crash leaves of one batch: the batch
	// its intent announced, no more. Without an intent for them (an anchor emptied, cut
	// or lost) or past it, they were not written by Append.
	if n := scan.n; n > last.Seq && (intent.Seq <= last.Seq || n > intent.Seq) {
		return nil, inFile(path, &ChainError{Index: int(last.Seq), Seq: last.Seq + 1, Reason: fmt.Sprintf(
			"%d entries follow the anchor's last checkpoint (seq %d) and no batch was announced for them: the anchor was emptied or cut, or they were appended without it",
			n-last.Seq, last.Seq)})
	}
	var repairs []string
	if logTorn >= 0 {
		if err := truncateFile(path, logTorn); err != nil {
			return nil, err
		}
		repairs = append(repairs, fmt.Sprintf("cut a torn last line at byte %d of the log", logTorn))
	}
	if anchorTorn >= 0 {
		if err := truncateFile(anchorPath, anchorTorn); err != nil {
			return nil, err
		}
		repairs = append(repairs, fmt.Sprintf("cut a torn last checkpoint at byte %d of the anchor", anchorTorn))
	}
	switch n := scan.n; {
	case n > last.Seq:
		repairs = append(repairs, fmt.Sprintf("anchored entries %d–%d of a batch announced up to %d, written before the anchor was", last.Seq+1, n, intent.Seq))
	case intent.Seq > last.Seq:
		repairs = append(repairs, fmt.Sprintf("a batch announced up to %d was never written", intent.Seq))
	}
	disk, err := openLogFiles(lf, path, anchorPath, scan.head)
	if err != nil {
		return nil, err
	}
	l := &Log{key: slices.Clone(key), disk: disk, head: scan.head, last: scan.last}
	if len(repairs) > 0 {
		l.recovered = strings.Join(repairs, "; ")
		if _, err := l.Append(Entry{Action: ActionRecover, Actor: "backpack.OpenLog", Note: l.recovered}); err != nil {
			disk.close()
			return nil, err
		}
	}
	return l, nil
}

// lastCheckpoint returns the anchor's last checkpoint, intents aside.
func lastCheckpoint(cs []Checkpoint) Checkpoint {
	for k := len(cs) - 1; k >= 0; k-- {
		if !cs[k].intent() {
			return cs[k]
		}
	}
	return Checkpoint{}
}

// pendingIntent returns the intent that ends the anchor, if one does: a batch announced
// and never checkpointed.
func pendingIntent(cs []Checkpoint) Checkpoint {
	if n := len(cs); n > 0 && cs[n-1].intent() {
		return cs[n-1]
	}
	return Checkpoint{}
}

// inFile says which log file an error is about, without repeating the package's
// prefix.
func inFile(path string, err error) error {
	if err == nil {
		return nil
	}
	return &fileError{path, err}
}

type fileError struct {
	path string
	err  error
}

func (e *fileError) Error() string {
	msg := strings.TrimPrefix(e.err.Error(), "backpack: ")
	return "backpack: audit: " + e.path + ": " + strings.TrimPrefix(msg, "audit: ")
}

func (e *fileError) Unwrap() error { return e.err }

// openLogFiles writes the anchor beside lf, the locked log, as head alone (creating it,
// or rewriting an anchor of checkpoints to its last), and makes the log's creation
// durable. The caller closes lf on an error.
func openLogFiles(lf *os.File, path, anchorPath string, head Checkpoint) (*logFiles, error) {
	if err := syncDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	d := &logFiles{path: path, anchorPath: anchorPath, log: lf}
	if err := d.writeAnchor(head); err != nil {
		return nil, fmt.Errorf("backpack: audit: %w", err)
	}
	return d, nil
}

// writeAnchor replaces the anchor by head, followed by an intent when given one (see
// Checkpoint.intent), through replaceFile: a crash leaves the old anchor or the new.
func (d *logFiles) writeAnchor(head Checkpoint, intent ...Checkpoint) error {
	var data []byte
	for _, c := range append([]Checkpoint{head}, intent...) {
		line, err := json.Marshal(c)
		if err != nil {
			return err
		}
		data = append(append(data, line...), '\n')
	}
	if err := replaceFile(d.anchorPath, data); err != nil {
		return err
	}
	d.head = head
	return nil
}

// replaceFile replaces the file at path by data (mode 0600): written to a temporary file
// beside it, synced, renamed over it and its directory synced, so a crash leaves the old
// file or the new one, never a part. The release ledger and the audit anchor are written
// so.
func replaceFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // once renamed, there is nothing to remove
	_, err = tmp.Write(data)
	err = errors.Join(err, tmp.Chmod(0o600), tmp.Sync(), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	return err
}

// syncDir fsyncs a directory, so that files created in it survive a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("backpack: audit: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("backpack: audit: syncing %s: %w", dir, err)
	}
	return nil
}

// truncateFile cuts a file to size and fsyncs it.
func truncateFile(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("backpack: audit: %w", err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("backpack: audit: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backpack: audit: %w", err)
	}
	return nil
}

// append announces the batch in the anchor (the old head, then an intent: the head it
// will reach, with no hash), writes lines to the log and syncs, then replaces the anchor
// by the new head: the anchor never names an entry the log may lack, and the entries a
// crash leaves past the anchored head are at most the batch announced.
func (d *logFiles) append(lines []byte, head Checkpoint) error {
	if err := d.writeAnchor(d.head, Checkpoint{Seq: head.Seq}); err != nil {
		return err
	}
	if _, err := d.log.Write(lines); err != nil {
		return err
	}
	if err := d.log.Sync(); err != nil {
		return err
	}
	return d.writeAnchor(head)
}

func (d *logFiles) entries() ([]Entry, error) {
	f, err := boundedfile.Open(d.path, math.MaxInt64)
	if err != nil {
		return nil, fmt.Errorf("backpack: audit: %s: %w", d.path, err)
	}
	defer f.Close()
	return ReadEntries(f)
}

func (d *logFiles) close() error {
	return d.log.Close()
}

// ErrUnfinishedBatch is wrapped by VerifyFile's error for an anchor that ends with an
// intent past the log's last entry: a batch announced and never written or never
// checkpointed.
var ErrUnfinishedBatch = errors.New("the anchor announces a batch past the log's last entry")

// VerifyFile verifies the log file at path under key against the anchor file at
// anchorPath (see VerifyAnchored) and returns the head it verified. A missing or
// unreadable file, a line that does not read strictly, and a torn last line are errors.
// It reads as OpenLog does: regular files only (a device, FIFO or folder, or a link to
// one, is refused before it is opened and again once open), the log one line at a time
// and verified as it is read, so that its size bounds the time taken and not the memory,
// with no line over MaxEntrySize (an error wrapping ErrLineTooLong names the file and
// the line), and an anchor of at most MaxAnchorSize bytes.
//
// An anchor that ends with an intent past the last entry is an error wrapping
// ErrUnfinishedBatch, returned with the head that did verify: a crash during Append
// leaves it, but so does cutting the log's last batch together with its checkpoint, and
// the two look alike. OpenLog tells them apart as far as it can, repairs a crash and
// logs the repair (ActionRecover); verify after it.
func VerifyFile(path, anchorPath string, key []byte) (Checkpoint, error) {
	if err := checkAuditKey(key); err != nil {
		return Checkpoint{}, err
	}
	anchor, anchorErr := readAnchor(anchorPath)
	scan, logErr := scanLog(path, key, anchor)
	named := func(p string, err error) error {
		if err == nil {
			return nil
		}
		return fmt.Errorf("backpack: audit: %s: %w", p, err)
	}
	if err := errors.Join(named(path, logErr), named(anchorPath, anchorErr)); err != nil {
		return Checkpoint{}, err
	}
	if err := scan.anchored(anchor, math.MaxInt64); err != nil {
		return Checkpoint{}, inFile(path, err)
	}
	head := lastCheckpoint(anchor)
	if intent := pendingIntent(anchor); intent.Seq > head.Seq {
		return head, inFile(anchorPath, fmt.Errorf("%w: entries up to seq %d were announced, the log ends at seq %d: a crash during an append, or entries cut from the end with their checkpoint; OpenLog repairs a crash and logs it",
			ErrUnfinishedBatch, intent.Seq, head.Seq))
	}
	return head, nil
}

// LineError is a line of an audit log or anchor that does not read.
type LineError struct {
	Line   int   // 1-based
	Offset int64 // byte offset of the line's start
	Err    error
}

func (e *LineError) Error() string {
	return fmt.Sprintf("line %d (byte %d): %v", e.Line, e.Offset, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// ErrTorn is wrapped by the error for a last line without its newline: a write that a
// crash cut short.
var ErrTorn = errors.New("torn line: no newline at its end")

// ReadEntries reads audit entries as Append writes them, one JSON object per line, and
// nothing else: a key that is unknown, repeated or spelt in another case, a line not in
// the exact form Append writes, a blank line, a line over MaxEntrySize and a torn last
// line are *LineErrors naming the line (ErrLineTooLong for one too long). It returns the
// entries before the first bad line with the error. It does not verify the chain. Each
// line is capped, not the whole: ReadEntries holds every entry of r, so r must be a log
// the caller means to hold in memory; OpenLog and VerifyFile read a log file a line at a
// time instead, whatever its length.
func ReadEntries(r io.Reader) ([]Entry, error) {
	return readLines(r, decodeEntry)
}

// ReadCheckpoints reads an anchor file as strictly as ReadEntries reads a log.
func ReadCheckpoints(r io.Reader) ([]Checkpoint, error) {
	return readLines(r, decodeCheckpoint)
}

// ErrLineTooLong is wrapped by the *LineError for a line of a log or anchor longer than
// MaxEntrySize, newline included: the most read of one line, so that a file without
// newlines (or a device read by mistake) is not read into memory whole.
var ErrLineTooLong = fmt.Errorf("longer than %d bytes (MaxEntrySize), the most read of a line", MaxEntrySize)

// readAnchor reads an anchor file through boundedfile: a regular file, of at most
// MaxAnchorSize bytes. Its errors do not name path.
func readAnchor(path string) ([]Checkpoint, error) {
	f, err := boundedfile.Open(path, MaxAnchorSize)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLines(f, decodeCheckpoint)
}

// logScan is what scanLog read of a log file: how many entries, the last one's
// checkpoint and time, the first entry that does not verify, and the hashes of the
// entries the anchor names, by sequence number.
type logScan struct {
	n        int64
	head     Checkpoint
	last     time.Time
	chainErr error // a *ChainError, as VerifyChain returns it
	named    map[int64]string
}

// scanLog reads the log file at path through boundedfile (a regular file; no cap on its
// size) one line at a time, verifying each entry's link under key as it goes (see
// VerifyChain) and keeping no more than one entry and the hashes of the entries anchor
// names. The entries past the first that fails are read, not verified: a line that does
// not read is the error, as for ReadEntries, before a chain that does not verify. Its
// errors do not name path.
func scanLog(path string, key []byte, anchor []Checkpoint) (*logScan, error) {
	s := &logScan{named: map[int64]string{}}
	for _, c := range anchor {
		if !c.intent() && c.Seq > 0 {
			s.named[c.Seq] = ""
		}
	}
	f, err := boundedfile.Open(path, math.MaxInt64)
	if err != nil {
		return s, err
	}
	defer f.Close()
	err = scanLines(f, decodeEntry, func(e Entry) error {
		i := s.n
		s.n++
		if s.chainErr != nil {
			return nil
		}
		if err := verifyLink(int(i), e, key, Checkpoint{}, s.head.Hash); err != nil {
			s.chainErr = err
			return nil
		}
		if _, ok := s.named[s.n]; ok {
			s.named[s.n] = e.Hash
		}
		s.head, s.last = Checkpoint{Seq: e.Seq, Hash: e.Hash}, e.Time
		return nil
	})
	return s, err
}

// anchored is VerifyAnchored of the first upTo entries scanLog read (all of them when
// it read fewer).
func (s *logScan) anchored(anchor []Checkpoint, upTo int64) error {
	n := min(s.n, upTo)
	if ce, ok := s.chainErr.(*ChainError); ok && int64(ce.Index) < n {
		return ce
	}
	return checkAnchor(n, anchor, func(seq int64) string { return s.named[seq] })
}

// tornAt turns the error of a torn last line into its offset, for OpenLog to cut it:
// -1 and err for any other error.
func tornAt(err error) (int64, error) {
	var le *LineError
	if errors.As(err, &le) && errors.Is(err, ErrTorn) {
		return le.Offset, nil
	}
	return -1, err
}

func readLines[T any](r io.Reader, decode func([]byte) (T, error)) ([]T, error) {
	var out []T
	err := scanLines(r, decode, func(v T) error { out = append(out, v); return nil })
	return out, err
}

// scanLines decodes r's lines one at a time, handing each to use; a line that does not
// read (see ReadEntries) is a *LineError, an error of use is returned as it is.
func scanLines[T any](r io.Reader, decode func([]byte) (T, error), use func(T) error) error {
	br := bufio.NewReaderSize(r, MaxEntrySize)
	var offset int64
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		fail := func(err error) error { return &LineError{Line: n, Offset: offset, Err: err} }
		switch {
		case err == io.EOF && len(line) == 0:
			return nil
		case err == io.EOF:
			return fail(ErrTorn)
		case errors.Is(err, bufio.ErrBufferFull):
			return fail(ErrLineTooLong)
		case err != nil:
			return fail(err)
		}
		v, err := decode(line[:len(line)-1])
		if err != nil {
			return fail(err)
		}
		if err := use(v); err != nil {
			return err
		}
		offset += int64(len(line))
	}
}

func decodeEntry(line []byte) (Entry, error) {
	var e Entry
	err := decodeCanonical(line, entryKeys, &e)
	return e, err
}

func decodeCheckpoint(line []byte) (Checkpoint, error) {
	var c Checkpoint
	err := decodeCanonical(line, checkpointKeys, &c)
	return c, err
}

// decodeCanonical decodes a line that must be exactly what json.Marshal writes for the
// value: keys from the list, each once and spelt so, in order, with nothing between.
func decodeCanonical[T any](line []byte, keys []string, v *T) error {
	if len(bytes.TrimSpace(line)) == 0 {
		return errors.New("blank line")
	}
	if err := strictjson.Check(line, strictjson.Rules{MaxDepth: 2, Top: keys}); err != nil {
		return err
	}
	if err := json.Unmarshal(line, v); err != nil {
		return err
	}
	again, err := json.Marshal(v)
	if err != nil || !bytes.Equal(again, line) {
		return errors.New("not written as Append writes it: a key is missing, or the order, spacing or escaping differs")
	}
	return nil
}
