package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/studentlink/studentlink/service"
)

// TestOneServerPerDatabase: while a server holds a database, another Open of it (a
// second server, examples/serve -new-key or -revoke-key) is refused with
// ErrServerRunning and writes nothing; the server's audited commits go on; once it is
// closed, the database opens again.
func TestOneServerPerDatabase(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		e := newEnv(t, db)
		before := len(e.audit())
		cfg := e.config()
		cfg.Seed = nil
		srv, err := service.Open(context.Background(), cfg)
		if err == nil {
			srv.Close()
			t.Fatal("a second Open of a database a server holds was not refused")
		}
		if !errors.Is(err, service.ErrServerRunning) || !strings.Contains(err.Error(), "a server is running on this database: stop it first") {
			t.Errorf("refused with %v, want ErrServerRunning", err)
		}
		if n := len(e.audit()); n != before {
			t.Errorf("the refused Open wrote %d audit entries", n-before)
		}
		// The running server still commits audited changes (its chain head is not stale).
		var got service.EnrollmentResponse
		if code, _ := e.call(e.key("02"), "POST", "/state/v1/enrollments", enrollment("02", "N-1", "Ofa", "", "Vainikolo", "2015-03-09", "Female", ""), &got); code >= 300 {
			t.Fatalf("an enrollment after the refused Open: %d", code)
		}
		e.close()
		srv, err = service.Open(context.Background(), cfg)
		if err != nil {
			t.Fatalf("the Open after Close: %v", err)
		}
		srv.Close()
	})
}
