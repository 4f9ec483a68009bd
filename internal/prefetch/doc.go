// Package prefetch asks the processor to start bringing memory into its cache ahead of
// the code that reads it, without waiting for it: a loop over records scattered through
// a large table (a million records' sketch rows, in the order blocking pairs them) can
// then overlap the memory latency of the records a few steps ahead with the work on the
// record at hand. A plain load cannot do that once the work between is long, because the
// processor stops retiring instructions at the first load still waiting for memory.
//
// On amd64 and arm64 the hint is one instruction (PREFETCHT0, PRFM PLDL1KEEP); elsewhere
// it does nothing. A hint never faults and never changes what a program computes.
package prefetch
