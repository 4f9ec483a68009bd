// Command serve runs the state service: the Ed-Fi Identities API, the enrollment
// handoff, and the staff, guardian and reviewer pages, on a SQLite file or PostgreSQL.
//
//	go run ./examples/serve                       # studentlink.db, 127.0.0.1:8080
//	go run ./examples/serve -db postgres://user:pass@localhost/studentlink
//
// -addr sets the address to listen on (default 127.0.0.1:8080), -db the SQLite file or
// PostgreSQL URL. -audit-key names the file of the audit chain's key (default: beside the
// credentials, named after a SQLite database, state.db.audit.key, or audit.key for one
// made before that name, and for PostgreSQL; made on first start, and the same one must
// be given at every start). An -addr that does not listen is refused before a first
// start makes anything. -relink links every record again before serving, with the reviewers'
// decisions, keeping student IDs stable.
//
// On first start (an empty database) it loads the embedded sample — the synthetic state
// roll of 8 LEAs and the Ed-Fi submissions of LEAs 255901 and 255902, linked by a model
// trained on the roll — and creates an API key per LEA, one for the state's reviewers,
// and demo staff, guardian and reviewer accounts, whose secrets it writes to
// -credentials (default credentials.json beside a SQLite database, mode 0600) before
// the database commits them: when the file cannot be written (its directory is missing,
// say), the first start saves nothing and fails, and the next start tries again. Later
// starts rebuild the index and the rest from the database.
//
// A new API key for an LEA (a lost key, a new SIS) is issued with the server stopped:
//
//	go run ./examples/serve -new-key 255902     # "-new-key state" for the state's reviewers
//
// adds the key to -credentials (made when missing, never emptied) before the database
// commits it, and exits. No key is revoked: the LEA's earlier keys keep working until
//
//	go run ./examples/serve -revoke-key 255902  # every live key of the LEA ("state": the reviewers')
//	go run ./examples/serve -revoke-key slk_…   # that key alone
//
// revokes them and exits: calls with them are refused (401) from then on. Given with
// -new-key, the old keys are revoked first and the new one issued after. Both need the
// server stopped: a running server holds the database (a lock on the -db file's name
// with -lock appended, an advisory lock on PostgreSQL), and -new-key, -revoke-key and a
// second server are refused ("a server is running on this database: stop it first")
// until it stops.
//
// The audit chain is kept in the database; its head is kept after each commit in
// the anchor beside the audit key and named after it (state.db.audit.anchor, or
// audit.anchor beside audit.key; HMAC'd under the key), so two databases in one folder
// keep apart, and a start whose chain does not
// reach the anchor (entries deleted from its end, or the database restored from an older
// backup) is refused. Once you know why, start once with -new-audit-anchor to accept the
// chain as the database holds it (audited); a database made before anchors needs that
// once too.
//
// Call the API with a key:
//
//	curl -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \
//	    -d '[{"firstName":"Lisa","lastSurname":"Woods","birthDate":"2008-09-13"}]' \
//	    http://127.0.0.1:8080/identity/v2/search
//
// (curl -d alone sends a form, which the API refuses with 415) and open
// http://127.0.0.1:8080/ to sign in to the pages. SIGINT or SIGTERM stops it, letting
// calls in progress finish.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/studentlink/studentlink/internal/cli"
	"github.com/studentlink/studentlink/service"
)

const usage = `usage: serve [-addr host:port] [-db FILE | -db postgres://…] [flags]

Runs the state service: the Ed-Fi Identities API, the enrollment handoff with the
backpack, and the staff, guardian and reviewer pages, on a SQLite database (or
PostgreSQL). On first start it loads the embedded sample and writes the API keys and demo
accounts to the credentials file; -new-key issues another key and -revoke-key revokes
keys, and both exit.`

