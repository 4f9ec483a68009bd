package block

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/studentlink/studentlink/internal/parallel"
	"github.com/studentlink/studentlink/internal/sorted"
	"github.com/studentlink/studentlink/normalize"
)

// Mode says which pairs are candidates.
type Mode int

const (
	// Dedupe pairs any two records.
	Dedupe Mode = iota
	// Link pairs only records from different sources.
	Link
	// LinkAndDedupe pairs any two records, within and across sources.
	LinkAndDedupe
)

// Oversize says what to do with a block larger than Options.MaxBlock.
type Oversize int

const (
	// Skip drops the block, but for a chain through its identical records and, where
	// those leave no more distinct rows than MaxBlock, a block of one record of each
	// (chainIdentical): its other records are paired by other rules only.
	Skip Oversize = iota
	// Cap keeps the block's first MaxBlock records (by record index).
	Cap
)

// Options configure candidate generation.
type Options struct {
	Mode Mode
	// Sources gives each record's source, required for Link.
	Sources []int32
	// MaxBlock caps a block's records (0: no cap); larger blocks are skipped or capped as
	// Oversize says, and reported.
	MaxBlock int
	Oversize Oversize
	// Workers enumerate blocks in parallel (default GOMAXPROCS).
	Workers int
	// Progress, when set, is called with the blocks done and the total, from one
	// goroutine at a time.
	Progress func(done, total int64)
	// RuleProgress, when set, is called as NewIndex finishes each rule's blocks (or a
	// Nearest rule's neighbours), with the rules done and their number, from one
	// goroutine at a time: building the index of a large roll takes seconds before the
	// first pair.
	RuleProgress func(done, total int)
}

// Pair is a candidate pair of records by index, A < B.
type Pair struct{ A, B int32 }

// Block is a reported block.
type Block struct {
	Rule string
	// Key is the block's key in readable form ("19870303", "S530|J500").
	Key  string
	Size int
}

// RuleReport counts one rule's candidates.
type RuleReport struct {
	Rule string
	// Candidates are the pairs this rule admits that no earlier rule admits.
	Candidates int64
	Blocks     int
	// Oversize lists the blocks over the cap, skipped or capped.
	Oversize []Block
}

// Report describes a candidate generation.
type Report struct {
	Rules      []RuleReport
	Candidates int64
	// Largest are the largest blocks over all rules (at most 10), largest first.
	Largest []Block
}

// index holds every rule's keys per record and blocks.
type index struct {
	t     *normalize.Table
	rules []Rule
	opt   Options
	// refs lists the blocks record i is in, under every rule, in refs[off[i]:off[i+1]],
	// sorted: each the rule's index in the top bits and the block's index in its rule's
	// blocks below (blockRef), so by rule and then block. Two records share a key of a
	// rule when they share a ref, found in one merge of two short lists; the first they
	// share is of the earliest rule that pairs them.
	refs []uint64
	off  []int32
	// blocks[r] are the blocks of rule r with at least two records; members[r] their
	// records, block by block, ascending within each.
	blocks  [][]block
	members [][]int32
	// near[r], for a Nearest rule r, lists each record's partners of higher index
	// (upperPairs): the pairs the rule makes, whichever of the two found the other.
	near   []*neighbours
	report Report
}

// block is a key's records, members[start:end] of its rule's members (index.members):
// one array per rule rather than one per block keeps millions of blocks out of the
// collector's way. Records name the blocks they are in by index (blockRef), not by key.
type block struct {
	start, end int32
}

