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
			acc.add(uint32(j), w)
		}
	}
	best := make([]scoredRecord, 0, k)
	acc.each(func(j uint32, sum float32) { best = keepBest(best, k, scoredRecord{int32(j), sum}) })
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
	list  []int32           // a hashed gram's records
	acc   sumTable[float32] // record → its score
}

// gramPosting is a query's gram, the number of records that have it and, for a hashed
// gram, their list.
type gramPosting struct {
	gram   uint32
	n      int
	hashed PostingList
}

var nearScratchPool = sync.Pool{New: func() any { return &nearScratch{} }}
