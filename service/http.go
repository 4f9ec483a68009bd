package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/studentlink/studentlink/backpack"
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
	msg := fmt.Sprintf(format, args...)
	noteAnswer(w, msg)
	writeJSON(w, status, apiError{Message: msg})
}

// writeBodyError answers a call whose body could not be read or decoded: 415 (with the
// mediaTypeError's own message) when it was not sent as JSON, 413 when it was larger
// than maxBody, else 400.
func writeBodyError(w http.ResponseWriter, err error, format string, args ...any) {
	if mt, ok := errors.AsType[*mediaTypeError](err); ok {
		writeError(w, http.StatusUnsupportedMediaType, "%v", mt)
		return
	}
	status := http.StatusBadRequest
	if errors.Is(err, errTooLarge) {
		status = http.StatusRequestEntityTooLarge
	}
	writeError(w, status, format, args...)
}

// mediaTypeError is a request body sent as another media type than JSON: a form
// (curl -d) would otherwise be answered with a JSON syntax error that does not say what
// was wrong.
type mediaTypeError struct{ got string }

func (e *mediaTypeError) Error() string {
	return fmt.Sprintf("the request body is sent as %q; this call takes application/json (UTF-8): send \"Content-Type: application/json\"", e.got)
}

// jsonMediaType checks the Content-Type of a request's body: application/json or an
// application/…+json type, with parameters (a charset only of UTF-8, the one JSON has),
// or none at all, as many clients send JSON without saying so.
func jsonMediaType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if strings.TrimSpace(ct) == "" {
		return nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	isJSON := mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		isJSON = false
	}
	if err != nil || !isJSON {
		return &mediaTypeError{got: clip(ct, 100)}
	}
	return nil
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

// errTooLarge is a request body over maxBody bytes.
var errTooLarge = fmt.Errorf("the request body is larger than the %d MiB a call may send", maxBody>>20)

// readBody reads a request's JSON body, at most maxBody bytes; a larger one is
// errTooLarge, one sent as another media type a *mediaTypeError (see jsonMediaType).
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if err := jsonMediaType(r); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(unwrapWriter(w), r.Body, maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, errTooLarge
		}
		return nil, fmt.Errorf("the request body could not be read: %w", err)
	}
	return body, nil
}

// unmarshalBody decodes a request's body into v, saying where it does not fit in the
// caller's terms: the JSON property and what it must be, never a Go type.
func unmarshalBody(body []byte, v any) error {
	if !utf8.Valid(body) {
		if err := invalidUTF8(body); err != nil {
			return err
		}
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	if syn, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Errorf("the request body is not JSON (at byte %d): %v", syn.Offset, syn)
	}
	if typ, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		what := "the request body"
		switch top := reflect.TypeOf(v); {
		case typ.Field != "":
			what = fmt.Sprintf("%q", typ.Field)
		case top != nil && top.Kind() == reflect.Pointer && top.Elem().Kind() == reflect.Slice && typ.Type.Kind() != reflect.Slice:
			what = "each element of the request body"
		}
		return fmt.Errorf("%s must be %s, not a JSON %s", what, jsonKind(typ.Type), typ.Value)
	}
	return errors.New("the request body does not fit the call")
}

// invalidUTF8 finds the first byte of body that is not UTF-8 and names where it is: the
// JSON property whose string holds it (as a path: "student.firstName", "[1].lastSurname")
// and its byte position, in the string and in the body. encoding/json would read such a
// byte as U+FFFD and the name would be kept rewritten. It returns nil when the byte is
// outside any string: the body is then not JSON, which json.Unmarshal reports.
func invalidUTF8(body []byte) error {
	bad := -1
	for i := 0; i < len(body); {
		r, n := utf8.DecodeRune(body[i:])
		if r == utf8.RuneError && n == 1 {
			bad = i
			break
		}
		i += n
	}
	if bad < 0 {
		return nil
	}
	type frame struct {
		obj, wantKey bool
		key          string
		idx          int
	}
	var stack []*frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.obj {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			} else {
				fmt.Fprintf(&b, "[%d]", f.idx)
			}
		}
		return b.String()
	}
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].obj {
			stack[n-1].wantKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		start := int(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		end := int(dec.InputOffset())
		var top *frame
		if n := len(stack); n > 0 {
			top = stack[n-1]
		}
		str, isString := tok.(string)
		isKey := isString && top != nil && top.obj && top.wantKey
		switch {
		case isKey:
			top.key, top.wantKey = str, false
		case tok == json.Delim('}') || tok == json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
			continue
		case top != nil && !top.obj:
			top.idx++
		}
		if end > bad {
			if !isString {
				return nil
			}
			open := start + bytes.IndexByte(body[start:end], '"')
			where := path()
			if isKey {
				where = "a property name"
				if p := path(); strings.Contains(p, ".") || strings.Contains(p, "[") {
					where += " in " + p[:strings.LastIndexAny(p, ".[")]
				}
			}
			if where == "" {
				where = "the request body's string"
			}
			return fmt.Errorf("%s must be valid UTF-8: byte 0x%02X at byte %d of its text (byte %d of the request body) is not", where, body[bad], bad-open, bad+1)
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{obj: true, wantKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{idx: -1})
		default:
			if !isKey {
				valueDone()
			}
		}
	}
}

