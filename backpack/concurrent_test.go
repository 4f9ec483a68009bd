package backpack_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// Builds run while other LEAs' submissions are added (run with -race).
func TestStoreConcurrent(t *testing.T) {
	s := newStore(t)
	groups := groupsByHand(t, s)
	want := map[string]*backpack.Backpack{}
	for id, recs := range groups {
		want[id] = build(t, s, id, recs...)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 20 {
				sub := &backpack.Submission{LEA: fmt.Sprintf("9%d%02d", w, k), Students: []backpack.StudentRecord{{
					Record: fmt.Sprintf("9%d%02d/1", w, k), FirstName: "New"}}}
				if err := s.Add(sub); err != nil {
					t.Error(err)
					return
				}
				_ = s.Records()
			}
		}()
	}
	for id, recs := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				b, err := s.Build(id, recs, backpack.Survivorship{})
				if err != nil {
					t.Error(err)
					return
				}
				if diff := cmp.Diff(want[id], b); diff != "" {
					t.Errorf("%s built concurrently (-serial +concurrent):\n%s", id, diff)
					return
				}
				if _, ok := s.Student(recs[0]); !ok {
					t.Errorf("record %s vanished", recs[0])
				}
			}
		}()
	}
	wg.Wait()
	if n := len(s.Records()); n != 14+4*20 {
		t.Errorf("%d records, want %d", n, 14+4*20)
	}
}

// Guardians submit while staff approve and reject (run with -race).
func TestRequestsConcurrent(t *testing.T) {
	log, _ := backpack.NewLog()
	r := backpack.NewRequests(log)
	const guardians = 20
	ids := make(chan string, guardians)
	var wg sync.WaitGroup
	for g := range guardians {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := r.Submit(fmt.Sprintf("guardian-%d", g), fmt.Sprintf("10006048%02d", g))
			if err != nil {
				t.Error(err)
				return
			}
			ids <- req.ID
		}()
	}
	var decided sync.WaitGroup
	results := make(chan error, 2*guardians)
	for range 4 {
		decided.Add(1)
		go func() {
			defer decided.Done()
			for id := range ids {
				// Two staff race to decide each request: exactly one may win.
				var both sync.WaitGroup
				both.Add(2)
				go func() { defer both.Done(); _, err := r.Approve(clerk, id); results <- err }()
				go func() { defer both.Done(); _, err := r.Reject(registrar, id, "duplicate"); results <- err }()
				both.Wait()
			}
		}()
	}
	wg.Wait()
	close(ids)
	decided.Wait()
	close(results)
	ok, refused := 0, 0
	for err := range results {
		if err == nil {
			ok++
		} else {
			refused++
		}
	}
	if ok != guardians || refused != guardians {
		t.Errorf("%d decisions succeeded and %d were refused; want %d each", ok, refused, guardians)
	}
	if p := r.Pending(); len(p) != 0 {
		t.Errorf("%d requests still pending", len(p))
	}
	es := log.Entries()
	if len(es) != 2*guardians {
		t.Errorf("%d audit entries, want %d", len(es), 2*guardians)
	}
	if err := backpack.VerifyHead(es, log.Head()); err != nil {
		t.Error(err)
	}
}
