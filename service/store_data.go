package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/studentlink/studentlink/backpack"
)

// meta returns a meta value ("" when unset).
func (s *Store) meta(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT value FROM meta WHERE key = ?`), key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("service: reading %s: %w", key, err)
	}
	return v, nil
}

func (s *Store) setMeta(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`), key, value)
	return err
}

// recordRow is a stored student record: one row of the student CSV, the student it
// belongs to ("" while a reviewer decides), and where it came from.
type recordRow struct {
	ID      string
	Seq     int64
	LEA     string
	SSID    string // cleaned as requests clean it, for guardians' look-ups
	Student string
	Origin  string // the roll source, "enrollment" or "identity"
	Fields  map[string]string
	Created time.Time
}

const recordColumns = `record_id, seq, lea, ssid, student_id, origin, fields, created`

func (s *Store) insertRecord(ctx context.Context, tx *sql.Tx, r recordRow) error {
	s.held.wrote(tx)
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO records (`+recordColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		r.ID, r.Seq, r.LEA, r.SSID, r.Student, r.Origin, encodeRow(r.ID, r.Fields), stamp(r.Created))
	if err != nil {
		return fmt.Errorf("record %s: %w", r.ID, err)
	}
	return nil
}

func scanRecord(sc interface{ Scan(...any) error }) (recordRow, error) {
	var r recordRow
	var fields, created string
	if err := sc.Scan(&r.ID, &r.Seq, &r.LEA, &r.SSID, &r.Student, &r.Origin, &fields, &created); err != nil {
		return r, err
	}
	r.Created = unstamp(created)
	id, fieldsMap, err := decodeRow(fields)
	if err != nil || id != r.ID {
		return r, fmt.Errorf("service: record %s: the stored line %q does not read back (%v)", r.ID, fields, err)
	}
	r.Fields = fieldsMap
	return r, nil
}

// recordsWhere returns the records a condition selects, in the order they were stored.
func (s *Store) recordsWhere(ctx context.Context, cond string, args ...any) ([]recordRow, error) {
	return queryRows(ctx, s, "records", `SELECT `+recordColumns+` FROM records WHERE `+cond+` ORDER BY seq`, args,
		func(rows *sql.Rows) (recordRow, error) { return scanRecord(rows) })
}

// record returns one record.
func (s *Store) record(ctx context.Context, id string) (recordRow, bool, error) {
	rs, err := s.recordsWhere(ctx, `record_id = ?`, id)
	if err != nil || len(rs) == 0 {
		return recordRow{}, false, err
	}
	return rs[0], true, nil
}

// studentRecords returns the records of a student.
func (s *Store) studentRecords(ctx context.Context, student string) ([]recordRow, error) {
	return s.recordsWhere(ctx, `student_id = ?`, student)
}

// placedRecords returns every record placed with a student, in the order stored, as
// lines of the student CSV (see encodeRow), with their students: what the index is
// built from.
func (s *Store) placedRecords(ctx context.Context) (lines, students []string, err error) {
	pairs, err := queryRows(ctx, s, "records", `SELECT fields, student_id FROM records WHERE student_id <> '' ORDER BY seq`, nil,
		func(r *sql.Rows) ([2]string, error) {
			var p [2]string
			return p, r.Scan(&p[0], &p[1])
		})
	lines, students = make([]string, len(pairs)), make([]string, len(pairs))
	for i, p := range pairs {
		lines[i], students[i] = p[0], p[1]
	}
	return lines, students, err
}

// studentExists reports whether any record belongs to the student.
func (s *Store) studentExists(ctx context.Context, student string) (bool, error) {
	var n int
	if !textArgs(student) {
		return false, nil
	}
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM (SELECT 1 FROM records WHERE student_id = ? LIMIT 1) AS x`), student).Scan(&n)
	return n > 0, err
}

