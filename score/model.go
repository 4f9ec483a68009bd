package score

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"strings"

	"github.com/studentlink/studentlink/normalize"
)

// ModelVersion is the version of the model format this package writes and reads.
const ModelVersion = 1

// Model is a Fellegi–Sunter model: the comparisons, the prior (the share of the pairs
// trained on that match; see Prior), and for each comparison level the probability m of
// the level among matching pairs and u among non-matching pairs. The null level has
// neither.
type Model struct {
	Version     int          `json:"version"`
	Comparisons []Comparison `json:"comparisons"`
	// Prior is λ, the share of the pairs the model was trained on that match: all pairs
	// of the roll when match trains it (so that match weights are posterior log-odds over
	// the whole roll), the pairs given when TrainEM is called on candidates alone.
	Prior float64 `json:"prior"`
	// M[c][l] and U[c][l] are the probabilities of level l of comparison c; index 0 (null)
	// is unused and 0.
	M [][]float64 `json:"m"`
	U [][]float64 `json:"u"`
	// TermFrequencies[c] counts the values of comparison c (when it has TermFrequency
	// set) in the data the model was trained on.
	TermFrequencies []*TermFrequencies `json:"term_frequencies,omitempty"`
}

// TermFrequencies counts values.
type TermFrequencies struct {
	Total  int64            `json:"total"`
	Counts map[string]int64 `json:"counts"`
}

// Frequency returns the share of values equal to v, at least 1/Total.
func (tf *TermFrequencies) Frequency(v string) float64 {
	if tf == nil || tf.Total == 0 {
		return 0
	}
	n := tf.Counts[v]
	if n < 1 {
		n = 1
	}
	return float64(n) / float64(tf.Total)
}

// NewModel returns a model with the comparisons, neutral m and u and the given prior; it
// is the starting point of training.
func NewModel(comps []Comparison, prior float64) (Model, error) {
	if len(comps) == 0 {
		return Model{}, errors.New("score: a model needs at least one comparison")
	}
	if len(comps) > MaxComparisons {
		return Model{}, fmt.Errorf("score: %d comparisons, at most %d are allowed", len(comps), MaxComparisons)
	}
	m := Model{Version: ModelVersion, Comparisons: comps, Prior: prior}
	for _, c := range comps {
		k, err := compile(c)
		if err != nil {
			return Model{}, err
		}
		m.M = append(m.M, defaultM(k.levels))
		m.U = append(m.U, uniform(k.levels))
	}
	m.TermFrequencies = make([]*TermFrequencies, len(comps))
	return m, nil
}

// defaultM starts m high on the strongest levels and low on else.
func defaultM(levels int) []float64 {
	p := make([]float64, levels)
	rest := levels - 2 // between exact and else
	p[1] = 0.7
	p[levels-1] = 0.05
	for l := 2; l < levels-1; l++ {
		p[l] = 0.25 / float64(rest)
	}
	if rest == 0 {
		p[1] = 0.95
	}
	return p
}

func uniform(levels int) []float64 {
	p := make([]float64, levels)
	for l := 1; l < levels; l++ {
		p[l] = 1 / float64(levels-1)
	}
	return p
}

// Validate reports what is wrong with the model.
func (m *Model) Validate() error {
	if m.Version != ModelVersion {
		return fmt.Errorf("score: model version %d, this library reads version %d", m.Version, ModelVersion)
	}
	if !(m.Prior > 0 && m.Prior < 1) {
		return fmt.Errorf("score: prior %g is not a probability strictly between 0 and 1", m.Prior)
	}
	if len(m.Comparisons) > MaxComparisons || len(m.Comparisons) == 0 {
		return fmt.Errorf("score: %d comparisons, want 1 to %d", len(m.Comparisons), MaxComparisons)
	}
	if len(m.M) != len(m.Comparisons) || len(m.U) != len(m.Comparisons) {
		return fmt.Errorf("score: %d comparisons but m for %d and u for %d", len(m.Comparisons), len(m.M), len(m.U))
	}
	if _, err := requirementMasks(m.Comparisons); err != nil {
		return err
	}
	for c, comp := range m.Comparisons {
		k, err := compile(comp)
		if err != nil {
			return err
		}
		if len(m.M[c]) != k.levels || len(m.U[c]) != k.levels {
			return fmt.Errorf("score: comparison %q has %d levels but %d m and %d u values", comp.Name, k.levels, len(m.M[c]), len(m.U[c]))
		}
		for l := 1; l < k.levels; l++ {
			for _, p := range []float64{m.M[c][l], m.U[c][l]} {
				if !(p >= 0 && p <= 1) {
					return fmt.Errorf("score: comparison %q level %d: probability %g out of [0, 1]", comp.Name, l, p)
				}
			}
		}
	}
	return nil
}

