package service_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/service"
)

// batchResults posts a search batch with a key and returns its answer, waiting for the
// results of one answered later.
func batchResults(t *testing.T, e *env, key string, batch []service.IdentityRequest) service.SearchResponse {
	t.Helper()
	var res service.SearchResponse
	code, h := e.call(key, "POST", "/identity/v2/search", batch, &res)
	switch {
	case code == http.StatusOK:
		return res
	case code != http.StatusAccepted:
		t.Fatalf("batch of %d: status %d", len(batch), code)
	}
	deadline := time.Now().Add(30 * time.Second)
	for res.Status != "Complete" {
		if time.Now().After(deadline) {
			t.Fatal("the batch did not complete in 30 s")
		}
		time.Sleep(20 * time.Millisecond)
		if code, _ := e.call(key, "GET", h.Get("Location"), nil, &res); code != http.StatusOK {
			t.Fatalf("results: status %d", code)
		}
	}
	return res
}

// outcome sums a search answer up: per request, "refused" (with no response) or
// "searched".
func outcome(res service.SearchResponse) []string {
	var out []string
	for _, sr := range res.SearchResponses {
		switch {
		case sr.Refused != "" && len(sr.Responses) == 0:
			out = append(out, "refused")
		case sr.Refused != "":
			out = append(out, "refused, yet answered")
		default:
			out = append(out, "searched")
		}
	}
	return out
}

// TestSearchEnumeration: a key that searches one person's name with more than 3
// different other properties in a batch, or more than 10 in an hour, is refused the
// extra ones (in a batch, their responses say refused; alone, 429 with Retry-After), and
// the refusal is audited as a suspected enumeration. So an LEA holding no record of Lisa
// Woods does not learn her birth date (or middle name) from her name by searching every
// day of 2008. Searching the same request again, and batches of different people, are
// not limited.
func TestSearchEnumeration(t *testing.T) {
	clk := &clock{at: clockStart}
	e := newClockedEnv(t, sqliteDB(t), clk)
	with := func(q service.IdentityRequest, f func(*service.IdentityRequest)) service.IdentityRequest {
		f(&q)
		return q
	}
	day := func(d int) service.IdentityRequest {
		return with(lisa, func(q *service.IdentityRequest) {
			q.SexType = ""
			q.BirthDate = time.Date(2008, 1, 1+d, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		})
	}
	repeat := func(s string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = s
		}
		return out
	}

	t.Run("every day of 2008, one batch", func(t *testing.T) {
		var batch []service.IdentityRequest
		for d := range 366 {
			batch = append(batch, day(d))
		}
		res := batchResults(t, e, e.key("01"), batch)
		want := append(repeat("searched", 3), repeat("refused", 363)...)
		if diff := cmp.Diff(want, outcome(res)); diff != "" {
			t.Errorf("outcomes (-want +got):\n%s", diff)
		}
		for i, sr := range res.SearchResponses {
			for _, r := range sr.Responses {
				if r.BirthDate == lisa.BirthDate {
					t.Errorf("request %d told her birth date: %+v", i, r)
				}
			}
		}
		if got := res.SearchResponses[255].Refused; !strings.Contains(got, "suspected enumeration") {
			t.Errorf("refusal of 2008-09-13: %q", got)
		}
	})

	t.Run("middle names, one batch", func(t *testing.T) {
		var batch []service.IdentityRequest
		for _, m := range []string{"Ann", "Beth", "Cora", "Dawn", "Sybil", "Zed"} {
			batch = append(batch, with(lisa, func(q *service.IdentityRequest) { q.MiddleName = m }))
		}
		// LEA 03's key: a key of its own, not limited by LEA 01's searches.
		if diff := cmp.Diff([]string{"searched", "searched", "searched", "refused", "refused", "refused"}, outcome(batchResults(t, e, e.key("03"), batch))); diff != "" {
			t.Errorf("outcomes (-want +got):\n%s", diff)
		}
	})

	t.Run("one at a time, over the hour's ten", func(t *testing.T) {
		key := e.key("255901")
		post := func(q service.IdentityRequest) (int, string) {
			t.Helper()
			code, h := e.call(key, "POST", "/identity/v2/search", q, nil)
			return code, h.Get("Retry-After")
		}
		type step struct {
			q     service.IdentityRequest
			code  int
			retry string
		}
		var steps []step
		for d := range 10 { // ten different birth dates, five minutes apart
			steps = append(steps, step{day(d), http.StatusOK, ""})
		}
		steps = append(steps,
			step{day(10), http.StatusTooManyRequests, "600"}, // the first was 50 minutes ago
			step{day(3), http.StatusOK, ""},                  // searched again as it was
			step{with(day(3), func(q *service.IdentityRequest) { q.FirstName, q.LastSurname = " LISA ", "woods" }), http.StatusOK, ""},
			step{with(day(10), func(q *service.IdentityRequest) { q.FirstName = "Lisa-Marie" }), http.StatusOK, ""}, // another name
		)
		for i, st := range steps {
			code, retry := post(st.q)
			if code != st.code || retry != st.retry {
				t.Errorf("step %d (%+v): %d, Retry-After %q; want %d %q", i, st.q, code, retry, st.code, st.retry)
			}
			if i < 10 {
				clk.add(5 * time.Minute)
			}
		}
		clk.add(time.Hour)
		if code, _ := post(day(11)); code != http.StatusOK {
			t.Errorf("an hour later: %d, want 200", code)
		}
	})

	t.Run("a batch of different people, twice", func(t *testing.T) {
		var batch []service.IdentityRequest
		for i := range 40 {
			batch = append(batch, service.IdentityRequest{FirstName: fmt.Sprintf("Student%c%c", 'a'+i/26, 'a'+i%26), LastSurname: "Quill", BirthDate: "2012-04-05"})
		}
		for range 2 {
			if got := outcome(batchResults(t, e, e.key("255902"), batch)); strings.Contains(strings.Join(got, ","), "refused") {
				t.Errorf("refused: %v", got)
			}
		}
	})

	var notes []string
	for _, x := range entriesOf(e.audit(), "identity", "") {
		if strings.HasPrefix(x.Note, "suspected enumeration") {
			notes = append(notes, x.Note)
		}
	}
	if len(notes) != 3 || !strings.Contains(notes[0], `refused 363 that repeat the name(s) "lisa woods"`) {
		t.Errorf("audit notes of suspected enumeration: %q", notes)
	}
}
