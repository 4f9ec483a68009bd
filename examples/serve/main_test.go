package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	if err := writeCredentials(path, first); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file mode: %v %v", fi.Mode(), err)
	}
	if err := writeCredentials(path, second); err != nil {
		t.Fatal(err)
	}
	body, _ := os.ReadFile(path)
	if !strings.Contains(string(body), "slk_one") {
		t.Error("the first credentials were overwritten")
	}
	others, _ := filepath.Glob(path + ".*")
	if len(others) != 1 {
		t.Fatalf("the second credentials went to %v", others)
	}
	if body, _ := os.ReadFile(others[0]); !strings.Contains(string(body), "slk_two") {
		t.Error("the second credentials are lost")
	}
}
