// Command serve runs the state service: the Ed-Fi Identities API, the enrollment
// handoff, and the staff, guardian and reviewer pages, on a SQLite file or PostgreSQL.
//
//	go run ./examples/serve                       # studentlink.db, 127.0.0.1:8080
//	go run ./examples/serve -db postgres://user:pass@localhost/studentlink
//
// On first start (an empty database) it loads the embedded sample — the synthetic state
// roll of 8 LEAs and the Ed-Fi submissions of LEAs 255901 and 255902, linked by a model
// trained on the roll — and creates an API key per LEA, one for the state's reviewers,
// and demo staff, guardian and reviewer accounts, whose secrets it writes to
// -credentials (default credentials.json beside a SQLite database, mode 0600). Later
// starts rebuild the index and the rest from the database.
//
// Call the API with a key:
//
//	curl -H "Authorization: Bearer $KEY" -d '[{"firstName":"Lisa","lastSurname":"Woods","birthDate":"2008-09-13"}]' \
//	    http://127.0.0.1:8080/identity/v2/search
//
// and open http://127.0.0.1:8080/ to sign in to the pages. SIGINT or SIGTERM stops it,
// letting calls in progress finish.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
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

	"github.com/studentlink/studentlink/service"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	db := flag.String("db", "studentlink.db", "SQLite database file, or a postgres:// URL")
	creds := flag.String("credentials", "", "where to write the keys and passwords made on first start (default: credentials.json beside a SQLite database, else in the working directory)")
	auditKey := flag.String("audit-key", "", "file holding the audit chain's key, made on first start (default: audit.key beside the credentials)")
	relink := flag.Bool("relink", false, "before serving, link every record again with the reviewers' decisions (student IDs stay stable)")
	flag.Parse()
	credsPath := credentialsPath(*db, *creds)
	keyPath := *auditKey
	if keyPath == "" {
		keyPath = filepath.Join(filepath.Dir(credsPath), "audit.key")
	}
	if err := run(*addr, *db, credsPath, keyPath, *relink); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

// credentialsPath is where the first start's secrets go.
func credentialsPath(db, flagged string) string {
	switch {
	case flagged != "":
		return flagged
	case strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://"):
		return "credentials.json"
	}
	return filepath.Join(filepath.Dir(db), "credentials.json")
}

func run(addr, db, credsPath, keyPath string, relink bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := log.New(os.Stderr, "serve: ", log.LstdFlags)
	start := time.Now()
	key, made, err := auditKey(keyPath)
	if err != nil {
		return err
	}
	srv, err := service.Open(ctx, service.Config{DB: db, AuditKey: key, Seed: service.SampleSeed, Logf: logger.Printf})
	if err != nil {
		if made {
			os.Remove(keyPath) // a key made for a database that turned out not to be new
		}
		return err
	}
	if made {
		logger.Printf("audit key made in %s: keep it apart from the database", keyPath)
	}
	defer srv.Close()
	if srv.FirstStart != nil {
		if err := writeCredentials(credsPath, srv.FirstStart); err != nil {
			return err
		}
		logger.Printf("first start: sample loaded; API keys and accounts written to %s", credsPath)
	}
	if relink {
		rep, err := srv.Relink(ctx, "examples/serve -relink")
		if err != nil {
			return err
		}
		logger.Printf("relink: %d records, %d students, %d records moved, %d students merged or split, %d retired IDs, %d pairs newly queued",
			rep.Records, rep.Students, rep.Moved, len(rep.Changes), len(rep.Retired), rep.Queued)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
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

// writeCredentials writes the first start's secrets, readable by the owner only. It never
// overwrites a file (those would be another database's secrets): when path exists, it
// writes beside it with the time appended, so that the new secrets are not lost.
func writeCredentials(path string, c *service.Credentials) error {
	body, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		alt := path + "." + time.Now().UTC().Format("20060102T150405Z")
		log.Printf("serve: %s exists (another database's?); writing the new credentials to %s", path, alt)
		f, err = os.OpenFile(alt, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	}
	if err != nil {
		return fmt.Errorf("writing the credentials of the new database: %w", err)
	}
	if _, err := f.Write(append(body, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
