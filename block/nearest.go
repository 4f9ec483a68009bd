package block

import (
	"cmp"
	"context"
	"math"
	"runtime"
	"slices"
	"sync/atomic"

	"github.com/studentlink/studentlink/internal/fnv1a"
	"github.com/studentlink/studentlink/internal/parallel"
	"github.com/studentlink/studentlink/normalize"
)

// Nearest configures a schema-agnostic rule: each record is paired with the K records
// most like it, scored by the rarity-weighted grams (letter triples of names, places and
// addresses; whole names, parts of dates, IDs and zips) the two share, and with up to 2K
// more that score within a fifth of its best (a person with twenty records). It catches
// pairs whose every key is damaged (a typo in each name, a changed digit in the date),
// which no rule of exact keys can, at a bounded cost of K to 3K candidates a record.
type Nearest struct {
	// K is the number of neighbours of each record (default 10).
	K int `json:"k,omitempty"`
	// Work bounds the postings read per record on average (default 200, and at least
	// 10^8 in all): grams so common that reading their records would pass it are left
	// out of the search. It keeps a million-record roll linear.
	Work int `json:"work,omitempty"`
}

// NeighbourCount returns K, or its default 10 when K is not positive.
func (n Nearest) NeighbourCount() int {
	if n.K <= 0 {
		return 10
	}
	return n.K
}

func (n Nearest) work() int {
	if n.Work <= 0 {
		return 200
	}
	return n.Work
}

// minWork is the least work budget: a roll of tens of thousands of records can afford
// the common grams too, and needs them: where a big city's name, its zip prefix and the
// commoner letter triples are left out, a record with a damaged surname ties with every
// namesake of its given name, and its own other records lose the tie.
const minWork = 1e8

// NearestRule returns the schema-agnostic rule with default settings.
func NearestRule() Rule { return Rule{Name: "nearest", Nearest: &Nearest{}} }

// A gram is a uint32. A letter triple of a name, a place or an address word is its tag
// and three letters coded in six bits each, below denseGrams, so that counting them needs
// no hashing; any other gram (a whole name, a date or part of one, an ID or half of one,
// a zip, an e-mail address, a phone number) is a 31-bit hash of its tag and text with the top bit set. Names share one tag,
// so that a given name recorded as the family name still shares its grams.
const (
	tagName byte = iota + 1
	tagPlace
	tagAddress
	denseGrams = 4 << 18

	tagNameWhole byte = iota + 1
	tagYear
	tagMonthDay
	tagDate
	tagYearMonth
	tagID
	tagIDPart
	tagZip
	tagZip3
	tagPlaceWhole
	tagAddressWord
	tagEmail
	tagPhone
)

// letterCode codes a byte of a key in six bits: letters 1–26, digits 27–36, the word's
// start 37 and end 38, anything else 39–62.
func letterCode(c byte) uint32 {
	switch {
	case c >= 'a' && c <= 'z':
		return uint32(c-'a') + 1
	case c >= '0' && c <= '9':
		return uint32(c-'0') + 27
	case c == '^':
		return 37
	case c == '$':
		return 38
	}
	return 39 + uint32(c)%24
}

// hashGram returns the gram of a whole value: FNV-1a of the tag and the text, folded to
// 31 bits, with the top bit set.
func hashGram(tag byte, parts ...string) uint32 {
	h := fnv1a.Byte(fnv1a.Offset, tag)
	for _, s := range parts {
		h = fnv1a.String(h, s)
	}
	return uint32(h>>33) | 1<<31
}

