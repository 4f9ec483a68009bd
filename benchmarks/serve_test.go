package benchmarks

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/internal/synth"
	"github.com/studentlink/studentlink/match"
	"github.com/studentlink/studentlink/normalize"
	"github.com/studentlink/studentlink/service"
)

// Load of BenchmarkServeSearch: 16 clients, each with its own share of a fixed number of
// searches, stopped early at a time limit so that the run is bounded either way.
const (
	serveClients  = 16
	serveSearches = 20_000
	serveLimit    = 2 * time.Minute
)

// BenchmarkServeSearch measures the state service's identity search over HTTP on
// loopback. A synthetic roll of 10^5 or (when asked for, see bench1MEnv) 10^6 records,
// less one record in 500 held out, is linked with the student preset and loaded into a
// SQLite store as a first start loads the sample; the server is then closed and opened
// again (everything rebuilt from the store, as at every start) and listens on
// 127.0.0.1. 16 clients POST /identity/v2/search with one held-out record each time (its
// names, birth date and sex, written as Ed-Fi wants them), serveSearches in all (or as
// many as serveSearchesEnv says), each
// call audited and its audit entry committed before the answer as in production.
// Everything before the first search is outside the timer. It reports the 50th and 99th
// percentile latency of a search as a client sees it, the throughput, the CPU time the
// process (server and clients) spent per search, and how many searches failed or found
// no candidate.
func BenchmarkServeSearch(b *testing.B) {
	for _, size := range benchSizes[1:] {
		b.Run(size.name, func(b *testing.B) {
			skipLarge(b, size.name, size.records)
			base, key, queries, indexed, idleGC := serveRoll(b, size.records)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: serveClients, MaxConnsPerHost: serveClients}}
			defer client.CloseIdleConnections()
			runtime.GC()
			b.ReportAllocs() // of the whole process: the server and the 16 clients
			var lat []time.Duration
			var failed, empty int
			var elapsed, cpu time.Duration
			var gcs uint32
			searches := searchCount(b)
			for b.Loop() {
				stop := loadProfile(b)
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				cpu0, gc0 := processCPU(), ms.NumGC
				lat, failed, empty, elapsed = searchLoad(b, client, base, key, queries, searches)
				cpu = processCPU() - cpu0
				runtime.ReadMemStats(&ms)
				gcs = ms.NumGC - gc0
				stop()
				writeHeapProfile(b, ".after")
			}
			slices.Sort(lat)
			ms := func(q float64) float64 {
				return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1e3
			}
			b.ReportMetric(ms(0.50), "p50-ms")
			b.ReportMetric(ms(0.99), "p99-ms")
			b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "searches/s")
			b.ReportMetric(float64(cpu.Microseconds())/float64(len(lat)), "cpu-µs/search")
			b.ReportMetric(float64(gcs), "gc-cycles")
			b.ReportMetric(float64(len(lat)), "searches")
			b.ReportMetric(float64(failed), "failed")
			b.ReportMetric(float64(empty)/float64(len(lat)), "no-candidate-share")
			b.ReportMetric(float64(indexed), "indexed")
			b.ReportMetric(float64(idleGC.Microseconds())/1e3, "idle-gc-ms")
		})
	}
}

// serveSearchesEnv sets how many searches to send instead of serveSearches, for a
// longer load: with 10^6 records 20,000 searches allocate less than the live heap, so
// that no GC cycle need run during them (the gc-cycles metric counts those that did).
const serveSearchesEnv = "STUDENTLINK_SERVE_SEARCHES"

// searchCount is how many searches to send.
func searchCount(b *testing.B) int {
	v := os.Getenv(serveSearchesEnv)
	if v == "" {
		return serveSearches
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < serveClients {
		b.Fatalf("%s=%q: want a number of searches, at least %d", serveSearchesEnv, v, serveClients)
	}
	return n
}

// serveProfileEnv names a file for a CPU profile of the searches alone (-cpuprofile
// profiles the setup too, which takes most of the run).
const serveProfileEnv = "STUDENTLINK_SERVE_CPUPROFILE"

// serveHeapProfileEnv names a file for a heap profile of the server's state after the
// restart, before the searches (its inuse_objects view counts what GC marks); the same
// name with ".after" is written after the searches (pprof -base the first shows what
// the searches allocated).
const serveHeapProfileEnv = "STUDENTLINK_SERVE_HEAPPROFILE"

// writeHeapProfile writes the heap profile serveHeapProfileEnv asks for.
func writeHeapProfile(b *testing.B, suffix string) {
	name := os.Getenv(serveHeapProfileEnv)
	if name == "" {
		return
	}
	name += suffix
	runtime.GC() // the profile is as of the last cycle
	f, err := os.Create(name)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Fatal(err)
	}
}

