package service

// A library upgrade can change the comparisons a model weighs (match.ErrModelVersion):
// the model the store keeps is then refused, and a start trains one again, with the
// preset its settings name, on every placed record, keeping the students' IDs and the
// reviewers' decisions (the run a relink makes, see placedRun). The new model is
// committed with an audit entry saying so; no record changes student.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/match"
)

// modelUpgrade is a stored model of another version, to be trained again.
type modelUpgrade struct {
	name     string         // the stored settings' name
	version  int            // the stored model's version
	settings match.Settings // the preset of that name, which the new model is trained with
	refused  error          // why match.Load refused the stored model
}

// savedModelHead is what a start reads of a saved model it cannot load: its version and
// its settings' name.
type savedModelHead struct {
	Version  int `json:"version"`
	Settings struct {
		Name string `json:"name"`
	} `json:"settings"`
}

// retrainPresets are the settings a start can train a model again with, by name: the
// student preset, whose columns the service reads (checkSettings).
var retrainPresets = map[string]func() match.Settings{
	"student": match.StudentSettings,
}

// upgradeOf says what to do with a stored model match.Load refused: train it again when
// the refusal is its version and its settings are a preset's; otherwise the start fails,
// naming the stored settings. There is no fallback to other settings than the stored ones.
func upgradeOf(saved string, loadErr error) (*modelUpgrade, error) {
	if !errors.Is(loadErr, match.ErrModelVersion) {
		return nil, fmt.Errorf("service: the stored model: %w", loadErr)
	}
	var head savedModelHead
	if err := json.Unmarshal([]byte(saved), &head); err != nil {
		return nil, fmt.Errorf("service: the stored model: %w; its settings cannot be read (%v): a model of this version must be trained for them and stored", loadErr, err)
	}
	name := head.Settings.Name
	preset, ok := retrainPresets[name]
	if !ok {
		return nil, fmt.Errorf("service: the stored model: %w; its settings %q are not a preset the service can train again (student): "+
			"run the service with the library version that saved it, or start this one on a new store whose Seed trains settings %q", loadErr, name, name)
	}
	return &modelUpgrade{name: name, version: head.Version, settings: preset(), refused: loadErr}, nil
}

// retrain trains a model again for a stored model of another version, on every placed
// record with the students' current IDs and the reviewers' decisions, and commits it
// with its audit entry. It sets s.linker; the caller rebuilds the index. The store's
// retired IDs, request events, audit chain and sequences must be loaded.
func (s *Server) retrain(ctx context.Context, up *modelUpgrade) error {
	start := time.Now()
	s.logf("service: the stored model is version %d, which this library does not read; training one of this version with the %q preset", up.version, up.name)
	l, err := match.New(up.settings)
	if err != nil {
		return fmt.Errorf("service: retraining the stored model: %w", err)
	}
	roll, opt, err := s.placedRun(ctx, up.settings)
	if err != nil {
		return fmt.Errorf("service: retraining the stored model: %w", err)
	}
	res, err := l.Run(ctx, roll, opt) // the linker has no model: Run trains it
	if err != nil {
		return fmt.Errorf("service: retraining the stored model on %d records: %w", roll.Len(), err)
	}
	model, err := saveModel(l)
	if err != nil {
		return err
	}
	var head savedModelHead
	if err := json.Unmarshal([]byte(model), &head); err != nil {
		return err
	}
	// Student IDs stay as stored; the records the new model would place otherwise are
	// counted, for a relink to apply.
	moved := 0
	for i, id := range roll.IDs {
		if res.StudentIDs[res.Label[i]] != opt.EarlierIDs[id] {
			moved++
		}
	}
	note := fmt.Sprintf("model retrained after a library upgrade: the stored model of settings %q was version %d, this library reads version %d; "+
		"trained with settings %s (the preset as this library has it: changes made to the stored settings are not carried over) on %d placed records and %d reviewers' decisions; "+
		"student IDs unchanged (%d records the new model would place with another student, which a relink applies)",
		up.name, up.version, head.Version, up.settings.Version, roll.Len(), len(opt.Decisions), moved)
	s.wmu.Lock()
	err = s.commit(ctx, []backpack.Entry{{Action: actionModel, Actor: "service", SettingsVersion: up.settings.Version, Note: note}},
		func(tx *sql.Tx) error { return s.store.setMeta(ctx, tx, metaModel, model) })
	s.wmu.Unlock()
	if err != nil {
		return fmt.Errorf("service: saving the retrained model: %w", err)
	}
	s.linker = l
	s.logf("service: %s (in %s)", note, time.Since(start).Round(time.Millisecond))
	return nil
}
