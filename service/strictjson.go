package service

// The identity endpoints' bodies are read as enrollment reads a posted resource
// (backpack's decodeResource): a key given twice in one object, or twice in different
// cases, is refused, since encoding/json would silently keep the last of them
// ({"firstName":"Ann","FIRSTNAME":"Bob"} would make Bob).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode"
	"unicode/utf8"
)

// unmarshalStrict decodes a request's body as unmarshalBody does, and refuses it when an
// object of it repeats a key, exactly or in another case, with backpack's words ("key
// %q appears twice", "key %q repeats key %q in another case").
func unmarshalStrict(body []byte, v any) error {
	if err := unmarshalBody(body, v); err != nil {
		return err
	}
	if err := repeatedKey(body); err != nil {
		return fmt.Errorf("the request body %v", err)
	}
	return nil
}

// repeatedKey walks a JSON value (already known to decode) and reports the first key
// that repeats another of its object, compared as encoding/json compares them: case
// folded, so that "firstName", "FIRSTNAME" and "firstName" with a Kelvin sign for a K
// meet. The error says where: the element of a top-level array it is in, if any.
func repeatedKey(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type level struct {
		object, wantKey bool
		keys            map[string]string
	}
	var stack []*level
	elem := -1 // the index of the top-level array's element being read, -1 outside one
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			if key, ok := tok.(string); ok {
				in := stack[n-1]
				f := foldKey(key)
				if before, dup := in.keys[f]; dup {
					where := ""
					if elem >= 0 {
						where = fmt.Sprintf(" (request %d)", elem)
					}
					if before == key {
						return fmt.Errorf("key %q appears twice%s", key, where)
					}
					return fmt.Errorf("key %q repeats key %q in another case%s", key, before, where)
				}
				in.keys[f] = key
				in.wantKey = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack) == 1 && !stack[0].object {
				elem++
			}
			stack = append(stack, &level{object: tok == json.Delim('{'), wantKey: true, keys: map[string]string{}})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 1 && !stack[0].object {
				elem++
			}
		}
		if len(stack) > 0 {
			stack[len(stack)-1].wantKey = true
		}
	}
}

// foldKey folds a key as encoding/json matches keys to fields: every rune to the
// smallest rune of its simple case-folding orbit (so "K", "k" and the Kelvin sign meet).
func foldKey(s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	var b []rune
	for _, r := range s {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b = append(b, least)
	}
	return string(b)
}
