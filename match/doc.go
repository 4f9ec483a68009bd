// Package match turns records into students.
//
// It owns the linker (dedupe one roll, link several LEAs' rolls, or both), its settings and
// presets, unsupervised training, parallel scoring of candidate pairs, the three outcomes
// (link, review, no link), clustering that resists chaining, student IDs that persist
// across runs, the incremental index that places one new enrollment, and evaluation
// against known truth. It knows nothing of the backpack's contents.
package match