// appendGrams appends record i's grams, repeats and all (see gramDeduper).
func appendGrams(dst []uint32, t *normalize.Table, i int) []uint32 {
	// trigrams of "^key$": every letter starts one, and the two ends one more.
	trigrams := func(tag byte, key string) {
		a, b := letterCode('^'), letterCode('^')
		for k := 0; k <= len(key); k++ {
			c := letterCode('$')
			if k < len(key) {
				c = letterCode(key[k])
			}
			dst = append(dst, uint32(tag)<<18|a<<12|b<<6|c)
			a, b = b, c
		}
	}
	for _, p := range [...]*normalize.NamePart{t.Given[i], t.Middle[i], t.Family[i]} {
		if p.Key != "" {
			trigrams(tagName, p.Key)
			dst = append(dst, hashGram(tagNameWhole, p.Key))
		}
	}
	if d := t.BirthDate[i]; !d.IsZero() {
		digits := d.Digits()
		m, dd := string(digits[4:6]), string(digits[6:])
		dst = append(dst,
			hashGram(tagYear, string(digits[:4])),
			hashGram(tagMonthDay, min(m, dd), max(m, dd)),
			hashGram(tagDate, string(digits[:])),
			hashGram(tagYearMonth, string(digits[:6])))
	} else if y := t.BirthYear(i); y > 0 && y <= 9999 {
		dst = append(dst, hashGram(tagYear, fourDigits[y]))
	}
	for _, id := range [...]string{t.SSID[i], t.LocalID[i]} {
		if id != "" {
			h := len(id) / 2
			dst = append(dst, hashGram(tagID, id), hashGram(tagIDPart, "<", id[:h]), hashGram(tagIDPart, ">", id[h:]))
		}
	}
	if z := t.Zip[i]; z != "" {
		dst = append(dst, hashGram(tagZip, z))
		if len(z) > 3 {
			dst = append(dst, hashGram(tagZip3, z[:3]))
		}
	}
	if c := t.City[i].Key; c != "" {
		trigrams(tagPlace, c)
		dst = append(dst, hashGram(tagPlaceWhole, c))
	}
	for _, w := range t.Address[i].Tokens {
		trigrams(tagAddress, w)
		dst = append(dst, hashGram(tagAddressWord, w))
	}
	if e := t.Email[i]; e != "" {
		dst = append(dst, hashGram(tagEmail, e))
	}
	if p := t.Phone[i]; p != "" {
		dst = append(dst, hashGram(tagPhone, p))
	}
	return dst
}

// gramDeduper drops a record's repeated grams ("ana" twice in "Anastasia Ana"): letter
// triples through a stamp per gram, the few whole-value grams by a scan.
type gramDeduper struct {
	seen  []uint32
	stamp uint32
}

func (d *gramDeduper) dedupe(grams []uint32) []uint32 {
	if d.seen == nil {
		d.seen = make([]uint32, denseGrams)
	}
	d.stamp++
	if d.stamp == 0 {
		clear(d.seen)
		d.stamp = 1
	}
	out := grams[:0]
	hashedFrom := -1
	for _, g := range grams {
		if g < denseGrams {
			if d.seen[g] == d.stamp {
				continue
			}
			d.seen[g] = d.stamp
		} else if hashedFrom >= 0 && slices.Contains(out[hashedFrom:], g) {
			continue
		}
		out = append(out, g)
		if g >= denseGrams && hashedFrom < 0 {
			hashedFrom = len(out) - 1
		}
	}
	return out
}

// gramTable maps grams to values: letter triples through an array, hashed grams through a
// map.
type gramTable struct {
	dense  []int32
	hashed sumTable[int32]
}

func newGramTable() gramTable {
	return gramTable{dense: make([]int32, denseGrams)}
}

func (g *gramTable) add(gram uint32, d int32) {
	if gram < denseGrams {
		g.dense[gram] += d
	} else {
		g.hashed.add(gram, d)
	}
}

func (g *gramTable) get(gram uint32) (int32, bool) {
	if gram < denseGrams {
		return g.dense[gram], g.dense[gram] != 0
	}
	return g.hashed.get(gram)
}

// neighbours holds a list of records for each record, record i's in
// list[off[i]:off[i+1]]: its nearest, best first, as findNeighbours finds them, or its
// partners of higher index, ascending, as upperPairs makes them.
type neighbours struct {
	off  []int32
	list []int32
}

// of returns record i's neighbours.
func (nb *neighbours) of(i int) []int32 { return nb.list[nb.off[i]:nb.off[i+1]] }

// paired reports whether upper lists (upperPairs) pair a and b.
func (nb *neighbours) paired(a, b int32) bool {
	_, ok := slices.BinarySearch(nb.of(int(min(a, b))), max(a, b))
	return ok
}

