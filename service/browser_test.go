package service_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/internal/testkit"
	"github.com/studentlink/studentlink/service"
)

// screenshotDir is where the browser test leaves its screenshots:
// $STUDENTLINK_SCREENSHOTS, or studentlink-screenshots in the temporary directory.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("STUDENTLINK_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "studentlink-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser is one headless Chromium with a fresh profile, driving the pages.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	shot string
	n    int
}

func newBrowser(t *testing.T, base string) *browser {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(testkit.Chromium(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1200, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser
		t.Fatalf("starting Chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx, base: base, shot: screenshotDir(t)}
}

// do runs actions, each step bounded by a minute.
func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// navigate runs actions that load a page and returns its HTTP status.
func (b *browser) navigate(steps ...chromedp.Action[chromedp.Void]) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	return resp.Status
}

// open loads a path and returns its status.
func (b *browser) open(path string) int64 { return b.navigate(chromedp.Navigate(b.base + path)) }

// click follows a link or presses a button that loads a page.
func (b *browser) click(sel string) int64 { return b.navigate(chromedp.Click(chromedp.CSS(sel))) }

// text returns the visible text of the first element sel matches.
func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("browser: text of %s: %v", sel, err)
	}
	return s
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("browser: %s: %v", expr, err)
	}
	return v
}

