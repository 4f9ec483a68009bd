package score

import (
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/studentlink/studentlink/normalize"
)

// accessor reads a role of record i as a comparable string; "" is missing. Enum roles
// map to constant strings, so reading never allocates.
type accessor func(t *normalize.Table, i int) string

// sexNames are the sexes as the sex comparison reads them: non-binary (X) as missing,
// since against F or M it says nothing of one child or two (normalize.OppositeSexes).
var sexNames = [...]string{normalize.SexUnknown: "", normalize.SexFemale: "f", normalize.SexMale: "m", normalize.SexNonBinary: ""}

func accessorFor(role normalize.Role) (accessor, bool) {
	switch role {
	case normalize.RoleGiven:
		return func(t *normalize.Table, i int) string { return t.Given[i].Key }, true
	case normalize.RoleMiddle:
		return func(t *normalize.Table, i int) string { return t.Middle[i].Key }, true
	case normalize.RoleFamily:
		return func(t *normalize.Table, i int) string { return t.Family[i].Key }, true
	case normalize.RoleSuffix:
		return func(t *normalize.Table, i int) string { return t.Suffix[i] }, true
	case normalize.RoleSex:
		return func(t *normalize.Table, i int) string {
			if s := int(t.Sex[i]); s < len(sexNames) {
				return sexNames[s]
			}
			return ""
		}, true
	case normalize.RoleSSID:
		return func(t *normalize.Table, i int) string { return t.SSID[i] }, true
	case normalize.RoleLocalID:
		return func(t *normalize.Table, i int) string { return t.LocalID[i] }, true
	case normalize.RoleGrade:
		return func(t *normalize.Table, i int) string { return t.Grade[i].String() }, true
	case normalize.RoleClassOf:
		return func(t *normalize.Table, i int) string { return t.ClassOf[i] }, true
	case normalize.RoleAddress:
		return func(t *normalize.Table, i int) string { return t.Address[i].Key }, true
	case normalize.RoleCity:
		return func(t *normalize.Table, i int) string { return t.City[i].Key }, true
	case normalize.RoleZip:
		return func(t *normalize.Table, i int) string { return t.Zip[i] }, true
	case normalize.RoleLEA:
		return func(t *normalize.Table, i int) string { return t.LEA[i] }, true
	case normalize.RoleSchool:
		return func(t *normalize.Table, i int) string { return t.School[i] }, true
	case normalize.RoleEmail:
		return func(t *normalize.Table, i int) string { return t.Email[i] }, true
	case normalize.RolePhone:
		return func(t *normalize.Table, i int) string { return t.Phone[i] }, true
	}
	if name, ok := role.ExtraName(); ok {
		return func(t *normalize.Table, i int) string {
			if k := extraIndex(t, name); k >= 0 {
				return t.Extra[k][i].Key
			}
			return ""
		}, true
	}
	return nil, false
}

// textAccessor reads a Text role of record i, or nil when the role is not text.
type textAccessor func(t *normalize.Table, i int) *normalize.Text

func textAccessorFor(role normalize.Role) textAccessor {
	switch role {
	case normalize.RoleGiven:
		return func(t *normalize.Table, i int) *normalize.Text { return &t.Given[i].Text }
	case normalize.RoleMiddle:
		return func(t *normalize.Table, i int) *normalize.Text { return &t.Middle[i].Text }
	case normalize.RoleFamily:
		return func(t *normalize.Table, i int) *normalize.Text { return &t.Family[i].Text }
	case normalize.RoleAddress:
		return func(t *normalize.Table, i int) *normalize.Text { return &t.Address[i] }
	case normalize.RoleCity:
		return func(t *normalize.Table, i int) *normalize.Text { return &t.City[i] }
	}
	if name, ok := role.ExtraName(); ok {
		return func(t *normalize.Table, i int) *normalize.Text {
			if k := extraIndex(t, name); k >= 0 {
				return &t.Extra[k][i]
			}
			return nil
		}
	}
	return nil
}

// extraIndex finds an extra column by name; tables have few extras, so a scan is faster
// than a map.
func extraIndex(t *normalize.Table, name string) int {
	for k, n := range t.ExtraNames {
		if n == name {
			return k
		}
	}
	return -1
}

