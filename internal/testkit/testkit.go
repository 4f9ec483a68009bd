package testkit

import (
	"encoding/csv"
	"os"
	"os/exec"
	"testing"
)

// ReadCSV reads the whole CSV file at path, header first, failing t when it cannot.
func ReadCSV(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// Chromium returns the path of the Debian package's Chromium, or skips t.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("Chromium is not installed here (apt-get install chromium, which .ci/run does): the browser test is skipped")
	return ""
}
