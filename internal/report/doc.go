// Package report draws a run's model report (match.Report) as one self-contained HTML
// page: the run summary, the columns and roles, the blocking rules, m, u and the match
// weight of every comparison level, the histogram of match weights against the
// thresholds, training diagnostics, with truth the precision–recall curve and threshold
// sweep, and waterfall charts that explain sample links and review pairs. Charts are
// inline SVG; the page loads nothing and runs no script.
package report