// jsonValueKind names the kind of a JSON value, for a message: "a JSON number".
func jsonValueKind(v []byte) string {
	switch v = bytes.TrimSpace(v); {
	case len(v) == 0:
		return "nothing"
	case v[0] == '[':
		return "a JSON array"
	case v[0] == '"':
		return "a JSON string"
	case v[0] == 't' || v[0] == 'f':
		return "a JSON boolean"
	case v[0] == 'n':
		return "null"
	}
	return "a JSON number"
}

// jsonKind names the JSON a Go type is decoded from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return "a JSON value"
		}
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "another JSON value"
}

// caller is who called the API: the holder of an LEA's key, or of the state reviewers'.
type caller struct {
	KeySpec
	revoked bool // the key was revoked: the call is refused
}

func (c caller) actor() string {
	if c.LEA == "" {
		return fmt.Sprintf("api key %q (state reviewers)", c.Label)
	}
	return fmt.Sprintf("api key %q (LEA %s)", c.Label, c.LEA)
}

type callerKey struct{}

func callerOf(ctx context.Context) caller { c, _ := ctx.Value(callerKey{}).(caller); return c }

// authenticate returns the key a request carries ("Authorization: Bearer KEY"): ok
// when the store knows it and it is not revoked. A revoked key is returned with
// c.revoked set and ok false.
func (s *Server) authenticate(r *http.Request) (c caller, ok bool, err error) {
	key, sent := bearer(r)
	if !sent {
		return caller{}, false, nil
	}
	k, known, err := s.keys.check(r.Context(), s.store, key, s.now())
	if err != nil || !known {
		return caller{}, false, err
	}
	return caller{KeySpec: k.spec, revoked: k.revoked}, !k.revoked, nil
}

// leaAPI serves an API call made with an LEA's key.
func (s *Server) leaAPI(h http.HandlerFunc) http.Handler { return s.api(h, false) }

// stateAPI serves an API call made with the state reviewers' key.
func (s *Server) stateAPI(h http.HandlerFunc) http.Handler { return s.api(h, true) }

