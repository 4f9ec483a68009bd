package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/score"
)

// ReviewRecord is one side of a review: a record as its LEA submitted it.
type ReviewRecord struct {
	RecordID        string            `json:"recordId"`
	LEA             string            `json:"lea"`
	StudentUniqueID string            `json:"studentUniqueId,omitempty"`
	Fields          map[string]string `json:"fields"`
}

// ReviewItem is a review as the queue shows it: both records, the score and the model's
// account of it.
type ReviewItem struct {
	ReviewID    string            `json:"reviewId"`
	Kind        string            `json:"kind"`
	Reason      string            `json:"reason"`
	Weight      float64           `json:"weight"`
	Probability float64           `json:"probability"`
	Score       float64           `json:"score"`
	Status      string            `json:"status"`
	DecidedBy   string            `json:"decidedBy,omitempty"`
	A           ReviewRecord      `json:"a"`
	B           ReviewRecord      `json:"b"`
	Explanation score.Explanation `json:"explanation"`
}

// reviewItem reads a review with both its records.
func (s *Server) reviewItem(ctx context.Context, rv reviewRow) (ReviewItem, error) {
	it := ReviewItem{ReviewID: rv.ID, Kind: rv.Kind, Reason: rv.Reason, Weight: rv.Weight, Probability: score.Probability(rv.Weight),
		Score: scoreOf(rv.Weight), Status: rv.Status, DecidedBy: rv.DecidedBy}
	if err := json.Unmarshal([]byte(rv.Explanation), &it.Explanation); err != nil {
		return it, fmt.Errorf("service: review %s: explanation: %w", rv.ID, err)
	}
	for _, side := range []struct {
		id  string
		dst *ReviewRecord
	}{{rv.A, &it.A}, {rv.B, &it.B}} {
		rec, ok, err := s.store.record(ctx, side.id)
		if err != nil {
			return it, err
		}
		*side.dst = ReviewRecord{RecordID: side.id, Fields: map[string]string{}}
		if ok {
			*side.dst = ReviewRecord{RecordID: side.id, LEA: rec.LEA, Fields: rec.Fields}
			if rec.Student != "" {
				side.dst.StudentUniqueID = s.resolve(rec.Student)
			}
		}
	}
	return it, nil
}

// pendingReviews returns the queue, oldest first.
func (s *Server) pendingReviews(ctx context.Context) ([]reviewRow, error) {
	return s.store.reviewsWhere(ctx, `status = ?`, reviewPending)
}

// handleListReviews serves GET /state/v1/reviews: the pending reviews with both records.
func (s *Server) handleListReviews(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r.Context())
	rows, err := s.pendingReviews(r.Context())
	items := []ReviewItem{}
	for _, rv := range rows {
		if err != nil {
			break
		}
		var it ReviewItem
		it, err = s.reviewItem(r.Context(), rv)
		items = append(items, it)
	}
	if err == nil {
		err = s.record(r.Context(), backpack.Entry{Action: actionReview, Actor: c.actor(), Note: fmt.Sprintf("review queue read: %d pending", len(items))})
	}
	if err != nil {
		s.failed(w, "reading the review queue", err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Reviews []ReviewItem `json:"reviews"`
	}{items})
}

// handleDecideAPI serves POST /state/v1/reviews/{id}/decision with {"same": true|false}.
func (s *Server) handleDecideAPI(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r.Context())
	var body struct {
		Same *bool `json:"same"`
	}
	if err := decodeJSON(w, r, &body); err != nil || body.Same == nil {
		writeBodyError(w, err, `a decision is {"same": true} or {"same": false}`)
		return
	}
	d, err := s.Decide(r.Context(), r.PathValue("id"), *body.Same, c.actor())
	switch {
	case errors.Is(err, errNoReview):
		writeError(w, http.StatusNotFound, "%v", err)
	case errors.Is(err, ErrDecided):
		writeError(w, http.StatusConflict, "%v", err)
	case err != nil:
		s.failed(w, "the decision", err)
	default:
		writeJSON(w, http.StatusOK, d)
	}
}

// reviewField is one row of the side-by-side table.
type reviewField struct {
	Name, A, B string
	Differ     bool
}

