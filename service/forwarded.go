package service

// What a guardian was forwarded. An approval forwards the student's backpack as it is
// at that moment, and the guardian sees that backpack, not the student's data as it is
// later: a record another LEA enrolls afterwards (a new address), or one a wrong merge
// puts with the student, reaches the guardian only through a new request (Update
// Backpack) that staff approve. The backpack is kept, as JSON with the records it was
// built from, in the forwarded table, committed with the approval.
//
// A view needs a backpack that backpack.Store built (a backpack read from JSON is not
// one), so the guardian's view is built again from the records kept and compared with
// the JSON kept: the records and their submissions never change, so the two agree. If
// they do not (a program whose Build gives another backpack), nothing is shown rather
// than something not approved, and the guardian is asked to request an update. An
// approval made before this table existed has no snapshot: it shows nothing either.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/studentlink/studentlink/backpack"
)

// snapshot is the backpack an approval forwarded: whose, from which records, and the
// backpack as JSON.
type snapshot struct {
	Student string
	Records []string
	Body    []byte
}

// snapshotOf is what an approval of b forwards.
func snapshotOf(b *backpack.Backpack) (snapshot, error) {
	body, err := json.Marshal(b)
	if err != nil {
		return snapshot{}, err
	}
	return snapshot{Student: b.StudentID, Records: b.Records, Body: body}, nil
}

// rebuild builds the forwarded backpack again from its records, and checks that it is
// the one forwarded.
func (s *Server) rebuild(sn snapshot) (*backpack.Backpack, error) {
	b, err := s.bp.Build(sn.Student, sn.Records, backpack.Survivorship{})
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(body, sn.Body) {
		return nil, fmt.Errorf("service: the backpack of student %s built again from the %d records forwarded is not the one forwarded", sn.Student, len(sn.Records))
	}
	return b, nil
}

// insertForwarded keeps what an approval forwarded.
func (s *Store) insertForwarded(ctx context.Context, tx *sql.Tx, requestID string, sn snapshot, at time.Time) error {
	records, err := json.Marshal(sn.Records)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO forwarded (request_id, student_id, records, backpack, at) VALUES (?, ?, ?, ?, ?)`),
		requestID, sn.Student, string(records), string(sn.Body), stamp(at))
	return err
}

// forwardedAll returns every snapshot kept, by request.
func (s *Store) forwardedAll(ctx context.Context) (map[string]snapshot, error) {
	type row struct {
		id string
		sn snapshot
	}
	rows, err := queryRows(ctx, s, "forwarded backpacks", `SELECT request_id, student_id, records, backpack FROM forwarded`, nil,
		func(r *sql.Rows) (row, error) {
			var x row
			var records, body string
			if err := r.Scan(&x.id, &x.sn.Student, &records, &body); err != nil {
				return x, err
			}
			x.sn.Body = []byte(body)
			if err := json.Unmarshal([]byte(records), &x.sn.Records); err != nil {
				return x, fmt.Errorf("service: the records forwarded by request %s: %w", x.id, err)
			}
			return x, nil
		})
	out := make(map[string]snapshot, len(rows))
	for _, x := range rows {
		out[x.id] = x.sn
	}
	return out, err
}