// Save writes the model as indented JSON.
func (m *Model) Save(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

// LoadModel reads a model written by Save and validates it.
func LoadModel(r io.Reader) (Model, error) {
	var m Model
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return Model{}, fmt.Errorf("score: reading model: %w", err)
	}
	if err := m.Validate(); err != nil {
		return Model{}, err
	}
	return m, nil
}

// PatternWeight returns the match weight of a comparison vector (a Key) under the model:
// the prior's log-odds and each comparison's log2(m/u), without term frequencies.
func (m *Model) PatternWeight(key uint64) float64 {
	w := math.Log2(m.Prior / (1 - m.Prior))
	for c := range m.Comparisons {
		if l := LevelOf(key, c); l != LevelNull {
			w += levelWeight(m.M[c][l], m.U[c][l])
		}
	}
	return w
}

// Probability converts a match weight (log2 of the posterior odds) to a probability.
func Probability(weight float64) float64 {
	return 1 / (1 + math.Exp2(-weight))
}

// minProbability keeps log-ratios finite when a level was never seen.
const minProbability = 1e-6

// LevelWeight is the match weight, log2(m/u), of level l of comparison c.
func (m *Model) LevelWeight(c, l int) float64 { return levelWeight(m.M[c][l], m.U[c][l]) }

// levelWeight is log2(m/u) of a level.
func levelWeight(m, u float64) float64 {
	return math.Log2(math.Max(m, minProbability) / math.Max(u, minProbability))
}

// Scorer scores pairs of records from two tables (the same table twice for dedupe). It
// is safe for concurrent use.
type Scorer struct {
	comps  []compiled
	a, b   *normalize.Table
	prior  float64     // log2 prior odds
	weight [][]float64 // [comparison][level]
	// byKey[16c+l] is weight[c][l]: one flat table for KeyWeight's loop.
	byKey []float64
	// tf[c][i] is the term-frequency adjustment of record i of a for comparison c at
	// its exact level, or nil when c has none.
	tf [][]float64
	// tfs and uExact are the model's term frequencies and u at the exact level, to make
	// tf for another table a (For).
	tfs    []*TermFrequencies
	uExact []float64
	// lay places the comparisons' features in the rows of the sketches sa and sb of a
	// and b (one sketch when a is b).
	lay    layout
	ops    []fastOp
	sa, sb *sketch
	// swapMask clears the given- and family-name levels of a key whose name-swap level is
	// swapped (swapBit set): the swap comparison then carries the names' evidence, which
	// would otherwise count twice against the pair (both names "else").
	swapBit, swapMask uint64
	// requires are the comparisons' requirements as level masks.
	requires []requirementMask
}

// requirementMask is a Requirement by index: level level of comparison comp counts only
// when comparison other's level is a bit set in allowed.
type requirementMask struct {
	comp, other int
	level       uint8
	allowed     uint32
}

