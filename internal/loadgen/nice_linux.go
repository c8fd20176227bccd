package loadgen

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// SetNice lowers this process's scheduling priority to n (0 to 19), so that
// on a shared machine the generator yields to the server and the database
// it measures. Linux sets priorities per thread: every thread of the
// process is set, and threads started later inherit the value.
func SetNice(n int) error {
	tasks, err := filepath.Glob("/proc/self/task/[0-9]*")
	if err != nil || len(tasks) == 0 {
		return syscall.Setpriority(syscall.PRIO_PROCESS, 0, n)
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(filepath.Base(t))
		if err != nil {
			continue
		}
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, n); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}
