package service

// The Ed-Fi Identities API (/identity/v2/): create, get, find, search, results.
// Property names are Ed-Fi's (IdentityCreateRequest, IdentitySearchRequest,
// IdentityResponse, IdentitySearchResponse of the ODS/API).

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/match"
	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/score"
)

// IdentityLocation is where a person was born.
type IdentityLocation struct {
	City                  string `json:"city,omitempty"`
	StateAbbreviation     string `json:"stateAbbreviation,omitempty"`
	InternationalProvince string `json:"internationalProvince,omitempty"`
	Country               string `json:"country,omitempty"`
}

// IdentificationCode is an ID another system gave the person (an extra property this
// host reads): a studentIdentificationSystemDescriptor of State gives the SSID.
type IdentificationCode struct {
	System string `json:"studentIdentificationSystemDescriptor"`
	Code   string `json:"identificationCode"`
}

// IdentityRequest is an Ed-Fi IdentityCreateRequest or IdentitySearchRequest.
// BirthOrder and BirthLocation are accepted and not compared or kept: the linker has
// no role for them and the backpack no field.
type IdentityRequest struct {
	LastSurname          string               `json:"lastSurname"`
	FirstName            string               `json:"firstName"`
	MiddleName           string               `json:"middleName,omitempty"`
	GenerationCodeSuffix string               `json:"generationCodeSuffix,omitempty"`
	SexType              string               `json:"sexType,omitempty"`
	BirthDate            string               `json:"birthDate"`
	BirthOrder           *int                 `json:"birthOrder,omitempty"`
	BirthLocation        *IdentityLocation    `json:"birthLocation,omitempty"`
	IdentificationCodes  []IdentificationCode `json:"identificationCodes,omitempty"`
}

// IdentityResponse is an Ed-Fi IdentityResponse: a student ID with the person's core
// properties and, in a search, a Score from 0 to 100 (100: a perfect match).
type IdentityResponse struct {
	UniqueID             string  `json:"uniqueId"`
	Score                float64 `json:"score"`
	LastSurname          string  `json:"lastSurname,omitempty"`
	FirstName            string  `json:"firstName,omitempty"`
	MiddleName           string  `json:"middleName,omitempty"`
	GenerationCodeSuffix string  `json:"generationCodeSuffix,omitempty"`
	SexType              string  `json:"sexType,omitempty"`
	BirthDate            string  `json:"birthDate,omitempty"`
}

// SearchResponses are the responses to one search request (or one find).
type SearchResponses struct {
	Responses []IdentityResponse `json:"responses"`
}

// SearchResponse is an Ed-Fi IdentitySearchResponse: Status Complete with one
// SearchResponses per request, or Incomplete while an asynchronous batch runs.
type SearchResponse struct {
	Status          string            `json:"status"`
	SearchResponses []SearchResponses `json:"searchResponses,omitempty"`
}

// Search response states.
const (
	statusComplete   = "Complete"
	statusIncomplete = "Incomplete"
)

// scoreOf is Ed-Fi's Score for a candidate: its match probability in percent, rounded
// down so that only a certain match shows 100.
func scoreOf(weight float64) float64 { return math.Floor(100 * score.Probability(weight)) }

// sexDescriptor is the namespace of Ed-Fi's sex descriptors.
const sexDescriptor = "uri://ed-fi.org/SexDescriptor#"

// identityStudent is the Ed-Fi Student resource an identity request describes.
func identityStudent(uid string, q IdentityRequest) backpack.StudentResource {
	birth, _, _ := strings.Cut(q.BirthDate, "T") // a DateTime: "2008-09-13T00:00:00"
	sex := q.SexType
	if sex != "" && !strings.Contains(sex, "#") { // the Identities API's SexType is a code value
		sex = sexDescriptor + sex
	}
	return backpack.StudentResource{StudentUniqueID: uid, FirstName: q.FirstName, MiddleName: q.MiddleName, LastSurname: q.LastSurname,
		GenerationCodeSuffix: q.GenerationCodeSuffix, BirthDate: birth, BirthSexDescriptor: sex}
}

