package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// apiError is the body of an API error, as the Ed-Fi ODS/API writes one.
type apiError struct {
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, apiError{Message: fmt.Sprintf(format, args...)})
}

// maxBody bounds a request body: a batch of 1,000 searches fits many times over.
const maxBody = 4 << 20

// decodeJSON reads a request body into v, with a message naming what was wrong.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	return unmarshalBody(body, v)
}

// readBody reads a request's body, at most maxBody bytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("the request body could not be read: %w", err)
	}
	return body, nil
}

// unmarshalBody decodes a request's body into v, saying where it does not fit.
func unmarshalBody(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return fmt.Errorf("the request body is not JSON (at byte %d): %v", syn.Offset, err)
		case errors.As(err, &typ):
			return fmt.Errorf("the request body's %q is a JSON %s where a %s was expected", typ.Field, typ.Value, typ.Type)
		}
		return fmt.Errorf("the request body does not fit: %v", err)
	}
	return nil
}

// caller is who called the API: the holder of an LEA's key, or of the state reviewers'.
type caller struct {
	KeySpec
}

func (c caller) actor() string {
	if c.LEA == "" {
		return fmt.Sprintf("api key %q (state reviewers)", c.Label)
	}
	return fmt.Sprintf("api key %q (LEA %s)", c.Label, c.LEA)
}

type callerKey struct{}

func callerOf(ctx context.Context) caller { c, _ := ctx.Value(callerKey{}).(caller); return c }

// keyCache remembers keys already checked: keys are never changed once issued.
type keyCache struct{ m sync.Map }

// authenticate returns the key a request carries ("Authorization: Bearer KEY").
func (s *Server) authenticate(r *http.Request) (caller, bool, error) {
	h := r.Header.Get("Authorization")
	key, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || key == "" {
		return caller{}, false, nil
	}
	if v, ok := s.keys.m.Load(hashToken(key)); ok {
		return caller{v.(KeySpec)}, true, nil
	}
	spec, ok, err := s.store.keyOf(r.Context(), key)
	if err != nil || !ok {
		return caller{}, false, err
	}
	s.keys.m.Store(hashToken(key), spec)
	return caller{spec}, true, nil
}

// leaAPI serves an API call made with an LEA's key.
func (s *Server) leaAPI(h http.HandlerFunc) http.Handler { return s.api(h, false) }

// stateAPI serves an API call made with the state reviewers' key.
func (s *Server) stateAPI(h http.HandlerFunc) http.Handler { return s.api(h, true) }

func (s *Server) api(h http.HandlerFunc, state bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok, err := s.authenticate(r)
		if err != nil {
			s.logf("service: checking an API key: %v", err)
			writeError(w, http.StatusServiceUnavailable, "the key could not be checked; try again")
			return
		}
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="studentlink"`)
			writeError(w, http.StatusUnauthorized, "an API key is needed: send it as \"Authorization: Bearer KEY\"")
			return
		}
		if state != (c.LEA == "") {
			if state {
				writeError(w, http.StatusForbidden, "this call is for the state's reviewers; the key is LEA %s's", c.LEA)
			} else {
				writeError(w, http.StatusForbidden, "this call is for an LEA's key; the key is the state reviewers'")
			}
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	})
}

// failed answers a call whose work failed on the server's side.
func (s *Server) failed(w http.ResponseWriter, what string, err error) {
	s.logf("service: %s: %v", what, err)
	if errors.Is(err, context.Canceled) {
		return
	}
	writeError(w, http.StatusInternalServerError, "%s failed; nothing was disclosed or changed that is not recorded. Try again.", what)
}
