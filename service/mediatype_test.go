package service_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestMediaType: the JSON calls take a body sent as application/json (with parameters,
// in any case), as an application/…+json type, or without a Content-Type; any other
// type, a form above all, is answered 415 in JSON, naming the type sent and the one
// wanted, before the body is read.
func TestMediaType(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	search := `[{"firstName":"Lisa","lastSurname":"Woods","birthDate":"2008-09-13"}]`
	refused := func(ct string) string {
		return `the request body is sent as "` + ct + `"; this call takes application/json (UTF-8): send "Content-Type: application/json"`
	}
	form := "application/x-www-form-urlencoded"
	for _, c := range []struct {
		name, key, path, contentType, body string
		status                             int
		want                               string // the message; "" for none
	}{
		{"search as JSON", "255902", "/identity/v2/search", "application/json", search, http.StatusOK, ""},
		{"search as JSON with a charset", "255902", "/identity/v2/search", "application/json; charset=UTF-8", search, http.StatusOK, ""},
		{"search as JSON in capitals", "255902", "/identity/v2/search", "Application/JSON", search, http.StatusOK, ""},
		{"search as a +json type", "255902", "/identity/v2/search", "application/vnd.ed-fi+json", search, http.StatusOK, ""},
		{"search without a Content-Type", "255902", "/identity/v2/search", "", search, http.StatusOK, ""},
		{"search as a form", "255902", "/identity/v2/search", form, "firstName=A", http.StatusUnsupportedMediaType, refused(form)},
		{"search as text", "255902", "/identity/v2/search", "text/plain", search, http.StatusUnsupportedMediaType, refused("text/plain")},
		{"search as JSON in Latin-1", "255902", "/identity/v2/search", "application/json; charset=iso-8859-1", search,
			http.StatusUnsupportedMediaType, refused("application/json; charset=iso-8859-1")},
		{"search as a type that does not parse", "255902", "/identity/v2/search", "application/json; ;", search,
			http.StatusUnsupportedMediaType, refused("application/json; ;")},
		{"create as a form", "01", "/identity/v2/identities", form, "firstName=A", http.StatusUnsupportedMediaType, refused(form)},
		{"find as a form", "01", "/identity/v2/find", form, "ids=A", http.StatusUnsupportedMediaType, refused(form)},
		{"find as JSON", "01", "/identity/v2/find", "application/json", `["nobody"]`, http.StatusOK, ""},
		{"enrollment as multipart", "01", "/state/v1/enrollments", "multipart/form-data; boundary=x", "--x--",
			http.StatusUnsupportedMediaType, refused("multipart/form-data; boundary=x")},
		{"a review decision as a form", "", "/state/v1/reviews/V000001/decision", form, "same=true", http.StatusUnsupportedMediaType, refused(form)},
		{"a decision on records as a form", "", "/state/v1/decisions", form, "a=x&b=y&same=true", http.StatusUnsupportedMediaType, refused(form)},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", e.http.URL+c.path, strings.NewReader(c.body))
			req.Header.Set("Authorization", "Bearer "+e.key(c.key))
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			resp, err := e.http.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			var got struct {
				Message string `json:"message"`
			}
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Errorf("the answer is not JSON: %v: %q", err, raw)
			}
			if resp.StatusCode != c.status || got.Message != c.want {
				t.Errorf("%d %q, want %d %q", resp.StatusCode, got.Message, c.status, c.want)
			}
		})
	}
	// A refused call is audited with what it was told.
	entries := e.audit()
	if !strings.Contains(entries[len(entries)-1].Note, "answered 415: "+refused(form)) {
		t.Errorf("the last refusal's audit entry: %q", entries[len(entries)-1].Note)
	}
}