// holds reports whether an LEA holds a record of the student. It reads the student's
// records and compares their LEAs here: with "AND lea = ?" in the query, SQLite's planner
// took the index on lea, a scan of an eighth of a million-record roll a search. A search
// asks it for each candidate, so its statement is prepared once, at OpenStore, and its
// answers are kept (holdsCache) until records change.
func (s *Store) holds(ctx context.Context, lea, student string) (bool, error) {
	held, ok, gen := s.held.lookup(lea, student)
	if ok {
		return held, nil
	}
	held, err := s.queryHolds(ctx, lea, student)
	if err == nil {
		s.held.keep(lea, student, held, gen)
	}
	return held, err
}

// queryHolds is holds read from the database.
func (s *Store) queryHolds(ctx context.Context, lea, student string) (bool, error) {
	if !textArgs(student) {
		return false, nil
	}
	rows, err := s.holdsStmt.QueryContext(ctx, student)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	for rows.Next() {
		var at string
		if err := rows.Scan(&at); err != nil {
			return false, err
		}
		if at == lea {
			return true, nil
		}
	}
	return false, rows.Err()
}

// setStudent places a record with a student.
func (s *Store) setStudent(ctx context.Context, tx *sql.Tx, record, student string) error {
	s.held.wrote(tx)
	_, err := tx.ExecContext(ctx, s.q(`UPDATE records SET student_id = ? WHERE record_id = ?`), student, record)
	return err
}

// retire moves every record of a student to the survivor and records the redirect.
func (s *Store) retire(ctx context.Context, tx *sql.Tx, student, survivor, reason string, at time.Time) error {
	s.held.wrote(tx)
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE records SET student_id = ? WHERE student_id = ?`), survivor, student); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE retired SET survivor = ? WHERE survivor = ?`), survivor, student); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO retired (student_id, survivor, at, reason) VALUES (?, ?, ?, ?)`), student, survivor, stamp(at), reason)
	return err
}

// retiredIDs returns every retired student ID with its survivor.
func (s *Store) retiredIDs(ctx context.Context) (map[string]string, error) {
	pairs, err := queryRows(ctx, s, "retired IDs", `SELECT student_id, survivor FROM retired`, nil, func(r *sql.Rows) ([2]string, error) {
		var p [2]string
		return p, r.Scan(&p[0], &p[1])
	})
	out := make(map[string]string, len(pairs))
	for _, p := range pairs {
		out[p[0]] = p[1]
	}
	return out, err
}

// insertSubmission stores an LEA's submission.
func (s *Store) insertSubmission(ctx context.Context, tx *sql.Tx, seq int64, sub *backpack.Submission) error {
	var b strings.Builder
	if err := backpack.WriteJSON(&b, sub); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO submissions (seq, lea, body) VALUES (?, ?, ?)`), seq, sub.LEA, b.String())
	return err
}

// submissions returns every stored submission in order.
func (s *Store) submissions(ctx context.Context) ([]*backpack.Submission, error) {
	return queryRows(ctx, s, "submissions", `SELECT seq, body FROM submissions ORDER BY seq`, nil, func(r *sql.Rows) (*backpack.Submission, error) {
		var seq int64
		var body string
		if err := r.Scan(&seq, &body); err != nil {
			return nil, err
		}
		sub, err := backpack.ReadSubmission(strings.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("service: submission %d: %w", seq, err)
		}
		return sub, nil
	})
}