// upperPairs turns neighbour lists into each record's partners of higher index, sorted,
// each once: the pairs the lists make, whichever side found the other. The lists are
// placed, sorted and copied on workers goroutines.
func upperPairs(nb *neighbours, n, workers int) *neighbours {
	workers = max(1, min(workers, n))
	// Place every pair in its lower record's list, duplicates and all.
	raw := make([]int32, n+1)
	for a := range n {
		for _, b := range nb.of(a) {
			raw[min(int32(a), b)+1]++
		}
	}
	for i := range n {
		raw[i+1] += raw[i]
	}
	all := make([]int32, raw[n])
	fill := slices.Clone(raw[:n])
	parallel.Ranges(workers, n, func(_, lo, hi int) {
		for a := lo; a < hi; a++ {
			for _, b := range nb.of(a) {
				at := atomic.AddInt32(&fill[min(int32(a), b)], 1) - 1 // sorted below
				all[at] = max(int32(a), b)
			}
		}
	})
	fill = nil
	// Sort each record's partners and drop the pairs both sides found, then copy the
	// lists to an array of the right size.
	up := &neighbours{off: make([]int32, n+1)}
	parallel.Ranges(workers, n, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			l := all[raw[i]:raw[i+1]]
			slices.Sort(l)
			up.off[i+1] = int32(len(slices.Compact(l)))
		}
	})
	for i := range n {
		up.off[i+1] += up.off[i]
	}
	up.list = make([]int32, up.off[n])
	parallel.Ranges(workers, n, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			copy(up.list[up.off[i]:up.off[i+1]], all[raw[i]:])
		}
	})
	return up
}