func main() {
	fs := cli.NewFlagSet("serve", usage, os.Stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	db := fs.String("db", "studentlink.db", "SQLite database file, or a postgres:// URL")
	creds := fs.String("credentials", "", "where to write the keys and passwords made on first start (default: credentials.json beside a SQLite database, else in the working directory)")
	auditKey := fs.String("audit-key", "", "file holding the audit chain's key, made on first start (default: audit.key beside the credentials)")
	relink := fs.Bool("relink", false, "before serving, link every record again with the reviewers' decisions (student IDs stay stable)")
	newKey := fs.String("new-key", "", "issue a new API key for this LEA (\"state\": for the state's reviewers), add it to the -credentials file and exit (with -revoke-key: after revoking); stop the server first")
	newAnchor := fs.Bool("new-audit-anchor", false, "anchor the audit chain as the database holds it, at this start (audited): after a start refused for a chain that does not reach its anchor, once you know why, or the first start of a database made before anchors")
	revokeKey := fs.String("revoke-key", "", "revoke API keys and exit: an LEA ID (every live key of that LEA; \"state\": the state reviewers') or one key itself (slk_…); stop the server first")
	if code, stop := cli.Parse(fs, os.Args[1:]); stop {
		os.Exit(code)
	}
	credsPath := credentialsPath(*db, *creds)
	keyPath := auditKeyPath(*db, credsPath, *auditKey)
	var err error
	if *revokeKey != "" {
		var labels []string
		labels, err = revokeKeys(context.Background(), *db, keyPath, *revokeKey)
		if err == nil {
			fmt.Fprintf(os.Stderr, "serve: API key(s) revoked: %q\n", labels)
		}
	}
	switch {
	case err != nil:
	case *newKey != "":
		var k service.KeySecret
		k, err = issueKey(context.Background(), *db, credsPath, keyPath, *newKey)
		if err == nil {
			fmt.Fprintf(os.Stderr, "serve: API key %q for %s added to %s\n", k.Label, scopeOf(k.LEA), credsPath)
		}
	case *revokeKey == "":
		err = run(*addr, *db, credsPath, keyPath, *relink, *newAnchor)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

// isPostgres says whether -db is a PostgreSQL URL rather than a SQLite file.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// auditKeyPath is the audit key's file: flagged when given; else, beside the
// credentials, named after a SQLite database (state.db.audit.key), so that two databases
// in one folder do not share a key and anchor — unless the database exists, that name
// does not, and audit.key does: a store made before keeps its key. PostgreSQL's is
// audit.key.
func auditKeyPath(db, credsPath, flagged string) string {
	if flagged != "" {
		return flagged
	}
	dir := filepath.Dir(credsPath)
	old := filepath.Join(dir, "audit.key")
	if isPostgres(db) {
		return old
	}
	named := filepath.Join(dir, filepath.Base(db)+".audit.key")
	if _, err := os.Stat(named); err == nil {
		return named
	}
	_, dbErr := os.Stat(db)
	if _, err := os.Stat(old); err == nil && dbErr == nil {
		return old
	}
	return named
}

// credentialsPath is where the first start's secrets go.
func credentialsPath(db, flagged string) string {
	switch {
	case flagged != "":
		return flagged
	case isPostgres(db):
		return "credentials.json"
	}
	return filepath.Join(filepath.Dir(db), "credentials.json")
}

func run(addr, db, credsPath, keyPath string, relink, newAnchor bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := log.New(os.Stderr, "serve: ", log.LstdFlags)
	start := time.Now()
	// Listen first: an address that does not listen is refused before a first start
	// makes the database, its audit key and anchor, and the credentials.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("-addr %s: %w", addr, err)
	}
	defer ln.Close()
	srv, wrote, err := openServer(ctx, db, credsPath, keyPath, newAnchor, logger)
	if err != nil {
		return err
	}
	defer srv.Close()
	if srv.FirstStart != nil {
		logger.Printf("first start: sample loaded; API keys and accounts written to %s", wrote)
	}
	if relink {
		rep, err := srv.Relink(ctx, "examples/serve -relink")
		if err != nil {
			return err
		}
		logger.Printf("relink: %d records, %d students, %d records moved, %d students merged or split, %d retired IDs, %d pairs newly queued",
			rep.Records, rep.Students, rep.Moved, len(rep.Changes), len(rep.Retired), rep.Queued)
	}
	logger.Printf("%s store ready in %s; listening on http://%s/", srv.Store().Kind(), time.Since(start).Round(time.Millisecond), ln.Addr())
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Print("stopping")
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// openServer opens the service on db, loading the sample on first start. The first
// start's secrets are written to credsPath (or beside it, see writeCredentials) before
// the database commits their hashes; wrote names the file. When they cannot be
// written, the first start saves nothing and the next one tries again.
func openServer(ctx context.Context, db, credsPath, keyPath string, newAnchor bool, logger *log.Logger) (srv *service.Server, wrote string, err error) {
	key, made, err := auditKey(keyPath)
	if err != nil {
		return nil, "", err
	}
	keep := func(c *service.Credentials) error {
		var err error
		wrote, err = writeCredentials(credsPath, c)
		return err
	}
	srv, err = service.Open(ctx, service.Config{DB: db, AuditKey: key, AuditAnchor: anchorPath(keyPath), NewAuditAnchor: newAnchor,
		Seed: service.SampleSeed, Logf: logger.Printf, KeepCredentials: keep})
	if err != nil {
		if errors.Is(err, service.ErrSeedNotSaved) && wrote != "" {
			os.Remove(wrote) // the secrets of a first start that saved nothing
		}
		if made {
			os.Remove(keyPath) // a key made for a database that was not loaded
			os.Remove(anchorPath(keyPath))
		}
		return nil, "", err
	}
	if made {
		logger.Printf("audit key made in %s: keep it apart from the database", keyPath)
	}
	return srv, wrote, nil
}

// anchorPath is the audit anchor's file: beside the audit key, named after it
// (audit.key → audit.anchor).
func anchorPath(keyPath string) string {
	return strings.TrimSuffix(keyPath, filepath.Ext(keyPath)) + ".anchor"
}

// auditKey reads the audit chain's key from path, or makes one there (mode 0600) when
// the file does not exist; made says which.
func auditKey(path string) (key []byte, made bool, err error) {
	key, err = os.ReadFile(path)
	if err == nil {
		return key, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, err
	}
	key = make([]byte, 32)
	rand.Read(key)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("making the audit key: %w", err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, false, err
	}
	return key, true, f.Close()
}

// writeCredentials writes the first start's secrets, readable by the owner only, and
// returns the file it wrote. The secrets go to a temporary file in path's directory
// first, synced, which is then linked to its name, so that no half-written file is
// left. It never overwrites a file (those would be another database's secrets): when
// path exists, it writes beside it with the time appended, so that the new secrets are
// not lost.
func writeCredentials(path string, c *service.Credentials) (string, error) {
	tmp, err := writeTemp(path, c)
	if err != nil {
		return "", fmt.Errorf("writing the credentials of the new database: %w", err)
	}
	defer os.Remove(tmp)
	final := path
	err = os.Link(tmp, final)
	if errors.Is(err, os.ErrExist) {
		final = path + "." + time.Now().UTC().Format("20060102T150405.000000000Z")
		log.Printf("serve: %s exists (another database's?); writing the new credentials to %s", path, final)
		err = os.Link(tmp, final)
	}
	if err != nil {
		return "", fmt.Errorf("writing the credentials of the new database: %w", err)
	}
	return final, syncDir(filepath.Dir(path))
}

// writeTemp writes c as JSON to a new temporary file (mode 0600) in path's directory,
// synced, and returns its name.
func writeTemp(path string, c *service.Credentials) (string, error) {
	body, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", err
	}
	_, err = f.Write(append(body, '\n'))
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// syncDir syncs a directory, so that a file linked or renamed into it stays.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	d.Sync() // not every file system syncs a directory; the file itself was synced
	return nil
}

// issueKey issues a new API key for an LEA ("state": the state's reviewers) on an
// existing database and adds it to the credentials file (made when missing) before the
// database commits it. No key is revoked (see revokeKeys).
func issueKey(ctx context.Context, db, credsPath, keyPath, lea string) (service.KeySecret, error) {
	lea = strings.TrimSpace(lea)
	if lea == "state" {
		lea = ""
	}
	if lea != "" && strings.ContainsAny(lea, " \t/\\\"") {
		return service.KeySecret{}, fmt.Errorf("-new-key: %q is not an LEA ID", lea)
	}
	srv, err := openExisting(ctx, db, keyPath, "-new-key")
	if err != nil {
		return service.KeySecret{}, err
	}
	defer srv.Close()
	label := "SIS of LEA " + lea
	if lea == "" {
		label = "state reviewers"
	}
	label += ", issued " + time.Now().UTC().Format(time.RFC3339)
	return srv.IssueAPIKey(ctx, service.KeySpec{LEA: lea, Label: label}, "examples/serve -new-key",
		func(k service.KeySecret) error { return addKey(credsPath, k) })
}

// revokeKeys revokes, on an existing database, every live key of an LEA ("state": the
// state's reviewers) or, given a key (slk_…), that key alone, and returns their labels.
func revokeKeys(ctx context.Context, db, keyPath, which string) ([]string, error) {
	which = strings.TrimSpace(which)
	lea, isKey := which, strings.HasPrefix(which, "slk_")
	if lea == "state" {
		lea = ""
	}
	if !isKey && lea != "" && strings.ContainsAny(lea, " \t/\\\"") {
		return nil, fmt.Errorf("-revoke-key: %q is neither an LEA ID nor a key", which)
	}
	srv, err := openExisting(ctx, db, keyPath, "-revoke-key")
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	const actor = "examples/serve -revoke-key"
	if isKey {
		label, err := srv.RevokeAPIKey(ctx, which, actor)
		return []string{label}, err
	}
	return srv.RevokeLEAKeys(ctx, lea, actor)
}

// openExisting opens a database that was loaded before (no seed), with its audit key.
func openExisting(ctx context.Context, db, keyPath, flag string) (*service.Server, error) {
	if !isPostgres(db) {
		if _, err := os.Stat(db); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: the database %s does not exist: start serve once first (serve -db %s) to make it", flag, db, db)
		}
	}
	key, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("%s needs the database's audit key: %w", flag, err)
	}
	return service.Open(ctx, service.Config{DB: db, AuditKey: key, AuditAnchor: anchorPath(keyPath)}) // no seed: the database must exist
}

// addKey adds an API key to the credentials file, keeping everything it held: the
// file with the key is written to a temporary file beside it, synced, and renamed over it.
func addKey(path string, k service.KeySecret) error {
	var c service.Credentials
	body, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(body, &c); err != nil {
			return fmt.Errorf("%s is not a credentials file (%v): the new key is not issued", path, err)
		}
	}
	c.APIKeys = append(c.APIKeys, k)
	tmp, err := writeTemp(path, &c)
	if err != nil {
		return fmt.Errorf("writing the new key to %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing the new key to %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

func scopeOf(lea string) string {
	if lea == "" {
		return "the state's reviewers"
	}
	return "LEA " + lea
}
