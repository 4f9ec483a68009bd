package service_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/service"
)

// postExit posts a raw body to a student's exit with an LEA's key ("" for the
// reviewers') and returns the status, the raw answer and the answer decoded.
func postExit(t *testing.T, e *env, lea, student, body string) (int, string, service.ExitResponse) {
	t.Helper()
	hr, _ := http.NewRequest("POST", e.http.URL+"/state/v1/students/"+student+"/exit", strings.NewReader(body))
	hr.Header.Set("Authorization", "Bearer "+e.key(lea))
	hr.Header.Set("Content-Type", "application/json")
	resp, err := e.http.Client().Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out service.ExitResponse
	if resp.StatusCode == http.StatusOK {
		if err := jsonDecode(strings.NewReader(string(raw)), &out); err != nil {
			t.Fatalf("exit answer %s: %v", raw, err)
		}
	}
	return resp.StatusCode, string(raw), out
}

// exitBody is an exit's JSON body.
func exitBody(date string) string { return `{"exitWithdrawDate":"` + date + `"}` }

// TestRecordedExitEndsEnrollment: Lisa Woods is enrolled at LEA 255902 (submitted open).
// 255902 records through the API that she exited yesterday: its registrar is refused her
// page from then on. The exit is audited, and a restart keeps it: the same date again is
// answered as recorded, another refused, 255902's staff still refused, and LEA 01's
// enrollment with her SSID is handed her backpack at once (then LEA 04's, while 01
// enrolls her, waits for a reviewer).
func TestRecordedExitEndsEnrollment(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		clk := &clock{at: time.Now()} // sessions run on the wall clock
		e := newClockedEnv(t, db, clk)
		lisaID := e.studentOf(lisa)
		page := "/staff/students/" + lisaID
		staffPage := func() int {
			t.Helper()
			v := e.visitor(t)
			if code, _ := v.signIn("registrar.255902", e.password("registrar.255902")); code != http.StatusOK {
				t.Fatalf("sign-in: %d", code)
			}
			code, _ := v.get(page)
			return code
		}
		if code := staffPage(); code != http.StatusOK {
			t.Fatalf("255902's registrar on Lisa's page before the exit: %d, want 200", code)
		}
		exitDay := clk.now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
		code, raw, got := postExit(t, e, "255902", lisaID, exitBody(exitDay))
		if code != http.StatusOK || got.StudentUniqueID != lisaID || got.ExitWithdrawDate != exitDay || strings.Contains(got.Note, "already") {
			t.Fatalf("255902 records Lisa's exit on %s: %d %s", exitDay, code, raw)
		}
		exits := entriesOf(e.audit(), backpack.ActionExit, lisaID)
		if len(exits) != 1 || exits[0].Note != "exit from LEA 255902 on "+exitDay+" recorded" || !strings.Contains(exits[0].Actor, "LEA 255902") {
			t.Errorf("the exit's audit entries: %+v; want one, by 255902's key", exits)
		}

		if code := staffPage(); code != http.StatusForbidden {
			t.Errorf("255902's registrar after the exit: %d, want 403", code)
		}
		e.restart()
		if code := staffPage(); code != http.StatusForbidden {
			t.Errorf("255902's registrar after a restart: %d, want 403", code)
		}
		code, raw, again := postExit(t, e, "255902", lisaID, exitBody(exitDay))
		if code != http.StatusOK || again.ExitWithdrawDate != exitDay || !strings.Contains(again.Note, "recorded already") {
			t.Errorf("the same exit again after a restart: %d %s; want 200, recorded already", code, raw)
		}
		if code, raw, _ := postExit(t, e, "255902", lisaID, exitBody(clk.now().UTC().Format(time.DateOnly))); code != http.StatusConflict || !strings.Contains(raw, exitDay) {
			t.Errorf("another exit date after a restart: %d %s; want 409 naming %s", code, raw, exitDay)
		}
		if n := len(entriesOf(e.audit(), backpack.ActionExit, lisaID)); n != 1 {
			t.Errorf("%d exits of Lisa recorded after the restart's calls, want 1", n)
		}
		code, raw, moved := enrollRaw(t, e, "01", enrollment("01", "K-1", "Lisa", "", "Woods", "2008-09-13", "Female", lisaSSID))
		if code != http.StatusOK || moved.Outcome != "match" || moved.StudentUniqueID != lisaID || !enrolledAt(moved.Backpack, "255902") || !enrolledAt(moved.Backpack, "01") {
			t.Errorf("01 enrolls her after the exit: %d %s; want the match with her backpack at once", code, raw)
		}
		if n := handoffsTo(e, lisaID, "01"); n != 1 {
			t.Errorf("%d handoffs to 01, want 1", n)
		}

		// 01 enrolls her now: 04, enrolling her next, waits for a reviewer.
		code, raw, at04 := enrollRaw(t, e, "04", enrollment("04", "X-4", "Lisa", "", "Woods", "2008-09-13", "Female", lisaSSID))
		if code != http.StatusAccepted || at04.Backpack != nil {
			t.Errorf("04 enrolls her while 01 does: %d %s; want 202, waiting for a reviewer", code, raw)
		}
	})
}

