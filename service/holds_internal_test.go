package service

import (
	"database/sql"
	"testing"
)

// TestHoldsCache: an answer is remembered until a transaction writes records; nothing
// read before a write, or while one is open, is kept.
func TestHoldsCache(t *testing.T) {
	var c holdsCache
	if _, ok, _ := c.lookup("01", "S1"); ok {
		t.Fatal("an empty cache answered")
	}
	_, _, gen := c.lookup("01", "S1")
	c.keep("01", "S1", true, gen)
	if held, ok, _ := c.lookup("01", "S1"); !ok || !held {
		t.Fatalf("kept answer: held %v, ok %v", held, ok)
	}
	// A read begun before a write is not kept after it.
	_, _, stale := c.lookup("02", "S1")
	tx := new(sql.Tx)
	c.wrote(tx)
	if _, ok, _ := c.lookup("01", "S1"); ok {
		t.Error("answered while a write is open")
	}
	c.keep("02", "S1", false, stale)
	_, _, gen = c.lookup("02", "S1")
	c.keep("02", "S1", false, gen) // read during the write: not kept either
	c.ended(tx)
	if _, ok, _ := c.lookup("02", "S1"); ok {
		t.Error("an answer read before the write, or during it, was kept")
	}
	if _, ok, _ := c.lookup("01", "S1"); ok {
		t.Error("an answer from before the write survived it")
	}
	// After the write ends, answers are kept again; a transaction that wrote nothing
	// empties nothing.
	_, _, gen = c.lookup("01", "S1")
	c.keep("01", "S1", false, gen)
	c.ended(new(sql.Tx))
	if held, ok, _ := c.lookup("01", "S1"); !ok || held {
		t.Errorf("after the write: held %v, ok %v", held, ok)
	}
}
