package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver, pure Go
)

// Store is the service's database: SQLite (a file path) or PostgreSQL (a postgres://
// URL). Writes go through one transaction at a time (Server.commit); reads run in
// parallel.
//
// A transaction is committed durably (synced to disk before Commit returns, so that it
// survives a crash of the machine) or lazily (written before Commit returns, so that it
// survives a crash of the process, and synced by the next durable commit or checkpoint).
// Changes are durable; the audit entries of reads are lazy unless Config.SyncReadAudits.
type Store struct {
	db       *sql.DB
	lazy     *sql.DB // SQLite: a second pool with synchronous=NORMAL; nil for PostgreSQL
	postgres bool
	stop     chan struct{}
	done     chan struct{}

	holdsStmt *sql.Stmt // Store.holds, which every search asks, prepared once
	held      holdsCache
}

// OpenStore opens (creating when needed) the database named by dsn and brings its
// schema up to date. A dsn starting with postgres:// or postgresql:// is a PostgreSQL
// connection URL; anything else is a SQLite file path, opened in WAL mode with
// synchronous=FULL so that a committed transaction survives a crash of the process or
// the machine.
func OpenStore(ctx context.Context, dsn string) (*Store, error) {
	s := &Store{postgres: isPostgres(dsn),
		stop: make(chan struct{}), done: make(chan struct{})}
	var err error
	if s.postgres {
		s.db, err = sql.Open("pgx", dsn)
	} else {
		if dsn == "" {
			return nil, errors.New("service: store: no database given")
		}
		s.db, err = sql.Open("sqlite", sqliteDSN(dsn, "FULL"))
		if err == nil {
			s.lazy, err = sql.Open("sqlite", sqliteDSN(dsn, "NORMAL"))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("service: store: %w", err)
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.closeDBs()
		return nil, fmt.Errorf("service: store: cannot reach %s: %w", redact(dsn), err)
	}
	if err := s.migrate(ctx); err != nil {
		s.closeDBs()
		return nil, err
	}
	if s.holdsStmt, err = s.db.PrepareContext(ctx, s.q(`SELECT lea FROM records WHERE student_id = ?`)); err != nil {
		s.closeDBs()
		return nil, fmt.Errorf("service: store: %w", err)
	}
	go s.checkpoints()
	return s, nil
}

// sqliteDSN opens a SQLite file in WAL mode with the synchronous level given. Automatic
// checkpoints are off: checkpoints runs them in the background, so that no commit waits
// for one.
func sqliteDSN(path, synchronous string) string {
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "synchronous("+synchronous+")")
	v.Add("_pragma", "wal_autocheckpoint(0)")
	v.Add("_pragma", "foreign_keys(ON)")
	v.Set("_txlock", "immediate")
	return "file:" + path + "?" + v.Encode()
}

// checkpoints copies SQLite's write-ahead log into the database every ten seconds, beside
// the writers (a passive checkpoint never blocks them), and once more at Close. Every
// second was tried: with thousands of small commits a second, the checkpoints' reads and
// syncs slowed the commits (p99 0.26 → 2 ms, searches/s 7,300 → 2,900 in one pair of
// runs on the shared machine).
func (s *Store) checkpoints() {
	defer close(s.done)
	if s.postgres {
		<-s.stop
		return
	}
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
			return
		case <-tick.C:
			s.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}

func (s *Store) closeDBs() error {
	if s.holdsStmt != nil {
		s.holdsStmt.Close()
	}
	if s.lazy != nil {
		s.lazy.Close()
	}
	return s.db.Close()
}

// redact hides the password of a connection URL in messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// isPostgres says whether a dsn names a PostgreSQL database.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Close closes the database.
func (s *Store) Close() error {
	select {
	case <-s.stop:
		return nil // closed already
	default:
	}
	close(s.stop)
	<-s.done
	return s.closeDBs()
}

// Kind names the database: "sqlite" or "postgres".
func (s *Store) Kind() string {
	if s.postgres {
		return "postgres"
	}
	return "sqlite"
}

