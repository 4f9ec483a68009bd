// Package match turns records into students.
//
// It owns the linker (dedupe one roll, link several LEAs' rolls, or both), its settings and
// presets, unsupervised training, parallel scoring of candidate pairs, the three outcomes
// (link, review, no link), clustering that resists chaining, student IDs that persist
// across runs, the incremental index that places one new enrollment, and evaluation
// against known truth. It knows nothing of the backpack's contents.
//
// Training is unsupervised and runs over every pair of the roll, not only the candidates:
// the candidate pairs are counted exactly and the pairs blocking left out are stood for by
// a random sample of them (every one of them in a small roll). EM then estimates m and
// the prior with u from those strangers, keeps each comparison's weights ordered as its
// levels, holds names and birth dates at agreeing for at least half of one person's
// pairs, and falls back to documented defaults where the fit still looks wrong (see
// TrainingReport): a comparison whose fit fails a check, or every m where EM's class is
// not the student at all (pressed far under that floor, or largely outside the candidate
// pairs, as EM can be on a large roll without SSIDs, taking strangers who share a given
// name and a sex for one child; or households, where its pairs differ outright on both
// the given name and the birth date far more often than two errors on one child's record
// could make them: siblings sharing a family name and a home). Where at least a thousand
// candidate pairs share an SSID (Training.Sessions: the student preset's one session), m
// is read off those pairs instead, with u from the strangers, as Splink trains a session:
// EM over every candidate pair can take namesakes born within a month for one child,
// where SSIDs are issued in sequence and mistyped ones land on other children's. The
// prior is the share of all pairs that match, so match weights are log2 posterior odds
// over the whole roll: a pair needs more evidence in a roll of a million than in one of
// ten thousand, because more strangers share a name and a birthday.
//
// The presets fit the columns a roll has: a comparison, blocking rule or cannot-link rule
// that reads a role no record has is dropped and reported (Linker.Dropped). The student
// preset links at a match weight of 3 (posterior odds 8:1) and queues for review from 0;
// its cannot-link rules keep twins, siblings, a boy and a girl, namesakes with different
// middle names, children of different birth dates (or, a date missing, classes years
// apart), a record that names only its
// household (no given name, birth date or SSID) and two records with no name in common
// and no SSID or home to tell (a birthday and a town are a classmate's) apart. The
// rules that state a belief about the data (a birth date is recorded with care) are
// tested on each roll a run links, trained or loaded, and set aside where the roll
// surely contradicts them (Result.RuleTests, CannotLink.MaxMatchShare): on the pairs an
// SSID calls one student, or, in a roll without enough of them, on the pairs a model
// that learnt from the roll unaided calls one student. A roll too small
// to learn from (fewer than 20 pairs of one student) keeps the documented m, and a roll
// of fewer than 1,000 records a prior of at most 1/1000; the TrainingReport says so.
// Use Sweep with known truth to choose other thresholds.
package match