// identityResource writes an identity request as the Ed-Fi Student resource it
// describes (with a studentEducationOrganizationAssociation for its identification
// codes), so that backpack.Import checks and reads it as it reads any student.
func identityResource(uid string, q IdentityRequest) (map[string][]json.RawMessage, error) {
	st := identityStudent(uid, q)
	student, err := json.Marshal(map[string]string{
		"studentUniqueId": st.StudentUniqueID, "firstName": st.FirstName, "middleName": st.MiddleName, "lastSurname": st.LastSurname,
		"generationCodeSuffix": st.GenerationCodeSuffix, "birthDate": st.BirthDate, "birthSexDescriptor": st.BirthSexDescriptor,
	})
	if err != nil {
		return nil, err
	}
	out := map[string][]json.RawMessage{"students": {student}}
	if len(q.IdentificationCodes) > 0 {
		seoa, err := json.Marshal(map[string]any{"studentReference": map[string]string{"studentUniqueId": uid}, "studentIdentificationCodes": q.IdentificationCodes})
		if err != nil {
			return nil, err
		}
		out["studentEducationOrganizationAssociations"] = []json.RawMessage{seoa}
	}
	return out, nil
}

// identitySubmission reads an identity request into a one-student submission of the
// caller's LEA and its store row.
// The request is checked as a search checks it first, so that a refusal names the
// request's own properties.
func (s *Server) identitySubmission(lea, uid string, q IdentityRequest) (*backpack.Submission, map[string]string, error) {
	if _, err := s.identityRecord(lea, q); err != nil {
		return nil, nil, err
	}
	res, err := identityResource(uid, q)
	if err != nil {
		return nil, nil, err
	}
	sub, row, err := s.oneStudent(lea, res)
	if err != nil {
		return nil, nil, requestFieldError(err)
	}
	return sub, row, nil
}

// identityRecord reads an identity request as the record match places: checked as
// backpack.Import checks a posted student (backpack.ImportStudent, the same checks
// without the JSON files), as a record of the caller's LEA, and given to match as the
// student CSV's row of that student.
func (s *Server) identityRecord(lea string, q IdentityRequest) (normalize.Record, error) {
	if err := identityRequired(q); err != nil {
		return normalize.Record{}, err
	}
	var codes []backpack.StudentIdentificationCode
	for _, c := range q.IdentificationCodes {
		codes = append(codes, backpack.StudentIdentificationCode{SystemDescriptor: c.System, Code: c.Code})
	}
	sub, err := backpack.ImportStudent("posted", backpack.ImportOptions{LEA: lea, Submitted: s.now().Format("2006-01-02")},
		identityStudent("search", q), codes)
	if err != nil {
		return normalize.Record{}, requestFieldError(err)
	}
	return s.rows.Record(backpack.StudentCSVRows(sub)[0])
}

// requestFieldError turns backpack's errors about the fields of the resources an identity
// request was read as into errors about the request's own properties: "birthDate: …",
// "sexType: …" for what the Student resource calls birthSexDescriptor, and
// "identificationCodes[0].identificationCode: …" for what the association calls
// studentIdentificationCodes. No file, offset or package name of the service's is left.
func requestFieldError(err error) error {
	return importErrors(err, func(msg string, _ *backpack.ImportError) string {
		for from, to := range map[string]string{"studentIdentificationCodes": "identificationCodes", "birthSexDescriptor": "sexType"} {
			if rest, ok := strings.CutPrefix(msg, from); ok {
				msg = to + rest
			}
		}
		return msg
	})
}

// flatErrors lists the errors errors.Join joined (err alone when it joins none).
func flatErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatErrors(e)...)
		}
		return out
	}
	return []error{err}
}

