package service_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
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

// outcome sums a search answer up: per request, "named" when its answer names student
// her, else "not named".
func outcome(res service.SearchResponse, her string) []string {
	var out []string
	for _, sr := range res.SearchResponses {
		named := "not named"
		for _, r := range sr.Responses {
			if r.UniqueID == her {
				named = "named"
			}
		}
		out = append(out, named)
	}
	return out
}

// TestSearchEnumeration: an LEA holding no record of Lisa Woods that searches her name
// with more than 3 different other properties in a batch, or more than 10 in an hour,
// is answered without her for the extra ones, and this is audited as a suspected
// enumeration. So it does not learn her birth date (or middle name) from her name by
// searching every day of 2008. Searching the same request again, and batches of
// different people, are not limited.
func TestSearchEnumeration(t *testing.T) {
	clk := &clock{at: clockStart}
	e := newClockedEnv(t, sqliteDB(t), clk)
	her := e.studentOf(lisa)
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
		want := append(repeat("named", 3), repeat("not named", 363)...)
		if diff := cmp.Diff(want, outcome(res, her)); diff != "" {
			t.Errorf("outcomes (-want +got):\n%s", diff)
		}
		for i, sr := range res.SearchResponses {
			for _, r := range sr.Responses {
				if r.BirthDate == lisa.BirthDate {
					t.Errorf("request %d told her birth date: %+v", i, r)
				}
			}
		}
	})

	t.Run("middle names, one batch", func(t *testing.T) {
		var batch []service.IdentityRequest
		// Middle names the matcher answers with her, Lisa S and Lisa Sybil (most others
		// name nobody, and tell nothing of her), each with her birth date and a day
		// either side.
		for _, m := range []string{"Sybil", "S"} {
			for _, d := range []string{"2008-09-13", "2008-09-14", "2008-09-12"} {
				batch = append(batch, with(lisa, func(q *service.IdentityRequest) { q.MiddleName, q.BirthDate = m, d }))
			}
		}
		// LEA 03's key: a key of its own, not limited by LEA 01's searches.
		if diff := cmp.Diff([]string{"named", "named", "named", "not named", "not named", "not named"}, outcome(batchResults(t, e, e.key("03"), batch), her)); diff != "" {
			t.Errorf("outcomes (-want +got):\n%s", diff)
		}
	})

	t.Run("one at a time, over the hour's ten", func(t *testing.T) {
		key := e.key("05")
		type step struct {
			q     service.IdentityRequest
			named bool
		}
		var steps []step
		for d := range 10 { // ten different birth dates, five minutes apart
			steps = append(steps, step{day(d), true})
		}
		steps = append(steps,
			step{day(10), false}, // the eleventh
			step{day(3), true},   // searched again as it was
			step{with(day(3), func(q *service.IdentityRequest) { q.FirstName, q.LastSurname = " LISA ", "woods" }), true},
		)
		for i, st := range steps {
			code, ids := searchOne(t, e, key, st.q)
			if named := slices.Contains(ids, her); code != http.StatusOK || named != st.named {
				t.Errorf("step %d (%+v): %d, named her %v; want 200, %v", i, st.q, code, named, st.named)
			}
			if i < 10 {
				clk.add(5 * time.Minute)
			}
		}
		clk.add(time.Hour)
		if _, ids := searchOne(t, e, key, day(11)); !slices.Contains(ids, her) {
			t.Errorf("an hour later: not named")
		}
	})

	t.Run("a batch of different people, twice", func(t *testing.T) {
		var batch []service.IdentityRequest
		for i := range 40 {
			batch = append(batch, service.IdentityRequest{FirstName: fmt.Sprintf("Student%c%c", 'a'+i/26, 'a'+i%26), LastSurname: "Quill", BirthDate: "2012-04-05"})
		}
		for range 2 {
			batchResults(t, e, e.key("255902"), batch)
		}
	})

	var notes []string
	for _, x := range entriesOf(e.audit(), "identity", "") {
		if strings.HasPrefix(x.Note, "suspected enumeration") {
			notes = append(notes, x.Note)
		}
	}
	if len(notes) != 3 || !strings.Contains(notes[0], "left out of the answers to 363 request(s) the student(s) "+her) {
		t.Errorf("audit notes of suspected enumeration: %q", notes)
	}
}

// createAnswer is what a create answers: its status, Retry-After, and the ID it gave
// (201) or named (409), with its message.
type createAnswer struct {
	Code        int
	RetryAfter  string
	UniqueID    string
	Message     string
	ScoreInText string
}

// create posts one identity create with a key.
func create(t *testing.T, e *env, key string, q service.IdentityRequest) createAnswer {
	t.Helper()
	b, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", e.http.URL+"/identity/v2/identities", bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := e.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := createAnswer{Code: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After")}
	if a.Code == http.StatusCreated {
		json.Unmarshal(raw, &a.UniqueID)
		return a
	}
	var body struct {
		Message  string `json:"message"`
		UniqueID string `json:"uniqueId"`
	}
	json.Unmarshal(raw, &body)
	a.UniqueID, a.Message = body.UniqueID, body.Message
	if m := regexp.MustCompile(`\(score ([0-9.]+)\)`).FindStringSubmatch(body.Message); m != nil {
		a.ScoreInText = m[1]
	}
	return a
}

