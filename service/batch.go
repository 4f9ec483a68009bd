package service

// Batches of the Identities API: a find or search of up to Config.AsyncAbove requests is
// answered at once; a larger one is accepted (202 with a Location) and answered in the
// background through GET results/{token}, its requests kept in the store until then so
// that a stop does not lose them.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/studentlink/studentlink/backpack"
)

// Batch verbs.
const (
	verbFind   = "find"
	verbSearch = "search"
)

// maxBatch bounds the requests of one find or search.
const maxBatch = 1000

// batch answers a find or search of n requests: at once (with now) for up to
// Config.AsyncAbove, otherwise 202 Accepted with the Location of results/{token}, where
// the requests (raw, a JSON array) are answered in the background. The call is audited
// with what it asked for (a find's IDs) and every student it named.
func (s *Server) batch(w http.ResponseWriter, r *http.Request, verb string, n int, raw json.RawMessage, now func(context.Context) (SearchResponse, error)) {
	c := callerOf(r.Context())
	asked := ""
	if ca := callAuditOf(r.Context()); ca != nil && ca.asked != "" {
		asked = " (" + ca.asked + ")"
	}
	if n == 0 || n > maxBatch {
		writeError(w, http.StatusBadRequest, "%s takes 1 to %d requests; got %d", verb, maxBatch, n)
		return
	}
	if n <= s.cfg.AsyncAbove {
		resp, err := now(r.Context())
		if err == nil {
			err = s.record(r.Context(), disclosed(c.actor(), fmt.Sprintf("%s: %d request(s)%s", verb, n, asked), resp)...)
		}
		if err != nil {
			s.failed(w, verb, err)
			return
		}
		writeJSON(w, http.StatusOK, resp)
		return
	}
	token := secret(18)
	job, _ := json.Marshal(asyncJob{Verb: verb, Requests: raw})
	s.wmu.Lock()
	err := s.commit(r.Context(), []backpack.Entry{{Action: actionIdentity, Actor: c.actor(),
		Note: fmt.Sprintf("%s: %d requests%s accepted as batch %s", verb, n, asked, token)}}, func(tx *sql.Tx) error {
		return s.store.putResult(r.Context(), tx, token, c.LEA, statusIncomplete, string(job), s.now())
	})
	s.wmu.Unlock()
	if err != nil {
		s.failed(w, verb, err)
		return
	}
	s.startJob(token, c, job)
	loc := "/identity/v2/results/" + token
	w.Header().Set("Location", loc)
	writeJSON(w, http.StatusAccepted, SearchResponse{Status: statusIncomplete})
}

// asyncJob is a batch waiting in the results table: the verb and its requests.
type asyncJob struct {
	Verb     string          `json:"verb"`
	Requests json.RawMessage `json:"requests"`
}

// answer runs every request of a batch (raw, a JSON array of the verb's requests).
func (s *Server) answer(ctx context.Context, lea, actor, verb string, raw json.RawMessage) (SearchResponse, error) {
	switch verb {
	case verbFind:
		var ids []string
		if err := json.Unmarshal(raw, &ids); err != nil {
			return SearchResponse{}, err
		}
		return s.findAll(ctx, lea, ids)
	case verbSearch:
		var reqs []IdentityRequest
		if err := json.Unmarshal(raw, &reqs); err != nil {
			return SearchResponse{}, err
		}
		recs, err := s.searchRecords(lea, reqs)
		if err != nil {
			return SearchResponse{}, err
		}
		return s.searchAll(ctx, lea, actor, reqs, recs)
	}
	return SearchResponse{}, fmt.Errorf("unknown batch verb %q", verb)
}

