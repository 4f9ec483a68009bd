package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/match"
)

const smallRoll = "record_id,lea_id,school_id,ssid,first_name,middle_name,last_name,suffix,birth_date,sex,grade_level,address,city,zip,entry_date\n" +
	"R1,01,,,Emma,,Johnson,,2012-05-01,F,5,12 Oak St,Provo,84601,\n" +
	"R2,01,,,Emma,,Johnson,,05/01/2012,F,5,12 Oak St,Provo,84601,\n" +
	"R3,01,,,Liam,,Chen,,2011-02-03,M,6,9 Elm St,Orem,84057,\n"

// A model loaded with -model runs with the settings it was trained with: a -preset that
// names other settings, or any -settings file, beside it is refused, before any output
// is written; -preset naming the model's own preset, or none, runs.
func TestPresetOrSettingsBesideLoadedModel(t *testing.T) {
	dir := t.TempDir()
	roll := filepath.Join(dir, "roll.csv")
	writeText(t, roll, smallRoll)
	model := filepath.Join(dir, "model.json")
	if _, err := runSummary(t, dir, Flags{In: []string{roll}, Model: model}); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(match.PersonSettings())
	if err != nil {
		t.Fatal(err)
	}
	settings := filepath.Join(dir, "person.json")
	writeText(t, settings, string(b))
	tests := []struct {
		name string
		f    Flags
		want string // in the error; "" runs
	}{
		{"no preset", Flags{}, ""},
		{"the model's preset", Flags{Preset: "student"}, ""},
		{"another preset", Flags{Preset: "person"}, "-preset person, but the model in DIR/model.json was trained with the student settings"},
		{"a settings file", Flags{Settings: settings}, "-settings DIR/person.json, but the model in DIR/model.json carries the settings it was trained with"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+strings.ReplaceAll(tt.name, " ", "-")+".csv")
			f := tt.f
			f.In, f.Model, f.Out, f.SkipBadRows = []string{roll}, model, out, out+".rejects"
			summary, err := runSummary(t, dir, f)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(summary, "settings:       student") {
					t.Errorf("summary:\n%s", summary)
				}
				return
			}
			if err == nil || !strings.Contains(strings.ReplaceAll(err.Error(), dir, "DIR"), tt.want) {
				t.Fatalf("error %v, want one with %q", err, tt.want)
			}
			for _, p := range []string{out, out + ".rejects"} {
				if _, err := os.Stat(p); err == nil {
					t.Errorf("%s written", p)
				}
			}
		})
	}
}

// A -model file saved by a library whose comparisons had other levels is refused, with
// what to do: remove it or name another, for -model saves a new model where none is.
func TestOldModelFile(t *testing.T) {
	dir := t.TempDir()
	roll := filepath.Join(dir, "roll.csv")
	writeText(t, roll, smallRoll)
	model := filepath.Join(dir, "model.json")
	writeText(t, model, `{"version": 1, "settings": {}, "model": {}}`)
	_, err := runSummary(t, dir, Flags{In: []string{roll}, Model: model})
	if !errors.Is(err, match.ErrModelVersion) || !strings.Contains(err.Error(), "remove the file, or name another -model file") {
		t.Fatalf("error %v, want the model's version refused with what to do", err)
	}
}

// A model trained on a roll without SSIDs, loaded to link a roll with them, compares no
// SSID: the summary warns of it, and of nothing else; a roll alike draws no warning.
func TestLoadedModelWarnsOfRolesItDoesNotCompare(t *testing.T) {
	dir := t.TempDir()
	without := filepath.Join(dir, "without.csv")
	writeText(t, without, smallRoll)
	with := filepath.Join(dir, "with.csv")
	writeText(t, with, strings.NewReplacer("R1,01,,,", "R1,01,,4829175036,", "R2,01,,,", "R2,01,,4829175036,", "R3,01,,,", "R3,01,,7306194825,").Replace(smallRoll))
	model := filepath.Join(dir, "model.json")
	if _, err := runSummary(t, dir, Flags{In: []string{without}, Model: model}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"a roll with SSIDs", with, []string{"warning:        the loaded model compares no ssid: it was trained on a roll without it, so this roll's ssid values are read but not compared; retrain (-model a new file) to use them"}},
		{"a roll without", without, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			summary, err := runSummary(t, dir, Flags{In: []string{tt.in}, Model: model})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for line := range strings.Lines(summary) {
				if strings.Contains(line, "the loaded model compares no") {
					got = append(got, strings.TrimSuffix(line, "\n"))
				}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("warnings (-want +got):\n%s\nsummary:\n%s", d, summary)
			}
		})
	}
}

// A loaded model reads the inputs with its own columns, not the default preset's: a
// model trained with -columns given_name=Nombre reads Nombre as the given name when
// loaded without -columns, and a person-preset model reads the roll with the person
// preset's columns; -columns beside the model renames on top of the model's columns.
// -print-settings with the model prints the model's settings.
func TestLoadedModelReadsWithItsColumns(t *testing.T) {
	dir := t.TempDir()
	roll := filepath.Join(dir, "roll.csv")
	writeText(t, roll, smallRoll)
	nombre := filepath.Join(dir, "nombre.csv")
	writeText(t, nombre, strings.Replace(smallRoll, "first_name", "Nombre", 1))
	nombreModel := filepath.Join(dir, "nombre.json")
	if _, err := runSummary(t, dir, Flags{In: []string{nombre}, Columns: "given_name=Nombre", Model: nombreModel}); err != nil {
		t.Fatal(err)
	}
	personModel := filepath.Join(dir, "person.json")
	if _, err := runSummary(t, dir, Flags{In: []string{roll}, Preset: "person", Model: personModel}); err != nil {
		t.Fatal(err)
	}
	columns := func(summary string) []string {
		var out []string
		for line := range strings.Lines(summary) {
			if l := strings.TrimSpace(line); strings.HasPrefix(l, "ignored:") || strings.HasPrefix(l, "not in the file:") || strings.Contains(l, "compares no") {
				out = append(out, l)
			}
		}
		return out
	}
	tests := []struct {
		name string
		f    Flags
		want []string
	}{
		{"renamed column, model alone", Flags{In: []string{nombre}, Model: nombreModel},
			[]string{"not in the file: full_name, other_names, email, phone"}},
		{"person model", Flags{In: []string{roll}, Model: personModel},
			[]string{"ignored: lea_id, school_id, middle_name, suffix, sex, grade_level, entry_date", "not in the file: full_name, address_2, state, email, phone"}},
		{"-columns on top of the model's", Flags{In: []string{roll}, Model: nombreModel, Columns: "given_name=first_name"},
			[]string{"not in the file: full_name, other_names, email, phone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			summary, err := runSummary(t, dir, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, columns(summary)); d != "" {
				t.Errorf("columns (-want +got):\n%s\nsummary:\n%s", d, summary)
			}
		})
	}
	var stdout, stderr bytes.Buffer
	if err := Run(context.Background(), Flags{Model: personModel, PrintSettings: true}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	var printed match.Settings
	if err := json.Unmarshal(stdout.Bytes(), &printed); err != nil {
		t.Fatal(err)
	}
	if printed.Name != "person" || !slices.ContainsFunc(printed.Columns, func(c match.Column) bool { return c.Name == "address_1" }) {
		t.Errorf("-print-settings with the person model printed settings %q with columns %v", printed.Name, printed.Columns)
	}
}
