package block

// Postings maps keys to the records that have them, for an index that grows one record
// at a time (match.Index, Neighbourhood). It holds no pointers: a state's index has
// millions of keys, and a slice per key was an object per key for the garbage collector
// to mark on every cycle of a long-running service. Each key's records are a list
// threaded through two arrays, newest first. The zero value is ready to use; Postings is
// not safe for concurrent writes.
type Postings struct {
	lists map[uint64]PostingList
	rec   []int32 // entry → record
	older []int32 // entry → the key's previous entry, or -1
}

// PostingList is one key's records (List), found once and then read (AppendList).
type PostingList struct{ newest, n int32 }

// Len returns the number of records in the list.
func (l PostingList) Len() int { return int(l.n) }

// Add appends record rec to key's list.
func (p *Postings) Add(key uint64, rec int32) {
	if p.lists == nil {
		p.lists = map[uint64]PostingList{}
	}
	l, ok := p.lists[key]
	if !ok {
		l.newest = -1
	}
	p.rec = append(p.rec, rec)
	p.older = append(p.older, l.newest)
	p.lists[key] = PostingList{newest: int32(len(p.rec) - 1), n: l.n + 1}
}

// Compact lays each key's records out side by side, newest first, so that reading a
// key's list reads adjacent memory instead of one cache line per record; an index built
// in bulk calls it once. Records added later are threaded on as before.
func (p *Postings) Compact() {
	rec, older := make([]int32, len(p.rec)), make([]int32, len(p.older))
	at := int32(0)
	for key, l := range p.lists {
		start := at
		for e := l.newest; e >= 0; e = p.older[e] {
			rec[at], older[at] = p.rec[e], at+1
			at++
		}
		older[at-1] = -1
		p.lists[key] = PostingList{newest: start, n: l.n}
	}
	p.rec, p.older = rec, older
}

// List returns key's records (none when the key is unknown).
func (p *Postings) List(key uint64) PostingList {
	if l, ok := p.lists[key]; ok {
		return l
	}
	return PostingList{newest: -1}
}

// AppendList appends the records of l, a list of p, to dst, newest first.
func (p *Postings) AppendList(dst []int32, l PostingList) []int32 {
	for e := l.newest; e >= 0 && l.n > 0; e = p.older[e] {
		dst = append(dst, p.rec[e])
	}
	return dst
}