// TestExitTakesEffectAfterItsDate: LEA 03 enrolls Nora (a new student, no exit date) and
// records her exit today. Until the day has passed she is still 03's: LEA 05's
// enrollment of her waits for a reviewer; two days later LEA 04's is handed her
// backpack at once.
func TestExitTakesEffectAfterItsDate(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		clk := &clock{at: clockStart} // 2025-03-03
		e := newClockedEnv(t, db, clk)
		const ssid = "7300118842"
		var first service.EnrollmentResponse
		if code, _ := e.call(e.key("03"), "POST", "/state/v1/enrollments",
			enrollmentWithExit(t, "03", "N-1", "Nora", "Quillfeather", "2010-04-21", "Female", ssid, "2024-08-20", ""), &first); code != http.StatusCreated || first.Outcome != "new" {
			t.Fatalf("Nora at 03: %d %+v, want a new student", code, first)
		}
		if code, raw, _ := postExit(t, e, "03", first.StudentUniqueID, exitBody("2025-03-03")); code != http.StatusOK {
			t.Fatalf("03 records her exit today: %d %s", code, raw)
		}
		code, raw, early := enrollRaw(t, e, "05", enrollment("05", "Q-5", "Nora", "", "Quillfeather", "2010-04-21", "Female", ssid))
		if code != http.StatusAccepted || early.Backpack != nil || !strings.Contains(early.Note, "enrolled at another LEA") {
			t.Errorf("05 enrolls her on her exit date: %d %s; want 202, waiting for a reviewer", code, raw)
		}
		clk.add(48 * time.Hour)
		code, raw, moved := enrollRaw(t, e, "04", enrollment("04", "Q-4", "Nora", "", "Quillfeather", "2010-04-21", "Female", ssid))
		if code != http.StatusOK || moved.Outcome != "match" || moved.StudentUniqueID != first.StudentUniqueID || !enrolledAt(moved.Backpack, "03") {
			t.Errorf("04 enrolls her after her exit date: %d %s; want the match with her backpack at once", code, raw)
		}
	})
}

// TestExitRefused: an exit is recorded only for the calling LEA's own enrollment of a
// student, on a date written YYYY-MM-DD not before the entry, and once: each refusal
// answers a 4xx naming why, is audited, and records nothing.
func TestExitRefused(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		e := newClockedEnv(t, db, &clock{at: clockStart}) // 2025-03-03; Lisa entered 255902 on 2022-08-22
		lisaID := e.studentOf(lisa)
		for _, c := range []struct {
			name, lea, student, body string
			status                   int
			says                     string
		}{
			{"an LEA that holds no record of her", "01", lisaID, exitBody("2025-01-10"), http.StatusNotFound, "holds a record of"},
			{"an LEA that holds her record, not her enrollment", "255901", lisaID, exitBody("2025-01-10"), http.StatusNotFound, "holds no enrollment"},
			{"an unknown student", "255902", "S-none", exitBody("2025-01-10"), http.StatusNotFound, "S-none"},
			{"the reviewers' key", "", lisaID, exitBody("2025-01-10"), http.StatusForbidden, "LEA's key"},
			{"a month 13", "255902", lisaID, exitBody("2025-13-01"), http.StatusBadRequest, "YYYY-MM-DD"},
			{"a US date", "255902", lisaID, exitBody("01/10/2025"), http.StatusBadRequest, "YYYY-MM-DD"},
			{"a date-time", "255902", lisaID, exitBody("2025-01-10T00:00:00Z"), http.StatusBadRequest, "YYYY-MM-DD"},
			{"no date", "255902", lisaID, `{}`, http.StatusBadRequest, "YYYY-MM-DD"},
			{"not JSON", "255902", lisaID, `exit`, http.StatusBadRequest, "exitWithdrawDate"},
			{"a date before her entry", "255902", lisaID, exitBody("2022-08-21"), http.StatusUnprocessableEntity, "before the entry date 2022-08-22"},
		} {
			before := len(e.audit())
			code, raw, _ := postExit(t, e, c.lea, c.student, c.body)
			if code != c.status || !strings.Contains(raw, c.says) {
				t.Errorf("%s: %d %s; want %d saying %q", c.name, code, raw, c.status, c.says)
			}
			entries := e.audit()
			if last := entries[len(entries)-1]; len(entries) != before+1 || last.Action != backpack.ActionExit ||
				!strings.Contains(last.Note, fmt.Sprintf("/exit answered %d", c.status)) {
				t.Errorf("%s: the refusal's audit: %d entries after %d, last %+v", c.name, len(entries), before, entries[len(entries)-1])
			}
		}
		if n := len(entriesOf(e.audit(), backpack.ActionExit, lisaID)); n != 0 {
			t.Errorf("%d exits of Lisa recorded by the refused calls", n)
		}

		if code, raw, _ := postExit(t, e, "255902", lisaID, exitBody("2025-01-10")); code != http.StatusOK {
			t.Fatalf("the exit: %d %s", code, raw)
		}
		if code, raw, got := postExit(t, e, "255902", lisaID, exitBody("2025-01-10")); code != http.StatusOK || !strings.Contains(got.Note, "recorded already") {
			t.Errorf("the same date again: %d %s; want 200, recorded already", code, raw)
		}
		if code, raw, _ := postExit(t, e, "255902", lisaID, exitBody("2025-02-10")); code != http.StatusConflict || !strings.Contains(raw, "2025-01-10") {
			t.Errorf("another date: %d %s; want 409 naming the date recorded", code, raw)
		}
		recorded := 0
		for _, x := range entriesOf(e.audit(), backpack.ActionExit, lisaID) {
			if strings.HasSuffix(x.Note, " recorded") {
				recorded++
			}
		}
		if recorded != 1 {
			t.Errorf("%d exits recorded, want 1", recorded)
		}
	})
}
