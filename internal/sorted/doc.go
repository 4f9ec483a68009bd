// Package sorted owns the operations on sorted slices that normalize and block share:
// whether two sorted lists of nickname groups or blocking keys have an element in common.
package sorted