// compiled is a comparison ready to run on pairs of records.
type compiled struct {
	Comparison
	levels int
	names  []string // LevelNames, made once
	get    accessor
	text   textAccessor
	// For the name kinds, the level indexes after "exact".
	jwFirst, initial, phonetic, middleSwap int
	// off are the row offsets of the features the fast path reads (planSketch).
	off [3]int
	// prune decides when letter counts rule out the Jaro–Winkler levels (setPrune).
	prune *pruneTable
}

func compile(c Comparison) (compiled, error) {
	if err := c.Validate(); err != nil {
		return compiled{}, err
	}
	k := compiled{Comparison: c, names: c.LevelNames()}
	k.levels = len(k.names)
	switch c.Kind {
	case KindGivenName:
		k.jwFirst = 3
		k.initial = 3 + len(c.Thresholds)
		k.phonetic = k.initial + 1
		k.middleSwap = k.phonetic + 1
	case KindFamilyName:
		k.jwFirst = 3
		k.phonetic = 3 + len(c.Thresholds)
	case KindText:
		k.jwFirst = 2
		k.text = textAccessorFor(c.Role)
		k.get, _ = accessorFor(c.Role)
	case KindLocation:
		k.jwFirst = 2
	case KindID, KindExact:
		k.get, _ = accessorFor(c.Role)
	}
	return k, nil
}

// elseLevel is the last level.
func (k *compiled) elseLevel() uint8 { return uint8(k.levels - 1) }

// level returns the comparison's level for record i of a against record j of b.
func (k *compiled) level(a *normalize.Table, i int, b *normalize.Table, j int) uint8 {
	switch k.Kind {
	case KindGivenName:
		return k.givenLevel(a, i, b, j)
	case KindFamilyName:
		return k.familyLevel(a, i, b, j)
	case KindBirthDate:
		return birthDateLevelOf(a, i, b, j)
	case KindID:
		return idLevel(k.get(a, i), k.get(b, j), contactRole(k.Role))
	case KindExact:
		x, y := k.get(a, i), k.get(b, j)
		switch {
		case x == "" || y == "":
			return LevelNull
		case x == y:
			return LevelExact
		}
		return 2
	case KindText:
		return k.textLevel(a, i, b, j)
	case KindNameSwap:
		return nameSwapLevel(a, i, b, j)
	case KindLocation:
		return k.locationLevel(a, i, b, j)
	}
	return LevelNull
}

// cityThreshold is the Jaro–Winkler similarity at which two city names count as one.
const cityThreshold = 0.9

// locationLevel: the same address, a similar one, the same zip, the same city, else.
func (k *compiled) locationLevel(a *normalize.Table, i int, b *normalize.Table, j int) uint8 {
	ax, ay := &a.Address[i], &b.Address[j]
	zx, zy := a.Zip[i], b.Zip[j]
	cx, cy := &a.City[i], &b.City[j]
	compared := false
	if !ax.Empty() && !ay.Empty() {
		if ax.Key == ay.Key {
			return LevelExact
		}
		if l := k.jwLevel(ax, ay); l != 0 && sameHouse(ax.Key, ay.Key) {
			return l
		}
		compared = true
	}
	zip, city := uint8(k.levels-3), uint8(k.levels-2)
	if zx != "" && zy != "" {
		if zx == zy {
			return zip
		}
		compared = true
	}
	if !cx.Empty() && !cy.Empty() {
		if cx.Key == cy.Key || JaroWinklerText(*cx, *cy) >= cityThreshold {
			return city
		}
		compared = true
	}
	if compared {
		return k.elseLevel()
	}
	return LevelNull
}

// sameHouse reports whether two address keys may be one house: their leading numbers
// (the house number) are the same, or one has none. "6 Elm St" and "9 Elm St" are
// neighbours, however alike the rest: a similar address is a typo in the street, and a
// house number typed wrong is left to the zip and city.
func sameHouse[T string | []byte](x, y T) bool {
	nx, ny := leadingDigits(x), leadingDigits(y)
	return nx == 0 || ny == 0 || string(x[:nx]) == string(y[:ny])
}

