// Package benchmarks holds testing.B benchmarks of the hot paths and of end-to-end runs,
// with the peer libraries (github.com/antzucaro/matchr, github.com/hbollon/go-edlib)
// measured in the same run. Figures and the commands that reproduce them are in README.md.
package benchmarks
