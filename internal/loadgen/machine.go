package loadgen

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Machine records what else ran on the machine while the load ran, so a
// reader can judge the figures: the load average over the run, the CPU time
// the server, the database and the generator itself used in the steady
// state, and the generator's scheduling priority. On a machine without
// /proc (not Linux) the fields it cannot read stay zero.
type Machine struct {
	// LoadStart and LoadEnd are the 1-, 5- and 15-minute load averages when
	// the run started and ended; LoadMax is the highest 1-minute load
	// average sampled during the run.
	LoadStart [3]float64 `json:"load_start"`
	LoadEnd   [3]float64 `json:"load_end"`
	LoadMax   float64    `json:"load_max"`
	CPUs      int        `json:"cpus"`
	// Nice is the generator's scheduling priority (higher: yields to the
	// server and the database).
	Nice int `json:"nice"`
	// SteadySeconds is the length of the steady state the CPU times cover.
	SteadySeconds float64 `json:"steady_seconds"`
	// CPU is the CPU time (user + system, seconds) each watched process
	// used in the steady state: "generator" always, "server" and
	// "database" when their process ids were given. A database process
	// counts with its children (PostgreSQL's backends), live and ended.
	CPU map[string]float64 `json:"cpu_seconds"`
}

// String is the machine record as the text report prints it.
func (m *Machine) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "machine: %d CPUs; load average %.2f %.2f %.2f at the start, %.2f %.2f %.2f at the end, %.2f at most; generator nice %d\n",
		m.CPUs, m.LoadStart[0], m.LoadStart[1], m.LoadStart[2], m.LoadEnd[0], m.LoadEnd[1], m.LoadEnd[2], m.LoadMax, m.Nice)
	if len(m.CPU) > 0 && m.SteadySeconds > 0 {
		b.WriteString("CPU time in the steady state:")
		for _, who := range []string{"server", "database", "generator"} {
			if v, ok := m.CPU[who]; ok {
				fmt.Fprintf(&b, " %s %.1f s (%.0f %% of one CPU)", who, v, 100*v/m.SteadySeconds)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// watcher samples the machine during a run.
type watcher struct {
	mu      sync.Mutex
	m       Machine
	pids    map[string]int // "server", "database" → process id
	at      map[string]float64
	started time.Time
	stop    chan struct{}
	done    chan struct{}
}

func newWatcher(server, database int) *watcher {
	w := &watcher{pids: map[string]int{"generator": os.Getpid()}, stop: make(chan struct{}), done: make(chan struct{})}
	if server > 0 {
		w.pids["server"] = server
	}
	if database > 0 {
		w.pids["database"] = database
	}
	w.m.CPUs = runtime.NumCPU()
	w.m.Nice = nice()
	w.m.LoadStart = loadAvg()
	w.m.LoadMax = w.m.LoadStart[0]
	go w.sample()
	return w
}

// sample reads the 1-minute load average every five seconds.
func (w *watcher) sample() {
	defer close(w.done)
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			l := loadAvg()
			w.mu.Lock()
			w.m.LoadMax = max(w.m.LoadMax, l[0])
			w.mu.Unlock()
		}
	}
}

// steady marks the start of the steady state: CPU times count from here.
func (w *watcher) steady() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.started = time.Now()
	w.at = map[string]float64{}
	for who, pid := range w.pids {
		w.at[who] = cpuSeconds(pid, who == "database")
	}
}

// finish stops sampling and returns the record.
func (w *watcher) finish() *Machine {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	w.m.LoadEnd = loadAvg()
	w.m.LoadMax = max(w.m.LoadMax, w.m.LoadEnd[0])
	if w.at != nil {
		w.m.SteadySeconds = round(time.Since(w.started).Seconds(), 3)
		w.m.CPU = map[string]float64{}
		for who, pid := range w.pids {
			w.m.CPU[who] = round(cpuSeconds(pid, who == "database")-w.at[who], 2)
		}
	}
	m := w.m
	return &m
}

func loadAvg() (l [3]float64) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return l
	}
	f := strings.Fields(string(b))
	for i := 0; i < 3 && i < len(f); i++ {
		l[i], _ = strconv.ParseFloat(f[i], 64)
	}
	return l
}

// nice reads this process's nice value from /proc (field 19 of stat).
func nice() int {
	f := statFields(os.Getpid())
	if len(f) < 17 {
		return 0
	}
	n, _ := strconv.Atoi(f[16])
	return n
}

// clockTicks is USER_HZ, the unit of /proc's CPU times: 100 on every Linux
// architecture Go supports.
const clockTicks = 100

// cpuSeconds is the CPU time of pid (user + system); with children, also
// that of its ended children it waited for and of its live children.
func cpuSeconds(pid int, children bool) float64 {
	f := statFields(pid)
	if len(f) < 15 {
		return 0
	}
	ticks := func(f []string, i int) float64 { v, _ := strconv.ParseFloat(f[i], 64); return v }
	total := ticks(f, 11) + ticks(f, 12) // utime, stime
	if children {
		total += ticks(f, 13) + ticks(f, 14) // cutime, cstime
		dirs, _ := filepath.Glob("/proc/[0-9]*")
		for _, d := range dirs {
			c, err := strconv.Atoi(filepath.Base(d))
			if err != nil || c == pid {
				continue
			}
			if cf := statFields(c); len(cf) > 14 && cf[1] == strconv.Itoa(pid) {
				total += ticks(cf, 11) + ticks(cf, 12)
			}
		}
	}
	return total / clockTicks
}

// statFields returns /proc/PID/stat's fields after the command name, so
// that index 0 is the state, 1 the parent's id, 11 utime, 12 stime, 13
// cutime, 14 cstime, 16 nice (the name, in parentheses, may hold spaces).
func statFields(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	return parseStat(string(b))
}

// parseStat splits a /proc/PID/stat line after its command name.
func parseStat(s string) []string {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(s[i+1:])
}
