package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/service"
)

func TestCredentialsPath(t *testing.T) {
	for _, c := range []struct{ db, flagged, want string }{
		{"studentlink.db", "", "credentials.json"},
		{"/var/lib/sl/state.db", "", "/var/lib/sl/credentials.json"},
		{"postgres://u@h/db", "", "credentials.json"},
		{"x.db", "/tmp/c.json", "/tmp/c.json"},
	} {
		if got := credentialsPath(c.db, c.flagged); got != c.want {
			t.Errorf("credentialsPath(%q, %q) = %q, want %q", c.db, c.flagged, got, c.want)
		}
	}
}

// TestWriteCredentials: the secrets are readable by their owner only, and an existing
// file (another database's secrets) is never overwritten.
func TestWriteCredentials(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials.json")
	first := &service.Credentials{APIKeys: []service.KeySecret{{LEA: "01", Label: "a", Key: "slk_one"}}}
	second := &service.Credentials{APIKeys: []service.KeySecret{{LEA: "01", Label: "a", Key: "slk_two"}}}
	if wrote, err := writeCredentials(path, first); err != nil || wrote != path {
		t.Fatalf("writeCredentials: %q %v", wrote, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file mode: %v %v", fi.Mode(), err)
	}
	wrote, err := writeCredentials(path, second)
	if err != nil || wrote == path {
		t.Fatalf("writeCredentials over an existing file: %q %v", wrote, err)
	}
	body, _ := os.ReadFile(path)
	if !strings.Contains(string(body), "slk_one") {
		t.Error("the first credentials were overwritten")
	}
	others, _ := filepath.Glob(path + ".*")
	if len(others) != 1 || others[0] != wrote {
		t.Fatalf("the second credentials went to %v, said %q", others, wrote)
	}
	if tmp, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*.tmp")); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	if body, _ := os.ReadFile(others[0]); !strings.Contains(string(body), "slk_two") {
		t.Error("the second credentials are lost")
	}
}

