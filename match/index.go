package match

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/studentlink/studentlink/block"
	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

// Outcomes of placing a new record.
const (
	// OutcomeMatch: the best candidate is at or above the upper threshold.
	OutcomeMatch = "match"
	// OutcomeReview: the best candidate is between the thresholds; a person decides.
	OutcomeReview = "review"
	// OutcomeNew: no candidate reaches the lower threshold; a new student.
	OutcomeNew = "new"
)

// Candidate is an indexed record ranked against a query.
type Candidate struct {
	// RecordID and Source name the record (Source is "" for a record added by ID alone).
	RecordID    string
	Source      string
	StudentID   string
	Weight      float64
	Probability float64
	Explanation score.Explanation
	// Refused names the cannot-link rule that keeps the query from this candidate's
	// student (met with this record or another of the student's the query was weighed
	// against); "" when none does. A refused student is never the match. Only students
	// with a candidate at the upper threshold are judged.
	Refused string

	index int32 // the record's position in the index
}

// Placement answers where a new record belongs.
type Placement struct {
	Outcome string
	// StudentID is the student the record belongs to (OutcomeMatch) or the best
	// candidate's student (OutcomeReview); "" for OutcomeNew.
	StudentID string
	// Candidates are ranked by weight, strongest first, at most the query's limit.
	Candidates []Candidate
	// Best is the candidate the outcome rests on: the matched student's strongest record
	// (not always the first candidate: a stronger one's student may be refused), or the
	// strongest candidate for review; the zero Candidate for a new student.
	Best Candidate
	// Problems are values of the query that could not be prepared.
	Problems []*normalize.FieldError
	// Oversize counts the blocking keys of the query shared by more indexed records than
	// the settings' MaxBlock: skipped, as Run skips such blocks.
	Oversize int
}

// Index places new records among the students of a linked roll, one at a time. Queries
// and additions are safe from many goroutines at once.
type Index struct {
	linker *Linker
	prep   *normalize.Preparer
	// cannot are the linker's cannot-link rules as the index was built: a later run of
	// the linker, testing its rules on another roll, does not change them under a query.
	cannot []compiledCannotLink

	// extraPick says where each of the table's extra columns is among a record's
	// Extra, which follow the roll's ExtraNames (nil: the same; see Prepared).
	extraPick []int

	mu      sync.RWMutex
	table   *normalize.Table
	ids     []string
	student []string
	// refs name the indexed records; byRef finds them (keyed by the refs' own strings).
	refs  []RecordRef
	byRef map[RecordRef]int32
	// idCount counts the indexed records of each bare ID.
	idCount  map[string]int
	postings []block.Postings // per blocking rule: key → records
	// near finds the records most like a query for the settings' Nearest rule (nil
	// when they have none), nearK how many.
	near  *block.Neighbourhood
	nearK int
	// scorer holds the model as the index was built: each query rebinds it (For).
	scorer *score.Scorer
	// queries holds one-record tables for queries to fill, so that a search makes none.
	queries sync.Pool
	// shared are the values the run cleared as no one household's or child's, by role:
	// a query or a record added carrying one has it cleared too.
	shared map[normalize.Role]map[string]bool
}

// clearShared clears, on record 0 of q, a contact, SSID, address or birth date the run
// cleared as no one household's or child's, and reports each as the run did.
func (x *Index) clearShared(q *normalize.Table, problems []*normalize.FieldError) []*normalize.FieldError {
	for _, c := range []struct {
		role normalize.Role
		col  []string
	}{{normalize.RoleSSID, q.SSID}, {normalize.RoleEmail, q.Email}, {normalize.RolePhone, q.Phone}} {
		if v := c.col[0]; v != "" && x.shared[c.role][v] {
			c.col[0] = ""
			problems = append(problems, &normalize.FieldError{Field: string(c.role), Value: v, Err: sharedError(c.role, "the indexed run cleared it")})
		}
	}
	// An address or a date is written out as the run reported it only where the run
	// cleared one: a query builds no string otherwise.
	if shared := x.shared[normalize.RoleAddress]; len(shared) > 0 {
		if v := normalize.SharedAddressValue(q, 0); v != "" && shared[v] {
			q.Address[0] = normalize.Text{}
			problems = append(problems, &normalize.FieldError{Field: string(normalize.RoleAddress), Value: v, Err: sharedError(normalize.RoleAddress, "the indexed run cleared it")})
		}
	}
	if shared := x.shared[normalize.RoleBirthDate]; len(shared) > 0 {
		if v := q.BirthDate[0].String(); v != "" && shared[v] {
			q.BirthDate[0], q.WrittenBirthDate[0] = normalize.Date{}, normalize.Date{}
			problems = append(problems, &normalize.FieldError{Field: string(normalize.RoleBirthDate), Value: v, Err: sharedError(normalize.RoleBirthDate, "the indexed run cleared it")})
		}
	}
	return problems
}

