package backpack

import (
	"encoding/csv"
	"io"
)

// WriteScoresCSV writes research assessment results as CSV with a header.
func WriteScoresCSV(w io.Writer, scores []ResearchScore) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"key", "assessment", "school_year", "grade_level", "performance", "score"})
	for _, s := range scores {
		cw.Write([]string{s.Key, s.Assessment, num(s.SchoolYear), s.GradeLevel, s.Performance, s.Score})
	}
	cw.Flush()
	return cw.Error()
}
