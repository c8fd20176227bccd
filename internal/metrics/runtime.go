package metrics

import (
	"context"
	"database/sql"
	rtmetrics "runtime/metrics"
)

// runtimeSamples are the Go runtime's figures: goroutines, memory, garbage
// collection. They come from runtime/metrics, which (unlike ReadMemStats)
// does not stop the world.
func runtimeSamples() []Sample {
	defs := []struct {
		key, name, help string
		counter         bool
	}{
		{"/sched/goroutines:goroutines", "go_goroutines", "Goroutines that currently exist.", false},
		{"/sched/gomaxprocs:threads", "go_gomaxprocs", "Operating-system threads that may run Go code at once (GOMAXPROCS).", false},
		{"/memory/classes/heap/objects:bytes", "go_memstats_heap_alloc_bytes", "Bytes of allocated heap objects.", false},
		{"/memory/classes/total:bytes", "go_memstats_sys_bytes", "Bytes of memory mapped by the Go runtime.", false},
		{"/gc/heap/allocs:bytes", "go_memstats_alloc_bytes_total", "Bytes allocated on the heap, in total.", true},
		{"/gc/cycles/total:gc-cycles", "go_gc_cycles_total", "Completed garbage-collection cycles.", true},
		{"/cpu/classes/gc/total:cpu-seconds", "go_gc_cpu_seconds_total", "CPU time spent on garbage collection (estimate).", true},
	}
	ss := make([]rtmetrics.Sample, len(defs))
	for i, d := range defs {
		ss[i].Name = d.key
	}
	rtmetrics.Read(ss)
	out := make([]Sample, 0, len(defs))
	for i, d := range defs {
		var v float64
		switch ss[i].Value.Kind() {
		case rtmetrics.KindUint64:
			v = float64(ss[i].Value.Uint64())
		case rtmetrics.KindFloat64:
			v = ss[i].Value.Float64()
		default:
			continue // not known to this Go version
		}
		out = append(out, Sample{Name: d.name, Help: d.help, Value: v, Counter: d.counter})
	}
	return out
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