// NewIndex builds an index of a run's records and their students. It scores queries with
// the linker's model as it is now.
func (l *Linker) NewIndex(res *Result) (*Index, error) {
	if l.model == nil {
		return nil, errNoModel
	}
	p := res.Prepared
	if err := l.checkPrepared(p); err != nil {
		return nil, err
	}
	x := &Index{
		linker:   l,
		cannot:   l.cannot,
		prep:     normalize.NewPreparer(normalize.Options{Dates: l.settings.Dates}),
		table:    ownTable(p.Table),
		ids:      slices.Clone(p.Roll.IDs),
		student:  make([]string, p.Roll.Len()),
		refs:     make([]RecordRef, p.Roll.Len()),
		byRef:    make(map[RecordRef]int32, p.Roll.Len()),
		idCount:  make(map[string]int, p.Roll.Len()),
		postings: make([]block.Postings, len(l.settings.Blocking)),

		extraPick: p.extraPick,
	}
	for _, sc := range p.Shared {
		if x.shared == nil {
			x.shared = map[normalize.Role]map[string]bool{}
		}
		if x.shared[sc.Role] == nil {
			x.shared[sc.Role] = map[string]bool{}
		}
		x.shared[sc.Role][sc.Value] = true
	}
	var err error
	if x.scorer, err = l.model.Scorer(normalize.NewTable(0, len(x.table.ExtraNames)), x.table); err != nil {
		return nil, err
	}
	for _, rule := range l.settings.Blocking {
		if rule.Nearest != nil {
			x.near, x.nearK = block.NewNeighbourhood(x.table), rule.Nearest.NeighbourCount()
		}
	}
	var keys []uint64
	for i, id := range x.ids {
		x.student[i] = res.StudentIDs[res.Label[i]]
		x.refs[i] = p.Roll.Ref(i)
		x.byRef[x.refs[i]] = int32(i)
		x.idCount[id]++
		keys = x.indexKeys(keys, x.table, i, int32(i))
	}
	for r := range x.postings {
		x.postings[r].Compact()
	}
	return x, nil
}

// ownTable returns a table with t's rows whose columns have no spare capacity, so that
// Add's first Grow copies them instead of appending into the run's prepared table, which
// the Result and every other index of the same run share.
func ownTable(t *normalize.Table) *normalize.Table {
	c := *t
	c.Given, c.Middle, c.Family = slices.Clip(c.Given), slices.Clip(c.Middle), slices.Clip(c.Family)
	c.Suffix = slices.Clip(c.Suffix)
	c.OtherGiven, c.OtherFamily = slices.Clip(c.OtherGiven), slices.Clip(c.OtherFamily)
	c.BirthDate, c.WrittenBirthDate, c.Sex = slices.Clip(c.BirthDate), slices.Clip(c.WrittenBirthDate), slices.Clip(c.Sex)
	c.SSID, c.LocalID, c.Grade, c.ClassOf = slices.Clip(c.SSID), slices.Clip(c.LocalID), slices.Clip(c.Grade), slices.Clip(c.ClassOf)
	c.Address, c.City, c.Zip = slices.Clip(c.Address), slices.Clip(c.City), slices.Clip(c.Zip)
	c.LEA, c.School = slices.Clip(c.LEA), slices.Clip(c.School)
	c.Email, c.Phone = slices.Clip(c.Email), slices.Clip(c.Phone)
	c.Extra = make([][]normalize.Text, len(t.Extra))
	for k := range t.Extra {
		c.Extra[k] = slices.Clip(t.Extra[k])
	}
	c.ExtraNames = slices.Clone(t.ExtraNames)
	return &c
}