// leadingDigits counts the ASCII digits s starts with.
func leadingDigits[T string | []byte](s T) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// jwLevel returns the first Jaro–Winkler level whose threshold the pair reaches, or 0.
func (k *compiled) jwLevel(x, y *normalize.Text) uint8 {
	if len(k.Thresholds) == 0 {
		return 0
	}
	return k.jwLevelOf(JaroWinklerText(*x, *y))
}

// jwLevelOf returns the first Jaro–Winkler level whose threshold s reaches, or 0.
func (k *compiled) jwLevelOf(s float64) uint8 {
	for n, t := range k.Thresholds {
		if s >= t {
			return uint8(k.jwFirst + n)
		}
	}
	return 0
}

func (k *compiled) textLevel(a *normalize.Table, i int, b *normalize.Table, j int) uint8 {
	x, y := k.text(a, i), k.text(b, j)
	if x == nil || y == nil || x.Empty() || y.Empty() {
		return LevelNull
	}
	if x.Key == y.Key {
		return LevelExact
	}
	if l := k.jwLevel(x, y); l != 0 {
		return l
	}
	return k.elseLevel()
}

// nameLevel is the level of one pair of given names (given kind) or family names.
func (k *compiled) nameLevel(x, y *normalize.NamePart) uint8 {
	if x.Key == y.Key {
		return LevelExact
	}
	if k.Kind == KindGivenName {
		if normalize.SameNicknameGroup(x.Nicknames, y.Nicknames) {
			return 2
		}
		if l, ok := k.oneWordApart(x, y); ok {
			return l
		}
	} else if isToken(x.Key, y.Tokens) || isToken(y.Key, x.Tokens) {
		return 2
	} else if otherWordsDiffer(x, y) {
		return k.elseLevel()
	}
	if l := k.jwLevel(&x.Text, &y.Text); l != 0 {
		return l
	}
	if k.Kind == KindGivenName && isInitial(x.Key, y.Key) {
		return uint8(k.initial)
	}
	if samePhonetic(x, y, k.Kind == KindFamilyName) {
		return uint8(k.phonetic)
	}
	return k.elseLevel()
}

// oneWordApart is the level of two compound given names of as many words that differ in
// one word alone (Minh Khoa and Minh Khang, Thi Mai and Thi My, Maria Jose and Maria
// Luisa): that word's level, nicknames, Jaro–Winkler or else, for the word they share
// is a family's or a saint's and no evidence of one child, though it lifts the whole
// names' Jaro–Winkler (Minh Khoa and Minh Khang 0.94, Khoa and Khang 0.83). ok is false
// for any other pair, and where one word is an initial of the other (Maria J, Maria
// Jose), a letter off it (Tommi-Lee, Tommi-Lre) or alike in sound (Min Jun, Min Joon),
// which the whole names tell better.
func (k *compiled) oneWordApart(x, y *normalize.NamePart) (level uint8, ok bool) {
	n := len(x.Tokens)
	if n < 2 || len(y.Tokens) != n {
		return 0, false
	}
	at := -1
	for w := range n {
		if x.Tokens[w] != y.Tokens[w] {
			if at >= 0 {
				return 0, false
			}
			at = w
		}
	}
	if at < 0 {
		return 0, false
	}
	wx, wy := x.Tokens[at], y.Tokens[at]
	if isInitial(wx, wy) || OSA(wx, wy) <= 1 || soundAlike(wx, wy) {
		return 0, false // an initial, a typo or a spelling of the word: the whole names tell
	}
	// The nickname groups of the word itself: the first word's, or the later words' of
	// two-word names (those of longer ones hold the words they share too).
	switch {
	case at == 0 && normalize.SameNicknameGroup(x.FirstNicknames, y.FirstNicknames),
		n == 2 && normalize.SameNicknameGroup(x.LaterNicknames, y.LaterNicknames):
		return 2, true
	}
	if l := k.jwLevelOf(JaroWinkler(wx, wy)); l != 0 {
		return l, true
	}
	return k.elseLevel(), true
}

// soundAlike reports whether two words share a Double Metaphone code: one syllable
// romanized two ways (Jun and Joon, Hoon and Hun, Carlos and Karlos).
func soundAlike(a, b string) bool {
	pa, qa, _, _ := normalize.PhoneticCodes(a)
	pb, qb, _, _ := normalize.PhoneticCodes(b)
	return pa != "" && (pa == pb || pa == qb || qa == pb || qa == qb)
}

