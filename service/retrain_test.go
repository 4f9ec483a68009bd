package service_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/studentlink/studentlink/match"
	"github.com/studentlink/studentlink/service"
)

// storedModel returns the saved model the store's meta table holds, as JSON fields.
func storedModel(t *testing.T, raw *sql.DB) map[string]json.RawMessage {
	t.Helper()
	var v string
	if err := raw.QueryRow(`SELECT value FROM meta WHERE key = 'model'`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// setStoredModel writes a saved model, as JSON fields, into the store's meta table.
func setStoredModel(t *testing.T, raw *sql.DB, m map[string]json.RawMessage) {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE meta SET value = ? WHERE key = 'model'`, string(b)); err != nil {
		t.Fatal(err)
	}
}

// placements returns every record's student as the store holds them.
func placements(t *testing.T, raw *sql.DB) map[string]string {
	t.Helper()
	rows, err := raw.Query(`SELECT record_id, student_id FROM records`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var r, s string
		if err := rows.Scan(&r, &s); err != nil {
			t.Fatal(err)
		}
		out[r] = s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRetrainAfterUpgrade: a store whose model an older library saved (version 1, which
// match.Load refuses) starts: the model is trained again with the preset its settings
// name, on the placed records with their student IDs, and committed with an audit entry;
// every record keeps its student and searches find the same students.
func TestRetrainAfterUpgrade(t *testing.T) {
	db := sqliteDB(t)
	e := newEnv(t, db)
	people := []service.IdentityRequest{lisa,
		{FirstName: "Ethan", LastSurname: "Yellowhair", BirthDate: "2013-04-12", SexType: "Male"},
		{FirstName: "Carlos", LastSurname: "Pérez García", BirthDate: "2008-09-08", SexType: "Male"},
		{FirstName: "Logan", LastSurname: "Stewart", BirthDate: "2005-12-28"}}
	ids := make([]string, len(people))
	for i, p := range people {
		ids[i] = e.studentOf(p)
	}
	e.close()
	raw := rawDB(t, db)
	before := placements(t, raw)
	m := storedModel(t, raw)
	if string(m["version"]) != "2" {
		t.Fatalf("the stored model's version is %s, want 2", m["version"])
	}
	m["version"] = json.RawMessage("1")
	setStoredModel(t, raw, m)

	e.restart()
	for i, p := range people {
		rs := e.search("255902", p)
		if len(rs) == 0 || rs[0].UniqueID != ids[i] {
			t.Errorf("%s %s after the retraining: %+v, want student %s first", p.FirstName, p.LastSurname, rs, ids[i])
		}
	}
	if after := placements(t, raw); len(after) != len(before) {
		t.Errorf("%d records after the retraining, %d before", len(after), len(before))
	} else {
		moved := 0
		for r, s := range before {
			if after[r] != s {
				moved++
			}
		}
		if moved > 0 {
			t.Errorf("the retraining moved %d of %d records to another student", moved, len(before))
		}
	}
	if got := storedModel(t, raw); string(got["version"]) != "2" {
		t.Errorf("the stored model's version after the retraining is %s, want 2", got["version"])
	}
	retrained := entriesOf(e.audit(), "model", "")
	if len(retrained) != 1 {
		t.Fatalf("audit entries of the retraining: %+v, want one", retrained)
	}
	for _, want := range []string{"retrained after a library upgrade", "was version 1", "reads version 2", fmt.Sprintf("on %d placed records", len(before))} {
		if !strings.Contains(retrained[0].Note, want) {
			t.Errorf("the retraining's audit entry %q does not say %q", retrained[0].Note, want)
		}
	}

	// The next start loads the new model: nothing is trained again.
	e.restart()
	if n := len(entriesOf(e.audit(), "model", "")); n != 1 {
		t.Errorf("%d retraining entries after another start, want 1", n)
	}
	if id := e.studentOf(lisa); id != ids[0] {
		t.Errorf("Lisa Woods after another start: %s, want %s", id, ids[0])
	}
}

// TestRetrainUnknownSettings: a stored model of another version whose settings are no
// preset fails the start, naming the settings and saying what to do; the stored model is
// left as it was.
func TestRetrainUnknownSettings(t *testing.T) {
	db := sqliteDB(t)
	e := newEnv(t, db)
	e.close()
	raw := rawDB(t, db)
	m := storedModel(t, raw)
	var settings map[string]json.RawMessage
	if err := json.Unmarshal(m["settings"], &settings); err != nil {
		t.Fatal(err)
	}
	settings["name"] = json.RawMessage(`"county-custom"`)
	b, _ := json.Marshal(settings)
	m["settings"], m["version"] = b, json.RawMessage("1")
	setStoredModel(t, raw, m)
	want := storedModel(t, raw)

	srv, err := service.Open(context.Background(), e.config())
	if err == nil {
		srv.Close()
		t.Fatal("a start with a stored model of version 1 and unknown settings succeeded")
	}
	if !errors.Is(err, match.ErrModelVersion) || !strings.Contains(err.Error(), `"county-custom"`) ||
		!strings.Contains(err.Error(), "run the service with the library version that saved it, or start this one on a new store whose Seed trains settings") {
		t.Errorf("the start's error: %v, want one wrapping match.ErrModelVersion that names the settings and says what to do", err)
	}
	got := storedModel(t, raw)
	if string(got["version"]) != string(want["version"]) || string(got["settings"]) != string(want["settings"]) {
		t.Error("the failed start changed the stored model")
	}
}