// indexKeys adds record i of t to the postings under index position pos.
func (x *Index) indexKeys(buf []uint64, t *normalize.Table, i int, pos int32) []uint64 {
	for r, rule := range x.linker.settings.Blocking {
		buf = rule.AppendKeys(buf[:0], t, i)
		for _, k := range buf {
			x.postings[r].Add(k, pos)
		}
	}
	return buf
}

// Len returns the number of indexed records.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.ids)
}

// Query ranks the indexed records that blocking admits against rec (those sharing a key
// of a rule, and, when the settings have a Nearest rule, the records most like it) and
// decides where rec belongs. limit caps the candidates returned (0: 10).
func (x *Index) Query(rec normalize.Record, limit int) (Placement, error) {
	return x.query(rec, limit, true)
}

// query is Query, explaining the candidates or not (Rank).
func (x *Index) query(rec normalize.Record, limit int, explain bool) (Placement, error) {
	if limit <= 0 {
		limit = 10
	}
	q, _ := x.queries.Get().(*normalize.Table)
	if q == nil {
		q = normalize.NewTable(1, len(x.table.ExtraNames))
		q.ExtraNames = x.table.ExtraNames
	}
	defer x.queries.Put(q) // Fill leaves nothing of one query to the next
	var pl Placement
	rec.Extra = pickExtras(rec.Extra, x.extraPick)
	pl.Problems = x.clearShared(q, x.prep.Fill(q, 0, rec))

	x.mu.RLock()
	defer x.mu.RUnlock()
	sc := x.scorer.For(q)
	// The records any rule pairs with the query, each once: gathered, sorted and
	// compacted, which costs less than a set for the few dozen a query meets.
	var found []int32
	var keys []uint64
	for r, rule := range x.linker.settings.Blocking {
		keys = rule.AppendKeys(keys[:0], q, 0)
		for _, k := range keys {
			post := x.postings[r].List(k)
			if max := x.linker.settings.MaxBlock; max > 0 && post.Len() > max {
				pl.Oversize++
				continue
			}
			found = x.postings[r].AppendList(found, post)
		}
	}
	if x.near != nil {
		// The records most like the query, for one whose every key is damaged.
		found = append(found, x.near.Nearest(q, 0, x.nearK)...)
	}
	slices.Sort(found)
	found = slices.Compact(found)
	// Weigh every record found, best first (then by ID and source); only the best limit
	// become candidates.
	type weighed struct {
		j   int32
		w   float64
		raw uint64 // the levels the values reached, as cannot-link rules read them
	}
	ranked := make([]weighed, len(found))
	for k, j := range found {
		raw := sc.RawKey(0, int(j))
		ranked[k] = weighed{j, sc.KeyWeight(sc.Require(raw), 0), raw}
	}
	slices.SortFunc(ranked, func(a, b weighed) int {
		return cmp.Or(cmp.Compare(b.w, a.w), strings.Compare(x.ids[a.j], x.ids[b.j]), strings.Compare(x.refs[a.j].Source, x.refs[b.j].Source))
	})
	// A student with a record at the upper threshold, any of whose records found meets a
	// cannot-link rule with the query, is refused: Emma's twin is not Emma. One record is
	// a veto here, where Run's clustering weighs it against the student's other records
	// that agree with the query (voter.refuseMerge); a record that batch would join goes
	// to review instead (0.2-0.6% of a synthetic roll's known children), never to another
	// child. Only those students are judged: no other could be the match.
	th := x.linker.settings.Thresholds
	var refused map[string]string
	for _, r := range ranked {
		if r.w < th.Upper {
			break
		}
		if refused == nil {
			refused = map[string]string{}
		}
		refused[x.student[r.j]] = ""
	}
	for _, r := range ranked {
		if rule, ok := refused[x.student[r.j]]; ok && rule == "" {
			refused[x.student[r.j]] = cannotLinkBy(x.cannot, r.raw, q, 0, x.table, int(r.j))
		}
	}
	// The placement, from every record found: the strongest whose student is not
	// refused, at the upper threshold or over, is the match; otherwise the strongest at
	// the lower threshold or over (refused or not) goes to review; otherwise the record
	// is new. The limit only trims the candidates shown.
	best := -1
	pl.Outcome = OutcomeNew
	for k, r := range ranked {
		if r.w < th.Upper {
			break
		}
		if refused[x.student[r.j]] == "" {
			pl.Outcome, best = OutcomeMatch, k
			break
		}
	}
	if pl.Outcome == OutcomeNew && len(ranked) > 0 && ranked[0].w >= th.Lower {
		pl.Outcome, best = OutcomeReview, 0
	}
	candidate := func(r weighed) Candidate {
		c := Candidate{RecordID: x.ids[r.j], Source: x.refs[r.j].Source, StudentID: x.student[r.j],
			Weight: r.w, Probability: score.Probability(r.w), Refused: refused[x.student[r.j]], index: r.j}
		if explain {
			c.Explanation = sc.Explain(0, int(r.j))
		}
		return c
	}
	pl.Candidates = make([]Candidate, min(len(ranked), limit))
	for k := range pl.Candidates {
		pl.Candidates[k] = candidate(ranked[k])
	}
	switch {
	case best < 0:
	case best < len(pl.Candidates):
		pl.Best = pl.Candidates[best]
	default:
		pl.Best = candidate(ranked[best]) // below the limit shown
	}
	pl.StudentID = pl.Best.StudentID
	return pl, nil
}

