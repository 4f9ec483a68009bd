package service

// The audit chain's anchor. The chain's HMACs show an entry altered, inserted or taken
// from the middle, but not entries taken from the end: the shorter chain verifies. So the
// head of the committed chain (its last sequence number and hash, HMAC'd under the audit
// key) is written after each commit to a file outside the database (Config.AuditAnchor),
// and a start refuses a chain that does not reach the anchor's entry with the anchor's
// hash. Someone able to change the database but not that file cannot cut the chain's
// tail unseen.
//
// The file holds two slots written in turn, each a line with its own HMAC, so that a
// write torn by a crash leaves the other (one commit older) to read; the start takes the
// valid slot with the higher sequence number. A commit's anchor is written after the
// commit, synced for a durable commit and not for a lazy one (the reads' entries), as the
// database is: a crash between the two leaves the anchor behind the chain, which a start
// accepts.
//
// Recovery. A start refused because the chain ends before the anchor means entries are
// missing from the database: deleted, or lost with a restore from a backup older than the
// anchor (or, rarely, the last read entries that were committed lazily lost to a crash of
// the machine; the anchor of a lazy commit is not synced either, so both are usually lost
// together). Find out which. To go on with the chain the database holds, start once with
// Config.NewAuditAnchor (examples/serve -new-audit-anchor): the anchor is made again at
// the chain's head, and an audit entry says so and where the old anchor stood.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/studentlink/studentlink/backpack"
)

// ErrAuditTruncated is a start refused because the stored audit chain does not reach
// its anchor.
var ErrAuditTruncated = errors.New("the audit chain does not reach its anchor")

// anchorSlot is the size of one slot of the anchor file, newline included.
const anchorSlot = 256

// anchorMagic starts every slot.
const anchorMagic = "studentlink-audit-anchor-v1"

// anchor is the open anchor file.
type anchor struct {
	f   *os.File
	key []byte
}

// anchorMAC is the HMAC of a checkpoint under the audit key, apart from the chain's own.
func anchorMAC(key []byte, c backpack.Checkpoint) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s\x00%d\x00%s", anchorMagic, c.Seq, c.Hash)
	return hex.EncodeToString(m.Sum(nil))
}

// slotLine writes a checkpoint as a slot: its line padded with spaces.
func slotLine(key []byte, c backpack.Checkpoint) []byte {
	line := fmt.Sprintf("%s %d %s %s", anchorMagic, c.Seq, c.Hash, anchorMAC(key, c))
	return []byte(line + strings.Repeat(" ", anchorSlot-1-len(line)) + "\n")
}

// readSlot reads a slot; ok is false for a blank, torn or forged one.
func readSlot(key []byte, b []byte) (backpack.Checkpoint, bool) {
	f := strings.Fields(string(b))
	if len(f) != 4 || f[0] != anchorMagic {
		return backpack.Checkpoint{}, false
	}
	seq, err := strconv.ParseInt(f[1], 10, 64)
	c := backpack.Checkpoint{Seq: seq, Hash: f[2]}
	return c, err == nil && hmac.Equal([]byte(f[3]), []byte(anchorMAC(key, c)))
}

// openAnchor opens (creating, mode 0600) the anchor file and returns the checkpoint it
// holds; found is false for a new or empty file. A file whose slots are all torn or
// forged is an error.
func openAnchor(path string, key []byte) (*anchor, backpack.Checkpoint, bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, backpack.Checkpoint{}, false, fmt.Errorf("service: the audit anchor: %w", err)
	}
	a := &anchor{f: f, key: key}
	buf := make([]byte, 2*anchorSlot)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		f.Close()
		return nil, backpack.Checkpoint{}, false, fmt.Errorf("service: reading the audit anchor %s: %w", path, err)
	}
	var best backpack.Checkpoint
	found := false
	for k := 0; (k+1)*anchorSlot <= n; k++ {
		if c, ok := readSlot(key, buf[k*anchorSlot:(k+1)*anchorSlot]); ok && (!found || c.Seq > best.Seq) {
			best, found = c, true
		}
	}
	if n > 0 && !found {
		f.Close()
		return nil, best, false, fmt.Errorf("service: the audit anchor %s holds no slot that verifies under the audit key (another database's, or altered)", path)
	}
	return a, best, found, nil
}

// write records a checkpoint in the slot of its parity, synced when durable.
func (a *anchor) write(c backpack.Checkpoint, durable bool) error {
	if _, err := a.f.WriteAt(slotLine(a.key, c), int64(c.Seq%2)*anchorSlot); err != nil {
		return err
	}
	if durable {
		return a.f.Sync()
	}
	return nil
}

