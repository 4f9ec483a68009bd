// Package service is the state's studentlink service: what a state runs so that LEAs,
// their staff and guardians can reach the library over the network.
//
// It owns the HTTP handlers (the Ed-Fi Identities API under /identity/v2/, the
// enrollment handoff and the review API under /state/v1/), the store (SQLite through
// modernc.org/sqlite by default, PostgreSQL through github.com/jackc/pgx/v5), who may
// do what (API keys per LEA kept hashed, staff, guardian and reviewer sign-in with
// sessions and a limit on failed sign-ins per account and per address (SignInLimit), a
// throttle per address on API calls without a valid key, on failed sign-ins and on page
// calls without a session, the two staff permissions, LEA scope on every call and page,
// CSRF tokens on forms) and the server-rendered pages (the staff Student Backpack and
// Guardian Student Backpack Requests pages, the guardian's page, the reviewer's queue).
//
// It never matches or merges on its own: placing a record is package match's
// (the incremental Index of a Linker whose model the store keeps), building a backpack,
// the request workflow, the views and the audit chain are package backpack's. The thin
// adapters that join them to the store are in adapt_match.go and adapt_backpack.go.
//
// Durability: every accepted enrollment, decision, request and recorded exit is committed, with its
// audit entries, before the answer; reads that disclose data (searches, look-ups,
// backpack views) are audited and their entries committed before the answer too, many
// to one transaction when calls arrive together. Refused API calls and refused page calls
// are audited as well, except those the throttle answers 429. A value of the request in
// an entry (a path, an ID, a username) is written through one helper, escaped as
// strconv.Quote does (a byte that is not UTF-8 as \xff: see noteValue), and a look-up by
// a value that is not UTF-8 finds nothing (404), on either store. It counts, per address
// and per kind, API calls without a valid key, sign-ins and page calls refused for want
// of a session: a burst of 10 from an address, then 1 a second. A successful sign-in gives its
// token back, so only failed ones (wrong account or password, a stale or forged form)
// use the bucket up; a sign-in from a throttled address is refused unchecked, the right
// password too (the user waits a second), and never one from another address. A call
// with a valid key or a live session is never throttled. Of the calls answered 429 the
// first of a kind from an address in a minute is audited, and the rest of that minute in
// one entry that counts them and names the kind (see throttle.go).
//
// Disclosure: a search gives a candidate the caller's LEA holds no record of with its ID,
// score and the caller's own properties only; an enrollment is handed a backpack at once
// only when a record of the student carries its SSID (else a reviewer confirms), and,
// when another LEA holds an open enrollment of the student (no exit date, or one not yet
// past), only if the enrolling LEA holds a current enrollment of the student too: else
// the enrollment waits for a reviewer, the answer's note saying why without naming the
// other LEA or any value (names, a birth date and an SSID are known to every LEA that
// ever held the student, and the backpack carries the current LEA's address); after a
// reviewer decides it the same student the backpack is handed over as after any review,
// and a student whose enrollments elsewhere all ended is handed over at once (enroll.go,
// enrolledElsewhere). An LEA whose enrollment of a student was submitted open ends it by
// posting the exit date (POST /state/v1/students/{studentUniqueId}/exit with
// {"exitWithdrawDate": "YYYY-MM-DD"}, exit.go): backpack.Requests.RecordExit records it
// for the LEA's own enrollment only (not before its entry; the same date again changes
// nothing, another is refused 409), committed with its request event and audit entry
// before the answer and replayed at start; from the day after, the LEA's staff no longer
// see the student and the enrollment counts as ended for enrolledElsewhere. An
// enrollment carrying another student's SSID is queued against that student; and a
// guardian sees the backpack the approval forwarded, kept with it (forwarded.go), until
// an update is approved.
//
// Input: the API's bodies are JSON, sent as application/json (or an application/…+json
// type, or without a Content-Type); another type is refused 415 (http.go). A person's
// text, in an identity request or an enrollment, is bounded (Ed-Fi's 75 characters for a
// name) and free of control and bidirectional formatting characters, or refused 400
// naming the property (person.go).
//
// At start the index, the backpack store, the request workflow and the audit chain
// (verified, and checked against its anchor outside the database: see anchor.go) are
// rebuilt from the store. A stored model an upgraded library no longer reads (its
// comparisons gained a level) is trained again with the student preset on every placed
// record, keeping the students' IDs, and committed with an audit entry (retrain.go).
package service