// handleReviewQueue serves the reviewer's queue, audited as the API's queue is.
func (s *Server) handleReviewQueue(w http.ResponseWriter, r *http.Request, sess *session) {
	rows, err := s.pendingReviews(r.Context())
	if err == nil {
		err = s.record(r.Context(), backpack.Entry{Action: actionReview, Actor: sess.Account.Username,
			Note: fmt.Sprintf("GET /review: queue shown, %d pending", len(rows))})
	}
	if err != nil {
		s.logf("service: review queue: %v", err)
		s.refuse(w, http.StatusInternalServerError, sess, "The queue could not be read; try again.")
		return
	}
	type line struct {
		ID, Kind, A, B, Reason string
		Weight, Score          float64
	}
	var lines []line
	for _, rv := range rows {
		lines = append(lines, line{rv.ID, rv.Kind, rv.A, rv.B, rv.Reason, rv.Weight, scoreOf(rv.Weight)})
	}
	d := s.base(r, sess, "Review queue", crumb{Name: "Review queue"})
	d.Data = struct{ Items []line }{lines}
	s.render(w, http.StatusOK, "review_queue", d)
}

// handleReviewItem shows both records side by side with the model's explanation.
func (s *Server) handleReviewItem(w http.ResponseWriter, r *http.Request, sess *session) {
	rv, ok, err := s.store.review(r.Context(), r.PathValue("id"))
	if err == nil && !ok {
		s.refuse(w, http.StatusNotFound, sess, "No review %q.", r.PathValue("id"))
		return
	}
	var it ReviewItem
	if err == nil {
		it, err = s.reviewItem(r.Context(), rv)
	}
	if err == nil {
		err = s.record(r.Context(), backpack.Entry{Action: actionReview, Actor: sess.Account.Username, Records: []string{rv.A, rv.B},
			Note: "review " + rv.ID + " shown"})
	}
	if err != nil {
		s.logf("service: review page: %v", err)
		s.refuse(w, http.StatusInternalServerError, sess, "The review could not be shown; try again.")
		return
	}
	var fields []reviewField
	for _, name := range studentHeader()[1:] {
		a, b := it.A.Fields[name], it.B.Fields[name]
		if a == "" && b == "" {
			continue
		}
		fields = append(fields, reviewField{Name: name, A: a, B: b, Differ: a != b})
	}
	d := s.base(r, sess, "Review "+rv.ID, crumb{"Review queue", "/review"}, crumb{Name: rv.ID})
	d.Data = struct {
		ReviewItem
		ID   string
		Rows []reviewField
	}{it, it.ReviewID, fields}
	s.render(w, http.StatusOK, "review_item", d)
}

func (s *Server) handleReviewDecision(w http.ResponseWriter, r *http.Request, sess *session) {
	decision := r.PostFormValue("decision")
	if decision != reviewSame && decision != reviewDifferent {
		s.refuse(w, http.StatusBadRequest, sess, "A decision is %q or %q.", reviewSame, reviewDifferent)
		return
	}
	_, err := s.Decide(r.Context(), r.PathValue("id"), decision == reviewSame, sess.Account.Username)
	switch {
	case errors.Is(err, errNoReview):
		s.refuse(w, http.StatusNotFound, sess, "%v", err)
	case errors.Is(err, ErrDecided):
		s.refuse(w, http.StatusConflict, sess, "%v", err)
	case err != nil:
		s.logf("service: review decision: %v", err)
		s.refuse(w, http.StatusInternalServerError, sess, "The decision could not be saved; try again.")
	default:
		http.Redirect(w, r, "/review?done=decided", http.StatusSeeOther)
	}
}

// handleDecideRecordsAPI serves POST /state/v1/decisions with {"a": record, "b": record,
// "same": true|false}.
func (s *Server) handleDecideRecordsAPI(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r.Context())
	var body struct {
		A, B string
		Same *bool `json:"same"`
	}
	if err := decodeJSON(w, r, &body); err != nil || body.Same == nil || body.A == "" || body.B == "" {
		writeBodyError(w, err, `a decision is {"a": "record ID", "b": "record ID", "same": true|false}`)
		return
	}
	d, err := s.DecideRecords(r.Context(), body.A, body.B, *body.Same, c.actor())
	switch {
	case errors.Is(err, ErrNoRecord):
		writeError(w, http.StatusNotFound, "%v", err)
	case errors.Is(err, ErrNotPlaced), errors.Is(err, errSameRecord):
		writeError(w, http.StatusUnprocessableEntity, "%v", err)
	case err != nil:
		s.failed(w, "the decision", err)
	default:
		writeJSON(w, http.StatusOK, d)
	}
}

// handleRelinkAPI serves POST /state/v1/relink.
func (s *Server) handleRelinkAPI(w http.ResponseWriter, r *http.Request) {
	rep, err := s.Relink(r.Context(), callerOf(r.Context()).actor())
	if err != nil {
		s.failed(w, "the relink", err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