// q rewrites a query written with ? placeholders for the database: PostgreSQL numbers
// them ($1, $2…). No query of this package has a ? inside a string literal.
func (s *Store) q(query string) string {
	if !s.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// schema is the database, version by version; migrate applies the versions a database
// lacks. Types are those both databases read the same way: TEXT, BIGINT, DOUBLE
// PRECISION. Times are RFC 3339 text in UTC.
var schema = []string{
	// version 1
	`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
	CREATE TABLE records (
		record_id TEXT PRIMARY KEY, seq BIGINT NOT NULL UNIQUE, lea TEXT NOT NULL, ssid TEXT NOT NULL,
		student_id TEXT NOT NULL, origin TEXT NOT NULL, fields TEXT NOT NULL, created TEXT NOT NULL);
	CREATE INDEX records_student ON records (student_id);
	CREATE INDEX records_ssid ON records (ssid);
	CREATE INDEX records_lea ON records (lea);
	CREATE TABLE submissions (seq BIGINT PRIMARY KEY, lea TEXT NOT NULL, body TEXT NOT NULL);
	CREATE TABLE retired (student_id TEXT PRIMARY KEY, survivor TEXT NOT NULL, at TEXT NOT NULL, reason TEXT NOT NULL);
	CREATE TABLE enrollments (
		id TEXT PRIMARY KEY, lea TEXT NOT NULL, record_id TEXT NOT NULL UNIQUE, outcome TEXT NOT NULL,
		student_id TEXT NOT NULL, review_id TEXT NOT NULL, created TEXT NOT NULL, body TEXT NOT NULL);
	CREATE TABLE reviews (
		id TEXT PRIMARY KEY, seq BIGINT NOT NULL UNIQUE, kind TEXT NOT NULL, record_a TEXT NOT NULL, record_b TEXT NOT NULL,
		weight DOUBLE PRECISION NOT NULL, reason TEXT NOT NULL, explanation TEXT NOT NULL,
		status TEXT NOT NULL, decided_by TEXT NOT NULL, decided TEXT NOT NULL, created TEXT NOT NULL);
	CREATE TABLE api_keys (hash TEXT PRIMARY KEY, lea TEXT NOT NULL, label TEXT NOT NULL, created TEXT NOT NULL);
	CREATE TABLE accounts (
		username TEXT PRIMARY KEY, role TEXT NOT NULL, lea TEXT NOT NULL, permissions BIGINT NOT NULL,
		students TEXT NOT NULL, password TEXT NOT NULL, created TEXT NOT NULL);
	CREATE TABLE sessions (hash TEXT PRIMARY KEY, username TEXT NOT NULL, csrf TEXT NOT NULL, expires TEXT NOT NULL);
	CREATE TABLE request_events (
		seq BIGINT PRIMARY KEY, request_id TEXT NOT NULL, event TEXT NOT NULL, lea TEXT NOT NULL, actor TEXT NOT NULL,
		ssid TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL, student_id TEXT NOT NULL);
	CREATE INDEX request_events_request ON request_events (request_id);
	CREATE TABLE audit (seq BIGINT PRIMARY KEY, entry TEXT NOT NULL, hash TEXT NOT NULL);
	CREATE TABLE results (token TEXT PRIMARY KEY, lea TEXT NOT NULL, status TEXT NOT NULL, body TEXT NOT NULL, created TEXT NOT NULL);`,
	// version 2: API keys can be revoked (revoked: when, "" while the key works).
	`ALTER TABLE api_keys ADD COLUMN revoked TEXT NOT NULL DEFAULT ''`,
	// version 3: what an approval forwarded to the guardian (see forwarded.go).
	`CREATE TABLE forwarded (request_id TEXT PRIMARY KEY, student_id TEXT NOT NULL, records TEXT NOT NULL, backpack TEXT NOT NULL, at TEXT NOT NULL)`,
	// version 4: the search guard's counts (see guardstore.go), so that a restart keeps
	// them: subject and variant hex-encoded, at in Unix nanoseconds.
	`CREATE TABLE search_variants (lea TEXT NOT NULL, subject TEXT NOT NULL, variant TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (lea, subject, variant))`,
	// version 5: a student's exit from an LEA recorded after the enrollment (see
	// exit.go), a request event whose exit date is kept here ("" for the other events).
	`ALTER TABLE request_events ADD COLUMN exit_date TEXT NOT NULL DEFAULT ''`,
}

// migrate brings the schema up to the latest version, one transaction per version.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("service: store: schema: %w", err)
	}
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err = s.db.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (0)`); err != nil {
			return fmt.Errorf("service: store: schema: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("service: store: schema: %w", err)
	}
	if v > len(schema) {
		return fmt.Errorf("service: store: the database has schema version %d, newer than this program's %d", v, len(schema))
	}
	for ; v < len(schema); v++ {
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			for _, stmt := range strings.Split(schema[v], ";") {
				if strings.TrimSpace(stmt) == "" {
					continue
				}
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, s.q(`UPDATE schema_version SET version = ?`), v+1)
			return err
		})
		if err != nil {
			return fmt.Errorf("service: store: migrating to schema version %d: %w", v+1, err)
		}
	}
	return nil
}

// inTx runs f in a transaction and commits it durably, or rolls it back when f fails.
func (s *Store) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	return s.inTxSync(ctx, true, f)
}

// inTxSync is inTx, committing durably or lazily (see Store).
func (s *Store) inTxSync(ctx context.Context, durable bool, f func(*sql.Tx) error) error {
	db := s.db
	if !durable && s.lazy != nil {
		db = s.lazy
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if !durable && s.postgres {
		if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit TO OFF`); err != nil {
			tx.Rollback()
			return err
		}
	}
	defer s.held.ended(tx) // after the commit or rollback
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// stamp writes a time as the store keeps it.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// unstamp reads a time written by stamp ("" is the zero time).
func unstamp(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}
