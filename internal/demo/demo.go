// Package demo gives the example programs what they share: a student linker trained on
// the embedded synthetic roll, and the embedded Ed-Fi submissions.
package demo

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"

	"github.com/studentlink/studentlink"
	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/match"
)

// SampleRoll is the embedded synthetic state roll.
const SampleRoll = "testdata/synth/roll.csv"

// EdFiLEAs are the LEAs whose Ed-Fi submissions are embedded under testdata/edfi, with
// the dates they were submitted.
var EdFiLEAs = []struct{ LEA, Submitted string }{
	{"255901", "2022-06-15"},
	{"255902", "2023-01-20"},
}

// ReadRoll reads an embedded student CSV roll with the student preset's columns.
func ReadRoll(path string) (*match.Roll, error) {
	data, err := studentlink.Testdata.ReadFile(path)
	if err != nil {
		return nil, err
	}
	roll, err := match.StudentSettings().NewRoll()
	if err != nil {
		return nil, err
	}
	if err := roll.ReadCSV(path, bytes.NewReader(data)); err != nil {
		return nil, err
	}
	return roll, nil
}

// TrainedLinker returns a student linker trained, without labels, on the embedded
// synthetic roll, and that run's result: small submissions are too few to train on.
func TrainedLinker(ctx context.Context) (*match.Linker, *match.Result, error) {
	roll, err := ReadRoll(SampleRoll)
	if err != nil {
		return nil, nil, err
	}
	l, err := match.New(match.StudentSettings())
	if err != nil {
		return nil, nil, err
	}
	res, err := l.Run(ctx, roll, match.RunOptions{})
	if err != nil {
		return nil, nil, err
	}
	return l, res, nil
}

// EdFiSubmissions imports the embedded Ed-Fi submissions of every LEA in EdFiLEAs.
func EdFiSubmissions() ([]*backpack.Submission, error) {
	fsys, err := fs.Sub(studentlink.Testdata, "testdata/edfi")
	if err != nil {
		return nil, err
	}
	var subs []*backpack.Submission
	for _, x := range EdFiLEAs {
		sub, errs := backpack.Import(fsys, x.LEA, backpack.ImportOptions{LEA: x.LEA, Submitted: x.Submitted})
		if len(errs) > 0 {
			return nil, fmt.Errorf("demo: %d problem(s) importing LEA %s, the first: %w", len(errs), x.LEA, errs[0])
		}
		subs = append(subs, sub)
	}
	return subs, nil
}
