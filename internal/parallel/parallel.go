package parallel

import "sync"

// Ranges runs fn on workers goroutines, worker w over the range [lo, hi) of [0, n) that
// starts at w*n/workers, and returns when all have returned. The ranges are contiguous,
// in worker order, and cover [0, n) once; with n < workers some are empty. workers < 1
// counts as 1.
func Ranges(workers, n int, fn func(w, lo, hi int)) {
	workers = max(workers, 1)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { fn(w, w*n/workers, (w+1)*n/workers) })
	}
	wg.Wait()
}
