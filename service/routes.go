package service

import "net/http"

// routes maps every path to its handler.
//
//	Identities API (an LEA's key):
//	  POST /identity/v2/identities         create a student ID        → 201 "ID" | 409 known
//	  GET  /identity/v2/identities/{id}    a student the LEA holds   → IdentityResponse
//	  POST /identity/v2/find               ["ID", …]                 → SearchResponse | 202
//	  POST /identity/v2/search             [IdentitySearchRequest…]  → SearchResponse | 202
//	  GET  /identity/v2/results/{token}    an asynchronous batch     → SearchResponse
//	Enrollment handoff (an LEA's key):
//	  POST /state/v1/enrollments           EnrollmentRequest         → EnrollmentResponse
//	  GET  /state/v1/enrollments/{id}      where it stands now       → EnrollmentResponse
//	  POST /state/v1/students/{studentUniqueId}/exit  ExitRequest    → ExitResponse (exit.go)
//	Reviews (the state reviewers' key):
//	  GET  /state/v1/reviews               the pending reviews
//	  POST /state/v1/reviews/{id}/decision {"same": bool}            → ReviewDecision
//	  POST /state/v1/decisions             {"a", "b", "same"}        → ReviewDecision
//	  POST /state/v1/relink                relink with every decision → RelinkReport
//	Pages (signed in): /signin, /staff, /staff/students/{id}[/{element}], /staff/requests,
//	  /guardian, /review, /review/{id}.
//
// A path under /identity/v2/ or /state/v1/ that no call serves is answered in JSON: 405
// with Allow when another method serves it, else 404. Every API call is audited, and
// every page a signed-in account or a visitor is refused, but for the calls the throttle
// counts instead (API calls without a valid key, sign-ins, page calls without a session:
// see throttle.go).
func (s *Server) routes() http.Handler {
	calls := http.NewServeMux()
	calls.Handle("POST /identity/v2/identities", s.leaAPI(s.handleCreateIdentity))
	calls.Handle("GET /identity/v2/identities/{id}", s.leaAPI(s.handleGetIdentity))
	calls.Handle("POST /identity/v2/find", s.leaAPI(s.handleFind))
	calls.Handle("POST /identity/v2/search", s.leaAPI(s.handleSearch))
	calls.Handle("GET /identity/v2/results/{token}", s.leaAPI(s.handleResults))
	calls.Handle("POST /state/v1/enrollments", s.leaAPI(s.handleEnroll))
	calls.Handle("GET /state/v1/enrollments/{id}", s.leaAPI(s.handleGetEnrollment))
	calls.Handle("POST /state/v1/students/{studentUniqueId}/exit", s.leaAPI(s.handleExit))
	calls.Handle("GET /state/v1/reviews", s.stateAPI(s.handleListReviews))
	calls.Handle("POST /state/v1/reviews/{id}/decision", s.stateAPI(s.handleDecideAPI))
	calls.Handle("POST /state/v1/decisions", s.stateAPI(s.handleDecideRecordsAPI))
	calls.Handle("POST /state/v1/relink", s.stateAPI(s.handleRelinkAPI))

	mux := http.NewServeMux()
	api := s.apiFallback(calls)
	mux.Handle("/identity/v2/", api)
	mux.Handle("/state/v1/", api)
	mux.HandleFunc("/", s.handleHome)
	mux.HandleFunc("GET /signin", s.handleSigninForm)
	mux.Handle("POST /signin", s.audited(true, func(w http.ResponseWriter, r *http.Request, ca *callAudit) {
		ca.actor = "sign-in form from " + remoteAddress(r)
		s.handleSignin(w, r, ca)
	}))
	mux.Handle("POST /signout", s.audited(true, func(w http.ResponseWriter, r *http.Request, ca *callAudit) {
		ca.actor = "sign-out form from " + remoteAddress(r)
		s.handleSignout(w, r, ca)
	}))
	mux.Handle("GET /staff", s.page(RoleStaff, s.handleStaffHome))
	mux.Handle("GET /staff/students/{id}", s.page(RoleStaff, s.handleStudentBackpack))
	mux.Handle("GET /staff/students/{id}/{element}", s.page(RoleStaff, s.handleStudentRecords))
	mux.Handle("GET /staff/requests", s.page(RoleStaff, s.handleRequestsPage))
	mux.Handle("POST /staff/requests/{id}/approve", s.page(RoleStaff, s.handleDecideRequest(true)))
	mux.Handle("POST /staff/requests/{id}/reject", s.page(RoleStaff, s.handleDecideRequest(false)))
	mux.Handle("GET /guardian", s.page(RoleGuardian, s.handleGuardian))
	mux.Handle("POST /guardian/requests", s.page(RoleGuardian, s.handleGuardianRequest))
	mux.Handle("GET /review", s.page(RoleReviewer, s.handleReviewQueue))
	mux.Handle("GET /review/{id}", s.page(RoleReviewer, s.handleReviewItem))
	mux.Handle("POST /review/{id}", s.page(RoleReviewer, s.handleReviewDecision))
	return mux
}
