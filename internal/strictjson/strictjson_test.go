package strictjson

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		in    string
		rules Rules
		want  string // "" for no error
		elem  int    // the KeyError's element, when one is wanted
	}{
		{`{"a":1,"b":2}`, Rules{}, "", 0},
		{`{"a":1,"a":2}`, Rules{}, `key "a" appears twice`, -1},
		{`{"actor":"m","Actor":"a"}`, Rules{}, `key "Actor" repeats key "actor" in another case`, -1},
		{"{\"k\":1,\"\u212a\":2}", Rules{}, "key \"\u212a\" repeats key \"k\" in another case", -1}, // the Kelvin sign
		{`[{"a":1},{"b":1,"B":2}]`, Rules{}, `key "B" repeats key "b" in another case`, 1},
		{`[1,[2],{"x":1,"x":1}]`, Rules{}, `key "x" appears twice`, 2},
		{`{"a":{"a":1}}`, Rules{}, "", 0},
		{`{"a":{"b":{"c":1}}}`, Rules{MaxDepth: 2}, "nested deeper than 2 levels", 0},
		{`{"a":1}`, Rules{Top: []string{"a", "b"}}, "", 0},
		{`{"A":1}`, Rules{Top: []string{"a"}}, `key "A" is spelt "a"`, 0},
		{`{"z":1}`, Rules{Top: []string{"a"}}, `unknown key "z"`, 0},
		{`[1]`, Rules{Top: []string{"a"}}, "not a JSON object", 0},
		{`{"a":1} x`, Rules{}, "more data after the JSON value", 0},
		{``, Rules{}, "no JSON value", 0},
	}
	for _, tt := range tests {
		err := Check([]byte(tt.in), tt.rules)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("Check(%s) = %q, want %q", tt.in, got, tt.want)
		}
		var ke *KeyError
		if errors.As(err, &ke) && ke.Element != tt.elem {
			t.Errorf("Check(%s): element %d, want %d", tt.in, ke.Element, tt.elem)
		}
	}
}

// FuzzCheck: Check never panics, and a value it passes with no rules decodes.
func FuzzCheck(f *testing.F) {
	f.Add([]byte(`{"a":[1,{"b":2}],"A":3}`))
	f.Add([]byte(`[{"x":1},{"x":1}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if Check(data, Rules{MaxDepth: 32}) == nil {
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				t.Errorf("Check passed %q, which does not decode: %v", data, err)
			}
		}
	})
}