// identityRequired checks that an identity request names the person, that its text
// passes checkPerson, that its birthDate is a date (2008-09-13), an RFC 3339 date and
// time (2008-09-13T00:00:00Z) or a date at midnight without a zone (2008-09-13T00:00:00,
// as Ed-Fi clients send a date), and that its sexType is a code (Female) or one of
// Ed-Fi's SexDescriptors (uri://ed-fi.org/SexDescriptor#Female), of no other namespace;
// that firstName and lastSurname each hold a letter ("-" or "." names no one, and a
// search of one with a surname would only probe the surname), and that a birthOrder is
// 1 or more.
func identityRequired(q IdentityRequest) error {
	for _, f := range []struct{ name, v string }{{"firstName", q.FirstName}, {"lastSurname", q.LastSurname}, {"birthDate", q.BirthDate}} {
		if strings.TrimSpace(f.v) == "" {
			return fmt.Errorf("%s is required", f.name)
		}
	}
	if err := checkPerson(identityTexts(q)); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"firstName", q.FirstName}, {"lastSurname", q.LastSurname}} {
		if !strings.ContainsFunc(f.v, unicode.IsLetter) {
			return fmt.Errorf("%s must hold a letter; got %q", f.name, clip(f.v, 64))
		}
	}
	if q.BirthOrder != nil && *q.BirthOrder < 1 {
		return fmt.Errorf("birthOrder must be 1 (the first born) or more; got %d", *q.BirthOrder)
	}
	if !validBirthDate(q.BirthDate) {
		return fmt.Errorf("birthDate must be a date (YYYY-MM-DD) or an RFC 3339 date and time (YYYY-MM-DDThh:mm:ssZ, or YYYY-MM-DDT00:00:00 without a zone); got %q", clip(q.BirthDate, 64))
	}
	if sex := q.SexType; sex != "" && !strings.HasPrefix(sex, sexDescriptor) && strings.ContainsAny(sex, "#:/") {
		return fmt.Errorf("sexType must be a code (Female, Male…) or an Ed-Fi descriptor (%sFemale); got %q", sexDescriptor, clip(sex, 64))
	}
	return nil
}

// validBirthDate reports whether v is written as a date (YYYY-MM-DD), as a full RFC 3339
// date and time, or as a date at midnight without a zone (zonelessMidnight); the date is
// the part before the T. Whether the date is a real one is backpack's to say, as for any
// student.
func validBirthDate(v string) bool {
	date, clock, timed := strings.Cut(v, "T")
	if len(date) != len("2006-01-02") || date[4] != '-' || date[7] != '-' ||
		strings.Trim(date[:4]+date[5:7]+date[8:], "0123456789") != "" {
		return false
	}
	if !timed || zonelessMidnight(clock) {
		return true
	}
	_, err := time.Parse(time.RFC3339Nano, "2000-01-01T"+clock)
	return err == nil
}

// zonelessMidnight reports whether clock is midnight without a zone: 00:00:00, perhaps
// with a fraction of 1 to 9 zeros (00:00:00.0000000). Ed-Fi clients commonly send a date
// property as a date-time at midnight without a zone; another time of day without a zone
// says a time no one can place, and is refused.
func zonelessMidnight(clock string) bool {
	rest, ok := strings.CutPrefix(clock, "00:00:00")
	if !ok {
		return false
	}
	if rest == "" {
		return true
	}
	frac, ok := strings.CutPrefix(rest, ".")
	return ok && len(frac) >= 1 && len(frac) <= 9 && strings.Trim(frac, "0") == ""
}

// searchRecord places one record and returns its likely candidates, one per student
// (the best record of each), with the score of that record. The answer says who and how
// likely, not why: the index ranks without explaining. A candidate the caller's LEA
// holds a record of is given as the state holds them; any other only with the score, the
// ID and what the caller sent (see asSent), so that a name and a rough birth date do not
// buy a stranger's exact birth date, middle name and sex (which would then, posted as an
// enrollment, match them).
//
// A candidate the LEA holds no record of is named only while the search guard allows
// (sc, see studentCall): past its bounds of different requests naming that student, the
// answer leaves them out.
func (s *Server) searchRecord(ctx context.Context, lea string, index int, q IdentityRequest, rec normalize.Record, sc *studentCall) ([]IdentityResponse, error) {
	pl, err := s.index.Load().Rank(rec, 10)
	if err != nil {
		return nil, err
	}
	out := []IdentityResponse{}
	seen := map[string]bool{}
	for _, c := range likely(s.linker, pl.Candidates) {
		sid := s.resolve(c.StudentID)
		if seen[sid] {
			continue
		}
		seen[sid] = true
		held, err := s.store.holds(ctx, lea, sid)
		if err != nil {
			return nil, err
		}
		if !held && !sc.allow(index, sid, q) {
			continue
		}
		r := asSent(sid, scoreOf(c.Weight), q)
		if st, ok := s.bp.Student(c.RecordID); ok && held {
			r.LastSurname, r.FirstName, r.MiddleName = st.LastSurname, st.FirstName, st.MiddleName
			r.GenerationCodeSuffix, r.SexType, r.BirthDate = st.Suffix, st.Sex, st.BirthDate
		}
		out = append(out, r)
	}
	return out, nil
}

