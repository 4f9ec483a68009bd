package service

import (
	"database/sql"
	"sync"
	"time"
)

// holdsCache remembers whether an LEA holds a record of a student (Store.holds), which a
// search asks for each candidate it names: at a million records the query is a fifth of
// a search's CPU, and an LEA asks about the same students again and again while it
// enrolls them. A transaction that writes records (insertRecord, setStudent, retire)
// empties the cache when it writes and again when it ends; nothing read while such a
// transaction is open, or read before a write and kept after it, is remembered. Another
// server on the same database writes unseen: the cache starts again every holdsTTL, as
// the API keys' does.
type holdsCache struct {
	mu      sync.Mutex
	since   time.Time          // when known was last emptied
	gen     uint64             // counts the emptyings
	writing map[*sql.Tx]bool   // transactions that wrote records and have not ended
	known   map[[2]string]bool // {lea, student} → holds
}

// maxHeld bounds the cache: past it, it starts again empty; and so it does every
// holdsTTL.
const (
	maxHeld  = 1 << 20
	holdsTTL = 10 * time.Second
)

// lookup returns what is remembered for an LEA and a student (ok false: nothing), and
// the generation to give keep with an answer read otherwise.
func (c *holdsCache) lookup(lea, student string) (held, ok bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	held, ok = c.known[[2]string{lea, student}]
	return held, ok && len(c.writing) == 0 && time.Since(c.since) <= holdsTTL, c.gen
}

// keep remembers an answer read at generation gen, unless the cache was emptied since
// or a write is open.
func (c *holdsCache) keep(lea, student string, held bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || len(c.writing) > 0 {
		return
	}
	if c.known == nil || len(c.known) >= maxHeld || time.Since(c.since) > holdsTTL {
		c.known, c.since = map[[2]string]bool{}, time.Now()
	}
	c.known[[2]string{lea, student}] = held
}

// wrote notes that tx wrote records, emptying the cache.
func (c *holdsCache) wrote(tx *sql.Tx) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.writing == nil {
		c.writing = map[*sql.Tx]bool{}
	}
	c.writing[tx] = true
	c.gen++
	clear(c.known)
}

// ended notes that tx committed or rolled back, emptying the cache if it wrote records.
func (c *holdsCache) ended(tx *sql.Tx) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.writing[tx] {
		delete(c.writing, tx)
		c.gen++
		clear(c.known)
	}
}