// screenshot saves the page as NN-name.png.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	b.n++
	path := filepath.Join(b.shot, fmt.Sprintf("%02d-%s.png", b.n, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", path)
}

// signIn signs in through the form (signing out whoever was signed in).
func (b *browser) signIn(user, password string) {
	b.t.Helper()
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
	if st := b.open("/signin"); st != 200 {
		b.t.Fatalf("sign-in form: status %d", st)
	}
	b.do(chromedp.SendKeys(chromedp.CSS("#username"), user), chromedp.SendKeys(chromedp.CSS("#password"), password))
	if st := b.click("#signin"); st != 200 {
		b.t.Fatalf("signing in as %s: status %d: %s", user, st, b.text("main"))
	}
}

// TestBrowser walks the guardian's request through the pages in Chromium: the guardian
// presses Retrieve Backpack File, staff of another LEA can neither see nor approve it,
// nor open a student of someone else's; staff of the guardian's LEA with the request
// permission approve it; the guardian then sees the backpack without blank elements and
// is offered Update Backpack.
func TestBrowser(t *testing.T) {
	e := newEnv(t, sqliteDB(t))
	b := newBrowser(t, e.http.URL)
	lisaID := e.studentOf(lisa)
	otherPassword, err := e.srv.CreateAccount(context.Background(), service.Account{Username: "registrar.01", Role: service.RoleStaff, LEA: "01",
		Permissions: backpack.PermView | backpack.PermRequest})
	if err != nil {
		t.Fatal(err)
	}

	// The guardian asks for the first time.
	b.signIn("guardian.woods", e.password("guardian.woods"))
	if got := b.text("#request-" + lisaSSID); got != "Retrieve Backpack File" {
		t.Fatalf("the guardian's first button says %q", got)
	}
	b.screenshot("guardian-before")
	if st := b.click("#request-" + lisaSSID); st != 200 {
		t.Fatalf("Retrieve Backpack File: status %d", st)
	}
	if got := b.text("#student-" + lisaSSID + " .status"); !strings.Contains(got, "Retrieve") || !strings.Contains(got, "Pending") {
		t.Errorf("after the request the page says %q", got)
	}
	if n := eval[int](b, `document.querySelectorAll(".backpack").length`); n != 0 {
		t.Error("the guardian sees a backpack before anyone approved")
	}
	b.screenshot("guardian-pending")
	reqID := e.srv.PendingRequests("255902")[0].ID

	// Staff of another LEA: the request is not on their page, approving it is refused,
	// and a student with no record at their LEA is refused.
	b.signIn("registrar.01", otherPassword)
	b.open("/staff/requests")
	if got := b.text("main"); !strings.Contains(got, "No records found") || strings.Contains(got, reqID) {
		t.Errorf("staff of LEA 01 see on the requests page: %q", got)
	}
	b.screenshot("other-lea-requests")
	forged := `(() => { const f = document.createElement("form"); f.method = "post"; f.action = "/staff/requests/` + reqID + `/approve";
		const i = document.createElement("input"); i.name = "csrf"; i.value = document.querySelector("input[name=csrf]").value;
		f.appendChild(i); document.body.appendChild(f); f.submit(); return true })()`
	st := b.navigate(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](forged)(ctx, t)
		return err
	}))
	if got := b.text("main"); st != 403 || !strings.Contains(got, "Refused") {
		t.Errorf("staff of LEA 01 approving: status %d, page %q", st, got)
	}
	b.screenshot("other-lea-approve-refused")
	if st := b.open("/staff/students/" + lisaID); st != 403 || !strings.Contains(b.text("main"), "Refused") {
		t.Errorf("staff of LEA 01 opening Lisa's backpack: status %d", st)
	}
	b.screenshot("other-lea-backpack-refused")

	// Staff of LEA 255902 with the view permission only cannot decide requests.
	b.signIn("teacher.255902", e.password("teacher.255902"))
	if st := b.open("/staff/requests"); st != 403 {
		t.Errorf("view-only staff on the requests page: status %d", st)
	}

	// Staff of LEA 255902 with the request permission see it and approve it.
	b.signIn("registrar.255902", e.password("registrar.255902"))
	b.click("#requests-link")
	row := b.text("#requests")
	for _, want := range []string{reqID, "guardian.woods", lisaSSID, "Retrieve"} {
		if !strings.Contains(row, want) {
			t.Errorf("the requests page lacks %q: %q", want, row)
		}
	}
	b.screenshot("staff-requests")
	if st := b.click("#approve-" + reqID); st != 200 {
		t.Fatalf("Approve: status %d", st)
	}
	if got := b.text("main"); !strings.Contains(got, "approved") || !strings.Contains(got, "No records found") {
		t.Errorf("after approving, the page says %q", got)
	}
	b.screenshot("staff-approved")

	// The staff Student Backpack page: data elements with counts, Records (view),
	// breadcrumbs, and the teachers' credentials behind the Teachers element.
	b.open("/staff/students/" + lisaID)
	summary := b.text("#summary")
	for _, want := range []string{"Demographics", "Grades", "Attendance", "Teachers", "Records (view)"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the Student Backpack page lacks %q: %q", want, summary)
		}
	}
	b.screenshot("staff-student-backpack")
	b.click(`a[href$="/teachers"]`)
	if crumbs := b.text("nav.crumbs"); !strings.Contains(crumbs, "Home") || !strings.Contains(crumbs, "Lisa") || !strings.Contains(crumbs, "Teachers") {
		t.Errorf("breadcrumbs %q", crumbs)
	}
	if got := b.text("main"); !strings.Contains(got, "credentials") {
		t.Errorf("the teachers' records show no credentials: %q", got)
	}
	b.screenshot("staff-teachers")

	// The guardian sees the backpack, no blank element or value, and Update Backpack.
	b.signIn("guardian.woods", e.password("guardian.woods"))
	if got := b.text("#request-" + lisaSSID); got != "Update Backpack" {
		t.Errorf("after a forwarded request the button says %q", got)
	}
	backpackText := b.text(".backpack")
	for _, want := range []string{"Demographics", "Lisa", "Woods", "Grades", "Teachers"} {
		if !strings.Contains(backpackText, want) {
			t.Errorf("the guardian's backpack lacks %q", want)
		}
	}
	if strings.Contains(backpackText, "(0)") {
		t.Errorf("the guardian's backpack shows an empty element: %q", backpackText)
	}
	if blank := eval[int](b, `[...document.querySelectorAll(".backpack td")].filter(td => td.textContent.trim() === "").length`); blank != 0 {
		t.Errorf("the guardian's backpack shows %d blank values", blank)
	}
	if strings.Contains(backpackText, "Assessments") {
		t.Errorf("Lisa has no assessments, yet the element is shown")
	}
	b.screenshot("guardian-backpack")
}
