// Package score decides how similar two prepared records are and how much evidence that
// is that they describe the same student.
//
// It owns the string metrics (Jaro, Jaro–Winkler, Levenshtein and optimal-string-alignment
// Damerau–Levenshtein, allocation-free with an ASCII fast path, checked against
// github.com/antzucaro/matchr and github.com/hbollon/go-edlib), comparisons with ordered
// levels, the Fellegi–Sunter model with its m and u probabilities, EM training over
// distinct comparison vectors (with the weights kept in the order of the levels, and a
// sample standing for pairs not counted one by one), u estimation from random pairs, the
// documented defaults and the checks of a fit, term-frequency adjustment, per-pair
// explanations, and the model's JSON form.
//
// It reads prepared features from a normalize.Table by record index; it never reads files
// and knows nothing of clusters. A Scorer keeps a compact copy of the features its
// comparisons read, one row of bytes per record, because on a large roll comparing a pair
// costs more in waiting for memory than in arithmetic; every level it decides from a row is
// the level the table gives.
package score
