// Package studentlink resolves the identity of K-12 students across local education
// agencies and merges each student's records into one portable backpack.
//
// The work is done by the packages beneath this one, each importing only those before it:
//
//	normalize  raw strings → comparable values (names, nicknames, phonetic codes, dates, codes)
//	block      blocking rules → candidate pairs, streamed once each
//	score      string metrics, comparisons with levels, the Fellegi–Sunter model and EM
//	match      the linker, clustering, review queue, stable IDs, the incremental index
//	backpack   Ed-Fi import, merge with provenance, audit, access workflow, research extract
//
// This package itself only carries the sample files under testdata/ that the example
// programs run on when given no input.
package studentlink

import "embed"

// Testdata holds the files under testdata/ (public sample datasets and the project's own
// synthetic samples; sources and licences are in testdata/README.md). The example
// programs read it when given no input; library code never does.
//
//go:embed testdata
var Testdata embed.FS