// findAll answers every ID of a find: the student, or no response when the ID is unknown
// to the LEA.
func (s *Server) findAll(ctx context.Context, lea string, ids []string) (SearchResponse, error) {
	out := SearchResponse{Status: statusComplete}
	for _, id := range ids {
		resp, ok, err := s.identity(ctx, lea, id)
		if err != nil {
			return out, fmt.Errorf("find %q: %w", id, err)
		}
		sr := SearchResponses{Responses: []IdentityResponse{}}
		if ok {
			sr.Responses = append(sr.Responses, resp)
		}
		out.SearchResponses = append(out.SearchResponses, sr)
	}
	return out, nil
}

// startJob answers a batch in the background and stores the answer under its token.
// At most one batch runs at a time, so that batches do not starve single calls.
func (s *Server) startJob(token string, c caller, job []byte) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		select {
		case s.jobs <- struct{}{}:
			defer func() { <-s.jobs }()
		case <-s.stop:
			return
		}
		var j asyncJob
		if err := json.Unmarshal(job, &j); err != nil {
			s.logf("service: batch %s: %v", token, err)
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-s.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		resp, err := s.answer(ctx, c.LEA, c.actor(), j.Verb, j.Requests)
		if err != nil {
			s.logf("service: batch %s: %v (it runs again at the next start)", token, err)
			return
		}
		body, _ := json.Marshal(resp)
		s.wmu.Lock()
		defer s.wmu.Unlock()
		err = s.commit(ctx, disclosed(c.actor(), fmt.Sprintf("%s batch %s", j.Verb, token), resp), func(tx *sql.Tx) error {
			return s.store.putResult(ctx, tx, token, c.LEA, statusComplete, string(body), s.now())
		})
		if err != nil {
			s.logf("service: batch %s: %v (it runs again at the next start)", token, err)
		}
	}()
}

// handleResults serves GET results/{token}: Incomplete while the batch runs, then
// Complete with its responses. Only the LEA that made the batch may read it.
func (s *Server) handleResults(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r.Context())
	token := r.PathValue("token")
	lea, status, body, ok, err := s.store.result(r.Context(), token)
	if err == nil {
		note := "results of batch " + noteValue(token) + ": "
		switch {
		case !ok || lea != c.LEA:
			note += "not found for this LEA"
		default:
			note += status
		}
		err = s.record(r.Context(), backpack.Entry{Action: actionIdentity, Actor: c.actor(), Note: note})
	}
	switch {
	case err != nil:
		s.failed(w, "reading the results", err)
	case !ok || lea != c.LEA:
		writeError(w, http.StatusNotFound, "no batch %q of LEA %s", token, c.LEA)
	case status == statusIncomplete:
		writeJSON(w, http.StatusOK, SearchResponse{Status: statusIncomplete})
	default:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write([]byte(body))
	}
}

// disclosed returns the audit entries of a search or find answered with resp: one per
// student it named, with the student's ID (so that the log answers "who was told about
// this student"), each note saying what was asked and every student answered; one entry
// without a student when none was named.
func disclosed(actor, what string, resp SearchResponse) []backpack.Entry {
	note := what + ", answered with " + named(resp)
	var out []backpack.Entry
	seen := map[string]bool{}
	for _, sr := range resp.SearchResponses {
		for _, x := range sr.Responses {
			if !seen[x.UniqueID] {
				seen[x.UniqueID] = true
				out = append(out, backpack.Entry{Action: actionIdentity, Actor: actor, StudentID: x.UniqueID, Note: note})
			}
		}
	}
	if len(out) == 0 {
		out = append(out, backpack.Entry{Action: actionIdentity, Actor: actor, Note: note})
	}
	return out
}

// named lists the students of a search response with their scores, for the audit log.
func named(resp SearchResponse) string {
	var parts []string
	n := 0
	for _, sr := range resp.SearchResponses {
		for _, x := range sr.Responses {
			n++
			if len(parts) < 50 {
				parts = append(parts, fmt.Sprintf("%s (%g)", x.UniqueID, x.Score))
			}
		}
	}
	if n == 0 {
		return "no student"
	}
	if n > len(parts) {
		parts = append(parts, fmt.Sprintf("and %d more", n-len(parts)))
	}
	return strings.Join(parts, ", ")
}
