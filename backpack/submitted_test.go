package backpack

import (
	"testing"
	"time"
)

// Every date-time form Import accepts is an instant to the merge: none sorts as
// unreadable (before every readable date), so a value sent at 10:00 without seconds or
// with an offset is not outranked by an older one.
func TestCompareSubmittedImportForms(t *testing.T) {
	c := &checks{opt: &ImportOptions{}, now: time.Date(2024, 9, 1, 12, 0, 0, 0, time.UTC)}
	for _, tt := range []struct {
		v    string
		want time.Time
	}{
		{"2024-09-01T10:00Z", time.Date(2024, 9, 1, 10, 0, 0, 0, time.UTC)},
		{"2024-09-01T10:00", time.Date(2024, 9, 1, 10, 0, 0, 0, time.UTC)},
		{"2024-09-01T10:00+02:00", time.Date(2024, 9, 1, 8, 0, 0, 0, time.UTC)},
		{"2024-09-01T05:00:00.5-05:30", time.Date(2024, 9, 1, 10, 30, 0, 5e8, time.UTC)},
		{"2024-09-01T10:00:00", time.Date(2024, 9, 1, 10, 0, 0, 0, time.UTC)},
		{"2024-09-01", time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC)},
	} {
		kept := c.timestamp("_lastModifiedDate", tt.v)
		if c.err != nil || kept == "" {
			t.Fatalf("%q: import refused it: %v", tt.v, c.err)
		}
		got, ok := submittedTime(kept)
		if !ok || !got.Equal(tt.want) {
			t.Errorf("%q: the merge reads %v (readable %v), want %v", tt.v, got, ok, tt.want)
		}
		for _, older := range []string{"", "2020-01-01", "2024-08-31T23:59:59Z", "not a date"} {
			if compareSubmitted(kept, older) <= 0 || compareSubmitted(older, kept) >= 0 {
				t.Errorf("%q does not sort after %q", tt.v, older)
			}
		}
	}
	// Equal instants written differently still order totally, by bytes.
	if a, b := "2024-09-01T10:00Z", "2024-09-01T12:00+02:00"; compareSubmitted(a, b) != -compareSubmitted(b, a) || compareSubmitted(a, b) == 0 {
		t.Errorf("%q and %q: %d", a, b, compareSubmitted(a, b))
	}
	// "+02:00" at 10:00 is 08:00 UTC: before a zoneless 09:00.
	if compareSubmitted("2024-09-01T10:00+02:00", "2024-09-01T09:00") >= 0 {
		t.Error("an offset is not applied")
	}
}