// isInitial reports whether one key is a single letter that starts the other.
func isInitial(x, y string) bool {
	if len(x) > len(y) {
		x, y = y, x
	}
	r, n := utf8.DecodeRuneInString(x)
	return n > 0 && n == len(x) && len(y) > n && strings.HasPrefix(y, x) && r != utf8.RuneError
}

// otherWordsDiffer reports whether two names of two words or more share a word and
// differ outright in the others, each side keeping a word of four letters or more (not
// a particle, a short name or an abbreviation such as Mtz or St) that is neither the
// same as, an abbreviation of, nor a typo of any of the other side's (a letter apart, or
// Jaro–Winkler ≥ wordTypo: "Martin" and "Hrtin"; "Dguez" for Domínguez): "García López"
// and "García Martínez" are cousins' family names, however alike the whole strings
// read. A name whose words are all within the other's ("García" and "García López",
// "López García") is not one of them.
func otherWordsDiffer(x, y *normalize.NamePart) bool {
	if len(x.Tokens) < 2 || len(y.Tokens) < 2 {
		return false
	}
	rx, ry := wordsNotIn(x.Tokens, y.Tokens), wordsNotIn(y.Tokens, x.Tokens)
	if len(rx) == 0 || len(ry) == 0 || !x.SharesWord(y) {
		return false
	}
	for _, a := range rx {
		for _, b := range ry {
			if abbreviates(a, b) || abbreviates(b, a) || OSA(a, b) <= 1 || JaroWinkler(a, b) >= wordTypo {
				return false
			}
		}
	}
	return true
}

// abbreviates reports whether short, shorter than long, is long abbreviated: its first
// letter and the rest in order within long ("dguez" dominguez, "hndz" hernandez).
func abbreviates(short, long string) bool {
	if len(short) >= len(long) || short[0] != long[0] {
		return false
	}
	j := 1
	for i := 1; i < len(long) && j < len(short); i++ {
		if long[i] == short[j] {
			j++
		}
	}
	return j == len(short)
}

// wordTypo is the Jaro–Winkler similarity from which two words of a name read as one
// word mistyped.
const wordTypo = 0.8

// wordsNotIn returns the words of xs, of four letters or more, that ys lacks: particles
// (de, dos, del, van, bin, ibn, al, ud) and names as short count neither way.
func wordsNotIn(xs, ys []string) []string {
	var out []string
	for _, w := range xs {
		if utf8.RuneCountInString(w) >= 4 && !slices.Contains(ys, w) {
			out = append(out, w)
		}
	}
	return out
}

func isToken(key string, tokens []string) bool {
	if len(tokens) < 2 {
		return false
	}
	for _, t := range tokens {
		if t == key {
			return true
		}
	}
	return false
}

// samePhonetic compares Double Metaphone codes, and for family names NYSIIS as well.
func samePhonetic(x, y *normalize.NamePart, nysiis bool) bool {
	return x.SoundsLike(y) || nysiis && x.NYSIIS != "" && x.NYSIIS == y.NYSIIS
}

// noName is the empty name part a lone name leaves behind when it moves (namesOf).
var noName = &normalize.NamePart{}

// loneName reports whether record i of t has one name, given or family, and no other
// names of either part.
func loneName(t *normalize.Table, i int) bool {
	return t.Given[i].Empty() != t.Family[i].Empty() && len(t.OtherGiven[i]) == 0 && len(t.OtherFamily[i]) == 0
}

// loneNameAlike is the Jaro–Winkler similarity at which a lone name counts as the other
// record's name (namesOf): the lowest name level of the presets.
const loneNameAlike = 0.85

