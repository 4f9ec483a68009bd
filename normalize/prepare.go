package normalize

// Options configure how records are prepared.
type Options struct {
	// Dates configures date parsing (day-first reading, two-digit-year pivot).
	Dates DateOptions
	// Nicknames is the nickname table; nil means DefaultNicknames().
	Nicknames *Nicknames
}

// Preparer fills Table rows from Records. It caches the features of name values it has
// seen, so that a roll in which "Garcia" appears ten thousand times folds and encodes it
// once. It is safe for concurrent use; concurrent Fill calls must use different rows.
type Preparer struct {
	opt Options
}

// NewPreparer returns a Preparer with the given options.
func NewPreparer(opt Options) *Preparer { return &Preparer{opt: opt} }

// Fill prepares r into row i of t. A value that cannot be prepared (a date like
// "13/45/2011", an SSID of letters) is left missing and reported as a FieldError; the
// other values are still prepared.
func (p *Preparer) Fill(t *Table, i int, r Record) []*FieldError {
	panic("normalize: Preparer.Fill not implemented yet")
}
