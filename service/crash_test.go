package service_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/studentlink/studentlink/service"
)

// buildServe builds examples/serve once per test binary.
var buildServe = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "studentlink-serve-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "serve")
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		gobin = "go"
	}
	out, err := exec.Command(gobin, "build", "-o", bin, "../examples/serve").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./examples/serve: %v\n%s", err, out)
	}
	return bin, nil
})

// served is a running examples/serve process.
type served struct {
	cmd  *exec.Cmd
	url  string
	logs *bytes.Buffer
}

var listening = regexp.MustCompile(`listening on (http://[^/\s]+)/`)

// startServe runs examples/serve on a database and waits until it listens.
func startServe(t *testing.T, db, creds string) *served {
	t.Helper()
	bin, err := buildServe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-db", db, "-addr", "127.0.0.1:0", "-credentials", creds, "-audit-key", filepath.Join(filepath.Dir(creds), "audit.key"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &served{cmd: cmd, logs: &bytes.Buffer{}}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			s.logs.WriteString(line + "\n")
			if m := listening.FindStringSubmatch(line); m != nil {
				found <- m[1]
			}
		}
		close(found)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			cmd.Wait()
			t.Fatalf("examples/serve stopped before listening:\n%s", s.logs)
		}
		s.url = u
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("examples/serve did not listen within 2 minutes:\n%s", s.logs)
	}
	t.Cleanup(func() { s.cmd.Process.Kill(); s.cmd.Wait() })
	return s
}

// TestCrash kills the server (SIGKILL) in the middle of a stream of enrollments from
// four clients, restarts it, and checks that every enrollment it acknowledged is there,
// answered as it was, and that none is there twice: in the enrollments, the records, the
// index and the audit chain.
func TestCrash(t *testing.T) {
	onEachStore(t, func(t *testing.T, db string) {
		dir := t.TempDir()
		credsPath := filepath.Join(dir, "credentials.json")
		first := startServe(t, db, credsPath)
		var creds service.Credentials
		raw, err := os.ReadFile(credsPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &creds); err != nil {
			t.Fatal(err)
		}
		key := ""
		for _, k := range creds.APIKeys {
			if k.LEA == "03" {
				key = k.Key
			}
		}

		type ack struct {
			req  service.EnrollmentRequest
			resp service.EnrollmentResponse
		}
		var (
			mu     sync.Mutex
			acked  = map[string]ack{} // studentUniqueId → the acknowledged answer
			sent   []string
			killed = make(chan struct{})
		)
		const killAfter = 40
		var wg sync.WaitGroup
		for c := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{Timeout: 30 * time.Second}
				for k := 0; ; k++ {
					select {
					case <-killed:
						return
					default:
					}
					uid := fmt.Sprintf("CRASH-%d-%03d", c, k)
					req := crashEnrollment("03", uid, c, k)
					mu.Lock()
					sent = append(sent, uid)
					mu.Unlock()
					resp, ok := postEnrollment(client, first.url, key, req)
					if !ok {
						return // not acknowledged (the server was killed): it may or may not have it
					}
					mu.Lock()
					acked[uid] = ack{req, resp}
					n := len(acked)
					mu.Unlock()
					if n == killAfter {
						first.cmd.Process.Kill() // SIGKILL, while the other clients are mid-call
						first.cmd.Wait()
						close(killed)
					}
				}
			}()
		}
		wg.Wait()
		t.Logf("sent %d enrollments, %d acknowledged before the kill", len(sent), len(acked))

		second := startServe(t, db, credsPath)
		client := &http.Client{Timeout: 30 * time.Second}
		for uid, a := range acked {
			var got service.EnrollmentResponse
			if code := getJSON(client, second.url+"/state/v1/enrollments/"+a.resp.EnrollmentID, key, &got); code >= 300 {
				t.Errorf("acknowledged enrollment %s (%s) after the restart: status %d", uid, a.resp.EnrollmentID, code)
				continue
			}
			if got.RecordID != a.resp.RecordID || got.Outcome != a.resp.Outcome || got.StudentUniqueID != a.resp.StudentUniqueID {
				t.Errorf("enrollment %s: before the kill %+v, after %+v", uid, a.resp, got)
			}
			// Sent again (a client retrying), it is answered as before and not added.
			again, ok := postEnrollment(client, second.url, key, a.req)
			if !ok || again.EnrollmentID != a.resp.EnrollmentID {
				t.Errorf("enrollment %s sent again: %+v", uid, again)
			}
		}
		// Those never acknowledged are sent again too, as a client would: each is then
		// there exactly once, whether or not the first try had reached the store.
		for _, uid := range sent {
			if _, ok := acked[uid]; ok {
				continue
			}
			c, k := 0, 0
			fmt.Sscanf(uid, "CRASH-%d-%d", &c, &k)
			if _, ok := postEnrollment(client, second.url, key, crashEnrollment("03", uid, c, k)); !ok {
				t.Errorf("enrollment %s sent again after the restart was refused", uid)
			}
		}
		second.cmd.Process.Signal(os.Interrupt)
		second.cmd.Wait()

		// Count in the store itself.
		auditKey, err := os.ReadFile(filepath.Join(dir, "audit.key"))
		if err != nil {
			t.Fatal(err)
		}
		srv, err := service.Open(context.Background(), service.Config{DB: db, AuditKey: auditKey})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		counts, err := srv.Counts(context.Background(), "03/CRASH-")
		if err != nil {
			t.Fatal(err)
		}
		if counts.Enrollments != len(sent) || counts.Records != len(sent) || counts.DistinctRecords != len(sent) || counts.Indexed != counts.Placed {
			t.Errorf("after the crash and the retries: %+v, want %d enrollments and records, and the index holding every placed record", counts, len(sent))
		}
		entries, err := srv.Audit(context.Background())
		if err != nil {
			t.Fatalf("the audit chain after the crash: %v", err)
		}
		placed := map[string]int{}
		for _, e := range entries {
			if e.Action == "enroll" && len(e.Records) == 1 {
				placed[e.Records[0]]++
			}
		}
		for _, uid := range sent {
			if n := placed["03/"+uid]; n != 1 {
				t.Errorf("%s is placed %d times in the audit log", uid, n)
			}
		}
	})
}

