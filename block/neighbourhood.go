package block

import (
	"slices"
	"sync"

	"github.com/studentlink/studentlink/normalize"
)

// Neighbourhood indexes records by the grams the Nearest rule compares, to find the
// records most like one new record: the Nearest rule's search, a query at a time, for an
// index that places enrollments one by one. Records are added as they come; a query reads
// the postings of its rarest grams, within a budget, and scores each record by the summed
// rarity of the grams they share. Nearest may run from many goroutines at
// once; Add must not run at the same time as anything else.
type Neighbourhood struct {
	dense  [][]int32 // records by letter triple (grams below denseGrams)
	hashed Postings  // records by any other gram (IDs, whole names, dates: most of them one record's)
	n      int
	// Budget bounds the postings a query reads (default 1,024): its rarest grams first,
	// so that a common name's letter triples, which tell little, cost nothing.
	Budget int
	dd     gramDeduper
	grams  []uint32
}

// NewNeighbourhood indexes the records of t.
func NewNeighbourhood(t *normalize.Table) *Neighbourhood {
	g := &Neighbourhood{dense: make([][]int32, denseGrams), Budget: 1024}
	for i := range t.Len() {
		g.Add(t, i)
	}
	g.hashed.Compact()
	return g
}

// Add indexes record i of t as the next record (its position is the number of records
// added before it).
func (g *Neighbourhood) Add(t *normalize.Table, i int) {
	pos := int32(g.n)
	g.grams = g.dd.dedupe(appendGrams(g.grams[:0], t, i))
	for _, h := range g.grams {
		if h < denseGrams {
			g.dense[h] = append(g.dense[h], pos)
		} else {
			g.hashed.Add(uint64(h), pos)
		}
	}
	g.n++
}

// Len returns the number of records indexed.
func (g *Neighbourhood) Len() int { return g.n }

// Nearest returns the positions of at most k indexed records most like record i of q,
// best first (ties by position); records sharing no searched gram are not returned.
func (g *Neighbourhood) Nearest(q *normalize.Table, i, k int) []int32 {
	if g.n == 0 || k <= 0 {
		return nil
	}
	s := nearScratchPool.Get().(*nearScratch)
	defer nearScratchPool.Put(s)
	s.grams = appendGrams(s.grams[:0], q, i)
	slices.Sort(s.grams)
	posts := s.posts[:0]
	for _, h := range slices.Compact(s.grams) {
		p := gramPosting{gram: h}
		if h < denseGrams {
			p.n = len(g.dense[h])
		} else {
			p.hashed = g.hashed.List(uint64(h))
			p.n = p.hashed.Len()
		}
		if p.n > 0 {
			posts = append(posts, p)
		}
	}
	slices.SortFunc(posts, func(a, b gramPosting) int { return a.n - b.n })
	s.posts = posts
	acc := &s.acc
	acc.reset()
	read := 0
	for _, p := range posts {
		if read > 0 && read+p.n > g.Budget {
			break
		}
		read += p.n
		var post []int32
		if p.gram < denseGrams {
			post = g.dense[p.gram]
		} else {
			s.list = g.hashed.AppendList(s.list[:0], p.hashed)
			post = s.list
		}
		w := gramRarity(g.n, p.n)
		for _, j := range post {
			acc.add(j, w)
		}
	}
	best := make([]scoredRecord, 0, k)
	for _, slot := range acc.used {
		best = keepBest(best, k, scoredRecord{acc.recs[slot], acc.sums[slot]})
	}
	out := make([]int32, len(best))
	for r, s := range best {
		out[r] = s.rec
	}
	return slices.Clip(out)
}

// nearScratch is a query's working memory, pooled: a query at 10^6 records meets about a
// thousand records, and growing a new map for them each time was most of its garbage.
type nearScratch struct {
	grams []uint32
	posts []gramPosting
	list  []int32 // a hashed gram's records
	acc   scoreTable
}

// scoreTable sums a query's scores by record: an open-addressing table of a power-of-two
// size, twice the records it holds at least, emptied by the slots it used. A Go map did
// the same at several times the cost, in a search's hottest loop.
type scoreTable struct {
	recs []int32 // the record in each slot, -1 when empty
	sums []float32
	used []int32 // slots in use, in the order they were taken
}

// reset empties the table.
func (t *scoreTable) reset() {
	for _, slot := range t.used {
		t.recs[slot] = -1
	}
	t.used = t.used[:0]
}

// add adds w to record j's sum.
func (t *scoreTable) add(j int32, w float32) {
	if 2*(len(t.used)+1) > len(t.recs) {
		t.grow()
	}
	mask := uint32(len(t.recs) - 1)
	for slot := (uint32(j) * 0x9E3779B1) & mask; ; slot = (slot + 1) & mask {
		switch t.recs[slot] {
		case j:
			t.sums[slot] += w
			return
		case -1:
			t.recs[slot], t.sums[slot] = j, w
			t.used = append(t.used, int32(slot))
			return
		}
	}
}

// grow doubles the table (to 1,024 slots at first) and places its records again, in
// the order they came.
func (t *scoreTable) grow() {
	recs, sums, used := t.recs, t.sums, t.used
	size := max(1024, 2*len(recs))
	t.recs, t.sums, t.used = make([]int32, size), make([]float32, size), make([]int32, 0, size/2)
	for k := range t.recs {
		t.recs[k] = -1
	}
	for _, slot := range used {
		t.add(recs[slot], sums[slot])
	}
}

// gramPosting is a query's gram, the number of records that have it and, for a hashed
// gram, their list.
type gramPosting struct {
	gram   uint32
	n      int
	hashed PostingList
}

var nearScratchPool = sync.Pool{New: func() any { return &nearScratch{} }}
