package service

// One server at a time on a database. A server keeps the audit chain's head, the
// sequences and the state in memory, and commits from them: another process committing
// to the same database (a second server, examples/serve -new-key or -revoke-key) would
// leave them stale, and every later audited commit of the server would fail (its next
// audit entry takes a sequence number already used). So Open takes a lock held until
// Close, and an Open that cannot take it fails with ErrServerRunning: on SQLite an
// exclusive advisory lock (flock) on the file beside the database named after it with
// "-lock" appended (studentlink.db-lock); on PostgreSQL a session advisory lock
// (pg_try_advisory_lock) on a connection kept for the purpose.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"

	"github.com/studentlink/studentlink/internal/filelock"
)

// ErrServerRunning is an Open refused because a server (or another Open) holds the
// database.
var ErrServerRunning = errors.New("a server is running on this database: stop it first")

// pgLockKey is the PostgreSQL advisory lock key of a server (advisory locks are per
// database): "studentlink" in ASCII.
const pgLockKey int64 = 0x73747564656e746c

// runLock is the lock an open server holds.
type runLock struct {
	f    *os.File  // SQLite
	conn *sql.Conn // PostgreSQL
}

// lockPostgres takes a PostgreSQL store's lock, or fails with ErrServerRunning.
func lockPostgres(ctx context.Context, st *Store) (*runLock, error) {
	conn, err := st.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("service: store: %w", err)
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, pgLockKey).Scan(&ok); err != nil {
		conn.Close()
		return nil, fmt.Errorf("service: taking the server's advisory lock: %w", err)
	}
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("service: %w (another session holds the database's advisory lock %d)", ErrServerRunning, pgLockKey)
	}
	return &runLock{conn: conn}, nil
}

// lockFile takes the lock of a SQLite database (path), or fails with ErrServerRunning.
func lockFile(path string) (*runLock, error) {
	path += "-lock" // beside SQLite's -wal and -shm
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("service: the server's lock file: %w", err)
	}
	ok, err := filelock.TryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("service: locking %s: %w", path, err)
	}
	if !ok {
		f.Close()
		return nil, fmt.Errorf("service: %w (another process holds %s)", ErrServerRunning, path)
	}
	return &runLock{f: f}, nil
}

// release lets the lock go (a second release does nothing): closing the file drops the
// flock; for PostgreSQL the lock is unlocked and the connection given back. Release a
// PostgreSQL lock before closing the store (its pool), a SQLite one after.
func (l *runLock) release() {
	if l == nil {
		return
	}
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
	if l.conn != nil {
		l.conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, pgLockKey)
		l.conn.Close()
		l.conn = nil
	}
}
