package backpack

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// WriteJSON writes a backpack or submission as indented JSON. Reading it back with
// ReadBackpack or ReadSubmission gives the same value.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// ReadBackpack reads a backpack written by WriteJSON.
func ReadBackpack(r io.Reader) (*Backpack, error) {
	var b Backpack
	if err := strictDecode(r, &b); err != nil {
		return nil, fmt.Errorf("backpack: reading a backpack: %w", err)
	}
	return &b, nil
}

// ReadSubmission reads a submission written by WriteJSON.
func ReadSubmission(r io.Reader) (*Submission, error) {
	var s Submission
	if err := strictDecode(r, &s); err != nil {
		return nil, fmt.Errorf("backpack: reading a submission: %w", err)
	}
	return &s, nil
}

// strictDecode decodes exactly one JSON value with known fields only: anything after it
// (a second backpack in the same file) is an error, not silently dropped.
func strictDecode(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("more data after the JSON value")
	}
	return nil
}
