package service_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/studentlink/studentlink/service"
)

// The service on the embedded sample: an LEA's SIS searches the state's students.
func Example() {
	dir, _ := os.MkdirTemp("", "studentlink-example-")
	defer os.RemoveAll(dir)
	auditKey := []byte("a key the state keeps apart from its database")
	srv, err := service.Open(context.Background(), service.Config{DB: filepath.Join(dir, "studentlink.db"), Seed: service.SampleSeed, AuditKey: auditKey})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	var key string
	for _, k := range srv.FirstStart.APIKeys {
		if k.LEA == "255902" {
			key = k.Key
		}
	}
	req, _ := http.NewRequest("POST", ts.URL+"/identity/v2/search",
		strings.NewReader(`[{"firstName":"Lisa","lastSurname":"Woods","birthDate":"2008-09-13","sexType":"Female"}]`))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var out service.SearchResponse
	if err := jsonDecode(resp.Body, &out); err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range out.SearchResponses[0].Responses {
		fmt.Println(c.UniqueID, c.Score, c.FirstName, c.LastSurname, c.BirthDate)
	}
	// Output:
	// S3bbe4117402e 99 Lisa Woods 2008-09-13
}
