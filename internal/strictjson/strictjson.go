package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"unicode"
	"unicode/utf8"
)

// Rules say what Check allows in a JSON value.
type Rules struct {
	// MaxDepth is the deepest nesting of objects and arrays allowed (the value itself is
	// depth 1); 0 allows any.
	MaxDepth int
	// Top, when set, lists the only keys the value may have: it must be an object and
	// its keys spelt exactly so.
	Top []string
}

// KeyError is a key that repeats another of its object, exactly or in another case.
type KeyError struct {
	Key, Before string
	// Element is the index of the top-level array's element the key is in, or -1.
	Element int
}

func (e *KeyError) Error() string {
	if e.Before == e.Key {
		return fmt.Sprintf("key %q appears twice", e.Key)
	}
	return fmt.Sprintf("key %q repeats key %q in another case", e.Key, e.Before)
}

// level is an object or array Check is inside.
type level struct {
	object, wantKey bool
	keys            map[string]string // folded key → key as written
}

// Check walks one JSON value and reports a key that repeats another of the same object
// (a *KeyError: compared as encoding/json compares them, ignoring case, so "actor" and
// "Actor" repeat), nesting deeper than r.MaxDepth, and, with r.Top, a top-level key not
// in the list or spelt in another case. Syntax errors, an empty input and anything after
// the value are errors too.
func Check(data []byte, r Rules) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*level
	elem := -1 // the top-level array's element being read, -1 outside one
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return errors.New("no JSON value")
		}
		if err != nil {
			return err
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			if key, ok := tok.(string); ok {
				if err := checkKey(key, stack[n-1].keys, n == 1, r.Top, elem); err != nil {
					return err
				}
				stack[n-1].wantKey = false
				continue
			}
		}
		if len(stack) == 1 && !stack[0].object && tok != json.Delim(']') {
			elem++
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if r.MaxDepth > 0 && len(stack) >= r.MaxDepth {
				return fmt.Errorf("nested deeper than %d levels", r.MaxDepth)
			}
			if len(stack) == 0 && r.Top != nil && tok != json.Delim('{') {
				return errors.New("not a JSON object")
			}
			stack = append(stack, &level{object: tok == json.Delim('{'), wantKey: true, keys: map[string]string{}})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 && r.Top != nil {
				return errors.New("not a JSON object")
			}
		}
		if len(stack) > 0 {
			stack[len(stack)-1].wantKey = true
			continue
		}
		if _, err := dec.Token(); err != io.EOF {
			return errors.New("more data after the JSON value")
		}
		return nil
	}
}

// checkKey checks one key of an object against the keys seen before in it and, at the
// top level, against the allowed list.
func checkKey(key string, seen map[string]string, top bool, allowed []string, elem int) error {
	f := FoldKey(key)
	if before, dup := seen[f]; dup {
		return &KeyError{Key: key, Before: before, Element: elem}
	}
	seen[f] = key
	if !top || allowed == nil || slices.Contains(allowed, key) {
		return nil
	}
	for _, a := range allowed {
		if FoldKey(a) == f {
			return fmt.Errorf("key %q is spelt %q", key, a)
		}
	}
	return fmt.Errorf("unknown key %q", key)
}

// FoldKey folds a key as encoding/json matches keys to fields: every rune to the
// smallest rune of its simple case-folding orbit (so "K", "k" and the Kelvin sign meet).
// A key that is not valid UTF-8 is its own fold.
func FoldKey(s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	b := make([]rune, 0, len(s))
	for _, r := range s {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b = append(b, least)
	}
	return string(b)
}
