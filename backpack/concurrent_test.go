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
				if diff := cmp.Diff(want[id], b, ignoreSeal); diff != "" {
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
	r, log := requests(t)
	bp := sampleBackpacks(t)
	const guardians = 20
	ids := make(chan string, guardians)
	var wg sync.WaitGroup
	for g := range guardians {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := r.Submit("255902", fmt.Sprintf("guardian-%d", g), lisaSSID)
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
				go func() { defer both.Done(); _, err := r.Approve(clerk, id, bp.lisa); results <- err }()
				go func() { defer both.Done(); _, err := r.Reject(registrar, id, "duplicate"); results <- err }()
				both.Wait()
			}
		}()
	}
	// Views run meanwhile.
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.StaffView(registrar, bp.lisa); err != nil {
				t.Error(err)
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
	if p, _ := r.Pending(clerk); len(p) != 0 {
		t.Errorf("%d requests still pending", len(p))
	}
	if n := len(entriesOf(t, log)); n != 2*guardians+4 {
		t.Errorf("%d audit entries, want %d", n, 2*guardians+4)
	}
	if err := log.Verify(); err != nil {
		t.Error(err)
	}
}