// Add indexes a record named by its ID alone as belonging to studentID (a new student's
// ID when the caller decided so from a Query): AddRef with no source.
func (x *Index) Add(recordID string, rec normalize.Record, studentID string) ([]*normalize.FieldError, error) {
	return x.AddRef(RecordRef{ID: recordID}, rec, studentID)
}

// AddRef indexes a record, named by its source and ID, as belonging to studentID. The
// pair (source, ID) must be new to the index: LEAs number their students independently,
// so one ID may come from several sources.
func (x *Index) AddRef(ref RecordRef, rec normalize.Record, studentID string) ([]*normalize.FieldError, error) {
	if ref.ID == "" || studentID == "" {
		return nil, fmt.Errorf("match: index: record %s: both a record ID and a student ID are needed", ref)
	}
	q := normalize.NewTable(1, len(x.table.ExtraNames))
	rec.Extra = pickExtras(rec.Extra, x.extraPick)
	problems := x.clearShared(q, x.prep.Fill(q, 0, rec))

	x.mu.Lock()
	defer x.mu.Unlock()
	_, dup := x.byRef[ref]
	if ref.Source == "" {
		dup = x.idCount[ref.ID] > 0 // no source: the ID alone must be new
	} else if _, bare := x.byRef[RecordRef{ID: ref.ID}]; bare {
		dup = true
	}
	if dup {
		return problems, fmt.Errorf("match: index: record %s is already indexed", ref)
	}
	i := x.table.Grow(1)
	copyRow(x.table, i, q, 0)
	x.ids = append(x.ids, ref.ID)
	x.refs = append(x.refs, ref)
	x.student = append(x.student, studentID)
	x.byRef[ref] = int32(i)
	x.idCount[ref.ID]++
	x.indexKeys(nil, x.table, i, int32(i))
	if x.near != nil {
		x.near.Add(x.table, i)
	}
	x.scorer.Sync()
	return problems, nil
}

// copyRow copies row j of src into row i of dst.
func copyRow(dst *normalize.Table, i int, src *normalize.Table, j int) {
	dst.Given[i], dst.Middle[i], dst.Family[i] = src.Given[j], src.Middle[j], src.Family[j]
	dst.Suffix[i] = src.Suffix[j]
	dst.OtherGiven[i], dst.OtherFamily[i] = src.OtherGiven[j], src.OtherFamily[j]
	dst.BirthDate[i], dst.WrittenBirthDate[i], dst.Sex[i] = src.BirthDate[j], src.WrittenBirthDate[j], src.Sex[j]
	dst.SSID[i], dst.LocalID[i], dst.Grade[i], dst.ClassOf[i] = src.SSID[j], src.LocalID[j], src.Grade[j], src.ClassOf[j]
	dst.Address[i], dst.City[i], dst.Zip[i] = src.Address[j], src.City[j], src.Zip[j]
	dst.LEA[i], dst.School[i] = src.LEA[j], src.School[j]
	dst.Email[i], dst.Phone[i] = src.Email[j], src.Phone[j]
	for k := range dst.Extra {
		dst.Extra[k][i] = src.Extra[k][j]
	}
}