// namesOf returns the given and family names of records i of a (gx, fx) and j of b (gy,
// fy) as they are compared: a lone name (loneName) that is alike the other record's other
// part and not its own part moves there — a surname recorded in the given-name field
// ("Birchensha", "" against "John", "Birchensha") is compared as a surname, and the given
// names, one of them now missing, as null. Names are alike when their keys are equal or
// their Jaro–Winkler similarity is at least loneNameAlike.
func namesOf(a *normalize.Table, i int, b *normalize.Table, j int) (gx, fx, gy, fy *normalize.NamePart) {
	gx, fx, gy, fy = a.Given[i], a.Family[i], b.Given[j], b.Family[j]
	loneA, loneB := loneName(a, i), loneName(b, j)
	if !loneA && !loneB {
		return gx, fx, gy, fy
	}
	// A lone given name is placed first, so that the order of the records does not matter.
	bFirst := loneB && !gy.Empty() && !(loneA && !gx.Empty())
	if bFirst {
		gy, fy, gx, fx = place(gy, fy, gx, fx)
	}
	if loneA {
		gx, fx, gy, fy = place(gx, fx, gy, fy)
	}
	if loneB && !bFirst {
		gy, fy, gx, fx = place(gy, fy, gx, fx)
	}
	return gx, fx, gy, fy
}

// place moves the lone name of (g, f) to the other part when it is alike the other
// record's (og, of) other part and not its own part.
func place(g, f, og, of *normalize.NamePart) (*normalize.NamePart, *normalize.NamePart, *normalize.NamePart, *normalize.NamePart) {
	alike := func(p, q *normalize.NamePart) bool {
		return !q.Empty() && (p.Key == q.Key || JaroWinklerText(p.Text, q.Text) >= loneNameAlike)
	}
	switch {
	case !g.Empty() && alike(g, of) && !alike(g, og):
		return noName, g, og, of
	case !f.Empty() && alike(f, og) && !alike(f, of):
		return f, noName, og, of
	}
	return g, f, og, of
}

func (k *compiled) givenLevel(a *normalize.Table, i int, b *normalize.Table, j int) uint8 {
	x, _, y, _ := namesOf(a, i, b, j)
	best := k.partLevel(x, a.OtherGiven[i], y, b.OtherGiven[j])
	if best > uint8(k.middleSwap) { // never for null, the lowest level
		mx, my := a.Middle[i], b.Middle[j]
		if middleSwapped(x, mx, y, my) || (laterToken(x, y) && middleFits(my, x)) || (laterToken(y, x) && middleFits(mx, y)) {
			best = uint8(k.middleSwap)
		}
	}
	// One given name written in two columns, given and middle, on one record and in the
	// given name's on the other (María José, María + José) is that name written
	// another way, as a nickname is.
	if best > 2 && (splitGiven(x, y, b.Middle[j]) || splitGiven(y, x, a.Middle[i])) {
		best = 2
	}
	// A compound given name's first word alone ("Ana" for "Ana Sofía") is alike it as
	// "Juan" is "Juan Carlos" by Jaro–Winkler, however long the word left out: the
	// lowest Jaro–Winkler level, no closer (twins are Ana Sofía and Ana Lucía).
	if best == k.elseLevel() && len(k.Thresholds) > 0 && (firstWord(x, y) || firstWord(y, x)) {
		best = uint8(k.jwFirst + len(k.Thresholds) - 1)
	}
	return best
}

// splitGiven reports whether p, a compound given name, is q and m, another record's
// given and middle names, written together, its first word q's or a form of it (Ma.
// Guadalupe and María + Guadalupe).
func splitGiven(p, q, m *normalize.NamePart) bool {
	return len(p.Tokens) > 1 && (p.Joins(q, m) ||
		len(p.Tokens) == 2 && p.Tokens[1] == m.Key && normalize.SameNicknameGroup(p.FirstNicknames, q.Nicknames))
}

// firstWord reports whether q, a one-word name, is the first word of p's compound name.
func firstWord(p, q *normalize.NamePart) bool {
	return len(p.Tokens) > 1 && len(q.Tokens) == 1 && p.Tokens[0] == q.Key
}

// middleSwapped reports whether one record's given name (x or y) is the other's middle
// name (my or mx) or a nickname of it (Gaby for María Gabriela), its own middle name
// fitting the other's given name (middleFits).
func middleSwapped(x, mx, y, my *normalize.NamePart) bool {
	return !x.Empty() && sameName(x, my) && middleFits(mx, y) || !y.Empty() && sameName(y, mx) && middleFits(my, x)
}

// sameName reports whether two names are the same or nicknames of one name.
func sameName(p, q *normalize.NamePart) bool {
	return p.Key == q.Key || normalize.SameNicknameGroup(p.Nicknames, q.Nicknames)
}