// asSent is a candidate as a caller holding no record of them is told of them: the ID,
// the score, and the properties of the caller's own request, as sent.
func asSent(id string, score float64, q IdentityRequest) IdentityResponse {
	return IdentityResponse{UniqueID: id, Score: score, LastSurname: q.LastSurname, FirstName: q.FirstName, MiddleName: q.MiddleName,
		GenerationCodeSuffix: q.GenerationCodeSuffix, SexType: q.SexType, BirthDate: q.BirthDate}
}

// searchAll answers every request of a search batch (reqs, read as recs).
func (s *Server) searchAll(ctx context.Context, lea, actor string, reqs []IdentityRequest, recs []normalize.Record) (SearchResponse, error) {
	out := SearchResponse{Status: statusComplete}
	sc := s.guard.studentCall(lea, false, s.now())
	for i, rec := range recs {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		resps, err := s.searchRecord(ctx, lea, i, reqs[i], rec, sc)
		if err != nil {
			return out, fmt.Errorf("search request %d: %w", i, err)
		}
		out.SearchResponses = append(out.SearchResponses, SearchResponses{Responses: resps})
	}
	if note := sc.note(verbSearch, len(recs)); note != "" {
		if err := s.record(ctx, backpack.Entry{Action: actionIdentity, Actor: actor, Note: note}); err != nil {
			return out, err
		}
	}
	return out, nil
}

// searchRecords reads a search batch's requests as records; the error names the first
// request that is not valid.
func (s *Server) searchRecords(lea string, reqs []IdentityRequest) ([]normalize.Record, error) {
	recs := make([]normalize.Record, len(reqs))
	for i, q := range reqs {
		var err error
		if recs[i], err = s.identityRecord(lea, q); err != nil {
			return nil, fmt.Errorf("search request %d: %w", i, err)
		}
	}
	return recs, nil
}

// identity returns a student as the state holds them (the backpack's demographics),
// when the caller's LEA holds a record of theirs. A retired ID answers with the
// student it was merged into.
func (s *Server) identity(ctx context.Context, lea, id string) (IdentityResponse, bool, error) {
	sid := s.resolve(id)
	recs, err := s.store.studentRecords(ctx, sid)
	if err != nil || !heldBy(recs, lea) {
		return IdentityResponse{}, false, err
	}
	b, err := s.bp.Build(sid, recordIDs(recs), backpack.Survivorship{})
	if err != nil {
		return IdentityResponse{}, false, err
	}
	v := survivingValues(b, recs)
	return IdentityResponse{UniqueID: sid, Score: 100, LastSurname: v["last_surname"], FirstName: v["first_name"],
		MiddleName: v["middle_name"], GenerationCodeSuffix: v["suffix"], SexType: v["sex"], BirthDate: v["birth_date"]}, true, nil
}

// survivingValues are the demographics the Identities API gives a student: backpack's
// values, except that where backpack's Consensus (the value the most LEAs agree on, then
// the most complete) leaves a tie, the value known first — of the record placed
// earliest — is kept rather than the one submitted last. So a record merged into a
// student (a reviewer's "same") does not replace the name or birth date the student was
// known by with its typo, unless more LEAs agree with it.
func survivingValues(b *backpack.Backpack, recs []recordRow) map[string]string {
	seq := make(map[string]int64, len(recs))
	for _, r := range recs {
		seq[r.ID] = r.Seq
	}
	out := map[string]string{}
	for _, f := range b.Demographics {
		out[f.Name] = f.Value
		if f.Rule != backpack.Consensus || len(f.Candidates) < 2 {
			continue
		}
		type ranked struct {
			value                 string
			support, completeness int
			known                 int64
		}
		best := ranked{known: math.MaxInt64}
		for _, c := range f.Candidates {
			leas := map[string]bool{}
			for _, o := range f.Candidates {
				if backpack.Agree(c.Value, o.Value) {
					leas[o.Source.LEA] = true
				}
			}
			known, ok := seq[c.Source.Record]
			if !ok {
				known = math.MaxInt64
			}
			x := ranked{c.Value, len(leas), backpack.Completeness(c.Value), known}
			if best.value == "" || x.support > best.support || x.support == best.support &&
				(x.completeness > best.completeness || x.completeness == best.completeness && x.known < best.known) {
				best = x
			}
		}
		out[f.Name] = best.value
	}
	return out
}