// reset empties the file and records one checkpoint, synced: a slot left from before
// would otherwise name an entry a replaced chain never reaches.
func (a *anchor) reset(c backpack.Checkpoint) error {
	if err := a.f.Truncate(0); err != nil {
		return err
	}
	return a.write(c, true)
}

func (a *anchor) close() error { return a.f.Close() }

// reaches checks that a verified chain reaches an anchor's checkpoint: it holds the
// anchor's entry, with the anchor's hash.
func reaches(entries []backpack.Entry, c backpack.Checkpoint) error {
	var head backpack.Checkpoint
	if n := len(entries); n > 0 {
		head = backpack.Checkpoint{Seq: entries[n-1].Seq, Hash: entries[n-1].Hash}
	}
	for i := len(entries) - 1; i >= 0 && entries[i].Seq >= c.Seq; i-- {
		if entries[i].Seq == c.Seq && entries[i].Hash == c.Hash {
			return nil
		}
	}
	return fmt.Errorf("service: %w: the chain in the database ends at entry %d, the anchor names entry %d (hash %.12s…): entries are missing "+
		"(deleted, or the database restored from an older backup); once you know which, start once with Config.NewAuditAnchor (examples/serve -new-audit-anchor) to anchor the chain as it is", ErrAuditTruncated, head.Seq, c.Seq, c.Hash)
}

// loadAnchor opens the anchor (Config.AuditAnchor, if any) and checks that the chain
// (entries, verified) reaches it. A missing anchor is made at the chain's head on the
// first start, or when Config.NewAuditAnchor says to (audited); otherwise a store started
// before with no anchor is refused, even with an empty chain, since deleting the file
// (and the chain) would else disarm it.
func (s *Server) loadAnchor(entries []backpack.Entry) error {
	if s.cfg.AuditAnchor == "" {
		return nil
	}
	a, c, found, err := openAnchor(s.cfg.AuditAnchor, s.cfg.AuditKey)
	if err != nil && !s.cfg.NewAuditAnchor {
		return err
	}
	if err == nil && found && !s.cfg.NewAuditAnchor {
		if err := reaches(entries, c); err != nil {
			a.close()
			return err
		}
		s.anchor = a
		return nil
	}
	// Not the first start: the store was seeded before, and its first start made the
	// anchor. Missing now, it was deleted (or never kept: a database made before anchors),
	// whatever the chain holds; an empty chain is refused too, or deleting the chain and
	// the anchor together would pass unseen.
	if err == nil && !found && s.FirstStart == nil && !s.cfg.NewAuditAnchor {
		a.close()
		return fmt.Errorf("service: the audit anchor %s is missing or empty and the store was started before (the chain has %d entries): "+
			"if it was deleted, find out why and whether entries were deleted with it; start once with Config.NewAuditAnchor (examples/serve -new-audit-anchor) to anchor the chain as it is", s.cfg.AuditAnchor, len(entries))
	}
	var why string // for the audit entry of a start that replaces the anchor
	switch {
	case found:
		why = fmt.Sprintf("the old one named entry %d", c.Seq)
	case err != nil:
		why = fmt.Sprintf("the old one did not verify under the audit key (%v)", err)
	default:
		why = fmt.Sprintf("the anchor file was missing or empty, on a store started before; the chain held %d entries", len(entries))
	}
	if a == nil { // NewAuditAnchor over a file that does not verify: start it again
		if err := os.Remove(s.cfg.AuditAnchor); err != nil {
			return fmt.Errorf("service: the audit anchor: %w", err)
		}
		if a, _, _, err = openAnchor(s.cfg.AuditAnchor, s.cfg.AuditKey); err != nil {
			return err
		}
	}
	s.anchor = a
	return s.reanchor(why)
}

// reanchor anchors the chain at its head, with an entry saying so and why (not on a
// first start, whose anchor is the first one).
func (s *Server) reanchor(why string) error {
	if s.FirstStart == nil {
		note := "audit anchor made again at the chain's head at start (Config.NewAuditAnchor); " + why
		s.wmu.Lock()
		defer s.wmu.Unlock()
		if err := s.commit(context.Background(), []backpack.Entry{{Action: actionAccess, Actor: "service", Note: note}}, nil); err != nil {
			return err
		}
	}
	return s.anchor.reset(s.audit.head())
}