// requirementMasks compiles the comparisons' requirements. A requirement naming a
// comparison the model does not have is dropped: the level then always counts.
func requirementMasks(comps []Comparison) ([]requirementMask, error) {
	var out []requirementMask
	for c, comp := range comps {
		for _, r := range comp.Requires {
			l := slices.Index(comp.LevelNames(), r.Level)
			if l < 1 {
				return nil, fmt.Errorf("score: comparison %q requires for level %q, which it does not have", comp.Name, r.Level)
			}
			o := slices.IndexFunc(comps, func(x Comparison) bool { return x.Name == r.Comparison })
			if o < 0 {
				continue
			}
			names := comps[o].LevelNames()
			var allowed uint32
			for _, name := range r.Levels {
				k := slices.Index(names, name)
				if k < 0 {
					return nil, fmt.Errorf("score: comparison %q requires %q at level %q, which it does not have", comp.Name, r.Comparison, name)
				}
				allowed |= 1 << k
			}
			out = append(out, requirementMask{comp: c, other: o, level: uint8(l), allowed: allowed})
		}
	}
	return out, nil
}

// Scorer returns a scorer of records of a against records of b. It keeps a compact
// copy of both tables' features (one row per record, made in parallel); the tables'
// rows must not change while it is in use, except by appending rows (see Sync).
// Term-frequency adjustments are read from record i of a when the pair agrees exactly.
// To score the same tables with another model without copying them again, use
// WithModel.
func (m *Model) Scorer(a, b *normalize.Table) (*Scorer, error) {
	return m.scorer(a, b, nil)
}

// WithModel returns a scorer of s's tables with model m's parameters. When m has
// comparisons that read the same features as s's, the two scorers share s's copy of
// the tables, so that training a model in rounds does not copy a large table each time.
func (s *Scorer) WithModel(m Model) (*Scorer, error) {
	return m.scorer(s.a, s.b, s)
}

func (m *Model) scorer(a, b *normalize.Table, like *Scorer) (*Scorer, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	s := &Scorer{a: a, b: b, prior: math.Log2(m.Prior / (1 - m.Prior))}
	for c, comp := range m.Comparisons {
		k, _ := compile(comp)
		s.comps = append(s.comps, k)
		w := make([]float64, k.levels)
		for l := 1; l < k.levels; l++ {
			w[l] = levelWeight(m.M[c][l], m.U[c][l])
		}
		s.weight = append(s.weight, w)
		s.byKey = append(s.byKey, w...)
		s.byKey = append(s.byKey, make([]float64, 16-len(w))...)
	}
	s.tfs = make([]*TermFrequencies, len(s.comps))
	s.uExact = make([]float64, len(s.comps))
	for c := range s.comps {
		if c < len(m.TermFrequencies) {
			s.tfs[c] = m.TermFrequencies[c]
		}
		s.uExact[c] = math.Max(m.U[c][LevelExact], minProbability)
	}
	s.fillTF()
	s.swapMask = ^uint64(0)
	for c, k := range s.comps {
		switch k.Kind {
		case KindNameSwap:
			s.swapBit = 1 << (4 * c) // level 1, swapped
		case KindGivenName, KindFamilyName:
			s.swapMask &^= 15 << (4 * c)
		}
	}
	if s.swapBit == 0 {
		s.swapMask = ^uint64(0)
	}
	s.requires, _ = requirementMasks(m.Comparisons) // validated above
	s.lay, s.ops = planSketch(s.comps)
	if like != nil && slices.Equal(like.lay.features, s.lay.features) {
		s.sa, s.sb = like.sa, like.sb
		return s, nil
	}
	sb := newSketch(&s.lay, b)
	s.sb, s.sa = &sb, &sb
	if a != b {
		sa := newSketch(&s.lay, a)
		s.sa = &sa
	}
	return s, nil
}

// Sync sketches the rows appended to the scorer's tables since it was made or last
// synced. Pairs with a row added since are scored correctly without it, only more
// slowly. Sync must not run at the same time as other methods of s.
func (s *Scorer) Sync() {
	s.sb.extend(&s.lay, s.b)
	if s.sa != s.sb {
		s.sa.extend(&s.lay, s.a)
	}
}

// rows returns the sketch rows of record i of a and j of b, or nil when either is not
// sketched.
func (s *Scorer) rows(i, j int) (x, y []byte) {
	if i >= s.sa.n || j >= s.sb.n {
		return nil, nil
	}
	return s.sa.row(i), s.sb.row(j)
}

