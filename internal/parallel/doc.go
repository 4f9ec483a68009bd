// Package parallel owns how block and score share a range of records out among
// goroutines: fixed, contiguous ranges, one per worker, so that what each worker
// computes does not depend on scheduling.
package parallel
