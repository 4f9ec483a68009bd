package service

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/studentlink/studentlink"
	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/internal/demo"
	"github.com/studentlink/studentlink/match"
)

// Seed is what an empty store starts with.
type Seed struct {
	// Linker is trained: its settings and model are kept in the store and scored with
	// from then on.
	Linker *match.Linker
	// Result is the linker's run over the records the state starts with: each record is
	// stored with its student, and the run's review queue becomes the reviewers'.
	Result *match.Result
	// Submissions are what the LEAs submitted for those records, for their backpacks.
	Submissions []*backpack.Submission
	// Keys and Accounts are created; their secrets are returned once (Server.FirstStart).
	Keys     []KeySpec
	Accounts []Account
}

// writeSeed loads an empty store in one transaction and returns the secrets created.
func (s *Server) writeSeed(ctx context.Context, seed *Seed) (*Credentials, error) {
	if seed == nil || seed.Linker == nil || seed.Result == nil || seed.Result.Prepared == nil {
		return nil, errors.New("service: a seed needs a trained linker and its run")
	}
	if err := checkSettings(seed.Linker.Settings()); err != nil {
		return nil, err
	}
	model, err := saveModel(seed.Linker)
	if err != nil {
		return nil, err
	}
	creds := &Credentials{}
	keys := make([]string, len(seed.Keys))
	for i, k := range seed.Keys {
		keys[i] = "slk_" + secret(32)
		creds.APIKeys = append(creds.APIKeys, KeySecret{LEA: k.LEA, Label: k.Label, Key: keys[i]})
	}
	hashes := make([]string, len(seed.Accounts))
	for i, a := range seed.Accounts {
		if err := validAccount(a); err != nil {
			return nil, err
		}
		password := secret(12)
		if hashes[i], err = hashPassword(password); err != nil {
			return nil, err
		}
		creds.Accounts = append(creds.Accounts, AccountSecret{Username: a.Username, Password: password, Role: a.Role, LEA: a.LEA,
			Permissions: permissionNames(a.Permissions), Students: a.Students})
	}

	now := s.now()
	res := seed.Result
	roll := res.Prepared.Roll
	log, err := backpack.NewLog(s.cfg.AuditKey)
	if err != nil {
		return nil, err
	}
	log.Now = s.now
	leas := map[string]bool{}
	ssid := map[string]string{} // record → its SSID as backpack read it
	for _, sub := range seed.Submissions {
		for _, st := range sub.Students {
			ssid[st.Record] = st.SSID
		}
	}
	err = s.store.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.store.setMeta(ctx, tx, metaModel, model); err != nil {
			return err
		}
		if err := s.store.setMeta(ctx, tx, metaSeeded, stamp(now)); err != nil {
			return err
		}
		for i := range roll.Len() {
			row := rowOf(roll, i)
			r := recordRow{ID: roll.IDs[i], Seq: int64(i) + 1, LEA: row["lea_id"], SSID: ssid[roll.IDs[i]],
				Student: res.StudentIDs[res.Label[i]], Origin: roll.Sources[roll.Source[i]], Fields: row, Created: now}
			leas[r.LEA] = true
			if err := s.store.insertRecord(ctx, tx, r); err != nil {
				return err
			}
		}
		for i, sub := range seed.Submissions {
			if err := s.store.insertSubmission(ctx, tx, int64(i)+1, sub); err != nil {
				return err
			}
		}
		for i, it := range res.Review {
			r, err := runReview(it, int64(i)+1, now)
			if err != nil {
				return err
			}
			if err := s.store.insertReview(ctx, tx, r); err != nil {
				return err
			}
		}
		for i, k := range seed.Keys {
			if err := s.store.insertKey(ctx, tx, k, keys[i], now); err != nil {
				return err
			}
			log.Append(backpack.Entry{Action: actionAccess, Actor: "service", Note: fmt.Sprintf("API key %q issued for %s", k.Label, scopeName(k.LEA))})
		}
		for i, a := range seed.Accounts {
			if err := s.store.insertAccount(ctx, tx, a, hashes[i], now); err != nil {
				return err
			}
			log.Append(backpack.Entry{Action: actionAccess, Actor: "service", Note: accountNote(a)})
		}
		log.Append(backpack.Entry{Action: actionEnroll, Actor: "service", SettingsVersion: seed.Linker.Settings().Version,
			Note: fmt.Sprintf("first start: %d records of %d students from %d LEAs (sources: %v), %d submissions, %d pairs for review",
				roll.Len(), len(res.StudentIDs), len(leas), roll.Sources, len(seed.Submissions), len(res.Review))})
		entries, err := log.Entries()
		if err != nil {
			return err
		}
		rows, err := auditRowsOf(entries)
		if err != nil {
			return err
		}
		if err := s.store.insertAudit(ctx, tx, rows); err != nil {
			return err
		}
		if s.cfg.KeepCredentials != nil { // last: the secrets are kept before their hashes commit
			if err := s.cfg.KeepCredentials(creds); err != nil {
				return fmt.Errorf("keeping the new keys and passwords: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: loading the first start: %w", ErrSeedNotSaved, err)
	}
	return creds, nil
}

// runReview is a pair the linking run queued for review.
func runReview(it match.ReviewItem, seq int64, now time.Time) (reviewRow, error) {
	expl, err := json.Marshal(it.Explanation)
	if err != nil {
		return reviewRow{}, err
	}
	return reviewRow{ID: reviewID(seq), Seq: seq, Kind: reviewRun, A: it.A, B: it.B, Weight: it.Weight, Reason: it.Reason,
		Explanation: string(expl), Status: reviewPending, Created: now}, nil
}

// reviewID names the review with the given sequence number.
func reviewID(seq int64) string { return fmt.Sprintf("V%06d", seq) }

// SampleSeed is the embedded sample: the synthetic state roll (8 LEAs) and the Ed-Fi
// submissions of two LEAs, linked by a model trained on the roll, with an API key per
// LEA, one for the state's reviewers, and demo accounts: staff of LEA 255902 with both
// permissions and with view only, staff of LEA 255901, a reviewer, and the guardian of
// Lisa Woods (SSID 1000604822, whose records are at both Ed-Fi LEAs) filing at LEA 255902.
func SampleSeed(ctx context.Context) (*Seed, error) {
	linker, _, err := demo.TrainedLinker(ctx)
	if err != nil {
		return nil, err
	}
	synthRoll, err := demo.ReadRoll(demo.SampleRoll)
	if err != nil {
		return nil, err
	}
	edfi, err := demo.EdFiSubmissions()
	if err != nil {
		return nil, err
	}
	data, err := studentlink.Testdata.ReadFile(demo.SampleRoll)
	if err != nil {
		return nil, err
	}
	var edfiCSV bytes.Buffer
	if err := backpack.WriteStudentCSV(&edfiCSV, edfi...); err != nil {
		return nil, err
	}
	all, err := linker.Settings().NewRoll()
	if err != nil {
		return nil, err
	}
	if err := all.ReadCSV(demo.SampleRoll, bytes.NewReader(data)); err != nil {
		return nil, err
	}
	if err := all.ReadCSV("testdata/edfi", &edfiCSV); err != nil {
		return nil, err
	}
	res, err := linker.Run(ctx, all, match.RunOptions{})
	if err != nil {
		return nil, err
	}
	subs := append(backpack.FromRoll(synthRoll, "2024-06-30"), edfi...)
	var leas []string
	for _, sub := range subs {
		if !slices.Contains(leas, sub.LEA) {
			leas = append(leas, sub.LEA)
		}
	}
	slices.Sort(leas)
	seed := &Seed{Linker: linker, Result: res, Submissions: subs}
	for _, lea := range leas {
		seed.Keys = append(seed.Keys, KeySpec{LEA: lea, Label: "SIS of LEA " + lea})
	}
	seed.Keys = append(seed.Keys, KeySpec{Label: "state reviewers"})
	both := backpack.PermView | backpack.PermRequest
	seed.Accounts = []Account{
		{Username: "registrar.255902", Role: RoleStaff, LEA: "255902", Permissions: both},
		{Username: "teacher.255902", Role: RoleStaff, LEA: "255902", Permissions: backpack.PermView},
		{Username: "registrar.255901", Role: RoleStaff, LEA: "255901", Permissions: both},
		{Username: "reviewer", Role: RoleReviewer},
		{Username: "guardian.woods", Role: RoleGuardian, LEA: "255902", Students: []string{"1000604822"}},
	}
	return seed, nil
}
