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
//	Reviews (the state reviewers' key):
//	  GET  /state/v1/reviews               the pending reviews
//	  POST /state/v1/reviews/{id}/decision {"same": bool}            → ReviewDecision
//	  POST /state/v1/decisions             {"a", "b", "same"}        → ReviewDecision
//	  POST /state/v1/relink                relink with every decision → RelinkReport
//	Pages (signed in): /signin, /staff, /staff/students/{id}[/{element}], /staff/requests,
//	  /guardian, /review, /review/{id}.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /identity/v2/identities", s.leaAPI(s.handleCreateIdentity))
	mux.Handle("GET /identity/v2/identities/{id}", s.leaAPI(s.handleGetIdentity))
	mux.Handle("POST /identity/v2/find", s.leaAPI(s.handleFind))
	mux.Handle("POST /identity/v2/search", s.leaAPI(s.handleSearch))
	mux.Handle("GET /identity/v2/results/{token}", s.leaAPI(s.handleResults))
	mux.Handle("POST /state/v1/enrollments", s.leaAPI(s.handleEnroll))
	mux.Handle("GET /state/v1/enrollments/{id}", s.leaAPI(s.handleGetEnrollment))
	mux.Handle("GET /state/v1/reviews", s.stateAPI(s.handleListReviews))
	mux.Handle("POST /state/v1/reviews/{id}/decision", s.stateAPI(s.handleDecideAPI))
	mux.Handle("POST /state/v1/decisions", s.stateAPI(s.handleDecideRecordsAPI))
	mux.Handle("POST /state/v1/relink", s.stateAPI(s.handleRelinkAPI))

	mux.HandleFunc("GET /", s.handleHome)
	mux.HandleFunc("GET /signin", s.handleSigninForm)
	mux.HandleFunc("POST /signin", s.handleSignin)
	mux.HandleFunc("POST /signout", s.handleSignout)
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
