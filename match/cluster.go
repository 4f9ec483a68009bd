package match

import (
	"math"
	"slices"
)

// Link is a scored pair of records, by record index.
type Link struct {
	A, B   int32
	Weight float64
}

// Refusal is a link over the threshold that clustering declined, and why.
type Refusal struct {
	Link
	// Reason is RefusedDifferent, RefusedThin or RefusedSize.
	Reason string
	// Against is, for RefusedDifferent, the pair of records (one from each side) that the
	// model or a reviewer says are clearly different, and Rule why: a cannot-link rule's
	// name, the different threshold, a reviewer's decision or one record per source.
	Against [2]int32
	Rule    string
}

// Reasons a link was refused.
const (
	RefusedDifferent = "would join records that are clearly different"
	RefusedThin      = "a record with too little to go on is already placed"
	RefusedSize      = "cluster would exceed the size cap"
)

// clusterInput is what clustering needs besides the links.
type clusterInput struct {
	n int
	// rank orders records by record id, so that ties between equal weights are broken the
	// same way whatever the input order.
	rank []int32
	// must are pairs a reviewer said are the same student: joined first, unconditionally.
	must [][2]int32
	// apart says why two records must never share a cluster ("" when nothing keeps them
	// apart): a reviewer's decision, one record per source in link mode. One such pair
	// across two clusters refuses their merge.
	apart func(a, b int32) string
	// judge says why the model takes two records for different children (conflict, ""
	// when it does not: a cannot-link rule, a weight under the different threshold), and
	// whether it takes them for one (match: a weight at the upper threshold). Two clusters
	// with conflicting cross pairs merge only when more of their cross pairs match than
	// conflict: one record with a typo (ZOT among a child's ZOEs) does not keep the child's
	// records apart, while twins' records, and a half-filled record bridging two twins,
	// stay apart.
	judge func(a, b int32) (conflict string, match bool)
	// observes reports whether a matching pair has the values the conflict's rule
	// decides on, so that its vote counts against that conflict (nil: every pair's
	// does).
	observes func(rule string, a, b int32) bool
	// thin marks records with too little to go on: such a record joins at most one other
	// cluster and never pulls two together.
	thin []bool
	// maxSize caps the records in a cluster (0: no cap).
	maxSize int
}

// clustering is the result of clusterLinks.
type clustering struct {
	// label is each record's cluster, numbered densely in order of each cluster's first
	// record by rank.
	label []int32
	// size counts records per cluster label.
	size []int32
	// edges are the links that joined clusters: a spanning forest of each cluster.
	edges []Link
	// placed is, per record, the weight of the strongest accepted link touching it, or
	// NaN for a record that joined no link.
	placed   []float64
	refusals []Refusal
}

// clusterLinks joins records into clusters, strongest link first, refusing a merge that
// would put two clearly different records together, let a thin record bridge clusters, or
// exceed the size cap. Connected components of all links would chain unrelated records
// through one weak or wrong link; checking every cross pair before each merge stops that.
// links is sorted in place.
func clusterLinks(in clusterInput, links []Link) clustering {
	u := newUnion(in.n)
	v := &voter{in: in}
	c := clustering{placed: make([]float64, in.n)}
	for i := range c.placed {
		c.placed[i] = math.NaN()
	}
	accept := func(l Link) {
		u.join(l.A, l.B)
		c.edges = append(c.edges, l)
		for _, r := range [2]int32{l.A, l.B} {
			if math.IsNaN(c.placed[r]) || l.Weight > c.placed[r] {
				c.placed[r] = l.Weight
			}
		}
	}
	for _, m := range in.must {
		if u.find(m[0]) != u.find(m[1]) {
			accept(Link{A: m[0], B: m[1], Weight: math.Inf(1)})
		}
	}
	slices.SortFunc(links, func(x, y Link) int {
		if x.Weight != y.Weight {
			if x.Weight > y.Weight {
				return -1
			}
			return 1
		}
		xl, xh := orderPair(in.rank, x)
		yl, yh := orderPair(in.rank, y)
		if xl != yl {
			return int(xl - yl)
		}
		return int(xh - yh)
	})
	for _, l := range links {
		ra, rb := u.find(l.A), u.find(l.B)
		if ra == rb {
			continue
		}
		if (in.thin != nil) && ((in.thin[l.A] && u.size(ra) > 1) || (in.thin[l.B] && u.size(rb) > 1)) {
			c.refusals = append(c.refusals, Refusal{Link: l, Reason: RefusedThin})
			continue
		}
		if in.maxSize > 0 && u.size(ra)+u.size(rb) > in.maxSize {
			c.refusals = append(c.refusals, Refusal{Link: l, Reason: RefusedSize})
			continue
		}
		if a, b, why := v.refuseMerge(u.members(ra), u.members(rb)); why != "" {
			c.refusals = append(c.refusals, Refusal{Link: l, Reason: RefusedDifferent, Against: [2]int32{a, b}, Rule: why})
			continue
		}
		accept(l)
	}
	c.label, c.size = u.labels(in.rank)
	return c
}

// orderPair returns the ranks of a link's records, lower first.
func orderPair(rank []int32, l Link) (int32, int32) {
	a, b := rank[l.A], rank[l.B]
	if a > b {
		a, b = b, a
	}
	return a, b
}

// voter decides merges for clusterLinks, its scratch reused from merge to merge.
type voter struct {
	in      clusterInput
	rules   []string
	matched [][2]int32
}

