package metrics

import (
	"context"
	"database/sql"
	"runtime"
)

// runtimeSamples are the Go runtime's figures: goroutines, memory, garbage
// collection.
func runtimeSamples() []Sample {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return []Sample{
		{Name: "go_goroutines", Help: "Goroutines that currently exist.", Value: float64(runtime.NumGoroutine())},
		{Name: "go_threads", Help: "Operating-system threads the runtime may run Go code on at once (GOMAXPROCS).", Value: float64(runtime.GOMAXPROCS(0))},
		{Name: "go_memstats_heap_alloc_bytes", Help: "Bytes of allocated heap objects.", Value: float64(m.HeapAlloc)},
		{Name: "go_memstats_heap_inuse_bytes", Help: "Bytes in in-use heap spans.", Value: float64(m.HeapInuse)},
		{Name: "go_memstats_sys_bytes", Help: "Bytes of memory obtained from the operating system.", Value: float64(m.Sys)},
		{Name: "go_memstats_alloc_bytes_total", Help: "Bytes allocated for heap objects, in total.", Value: float64(m.TotalAlloc), Counter: true},
		{Name: "go_gc_cycles_total", Help: "Completed garbage-collection cycles.", Value: float64(m.NumGC), Counter: true},
		{Name: "go_gc_pause_seconds_total", Help: "Time the world was stopped for garbage collection.", Value: float64(m.PauseTotalNs) / 1e9, Counter: true},
	}
}

// DBPool reads the statistics of connection pools: name is a fixed word
// ("write", "read") that becomes part of the metric names.
func DBPool(pools func() map[string]sql.DBStats) Collector {
	return func(ctx context.Context) []Sample {
		var out []Sample
		ps := pools()
		for _, name := range []string{"write", "read"} {
			s, ok := ps[name]
			if !ok {
				continue
			}
			p := "ura_db_" + name + "_pool_"
			out = append(out,
				Sample{Name: p + "max_open_connections", Help: "Most connections the " + name + " pool may open.", Value: float64(s.MaxOpenConnections)},
				Sample{Name: p + "open_connections", Help: "Connections of the " + name + " pool, in use or idle.", Value: float64(s.OpenConnections)},
				Sample{Name: p + "in_use_connections", Help: "Connections of the " + name + " pool in use.", Value: float64(s.InUse)},
				Sample{Name: p + "idle_connections", Help: "Idle connections of the " + name + " pool.", Value: float64(s.Idle)},
				Sample{Name: p + "wait_count_total", Help: "Times a request waited for a connection of the " + name + " pool.", Value: float64(s.WaitCount), Counter: true},
				Sample{Name: p + "wait_seconds_total", Help: "Time spent waiting for connections of the " + name + " pool.", Value: s.WaitDuration.Seconds(), Counter: true},
			)
		}
		return out
	}
}
