// Package block decides which record pairs are worth scoring.
//
// It owns blocking rules (records that agree on a key built from prepared features are
// candidates), candidate-pair generation that streams each admitted pair exactly once even
// when several rules admit it, oversize-block handling, and diagnostics: exact candidate
// counts per rule, the largest blocks, and pair completeness and reduction ratio against
// known truth. It never scores a pair.
package block
