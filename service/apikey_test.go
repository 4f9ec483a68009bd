package service_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/service"
)

// keyedCall makes a GET with a raw Authorization header and returns the status.
func keyedCall(t *testing.T, e *env, authorization, path string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", e.http.URL+path, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestBearerScheme: the Authorization scheme is read without regard to case, as RFC
// 9110 says; another scheme, or none, is not a key.
func TestBearerScheme(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	key := e.key("")
	for _, c := range []struct {
		name, header string
		want         int
	}{
		{"Bearer", "Bearer " + key, http.StatusOK},
		{"lower case", "bearer " + key, http.StatusOK},
		{"upper case, two spaces", "BEARER  " + key, http.StatusOK},
		{"another scheme", "Basic " + key, http.StatusUnauthorized},
		{"no space", "Bearer" + key, http.StatusUnauthorized},
		{"no key", "bearer ", http.StatusUnauthorized},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := keyedCall(t, e, c.header, "/state/v1/reviews"); got != c.want {
				t.Errorf("status %d, want %d", got, c.want)
			}
		})
	}
}

// TestRevokeKey: a revoked key is refused at once by the server that revoked it, and
// within the recheck time by a server that learns of it from the store (another process
// revoked it); the refusal is audited naming the key's holder; the revocation persists,
// and another LEA's key still works.
func TestRevokeKey(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		clk := &clock{at: clockStart}
		e := newClockedEnv(t, db, clk)
		ctx := context.Background()
		old := e.key("255902")
		fresh, err := e.srv.IssueAPIKey(ctx, service.KeySpec{LEA: "255902", Label: "new SIS"}, "test", nil)
		if err != nil {
			t.Fatal(err)
		}
		status := func(key string) int {
			t.Helper()
			return keyedCall(t, e, "Bearer "+key, "/identity/v2/identities/S-none")
		}
		if got := status(old); got != http.StatusNotFound {
			t.Fatalf("before the revocation: %d, want 404 (an answer)", got)
		}

		// Revoked here: refused at once, the other key of the LEA too.
		labels, err := e.srv.RevokeLEAKeys(ctx, "255902", "test")
		slices.Sort(labels) // the store's collation orders them
		if diff := cmp.Diff([]string{"SIS of LEA 255902", "new SIS"}, labels); err != nil || diff != "" {
			t.Fatalf("revoked %v, %v (-want +got):\n%s", labels, err, diff)
		}
		before := len(e.audit())
		for _, k := range []string{old, fresh.Key} {
			status, _, msg := rawCall(t, e, k, "GET", "/identity/v2/identities/S-none", "")
			if status != http.StatusUnauthorized || !strings.Contains(msg, "revoked") {
				t.Errorf("a revoked key: %d %q, want 401 saying it was revoked", status, msg)
			}
		}
		refusals := e.audit()[before:]
		if len(refusals) != 2 || !strings.HasPrefix(refusals[0].Actor, `revoked api key "SIS of LEA 255902" (LEA 255902) from `) {
			t.Errorf("audit of the refusals: %+v", refusals)
		}
		if _, err := e.srv.RevokeLEAKeys(ctx, "255902", "test"); !errors.Is(err, service.ErrNoLiveKey) {
			t.Errorf("revoking again: %v, want ErrNoLiveKey", err)
		}
		if got := status(e.key("255901")); got != http.StatusNotFound {
			t.Errorf("another LEA's key: %d, want 404 (an answer)", got)
		}

		// Revoked by another process: the cached key works until the recheck.
		other := e.key("255901")
		if _, err := rawDB(t, db).Exec(`UPDATE api_keys SET revoked = 'x' WHERE lea = '255901'`); err != nil {
			t.Fatal(err)
		}
		if got := status(other); got != http.StatusNotFound {
			t.Errorf("within the recheck time: %d, want 404 (cached)", got)
		}
		clk.add(11 * time.Second)
		if got := status(other); got != http.StatusUnauthorized {
			t.Errorf("after the recheck time: %d, want 401", got)
		}

		e.restart()
		if got := status(old); got != http.StatusUnauthorized {
			t.Errorf("after a restart: %d, want 401", got)
		}
		if got := status(e.key("01")); got != http.StatusNotFound {
			t.Errorf("a live key after a restart: %d, want 404 (an answer)", got)
		}
	})
}

// TestRevokeOneKey: a key revoked by itself leaves the LEA's other keys working.
func TestRevokeOneKey(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	ctx := context.Background()
	fresh, err := e.srv.IssueAPIKey(ctx, service.KeySpec{LEA: "255902", Label: "new SIS"}, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if label, err := e.srv.RevokeAPIKey(ctx, e.key("255902"), "test"); err != nil || label != "SIS of LEA 255902" {
		t.Fatalf("revoked %q, %v", label, err)
	}
	for _, c := range []struct {
		name, key string
		want      int
	}{{"the revoked key", e.key("255902"), http.StatusUnauthorized}, {"the LEA's other key", fresh.Key, http.StatusNotFound}} {
		if got := keyedCall(t, e, "Bearer "+c.key, "/identity/v2/identities/S-none"); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

// TestKeysMigration: a database of schema version 1 (no revocation) gains it, its keys
// live.
func TestKeysMigration(t *testing.T) {
	db := sqliteDB(t)
	e := newEnv(t, db)
	key := e.key("255902")
	e.close()
	raw := rawDB(t, db)
	// Back to schema version 1: what the later versions added is taken away.
	for _, q := range []string{`ALTER TABLE api_keys DROP COLUMN revoked`, `DROP TABLE forwarded`, `DROP TABLE search_variants`, `ALTER TABLE request_events DROP COLUMN exit_date`, `UPDATE schema_version SET version = 1`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	e.restart()
	if got := keyedCall(t, e, "Bearer "+key, "/identity/v2/identities/S-none"); got != http.StatusNotFound {
		t.Fatalf("a key of the old schema: %d, want 404 (an answer)", got)
	}
	if _, err := e.srv.RevokeAPIKey(context.Background(), key, "test"); err != nil {
		t.Fatal(err)
	}
	if got := keyedCall(t, e, "Bearer "+key, "/identity/v2/identities/S-none"); got != http.StatusUnauthorized {
		t.Errorf("revoked: %d, want 401", got)
	}
}
