package service_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/service"
)

// TestStudentEnumeration: an LEA holding no record of Lisa Woods that sends many
// different requests naming her — a homoglyph, a misspelling, the names swapped, each
// with a few birth dates — is answered with
// her for the first ten in the hour, then no more: a search leaves her out of its answer,
// a create that would answer 409 with her is refused 429 (making no student), both
// audited as a suspected enumeration. A second key of the same LEA shares the count;
// another LEA does not; a request sent again as it was still names her.
func TestStudentEnumeration(t *testing.T) {
	clk := &clock{at: clockStart}
	e := newClockedEnv(t, sqliteDB(t), clk)
	her := e.studentOf(lisa)
	second, err := e.srv.IssueAPIKey(context.Background(), service.KeySpec{LEA: "03", Label: "second SIS"}, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	ask := func(first, last, date string) service.IdentityRequest {
		return service.IdentityRequest{FirstName: first, LastSurname: last, BirthDate: date}
	}
	names := func(key string, q service.IdentityRequest) bool {
		t.Helper()
		var res service.SearchResponse
		if code, _ := e.call(key, "POST", "/identity/v2/search", q, &res); code != http.StatusOK {
			t.Fatalf("search %+v: status %d", q, code)
		}
		for _, r := range res.SearchResponses[0].Responses {
			if r.UniqueID == her {
				return true
			}
		}
		return false
	}
	asked := herVariants()
	var got, want []bool
	for i, q := range asked {
		key := e.key("03")
		if i >= 5 {
			key = second.Key
		}
		got = append(got, names(key, q))
		want = append(want, i < 10)
		clk.add(time.Minute)
	}
	got = append(got, names(second.Key, asked[2]), names(e.key("05"), asked[11]))
	want = append(want, true, true) // sent again as sent; another LEA
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests naming her (-want +got):\n%s", diff)
	}

	a := create(t, e, e.key("03"), ask("Lis\u0430", "Woods", "2008-09-15"))
	if a.Code != http.StatusTooManyRequests || a.UniqueID != "" || a.RetryAfter == "" || !strings.Contains(a.Message, "suspected enumeration") {
		t.Errorf("create of a new variant naming her: %+v, want 429 naming no one", a)
	}

	batch := []service.IdentityRequest{asked[0], asked[3], asked[6], asked[9], asked[1]}
	var res service.SearchResponse
	if code, _ := e.call(e.key("05"), "POST", "/identity/v2/search", batch, &res); code != http.StatusOK {
		t.Fatalf("batch: status %d", code)
	}
	var inBatch []bool
	for _, sr := range res.SearchResponses {
		named := false
		for _, r := range sr.Responses {
			named = named || r.UniqueID == her
		}
		inBatch = append(inBatch, named)
	}
	if diff := cmp.Diff([]bool{true, true, true, false, false}, inBatch); diff != "" {
		t.Errorf("a batch of five requests naming her (-want +got):\n%s", diff)
	}

	var notes []string
	for _, x := range entriesOf(e.audit(), "identity", "") {
		if strings.HasPrefix(x.Note, "suspected enumeration") {
			notes = append(notes, x.Note[:strings.Index(x.Note, " the student(s)")])
		}
	}
	wantNotes := []string{
		"suspected enumeration: search of 1 request(s) left out of the answers to 1 request(s)",
		"suspected enumeration: search of 1 request(s) left out of the answers to 1 request(s)",
		"suspected enumeration: create identity of 1 request(s) refused to name in the answer to 1 request(s)",
		"suspected enumeration: search of 5 request(s) left out of the answers to 2 request(s)",
	}
	if diff := cmp.Diff(wantNotes, notes); diff != "" {
		t.Errorf("audit notes (-want +got):\n%s", diff)
	}
}

// herVariants are twelve requests the matcher answers with Lisa Woods: a homoglyph, a
// misspelling and the names swapped, each with her birth date and a day either side.
func herVariants() []service.IdentityRequest {
	var out []service.IdentityRequest
	for _, n := range [][2]string{{"Lis\u0430", "Woods"}, {"Liisa", "Woods"}, {"Lisa", "Wods"}, {"Woods", "Lisa"}} {
		for _, d := range []string{"2008-09-13", "2008-09-14", "2008-09-12"} {
			out = append(out, service.IdentityRequest{FirstName: n[0], LastSurname: n[1], BirthDate: d})
		}
	}
	return out
}

// TestSearchThenCreate: an SIS that searches a child, then creates them with the middle
// name and sex it holds, is refused neither: six different Maria Garcias in an hour,
// each searched then created, are all answered.
func TestSearchThenCreate(t *testing.T) {
	clk := &clock{at: clockStart}
	e := newClockedEnv(t, sqliteDB(t), clk)
	key := e.key("255901")
	var got, want []string
	for i := range 6 {
		q := service.IdentityRequest{FirstName: "Maria", LastSurname: "Garcia", BirthDate: fmt.Sprintf("2016-0%d-1%d", i+1, i)}
		code, _ := e.call(key, "POST", "/identity/v2/search", q, nil)
		got = append(got, fmt.Sprintf("search %d: %d", i, code))
		q.MiddleName, q.SexType = []string{"Ana", "Luz", "Sofia", "Paz", "Rosa", "Ines"}[i], "Female"
		a := create(t, e, key, q)
		got = append(got, fmt.Sprintf("create %d: %d", i, a.Code))
		want = append(want, fmt.Sprintf("search %d: 200", i), fmt.Sprintf("create %d: 201", i))
		clk.add(5 * time.Minute)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestGuardSurvivesRestart: the search guard's counts are kept in the store: an LEA that
// sent ten requests naming a student it holds no record of is answered without her to
// the eleventh after a restart as before it.
func TestGuardSurvivesRestart(t *testing.T) {
	// A clock from now: a start never stamps before the audit chain's last entry, which
	// the sample's first start dates now.
	clk := &clock{at: time.Now().UTC().Add(time.Minute)}
	e := newClockedEnv(t, sqliteDB(t), clk)
	her := e.studentOf(lisa)
	for d := range 10 {
		if code, _ := e.call(e.key("03"), "POST", "/identity/v2/search", herVariants()[d], nil); code != http.StatusOK {
			t.Fatalf("search of her %d: %d", d, code)
		}
		clk.add(time.Minute)
	}
	e.restart()
	var res service.SearchResponse
	e.call(e.key("03"), "POST", "/identity/v2/search", herVariants()[10], &res)
	named := false
	for _, sr := range res.SearchResponses {
		for _, r := range sr.Responses {
			named = named || r.UniqueID == her
		}
	}
	if named {
		t.Error("after a restart, the eleventh request naming her still names her")
	}
}
