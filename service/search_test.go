package service_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/service"
)

// TestSearchRefusals: a search the API refuses is a 400 whose message names the request
// and its field at fault, in the request's own terms.
func TestSearchRefusals(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	state := "uri://ed-fi.org/StudentIdentificationSystemDescriptor#State"
	for _, c := range []struct {
		name string
		body string
		want string
	}{
		{"no first name", `[{"lastSurname":"Woods","birthDate":"2008-09-13"}]`, "search request 0: firstName is required"},
		{"impossible date", `[{"firstName":"Lisa","lastSurname":"Woods","birthDate":"2008-09-13"},{"firstName":"Lisa","lastSurname":"Woods","birthDate":"2008-13-45"}]`,
			`search request 1: birthDate: "2008-13-45" is not a real date or time`},
		{"sex not Ed-Fi's", `{"firstName":"Lisa","lastSurname":"Woods","birthDate":"2008-09-13","sexType":"F"}`,
			`search request 0: sexType: "uri://ed-fi.org/SexDescriptor#F" is not one of the code values`},
		{"an SSID that is not one", `[{"firstName":"Lisa","lastSurname":"Woods","birthDate":"2008-09-13","identificationCodes":[{"studentIdentificationSystemDescriptor":"` + state + `","identificationCode":"abc"}]}]`,
			"search request 0: identificationCodes[0].identificationCode: "},
		{"a number for a name", `[{"firstName":1}]`, `search takes a JSON array of identity search requests: "firstName" must be a string, not a JSON number`},
		{"not JSON", ` {"firstName":`, "search takes a JSON array of identity search requests: the request body is not JSON"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, msg := postRaw(t, e, "/identity/v2/search", c.body)
			if code != http.StatusBadRequest || !strings.HasPrefix(msg, c.want) {
				t.Errorf("%d %q, want 400 %q…", code, msg, c.want)
			}
		})
	}
}

// TestSearchOneObject: a search posted as one object, not an array, is answered as an
// array of one, the same as the array.
func TestSearchOneObject(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	body, _ := json.Marshal(lisa)
	var one, array service.SearchResponse
	e.call(e.key("255902"), "POST", "/identity/v2/search", json.RawMessage(" \n"+string(body)), &one)
	e.call(e.key("255902"), "POST", "/identity/v2/search", []service.IdentityRequest{lisa}, &array)
	if len(array.SearchResponses) != 1 || len(array.SearchResponses[0].Responses) != 1 {
		t.Fatalf("the array: %+v", array)
	}
	if diff := cmp.Diff(array, one); diff != "" {
		t.Errorf("one object answered otherwise than an array of it (-array +object):\n%s", diff)
	}
}

// postRaw posts a body with LEA 01's key and returns the status and the error message.
func postRaw(t *testing.T, e *env, path, body string) (int, string) {
	t.Helper()
	status, _, msg := rawCall(t, e, e.key("01"), "POST", path, body)
	return status, msg
}
