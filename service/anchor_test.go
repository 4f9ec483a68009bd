package service_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/studentlink/studentlink/service"
)

// TestAuditAnchor: a start refuses a chain whose last entries were deleted from the
// database, and one whose anchor is missing or altered; a start with NewAuditAnchor
// accepts the chain as it is, audited, and later starts hold it to the new anchor.
func TestAuditAnchor(t *testing.T) {
	for _, c := range []struct {
		name    string
		break_  func(t *testing.T, e *env)
		refused string // what the refusal says; "" for a start
	}{
		{"untouched", func(*testing.T, *env) {}, ""},
		{"tail deleted", func(t *testing.T, e *env) {
			if _, err := rawDB(t, e.db).Exec(`DELETE FROM audit WHERE seq > (SELECT MAX(seq) - 3 FROM audit)`); err != nil {
				t.Fatal(err)
			}
		}, "does not reach its anchor"},
		{"last entry deleted", func(t *testing.T, e *env) {
			if _, err := rawDB(t, e.db).Exec(`DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)`); err != nil {
				t.Fatal(err)
			}
		}, "does not reach its anchor"},
		{"anchor deleted", func(t *testing.T, e *env) { os.Remove(e.anchor) }, "missing or empty"},
		{"anchor forged", func(t *testing.T, e *env) { forgeAnchor(t, e.anchor) }, "verifies"},
		// The whole chain and the anchor deleted together: an empty chain is no first
		// start, and must not pass for one.
		{"chain and anchor deleted", func(t *testing.T, e *env) {
			if _, err := rawDB(t, e.db).Exec(`DELETE FROM audit`); err != nil {
				t.Fatal(err)
			}
			os.Remove(e.anchor)
		}, "missing or empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			onEachStore(t, func(t *testing.T, db string) {
				e := newEnv(t, db)
				e.search("255902", lisa) // a read, committed lazily
				var got service.EnrollmentResponse
				e.call(e.key("02"), "POST", "/state/v1/enrollments", enrollment("02", "N-1", "Ofa", "", "Vainikolo", "2015-03-09", "Female", ""), &got)
				e.close()
				c.break_(t, e)

				srv, err := service.Open(context.Background(), e.config())
				if c.refused == "" {
					if err != nil {
						t.Fatalf("an untouched chain was refused: %v", err)
					}
					srv.Close()
					return
				}
				if err == nil {
					srv.Close()
					t.Fatal("the start was not refused")
				}
				if !strings.Contains(err.Error(), c.refused) {
					t.Errorf("refused with %q, want it to say %q", err, c.refused)
				}
				if strings.Contains(c.refused, "reach") && !errors.Is(err, service.ErrAuditTruncated) {
					t.Errorf("the refusal is not ErrAuditTruncated: %v", err)
				}

				// Recovery: accepted once with NewAuditAnchor, audited, then held to it.
				cfg := e.config()
				cfg.NewAuditAnchor = true
				srv, err = service.Open(context.Background(), cfg)
				if err != nil {
					t.Fatalf("the recovery start: %v", err)
				}
				srv.Close()
				e.restart()
				entries := e.audit()
				if last := entries[len(entries)-1]; !strings.Contains(last.Note, "audit anchor made") {
					t.Errorf("the last entry after the recovery: %+v", last)
				} else if strings.Contains(c.refused, "missing") && (strings.Contains(last.Note, "there was none") || !strings.Contains(last.Note, "missing")) {
					t.Errorf("the recovery's entry does not say the anchor was missing: %q", last.Note)
				}
			})
		})
	}
}

// forgeAnchor changes the sequence number in every slot of an anchor file, keeping the
// file's layout (a digit for another).
func forgeAnchor(t *testing.T, path string) {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(body), "\n")
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) != 4 {
			continue
		}
		seq := []byte(f[1])
		seq[0] = '1' + (seq[0]-'0')%8 // another digit, never 0
		lines[i] = strings.Replace(l, " "+f[1]+" ", " "+string(seq)+" ", 1)
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
}
