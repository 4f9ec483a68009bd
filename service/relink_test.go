package service_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/match"
	"github.com/studentlink/studentlink/service"
)

// TestRelink: a relink with nothing decided changes nothing; after reviewers split a
// student and merged two, a relink applies both, keeps the other IDs and the surviving
// ones, and a second relink changes nothing.
func TestRelink(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		e := newEnv(t, db)
		ctx := context.Background()
		studentOf := func(record string) string {
			t.Helper()
			sid, ok, err := e.srv.StudentOf(ctx, record)
			if err != nil || !ok {
				t.Fatalf("record %s: %v %v", record, ok, err)
			}
			return sid
		}
		relink := func() service.RelinkReport {
			t.Helper()
			var rep service.RelinkReport
			if code, _ := e.call(e.key(""), "POST", "/state/v1/relink", nil, &rep); code != http.StatusOK {
				t.Fatalf("relink: %d", code)
			}
			return rep
		}
		if rep := relink(); rep.Moved != 0 || len(rep.Changes) != 0 || rep.Records < 2700 {
			t.Fatalf("a relink with nothing decided: %+v", rep)
		}

		// Split Lisa (her two Ed-Fi records) and merge two students of the run's queue.
		lisaA, lisaB := "255901/604822", "255902/W-22001"
		lisaID := studentOf(lisaA)
		var split service.ReviewDecision
		e.call(e.key(""), "POST", "/state/v1/decisions", map[string]any{"a": lisaA, "b": lisaB, "same": false}, &split)
		if split.Outcome != "pending" || studentOf(lisaB) != lisaID {
			t.Fatalf("the split decision: %+v", split)
		}
		var queue struct{ Reviews []service.ReviewItem }
		e.call(e.key(""), "GET", "/state/v1/reviews", nil, &queue)
		i := slices.IndexFunc(queue.Reviews, func(r service.ReviewItem) bool {
			return r.Reason == "match weight between the lower and upper thresholds" && r.A.StudentUniqueID != r.B.StudentUniqueID
		})
		if i < 0 {
			t.Fatal("no pair of two students in the queue")
		}
		pair := queue.Reviews[i]
		var merged service.ReviewDecision
		e.call(e.key(""), "POST", "/state/v1/reviews/"+pair.ReviewID+"/decision", map[string]bool{"same": true}, &merged)
		if merged.Outcome != "merged" || studentOf(pair.A.RecordID) != studentOf(pair.B.RecordID) {
			t.Fatalf("the merge decision: %+v", merged)
		}

		rep := relink()
		if rep.Moved == 0 || !slices.ContainsFunc(rep.Changes, func(c match.IDChange) bool { return c.Kind == "split" && slices.Equal(c.Earlier, []string{lisaID}) }) {
			t.Errorf("the relink: %+v, want Lisa (%s) split", rep, lisaID)
		}
		a, b := studentOf(lisaA), studentOf(lisaB)
		if a == b || (a != lisaID && b != lisaID) {
			t.Errorf("after the relink Lisa's records are %s and %s; want two students, one still %s", a, b, lisaID)
		}
		if studentOf(pair.A.RecordID) != merged.Student || studentOf(pair.B.RecordID) != merged.Student {
			t.Errorf("the merged pair is no longer %s", merged.Student)
		}
		if again := relink(); again.Moved != 0 || len(again.Changes) != 0 {
			t.Errorf("a second relink: %+v", again)
		}
		splits := 0
		for _, c := range rep.Changes {
			if c.Kind == "split" {
				splits++
			}
		}
		if n := len(entriesOf(e.audit(), backpack.ActionSplit, "")); n != splits {
			t.Errorf("%d split entries in the audit log for %d splits", n, splits)
		}

		// The relinked index answers searches: Lisa's record at 255902 is its own student now.
		e.restart()
		if got := studentOf(lisaB); got != b {
			t.Errorf("after a restart %s is %s, want %s", lisaB, got, b)
		}
		counts, err := e.srv.Counts(ctx, "")
		if err != nil || counts.Indexed != counts.Placed {
			t.Errorf("counts after the relink: %+v %v", counts, err)
		}
		if rs := e.search("255902", lisa); len(rs) != 2 {
			t.Errorf("Lisa after the split: %d candidates, want 2 (%+v)", len(rs), rs)
		}
	})
}