// refuseMerge returns why two clusters must not merge, with a pair across them that
// shows it, or "": any pair apart refuses it, and so do conflicting cross pairs that
// matching ones do not outnumber. A matching pair votes against a conflict only where it
// observes what the conflict's rule decides on (in.observes): a record without a middle
// name does not outvote two namesakes' middle names, nor one without a given name two
// twins' given names, nor one without an SSID two namesakes' SSIDs.
func (v *voter) refuseMerge(xs, ys []int32) (int32, int32, string) {
	in := v.in
	if in.apart != nil {
		for _, x := range xs {
			for _, y := range ys {
				if why := in.apart(x, y); why != "" {
					return x, y, why
				}
			}
		}
	}
	if in.judge == nil {
		return 0, 0, ""
	}
	// Large clusters vote through a sample of their members, spread over each list: the
	// answer is a majority, and a merge of two groups of thousands (identical rows) must
	// not cost millions of comparisons.
	xs, ys = spread(xs, maxVoters), spread(ys, maxVoters)
	left := len(xs) * len(ys)
	var fx, fy int32
	rules, matched := v.rules[:0], v.matched[:0] // the conflicts' rules, each once; the matching pairs
	defer func() { v.rules, v.matched = rules, matched }()
	conflicts := 0
	for _, x := range xs {
		for _, y := range ys {
			why, match := in.judge(x, y)
			left--
			switch {
			case why != "":
				if conflicts == 0 {
					fx, fy = x, y
				}
				if !slices.Contains(rules, why) {
					rules = append(rules, why)
				}
				conflicts++
			case match:
				matched = append(matched, [2]int32{x, y})
			}
			// Stop once the merge is refused whatever the rest say.
			if conflicts > 0 && conflicts >= len(matched)+left {
				return fx, fy, rules[0]
			}
		}
	}
	if conflicts == 0 {
		return 0, 0, ""
	}
	votes := 0
	for _, m := range matched {
		if in.observes == nil || !slices.ContainsFunc(rules, func(r string) bool { return !in.observes(r, m[0], m[1]) }) {
			votes++
		}
	}
	if conflicts >= votes {
		return fx, fy, rules[0]
	}
	return 0, 0, ""
}

// maxVoters is the most members of each side whose pairs vote on a merge.
const maxVoters = 32

// spread returns at most n members of xs, evenly spaced (all of them when few).
func spread(xs []int32, n int) []int32 {
	if len(xs) <= n {
		return xs
	}
	out := make([]int32, n)
	for k := range out {
		out[k] = xs[k*len(xs)/n]
	}
	return out
}

// union is a disjoint-set forest that keeps each root's member list, merging the smaller
// list into the larger.
type union struct {
	parent []int32
	member [][]int32
}

func newUnion(n int) *union {
	u := &union{parent: make([]int32, n), member: make([][]int32, n)}
	for i := range u.parent {
		u.parent[i] = int32(i)
	}
	return u
}

func (u *union) find(x int32) int32 {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

// members returns the records of root r's set.
func (u *union) members(r int32) []int32 {
	if u.member[r] == nil {
		u.member[r] = []int32{r}
	}
	return u.member[r]
}

func (u *union) size(r int32) int {
	if u.member[r] == nil {
		return 1
	}
	return len(u.member[r])
}

func (u *union) join(a, b int32) {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return
	}
	if u.size(ra) < u.size(rb) {
		ra, rb = rb, ra
	}
	u.member[ra] = append(u.members(ra), u.members(rb)...)
	u.member[rb] = nil
	u.parent[rb] = ra
}

// labels numbers the sets densely in order of each set's lowest-ranked record and
// returns each record's label and each label's size. rank is a permutation of the
// records.
func (u *union) labels(rank []int32) ([]int32, []int32) {
	label := make([]int32, len(u.parent))
	rootLabel := make([]int32, len(u.parent)) // a root's label plus one, 0 until it has one
	var size []int32
	for _, r := range byRank(rank) {
		root := u.find(r)
		if rootLabel[root] == 0 {
			size = append(size, 0)
			rootLabel[root] = int32(len(size))
		}
		l := rootLabel[root] - 1
		label[r] = l
		size[l]++
	}
	return label, size
}

// path returns the accepted links joining records a and b, in order from a, or nil when
// they are in different clusters (or a == b).
func (c *clustering) path(a, b int32) []Link {
	if a == b || c.label[a] != c.label[b] {
		return nil
	}
	adj := map[int32][]int{}
	for k, e := range c.edges {
		if c.label[e.A] == c.label[a] {
			adj[e.A] = append(adj[e.A], k)
			adj[e.B] = append(adj[e.B], k)
		}
	}
	// via[y] is the index of the edge by which the search reached y; a has none.
	via := map[int32]int{a: -1}
	for queue := []int32{a}; len(queue) > 0; {
		x := queue[0]
		queue = queue[1:]
		if x == b {
			break
		}
		for _, k := range adj[x] {
			e := c.edges[k]
			y := e.A
			if y == x {
				y = e.B
			}
			if _, seen := via[y]; !seen {
				via[y] = k
				queue = append(queue, y)
			}
		}
	}
	if _, ok := via[b]; !ok {
		return nil
	}
	var out []Link
	for x := b; x != a; {
		e := c.edges[via[x]]
		out = append(out, e)
		if e.A == x {
			x = e.B
		} else {
			x = e.A
		}
	}
	slices.Reverse(out)
	return out
}
