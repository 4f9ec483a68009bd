package service

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/match"
)

// Config configures a Server.
type Config struct {
	// DB is a SQLite file path or a postgres:// URL.
	DB string
	// AuditKey keys the audit chain's HMAC (at least backpack.MinKeySize bytes). Keep it
	// apart from the store: whoever holds it could rewrite the chain undetected. The same
	// key must be given at every start.
	AuditKey []byte
	// Seed gives what an empty store starts with (the linked records, the trained model,
	// the LEAs' submissions, the keys and accounts to create). It is called only when the
	// store is empty; nil then is an error.
	Seed func(context.Context) (*Seed, error)
	// Now stamps records, requests and audit entries; nil means time.Now.
	Now func() time.Time
	// Logf receives a line for each failure a caller does not see in full (nil: none).
	Logf func(format string, args ...any)
	// SecureCookies marks session cookies Secure: set it when serving over HTTPS.
	SecureCookies bool
	// AsyncAbove answers search and find batches of more than this many requests
	// asynchronously, through GET results/{token} (0: 10).
	AsyncAbove int
	// SessionTTL is how long a sign-in lasts (0: 8 hours).
	SessionTTL time.Duration
	// SyncReadAudits syncs the audit entries of reads (searches, look-ups, views) to disk
	// before answering, as every change is. Without it they are written to the store
	// before the answer (they survive a crash of the server) and synced by the next change
	// or checkpoint (within a second), which spares each read a disk sync.
	SyncReadAudits bool
	// ReadCommitDelay is how long the committer of reads' audit entries waits, once a
	// read has an entry to commit, for the entries of other reads to join it in one
	// transaction (as PostgreSQL's commit_delay): a transaction costs more CPU than the
	// search it records, and without the wait each one carried a single entry. Zero means
	// DefaultReadCommitDelay; a negative delay commits at once.
	ReadCommitDelay time.Duration
	// SignInLimit bounds failed sign-ins per account and per remote address (zero: the
	// defaults, see SignInLimit).
	SignInLimit SignInLimit
	// SearchNameLimit bounds, per LEA, the different requests whose answer would name
	// one student the LEA holds no record of (zero: the defaults, see SearchNameLimit):
	// the guard against guessing a person's birth date or middle name through search, or
	// through creates, which count with the LEA's searches.
	SearchNameLimit SearchNameLimit
	// AuditAnchor is a file outside the database where the head of the audit chain is
	// kept after each commit, so that a start notices entries deleted from the chain's end
	// (see anchor.go); "" keeps none. Keep it beside the audit key, and give the same one
	// at every start: a store started before with no anchor is refused, even with an empty chain.
	AuditAnchor string
	// NewAuditAnchor makes the anchor again at the chain's head at this start, accepting
	// the chain the database holds (audited): the recovery from a refused start, once its
	// cause is known, and the first start of a database made before anchors.
	NewAuditAnchor bool
	// KeepCredentials, when not nil, is given the keys and passwords of a first start
	// before the store commits them (their hashes): it must put them somewhere safe. When
	// it fails, nothing is committed and Open fails with ErrSeedNotSaved, so that no key
	// exists that nobody holds; the next start tries again.
	KeepCredentials func(*Credentials) error
}

// ErrSeedNotSaved is the error of an Open whose first start committed nothing: the
// store is still empty, and any secrets given to Config.KeepCredentials are void.
var ErrSeedNotSaved = errors.New("service: the first start was not saved")

// DefaultReadCommitDelay is Config.ReadCommitDelay's default. At 10^5 records and 16
// clients it cut the CPU a search costs from 183–208 µs to 152–168 µs (about four
// entries a transaction instead of one); a read waits that much longer for its answer.
const DefaultReadCommitDelay = 200 * time.Microsecond

