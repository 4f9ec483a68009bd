package service

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBirthDates: an identity request's birthDate is a date, an RFC 3339 date and time,
// or a date at midnight without a zone (as Ed-Fi clients send a date property); the
// Student resource it describes gets the date. Another time of day without a zone, and
// anything that is not a date and time, is refused.
func TestBirthDates(t *testing.T) {
	type answer struct {
		Valid bool
		Date  string // the Student resource's birthDate, for a valid one
	}
	for _, tt := range []struct {
		in   string
		want answer
	}{
		{"2008-09-13", answer{true, "2008-09-13"}},
		// Midnight without a zone: the date.
		{"2008-09-13T00:00:00", answer{true, "2008-09-13"}},
		{"2008-09-13T00:00:00.0", answer{true, "2008-09-13"}},
		{"2008-09-13T00:00:00.000", answer{true, "2008-09-13"}},
		{"2008-09-13T00:00:00.0000000", answer{true, "2008-09-13"}},
		{"2008-09-13T00:00:00.000000000", answer{true, "2008-09-13"}},
		// Midnight with Z or an offset.
		{"2008-09-13T00:00:00Z", answer{true, "2008-09-13"}},
		{"2008-09-13T00:00:00.000Z", answer{true, "2008-09-13"}},
		{"2008-09-13T00:00:00-05:00", answer{true, "2008-09-13"}},
		{"2008-09-13T00:00:00.0000000+02:00", answer{true, "2008-09-13"}},
		// Another time with a zone is a full RFC 3339 date and time, as before.
		{"2008-09-13T08:30:00Z", answer{true, "2008-09-13"}},
		// Another time of day without a zone is refused.
		{"2008-09-13T08:30:00", answer{}},
		{"2008-09-13T00:00:01", answer{}},
		{"2008-09-13T00:00:00.5", answer{}},
		{"2008-09-13T00:00:00.0000000001", answer{}},
		{"2008-09-13T23:59:59.999", answer{}},
		{"2008-09-13T12:00:00", answer{}},
		// Not midnight, not a time.
		{"2008-09-13T00:00", answer{}},
		{"2008-09-13T00:00:00.", answer{}},
		{"2008-09-13T00:00:00.Z", answer{}},
		{"2008-09-13T00:00:00 ", answer{}},
		{"2008-09-13T00:00:00+5", answer{}},
		{"2008-09-13T", answer{}},
		{"2008-09-13Tgarbage", answer{}},
		{"2008-09-13T00:00:00garbage", answer{}},
		{"2008-09-13 00:00:00", answer{}},
		{"13/09/2008", answer{}},
		{"2008-9-13T00:00:00", answer{}},
	} {
		q := IdentityRequest{FirstName: "Lisa", LastSurname: "Woods", BirthDate: tt.in}
		var got answer
		got.Valid = identityRequired(q) == nil
		if got.Valid {
			got.Date = identityStudent("S1", q).BirthDate
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("birthDate %q (-want +got):\n%s", tt.in, diff)
		}
	}
}
