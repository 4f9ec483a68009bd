package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A settings file named with -model, or a saved model named with -settings, is said to be
// one and not the other, with the flag to name it with: -model settings.json said
// "match: reading saved model: json: cannot unmarshal string into Go struct field
// SavedModel.version of type int", and settings without a version "remove the file";
// -settings model.json said "json: cannot unmarshal number into Go struct field
// Settings.version of type string". Other broken files keep their own errors.
func TestModelOrSettingsFileNamedByTheOtherFlag(t *testing.T) {
	dir := t.TempDir()
	roll := filepath.Join(dir, "roll.csv")
	writeText(t, roll, smallRoll)
	model := filepath.Join(dir, "model.json")
	if _, err := runSummary(t, dir, Flags{In: []string{roll}, Model: model}); err != nil {
		t.Fatal(err)
	}
	var printed, stderr bytes.Buffer
	if err := Run(context.Background(), Flags{PrintSettings: true}, &printed, &stderr); err != nil {
		t.Fatal(err)
	}
	settings := filepath.Join(dir, "settings.json")
	writeText(t, settings, printed.String())
	trimmed := filepath.Join(dir, "trimmed.json") // written by hand: no name, version or format
	writeText(t, trimmed, `{"id_column": "record_id", "columns": [{"name": "first_name", "role": "given_name"}]}`)
	misspelt := filepath.Join(dir, "misspelt.json")
	writeText(t, misspelt, strings.Replace(printed.String(), `"thresholds"`, `"threshold"`, 1))
	notJSON := filepath.Join(dir, "roll-as-model.csv")
	writeText(t, notJSON, smallRoll)
	for _, tt := range []struct {
		name string
		f    Flags
		want string // the whole error, DIR for the folder
	}{
		{"settings as -model", Flags{Model: settings},
			"-model DIR/settings.json: a settings file (as -print-settings writes them), not a trained model: name it with -settings DIR/settings.json, and with -model a file to keep the trained model in"},
		{"settings as -model, print-settings", Flags{Model: settings, PrintSettings: true},
			"-model DIR/settings.json: a settings file (as -print-settings writes them), not a trained model: name it with -settings DIR/settings.json, and with -model a file to keep the trained model in"},
		{"settings without a version as -model", Flags{Model: trimmed},
			"-model DIR/trimmed.json: a settings file (as -print-settings writes them), not a trained model: name it with -settings DIR/trimmed.json, and with -model a file to keep the trained model in"},
		{"model as -settings", Flags{Settings: model},
			"-settings DIR/model.json: a trained model (as -model saves them), not a settings file: run it with -model DIR/model.json (-model DIR/model.json -print-settings writes its settings)"},
		{"model as -settings, print-settings", Flags{Settings: model, PrintSettings: true},
			"-settings DIR/model.json: a trained model (as -model saves them), not a settings file: run it with -model DIR/model.json (-model DIR/model.json -print-settings writes its settings)"},
		{"misspelt settings", Flags{Settings: misspelt},
			`match: settings DIR/misspelt.json: json: unknown field "threshold"`},
		{"a CSV as -model", Flags{Model: notJSON},
			"DIR/roll-as-model.csv: match: reading saved model: invalid character 'r' looking for beginning of value"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			f.In = []string{roll}
			_, err := runSummary(t, dir, f)
			if err == nil {
				t.Fatalf("ran; want %q", tt.want)
			}
			if diff := cmp.Diff(tt.want, strings.ReplaceAll(err.Error(), dir, "DIR")); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
	// Each named by its own flag runs.
	for _, f := range []Flags{{Model: model}, {Settings: settings}} {
		f.In = []string{roll}
		if _, err := runSummary(t, dir, f); err != nil {
			t.Errorf("%+v: %v", f, err)
		}
	}
}
