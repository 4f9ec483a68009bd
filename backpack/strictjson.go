package backpack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
)

// keyRules say what checkKeys allows in a JSON value.
type keyRules struct {
	// maxDepth is the deepest nesting of objects and arrays allowed (the value itself is
	// depth 1).
	maxDepth int
	// top, when set, lists the only keys the value may have: it must be an object and
	// its keys spelt exactly so.
	top []string
}

// keyLevel is an object or array checkKeys is inside.
type keyLevel struct {
	object  bool
	wantKey bool
	keys    map[string]string // folded key → key as written
}

// checkKeys walks one JSON value and reports what encoding/json would let through
// silently: a key that repeats another of the same object (compared as encoding/json
// compares them, ignoring case, so "actor" and "Actor" repeat), nesting deeper than
// rules.maxDepth, and, with rules.top, a top-level key not in the list or spelt in
// another case. Syntax errors and anything after the value are errors too.
func checkKeys(data []byte, rules keyRules) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*keyLevel
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return errors.New("no JSON value")
		}
		if err != nil {
			return err
		}
		in := (*keyLevel)(nil)
		if len(stack) > 0 {
			in = stack[len(stack)-1]
		}
		if in != nil && in.object && in.wantKey {
			if key, ok := tok.(string); ok {
				if err := checkKey(key, in.keys, len(stack) == 1, rules.top); err != nil {
					return err
				}
				in.wantKey = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack) >= rules.maxDepth {
				return fmt.Errorf("nested deeper than %d levels", rules.maxDepth)
			}
			if len(stack) == 0 && rules.top != nil && tok != json.Delim('{') {
				return errors.New("not a JSON object")
			}
			stack = append(stack, &keyLevel{object: tok == json.Delim('{'), wantKey: true, keys: map[string]string{}})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 && rules.top != nil {
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
func checkKey(key string, seen map[string]string, top bool, allowed []string) error {
	f := foldKey(key)
	if before, dup := seen[f]; dup {
		if before == key {
			return fmt.Errorf("key %q appears twice", key)
		}
		return fmt.Errorf("key %q repeats key %q in another case", key, before)
	}
	seen[f] = key
	if !top || allowed == nil || slices.Contains(allowed, key) {
		return nil
	}
	for _, a := range allowed {
		if foldKey(a) == f {
			return fmt.Errorf("key %q is spelt %q", key, a)
		}
	}
	return fmt.Errorf("unknown key %q", key)
}

// foldKey folds a key as encoding/json matches keys to fields: every rune to the
// smallest rune of its simple case-folding orbit (so "K", "k" and the Kelvin sign meet).
func foldKey(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}