// findNeighbours runs the search for a Nearest rule: it counts the records each gram
// occurs in, keeps the rarest grams within the work budget, indexes records by them, and
// scores each record against the records sharing them (the rarity, log n/d, of the grams
// they share, summed), keeping the K best and more as good. Every pass runs on all cores
// over fixed ranges of records, so the result does not depend on scheduling.
func findNeighbours(ctx context.Context, t *normalize.Table, cfg Nearest, opt Options) (*neighbours, error) {
	n := t.Len()
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, n/1024+1))
	k := cfg.NeighbourCount()
	nb := &neighbours{off: make([]int32, n+1)}
	if n < 2 {
		return nb, nil
	}
	onRanges := func(fn func(w, lo, hi int)) error {
		parallel.Ranges(workers, n, fn)
		return ctx.Err()
	}
	// Every record's grams, kept for the second pass (each worker's records in one
	// array: allGrams[w][gramOff[i]:gramOff[i+1]] for record i of its range), and how many
	// records each gram occurs in.
	counts := make([]gramTable, workers)
	allGrams := make([][]uint32, workers)
	gramOff := make([]int32, n+1)
	if err := onRanges(func(w, lo, hi int) {
		var grams, mine []uint32
		var dd gramDeduper
		m := newGramTable()
		// A record brings about one gram no other has (its ID, its date and name
		// pairings): a synthetic roll of 10^6 counts 623,000 distinct hashed grams in a
		// worker's 500,000 records.
		m.hashed.reserve((hi - lo) * 3 / 2)
		for i := lo; i < hi && ctx.Err() == nil; i++ {
			grams = dd.dedupe(appendGrams(grams[:0], t, i))
			for _, h := range grams {
				m.add(h, 1)
			}
			mine = appendSized(mine, grams, i-lo, hi-lo)
			gramOff[i+1] = int32(len(mine)) // within the worker's array
		}
		counts[w], allGrams[w] = m, mine
	}); err != nil {
		return nil, err
	}
	slices.SortFunc(counts, func(a, b gramTable) int { return b.hashed.len() - a.hashed.len() })
	df := counts[0]
	for _, m := range counts[1:] {
		for h, d := range m.dense {
			df.dense[h] += d
		}
		m.hashed.each(df.hashed.add)
	}
	counts = nil
	// The search reads the postings of every gram of every record: a gram in d records
	// costs d² in all. The rarest grams are kept until that reaches Work·n.
	type gramDF struct {
		h  uint32
		df int32
	}
	var shared []gramDF
	for h, d := range df.dense {
		if d >= 2 {
			shared = append(shared, gramDF{uint32(h), d})
		}
	}
	df.hashed.each(func(h uint32, d int32) {
		if d >= 2 {
			shared = append(shared, gramDF{h, d})
		}
	})
	slices.SortFunc(shared, func(a, b gramDF) int {
		if a.df != b.df {
			return int(a.df - b.df)
		}
		switch {
		case a.h < b.h:
			return -1
		case a.h > b.h:
			return 1
		}
		return 0
	})
	budget := max(float64(cfg.work())*float64(n), minWork)
	cost := 0.0
	// ids holds a kept gram's index plus one.
	ids := newGramTable()
	var sizes []int32
	for _, s := range shared {
		cost += float64(s.df) * float64(s.df)
		if cost > budget {
			break
		}
		ids.add(s.h, int32(len(sizes))+1)
		sizes = append(sizes, s.df)
	}
	shared = nil
	gramWeight := make([]float32, len(sizes))
	for g, d := range sizes {
		gramWeight[g] = gramRarity(n, int(d))
	}
	// Each record's kept grams, grams[recOff[i]:recOff[i+1]]: counted first, so that
	// the workers fill one array in place rather than each its own, then copied. The
	// count looks each gram up once and leaves its id plus one (0: not kept) in place of
	// its hash.
	workerGrams := func(w, i, lo int) []uint32 {
		from := int32(0)
		if i > lo {
			from = gramOff[i]
		}
		return allGrams[w][from:gramOff[i+1]]
	}
	recOff := make([]int32, n+1)
	if err := onRanges(func(w, lo, hi int) {
		for i := lo; i < hi && ctx.Err() == nil; i++ {
			c := int32(0)
			hs := workerGrams(w, i, lo)
			for k, h := range hs {
				id, _ := ids.get(h)
				hs[k] = uint32(id)
				if id != 0 {
					c++
				}
			}
			recOff[i+1] = c
		}
	}); err != nil {
		return nil, err
	}
	for i := range n {
		recOff[i+1] += recOff[i]
	}
	grams := make([]int32, recOff[n])
	if err := onRanges(func(w, lo, hi int) {
		for i := lo; i < hi && ctx.Err() == nil; i++ {
			at := recOff[i]
			for _, id := range workerGrams(w, i, lo) {
				if id != 0 {
					grams[at] = int32(id) - 1
					at++
				}
			}
		}
		allGrams[w] = nil
	}); err != nil {
		return nil, err
	}
	df, ids = gramTable{}, gramTable{}
	// Postings: gram g's records, ascending, are post[start[g]:start[g+1]].
	start := make([]int32, len(sizes)+1)
	for g, d := range sizes {
		start[g+1] = start[g] + d
	}
	post := make([]int32, start[len(sizes)])
	// Each worker places its records in every gram's list after the workers before it:
	// counted per worker first, then filled in place.
	fill := make([][]int32, workers)
	if err := onRanges(func(w, lo, hi int) {
		fill[w] = make([]int32, len(sizes))
		for _, g := range grams[recOff[lo]:recOff[hi]] {
			fill[w][g]++
		}
	}); err != nil {
		return nil, err
	}
	for g := range sizes {
		at := start[g]
		for _, f := range fill {
			at, f[g] = at+f[g], at
		}
	}
	if err := onRanges(func(w, lo, hi int) {
		f := fill[w]
		for i := lo; i < hi; i++ {
			for _, g := range grams[recOff[i]:recOff[i+1]] {
				post[f[g]] = int32(i)
				f[g]++
			}
		}
	}); err != nil {
		return nil, err
	}
	fill = nil
	// Record i keeps its K best, and up to 3K as good as ratio of its best: a person
	// with twenty records needs more than K neighbours, a stranger does not.
	kMax := 3 * k
	found := make([][]int32, workers)
	// span[i] is where record i's neighbours end in its worker's list (found[w]), which holds
	// them in the order searchOrder visits records; nb.off first counts them.
	span := make([]int32, n)
	err := onRanges(func(w, lo, hi int) {
		acc := make([]float32, n)
		var touched []int32
		best := make([]scoredRecord, 0, kMax)
		var mine, kept []int32
		for at, i32 := range searchOrder(grams, recOff, lo, hi) {
			i := int(i32)
			if at%4096 == 0 && ctx.Err() != nil {
				return
			}
			touched = touched[:0]
			for _, g := range grams[recOff[i]:recOff[i+1]] {
				w := gramWeight[g]
				for _, j := range post[start[g]:start[g+1]] {
					if acc[j] == 0 {
						touched = append(touched, j)
					}
					acc[j] += w
				}
			}
			best = best[:0]
			for _, j := range touched {
				s := acc[j]
				acc[j] = 0
				if int(j) == i || (opt.Mode == Link && opt.Sources[i] == opt.Sources[j]) {
					continue
				}
				best = keepBest(best, kMax, scoredRecord{j, s})
			}
			kept = kept[:0]
			for r, s := range best {
				if r >= k && s.score < nearRatio*best[0].score {
					break
				}
				kept = append(kept, s.rec)
			}
			mine = appendSized(mine, kept, at, hi-lo)
			span[i] = int32(len(mine))
			nb.off[i+1] = int32(len(kept))
		}
		found[w] = mine
	})
	if err != nil {
		return nil, err
	}
	for i := range n {
		nb.off[i+1] += nb.off[i]
	}
	nb.list = make([]int32, nb.off[n])
	parallel.Ranges(workers, n, func(w, lo, hi int) {
		for i := lo; i < hi; i++ {
			l := nb.of(i)
			copy(l, found[w][int(span[i])-len(l):span[i]])
		}
	})
	return nb, nil
}

