package match

import (
	"context"
	"fmt"
	"iter"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/studentlink/studentlink/block"
	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

// Progress reports how far a long stage has got. Total is 0 when unknown.
type Progress struct {
	Stage       string
	Done, Total int64
}

// Stages reported through RunOptions.Progress.
const (
	StagePrepare = "prepare"
	// StageBlock reports the blocking rules indexed (Done of Total) before the first
	// candidate pair.
	StageBlock   = "block"
	StageCompare = "compare"
	StageScore   = "score"
	StageCluster = "cluster"
)

// RunOptions are the per-run inputs besides the records.
type RunOptions struct {
	// Progress, when set, is called from time to time (from one goroutine at a time).
	Progress func(Progress)
	// Workers is the number of goroutines scoring pairs (default GOMAXPROCS).
	Workers int
	// EarlierIDs maps records (RecordRef.Key: source and ID, or the ID alone where the
	// earlier run named no sources) to the student IDs an earlier run gave them, so that
	// students keep their IDs (ReadStudentIDs reads them; RenameEarlierSource says a
	// source was renamed).
	EarlierIDs map[string]string
	// Decisions are a reviewer's verdicts on pairs, honoured over the model.
	Decisions []Decision
	// Retrain trains the model on this roll even when the linker already has one.
	Retrain bool
}

// Linker links records into students by its settings and trained model.
type Linker struct {
	settings Settings
	model    *score.Model
	cannot   []compiledCannotLink
	sessions []compiledCannotLink
	// trained and dropped report the last training (TrainingReport, Dropped); noData
	// says no record had a value for any compared role.
	trained *TrainingReport
	dropped []Dropped
	noData  bool
	// aside lists the cannot-link rules the last run's roll set aside (testRules); cannot
	// holds the others, replaced (never changed in place) by each run, so that an index
	// built earlier keeps the rules it was built with.
	aside []Dropped
}

// compiledCannotLink is a CannotLink rule (or a training session) as conditions on
// comparison indexes.
type compiledCannotLink struct {
	name  string
	conds []condition
	// middles, nearIDs, noAddress, anyNoAddress, addresses, noIDs, birthDates, noName,
	// inUse and notMistyped: the rule's DifferentMiddleNames, NearSSIDs,
	// OneAddressMissing, AddressMissing, BothAddresses, NoSSIDs, BothBirthDates,
	// NoNameInCommon, GivenNamesInUse and NotOneNameMistyped, judged on the records, not
	// the key.
	middles, nearIDs, noAddress, anyNoAddress, addresses, noIDs, birthDates, noName, inUse, notMistyped bool
	// twinSSIDs is the rule's MistypedTwinSSIDs; ssidComp and twoEdits the SSID
	// comparison and its two_edits level, which the key holds.
	twinSSIDs bool
	ssidComp  int
	twoEdits  uint8
	// notMisspelt, suffixes, crossed, notOneMiddle and classes are the rule's
	// NotOneNameMisspelt, DifferentSuffixes, NamesCrossed, NotOneMiddleName and
	// ClassesApart.
	notMisspelt, suffixes, crossed, notOneMiddle, classes bool
	// givenInUse is the roll's given names in use, for a rule with inUse or crossed;
	// familyInUse its family names in use, for a rule with crossed; familyMiddles its
	// family middle names, for a rule with inUse or notMistyped: set by each run
	// (useGivenNames); nil, no name is in use or a family's.
	givenInUse, familyInUse namesInUse
	familyMiddles           familyMiddleNames
	// sexByName is the rule's SexFromGivenName; sexComp its sex comparison (sexCondition)
	// and nameSexes the sexes the roll's given names say, set by each run
	// (useGivenNames).
	sexByName bool
	sexComp   int
	nameSexes givenNameSexes
	// sexGiven and sexNickname are the given name's comparison and its nickname level,
	// sexIDs the ID comparisons: pairs at the nickname level or an ID's exact level are
	// left to the recorded sexes (sexInferrable).
	sexGiven, sexNickname int
	sexIDs                []int
	// sexBirth and sexBirthApart are the birth date's comparison and its levels that
	// differ outright: under one ID, a sex read off a name stands only with them.
	sexBirth      int
	sexBirthApart uint32
	// with is the rule's With: the comparisons a roll it runs on must have values for.
	with []string
	// idsApart are the ID comparisons (kind id) whose condition holds only for two IDs
	// that differ (no null level, no exact): what the rule decides on (observes).
	idsApart []int
}

// condition is one compiled condition: a comparison and its level mask (bit l set: level
// l satisfies the condition).
type condition struct {
	comp int
	mask uint32
}

// needsValue reports whether the condition holds only where both records have a value
// for its comparison (its levels leave null out).
func (c condition) needsValue() bool { return c.mask&(1<<score.LevelNull) == 0 }

// New returns a linker with the given settings and no trained model.
func New(s Settings) (*Linker, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if s.Format == 0 {
		s.Format = SettingsFormat // settings built in code are this library's
	}
	l := &Linker{settings: s}
	for _, c := range s.CannotLink {
		l.cannot = append(l.cannot, compileCannotLink(s.Comparisons, c))
	}
	for _, a := range s.Training.Sessions {
		l.sessions = append(l.sessions, compileConditions(s.Comparisons, a.Name, a.Conditions))
	}
	return l, nil
}

// compileCannotLink compiles a cannot-link rule.
func compileCannotLink(comps []score.Comparison, c CannotLink) compiledCannotLink {
	cc := compileConditions(comps, c.Name, c.Conditions)
	cc.middles, cc.nearIDs, cc.noAddress, cc.anyNoAddress, cc.addresses, cc.noIDs = c.DifferentMiddleNames, c.NearSSIDs, c.OneAddressMissing, c.AddressMissing, c.BothAddresses, c.NoSSIDs
	cc.birthDates, cc.noName, cc.inUse, cc.notMistyped, cc.twinSSIDs = c.BothBirthDates, c.NoNameInCommon, c.GivenNamesInUse, c.NotOneNameMistyped, c.MistypedTwinSSIDs
	cc.with, cc.notMisspelt, cc.suffixes, cc.crossed, cc.notOneMiddle = c.With, c.NotOneNameMisspelt, c.DifferentSuffixes, c.NamesCrossed, c.NotOneMiddleName
	cc.classes = c.ClassesApart
	if cc.twinSSIDs {
		cc.ssidComp = slices.IndexFunc(comps, func(k score.Comparison) bool { return k.Role == normalize.RoleSSID })
		if cc.ssidComp < 0 {
			cc.twinSSIDs = false // no SSIDs compared: no SSIDs two typos apart
		} else {
			cc.twoEdits = uint8(slices.Index(comps[cc.ssidComp].LevelNames(), "two_edits"))
		}
	}
	if cc.sexByName = c.SexFromGivenName; cc.sexByName {
		cc.sexComp = sexCondition(comps, cc.conds)
		cc.sexGiven, cc.sexNickname, cc.sexIDs, cc.sexBirth, cc.sexBirthApart = sexInferrableComparisons(comps)
	}
	for _, cond := range cc.conds {
		if comps[cond.comp].Kind == score.KindID && cond.needsValue() && cond.mask&(1<<score.LevelExact) == 0 {
			cc.idsApart = append(cc.idsApart, cond.comp)
		}
	}
	return cc
}

// compileConditions turns conditions on level names into level masks by comparison
// index. The settings were validated: every comparison named exists.
func compileConditions(comps []score.Comparison, name string, conds []Condition) compiledCannotLink {
	cc := compiledCannotLink{name: name}
	for _, cond := range conds {
		k := slices.IndexFunc(comps, func(x score.Comparison) bool { return x.Name == cond.Comparison })
		var mask uint32
		for li, level := range comps[k].LevelNames() {
			if slices.Contains(cond.Levels, level) {
				mask |= 1 << li
			}
		}
		cc.conds = append(cc.conds, condition{k, mask})
	}
	return cc
}

// holdsKey reports whether a comparison vector key meets every condition.
func (c compiledCannotLink) holdsKey(key uint64) bool {
	for _, cond := range c.conds {
		if cond.mask&(1<<score.LevelOf(key, cond.comp)) == 0 {
			return false
		}
	}
	return true
}

// Settings returns the linker's settings.
func (l *Linker) Settings() Settings { return l.settings }

// Model returns the trained model, or nil before training.
func (l *Linker) Model() *score.Model { return l.model }

// Prepared is a roll prepared for linking. Its Table holds the extra columns the
// linker's settings read (compare or block on), not the roll's others.
type Prepared struct {
	Roll     *Roll
	Table    *normalize.Table
	Problems []Problem
	// Thin marks records with too little to go on: no name and no birth date.
	Thin []bool
	// Shared are the e-mail addresses, phone numbers, SSIDs, addresses and birth dates
	// cleared as no one household's or child's (normalize.ClearSharedContacts,
	// ClearSharedSSIDs, ClearSharedAddresses, ClearSharedBirthDates).
	Shared []normalize.SharedContact
	// Rank orders records by ID, for results that do not depend on input order.
	Rank []int32
	// extraPick says where each of Table's extra columns is among the roll's (nil: the
	// same), since Prepare keeps only those the settings read (extrasRead).
	extraPick []int
	// scorer is the first scorer made of Table, whose compact copy of the table later
	// scorers share (scorerFor); runs may share a Prepared, hence the lock.
	scorerMu sync.Mutex
	scorer   *score.Scorer
}

// checkPrepared refuses a roll prepared by a linker whose settings did not read an extra
// column these read: its table lacks the column, which would read as missing throughout.
func (l *Linker) checkPrepared(p *Prepared) error {
	read := l.settings.ReadRoles()
	for _, name := range p.Roll.ExtraNames() {
		if slices.Contains(read, normalize.ExtraRole(name)) && !slices.Contains(p.Table.ExtraNames, name) {
			return fmt.Errorf("match: the roll was prepared by settings that do not read its column %q, which these do: prepare it with this linker", name)
		}
	}
	return nil
}

// scorerFor returns a scorer of the prepared table against itself with model m,
// sharing the table's compact copy with the scorers made before.
func (p *Prepared) scorerFor(m score.Model) (*score.Scorer, error) {
	p.scorerMu.Lock()
	defer p.scorerMu.Unlock()
	if p.scorer == nil {
		sc, err := m.Scorer(p.Table, p.Table)
		if err != nil {
			return nil, err
		}
		p.scorer = sc
		return sc, nil
	}
	return p.scorer.WithModel(m)
}

// Prepare normalizes every record of the roll in parallel. A value that cannot be used
// is reported as a Problem and treated as missing; the record is kept. So is an e-mail
// address or phone number that records of many families carry
// (normalize.ClearSharedContacts): a school's or a placeholder, no household's; and an
// SSID whose records hold more names than one child's would (normalize.ClearSharedSSIDs):
// a default an LEA writes for students without one; an address whose records hold more
// families than one home's (normalize.ClearSharedAddresses): a shelter's or a school's;
// and a birth date that many children's records of a source carry, crowded far above
// its other dates (normalize.ClearSharedBirthDates): an export's default. A record
// whose given name the roll writes as a family name, and family name as a given name,
// each on at least twice as many records, is read with the two swapped and reported
// (normalize.ErrNamesReversed; ReversedNameFactor).
func (l *Linker) Prepare(ctx context.Context, roll *Roll, opt RunOptions) (*Prepared, error) {
	n := roll.Len()
	extras, pick := l.settings.extrasRead(roll.ExtraNames())
	t := normalize.NewTable(n, len(extras))
	t.ExtraNames = extras
	prep := normalize.NewPreparer(normalize.Options{Dates: l.settings.Dates})
	workers := workerCount(opt.Workers)
	problems := make([][]Problem, workers)
	var done atomic.Int64
	var wg sync.WaitGroup
	const chunk = 4096
	var next atomic.Int64
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				start := int(next.Add(chunk)) - chunk
				if start >= n {
					return
				}
				for i := start; i < min(start+chunk, n); i++ {
					rec := roll.Record(i)
					rec.Extra = pickExtras(rec.Extra, pick)
					for _, fe := range prep.Fill(t, i, rec) {
						problems[w] = append(problems[w], Problem{
							Source: roll.Sources[roll.Source[i]], Line: int(roll.Lines[i]),
							RecordID: roll.IDs[i], Field: fe.Field, Value: fe.Value, Err: fe.Err,
						})
					}
				}
				d := done.Add(int64(min(chunk, n-start)))
				if w == 0 {
					report(opt.Progress, StagePrepare, d, int64(n))
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	report(opt.Progress, StagePrepare, int64(n), int64(n))
	p := &Prepared{Roll: roll, Table: t, Thin: make([]bool, n), extraPick: pick}
	for _, ps := range problems {
		p.Problems = append(p.Problems, ps...)
	}
	p.Shared = append(normalize.ClearSharedContacts(t, normalize.MaxContactFamilyWords), normalize.ClearSharedSSIDs(t, normalize.MaxSSIDNameWords)...)
	p.Shared = append(p.Shared, normalize.ClearSharedAddresses(t, normalize.MaxContactFamilyWords)...)
	p.Shared = append(p.Shared, normalize.ClearSharedBirthDates(t, roll.Source, normalize.MaxSSIDNameWords)...)
	for _, i := range reverseNames(t) {
		p.Problems = append(p.Problems, Problem{
			Source: roll.Sources[roll.Source[i]], Line: int(roll.Lines[i]),
			RecordID: roll.IDs[i], Field: string(normalize.RoleGiven), Value: roll.Record(i).Given, Err: reversedError(t, i),
		})
	}
	for _, sc := range p.Shared {
		var why string
		switch sc.Role {
		case normalize.RoleBirthDate:
			why = fmt.Sprintf("%d records of %s carry it, more than %d times as many as its other birth dates on average, their given and family names %d words", len(sc.Records), roll.Sources[roll.Source[sc.Records[0]]], normalize.CrowdedDateFactor, sc.Words)
		case normalize.RoleSSID:
			why = fmt.Sprintf("%d records carry it, their given and family names %d words", len(sc.Records), sc.Words)
		default:
			why = fmt.Sprintf("%d records carry it, their family names %d words", len(sc.Records), sc.Words)
		}
		err := sharedError(sc.Role, why)
		for _, i := range sc.Records {
			p.Problems = append(p.Problems, Problem{
				Source: roll.Sources[roll.Source[i]], Line: int(roll.Lines[i]),
				RecordID: roll.IDs[i], Field: string(sc.Role), Value: sc.Value, Err: err,
			})
		}
	}
	slices.SortStableFunc(p.Problems, func(a, b Problem) int {
		if a.Source != b.Source {
			if a.Source < b.Source {
				return -1
			}
			return 1
		}
		return a.Line - b.Line
	})
	for i := range n {
		noName := t.Given[i].Empty() && t.Family[i].Empty()
		p.Thin[i] = noName && t.BirthDate[i].IsZero()
	}
	p.Rank = rankByID(roll)
	return p, nil
}

// sharedError is the error of a value of role cleared as no one household's (a contact,
// an address) or child's (an SSID, a birth date), with what showed it.
func sharedError(role normalize.Role, why string) error {
	switch role {
	case normalize.RoleSSID:
		return fmt.Errorf("%w: %s", normalize.ErrSharedSSID, why)
	case normalize.RoleBirthDate:
		return fmt.Errorf("%w: %s", normalize.ErrSharedBirthDate, why)
	case normalize.RoleAddress:
		return fmt.Errorf("%w: %s", normalize.ErrSharedAddress, why)
	}
	return fmt.Errorf("%w: %s", normalize.ErrSharedContact, why)
}

// rankByID ranks the records of a roll by ID, then source.
func rankByID(roll *Roll) []int32 {
	ids := roll.IDs
	source := func(i int32) string { return roll.Sources[roll.Source[i]] }
	order := make([]int32, len(ids))
	for i := range order {
		order[i] = int32(i)
	}
	// By ID, and by source where LEAs share an ID, so that the order does not depend on
	// the order the records came in.
	slices.SortFunc(order, func(a, b int32) int {
		if c := strings.Compare(ids[a], ids[b]); c != 0 {
			return c
		}
		return strings.Compare(source(a), source(b))
	})
	rank := make([]int32, len(ids))
	for r, i := range order {
		rank[i] = int32(r)
	}
	return rank
}

// byRank lists records in rank order: the inverse of rank.
func byRank(rank []int32) []int32 {
	out := make([]int32, len(rank))
	for i, r := range rank {
		out[r] = int32(i)
	}
	return out
}

func workerCount(w int) int {
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	return w
}

func report(fn func(Progress), stage string, done, total int64) {
	if fn != nil {
		progressMu.Lock() // workers of the compare and score stages report at once
		defer progressMu.Unlock()
		fn(Progress{Stage: stage, Done: done, Total: total})
	}
}

// progressMu keeps RunOptions.Progress to one goroutine at a time, as its doc promises.
var progressMu sync.Mutex

// blockOptions returns the candidate-generation options for a prepared roll.
func (l *Linker) blockOptions(p *Prepared, opt RunOptions) block.Options {
	o := block.Options{
		Workers:  workerCount(opt.Workers),
		MaxBlock: l.settings.MaxBlock,
		Oversize: block.Skip,
	}
	switch l.settings.Mode {
	case ModeDedupe:
		o.Mode = block.Dedupe
	case ModeLink:
		o.Mode = block.Link
		o.Sources = p.Roll.Source
	case ModeLinkAndDedupe:
		o.Mode = block.LinkAndDedupe
		o.Sources = p.Roll.Source
	}
	return o
}

// sameSourceApart reports whether two records of one source must stay apart (Link mode).
func (l *Linker) sameSourceApart(p *Prepared, a, b int32) bool {
	return l.settings.Mode == ModeLink && p.Roll.Source[a] == p.Roll.Source[b]
}

// cannotLink returns the first cannot-link rule that record a of ta and record b of tb,
// whose comparison vector is key, satisfy, or "".
func (l *Linker) cannotLink(key uint64, ta *normalize.Table, a int, tb *normalize.Table, b int) string {
	return cannotLinkBy(l.cannot, key, ta, a, tb, b)
}

// cannotLinkBy is cannotLink under the given rules.
func cannotLinkBy(rules []compiledCannotLink, key uint64, ta *normalize.Table, a int, tb *normalize.Table, b int) string {
	for _, c := range rules {
		if (c.holdsKey(key) || c.sexByName && c.holdsBySexOfName(key, ta, a, tb, b)) && (!c.middles || differentMiddleNames(ta, a, tb, b)) &&
			(!c.notOneMiddle || !oneMiddleName(ta, a, tb, b)) && (!c.nearIDs || nearSSIDs(ta, a, tb, b, false)) &&
			(!c.twinSSIDs || score.LevelOf(key, c.ssidComp) != c.twoEdits || nearSSIDs(ta, a, tb, b, true)) &&
			(!c.suffixes || differentSuffixes(ta.Suffix[a], tb.Suffix[b])) &&
			(!c.classes || classesApart(ta.ClassOf[a], tb.ClassOf[b])) &&
			(!c.noAddress || ta.Address[a].Empty() != tb.Address[b].Empty()) &&
			(!c.anyNoAddress || ta.Address[a].Empty() || tb.Address[b].Empty()) &&
			(!c.addresses || !ta.Address[a].Empty() && !tb.Address[b].Empty()) &&
			(!c.noIDs || ta.SSID[a] == "" && tb.SSID[b] == "") &&
			(!c.birthDates || !ta.BirthDate[a].IsZero() && !tb.BirthDate[b].IsZero()) &&
			(!c.noName || !nameInCommon(ta, a, tb, b)) &&
			(!c.crossed || c.namesCrossed(ta, a, tb, b)) &&
			(!c.notMistyped || !oneNameMistyped(ta, a, tb, b, c.familyMiddles)) &&
			(!c.notMisspelt || !oneNameMisspelt(ta, a, tb, b)) &&
			(!c.inUse || c.givenInUse.twoChildren(ta, a, tb, b, c.familyMiddles)) {
			return c.name
		}
	}
	return ""
}

// observes reports whether a pair (its raw key, record a of ta and b of tb) has the
// fields the rule named reads outside the comparisons (middle names written out, SSIDs,
// addresses, birth dates in full), and both IDs where the rule finds two records' IDs
// different. A pair without them cannot vouch that two records the rule keeps apart are
// one child: its weight never saw what the rule decides on (a record with no middle name
// beside namesakes told apart by theirs; one without an SSID beside namesakes of two
// towns with two). A name that is no rule's (a weight under the different threshold) is
// observed by every pair.
func (l *Linker) observes(rule string, key uint64, ta *normalize.Table, a int, tb *normalize.Table, b int) bool {
	k := slices.IndexFunc(l.cannot, func(c compiledCannotLink) bool { return c.name == rule })
	if k < 0 {
		return true
	}
	c := l.cannot[k]
	for _, comp := range c.idsApart {
		if score.LevelOf(key, comp) == score.LevelNull {
			return false
		}
	}
	switch {
	case c.middles && (len(ta.Middle[a].Key) < 2 || len(tb.Middle[b].Key) < 2),
		c.suffixes && (generation(ta.Suffix[a]) == "" || generation(tb.Suffix[b]) == ""),
		c.classes && (ta.ClassOf[a] == "" || tb.ClassOf[b] == ""),
		c.nearIDs && (ta.SSID[a] == "" || tb.SSID[b] == ""),
		c.addresses && (ta.Address[a].Empty() || tb.Address[b].Empty()),
		c.birthDates && (ta.BirthDate[a].IsZero() || tb.BirthDate[b].IsZero()):
		return false
	}
	return true
}

// differentSuffixes reports whether two records' suffixes (normalize.Table.Suffix) name
// different generations (see CannotLink.DifferentSuffixes).
func differentSuffixes(x, y string) bool {
	if x == "" || y == "" { // most records: no suffix
		return false
	}
	gx, gy := generation(x), generation(y)
	return gx != "" && gy != "" && gx != gy
}

// generation returns the generation a suffix code names ("ii" is "jr"'s), or "" for a
// suffix that names none.
func generation(code string) string {
	switch code {
	case "jr", "ii":
		return "jr"
	case "sr", "iii", "iv", "v":
		return code
	}
	return ""
}

// oneMiddleName reports whether record a of ta and record b of tb both write out one
// middle name, the same and not an initial (see CannotLink.NotOneMiddleName).
func oneMiddleName(ta *normalize.Table, a int, tb *normalize.Table, b int) bool {
	x, y := ta.Middle[a], tb.Middle[b]
	return x.Key != "" && !isInitial(x) && x.Key == y.Key
}

// differentMiddleNames reports whether record a of ta and record b of tb have middle
// names that differ outright (see CannotLink.DifferentMiddleNames): both written out, or
// one written out and the other an initial that starts no word of its record's names.
func differentMiddleNames(ta *normalize.Table, a int, tb *normalize.Table, b int) bool {
	x, y := ta.Middle[a], tb.Middle[b]
	switch {
	case x.Key == "" || y.Key == "" || x.Key == y.Key:
		return false
	case isInitial(x) && isInitial(y): // two letters say little: a typo in either
		return false
	case isInitial(x):
		// Leilani M and Leilani Ana: M stands for no name of hers. An initial may stand
		// for a second given or family name the other record writes elsewhere.
		return initialOfNone(x, tb, b)
	case isInitial(y):
		return initialOfNone(y, ta, a)
	case x.Key == tb.Given[b].Key || y.Key == ta.Given[a].Key: // a middle name used as given
		return false
	case normalize.SameNicknameGroup(x.Nicknames, tb.Given[b].Nicknames) || normalize.SameNicknameGroup(y.Nicknames, ta.Given[a].Nicknames):
		return false // the same, by a nickname of it: Elizabeth Anne and Annie Liz
	case normalize.SameNicknameGroup(x.Nicknames, y.Nicknames):
		return false
	case wordsWithin(x, y) || wordsWithin(y, x):
		return false // a middle name left out: "Liam Jiménez" and "Jiménez"
	case x.SharesWord(tb.Family[b]) || y.SharesWord(ta.Family[a]):
		// A second family name written as the middle name: Mateo Rivera García and
		// Mateo Leah García Rivera.
		return false
	}
	return score.JaroWinklerText(x.Text, y.Text) < middleTypo
}

// isInitial reports whether a name part is one letter.
func isInitial(p *normalize.NamePart) bool {
	_, size := utf8.DecodeRuneInString(p.Key)
	return size > 0 && size == len(p.Key)
}

// initialOfNone reports whether initial p starts no word of record j's given, middle or
// family name.
func initialOfNone(p *normalize.NamePart, t *normalize.Table, j int) bool {
	for _, q := range [3]*normalize.NamePart{t.Given[j], t.Middle[j], t.Family[j]} {
		for _, w := range q.Tokens {
			if strings.HasPrefix(w, p.Key) {
				return false
			}
		}
	}
	return true
}

// nameInCommon reports whether a name of record a of ta (given, middle or family) and one
// of record b of tb, wherever each is written, are one name: the same, a word of each the
// same, nicknames of one name, or a typo apart (see CannotLink.NoNameInCommon).
func nameInCommon(ta *normalize.Table, a int, tb *normalize.Table, b int) bool {
	xs := [3]*normalize.NamePart{ta.Given[a], ta.Middle[a], ta.Family[a]}
	ys := [3]*normalize.NamePart{tb.Given[b], tb.Middle[b], tb.Family[b]}
	for _, x := range xs {
		if x == nil || len(x.Key) < 2 { // missing, or an initial: nothing to hold in common
			continue
		}
		for _, y := range ys {
			if y == nil || len(y.Key) < 2 {
				continue
			}
			if oneName(x, y) {
				return true
			}
		}
	}
	return false
}

// oneName reports whether two names, both written out, are one name: the same, a word
// of each the same, nicknames of one name, or a typo apart.
func oneName(x, y *normalize.NamePart) bool {
	return x.Key == y.Key || x.SharesWord(y) || normalize.SameNicknameGroup(x.Nicknames, y.Nicknames) ||
		score.JaroWinklerText(x.Text, y.Text) >= middleTypo
}

// namesCrossed reports whether one record's given name is the other's family name, a
// name the roll writes as a family name beside more given names than as a given name
// beside family names, while the names left are two given names in use, neither the
// other record's middle name (see CannotLink.NamesCrossed).
func (c compiledCannotLink) namesCrossed(ta *normalize.Table, a int, tb *normalize.Table, b int) bool {
	x := [3]*normalize.NamePart{ta.Given[a], ta.Middle[a], ta.Family[a]}
	y := [3]*normalize.NamePart{tb.Given[b], tb.Middle[b], tb.Family[b]}
	return c.crossedOnce(y, x) || c.crossedOnce(x, y)
}

// crossedOnce reports whether the given name of r (given, middle and family names) is
// the family name of s, a family's name, and the names left, s's given name and r's
// family name (r's given name, written family name first), are two given names in use,
// neither the other's middle name (Huỳnh Minh beside Long Minh Huỳnh: one child).
func (c compiledCannotLink) crossedOnce(r, s [3]*normalize.NamePart) bool {
	g, f := r[0], s[2]
	if len(g.Key) < 2 || g.Key != f.Key || c.familyInUse[f.Key] <= c.givenInUse[g.Key] {
		return false
	}
	h, e := s[0], r[2]
	return !oneName(h, e) && c.givenInUse.twoNames(h, e) && !middleOf(e, s) && !middleOf(h, r)
}

// middleOf reports whether name p is the middle name of record r (given, middle and
// family names), written out.
func middleOf(p *normalize.NamePart, r [3]*normalize.NamePart) bool {
	return len(r[1].Key) >= 2 && oneName(p, r[1])
}

// wordsWithin reports whether every word of p is a word of q: "María" within "María
// José", not "María Fernanda" within it.
func wordsWithin(p, q *normalize.NamePart) bool {
	return len(p.Tokens) > 0 && !slices.ContainsFunc(p.Tokens, func(w string) bool { return !slices.Contains(q.Tokens, w) })
}

// nearSSIDs reports whether record a of ta and record b of tb have SSIDs written as
// numbers of one length, after the same letters if any, issued together: at most
// MaxSSIDGap apart, or consecutive once their last digits (check digits) are dropped
// (see CannotLink.NearSSIDs); or, mistyped, two typos apart (score's two_edits), one of
// which undone leaves them issued together: a twin's SSID mistyped
// (CannotLink.MistypedTwinSSIDs).
func nearSSIDs(ta *normalize.Table, a int, tb *normalize.Table, b int, mistyped bool) bool {
	x, y := ta.SSID[a], tb.SSID[b]
	// Letters before the number (Ohio's AE1234567) must be the same: numbers near under
	// other letters are not issued together.
	i := strings.IndexAny(x, "0123456789")
	if i < 0 || i >= len(y) || x[:i] != y[:i] {
		return false
	}
	x, y = x[i:], y[i:]
	if len(x) != len(y) || len(x) == 0 || len(x) > 19 || !digits(x) || !digits(y) {
		return false
	}
	if issuedTogether(x, y) {
		return true
	}
	if !mistyped || score.Typos(x, y, 2) != 2 {
		return false
	}
	// Undo one typo of two: take y's digit where they differ, or y's two where two
	// digits are swapped.
	u := []byte(x)
	for k := range len(u) {
		if x[k] == y[k] {
			continue
		}
		w := 1
		if k+1 < len(x) && x[k] == y[k+1] && x[k+1] == y[k] {
			w = 2
		}
		copy(u[k:k+w], y[k:k+w])
		near := issuedTogether(string(u), y)
		copy(u[k:k+w], x[k:k+w])
		if near {
			return true
		}
	}
	return false
}

// digits reports whether s is all ASCII digits.
func digits(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' })
}

// issuedTogether reports whether x and y, numbers of one length, are at most MaxSSIDGap
// apart or consecutive once their last digits are dropped.
func issuedTogether(x, y string) bool {
	m, errX := strconv.ParseUint(x, 10, 64)
	n, errY := strconv.ParseUint(y, 10, 64)
	if errX != nil || errY != nil || m == n {
		return false
	}
	return max(m, n)-min(m, n) <= MaxSSIDGap || max(m, n)/10-min(m, n)/10 == 1
}

// middleTypo is the Jaro–Winkler similarity from which two middle names count as one
// name mistyped.
const middleTypo = 0.85

// keyedPair is a candidate pair with its comparison vector, as the index of the vector in
// its worker's list of distinct ones (candidates.patterns): a few thousand vectors serve
// tens of millions of pairs, and 12 bytes a pair instead of 16 is 90 MB at 10^6 records.
type keyedPair struct {
	a, b    int32
	pattern uint32
}

// pairChunks stores pairs in chunks of a fixed size: a slice grown by doubling would hold
// up to twice the pairs' memory, and copy them on the way, for tens of millions of pairs.
type pairChunks struct{ chunks [][]keyedPair }

const pairChunk = 1 << 16

func (p *pairChunks) add(k keyedPair) {
	n := len(p.chunks)
	if n == 0 || len(p.chunks[n-1]) == pairChunk {
		p.chunks = append(p.chunks, make([]keyedPair, 0, pairChunk))
		n++
	}
	p.chunks[n-1] = append(p.chunks[n-1], k)
}

// len returns the number of pairs.
func (p *pairChunks) len() int {
	n := 0
	for _, c := range p.chunks {
		n += len(c)
	}
	return n
}

// all ranges over the pairs with their running index.
func (p *pairChunks) all() iter.Seq2[int, keyedPair] {
	return func(yield func(int, keyedPair) bool) {
		k := 0
		for _, c := range p.chunks {
			for _, pr := range c {
				if !yield(k, pr) {
					return
				}
				k++
			}
		}
	}
}

// candidates are the blocked pairs of a roll with their comparison vectors, kept per
// worker, and the vectors' counts. Levels do not depend on m and u, so one pass serves
// training and scoring.
type candidates struct {
	pairs []pairChunks // per worker
	// patterns[w] lists worker w's distinct comparison vectors, which its pairs index.
	patterns [][]uint64
	counts   score.PatternCounts
	n        int64
	// allPairs is the number of pairs blocking chose from.
	allPairs float64
	// index tells training which random pairs are candidates; drop it after training.
	index  *block.Index
	report block.Report
}

// prefetchAhead is how many pairs ahead compare asks for a pair's rows (Scorer.Prefetch).
const prefetchAhead = 16

// compare generates the candidate pairs and computes their comparison vectors in
// parallel.
func (l *Linker) compare(ctx context.Context, p *Prepared, m *score.Model, opt RunOptions) (*candidates, error) {
	sc, err := p.scorerFor(*m)
	if err != nil {
		return nil, err
	}
	workers := workerCount(opt.Workers)
	c := &candidates{pairs: make([]pairChunks, workers), patterns: make([][]uint64, workers), counts: score.PatternCounts{}}
	ids := make([]map[uint64]uint32, workers) // a vector's index in patterns[w]
	counts := make([][]int64, workers)        // pairs per vector, by index
	for w := range ids {
		ids[w] = map[uint64]uint32{}
	}
	var done atomic.Int64
	bo := l.blockOptions(p, opt)
	report(opt.Progress, StageBlock, 0, int64(len(l.settings.Blocking)))
	bo.RuleProgress = func(done, total int) { report(opt.Progress, StageBlock, int64(done), int64(total)) }
	if c.index, err = block.NewIndex(ctx, p.Table, l.settings.Blocking, bo); err != nil {
		return nil, fmt.Errorf("match: blocking: %w", err)
	}
	c.report, err = c.index.Pairs(ctx, func(w int, batch []block.Pair) error {
		for k, pr := range batch {
			if k+prefetchAhead < len(batch) {
				q := batch[k+prefetchAhead]
				sc.Prefetch(int(q.A), int(q.B))
			}
			key := sc.Key(int(pr.A), int(pr.B))
			id, ok := ids[w][key]
			if !ok {
				id = uint32(len(c.patterns[w]))
				ids[w][key] = id
				c.patterns[w] = append(c.patterns[w], key)
				counts[w] = append(counts[w], 0)
			}
			counts[w][id]++
			c.pairs[w].add(keyedPair{pr.A, pr.B, id})
		}
		report(opt.Progress, StageCompare, done.Add(int64(len(batch))), 0)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("match: comparing candidate pairs: %w", err)
	}
	for w, ns := range counts {
		for id, n := range ns {
			c.counts[c.patterns[w][id]] += n
		}
	}
	c.n = done.Load()
	c.allPairs = l.allPairs(p)
	return c, nil
}

// best is a record's strongest candidate so far.
type best struct {
	other  int32
	weight float64
}

// scored is what the scoring pass keeps.
type scored struct {
	links []Link // pairs at or above the lower threshold
	best  []best // per record
	pairs int64
}

// scoreCandidates weighs every candidate pair in parallel from its stored comparison
// vector, keeping the pairs at or above the lower threshold and each record's best
// candidate.
func (l *Linker) scoreCandidates(ctx context.Context, p *Prepared, sc *score.Scorer, c *candidates, opt RunOptions) (*scored, error) {
	n := p.Table.Len()
	lower := l.settings.Thresholds.Lower
	type local struct {
		links []Link
		best  []best
	}
	locals := make([]local, len(c.pairs))
	var wg sync.WaitGroup
	var done atomic.Int64
	for w := range c.pairs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lc := &locals[w]
			lc.best = make([]best, n)
			for i := range lc.best {
				lc.best[i] = best{other: -1, weight: math.Inf(-1)}
			}
			// The pairs past the last report, once weighed (or the run cancelled).
			defer func() { report(opt.Progress, StageScore, done.Add(int64(c.pairs[w].len()%65536)), c.n) }()
			for k, pr := range c.pairs[w].all() {
				if k%65536 == 0 {
					if ctx.Err() != nil {
						return
					}
					if k > 0 {
						report(opt.Progress, StageScore, done.Add(65536), c.n)
					}
				}
				wt := sc.KeyWeight(c.patterns[w][pr.pattern], int(pr.a))
				if wt > lc.best[pr.a].weight {
					lc.best[pr.a] = best{pr.b, wt}
				}
				if wt > lc.best[pr.b].weight {
					lc.best[pr.b] = best{pr.a, wt}
				}
				if wt >= lower {
					lc.links = append(lc.links, Link{A: pr.a, B: pr.b, Weight: wt})
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := &scored{best: locals[0].best, pairs: c.n}
	for w := range locals {
		s.links = append(s.links, locals[w].links...)
		if w == 0 {
			continue
		}
		for i, bb := range locals[w].best {
			cur := s.best[i]
			if bb.weight > cur.weight || (bb.weight == cur.weight && bb.other >= 0 && (cur.other < 0 || p.Rank[bb.other] < p.Rank[cur.other])) {
				s.best[i] = bb
			}
		}
	}
	return s, nil
}

// allPairs returns the number of pairs the mode compares, before blocking.
func (l *Linker) allPairs(p *Prepared) float64 {
	n := float64(p.Table.Len())
	all := max(0, n*(n-1)/2)
	if l.settings.Mode != ModeLink {
		return all
	}
	sizes := map[int32]float64{}
	for _, s := range p.Roll.Source {
		sizes[s]++
	}
	for _, k := range sizes {
		all -= k * (k - 1) / 2
	}
	return all
}
