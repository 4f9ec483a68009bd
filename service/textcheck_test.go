package service_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// answer is what a test checks of a refused or accepted call: its status and the start
// of its message.
type answer struct {
	Status int
	Msg    string
}

// checkAnswers posts each case's body and compares status and message start.
func checkAnswers(t *testing.T, e *env, cases []struct {
	name, path, body, want string
	status                 int
}) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, msg := rawCall(t, e, e.key("01"), "POST", c.path, c.body)
			got := answer{code, msg}
			if strings.HasPrefix(msg, c.want) {
				got.Msg = c.want
			}
			if diff := cmp.Diff(answer{c.status, c.want}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestPersonTextIgnorable: a person's text holding a default-ignorable character that
// is not a format character (a Hangul filler, a variation selector, the combining
// grapheme joiner, a tag-plane point), a noncharacter or a private-use character is
// refused with 400 naming the property, by create, search and enrollment alike; a ZWNJ
// between Persian letters is still accepted.
func TestPersonTextIgnorable(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	marshal := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	person := func(first, last string) string {
		return marshal(map[string]any{"firstName": first, "lastSurname": last, "birthDate": "2011-02-03"})
	}
	middle := func(m string) string {
		return marshal(map[string]any{"firstName": "Ana", "middleName": m, "lastSurname": "Quill", "birthDate": "2011-02-03"})
	}
	enrolled := func(first string) string {
		return marshal(enrollment("01", "T-9", first, "", "Quill", "2011-02-03", "Female", ""))
	}
	const create, search, enroll = "/identity/v2/identities", "/identity/v2/search", "/state/v1/enrollments"
	const ign = "must not hold invisible default-ignorable characters"
	checkAnswers(t, e, []struct {
		name, path, body, want string
		status                 int
	}{
		{"Hangul filler U+3164 as firstName", create, person("\u3164", "Quill"), "identity: firstName " + ign, http.StatusBadRequest},
		{"Hangul choseong filler U+115F", create, person("Ana\u115f", "Quill"), "identity: firstName " + ign, http.StatusBadRequest},
		{"Hangul jungseong filler U+1160", create, person("Ana", "Qu\u1160ill"), "identity: lastSurname " + ign, http.StatusBadRequest},
		{"halfwidth Hangul filler U+FFA0", search, person("Ana\uffa0", "Quill"), "search request 0: firstName " + ign, http.StatusBadRequest},
		{"variation selector U+FE0F", create, middle("Jo\ufe0f"), "identity: middleName " + ign, http.StatusBadRequest},
		{"variation selector U+E0100", create, person("Ana", "Quill\U000E0100"), "identity: lastSurname " + ign, http.StatusBadRequest},
		{"combining grapheme joiner U+034F", search, person("A\u034fna", "Quill"), "search request 0: firstName " + ign, http.StatusBadRequest},
		{"reserved U+FFF0", create, person("Ana\ufff0", "Quill"), "identity: firstName " + ign, http.StatusBadRequest},
		{"noncharacter U+FDD0", create, person("Ana\ufdd0", "Quill"), "identity: firstName must not hold noncharacters", http.StatusBadRequest},
		{"noncharacter U+FFFE", create, person("Ana", "Quill\ufffe"), "identity: lastSurname must not hold noncharacters", http.StatusBadRequest},
		{"noncharacter U+1FFFF", search, person("Ana\U0001ffff", "Quill"), "search request 0: firstName must not hold noncharacters", http.StatusBadRequest},
		{"private use U+E000", create, person("Ana\ue000", "Quill"), "identity: firstName must not hold private-use characters", http.StatusBadRequest},
		{"private use U+F0000", create, middle("\U000F0000"), "identity: middleName must not hold private-use characters", http.StatusBadRequest},
		{"enrollment: Hangul filler", enroll, enrolled("Ana\u3164"), "enrollment: student: firstName " + ign, http.StatusBadRequest},
		{"enrollment: private use", enroll, enrolled("Ana\ue000"), "enrollment: student: firstName must not hold private-use characters", http.StatusBadRequest},
		{"ZWNJ between Persian letters still accepted", create, person("می\u200cنا", "Quill"), "", http.StatusCreated},
	})
}

// TestIdentityRepeatedKeys: a create or search body with a key given twice, or twice in
// different cases, is refused 400 naming the key (encoding/json would keep the last:
// {"firstName":"Ann","FIRSTNAME":"Bob"} made Bob), as enrollment refuses it.
func TestIdentityRepeatedKeys(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	const create, search = "/identity/v2/identities", "/identity/v2/search"
	checkAnswers(t, e, []struct {
		name, path, body, want string
		status                 int
	}{
		{"create: firstName in another case", create, `{"firstName":"Ann","FIRSTNAME":"Bob","lastSurname":"Quill","birthDate":"2011-02-03"}`,
			`the request body key "FIRSTNAME" repeats key "firstName" in another case`, http.StatusBadRequest},
		{"create: lastSurname twice", create, `{"firstName":"Ann","lastSurname":"Quill","lastSurname":"Reed","birthDate":"2011-02-03"}`,
			`the request body key "lastSurname" appears twice`, http.StatusBadRequest},
		{"create: nested birthLocation city twice", create, `{"firstName":"Ann","lastSurname":"Quill","birthDate":"2011-02-03","birthLocation":{"city":"A","City":"B"}}`,
			`the request body key "City" repeats key "city" in another case`, http.StatusBadRequest},
		{"search: one object", search, `{"firstName":"Ann","lastSurname":"Quill","birthDate":"2011-02-03","birthdate":"2011-02-04"}`,
			`search takes a JSON array of identity search requests: the request body key "birthdate" repeats key "birthDate" in another case`, http.StatusBadRequest},
		{"search: the second of a batch", search, `[{"firstName":"Ann","lastSurname":"Quill","birthDate":"2011-02-03"},{"firstName":"Ann","firstName":"Bob","lastSurname":"Quill","birthDate":"2011-02-03"}]`,
			`search takes a JSON array of identity search requests: the request body key "firstName" appears twice (request 1)`, http.StatusBadRequest},
		{"create: the same key in two objects is fine", create, `{"firstName":"Ann","lastSurname":"Quill","birthDate":"2011-02-03","identificationCodes":[{"studentIdentificationSystemDescriptor":"uri://ed-fi.org/StudentIdentificationSystemDescriptor#District","identificationCode":"1"},{"studentIdentificationSystemDescriptor":"uri://ed-fi.org/StudentIdentificationSystemDescriptor#District","identificationCode":"2"}]}`,
			"", http.StatusCreated},
	})
}

// TestIdentityNamesAndBirthOrder: a firstName or lastSurname with no letter ("-", ".")
// and a birthOrder below 1 are refused 400 naming the property, by create and search.
func TestIdentityNamesAndBirthOrder(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	const create, search = "/identity/v2/identities", "/identity/v2/search"
	checkAnswers(t, e, []struct {
		name, path, body, want string
		status                 int
	}{
		{"create: firstName -", create, `{"firstName":"-","lastSurname":"Woods","birthDate":"2011-02-03"}`, `identity: firstName must hold a letter; got "-"`, http.StatusBadRequest},
		{"create: firstName .", create, `{"firstName":".","lastSurname":"Woods","birthDate":"2011-02-03"}`, `identity: firstName must hold a letter; got "."`, http.StatusBadRequest},
		{"search: firstName -", search, `{"firstName":"-","lastSurname":"Woods","birthDate":"2011-02-03"}`, `search request 0: firstName must hold a letter`, http.StatusBadRequest},
		{"create: lastSurname 123", create, `{"firstName":"Ann","lastSurname":"123","birthDate":"2011-02-03"}`, `identity: lastSurname must hold a letter`, http.StatusBadRequest},
		{"create: birthOrder -1", create, `{"firstName":"Ann","lastSurname":"Woods","birthDate":"2011-02-03","birthOrder":-1}`, `identity: birthOrder must be 1 (the first born) or more; got -1`, http.StatusBadRequest},
		{"search: birthOrder 0", search, `{"firstName":"Ann","lastSurname":"Woods","birthDate":"2011-02-03","birthOrder":0}`, `search request 0: birthOrder must be 1`, http.StatusBadRequest},
		{"create: birthOrder 2 accepted", create, `{"firstName":"Ann","lastSurname":"Woods","birthDate":"2011-02-03","birthOrder":2}`, "", http.StatusCreated},
	})
}
