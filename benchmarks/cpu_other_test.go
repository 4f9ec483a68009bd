//go:build !unix

package benchmarks

import "time"

// processCPU is not measured here: the cpu-µs/search metric reads 0.
func processCPU() time.Duration { return 0 }
