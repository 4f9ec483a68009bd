package service

// API keys: issued per LEA (or for the state's reviewers), kept hashed, revoked by LEA or
// one by one. A call checks its key against a cache that the store is asked again after
// keyRecheck. A revocation is made through the server holding the database (examples/serve
// -revoke-key opens it with the server stopped: one server at a time, see runlock.go) and
// takes effect at once; the recheck only bounds how long a change made to the store some
// other way (by hand) goes unseen.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/studentlink/studentlink/backpack"
)

// keyRecheck is how long a checked key is trusted before the store is asked again. A
// call costs a look-up in memory; the store answers once per key per keyRecheck.
const keyRecheck = 10 * time.Second

// keyCache remembers keys already checked, by hash, and when. gen counts the times it was
// emptied: a check that asked the store before a revocation does not put back what it
// read after.
type keyCache struct {
	m   sync.Map
	mu  sync.Mutex // held to empty the map, and to store in it after asking the store
	gen atomic.Uint64
}

// storedKey is what the store says of a key: what it was issued for, and whether it was
// revoked.
type storedKey struct {
	spec    KeySpec
	revoked bool
	checked time.Time
}

// check returns what the store says of a key, from the cache while fresh. A revoked key
// stays revoked, so it is never asked about again; an unknown key is not remembered (its
// calls are throttled instead).
func (c *keyCache) check(ctx context.Context, st *Store, key string, now time.Time) (storedKey, bool, error) {
	h := hashToken(key)
	if v, ok := c.m.Load(h); ok {
		k := v.(storedKey)
		if k.revoked || now.Sub(k.checked) < keyRecheck && !now.Before(k.checked) {
			return k, true, nil
		}
	}
	gen := c.gen.Load()
	k, ok, err := st.keyOf(ctx, h)
	if err != nil || !ok {
		return k, false, err
	}
	k.checked = now
	c.mu.Lock()
	if c.gen.Load() == gen {
		c.m.Store(h, k)
	}
	c.mu.Unlock()
	return k, true, nil
}

// forget drops every cached key, so that the next call of each asks the store.
func (c *keyCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	c.m.Clear()
}

// keyOf returns what the store says of the key with the given hash.
func (s *Store) keyOf(ctx context.Context, hash string) (storedKey, bool, error) {
	var k storedKey
	var revoked string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT lea, label, revoked FROM api_keys WHERE hash = ?`), hash).Scan(&k.spec.LEA, &k.spec.Label, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return k, false, nil
	}
	k.revoked = revoked != ""
	return k, err == nil, err
}

// liveKeys returns the labels of the live keys a condition selects.
func (s *Store) liveKeys(ctx context.Context, cond string, args ...any) ([]string, error) {
	return queryRows(ctx, s, "API keys", `SELECT label FROM api_keys WHERE revoked = '' AND `+cond+` ORDER BY created, label`, args,
		func(r *sql.Rows) (string, error) {
			var l string
			return l, r.Scan(&l)
		})
}

// revokeKeys marks revoked the live keys a condition selects.
func (s *Store) revokeKeys(ctx context.Context, tx *sql.Tx, at time.Time, cond string, args ...any) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE api_keys SET revoked = ? WHERE revoked = '' AND `+cond), append([]any{stamp(at)}, args...)...)
	return err
}

// ErrNoLiveKey is a revocation that found no key to revoke: none was issued, or every one
// is revoked already.
var ErrNoLiveKey = errors.New("no live API key")

// RevokeLEAKeys revokes every live API key of an LEA (lea "" for the state's reviewers)
// and returns their labels; calls made with them are refused from then on. The revocation is
// audited as made by actor.
func (s *Server) RevokeLEAKeys(ctx context.Context, lea, actor string) ([]string, error) {
	return s.revoke(ctx, actor, scopeName(lea), `lea = ?`, lea)
}

// RevokeAPIKey revokes one API key, given itself, and returns its label.
func (s *Server) RevokeAPIKey(ctx context.Context, key, actor string) (string, error) {
	labels, err := s.revoke(ctx, actor, "the key given", `hash = ?`, hashToken(key))
	if err != nil {
		return "", err
	}
	return labels[0], nil
}

// revoke revokes the live keys a condition selects, with its audit entry in the same
// transaction, and forgets the cached keys.
func (s *Server) revoke(ctx context.Context, actor, what, cond string, args ...any) ([]string, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	labels, err := s.store.liveKeys(ctx, cond, args...)
	if err != nil {
		return nil, err
	}
	if len(labels) == 0 {
		return nil, fmt.Errorf("service: %w of %s", ErrNoLiveKey, what)
	}
	e := backpack.Entry{Action: actionAccess, Actor: actor, Note: fmt.Sprintf("API key(s) of %s revoked: %q", what, labels)}
	err = s.commit(ctx, []backpack.Entry{e}, func(tx *sql.Tx) error { return s.store.revokeKeys(ctx, tx, s.now(), cond, args...) })
	s.keys.forget() // after the commit, so that no call caches the key as live again
	return labels, err
}