// Server is the state service over one store. Its Handler serves the API and the pages.
type Server struct {
	cfg   Config
	store *Store

	// wmu is held across every change: deciding it from the state in memory, committing it
	// with its audit entries, then applying it to the state in memory. Reads take no lock
	// of the server's own; match.Index and backpack.Store are safe for concurrent use.
	wmu       sync.Mutex
	recordSeq int64
	subSeq    int64
	reviewSeq int64
	eventSeq  int64

	linker *match.Linker
	rows   rowReader                   // the linker's reader of student CSV rows
	index  atomic.Pointer[match.Index] // replaced whole by a relink
	bp     *backpack.Store
	req    atomic.Pointer[requests] // replaced only under wmu (after a failed commit)
	events []requestEvent           // the request events committed, in order (under wmu)
	// forwarded holds what each approval forwarded, by request (under wmu; see forwarded.go).
	forwarded map[string]snapshot
	audit     *auditor
	anchor    *anchor  // nil without Config.AuditAnchor
	lock      *runLock // the database's, held until Close (see runlock.go)

	rmu     sync.RWMutex
	retired map[string]string // retired student ID → the student it was merged into

	schools map[string][]string // school (schoolKey) → its LEAs, from the submissions at start

	keys keyCache
	// lastNow is the latest time now has stamped, in Unix nanoseconds.
	lastNow   atomic.Int64
	signins   *signInLimiter
	guard     *searchGuard  // searches of one name with other properties, per LEA
	throttles throttles     // calls without a valid API key, sign-ins, pages without a session
	jobs      chan struct{} // one asynchronous batch at a time

	// FirstStart holds the keys and passwords created on first start, the only time they
	// exist in the clear; nil on later starts.
	FirstStart *Credentials

	stop    chan struct{}
	wg      sync.WaitGroup
	closing sync.Once
}

// Open opens the store named by cfg.DB, loads it on first start from cfg.Seed, and
// rebuilds the state in memory from it: the linker's index over every placed record, the
// backpack store of every submission, the request workflow and the audit chain, which
// must verify.
//
// Only one Server at a time may hold a database (see runlock.go): an Open of a database
// another Server holds, in this process or another, fails with ErrServerRunning.
func Open(ctx context.Context, cfg Config) (*Server, error) {
	var lk *runLock
	if !isPostgres(cfg.DB) && cfg.DB != "" { // SQLite: locked before the store is touched
		var err error
		if lk, err = lockFile(cfg.DB); err != nil {
			return nil, err
		}
	}
	st, err := OpenStore(ctx, cfg.DB)
	if err != nil {
		lk.release()
		return nil, err
	}
	if st.postgres {
		if lk, err = lockPostgres(ctx, st); err != nil {
			st.Close()
			return nil, err
		}
	}
	s, err := open(ctx, cfg, st, lk)
	if err != nil {
		if st.postgres {
			lk.release()
		}
		st.Close()
		lk.release()
		return nil, err
	}
	return s, nil
}