// sequences returns the last sequence number used by records, submissions, reviews and
// request events.
func (s *Store) sequences(ctx context.Context) (records, subs, reviews, events int64, err error) {
	for _, x := range []struct {
		table string
		dst   *int64
	}{{"records", &records}, {"submissions", &subs}, {"reviews", &reviews}, {"request_events", &events}} {
		if err = s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM `+x.table).Scan(x.dst); err != nil {
			return 0, 0, 0, 0, fmt.Errorf("service: reading %s: %w", x.table, err)
		}
	}
	return records, subs, reviews, events, nil
}

// insertRequestEvent stores a change of the request workflow (a guardian's request, a
// handoff, an exit).
func (s *Store) insertRequestEvent(ctx context.Context, tx *sql.Tx, ev requestEvent) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO request_events (seq, request_id, event, lea, actor, ssid, reason, at, student_id, exit_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		ev.Seq, ev.RequestID, ev.Event, ev.LEA, ev.Actor, ev.SSID, ev.Reason, stamp(ev.At), ev.Student, ev.ExitDate)
	return err
}

// requestEvents returns the events of one request, or of all ("" ID), in order.
func (s *Store) requestEvents(ctx context.Context, requestID string) ([]requestEvent, error) {
	query := `SELECT seq, request_id, event, lea, actor, ssid, reason, at, student_id, exit_date FROM request_events`
	var args []any
	if requestID != "" {
		query += ` WHERE request_id = ?`
		args = append(args, requestID)
	}
	return queryRows(ctx, s, "request events", query+` ORDER BY seq`, args, func(r *sql.Rows) (requestEvent, error) {
		var ev requestEvent
		var at string
		err := r.Scan(&ev.Seq, &ev.RequestID, &ev.Event, &ev.LEA, &ev.Actor, &ev.SSID, &ev.Reason, &at, &ev.Student, &ev.ExitDate)
		ev.At = unstamp(at)
		return ev, err
	})
}

// enrollmentRow is an enrollment an LEA posted and where the index placed it.
type enrollmentRow struct {
	ID       string
	LEA      string
	RecordID string
	Outcome  string // match, review or new; after a review, the decision's outcome
	Student  string // "" while in review
	ReviewID string
	Created  time.Time
	Body     string // the posted JSON
}

const enrollmentColumns = `id, lea, record_id, outcome, student_id, review_id, created, body`

func (s *Store) insertEnrollment(ctx context.Context, tx *sql.Tx, e enrollmentRow) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO enrollments (`+enrollmentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		e.ID, e.LEA, e.RecordID, e.Outcome, e.Student, e.ReviewID, stamp(e.Created), e.Body)
	return err
}

// enrollmentWhere returns the enrollment one column names, if any.
func (s *Store) enrollmentWhere(ctx context.Context, column, value string) (enrollmentRow, bool, error) {
	var e enrollmentRow
	var created string
	if !textArgs(value) {
		return e, false, nil
	}
	err := s.db.QueryRowContext(ctx, s.q(`SELECT `+enrollmentColumns+` FROM enrollments WHERE `+column+` = ?`), value).
		Scan(&e.ID, &e.LEA, &e.RecordID, &e.Outcome, &e.Student, &e.ReviewID, &created, &e.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return e, false, nil
	}
	if err != nil {
		return e, false, fmt.Errorf("service: reading enrollment: %w", err)
	}
	e.Created = unstamp(created)
	return e, true, nil
}

func (s *Store) settleEnrollment(ctx context.Context, tx *sql.Tx, reviewID, outcome, student string) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE enrollments SET outcome = ?, student_id = ? WHERE review_id = ?`), outcome, student, reviewID)
	return err
}

// enrollmentCount returns how many enrollments are stored.
func (s *Store) enrollmentCount(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM enrollments`).Scan(&n)
	return n, err
}

// reviewRow is a pair of records a reviewer decides.
type reviewRow struct {
	ID          string
	Seq         int64
	Kind        string // reviewEnrollment or reviewRun
	A, B        string // for an enrollment, A is the new record and B its best candidate
	Weight      float64
	Reason      string
	Explanation string // score.Explanation as JSON
	Status      string // reviewPending, reviewSame or reviewDifferent
	DecidedBy   string
	Decided     time.Time
	Created     time.Time
}

// Review kinds and states.
const (
	reviewEnrollment = "enrollment" // a new enrollment between the thresholds
	reviewRun        = "run"        // a pair the linking run queued, or an identity created near another
	reviewManual     = "manual"     // a decision on two records no queue held
	reviewPending    = "pending"
	reviewSame       = "same"
	reviewDifferent  = "different"
)

const reviewColumns = `id, seq, kind, record_a, record_b, weight, reason, explanation, status, decided_by, decided, created`