// Prefetch asks the processor to start loading the rows of records i and j, for a
// caller scoring many pairs to call some pairs ahead of Key: the rows of a roll of a
// million records are far from the cache, and their loads then overlap with the scoring
// of the pairs between. It changes no result.
func (s *Scorer) Prefetch(i, j int) {
	s.sa.prefetch(i)
	s.sb.prefetch(j)
}

// For returns a scorer of records of a against the same b, sharing s's compiled
// comparisons, weights and copy of b: for an index that scores one query table after
// another without validating and compiling the model, or copying b, each time. Its cost
// grows with a only.
func (s *Scorer) For(a *normalize.Table) *Scorer {
	t := *s
	t.a = a
	t.fillTF()
	if a == s.b {
		t.sa = s.sb
	} else {
		sa := newSketch(&s.lay, a)
		t.sa = &sa
	}
	return &t
}

// fillTF computes the term-frequency adjustments of the records of s.a.
func (s *Scorer) fillTF() {
	s.tf = make([][]float64, len(s.comps))
	for c := range s.comps {
		tf := s.tfs[c]
		if !s.comps[c].TermFrequency || tf == nil || tf.Total == 0 {
			continue
		}
		adj := make([]float64, s.a.Len())
		get := tfAccessor(s.comps[c])
		// The exact level adjusted stays over every fuzzier level: a common name agreeing
		// is no weaker evidence than a nickname or a typo of it.
		floor := -float64(maxTFAdjustment)
		if w := s.weight[c]; len(w) > 3 {
			floor = math.Max(floor, slices.Max(w[2:len(w)-1])-w[LevelExact])
		}
		inParallel(0, len(adj), func(from, to int) {
			for i := from; i < to; i++ {
				if v := get(s.a, i); v != "" {
					adj[i] = math.Max(floor, clampTF(math.Log2(s.uExact[c]/tf.Frequency(v))))
				}
			}
		})
		s.tf[c] = adj
	}
}

// maxTFAdjustment bounds the term-frequency adjustment in bits: rarity is evidence, but
// a value seen once in the training data is not proof.
const maxTFAdjustment = 4

func clampTF(x float64) float64 { return math.Max(-maxTFAdjustment, math.Min(maxTFAdjustment, x)) }

// tfAccessor reads the value whose frequency adjusts a comparison's exact level.
func tfAccessor(k compiled) accessor {
	switch k.Kind {
	case KindGivenName:
		get, _ := accessorFor(normalize.RoleGiven)
		return get
	case KindFamilyName:
		get, _ := accessorFor(normalize.RoleFamily)
		return get
	case KindBirthDate:
		return func(t *normalize.Table, i int) string {
			if t.BirthDate[i].IsZero() {
				return ""
			}
			d := t.BirthDate[i].Digits()
			return string(d[:])
		}
	}
	if k.get != nil {
		return k.get
	}
	return func(*normalize.Table, int) string { return "" }
}

// Len returns the number of comparisons.
func (s *Scorer) Len() int { return len(s.comps) }

// AppendLevels appends the comparison vector of record i of a and record j of b: one
// level per comparison.
func (s *Scorer) AppendLevels(dst []uint8, i, j int) []uint8 {
	key := s.Key(i, j)
	for c := range s.comps {
		dst = append(dst, LevelOf(key, c))
	}
	return dst
}

// Key returns the comparison vector packed four bits per comparison, comparison c in bits
// 4c to 4c+3: the key under which PatternCounts counts it.
func (s *Scorer) Key(i, j int) uint64 {
	return s.Require(s.RawKey(i, j))
}

// RawKey is Key before the requirements (Comparison.Requires) set levels to null: the
// levels the values reached, as rules about the records (cannot-link) read them, where Key
// is the evidence the model weighs. An SSID one digit off is one_edit in RawKey whatever
// the given names; in Key it is null unless they agree.
func (s *Scorer) RawKey(i, j int) uint64 {
	x, y := s.rows(i, j)
	var key uint64
	if x == nil {
		for c := range s.comps {
			key |= uint64(s.comps[c].level(s.a, i, s.b, j)) << (4 * c)
		}
	} else {
		var deferred uint32
		key, deferred = s.fastKey(x, y, i, j)
		for deferred != 0 {
			c := bits.TrailingZeros32(deferred)
			deferred &= deferred - 1
			key |= uint64(s.comps[c].level(s.a, i, s.b, j)) << (4 * c)
		}
	}
	if key&(15*s.swapBit) == s.swapBit && s.swapBit != 0 {
		key &= s.swapMask
	}
	return key
}

