// Package datasets turns the public ground-truth person datasets (FEBRL, febrl-dsgen,
// Splink's fake and historical people, RLdata, NCVR 5-party, SecondString census) into the
// student CSV the example programs read, with each record's true entity kept apart.
//
// Record IDs are neutral (source tag and row number): the datasets' own ID columns encode
// the truth and are never written into a column the matcher reads. The only thing that
// differs between sets is how their columns map to the student columns.
package datasets