func buildIndex(ctx context.Context, t *normalize.Table, rules []Rule, opt Options) (*index, error) {
	if len(rules) == 0 {
		return nil, errors.New("block: no rules")
	}
	for _, r := range rules {
		if err := r.Validate(); err != nil {
			return nil, err
		}
	}
	n := t.Len()
	if opt.Mode != Dedupe && len(opt.Sources) != n {
		return nil, fmt.Errorf("block: link modes need a source per record: %d sources for %d records", len(opt.Sources), n)
	}
	if len(rules) > maxRules {
		return nil, fmt.Errorf("block: %d rules, at most %d", len(rules), maxRules)
	}
	x := &index{t: t, rules: rules, opt: opt, near: make([]*neighbours, len(rules))}
	// perRule[r] holds rule r's block refs per record until they are merged into x.refs.
	type ruleRefs struct {
		refs []uint64
		off  []int32
	}
	perRule := make([]ruleRefs, len(rules))
	// Key rules run side by side, each on one core; a Nearest rule runs on all cores.
	x.blocks = make([][]block, len(rules))
	x.members = make([][]int32, len(rules))
	x.report.Rules = make([]RuleReport, len(rules))
	largest := make([][]Block, len(rules))
	workers := max(1, opt.Workers)
	if opt.Workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var builtMu sync.Mutex
	built := 0
	ruleBuilt := func() {
		if opt.RuleProgress != nil {
			builtMu.Lock()
			defer builtMu.Unlock()
			built++
			opt.RuleProgress(built, len(rules))
		}
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for r, rule := range rules {
		if rule.Nearest != nil {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if ctx.Err() != nil {
				return
			}
			perRule[r].refs, perRule[r].off, x.blocks[r], x.members[r], x.report.Rules[r], largest[r] = keyBlocks(t, rule, r, opt)
			ruleBuilt()
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for r, rule := range rules {
		if rule.Nearest == nil {
			for _, b := range largest[r] {
				x.noteBlock(b)
			}
			continue
		}
		nb, err := findNeighbours(ctx, t, *rule.Nearest, opt)
		if err != nil {
			return nil, err
		}
		x.near[r] = upperPairs(nb, n, workers)
		perRule[r].off = make([]int32, n+1)
		x.report.Rules[r] = RuleReport{Rule: rule.Name}
		ruleBuilt()
	}
	// Every rule's block refs of a record, in one sorted list.
	total := 0
	for _, k := range perRule {
		total += len(k.refs)
	}
	x.refs = make([]uint64, total)
	x.off = make([]int32, n+1)
	for _, k := range perRule {
		if k.refs != nil {
			for i := range n {
				x.off[i+1] += k.off[i+1] - k.off[i]
			}
		}
	}
	for i := range n {
		x.off[i+1] += x.off[i]
	}
	// Rule by rule, each rule's ascending (keyBlocks): sorted as they are copied.
	parallel.Ranges(workers, n, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			at := x.off[i]
			for _, k := range perRule {
				if k.refs != nil {
					at += int32(copy(x.refs[at:], k.refs[k.off[i]:k.off[i+1]]))
				}
			}
		}
	})
	return x, nil
}

// keyEntry is a record under one of its keys.
type keyEntry struct {
	key uint64
	rec int32
}

// keyEntries returns every record's keys (record i's in keys[off[i]:off[i+1]]) as
// entries sorted by key and then record. Keys are hashes, so a counting sort on their
// top bits places the entries, in record order, in buckets of a few each, which a stable
// sort on the key alone finishes: one array, no second to sort into.
func keyEntries(keys []uint64, off []int32) []keyEntry {
	entries := make([]keyEntry, len(keys))
	shift := 64 - max(bits.Len(uint(len(keys)))-2, 0) // about four entries a bucket
	start := make([]int32, 1<<(64-shift)+1)
	for _, k := range keys {
		start[k>>shift+1]++
	}
	for b := 1; b < len(start); b++ {
		start[b] += start[b-1]
	}
	fill := slices.Clone(start)
	for i := range len(off) - 1 {
		for _, k := range keys[off[i]:off[i+1]] {
			entries[fill[k>>shift]] = keyEntry{k, int32(i)}
			fill[k>>shift]++
		}
	}
	for b := range len(start) - 1 {
		slices.SortStableFunc(entries[start[b]:start[b+1]], func(a, b keyEntry) int { return cmp.Compare(a.key, b.key) })
	}
	return entries
}

// maxRules bounds the rules of an index: their index tags each block ref in four bits.
const maxRules = 16

// ruleShift places a block ref's rule above its block, so that refs sort by rule.
const ruleShift = 60

// blockRef names block b of rule r.
func blockRef(b, r int) uint64 { return uint64(r)<<ruleShift | uint64(b) }

// keyRule returns the rule of a block ref.
func keyRule(ref uint64) int { return int(ref >> ruleShift) }

// refBlock returns the index of a block ref's block in its rule's blocks.
func refBlock(ref uint64) int { return int(ref & (1<<ruleShift - 1)) }

// keyBlocks makes rule r's blocks of two records or more and, for every record, the refs
// of the blocks it is in (refs[off[i]:off[i+1]] are record i's); a record cut from a
// block over the cap is not in it, but for the two-record blocks chaining identical
// records. It reports the rule and its ten largest blocks.
func keyBlocks(t *normalize.Table, rule Rule, r int, opt Options) (refs []uint64, off []int32, blocks []block, members []int32, rr RuleReport, largest []Block) {
	n := t.Len()
	off = make([]int32, n+1)
	keys := make([]uint64, 0, n)
	for i := range n {
		keys = rule.AppendKeys(keys, t, i)
		off[i+1] = int32(len(keys))
	}
	// Group records by key.
	entries := keyEntries(keys, off)
	keys = nil
	rr = RuleReport{Rule: rule.Name}
	// Count the blocks first: a list grown by doubling would leave hundreds of MB of
	// garbage at 10^6 records, just as the index peaks.
	shared, inShared := 0, 0
	for s := 1; s < len(entries); s++ {
		if entries[s].key == entries[s-1].key {
			inShared++
			if s == 1 || entries[s-2].key != entries[s].key {
				shared++
				inShared++
			}
		}
	}
	blocks = make([]block, 0, shared)
	members = make([]int32, 0, inShared)
	clear(off) // now each record's count of blocks, then where its refs start
	for s := 0; s < len(entries); {
		e := s
		for e < len(entries) && entries[e].key == entries[s].key {
			e++
		}
		size := e - s
		if size >= 2 {
			first := entries[s].rec
			largest = keepLargest(largest, Block{Rule: rule.Name, Size: size}, func() string {
				return rule.describe(t, int(first), entries[s].key)
			})
			keep := size
			if opt.MaxBlock > 0 && size > opt.MaxBlock {
				rr.Oversize = append(rr.Oversize, Block{Rule: rule.Name, Key: rule.describe(t, int(first), entries[s].key), Size: size})
				keep = 0
				if opt.Oversize == Cap {
					keep = opt.MaxBlock
				} else {
					recs := make([]int32, size)
					for k, en := range entries[s:e] {
						recs[k] = en.rec
					}
					chain, reps := chainIdentical(t, recs)
					for _, p := range chain {
						members = append(members, p[0], p[1])
						off[p[0]+1]++
						off[p[1]+1]++
						blocks = append(blocks, block{start: int32(len(members) - 2), end: int32(len(members))})
					}
					// Few distinct rows among the copies: a block of one of each, within
					// the cap, pairs them in full.
					if len(reps) >= 2 && len(reps) <= opt.MaxBlock {
						slices.Sort(reps) // a block's members go in record order
						start := int32(len(members))
						for _, r := range reps {
							members = append(members, r)
							off[r+1]++
						}
						blocks = append(blocks, block{start: start, end: int32(len(members))})
					}
				}
			}
			if keep >= 2 {
				start := int32(len(members))
				for _, en := range entries[s : s+keep] {
					members = append(members, en.rec)
					off[en.rec+1]++
				}
				blocks = append(blocks, block{start: start, end: int32(len(members))})
			}
		}
		s = e
	}
	entries = nil
	for i := range n {
		off[i+1] += off[i]
	}
	refs = make([]uint64, off[n])
	fill := slices.Clone(off[:n])
	for b, bl := range blocks {
		for _, m := range members[bl.start:bl.end] {
			refs[fill[m]] = blockRef(b, r)
			fill[m]++
		}
	}
	rr.Blocks = len(blocks)
	return refs, off, blocks, members, rr, largest
}

// keepLargest adds b to the ten largest blocks l, largest first, naming its key (key)
// only when it is kept.
func keepLargest(l []Block, b Block, key func() string) []Block {
	if len(l) == 10 && b.Size <= l[9].Size {
		return l
	}
	b.Key = key()
	l = append(l, b)
	slices.SortStableFunc(l, func(a, b Block) int { return b.Size - a.Size })
	if len(l) > 10 {
		l = l[:10]
	}
	return l
}

// noteBlock keeps the ten largest blocks of every rule.
func (x *index) noteBlock(b Block) {
	x.report.Largest = keepLargest(x.report.Largest, b, func() string { return b.Key })
}

// recordRefs returns the refs of the blocks record i is in, under every rule.
func (x *index) recordRefs(i int32) []uint64 { return x.refs[x.off[i]:x.off[i+1]] }

// eachShared calls fn with each block ref records a and b share, in order, until fn
// returns false.
func (x *index) eachShared(a, b int32, fn func(ref uint64) bool) {
	ka, kb := x.recordRefs(a), x.recordRefs(b)
	i, j := 0, 0
	for i < len(ka) && j < len(kb) {
		switch {
		case ka[i] == kb[j]:
			if !fn(ka[i]) {
				return
			}
			i++
			j++
		case ka[i] < kb[j]:
			i++
		default:
			j++
		}
	}
}

// shared reports whether records a and b share a block under a rule before r (below),
// and else the smallest ref of a block they share under rule r (ok false when none):
// refs go by rule and then block, so the first they share tells.
func (x *index) shared(a, b int32, r int) (below bool, first uint64, ok bool) {
	x.eachShared(a, b, func(ref uint64) bool {
		switch rule := keyRule(ref); {
		case rule < r:
			below = true
		case rule == r:
			first, ok = ref, true
		}
		return false
	})
	return below, first, ok
}

// nearBefore reports whether a Nearest rule before r pairs a and b.
func (x *index) nearBefore(r int, a, b int32) bool {
	for e := 0; e < r; e++ {
		if nb := x.near[e]; nb != nil && nb.paired(a, b) {
			return true
		}
	}
	return false
}

// pairedBy reports whether rule r pairs records a and b, leaving the mode aside.
func (x *index) pairedBy(r int, a, b int32) bool {
	if nb := x.near[r]; nb != nil {
		return nb.paired(a, b)
	}
	found := false
	x.eachShared(a, b, func(key uint64) bool {
		found = keyRule(key) == r
		return !found
	})
	return found
}

// admits reports whether the pair is a candidate in block ref of rule r, emitted there
// and nowhere else: the mode allows it, no earlier rule shares a block for it, and ref is
// the smallest the two share under rule r.
func (x *index) admits(r int, ref uint64, a, b int32) bool {
	if x.opt.Mode == Link && x.opt.Sources[a] == x.opt.Sources[b] {
		return false
	}
	below, first, _ := x.shared(a, b, r)
	return !below && first == ref && !x.nearBefore(r, a, b)
}

// stampEarlier marks in stamp (with a+1) the records of higher index that a rule before
// r pairs with record a: the members of a's blocks and a's partners under an earlier
// Nearest rule.
func (x *index) stampEarlier(stamp []int32, r int, a int32) {
	for _, ref := range x.recordRefs(a) {
		if keyRule(ref) >= r {
			break // refs go by rule
		}
		b := &x.blocks[keyRule(ref)][refBlock(ref)]
		for _, m := range x.members[keyRule(ref)][b.start:b.end] {
			if m > a {
				stamp[m] = a + 1
			}
		}
	}
	for e := 0; e < r; e++ {
		if nb := x.near[e]; nb != nil {
			for _, m := range nb.of(int(a)) {
				stamp[m] = a + 1
			}
		}
	}
}

const batchSize = 1024

// Index is a table's blocking index under a set of rules: it hands out the candidate
// pairs and tells whether a pair is one. It holds every record's keys, so drop it when
// done.
type Index struct{ x *index }

// NewIndex builds the blocking index of t under rules.
func NewIndex(ctx context.Context, t *normalize.Table, rules []Rule, opt Options) (*Index, error) {
	x, err := buildIndex(ctx, t, rules, opt)
	if err != nil {
		return nil, err
	}
	return &Index{x}, nil
}

// Pairs streams every candidate pair exactly once to fn, in batches, from opt.Workers
// goroutines at once (fn gets the worker's number, so it can keep per-worker state). The
// batch is reused after fn returns. An error from fn, or ctx's cancellation, stops the
// generation and is returned. The report counts the candidates of each rule.
func (ix *Index) Pairs(ctx context.Context, fn func(worker int, batch []Pair) error) (Report, error) {
	err := ix.x.run(ctx, func(w, r int, batch []Pair) error { return fn(w, batch) })
	return ix.x.report, err
}

// Candidate reports whether records a and b (a ≠ b) are a candidate pair: the mode allows
// them and some rule pairs them.
func (ix *Index) Candidate(a, b int32) bool {
	x := ix.x
	if a == b || (x.opt.Mode == Link && x.opt.Sources[a] == x.opt.Sources[b]) {
		return false
	}
	if sorted.Intersect(x.recordRefs(a), x.recordRefs(b)) {
		return true
	}
	return x.nearBefore(len(x.rules), a, b)
}

// Pairs is NewIndex followed by Index.Pairs.
func Pairs(ctx context.Context, t *normalize.Table, rules []Rule, opt Options, fn func(worker int, batch []Pair) error) (Report, error) {
	ix, err := NewIndex(ctx, t, rules, opt)
	if err != nil {
		return Report{}, err
	}
	return ix.Pairs(ctx, fn)
}

// Count returns the report of candidate generation (candidates per rule after the
// once-only rule, in total, the largest and oversize blocks) without handing out pairs.
func Count(ctx context.Context, t *normalize.Table, rules []Rule, opt Options) (Report, error) {
	return Pairs(ctx, t, rules, opt, func(int, []Pair) error { return nil })
}

// All returns the candidate pairs in a slice, for small inputs and tests.
func All(ctx context.Context, t *normalize.Table, rules []Rule, opt Options) ([]Pair, Report, error) {
	var mu sync.Mutex
	var out []Pair
	rep, err := Pairs(ctx, t, rules, opt, func(_ int, batch []Pair) error {
		mu.Lock()
		out = append(out, batch...)
		mu.Unlock()
		return nil
	})
	slices.SortFunc(out, func(a, b Pair) int {
		if a.A != b.A {
			return int(a.A - b.A)
		}
		return int(a.B - b.B)
	})
	return out, rep, err
}

// run hands out every candidate pair once, in parallel, and counts the candidates each
// rule adds. A key rule's pair goes out from the smallest block the two share under the
// first rule that pairs them (admits); a Nearest rule's from the lower record, unless an
// earlier rule pairs the two (stampEarlier).
func (x *index) run(ctx context.Context, fn func(worker, rule int, batch []Pair) error) error {
	workers := x.opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// A job is a block of a key rule, or a run of nearChunk records of a Nearest rule.
	type job struct{ rule, block int }
	const nearChunk = 256
	var jobs []job
	for r, bs := range x.blocks {
		if x.near[r] != nil {
			for lo := 0; lo < x.t.Len(); lo += nearChunk {
				jobs = append(jobs, job{r, lo})
			}
			continue
		}
		for b := range bs {
			jobs = append(jobs, job{r, b})
		}
	}
	total := int64(len(jobs))
	counts := make([][]int64, workers)
	var next, done atomic.Int64
	var stop atomic.Bool
	var firstErr error
	var errOnce sync.Once
	var progressMu sync.Mutex
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err })
		stop.Store(true)
	}
	var wg sync.WaitGroup
	for w := range workers {
		counts[w] = make([]int64, len(x.rules))
		wg.Add(1)
		go func() {
			defer wg.Done()
			batch := make([]Pair, 0, batchSize)
			batchRule := -1
			var stamp []int32 // for Nearest rules: stamp[b] == a+1 when an earlier rule pairs a and b
			flush := func() bool {
				if len(batch) == 0 {
					return true
				}
				if err := fn(w, batchRule, batch); err != nil {
					fail(err)
					return false
				}
				batch = batch[:0]
				return true
			}
			const chunk = 64
			for !stop.Load() {
				if ctx.Err() != nil {
					fail(ctx.Err())
					return
				}
				start := next.Add(chunk) - chunk
				if start >= total {
					break
				}
				end := min(start+chunk, total)
				for _, j := range jobs[start:end] {
					if batchRule != j.rule {
						if !flush() {
							return
						}
						batchRule = j.rule
					}
					if nb := x.near[j.rule]; nb != nil {
						if stamp == nil {
							stamp = make([]int32, x.t.Len())
						}
						for a := int32(j.block); a < int32(min(j.block+nearChunk, x.t.Len())); a++ {
							x.stampEarlier(stamp, j.rule, a)
							for _, b := range nb.of(int(a)) {
								if stamp[b] == a+1 || (x.opt.Mode == Link && x.opt.Sources[a] == x.opt.Sources[b]) {
									continue
								}
								counts[w][j.rule]++
								batch = append(batch, Pair{A: a, B: b})
								if len(batch) == batchSize && !flush() {
									return
								}
							}
						}
						continue
					}
					b := &x.blocks[j.rule][j.block]
					m := x.members[j.rule][b.start:b.end]
					ref := blockRef(j.block, j.rule)
					for p := 0; p < len(m); p++ {
						for q := p + 1; q < len(m); q++ {
							if !x.admits(j.rule, ref, m[p], m[q]) {
								continue
							}
							counts[w][j.rule]++
							batch = append(batch, Pair{A: m[p], B: m[q]})
							if len(batch) == batchSize && !flush() {
								return
							}
						}
					}
				}
				d := done.Add(end - start)
				if x.opt.Progress != nil {
					progressMu.Lock()
					x.opt.Progress(d, total)
					progressMu.Unlock()
				}
			}
			flush()
		}()
	}
	wg.Wait()
	for r := range x.rules {
		var c int64
		for w := range counts {
			c += counts[w][r]
		}
		x.report.Rules[r].Candidates = c
		x.report.Candidates += c
	}
	return firstErr
}

