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
	dense  [][]int32          // records by letter triple (grams below denseGrams)
	hashed map[uint32][]int32 // records by any other gram
	n      int
	// Budget bounds the postings a query reads (default 1,024): its rarest grams first,
	// so that a common name's letter triples, which tell little, cost nothing.
	Budget int
	dd     gramDeduper
	grams  []uint32
}

// NewNeighbourhood indexes the records of t.
func NewNeighbourhood(t *normalize.Table) *Neighbourhood {
	g := &Neighbourhood{dense: make([][]int32, denseGrams), hashed: map[uint32][]int32{}, Budget: 1024}
	for i := range t.Len() {
		g.Add(t, i)
	}
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
			g.hashed[h] = append(g.hashed[h], pos)
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
		post := g.hashed[h]
		if h < denseGrams {
			post = g.dense[h]
		}
		if len(post) > 0 {
			posts = append(posts, post)
		}
	}
	slices.SortFunc(posts, func(a, b []int32) int { return len(a) - len(b) })
	s.posts = posts
	acc := s.acc
	clear(acc)
	read := 0
	for _, post := range posts {
		if read > 0 && read+len(post) > g.Budget {
			break
		}
		read += len(post)
		w := gramRarity(g.n, len(post))
		for _, j := range post {
			acc[j] += w
		}
	}
	best := make([]scoredRecord, 0, k)
	for j, s := range acc {
		best = keepBest(best, k, scoredRecord{j, s})
	}
	out := make([]int32, len(best))
	for r, s := range best {
		out[r] = s.rec
	}
	clear(s.posts) // let the postings' arrays go with the index, not with the pool
	return slices.Clip(out)
}

// nearScratch is a query's working memory, pooled: a query at 10^6 records meets about a
// thousand records, and growing a new map for them each time was most of its garbage.
type nearScratch struct {
	grams []uint32
	posts [][]int32
	acc   map[int32]float32
}

var nearScratchPool = sync.Pool{New: func() any { return &nearScratch{acc: map[int32]float32{}} }}
