package service_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/service"
)

// searchOne posts a search of one request with a key and returns its status and the IDs
// its answer names.
func searchOne(t *testing.T, e *env, key string, q service.IdentityRequest) (int, []string) {
	t.Helper()
	var res service.SearchResponse
	code, _ := e.call(key, "POST", "/identity/v2/search", q, &res)
	var ids []string
	for _, sr := range res.SearchResponses {
		for _, r := range sr.Responses {
			ids = append(ids, r.UniqueID)
		}
	}
	return code, ids
}

// TestOwnStudentsNotCounted: the search guard counts only requests whose answer names a
// student the LEA holds no record of. An LEA holding three Ava Johnsons searches them in
// a batch with a fourth request (one with a middle name) and then in eight more
// different ways, and creates a fourth, new Ava Johnson: none is refused, since every
// answer names only its own students or nobody.
func TestOwnStudentsNotCounted(t *testing.T) {
	clk := &clock{at: clockStart}
	e := newClockedEnv(t, sqliteDB(t), clk)
	key := e.key("05")
	avas := []service.IdentityRequest{
		{FirstName: "Ava", LastSurname: "Johnson", BirthDate: "2011-02-03", SexType: "Female"},
		{FirstName: "Ava", LastSurname: "Johnson", BirthDate: "2014-06-21", SexType: "Female"},
		{FirstName: "Ava", LastSurname: "Johnson", BirthDate: "2017-10-09", SexType: "Female"},
	}
	var got, want []string
	held := map[string]bool{}
	for i, q := range avas {
		a := create(t, e, key, q)
		held[a.UniqueID] = true
		got = append(got, fmt.Sprintf("create %d: %d", i, a.Code))
		want = append(want, fmt.Sprintf("create %d: 201", i))
	}
	clk.add(time.Hour) // they were made long ago
	withMiddle := avas[0]
	withMiddle.MiddleName = "Grace"
	batch := append(append([]service.IdentityRequest{}, avas...), withMiddle)
	for i, sr := range batchResults(t, e, key, batch).SearchResponses {
		got = append(got, fmt.Sprintf("batch %d: %d named", i, len(sr.Responses)))
		want = append(want, fmt.Sprintf("batch %d: 1 named", i))
	}
	for i := range 8 {
		q := avas[i%3]
		q.MiddleName = []string{"Rose", "Mae", "Lynn", "Jane"}[i/2]
		if i%2 == 1 {
			q.SexType = ""
		}
		code, ids := searchOne(t, e, key, q)
		for _, id := range ids {
			if !held[id] {
				t.Errorf("search %d named %s, not one of the LEA's", i, id)
			}
		}
		got = append(got, fmt.Sprintf("search %d: %d", i, code))
		want = append(want, fmt.Sprintf("search %d: 200", i))
		clk.add(time.Minute)
	}
	a := create(t, e, key, service.IdentityRequest{FirstName: "Ava", LastSurname: "Johnson", MiddleName: "Pearl", BirthDate: "2020-12-30", SexType: "Female"})
	got = append(got, fmt.Sprintf("create a new one: %d", a.Code))
	want = append(want, "create a new one: 201")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestCommonNamesNotCounted: an SIS registering many different children of one common
// name (eleven new Maria Garcias in an hour, each searched first, with no candidate,
// then created) is refused none, and searching exactly what it created — a student it
// now holds — names that student.
func TestCommonNamesNotCounted(t *testing.T) {
	clk := &clock{at: clockStart}
	e := newClockedEnv(t, sqliteDB(t), clk)
	key := e.key("03")
	var got, want []string
	for i := range 11 {
		q := service.IdentityRequest{FirstName: "Maria", LastSurname: "Garcia", BirthDate: fmt.Sprintf("20%02d-%02d-1%d", 5+i, 1+i, i%10), SexType: "Female"}
		code, _ := searchOne(t, e, key, q)
		a := create(t, e, key, q)
		code2, ids := searchOne(t, e, key, q)
		found := len(ids) > 0 && ids[0] == a.UniqueID
		got = append(got, fmt.Sprintf("%d: search %d, create %d, search again %d naming it %v", i, code, a.Code, code2, found))
		want = append(want, fmt.Sprintf("%d: search 200, create 201, search again 200 naming it true", i))
		clk.add(4 * time.Minute)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