// TestCreateEnumeration: a create tells, by its 409, whether the state knows a person
// with exactly these properties, so a 409 naming a student the LEA holds no record of
// counts with the LEA's searches naming her: an LEA that has tried ten birth dates of
// Lisa Woods in an hour, by search and create together, is refused the eleventh create
// (429 with Retry-After, audited as a suspected enumeration) instead of being told by
// the 409's score which date is hers, and a search of it leaves her out; a create of a
// request the LEA searched first (an SIS's search, then create) is no new variant. The
// 409 an LEA holding no record of her gets names her ID and score, as the search of the
// same request tells the same key, and nothing more.
func TestCreateEnumeration(t *testing.T) {
	clk := &clock{at: clockStart}
	e := newClockedEnv(t, sqliteDB(t), clk)
	day := func(d int) service.IdentityRequest {
		q := lisa
		q.SexType = ""
		q.BirthDate = time.Date(2008, 1, 1+d, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		return q
	}
	exact := lisa
	exact.SexType = ""
	her := e.studentOf(lisa)

	t.Run("guessing her birth date by creates", func(t *testing.T) {
		key := e.key("01")
		type step struct {
			what   string
			search bool // a search, else a create
			q      service.IdentityRequest
			code   int
			retry  string
		}
		// A search answered 200 names her unless its step's retry says "left out".
		steps := []step{
			{"search a first date", true, day(0), http.StatusOK, ""},
			{"search a second date", true, day(1), http.StatusOK, ""},
			{"create the date searched first", false, day(0), http.StatusConflict, ""}, // her name alone places her
		}
		for d := 2; d < 10; d++ {
			steps = append(steps, step{fmt.Sprintf("create 2008-01-%02d", 1+d), false, day(d), http.StatusConflict, ""})
		}
		steps = append(steps,
			// 2008-01-02, the oldest in the window, was searched 45 minutes before
			// (2008-01-01 was sent again, by the create, 40 minutes before).
			step{"create her true birth date, the eleventh", false, exact, http.StatusTooManyRequests, "900"},
			step{"search it", true, exact, http.StatusOK, "left out"},
			step{"create one already created again", false, day(5), http.StatusConflict, ""},
		)
		for i, st := range steps {
			var code int
			var retry string
			if st.search {
				var ids []string
				code, ids = searchOne(t, e, key, st.q)
				if !slices.Contains(ids, her) {
					retry = "left out"
				}
			} else {
				a := create(t, e, key, st.q)
				code, retry = a.Code, a.RetryAfter
				if code == http.StatusTooManyRequests && !strings.HasPrefix(a.Message, "create identity refused as a suspected enumeration") {
					t.Errorf("step %d (%s): message %q", i, st.what, a.Message)
				}
			}
			if code != st.code || retry != st.retry {
				t.Errorf("step %d (%s): %d, Retry-After %q; want %d %q", i, st.what, code, retry, st.code, st.retry)
			}
			if i < 10 {
				clk.add(5 * time.Minute)
			}
		}
		var notes, made []string
		for _, x := range entriesOf(e.audit(), "identity", "") {
			switch {
			case strings.HasPrefix(x.Note, "suspected enumeration: create identity"):
				notes = append(notes, x.Note)
			case strings.HasPrefix(x.Note, "identity created"):
				made = append(made, x.StudentID)
			}
		}
		want := []string{"suspected enumeration: create identity of 1 request(s) refused to name in the answer to 1 request(s) the student(s) " + her}
		for i := range notes {
			notes[i], _, _ = strings.Cut(notes[i], ", of whom")
		}
		if diff := cmp.Diff(want, notes); diff != "" {
			t.Errorf("audit notes (-want +got):\n%s", diff)
		}
		if len(made) != 0 {
			t.Errorf("identities made of Lisa Woods with a wrong birth date: %v", made)
		}
	})

	t.Run("a 409 tells no more than search", func(t *testing.T) {
		key := e.key("03") // LEA 03 holds no record of her
		a := create(t, e, key, exact)
		if a.Code != http.StatusConflict {
			t.Fatalf("creating her: %+v, want 409", a)
		}
		rs := e.search("03", exact)
		if len(rs) == 0 {
			t.Fatal("search does not find her")
		}
		type told struct{ UniqueID, Score string }
		if diff := cmp.Diff(told{rs[0].UniqueID, strconv.FormatFloat(rs[0].Score, 'g', -1, 64)}, told{a.UniqueID, a.ScoreInText}); diff != "" {
			t.Errorf("the 409 (+) against the search (-):\n%s", diff)
		}
		if strings.Contains(a.Message, lisa.SexType) || rs[0].SexType != "" {
			t.Errorf("her sex told to an LEA holding no record of her: 409 %q, search %+v", a.Message, rs[0])
		}
	})
}