// crashEnrollment is the k-th student of client c, enrolling at a school of lea: new to
// the state and unlike every other (a given name per client, a family name per k, birth
// dates weeks apart, all in the past for k under 100).
func crashEnrollment(lea, uid string, c, k int) service.EnrollmentRequest {
	birth := time.Date(2006, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, c*11+k*37).Format("2006-01-02")
	given := []string{"Aroha", "Bodhi", "Caelum", "Dariela"}[c]
	family := crashFamilies[k%len(crashFamilies)]
	if k >= len(crashFamilies) {
		family += fmt.Sprint(k / len(crashFamilies))
	}
	return enrollment(lea, uid, given, "", family, birth, "Female", "")
}

var crashFamilies = strings.Fields(`Abernathy Bjornsson Castellanos Dziedzic Eskelinen Fairweather Gwynedd Halvorsen
	Ilunga Jaramillo Kowalczyk Lindqvist Mbatha Nakashima Oyelaran Pietersen Quisenberry Rautenbach Szczepanski
	Tsvangirai Urquhart Vukovic Whitfield Xiong Yamaguchi Zwolinski Achterberg Bellweather Chakraborty Delacroix
	Eberhardt Fitzsimmons Gallagher Hollingsworth Isaksen Jovanovic Kristiansen Lockwood Montgomery Nightingale
	Oppenheimer Pemberton Quartermaine Rosenthal Sutherland Thistlewood Underhill Vanderbilt Wadsworth Yarborough`)

// postEnrollment posts an enrollment; ok is whether the server acknowledged it.
func postEnrollment(client *http.Client, base, key string, req service.EnrollmentRequest) (service.EnrollmentResponse, bool) {
	var out service.EnrollmentResponse
	body, _ := json.Marshal(req)
	r, _ := http.NewRequest("POST", base+"/state/v1/enrollments", bytes.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+key)
	resp, err := client.Do(r)
	if err != nil {
		return out, false
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode >= 300 || json.Unmarshal(raw, &out) != nil {
		return out, false
	}
	return out, true
}

func getJSON(client *http.Client, url, key string, out any) int {
	r, _ := http.NewRequest("GET", url, nil)
	r.Header.Set("Authorization", "Bearer "+key)
	resp, err := client.Do(r)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode < 300 {
		json.Unmarshal(raw, out)
	}
	return resp.StatusCode
}
