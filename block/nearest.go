package block

import (
	"context"
	"hash/maphash"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/studentlink/studentlink/normalize"
)

// Nearest configures a schema-agnostic rule: each record is paired with the K records
// most like it, scored by the rarity-weighted grams (letter pairs of names, places and
// addresses; parts of dates, IDs and zips) the two share. It catches pairs whose every
// key is damaged (a typo in each name, a changed digit in the date), which no rule of
// exact keys can, at a bounded cost of K candidates a record.
type Nearest struct {
	// K is the number of neighbours of each record (default 8).
	K int `json:"k,omitempty"`
	// Work bounds the postings read per record on average (default 400): grams so common
	// that reading their records would pass it are left out of the search, though they
	// still count in a record's weight. It keeps a million-record roll linear.
	Work int `json:"work,omitempty"`
}

func (n Nearest) k() int {
	if n.K <= 0 {
		return 8
	}
	return n.K
}

func (n Nearest) work() int {
	if n.Work <= 0 {
		return 400
	}
	return n.Work
}

// NearestRule returns the schema-agnostic rule with default settings.
func NearestRule() Rule { return Rule{Name: "nearest", Nearest: &Nearest{}} }

// Gram tags keep grams of different features apart; names share one tag so that a given
// name recorded as the family name still shares its grams.
const (
	tagName byte = iota + 1
	tagNameWhole
	tagYear
	tagMonthDay
	tagDate
	tagYearMonth
	tagID
	tagIDPart
	tagZip
	tagZip3
	tagPlace
	tagPlaceWhole
	tagAddress
	tagAddressWord
)

var gramSeed = maphash.MakeSeed()

// gramHasher hashes tagged grams.
type gramHasher struct{ h maphash.Hash }

func (g *gramHasher) sum(tag byte, s string) uint64 {
	g.h.SetSeed(gramSeed)
	g.h.WriteByte(tag)
	g.h.WriteString(s)
	return g.h.Sum64()
}

// appendGrams appends record i's gram hashes, sorted and without repeats.
func appendGrams(dst []uint64, g *gramHasher, t *normalize.Table, i int) []uint64 {
	start := len(dst)
	var buf [64]byte
	bigrams := func(tag byte, key string) {
		if key == "" {
			return
		}
		prev := byte('^')
		for k := 0; k <= len(key); k++ {
			c := byte('$')
			if k < len(key) {
				c = key[k]
			}
			buf[0], buf[1] = prev, c
			dst = append(dst, g.sum(tag, string(buf[:2])))
			prev = c
		}
	}
	for _, p := range []*normalize.NamePart{&t.Given[i], &t.Middle[i], &t.Family[i]} {
		if p.Key == "" {
			continue
		}
		bigrams(tagName, p.Key)
		dst = append(dst, g.sum(tagNameWhole, p.Key))
	}
	if d := t.BirthDate[i]; !d.IsZero() {
		digits := d.Digits()
		m, dd := string(digits[4:6]), string(digits[6:])
		dst = append(dst,
			g.sum(tagYear, string(digits[:4])),
			g.sum(tagMonthDay, min(m, dd)+max(m, dd)),
			g.sum(tagDate, string(digits[:])),
			g.sum(tagYearMonth, string(digits[:6])))
	}
	for _, id := range []string{t.SSID[i], t.LocalID[i]} {
		if id == "" {
			continue
		}
		h := len(id) / 2
		dst = append(dst, g.sum(tagID, id), g.sum(tagIDPart, "<"+id[:h]), g.sum(tagIDPart, ">"+id[h:]))
	}
	if z := t.Zip[i]; z != "" {
		dst = append(dst, g.sum(tagZip, z))
		if len(z) > 3 {
			dst = append(dst, g.sum(tagZip3, z[:3]))
		}
	}
	if c := t.City[i].Key; c != "" {
		bigrams(tagPlace, c)
		dst = append(dst, g.sum(tagPlaceWhole, c))
	}
	for _, w := range t.Address[i].Tokens {
		bigrams(tagAddress, w)
		dst = append(dst, g.sum(tagAddressWord, w))
	}
	tail := dst[start:]
	slices.Sort(tail)
	return dst[:start+len(slices.Compact(tail))]
}