// Require sets to null each level of a raw key (RawKey) whose requirement the key does not
// meet, giving Key.
func (s *Scorer) Require(key uint64) uint64 {
	for _, r := range s.requires {
		if LevelOf(key, r.comp) == r.level && r.allowed&(1<<LevelOf(key, r.other)) == 0 {
			key &^= 15 << (4 * r.comp)
		}
	}
	return key
}

// LevelOf returns comparison c's level in a packed key.
func LevelOf(key uint64, c int) uint8 { return uint8(key>>(4*c)) & 15 }

// Weight returns the match weight of the pair: log2 of the posterior odds that the two
// records match, the prior's log-odds plus each comparison's log2(m/u) with its
// term-frequency adjustment.
func (s *Scorer) Weight(i, j int) float64 {
	return s.KeyWeight(s.Key(i, j), i)
}

// KeyWeight is Weight for a pair whose comparison vector (as Key packs it) is already
// known; i is the pair's record in a, whose values give the term-frequency adjustments.
func (s *Scorer) KeyWeight(key uint64, i int) float64 {
	w := s.prior
	for c := range s.comps {
		l := LevelOf(key, c)
		w += s.byKey[c<<4|int(l)]
		if l == LevelExact && s.tf[c] != nil {
			w += s.tf[c][i]
		}
	}
	return w
}

// Term is one comparison's part of an explanation.
type Term struct {
	Comparison string `json:"comparison"`
	Level      int    `json:"level"`
	LevelName  string `json:"level_name"`
	// Weight is log2(m/u) of the level; TermFrequency the adjustment for how common the
	// agreeing value is. Both are 0 for the null level.
	Weight        float64 `json:"weight"`
	TermFrequency float64 `json:"term_frequency,omitempty"`
	// NotCounted names the level the values reached where a requirement
	// (Comparison.Requires) made it null: "one_edit" for SSIDs a digit apart whose
	// given names differ.
	NotCounted string `json:"not_counted,omitempty"`
}

// Explanation accounts for a pair's match weight: Prior plus every term's Weight and
// TermFrequency, added in order, is exactly Weight.
type Explanation struct {
	Prior       float64 `json:"prior"`
	Terms       []Term  `json:"terms"`
	Weight      float64 `json:"weight"`
	Probability float64 `json:"probability"`
}

// Explain returns the pair's explanation.
func (s *Scorer) Explain(i, j int) Explanation {
	e := Explanation{Prior: s.prior}
	w := s.prior
	raw := s.RawKey(i, j)
	key := s.Require(raw)
	for c := range s.comps {
		k := &s.comps[c]
		l := LevelOf(key, c)
		t := Term{Comparison: k.Name, Level: int(l), LevelName: k.names[l], Weight: s.weight[c][l]}
		if r := LevelOf(raw, c); r != l {
			t.NotCounted = k.names[r]
		}
		w += t.Weight
		if l == LevelExact && s.tf[c] != nil {
			t.TermFrequency = s.tf[c][i]
			w += t.TermFrequency
		}
		e.Terms = append(e.Terms, t)
	}
	e.Weight = w
	e.Probability = Probability(w)
	return e
}

// String formats the explanation on one line.
func (e Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "prior %+.2f", e.Prior)
	for _, t := range e.Terms {
		fmt.Fprintf(&b, "; %s %s %+.2f", t.Comparison, t.LevelName, t.Weight)
		if t.NotCounted != "" {
			fmt.Fprintf(&b, " (%s, not counted)", t.NotCounted)
		}
		if t.TermFrequency != 0 {
			fmt.Fprintf(&b, " (tf %+.2f)", t.TermFrequency)
		}
	}
	fmt.Fprintf(&b, " = %.2f (p %.4f)", e.Weight, e.Probability)
	return b.String()
}