// heldBy reports whether any of the records is the LEA's: an LEA sees only students it
// holds a record of.
func heldBy(recs []recordRow, lea string) bool {
	return slices.ContainsFunc(recs, func(r recordRow) bool { return r.LEA == lea })
}

func recordIDs(recs []recordRow) []string {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	return ids
}

// handleGetIdentity serves GET identities/{id}.
func (s *Server) handleGetIdentity(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r.Context())
	id := r.PathValue("id")
	resp, ok, err := s.identity(r.Context(), c.LEA, id)
	if err != nil {
		s.failed(w, "the look-up", err)
		return
	}
	note := "get identity " + noteValue(id) + ": "
	if ok {
		note += "answered with " + resp.UniqueID
	} else {
		note += "not found for this LEA"
	}
	if err := s.record(r.Context(), backpack.Entry{Action: actionIdentity, Actor: c.actor(), StudentID: resp.UniqueID, Note: note}); err != nil {
		s.failed(w, "the look-up", err)
		return
	}
	if !ok {
		writeError(w, http.StatusNotFound, "no student %q among the students LEA %s holds a record of", id, c.LEA)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// handleFind serves POST find: a JSON array of student IDs. Each ID gets one
// SearchResponses, empty when the ID is unknown to the caller's LEA; a retired ID
// answers with the student it was merged into.
func (s *Server) handleFind(w http.ResponseWriter, r *http.Request) {
	var ids []string
	if err := decodeJSON(w, r, &ids); err != nil {
		writeBodyError(w, err, "find takes a JSON array of student IDs: %v", err)
		return
	}
	if ca := callAuditOf(r.Context()); ca != nil {
		ca.asked = listIDs(ids)
	}
	raw, _ := json.Marshal(ids)
	lea := callerOf(r.Context()).LEA
	s.batch(w, r, verbFind, len(ids), raw, func(ctx context.Context) (SearchResponse, error) { return s.findAll(ctx, lea, ids) })
}

// handleSearch serves POST search: a JSON array of IdentitySearchRequests (a single
// object is read as an array of one). firstName, lastSurname and birthDate are required.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r)
	var reqs []IdentityRequest
	switch trimmed := bytes.TrimSpace(body); {
	case err != nil:
	case len(trimmed) > 0 && trimmed[0] == '{':
		reqs = make([]IdentityRequest, 1)
		err = unmarshalStrict(body, &reqs[0])
		body = slices.Concat([]byte("["), trimmed, []byte("]")) // the batch's requests, kept when answered later
	default:
		err = unmarshalStrict(body, &reqs)
	}
	if err != nil {
		writeBodyError(w, err, "search takes a JSON array of identity search requests: %v", err)
		return
	}
	recs, err := s.searchRecords(callerOf(r.Context()).LEA, reqs)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	c := callerOf(r.Context())
	s.batch(w, r, verbSearch, len(reqs), body, func(ctx context.Context) (SearchResponse, error) {
		return s.searchAll(ctx, c.LEA, c.actor(), reqs, recs)
	})
}

// handleCreateIdentity serves POST identities: a new student ID for a person the index
// does not know. A person the index places as a match is refused (409) with the
// student's ID and score; one it places for review gets the new ID and the pair goes to
// the reviewers, who may merge them (the new ID is then retired and redirects).
//
// The 409 tells whether the state knows a person with exactly these properties, as a
// search does: so a 409 naming a student the LEA holds no record of is counted with the
// LEA's searches against SearchNameLimit, per student (mayName; a create that says what
// an earlier request of the LEA said and perhaps more, as an SIS sends after searching,
// is no new variant), and past the bounds refused 429 with Retry-After instead, audited
// as a suspected enumeration. A create that makes a student (201) names nobody but the
// new one and is not counted. The 409 gives no more than a search of the same request gives the
// same key: the ID and the score, which search gives every LEA of a likely student
// (searchRecord, asSent), never the state's demographics. Withholding the ID from an
// LEA holding no record of the student would hide nothing search does not tell it, and
// the ID is what the SIS needs to use instead of a duplicate.
func (s *Server) handleCreateIdentity(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r.Context())
	var q IdentityRequest
	body, err := readBody(w, r)
	if err == nil {
		err = unmarshalStrict(body, &q)
	}
	if err != nil {
		writeBodyError(w, err, "%v", err)
		return
	}
	uid := "identity-" + secret(9)
	sub, row, err := s.identitySubmission(c.LEA, uid, q)
	if err != nil {
		writeError(w, http.StatusBadRequest, "identity: %v", err)
		return
	}
	pl, sid, err := s.createIdentity(r.Context(), c, sub, row)
	switch {
	case errors.Is(err, errKnown) && !s.mayName(w, r, c, sid, q):
	case errors.Is(err, errKnown):
		writeJSON(w, http.StatusConflict, struct {
			apiError
			UniqueID string `json:"uniqueId"`
		}{apiError{fmt.Sprintf("the person is already known as %s (score %g): use that ID", sid, scoreOf(pl.Best.Weight))}, sid})
	case err != nil:
		s.failed(w, "creating the identity", err)
	default:
		w.Header().Set("Location", "/identity/v2/identities/"+sid)
		writeJSON(w, http.StatusCreated, sid)
	}
}

