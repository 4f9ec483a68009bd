// Package block decides which record pairs are worth scoring.
//
// It owns blocking rules (records that agree on a key built from prepared features are
// candidates; a Nearest rule pairs each record with the records most like it, for pairs
// whose every key is damaged; Neighbourhood does its search one record at a time), the
// index that says whether a pair is a candidate,
// candidate-pair generation that streams each admitted pair exactly once even
// when several rules admit it, oversize-block handling, and diagnostics: exact candidate
// counts per rule, the largest blocks, and pair completeness and reduction ratio against
// known truth. It never scores a pair.
package block
