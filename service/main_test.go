package service_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/studentlink/studentlink/service"
)

// PostgreSQL for the tests: STUDENTLINK_TEST_POSTGRES names a server (a postgres:// URL
// whose user may create databases); otherwise TestMain starts a private one from the
// Debian package's binaries in a temporary directory, listening on a Unix socket only.
// Each test gets a database of its own.
var (
	pgURL  string // the server's URL, "" when there is none
	pgSkip string // why there is none

	productionIterations int // the PBKDF2 iteration count outside the tests
)

func TestMain(m *testing.M) {
	// Every test signs up the sample's accounts; TestPasswordHash checks the real count.
	productionIterations = service.SetPasswordIterations(1000)
	stop := startPostgres()
	code := m.Run()
	stop()
	os.Exit(code)
}

func startPostgres() (stop func()) {
	noop := func() {}
	if u := os.Getenv("STUDENTLINK_TEST_POSTGRES"); u != "" {
		pgURL = u
		return noop
	}
	initdbs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(initdbs) == 0 {
		pgSkip = "PostgreSQL is not installed here (apt-get install postgresql, which .ci/run does), and STUDENTLINK_TEST_POSTGRES is not set"
		return noop
	}
	sort.Strings(initdbs)
	bin := filepath.Dir(initdbs[len(initdbs)-1])
	dir, err := os.MkdirTemp("", "studentlink-pg-")
	if err != nil {
		pgSkip = "no temporary directory for PostgreSQL: " + err.Error()
		return noop
	}
	cred, err := postgresCredential(dir)
	if err != nil {
		os.RemoveAll(dir)
		pgSkip = "PostgreSQL cannot run here: " + err.Error()
		return noop
	}
	run := func(name string, args ...string) error {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v: %s", name, err, out)
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := run("initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		pgSkip = "PostgreSQL could not be initialized: " + err.Error()
		return noop
	}
	opts := fmt.Sprintf("-k %s -c listen_addresses='' -p 5432", dir)
	if err := run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts, "-w", "-t", "60", "start"); err != nil {
		os.RemoveAll(dir)
		pgSkip = "PostgreSQL did not start: " + err.Error()
		return noop
	}
	pgURL = "postgres://postgres@/postgres?host=" + url.QueryEscape(dir) + "&port=5432&sslmode=disable"
	return func() {
		run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
		os.RemoveAll(dir)
	}
}

// postgresCredential is who runs PostgreSQL: this user, or, when that is root (which
// PostgreSQL refuses), the postgres user of the Debian package, given dir.
func postgresCredential(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root and there is no postgres user: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// postgresDB creates an empty database for one test and returns its URL.
func postgresDB(t testing.TB) string {
	t.Helper()
	if pgURL == "" {
		t.Skip(pgSkip)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "studentlink_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", pgURL)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("creating a test database: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP DATABASE " + name + " WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// sqliteDB returns the path of a new SQLite database for one test.
func sqliteDB(t testing.TB) string { return filepath.Join(t.TempDir(), "studentlink.db") }

// backends are the stores every store and API test runs on.
var backends = []struct {
	name string
	db   func(testing.TB) string
}{
	{"sqlite", sqliteDB},
	{"postgres", postgresDB},
}

// onEachStore runs f on a fresh database of each backend.
func onEachStore(t *testing.T, f func(t *testing.T, db string)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { f(t, b.db(t)) })
	}
}