// mayName reports whether a create's 409 may name student sid: always when the caller's
// LEA holds a record of them, else while the search guard allows (studentCall). A 409
// it may not name is answered here, 429 with Retry-After, and audited as a suspected
// enumeration.
func (s *Server) mayName(w http.ResponseWriter, r *http.Request, c caller, sid string, q IdentityRequest) bool {
	held, err := s.store.holds(r.Context(), c.LEA, sid)
	if err != nil {
		s.failed(w, verbCreate, err)
		return false
	}
	sc := s.guard.studentCall(c.LEA, true, s.now())
	if held || sc.allow(0, sid, q) {
		return true
	}
	if err := s.record(r.Context(), backpack.Entry{Action: actionIdentity, Actor: c.actor(), StudentID: sid, Note: sc.note(verbCreate, 1)}); err != nil {
		s.failed(w, verbCreate, err)
		return false
	}
	retry := sc.left[0].retry
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
	writeError(w, http.StatusTooManyRequests, "%s refused as a suspected enumeration: this LEA has sent more different requests whose answer would name one student it holds no record of than the %d a call or the %d in %v it may send; send it again as already sent, or after %v",
		verbCreate, s.guard.limit.PerBatch, s.guard.limit.PerWindow, s.guard.limit.Window, retry.Round(time.Second))
	return false
}

// verbCreate names a create in the guard's messages and audit notes.
const verbCreate = "create identity"

var errKnown = errors.New("the person is already known")

func (s *Server) createIdentity(ctx context.Context, c caller, sub *backpack.Submission, row map[string]string) (match.Placement, string, error) {
	rec, err := s.recordOf(sub.Students[0].Record, row)
	if err != nil {
		return match.Placement{}, "", err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	pl, err := s.index.Load().Query(rec, 10)
	if err != nil {
		return pl, "", err
	}
	if pl.Outcome == match.OutcomeMatch {
		sid := s.resolve(pl.StudentID)
		err := s.commit(ctx, []backpack.Entry{{Action: actionIdentity, Actor: c.actor(), StudentID: sid,
			Note: fmt.Sprintf("create identity refused: the person is student %s (weight %.2f)", sid, pl.Best.Weight)}}, nil)
		if err != nil {
			return pl, "", err
		}
		return pl, sid, errKnown
	}
	id := sub.Students[0].Record
	sid, err := s.newStudent(ctx, id, row)
	if err != nil {
		return pl, "", err
	}
	now := s.now()
	seq := s.recordSeq + 1
	entries := []backpack.Entry{{Action: actionIdentity, Actor: c.actor(), StudentID: sid, Records: []string{id},
		SettingsVersion: s.linker.Settings().Version, Note: "identity created (" + pl.Outcome + ")"}}
	var rev *reviewRow
	if pl.Outcome == match.OutcomeReview {
		rr, err := s.pendingReview(reviewRun, id, pl.Best, "identity created although near "+s.resolve(pl.Best.StudentID), now)
		if err != nil {
			return pl, "", err
		}
		rev = &rr
	}
	n := s.newRecord(sub, row, seq, sid, "identity", now, rev)
	if err := s.commit(ctx, entries, func(tx *sql.Tx) error { return s.insertNew(ctx, tx, n) }); err != nil {
		return pl, "", err
	}
	return pl, sid, s.applyNew(n, rec)
}