// searchOrder returns records [lo, hi) in the order the search visits them: by their two
// commonest kept grams (the highest ids, as ids go by rarity), so that records read the
// same long postings one after another and find the scores they add to in the cache. A
// record's neighbours do not depend on the order.
func searchOrder(grams, recOff []int32, lo, hi int) []int32 {
	type keyed struct {
		key uint64
		rec int32
	}
	order := make([]keyed, hi-lo)
	for i := lo; i < hi; i++ {
		var first, second int32 = -1, -1
		for _, g := range grams[recOff[i]:recOff[i+1]] {
			switch {
			case g > first:
				first, second = g, first
			case g > second:
				second = g
			}
		}
		order[i-lo] = keyed{uint64(uint32(first))<<32 | uint64(uint32(second)), int32(i)}
	}
	slices.SortFunc(order, func(a, b keyed) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.rec, b.rec)
	})
	recs := make([]int32, len(order))
	for k, o := range order {
		recs[k] = o.rec
	}
	return recs
}

// appendSized appends the values of the i-th record a worker visits (of total) to dst:
// when dst must grow, it grows to what the records so far foretell for all of them, and
// an eighth more, not to double, so that a large roll's grams and neighbours leave
// little garbage behind.
func appendSized[T any](dst, values []T, i, total int) []T {
	if need := len(dst) + len(values); need > cap(dst) {
		est := int(float64(need) / float64(i+1) * float64(total) * 1.125)
		grown := make([]T, len(dst), max(est, need, 1024))
		copy(grown, dst)
		dst = grown
	}
	return append(dst, values...)
}

// gramRarity is the weight of sharing a gram that occurs in d of n records: log n/d, so
// that a gram every record has weighs nothing.
func gramRarity(n, d int) float32 {
	return float32(math.Log(float64(n)) - math.Log(float64(d)))
}

// nearRatio is how close to a record's best neighbour a neighbour past the K-th must
// score to be kept.
const nearRatio = 0.8

// scoredRecord is a neighbour with its score.
type scoredRecord struct {
	rec   int32
	score float32
}

// better orders neighbours: higher score first, then lower record index.
func (a scoredRecord) better(b scoredRecord) bool {
	return a.score > b.score || (a.score == b.score && a.rec < b.rec)
}

// keepBest inserts c into best, sorted best first, keeping at most k.
func keepBest(best []scoredRecord, k int, c scoredRecord) []scoredRecord {
	if len(best) == k && !c.better(best[k-1]) {
		return best
	}
	if len(best) < k {
		best = append(best, c)
	} else {
		best[k-1] = c
	}
	for x := len(best) - 1; x > 0 && best[x].better(best[x-1]); x-- {
		best[x], best[x-1] = best[x-1], best[x]
	}
	return best
}