// middleFits reports whether m, the middle name of a record that goes by the other's
// middle name, can be the other's given name g: missing, the same or a nickname, or its
// initial. "Mia" and "Emma Mia" may be one child known by her middle name; "Mia Amelia"
// and "Emma Mia" are two, twins as often as not.
func middleFits(m *normalize.NamePart, g *normalize.NamePart) bool {
	switch {
	case m.Empty() || g.Empty() || sameName(m, g):
		return true
	case len(g.Tokens) > 1 && m.Key == g.Tokens[0]:
		return true // "Juan" in "Juan Carlos"
	}
	return len(m.Key) == 1 && m.Key[0] == g.Key[0]
}

// laterToken reports whether q, a one-word name, is a later word of p's compound name or
// a nickname of one: "Carlos" or "Charlie" against "Juan Carlos", a middle name written
// into the given name and used as the given name.
func laterToken(p, q *normalize.NamePart) bool {
	return len(p.Tokens) > 1 && len(q.Tokens) == 1 &&
		(slices.Contains(p.Tokens[1:], q.Key) || normalize.SameNicknameGroup(p.LaterNicknames, q.Nicknames))
}

func (k *compiled) familyLevel(a *normalize.Table, i int, b *normalize.Table, j int) uint8 {
	_, x, _, y := namesOf(a, i, b, j)
	return k.partLevel(x, a.OtherFamily[i], y, b.OtherFamily[j])
}

// partLevel is the level of one name part, x against y, each record's other names for it
// (aliases, earlier legal names) ox and oy tried too: null when either record has none
// of them, else the best level over every pair.
func (k *compiled) partLevel(x *normalize.NamePart, ox []normalize.NamePart, y *normalize.NamePart, oy []normalize.NamePart) uint8 {
	if x.Empty() && len(ox) == 0 || y.Empty() && len(oy) == 0 {
		return LevelNull
	}
	best := k.elseLevel()
	if !x.Empty() && !y.Empty() {
		best = k.nameLevel(x, y)
	}
	if best > LevelExact && (len(ox) > 0 || len(oy) > 0) {
		best = k.bestOver(x, ox, y, oy, best)
	}
	return best
}

// bestOver improves best over every pair of names drawn from {x} ∪ ox and {y} ∪ oy.
func (k *compiled) bestOver(x *normalize.NamePart, ox []normalize.NamePart, y *normalize.NamePart, oy []normalize.NamePart, best uint8) uint8 {
	try := func(p, q *normalize.NamePart) {
		if !p.Empty() && !q.Empty() {
			if l := k.nameLevel(p, q); l < best {
				best = l
			}
		}
	}
	for n := range ox {
		try(&ox[n], y)
		for m := range oy {
			try(&ox[n], &oy[m])
		}
	}
	for m := range oy {
		try(x, &oy[m])
	}
	return best
}

// Birth-date levels.
const (
	dateSwapped     = 2
	dateOneDigit    = 3
	dateWithinMonth = 4
	dateTwoParts    = 5
	dateSameYear    = 6
	dateTwoDigits   = 7
	dateElse        = 8
)

// birthDateLevelOf compares the birth dates of record i of a and j of b, or, where one
// names no day, the numbers written for it.
func birthDateLevelOf(a *normalize.Table, i int, b *normalize.Table, j int) uint8 {
	x, y := a.BirthDate[i], b.BirthDate[j]
	if !x.IsZero() && !y.IsZero() {
		return birthDateLevel(x, y)
	}
	if x.IsZero() {
		x = a.WrittenBirthDate[i]
	}
	if y.IsZero() {
		y = b.WrittenBirthDate[j]
	}
	if x.IsZero() || y.IsZero() {
		return LevelNull
	}
	if x.Partial() || y.Partial() {
		return partialDateLevel(x, y)
	}
	return writtenDateLevel(x, y)
}