// api serves an API call: the key is checked and the call audited, whatever it is
// answered. A handler audits what it did itself; a call it did not audit (a refusal: no
// key or an unknown one, the wrong kind of key, a body that does not fit) gets an entry
// naming its status, who made it, its path and what it asked for, committed before the
// answer is sent.
//
// Calls without a valid API key (none, one the store does not know, or a revoked one) are throttled per
// remote address (an IPv6 address by its /64): a burst of 10, then 1 a second. Past that
// a call is answered 429 Too Many Requests with Retry-After, and only the first such call
// in a minute from the address is audited one by one; the others of that minute are
// counted, and one entry says how many once the minute has ended (committed with the
// address's next entry, by the next sweep, or when the server closes). Calls with a valid
// key are never throttled. See throttle.go.
func (s *Server) api(h http.HandlerFunc, state bool) http.Handler {
	return s.audited(false, func(w http.ResponseWriter, r *http.Request, ca *callAudit) {
		c, ok, err := s.authenticate(r)
		ca.actor = s.apiActor(r, c, ok)
		if err != nil {
			s.logf("service: checking an API key: %v", err)
			writeError(w, http.StatusServiceUnavailable, "the key could not be checked; try again")
			return
		}
		if !ok {
			if _, refused := s.throttle(w, r, ca, s.throttles.api); refused {
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="studentlink"`)
			if c.revoked {
				writeError(w, http.StatusUnauthorized, "the API key was revoked: use the new key the state issued to your LEA")
			} else if _, sent := bearer(r); sent {
				writeError(w, http.StatusUnauthorized, "the API key is not recognised: send a key issued to your LEA as \"Authorization: Bearer KEY\"")
			} else {
				writeError(w, http.StatusUnauthorized, "an API key is needed: send it as \"Authorization: Bearer KEY\"")
			}
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

// bearer returns the key a request sends, and whether it sends one. The scheme is
// matched without regard to case and may be followed by more than one space, as RFC 9110
// (11.1, 11.4) allows: some clients send "bearer KEY".
func bearer(r *http.Request) (string, bool) {
	scheme, key, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	key = strings.TrimLeft(key, " ")
	return key, ok && strings.EqualFold(scheme, "Bearer") && key != ""
}

// apiActor names the maker of an API call for the audit log: the key's holder, or the
// address a call without a known key came from. A key is never written down.
func (s *Server) apiActor(r *http.Request, c caller, known bool) string {
	switch _, sent := bearer(r); {
	case known:
		return c.actor()
	case c.revoked:
		return "revoked " + c.actor() + " from " + remoteAddress(r)
	case sent:
		return "unknown API key from " + remoteAddress(r)
	}
	return "no API key from " + remoteAddress(r)
}

// apiFallback answers a path under an API prefix that no call serves: JSON 405 (with
// Allow) when the path is served for other methods, else JSON 404; audited as any call.
func (s *Server) apiFallback(calls *http.ServeMux) http.Handler {
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
	notFound := s.audited(false, func(w http.ResponseWriter, r *http.Request, ca *callAudit) {
		c, ok, _ := s.authenticate(r)
		ca.actor = s.apiActor(r, c, ok)
		if !ok {
			if _, refused := s.throttle(w, r, ca, s.throttles.api); refused {
				return
			}
		}
		var allow []string
		for _, m := range methods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := calls.Handler(probe); pattern != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, http.StatusMethodNotAllowed, "%s %s: this call takes %s", noteValue(r.Method), noteValue(r.URL.Path), strings.Join(allow, " or "))
			return
		}
		writeError(w, http.StatusNotFound, "no API call %s %s", noteValue(r.Method), noteValue(r.URL.Path))
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := calls.Handler(r); pattern != "" {
			calls.ServeHTTP(w, r)
			return
		}
		notFound.ServeHTTP(w, r)
	})
}

// callAudit is what the audit entry of one call will say, filled in as the call is
// served, and whether the handler committed an entry of its own.
type callAudit struct {
	action  string
	actor   string
	asked   string // what the call asked for beyond its path: find's IDs
	message string // the answer's error message
	after   string // what the entry says after the message
	done    atomic.Bool
}

type callAuditKey struct{}

// callAuditOf returns the audit of the call a context serves, nil outside a call.
func callAuditOf(ctx context.Context) *callAudit {
	ca, _ := ctx.Value(callAuditKey{}).(*callAudit)
	return ca
}

// audited serves a call through h, auditing it when h does not: any call (refusalsOnly
// false, the API) or one answered with a status of 400 or more (the pages, whose
// successful views audit themselves). The entry is committed when the status is known,
// before the answer is written.
func (s *Server) audited(refusalsOnly bool, h func(http.ResponseWriter, *http.Request, *callAudit)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ca := &callAudit{action: actionAccess, actor: "unknown caller from " + remoteAddress(r)}
		switch {
		case strings.HasPrefix(r.URL.Path, "/identity/"):
			ca.action = actionIdentity
		case strings.HasPrefix(r.URL.Path, "/state/v1/enrollments"):
			ca.action = actionEnroll
		case strings.HasPrefix(r.URL.Path, "/state/v1/students/"):
			ca.action = backpack.ActionExit
		case strings.HasPrefix(r.URL.Path, "/state/") || strings.HasPrefix(r.URL.Path, "/review"):
			ca.action = actionReview
		}
		s.sweepThrottles()
		aw := &auditedWriter{ResponseWriter: w, s: s, r: r, ca: ca, refusalsOnly: refusalsOnly}
		r = r.WithContext(context.WithValue(r.Context(), callAuditKey{}, ca))
		aw.r = r
		h(aw, r, ca)
		if !aw.wrote { // nothing was answered: the caller went away
			aw.auditCall(0)
		}
	})
}

// auditedWriter commits a call's audit entry when its status is written, unless the
// handler audited the call itself.
type auditedWriter struct {
	http.ResponseWriter
	s            *Server
	r            *http.Request
	ca           *callAudit
	refusalsOnly bool
	wrote        bool
}

func (w *auditedWriter) WriteHeader(status int) {
	if !w.wrote {
		w.wrote = true
		w.auditCall(status)
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *auditedWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController and http.MaxBytesReader the connection's writer.
func (w *auditedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// auditNote bounds what a call's entry quotes from the call and its answer.
const auditNote = 500

func (w *auditedWriter) auditCall(status int) {
	ca := w.ca
	if ca.done.Load() || (w.refusalsOnly && status > 0 && status < 400) {
		return
	}
	call := noteValue(w.r.Method) + " " + noteValue(w.r.URL.Path)
	note := fmt.Sprintf("%s answered %d", call, status)
	if status == 0 {
		note = call + " not answered: the caller went away"
	}
	if ca.asked != "" {
		note += "; asked for " + ca.asked
	}
	if ca.message != "" {
		note += ": " + clip(ca.message, auditNote)
	}
	if ca.after != "" {
		note += "; " + ca.after
	}
	ctx := context.WithoutCancel(w.r.Context())
	if err := w.s.record(ctx, backpack.Entry{Action: ca.action, Actor: ca.actor, Note: note}); err != nil {
		w.s.logf("service: auditing %s (%d): %v", call, status, err)
	}
}

// noteValue writes a value taken from a request (a path, an ID, a token, a username, a
// query) for an audit note, and for a message that quotes it: as Go quotes a string
// (strconv.Quote), without the quotation marks. A byte that is not UTF-8 is written
// \xff, a control or invisible formatting character \n or \u202e, a backslash or a
// quotation mark \\ or \"; anything else as it is. The audit log takes only valid
// UTF-8 (a note that is not would leave the call unaudited), and a reader of the log sees
// what was sent, not what a terminal makes of it. Every such value enters a note through
// it; one quoted in a note is written "…" around it, which is what %q writes.
func noteValue(s string) string {
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// noteAnswer keeps an error message for the audit entry of the call w answers. The
// values of the request in a message are quoted with %q or noteValue; a message that is
// not valid UTF-8 even so is kept escaped by noteValue whole, so that the call is still
// audited.
func noteAnswer(w http.ResponseWriter, msg string) {
	if aw, ok := w.(*auditedWriter); ok {
		if !utf8.ValidString(msg) {
			msg = noteValue(msg)
		}
		aw.ca.message = msg
	}
}

// unwrapWriter returns the connection's writer under an auditedWriter.
func unwrapWriter(w http.ResponseWriter) http.ResponseWriter {
	if aw, ok := w.(*auditedWriter); ok {
		return aw.ResponseWriter
	}
	return w
}

// clip shortens s to at most n bytes (on a rune boundary), marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d bytes in all)", len(s))
}

// listIDs writes the IDs a call asked for, at most 50 of them, for its audit entry.
func listIDs(ids []string) string {
	const most = 50
	quoted := make([]string, 0, min(len(ids), most))
	for _, id := range ids[:min(len(ids), most)] {
		quoted = append(quoted, `"`+noteValue(clip(id, 64))+`"`)
	}
	out := fmt.Sprintf("%d ID(s): %s", len(ids), strings.Join(quoted, ", "))
	if len(ids) > most {
		out += fmt.Sprintf(" and %d more", len(ids)-most)
	}
	return out
}

// failed answers a call whose work failed on the server's side.
func (s *Server) failed(w http.ResponseWriter, what string, err error) {
	s.logf("service: %s: %v", what, err)
	if errors.Is(err, context.Canceled) {
		return
	}
	writeError(w, http.StatusInternalServerError, "%s failed; nothing was disclosed or changed that is not recorded. Try again.", what)
}