func (s *Store) insertReview(ctx context.Context, tx *sql.Tx, r reviewRow) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO reviews (`+reviewColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		r.ID, r.Seq, r.Kind, r.A, r.B, r.Weight, r.Reason, r.Explanation, r.Status, r.DecidedBy, stampOrEmpty(r.Decided), stamp(r.Created))
	return err
}

func stampOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return stamp(t)
}

func (s *Store) reviewsWhere(ctx context.Context, cond string, args ...any) ([]reviewRow, error) {
	return queryRows(ctx, s, "reviews", `SELECT `+reviewColumns+` FROM reviews WHERE `+cond+` ORDER BY seq`, args, func(rows *sql.Rows) (reviewRow, error) {
		var r reviewRow
		var decided, created string
		err := rows.Scan(&r.ID, &r.Seq, &r.Kind, &r.A, &r.B, &r.Weight, &r.Reason, &r.Explanation, &r.Status, &r.DecidedBy, &decided, &created)
		r.Decided, r.Created = unstamp(decided), unstamp(created)
		return r, err
	})
}

func (s *Store) review(ctx context.Context, id string) (reviewRow, bool, error) {
	rs, err := s.reviewsWhere(ctx, `id = ?`, id)
	if err != nil || len(rs) == 0 {
		return reviewRow{}, false, err
	}
	return rs[0], true, nil
}

func (s *Store) decideReview(ctx context.Context, tx *sql.Tx, id, status, by string, at time.Time) error {
	res, err := tx.ExecContext(ctx, s.q(`UPDATE reviews SET status = ?, decided_by = ?, decided = ? WHERE id = ? AND status = ?`), status, by, stamp(at), id, reviewPending)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n != 1 {
		return fmt.Errorf("review %s is no longer pending", id)
	}
	return nil
}

// results rows hold the answers of asynchronous searches and finds.
func (s *Store) putResult(ctx context.Context, tx *sql.Tx, token, lea, status, body string, at time.Time) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO results (token, lea, status, body, created) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET status = excluded.status, body = excluded.body`), token, lea, status, body, stamp(at))
	return err
}

func (s *Store) result(ctx context.Context, token string) (lea, status, body string, ok bool, err error) {
	if !textArgs(token) {
		return "", "", "", false, nil
	}
	err = s.db.QueryRowContext(ctx, s.q(`SELECT lea, status, body FROM results WHERE token = ?`), token).Scan(&lea, &status, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", "", false, nil
	}
	if err != nil {
		return "", "", "", false, fmt.Errorf("service: reading result: %w", err)
	}
	return lea, status, body, true, nil
}

// incompleteResults returns the batches not yet answered: token, LEA and the job.
func (s *Store) incompleteResults(ctx context.Context) ([][3]string, error) {
	return queryRows(ctx, s, "results", `SELECT token, lea, body FROM results WHERE status = ? ORDER BY created`, []any{statusIncomplete},
		func(r *sql.Rows) ([3]string, error) {
			var x [3]string
			return x, r.Scan(&x[0], &x[1], &x[2])
		})
}

// queryRows runs a query and reads each row of its answer with scan; what names the rows
// in an error. A query with a text argument that is not UTF-8 answers no rows, unasked
// (see textArgs).
func queryRows[T any](ctx context.Context, s *Store, what, query string, args []any, scan func(*sql.Rows) (T, error)) ([]T, error) {
	if !textArgs(args...) {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("service: reading %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// textArgs reports whether every text argument of a query is valid UTF-8. The store holds
// only UTF-8 text, so a value from a request that is not (a path's %ff) equals nothing
// stored: the look-ups that compare a column with it (=, as they all do) answer "none"
// without asking the database, which PostgreSQL would refuse with an error ("invalid
// byte sequence"), answering the caller 500 where SQLite answers "not found".
func textArgs(args ...any) bool {
	for _, a := range args {
		if v, ok := a.(string); ok && !utf8.ValidString(v) {
			return false
		}
	}
	return true
}