// neighbours finds each record's K nearest records; near[i*K:(i+1)*K] lists record i's,
// best first, padded with -1.
type neighbours struct {
	k    int
	near []int32
}

// has reports whether b is among a's neighbours.
func (nb *neighbours) has(a, b int32) bool {
	return slices.Contains(nb.near[int(a)*nb.k:int(a+1)*nb.k], b)
}

// paired reports whether the rule pairs a and b: either is the other's neighbour.
func (nb *neighbours) paired(a, b int32) bool { return nb.has(a, b) || nb.has(b, a) }

// findNeighbours runs the search for a Nearest rule.
func findNeighbours(ctx context.Context, t *normalize.Table, cfg Nearest, opt Options) (*neighbours, error) {
	n := t.Len()
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	k := cfg.k()
	nb := &neighbours{k: k, near: make([]int32, n*k)}
	for i := range nb.near {
		nb.near[i] = -1
	}
	if n < 2 {
		return nb, nil
	}
	// Document frequencies.
	df := map[uint64]int32{}
	{
		var g gramHasher
		var grams []uint64
		for i := range n {
			if i%65536 == 0 && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			grams = appendGrams(grams[:0], &g, t, i)
			for _, h := range grams {
				df[h]++
			}
		}
	}
	// The search reads postings of the grams in at most Work·n entries (each record reads
	// the postings of its grams: a gram in d records costs d² in all), the rarest first.
	type gramDF struct {
		h  uint64
		df int32
	}
	var shared []gramDF
	for h, d := range df {
		if d >= 2 {
			shared = append(shared, gramDF{h, d})
		}
	}
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
	budget := float64(cfg.work()) * float64(n)
	cost := 0.0
	ids := map[uint64]int32{}
	var offs []int32
	for _, s := range shared {
		cost += float64(s.df) * float64(s.df)
		if cost > budget {
			break
		}
		ids[s.h] = int32(len(ids))
		offs = append(offs, s.df)
	}
	// Postings in one array: gram id g's records are post[start[g]:start[g+1]].
	start := make([]int32, len(offs)+1)
	for g, d := range offs {
		start[g+1] = start[g] + d
	}
	post := make([]int32, start[len(offs)])
	fill := slices.Clone(start[:len(offs)])
	weight := make([]float32, n) // each record's total gram weight
	logN := math.Log(float64(n))
	{
		var g gramHasher
		var grams []uint64
		for i := range n {
			grams = appendGrams(grams[:0], &g, t, i)
			w := 0.0
			for _, h := range grams {
				w += logN - math.Log(float64(df[h]))
				if id, ok := ids[h]; ok {
					post[fill[id]] = int32(i)
					fill[id]++
				}
			}
			weight[i] = float32(w)
		}
	}
	gramWeight := make([]float32, len(offs))
	for g, d := range offs {
		gramWeight[g] = float32(logN - math.Log(float64(d)))
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	const chunk = 256
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var g gramHasher
			var grams []uint64
			acc := make([]float32, n)
			var touched []int32
			type scored struct {
				rec   int32
				score float32
			}
			var best []scored
			for ctx.Err() == nil {
				lo := int(next.Add(chunk)) - chunk
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+chunk, n); i++ {
					grams = appendGrams(grams[:0], &g, t, i)
					touched = touched[:0]
					for _, h := range grams {
						id, ok := ids[h]
						if !ok {
							continue
						}
						w := gramWeight[id]
						for _, j := range post[start[id]:start[id+1]] {
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
						s /= float32(math.Sqrt(float64(weight[i]) * float64(weight[j])))
						best = append(best, scored{j, s})
					}
					slices.SortFunc(best, func(a, b scored) int {
						switch {
						case a.score > b.score:
							return -1
						case a.score < b.score:
							return 1
						}
						return int(a.rec - b.rec)
					})
					for r, s := range best[:min(k, len(best))] {
						nb.near[i*k+r] = s.rec
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return nb, nil
}