func open(ctx context.Context, cfg Config, st *Store, lk *runLock) (*Server, error) {
	if len(cfg.AuditKey) < backpack.MinKeySize {
		return nil, fmt.Errorf("service: the audit key has %d bytes; it needs at least %d", len(cfg.AuditKey), backpack.MinKeySize)
	}
	if cfg.AsyncAbove <= 0 {
		cfg.AsyncAbove = 10
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	s := &Server{cfg: cfg, store: st, lock: lk, stop: make(chan struct{}), jobs: make(chan struct{}, 1), signins: newSignInLimiter(cfg.SignInLimit), guard: newSearchGuard(cfg.SearchNameLimit), throttles: newThrottles()}
	seeded, err := st.meta(ctx, metaModel)
	if err != nil {
		return nil, err
	}
	if seeded == "" {
		if cfg.Seed == nil {
			return nil, errors.New("service: the store is empty and no seed was given")
		}
		seed, err := cfg.Seed(ctx)
		if err != nil {
			return nil, fmt.Errorf("service: preparing the first start: %w", err)
		}
		if s.FirstStart, err = s.writeSeed(ctx, seed); err != nil {
			return nil, err
		}
	}
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	if err := s.loadGuard(ctx); err != nil {
		return nil, fmt.Errorf("service: reading the search guard's counts: %w", err)
	}
	s.wg.Add(2)
	go s.commitReads()
	go s.saveGuardLoop()
	jobs, err := st.incompleteResults(ctx)
	if err != nil {
		s.Close()
		return nil, err
	}
	for _, j := range jobs { // batches a stop interrupted run again
		s.startJob(j[0], caller{KeySpec: KeySpec{LEA: j[1], Label: "batch " + j[0]}}, []byte(j[2]))
	}
	return s, nil
}

// Close stops the server's background work and closes the store. Calls still waiting
// for an audit commit fail. The counts of throttled calls not yet audited (see
// throttle.go) are audited first.
func (s *Server) Close() error {
	s.closing.Do(func() {
		s.flushThrottles()
		close(s.stop)
	})
	s.wg.Wait()
	if s.anchor != nil {
		s.anchor.close()
	}
	if s.store.postgres {
		s.lock.release() // before its connection's pool is closed
	}
	err := s.store.Close()
	s.lock.release() // SQLite: after the store's last write (its checkpoint)
	return err
}

// Store returns the server's store.
func (s *Server) Store() *Store { return s.store }

// now stamps records, requests and audit entries: the clock, but never before a time
// already stamped, nor before the audit chain's last entry at start. The chain refuses an
// entry dated before the one it follows, so a clock stepped back (an NTP correction, a
// restart on another host) would otherwise fail every change until it caught up.
func (s *Server) now() time.Time {
	t := time.Now()
	if s.cfg.Now != nil {
		t = s.cfg.Now()
	}
	t = t.UTC().Round(0)
	for {
		last := s.lastNow.Load()
		if t.UnixNano() <= last {
			return time.Unix(0, last).UTC()
		}
		if s.lastNow.CompareAndSwap(last, t.UnixNano()) {
			return t
		}
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// Meta keys.
const (
	metaModel  = "model"  // the linker's settings and model as match.Linker.Save wrote them
	metaSeeded = "seeded" // when the store was first loaded
)

// load rebuilds the state in memory from the store.
func (s *Server) load(ctx context.Context) error {
	start := time.Now()
	saved, err := s.store.meta(ctx, metaModel)
	if err != nil {
		return err
	}
	// A model a library upgrade refuses is trained again below, once the audit chain
	// that records it is loaded; the index waits for it.
	var upgrade *modelUpgrade
	var settings match.Settings
	if s.linker, err = match.Load(strings.NewReader(saved)); err == nil {
		settings = s.linker.Settings()
	} else if upgrade, err = upgradeOf(saved, err); err != nil {
		return err
	} else {
		settings = upgrade.settings
	}
	if err := checkSettings(settings); err != nil {
		return err
	}
	if s.rows, err = newRowReader(settings); err != nil {
		return err
	}
	lines, students, err := s.store.placedRecords(ctx)
	if err != nil {
		return err
	}
	if upgrade == nil {
		if err := s.rebuildIndex(ctx, lines, students); err != nil {
			return err
		}
	}
	indexed := time.Now()
	indexing := indexed.Sub(start)
	subs, err := s.store.submissions(ctx)
	if err != nil {
		return err
	}
	if s.bp, err = backpack.NewStore(subs...); err != nil {
		return fmt.Errorf("service: rebuilding the backpack store: %w", err)
	}
	s.schools = schoolsOf(subs)
	stored := time.Now()
	if s.retired, err = s.store.retiredIDs(ctx); err != nil {
		return err
	}
	if err := s.loadRequests(ctx); err != nil {
		return err
	}
	var entries []backpack.Entry
	if s.audit, entries, err = loadAuditor(ctx, s.store, s.cfg.AuditKey); err != nil {
		return err
	}
	if n := len(entries); n > 0 {
		s.lastNow.Store(entries[n-1].Time.UnixNano())
	}
	if err := s.loadAnchor(entries); err != nil {
		return err
	}
	s.recordSeq, s.subSeq, s.reviewSeq, s.eventSeq, err = s.store.sequences(ctx)
	if err == nil && upgrade != nil {
		if err := s.retrain(ctx, upgrade); err != nil {
			return err
		}
		t := time.Now()
		if err := s.rebuildIndex(ctx, lines, students); err != nil {
			return err
		}
		indexing = time.Since(t)
	}
	s.logf("service: rebuilt from the store in %s: index of %d records (%s), %d submissions (%s), %d request events, audit chain of %d entries verified",
		time.Since(start).Round(time.Millisecond), len(lines), indexing.Round(time.Millisecond), len(subs),
		stored.Sub(indexed).Round(time.Millisecond), len(s.events), s.audit.committed.Seq)
	return err
}

// rebuildIndex builds the linker's index over the placed records and their students.
func (s *Server) rebuildIndex(ctx context.Context, lines, students []string) error {
	index, err := buildIndex(ctx, s.linker, lines, students)
	if err != nil {
		return fmt.Errorf("service: rebuilding the index: %w", err)
	}
	s.index.Store(index)
	return nil
}

func (s *Server) loadRequests(ctx context.Context) error {
	events, err := s.store.requestEvents(ctx, "")
	if err != nil {
		return err
	}
	if s.forwarded, err = s.store.forwardedAll(ctx); err != nil {
		return err
	}
	r, err := newRequests(events, s.eventBuilder(ctx), s.logf)
	if err != nil {
		return err
	}
	s.req.Store(r)
	s.events = events
	return nil
}

// rollbackRequests replays the committed request events into a fresh workflow, dropping
// a change that was made in memory but not committed. Callers hold s.wmu.
func (s *Server) rollbackRequests(ctx context.Context) {
	r, err := newRequests(s.events, s.eventBuilder(context.WithoutCancel(ctx)), s.logf)
	if err != nil { // cannot happen: these events replayed at start or as they committed
		panic(fmt.Sprintf("service: replaying committed request events: %v", err))
	}
	s.req.Store(r)
}

// builder builds the backpack of a student (following retired IDs) from every record
// placed with them.
func (s *Server) builder(ctx context.Context) func(string) (*backpack.Backpack, error) {
	return func(student string) (*backpack.Backpack, error) {
		sid := s.resolve(student)
		recs, err := s.store.studentRecords(ctx, sid)
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, fmt.Errorf("%w: no student %s", backpack.ErrDenied, student)
		}
		return s.bp.Build(sid, recordIDs(recs), backpack.Survivorship{})
	}
}

// eventBuilder builds the backpack a stored request event names: for an approval, the
// backpack it forwarded (built again from the records kept, see forwarded.go); for a
// handoff, or an approval made before snapshots were kept, the student's as it is now.
func (s *Server) eventBuilder(ctx context.Context) func(requestEvent) (*backpack.Backpack, error) {
	build := s.builder(ctx)
	return func(ev requestEvent) (*backpack.Backpack, error) {
		if sn, ok := s.forwarded[ev.RequestID]; ok && ev.Event == eventApprove {
			return s.rebuild(sn)
		}
		return build(ev.Student)
	}
}

// errNotSaved is the error of a change the store did not commit: the server's fault, not
// the caller's.
var errNotSaved = errors.New("service: the change was not saved")

// commit writes a change in one transaction, durably: f's rows and the audit entries,
// together with the entries of reads waiting for a commit. Callers hold s.wmu. After a
// failed commit the audit chain and the request workflow are cut back to what was
// committed, so that memory never runs ahead of the store.
func (s *Server) commit(ctx context.Context, entries []backpack.Entry, f func(*sql.Tx) error) error {
	return s.commitSync(ctx, true, entries, f)
}

// commitSync is commit, durable or lazy (see Store).
func (s *Server) commitSync(ctx context.Context, durable bool, entries []backpack.Entry, f func(*sql.Tx) error) error {
	if len(entries) > 0 {
		if _, err := s.audit.append(entries...); err != nil {
			return err
		}
	}
	b := s.audit.take()
	err := s.store.inTxSync(ctx, durable, func(tx *sql.Tx) error {
		if f != nil {
			if err := f(tx); err != nil {
				return err
			}
		}
		return s.store.insertAudit(ctx, tx, b.entries)
	})
	s.audit.finish(b, err)
	if err != nil {
		s.logf("service: commit failed: %v", err)
		s.rollbackRequests(ctx)
		return fmt.Errorf("%w: %w", errNotSaved, err)
	}
	if s.anchor != nil && len(b.entries) > 0 {
		// The commit stands without it: the anchor is then behind the chain, which a
		// start accepts; only a cut tail would go unnoticed back to the anchor's entry.
		if err := s.anchor.write(s.audit.head(), durable); err != nil {
			s.logf("service: writing the audit anchor: %v", err)
		}
	}
	if ca := callAuditOf(ctx); ca != nil && len(entries) > 0 {
		ca.done.Store(true)
	}
	return nil
}

// record audits a call that changes nothing and waits until its entries are committed.
func (s *Server) record(ctx context.Context, entries ...backpack.Entry) error {
	b, err := s.audit.append(entries...)
	if err != nil {
		return err
	}
	select {
	case s.audit.kick <- struct{}{}:
	default: // a commit is already due
	}
	select {
	case <-b.done:
		if ca := callAuditOf(ctx); ca != nil && b.err == nil {
			ca.done.Store(true)
		}
		return b.err
	case <-ctx.Done():
		return ctx.Err()
	case <-s.stop:
		return errAuditClosed
	}
}

// commitReads commits the entries of reads, each transaction taking every entry that
// arrived while the one before committed or during Config.ReadCommitDelay.
func (s *Server) commitReads() {
	defer s.wg.Done()
	delay := s.cfg.ReadCommitDelay
	if delay == 0 {
		delay = DefaultReadCommitDelay
	}
	var wait *time.Timer
	if delay > 0 {
		wait = time.NewTimer(delay)
		wait.Stop()
	}
	for {
		select {
		case <-s.stop:
			// The entries linked before the stop are committed, not dropped: the chain
			// in the store then ends where the chain in memory did.
			s.wmu.Lock()
			if err := s.commitSync(context.Background(), s.cfg.SyncReadAudits, nil, nil); err != nil {
				s.logf("service: committing audit entries at stop: %v", err)
			}
			s.wmu.Unlock()
			return
		case <-s.audit.kick:
		}
		if wait != nil {
			wait.Reset(delay)
			select {
			case <-wait.C:
			case <-s.stop: // the stop case above ends the loop
			}
		}
		s.wmu.Lock()
		if err := s.commitSync(context.Background(), s.cfg.SyncReadAudits, nil, nil); err != nil {
			s.logf("service: committing audit entries: %v", err)
		}
		s.wmu.Unlock()
	}
}

// saveModel returns the linker's saved form.
func saveModel(l *match.Linker) (string, error) {
	var buf bytes.Buffer
	if err := l.Save(&buf); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// noteRetired records in memory that a student ID was merged into another, as
// Store.retire does in the store: IDs retired into it earlier now point at the survivor.
func (s *Server) noteRetired(old, survivor string) {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	s.retired[old] = survivor
	for x, to := range s.retired {
		if to == old {
			s.retired[x] = survivor
		}
	}
}

// requests returns the guardians' request workflow.
func (s *Server) requests() *requests { return s.req.Load() }

// resolve follows retired student IDs to the student they were merged into.
func (s *Server) resolve(id string) string {
	s.rmu.RLock()
	defer s.rmu.RUnlock()
	for range 64 { // a merge chain is short; the bound only guards against a cycle
		next, ok := s.retired[id]
		if !ok {
			return id
		}
		id = next
	}
	return id
}

// Handler returns the HTTP handler of the API and the pages.
func (s *Server) Handler() http.Handler { return s.routes() }

// Audit returns the audit chain as the store holds it, after checking that it verifies.
func (s *Server) Audit(ctx context.Context) ([]backpack.Entry, error) {
	entries, err := s.store.auditEntries(ctx)
	if err != nil {
		return nil, err
	}
	if err := backpack.VerifyChain(entries, s.cfg.AuditKey); err != nil {
		return nil, err
	}
	return entries, nil
}

// Counts are what the store and the index hold, for checking that nothing was lost or
// doubled: the enrollments and records whose record ID has a prefix, every record placed
// with a student, and the records in the index.
type Counts struct {
	Enrollments, Records, DistinctRecords int
	Placed, Indexed                       int
}

// Counts counts the enrollments and records whose record ID starts with prefix.
func (s *Server) Counts(ctx context.Context, prefix string) (Counts, error) {
	var c Counts
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix) + "%"
	for _, x := range []struct {
		query string
		dst   *int
	}{
		{`SELECT COUNT(*) FROM enrollments WHERE record_id LIKE ? ESCAPE '\'`, &c.Enrollments},
		{`SELECT COUNT(*) FROM records WHERE record_id LIKE ? ESCAPE '\'`, &c.Records},
		{`SELECT COUNT(DISTINCT record_id) FROM records WHERE record_id LIKE ? ESCAPE '\'`, &c.DistinctRecords},
	} {
		if err := s.store.db.QueryRowContext(ctx, s.store.q(x.query), like).Scan(x.dst); err != nil {
			return c, err
		}
	}
	if err := s.store.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM records WHERE student_id <> ''`).Scan(&c.Placed); err != nil {
		return c, err
	}
	c.Indexed = s.index.Load().Len()
	return c, nil
}

// StudentOf returns the student a record is placed with ("" while in review), following
// retired IDs.
func (s *Server) StudentOf(ctx context.Context, record string) (string, bool, error) {
	r, ok, err := s.store.record(ctx, record)
	if err != nil || !ok || r.Student == "" {
		return "", ok, err
	}
	return s.resolve(r.Student), true, nil
}