// readCredentials reads a credentials file.
func readCredentials(t *testing.T, path string) service.Credentials {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c service.Credentials
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// keyWorks reports whether the server takes an API key: a look-up with it is answered
// 404 (no such student), not 401.
func keyWorks(t *testing.T, srv *service.Server, key string) bool {
	t.Helper()
	h := httptest.NewServer(srv.Handler())
	defer h.Close()
	req, _ := http.NewRequest("GET", h.URL+"/identity/v2/identities/S-none", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := h.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusNotFound
}

func quiet() *log.Logger { return log.New(io.Discard, "", 0) }

// TestFirstStartKeepsCredentials: when the credentials cannot be written (their
// directory is missing), the first start fails and saves nothing, so the next start
// loads the sample again and writes them; the keys written are the database's.
func TestFirstStartKeepsCredentials(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, keyPath := filepath.Join(dir, "state.db"), filepath.Join(dir, "audit.key")
	credsPath := filepath.Join(dir, "missing", "credentials.json")
	if srv, _, err := openServer(ctx, db, credsPath, keyPath, false, quiet()); err == nil {
		srv.Close()
		t.Fatal("a first start whose credentials could not be written succeeded")
	} else if !strings.Contains(err.Error(), "credentials") {
		t.Errorf("the error does not say the credentials could not be written: %v", err)
	}
	// Nothing was committed: the store is empty (an Open without a seed is refused), and
	// no audit key is left for a database that was never loaded.
	if _, err := os.Stat(keyPath); !os.IsNotExist(err) {
		t.Errorf("the audit key of the failed start is left: %v", err)
	}
	if srv, err := service.Open(ctx, service.Config{DB: db, AuditKey: make([]byte, 32)}); err == nil {
		srv.Close()
		t.Fatal("the failed first start left a loaded store")
	} else if !strings.Contains(err.Error(), "empty") {
		t.Fatalf("opening the store after the failed start: %v", err)
	}

	if err := os.Mkdir(filepath.Dir(credsPath), 0o700); err != nil {
		t.Fatal(err)
	}
	srv, wrote, err := openServer(ctx, db, credsPath, keyPath, false, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if wrote != credsPath || srv.FirstStart == nil {
		t.Fatalf("the second start wrote %q (first start: %v)", wrote, srv.FirstStart != nil)
	}
	got := readCredentials(t, credsPath)
	if diff := cmp.Diff(*srv.FirstStart, got); diff != "" {
		t.Errorf("the file holds other secrets than the start made (-made +file):\n%s", diff)
	}
	if len(got.APIKeys) == 0 || !keyWorks(t, srv, got.APIKeys[0].Key) {
		t.Errorf("the written key is not the database's: %+v", got.APIKeys)
	}
}

// TestNewKey: -new-key issues a key for an LEA on an existing database and adds it to
// the credentials file, which keeps every key it held; the earlier keys still work. A key
// that cannot be written down is not issued; a database never loaded is refused.
func TestNewKey(t *testing.T) {
	ctx := context.Background()
	dir, db, keyPath, credsPath := seededStore(t)
	before := readCredentials(t, credsPath)

	k, err := issueKey(ctx, db, credsPath, keyPath, "255902")
	if err != nil {
		t.Fatal(err)
	}
	if k.LEA != "255902" || !strings.HasPrefix(k.Label, "SIS of LEA 255902, issued ") || !strings.HasPrefix(k.Key, "slk_") {
		t.Errorf("the new key: %+v", k)
	}
	after := readCredentials(t, credsPath)
	want := before
	want.APIKeys = append(append([]service.KeySecret{}, before.APIKeys...), k)
	if diff := cmp.Diff(want, after); diff != "" {
		t.Errorf("the credentials file after -new-key (-want +got):\n%s", diff)
	}
	if fi, err := os.Stat(credsPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials file mode after -new-key: %v %v", fi.Mode(), err)
	}

	// A key that cannot be written down (the file is not a credentials file) is not issued.
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("not JSON"), 0o600)
	if _, err := issueKey(ctx, db, bad, keyPath, "255902"); err == nil {
		t.Error("a key was issued into a file that is not a credentials file")
	}
	if body, _ := os.ReadFile(bad); string(body) != "not JSON" {
		t.Errorf("the file that is not a credentials file was changed: %q", body)
	}

	key, _ := os.ReadFile(keyPath)
	srv, err := service.Open(ctx, service.Config{DB: db, AuditKey: key, AuditAnchor: anchorPath(keyPath)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, old := range before.APIKeys {
		if !keyWorks(t, srv, old.Key) && old.LEA != "" {
			t.Errorf("the key %q of LEA %s was revoked", old.Label, old.LEA)
		}
	}
	if !keyWorks(t, srv, k.Key) {
		t.Error("the new key does not work")
	}
	entries, err := srv.Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var issued []string
	for _, e := range entries {
		if e.Actor == "examples/serve -new-key" {
			issued = append(issued, e.Note)
		}
	}
	if len(issued) != 1 || !strings.Contains(issued[0], k.Label) {
		t.Errorf("the audit log's -new-key entries: %q, want one for %q", issued, k.Label)
	}

	if _, err := issueKey(ctx, filepath.Join(dir, "new.db"), filepath.Join(dir, "c2.json"), keyPath, "255902"); err == nil {
		t.Error("-new-key on a database never loaded succeeded")
	}
}

// TestRevokeKey: -revoke-key revokes every live key of an LEA, or one key given itself;
// the server refuses them after, and takes the others; an LEA without a live key is an
// error, and the revocations are audited.
func TestRevokeKey(t *testing.T) {
	ctx := context.Background()
	_, db, keyPath, credsPath := seededStore(t)
	keys := map[string]string{}
	for _, k := range readCredentials(t, credsPath).APIKeys {
		keys[k.LEA] = k.Key
	}
	for _, c := range []struct {
		which string
		want  []string // the labels revoked; nil: an error
	}{
		{"255902", []string{"SIS of LEA 255902"}},
		{"255902", nil}, // none left
		{keys["01"], []string{"SIS of LEA 01"}},
		{"state", []string{"state reviewers"}},
		{"bad/lea", nil},
	} {
		got, err := revokeKeys(ctx, db, keyPath, c.which)
		if c.want == nil {
			if err == nil {
				t.Errorf("-revoke-key %s: revoked %q, want an error", c.which, got)
			}
			continue
		}
		if diff := cmp.Diff(c.want, got); err != nil || diff != "" {
			t.Errorf("-revoke-key %s: %v (-want +got):\n%s", c.which, err, diff)
		}
	}

	key, _ := os.ReadFile(keyPath)
	srv, err := service.Open(ctx, service.Config{DB: db, AuditKey: key, AuditAnchor: anchorPath(keyPath)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for lea, want := range map[string]bool{"255902": false, "01": false, "02": true, "255901": true} {
		if got := keyWorks(t, srv, keys[lea]); got != want {
			t.Errorf("the key of LEA %s works: %v, want %v", lea, got, want)
		}
	}
	entries, err := srv.Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Actor == "examples/serve -revoke-key" && strings.Contains(e.Note, "revoked") {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d revocations audited, want 3", n)
	}
}

// TestRevokeKeyWhileServing: -revoke-key and -new-key (and a second server) are refused
// on a SQLite database a server is running on, writing nothing (their audit entry would
// leave the server's chain head stale, and every later audited commit of the server
// failing); once the server is stopped, the revocation goes through.
func TestRevokeKeyWhileServing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, keyPath, credsPath := filepath.Join(dir, "state.db"), filepath.Join(dir, "audit.key"), filepath.Join(dir, "credentials.json")
	srv, _, err := openServer(ctx, db, credsPath, keyPath, false, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	audited := func() int {
		entries, err := srv.Audit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(entries)
	}
	before := audited()
	const running = "a server is running on this database: stop it first"
	if got, err := revokeKeys(ctx, db, keyPath, "255902"); err == nil || !strings.Contains(err.Error(), running) {
		t.Errorf("-revoke-key while serving: revoked %q, error %v; want refused as %q", got, err, running)
	}
	if _, err := issueKey(ctx, db, credsPath, keyPath, "255902"); err == nil || !strings.Contains(err.Error(), running) {
		t.Errorf("-new-key while serving: error %v; want refused as %q", err, running)
	}
	if second, _, err := openServer(ctx, db, credsPath, keyPath, false, quiet()); err == nil || !strings.Contains(err.Error(), running) {
		if err == nil {
			second.Close()
		}
		t.Errorf("a second server: error %v; want refused as %q", err, running)
	}
	if n := audited(); n != before {
		t.Errorf("the refused commands wrote %d audit entries", n-before)
	}
	keys := map[string]string{}
	for _, k := range readCredentials(t, credsPath).APIKeys {
		keys[k.LEA] = k.Key
	}
	if !keyWorks(t, srv, keys["255902"]) {
		t.Error("the key of LEA 255902 stopped working with the refused revocation")
	}

	srv.Close()
	got, err := revokeKeys(ctx, db, keyPath, "255902")
	if diff := cmp.Diff([]string{"SIS of LEA 255902"}, got); err != nil || diff != "" {
		t.Errorf("-revoke-key after the server stopped: %v (-want +got):\n%s", err, diff)
	}
}

// TestAuditAnchor: a start refuses a database whose last audit entries were deleted,
// telling how to go on; -new-audit-anchor accepts the chain as it is, and the next start
// is a plain one again.
func TestAuditAnchor(t *testing.T) {
	ctx := context.Background()
	dir, db, keyPath, credsPath := seededStore(t)
	if _, err := os.Stat(filepath.Join(dir, "audit.anchor")); err != nil {
		t.Fatalf("no anchor beside the audit key: %v", err)
	}
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = raw.Exec(`DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)`)
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		newAnchor bool
		refused   bool
	}{{"the cut chain", false, true}, {"-new-audit-anchor", true, false}, {"the next start", false, false}} {
		srv, _, err := openServer(ctx, db, credsPath, keyPath, c.newAnchor, quiet())
		if err == nil {
			srv.Close()
		}
		if refused := err != nil; refused != c.refused || c.refused && !strings.Contains(err.Error(), "-new-audit-anchor") {
			t.Errorf("%s: %v, want refused %v (naming -new-audit-anchor)", c.name, err, c.refused)
		}
	}
}

// seededStore starts a server once on a new SQLite database in a temporary folder, so
// that it loads the sample and writes the credentials and the audit key, and stops it;
// it returns the folder and the three files' paths.
func seededStore(t *testing.T) (dir, db, keyPath, credsPath string) {
	t.Helper()
	dir = t.TempDir()
	db, keyPath, credsPath = filepath.Join(dir, "state.db"), filepath.Join(dir, "audit.key"), filepath.Join(dir, "credentials.json")
	srv, _, err := openServer(context.Background(), db, credsPath, keyPath, false, quiet())
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	return dir, db, keyPath, credsPath
}

// An -addr that does not listen is refused before a first start makes anything: no
// database, audit key, anchor or credentials are left.
func TestRunBadAddrMakesNothing(t *testing.T) {
	for _, addr := range []string{"bogus", "127.0.0.1:99999", "256.1.1.1:80"} {
		t.Run(addr, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "s1.db")
			creds := credentialsPath(db, "")
			err := run(addr, db, creds, auditKeyPath(db, creds, ""), false, false)
			if err == nil || !strings.Contains(err.Error(), "-addr "+addr) {
				t.Errorf("run(-addr %s) = %v, want an error naming -addr", addr, err)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				var names []string
				for _, e := range left {
					names = append(names, e.Name())
				}
				t.Errorf("a failed start left %q", names)
			}
		})
	}
}

// The audit key (and its anchor) are named after a new SQLite database, so two databases
// in one folder keep apart; a database made before keeps audit.key.
func TestAuditKeyPath(t *testing.T) {
	tests := []struct {
		name    string
		files   []string // made in the folder first
		db      string
		flagged string
		want    string // in the folder; the anchor is named after it
		anchor  string
	}{
		{"a new database", nil, "s1.db", "", "s1.db.audit.key", "s1.db.audit.anchor"},
		{"a second new database beside one", []string{"s1.db", "s1.db.audit.key", "audit.key"}, "s2.db", "", "s2.db.audit.key", "s2.db.audit.anchor"},
		{"a database made before", []string{"s1.db", "audit.key"}, "s1.db", "", "audit.key", "audit.anchor"},
		{"a database with its own key", []string{"s1.db", "s1.db.audit.key", "audit.key"}, "s1.db", "", "s1.db.audit.key", "s1.db.audit.anchor"},
		{"-audit-key given", []string{"s1.db", "audit.key"}, "s1.db", "k/my.key", "k/my.key", "k/my.anchor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, f), nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			db := filepath.Join(dir, tt.db)
			flagged := ""
			if tt.flagged != "" {
				flagged = filepath.Join(dir, tt.flagged)
			}
			got := auditKeyPath(db, credentialsPath(db, ""), flagged)
			if diff := cmp.Diff([]string{filepath.Join(dir, tt.want), filepath.Join(dir, tt.anchor)}, []string{got, anchorPath(got)}); diff != "" {
				t.Errorf("key and anchor (-want +got):\n%s", diff)
			}
		})
	}
	if got := auditKeyPath("postgres://h/db", "credentials.json", ""); got != "audit.key" {
		t.Errorf("PostgreSQL's audit key %q, want audit.key", got)
	}
}

// -new-key and -revoke-key on a database that does not exist say to start serve once
// first, and make no database.
func TestKeysNeedAnExistingDatabase(t *testing.T) {
	for _, flag := range []string{"-new-key", "-revoke-key"} {
		t.Run(flag, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "s2.db")
			if err := os.WriteFile(filepath.Join(dir, "audit.key"), make([]byte, 32), 0o600); err != nil { // another database's
				t.Fatal(err)
			}
			creds := credentialsPath(db, "")
			var err error
			if flag == "-new-key" {
				_, err = issueKey(context.Background(), db, creds, filepath.Join(dir, "audit.key"), "999999")
			} else {
				_, err = revokeKeys(context.Background(), db, filepath.Join(dir, "audit.key"), "999999")
			}
			if err == nil || !strings.Contains(err.Error(), flag+": the database "+db+" does not exist: start serve once first") {
				t.Errorf("%s on a missing database: %v", flag, err)
			}
			if _, err := os.Stat(db); !os.IsNotExist(err) {
				t.Errorf("%s made the database %s: %v", flag, db, err)
			}
		})
	}
}