// loadProfile starts the CPU profile serveProfileEnv asks for; stop ends it.
func loadProfile(b *testing.B) (stop func()) {
	name := os.Getenv(serveProfileEnv)
	if name == "" {
		return func() {}
	}
	f, err := os.Create(name)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

// searchLoad runs the searches from serveClients clients and returns each latency.
func searchLoad(b *testing.B, client *http.Client, base, key string, queries [][]byte, searches int) (lat []time.Duration, failed, empty int, elapsed time.Duration) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	deadline := time.Now().Add(serveLimit)
	start := time.Now()
	for c := range serveClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, searches/serveClients)
			bad, none := 0, 0
			for k := 0; k < searches/serveClients && time.Now().Before(deadline); k++ {
				q := queries[(c*7919+k)%len(queries)]
				t0 := time.Now()
				ok, found := search(client, base, key, q)
				mine = append(mine, time.Since(t0))
				switch {
				case !ok:
					bad++
				case !found:
					none++
				}
			}
			mu.Lock()
			lat, failed, empty = append(lat, mine...), failed+bad, empty+none
			mu.Unlock()
		}()
	}
	wg.Wait()
	return lat, failed, empty, time.Since(start)
}

// search posts one search; ok is a 200 answer, found whether it named a candidate.
func search(client *http.Client, base, key string, body []byte) (ok, found bool) {
	req, _ := http.NewRequest("POST", base+"/identity/v2/search", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := client.Do(req)
	if err != nil {
		return false, false
	}
	defer resp.Body.Close()
	var out service.SearchResponse
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &out) != nil || len(out.SearchResponses) != 1 {
		return false, false
	}
	return true, len(out.SearchResponses[0].Responses) > 0
}

// edfiRequest writes a roll record as an SIS would send it to the Identities API: the
// birth date as an Ed-Fi date, the sex as its code value. ok is false for a record whose
// birth date cannot be read, which no SIS could send.
func edfiRequest(r normalize.Record) (service.IdentityRequest, bool) {
	d, err := normalize.ParseDate(r.BirthDate, normalize.DateOptions{})
	if err != nil || d.IsZero() {
		return service.IdentityRequest{}, false
	}
	q := service.IdentityRequest{FirstName: r.Given, MiddleName: r.Middle, LastSurname: r.Family, BirthDate: d.String()}
	if sex, err := normalize.ParseSex(r.Sex); err == nil && sex != normalize.SexUnknown {
		q.SexType = sex.String()
	}
	return q, true
}

// serveRoll links a synthetic roll, holding out one record in 500 as the searches, loads
// it into a new SQLite store and serves it on loopback until the benchmark ends.
func serveRoll(b *testing.B, records int) (base, key string, queries [][]byte, indexed int, idleGC time.Duration) {
	b.Helper()
	gen := studentRoll(b, records)
	var kept, held []synth.Record
	for i, r := range gen.Records {
		if i%500 == 499 {
			held = append(held, r)
		} else {
			kept = append(kept, r)
		}
	}
	roll := matchRoll(b, kept)
	heldRoll := matchRoll(b, held)
	linked := roll.Len()
	gen, kept = nil, nil
	ctx := context.Background()
	l, err := match.New(match.StudentSettings())
	if err != nil {
		b.Fatal(err)
	}
	res, err := l.Run(ctx, roll, match.RunOptions{})
	if err != nil {
		b.Fatal(err)
	}
	seed := &service.Seed{Linker: l, Result: res, Submissions: backpack.FromRoll(roll, "2024-06-30"), Keys: []service.KeySpec{{LEA: "01", Label: "load"}}}
	db := filepath.Join(b.TempDir(), "serve.db")
	auditKey := []byte("the load benchmark's audit key")
	t0 := time.Now()
	srv, err := service.Open(ctx, service.Config{DB: db, AuditKey: auditKey, Seed: func(context.Context) (*service.Seed, error) { return seed, nil }})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d records loaded into SQLite and the index built from it in %s", linked, time.Since(t0).Round(time.Millisecond))
	key = srv.FirstStart.APIKeys[0].Key
	seed, res, roll = nil, nil, nil
	srv.Close()
	runtime.GC()
	t0 = time.Now()
	srv, err = service.Open(ctx, service.Config{DB: db, AuditKey: auditKey, Logf: b.Logf}) // a restart: everything rebuilt from the store
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("restart: the server rebuilt its state from the store in %s", time.Since(t0).Round(time.Millisecond))
	runtime.GC()
	t0 = time.Now()
	runtime.GC() // nothing else running: the time is the marking of the server's state
	idleGC = time.Since(t0)
	b.Logf("a GC cycle with the server idle: %s", idleGC.Round(time.Millisecond))
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.Logf("heap in use after the restart: %.2f GB", float64(ms.HeapAlloc)/1e9)
	writeHeapProfile(b, "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln)
	b.Cleanup(func() { hs.Close(); srv.Close() })

	for i := range heldRoll.Len() {
		q, ok := edfiRequest(heldRoll.Record(i))
		if !ok {
			continue
		}
		body, _ := json.Marshal([]service.IdentityRequest{q})
		queries = append(queries, body)
	}
	// Keep the searches the API accepts: a held-out record may lack a name, which the API
	// refuses (400) before any search.
	base = "http://" + ln.Addr().String()
	client := &http.Client{}
	queries = slices.DeleteFunc(queries, func(q []byte) bool { ok, _ := search(client, base, key, q); return !ok })
	if len(queries) == 0 {
		b.Fatal("no held-out record makes a valid search")
	}
	b.Logf("%d of %d held-out records make valid searches", len(queries), heldRoll.Len())
	counts, err := srv.Counts(ctx, "")
	if err != nil {
		b.Fatal(err)
	}
	return base, key, queries, counts.Indexed, idleGC
}
