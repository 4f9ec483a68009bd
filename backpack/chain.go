package backpack

import (
	"sync"
	"time"
)

// Chain links audit entries as a Log appends them — sequence number, time, Prev and the
// HMAC under the key, the same checks, the same lines — without keeping them: for a
// program that stores the entries itself (in a database) and needs in memory only the
// head of the chain, however long the chain grows. Safe for concurrent use.
type Chain struct {
	mu   sync.Mutex
	key  []byte
	head Checkpoint
	last time.Time // of the last entry linked, or the head's given to NewChainAt; zero: none known
	// Now stamps entries without a time; nil means time.Now.
	Now func() time.Time
}

// NewChain continues the chain whose last entry is head (the zero Checkpoint for a new
// chain) under key (at least MinKeySize bytes). The entries up to head are not
// checked: verify them (VerifyChain) before continuing a stored chain. Their times are
// not known either: continue a stored chain with NewChainAt, which knows the head's time,
// so that entries linked next keep the order of times (see Log.Append).
func NewChain(key []byte, head Checkpoint) (*Chain, error) {
	return NewChainAt(key, head, time.Time{})
}

// NewChainAt is NewChain continuing a chain whose head entry has the time last (zero:
// no entry, or unknown): an entry linked next is stamped no earlier than last, however
// the clock stands (stepped back across a restart), and a caller's time before last is
// refused, as a Log that reopens its file does.
func NewChainAt(key []byte, head Checkpoint, last time.Time) (*Chain, error) {
	if err := checkAuditKey(key); err != nil {
		return nil, err
	}
	return &Chain{key: append([]byte(nil), key...), head: head, last: last.UTC().Round(0)}, nil
}

// Link links entries as the next of the chain, in order, and returns them as a Log would
// store them, with each one's line: its JSON as a file log writes it, without the
// newline. An entry Append would refuse is an error, and nothing is linked.
func (c *Chain) Link(es ...Entry) ([]Entry, [][]byte, error) {
	for _, e := range es {
		if err := e.check(); err != nil {
			return nil, nil, err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out, lines, head, last, err := link(c.key, c.head, c.last, c.Now, es)
	if err != nil {
		return nil, nil, err
	}
	c.head, c.last = head, last
	return out, lines, nil
}

// Head returns the checkpoint of the last entry linked (or the head the chain was
// continued from).
func (c *Chain) Head() Checkpoint {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.head
}