// partialDateLevel compares dates of which one names no day ("2012", "March 2012",
// "1982-01-00") by the parts both name. Where both name a month: written alike but for
// a digit or the day and month swapped (a 00 day is as often a typo as a day not known:
// "1982-01-00" and "1982-01-05") as full dates are, the year and month the same two
// parts, the month the same and the year a digit off one digit, the year alone the same
// year. Where one names the year alone, only the same year agrees: a year a digit off is
// another year. Anything else disagrees outright.
func partialDateLevel(x, y normalize.Date) uint8 {
	months := x.Month != 0 && y.Month != 0
	if l := writtenAlike(x, y); months && l != 0 && l != LevelExact {
		return l
	}
	switch {
	case x.Year == y.Year && months && x.Month == y.Month:
		return dateTwoParts
	case x.Year == y.Year:
		return dateSameYear
	case months && x.Month == y.Month:
		if dx, dy := x.Digits(), y.Digits(); oneEdit(dx[:4], dy[:4]) {
			return dateOneDigit
		}
	}
	return dateElse
}

func birthDateLevel(x, y normalize.Date) uint8 {
	if x.IsZero() || y.IsZero() {
		return LevelNull
	}
	if l := writtenAlike(x, y); l != 0 {
		return l
	}
	diff := x.DayNumber() - y.DayNumber()
	if diff >= -31 && diff <= 31 {
		return dateWithinMonth
	}
	return partsLevel(x, y, abs(int(diff)))
}

// writtenAlike is the level of two dates written alike: the same, day and month swapped,
// or one digit of YYYYMMDD apart; 0 when none holds.
func writtenAlike(x, y normalize.Date) uint8 {
	switch {
	case x == y:
		return LevelExact
	case x.Year == y.Year && x.Month == y.Day && x.Day == y.Month:
		return dateSwapped
	}
	if dx, dy := x.Digits(), y.Digits(); oneEdit(dx[:], dy[:]) {
		return dateOneDigit
	}
	return 0
}

// partsLevel is the level of two dates that differ in more than a digit and a month:
// two of year, month and day the same (one part mistyped outright), the year alone,
// two digits of YYYYMMDD apart in different years and at most twoDigitsSpan days (a
// year and a day each a keystroke off), neither. days is how many days apart they are.
func partsLevel(x, y normalize.Date, days int) uint8 {
	same := 0
	for _, eq := range [3]bool{x.Year == y.Year, x.Month == y.Month, x.Day == y.Day} {
		if eq {
			same++
		}
	}
	dx, dy := x.Digits(), y.Digits()
	return partsLevelOf(same, x.Year == y.Year, differingBytes(binary.LittleEndian.Uint64(dx[:]), binary.LittleEndian.Uint64(dy[:])), days)
}

// twoDigitsSpan is the most days two birth dates two digits apart may be for the
// two_digits level: a year's digit and a day's, not a decade's (2005 and 2015 are two
// grades ten apart).
const twoDigitsSpan = 400

// partsLevelOf is partsLevel given how many of year, month and day are the same,
// whether the year is, how many digits of YYYYMMDD differ and how many days apart the
// dates are.
func partsLevelOf(same int, sameYear bool, digitsApart, days int) uint8 {
	switch {
	case same >= 2:
		return dateTwoParts
	case sameYear:
		return dateSameYear
	case digitsApart == 2 && days <= twoDigitsSpan:
		return dateTwoDigits
	}
	return dateElse
}

// writtenDateLevel compares dates of which one or both name no day, by their numbers:
// no day distance can be taken, and a date known to be mistyped that agrees in less than
// two parts tells nothing either way (null).
func writtenDateLevel(x, y normalize.Date) uint8 {
	if l := writtenAlike(x, y); l != 0 {
		return l
	}
	if l := partsLevel(x, y, 0); l == dateTwoParts {
		return l
	}
	return LevelNull
}

// oneEdit reports whether equal-length x and y differ by one substitution or one
// transposition of adjacent bytes.
func oneEdit[S ~string | ~[]byte](x, y S) bool { return Typos(x, y, 1) == 1 }

// Typos counts the substitutions and transpositions of adjacent bytes that make
// equal-length x from y, up to most+1 (more are not counted); x and y of different
// lengths are most+1 apart.
func Typos[S ~string | ~[]byte](x, y S, most int) int {
	if len(x) != len(y) {
		return most + 1
	}
	n := 0
	for i := 0; i < len(x) && n <= most; i++ {
		if x[i] == y[i] {
			continue
		}
		if i+1 < len(x) && x[i] == y[i+1] && x[i+1] == y[i] {
			i++ // a transposition is one typo, not two
		}
		n++
	}
	return n
}