// Completeness is how well rules catch true pairs.
type Completeness struct {
	// TruePairs are the pairs of records sharing a true label (across sources only in
	// Link mode); Found those of them that are candidates.
	TruePairs, Found int64
	// PairCompleteness is Found / TruePairs.
	PairCompleteness float64
	// Candidates and AllPairs give the ReductionRatio, 1 − Candidates / AllPairs.
	Candidates, AllPairs int64
	ReductionRatio       float64
	// Rules says, rule by rule in order, how many candidates the rule adds and how many
	// true pairs it finds by itself, whether or not another rule finds them too.
	Rules []RuleCompleteness
}

// RuleCompleteness is one rule's share of the true pairs.
type RuleCompleteness struct {
	Rule string
	// Candidates are the pairs the rule admits that no earlier rule admits (RuleReport).
	Candidates int64
	// Found are the true pairs the rule pairs; Only those no other rule pairs.
	Found, Only      int64
	PairCompleteness float64
}

// Measure computes pair completeness and reduction ratio of the rules given each
// record's true label. It enumerates true pairs (small groups) but never the candidates.
func Measure[L comparable](ctx context.Context, t *normalize.Table, rules []Rule, opt Options, truth []L) (Completeness, Report, error) {
	if len(truth) != t.Len() {
		return Completeness{}, Report{}, fmt.Errorf("block: %d labels for %d records", len(truth), t.Len())
	}
	x, err := buildIndex(ctx, t, rules, opt)
	if err != nil {
		return Completeness{}, Report{}, err
	}
	if err := x.run(ctx, func(int, int, []Pair) error { return nil }); err != nil {
		return Completeness{}, Report{}, err
	}
	groups := map[L][]int32{}
	for i, l := range truth {
		groups[l] = append(groups[l], int32(i))
	}
	var c Completeness
	found, only := make([]int64, len(x.rules)), make([]int64, len(x.rules))
	for _, g := range groups {
		for p := 0; p < len(g); p++ {
			for q := p + 1; q < len(g); q++ {
				a, b := g[p], g[q]
				if opt.Mode == Link && opt.Sources[a] == opt.Sources[b] {
					continue
				}
				c.TruePairs++
				by, last := 0, 0
				for r := range x.rules {
					if x.pairedBy(r, a, b) {
						found[r]++
						by, last = by+1, r
					}
				}
				if by > 0 {
					c.Found++
				}
				if by == 1 {
					only[last]++
				}
			}
		}
	}
	n := int64(t.Len())
	c.AllPairs = n * (n - 1) / 2
	if opt.Mode == Link {
		bySource := map[int32]int64{}
		for _, s := range opt.Sources {
			bySource[s]++
		}
		for _, k := range bySource {
			c.AllPairs -= k * (k - 1) / 2
		}
	}
	c.Candidates = x.report.Candidates
	if c.TruePairs > 0 {
		c.PairCompleteness = float64(c.Found) / float64(c.TruePairs)
	}
	for r, rr := range x.report.Rules {
		rc := RuleCompleteness{Rule: rr.Rule, Candidates: rr.Candidates, Found: found[r], Only: only[r]}
		if c.TruePairs > 0 {
			rc.PairCompleteness = float64(found[r]) / float64(c.TruePairs)
		}
		c.Rules = append(c.Rules, rc)
	}
	if c.AllPairs > 0 {
		c.ReductionRatio = 1 - float64(c.Candidates)/float64(c.AllPairs)
	}
	return c, x.report, nil
}
