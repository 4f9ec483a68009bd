// Package normalize turns raw strings from district submissions into comparable values.
//
// It owns Unicode folding (built on golang.org/x/text), name parsing into given, middle,
// family and suffix (including "Last, First Middle", suffixes glued to the family name,
// titles before a name and a middle initial written into the given name),
// the nickname groups (and the other spellings of a diminutive the table lacks), phonetic
// codes (through github.com/antzucaro/matchr, always on the folded form), date parsing,
// a column's date order (day or month first) and birth-date plausibility, street
// addresses in USPS's standard words, sex and grade-level codes and the class a grade and
// an entry date give (ClassOf), identifier cleaning,
// and the markers exports write for a missing value (NA, NULL, N/A).
//
// It also owns the prepared form of a record: a [Table] stores, column by column, the
// typed features (folded text and its tokens, phonetic codes, nickname groups, dates as
// day numbers, codes as enums) that blocking, scoring and the incremental index read by
// record index. Everything is computed once per record, so nothing in a pair loop parses
// text or allocates.
//
// Functions are pure over read-only tables and never panic, whatever the input (invalid
// UTF-8, NUL bytes, megabyte strings, empty strings). Errors name the value that was wrong.
package normalize