// idLevel is the level of two identifiers: null, exact, one_edit (a byte typed wrong, two
// swapped, or, for a contact, one inserted or left out), two_edits (two such typos in
// the digits; an ID's levels only) or else. An ID is a fixed number of digits; an e-mail
// address or a phone number as typed is not, so contacts take indels ("roberta25" for
// "robert25", a digit typed twice), and their levels end at one_edit: two typos in an
// address are another address as often as the same one mistyped.
func idLevel(x, y string, contact bool) uint8 {
	switch {
	case x == "" || y == "":
		return LevelNull
	case x == y:
		return LevelExact
	}
	return nearIDLevel(x, y, contact)
}

// nearIDLevel is idLevel for two identifiers, neither empty, that differ.
func nearIDLevel[S ~string | ~[]byte](x, y S, contact bool) uint8 {
	switch n := Typos(x, y, 2); {
	case n == 1 || contact && oneIndel(x, y) || prefixDropped(x, y):
		return 2
	case contact:
		return 3
	case n == 2 && digitsDiffer(x, y):
		return 3
	}
	return 4
}

// digitsDiffer reports whether equal-length x and y differ only where both hold digits:
// an ID's letters name who issued it (Ohio's AE1234567 and BK1234567 are two children's).
func digitsDiffer[S ~string | ~[]byte](x, y S) bool {
	for i := range len(x) {
		if x[i] != y[i] && (x[i] < '0' || x[i] > '9' || y[i] < '0' || y[i] > '9') {
			return false
		}
	}
	return true
}

// prefixDropped reports whether x and y, of different lengths, are one ID once the
// longer's leading zeros or letters are dropped: a spreadsheet reads 0412938401 as a
// number and writes 412938401; one district writes the state's code before the number
// (UT5377001234), another the number alone.
func prefixDropped[S ~string | ~[]byte](x, y S) bool {
	if len(x) < len(y) {
		x, y = y, x
	}
	n := len(x) - len(y)
	if n == 0 || len(y) == 0 {
		return false
	}
	zeros, letters := y[0] != '0', '0' <= y[0] && y[0] <= '9'
	for i := range n {
		zeros = zeros && x[i] == '0'
		letters = letters && 'A' <= x[i] && x[i] <= 'Z'
	}
	return (zeros || letters) && string(x[n:]) == string(y)
}

// contactRole reports whether role is an e-mail address or a phone number, whose
// one_edit level also takes one character inserted or left out (idLevel).
func contactRole(role normalize.Role) bool {
	return role == normalize.RoleEmail || role == normalize.RolePhone
}

// oneIndel reports whether x and y differ by one byte inserted in one of them.
func oneIndel[S ~string | ~[]byte](x, y S) bool {
	if len(x) < len(y) {
		x, y = y, x
	}
	if len(x) != len(y)+1 {
		return false
	}
	n := 0
	for n < len(y) && x[n] == y[n] {
		n++
	}
	return string(x[n+1:]) == string(y[n:])
}

// nameSwapLevel: given and family names swapped between the records.
func nameSwapLevel(a *normalize.Table, i int, b *normalize.Table, j int) uint8 {
	gx, fx, gy, fy := a.Given[i], a.Family[i], b.Given[j], b.Family[j]
	if gx.Empty() || fx.Empty() || gy.Empty() || fy.Empty() {
		return LevelNull
	}
	if gx.Key == fx.Key || gy.Key == fy.Key {
		return 2 // "Lee Lee": a swap cannot be told
	}
	if gx.Key == gy.Key || fx.Key == fy.Key {
		return 2 // "Lars Larsen" twice: the names agree as they stand, however alike the swap
	}
	// Swapped names start with the same letters (Jaro–Winkler ≥ 0.92 on names whose first
	// letters differ is rare); checking that first spares two metric calls per pair.
	if gx.Key[0] != fy.Key[0] || fx.Key[0] != gy.Key[0] {
		return 2
	}
	if (gx.Key == fy.Key || JaroWinklerText(gx.Text, fy.Text) >= 0.92) &&
		(fx.Key == gy.Key || JaroWinklerText(fx.Text, gy.Text) >= 0.92) {
		return 1
	}
	return 2
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
