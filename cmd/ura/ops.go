package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/backup"
	"github.com/ura-nrm/ura/internal/linkage"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

func cmdAudit(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return usagef("usage: ura audit verify")
	}
	cfg, err := loadConfig(e, newFlags("audit verify"), args[1:], nil)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := audit.Verify(ctx, a.DB, a.Keyring.AuditPublicKeys())
	if err != nil {
		return err
	}
	if rep.Problem != nil {
		return fmt.Errorf("audit chain broken at event %d: %s", rep.Problem.Seq, rep.Problem.Reason)
	}
	fmt.Fprintf(e.stdout, "audit chain intact: %d events, %d signed checkpoints, head %d\n", rep.Events, rep.Checkpoints, rep.Head)
	return nil
}

func cmdBackup(ctx context.Context, e env, args []string) error {
	fs := newFlags("backup")
	out := fs.String("out", "", "file to write (created with mode 0600)")
	cfg, err := loadConfig(e, fs, args, nil)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required")
	}
	a, err := openApp(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".ura-backup-*")
	if err != nil {
		return fmt.Errorf("create backup file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	st, err := backup.Write(ctx, a.DB, a.Keyring, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backup written: %d tables, %d rows, %d bytes\n", st.Tables, st.Rows, st.Bytes)
	return nil
}

func cmdRestore(ctx context.Context, e env, args []string) error {
	fs := newFlags("restore")
	in := fs.String("in", "", "backup file to restore")
	batch := fs.Int("batch", 20000, "rows per transaction (bounds the write-ahead log and what an interruption loses)")
	cacheMB := fs.Int("cache-mb", 1024, "SQLite's page cache while the rows go in, in MB (bounds the memory)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the restore to this file (go tool pprof)")
	memProfile := fs.String("memprofile", "", "write a heap profile at the end of the restore to this file (go tool pprof)")
	cfg, err := loadConfig(e, fs, args, nil)
	if err != nil {
		return err
	}
	if *in == "" {
		return usagef("--in is required")
	}
	f, err := os.Open(*in)
	if err != nil {
		return fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	kr, err := vault.Load(cfg.KeyFile)
	if err != nil {
		return fmt.Errorf("master key: %w", err)
	}
	db, err := store.Open(ctx, store.Options{DataDir: cfg.DataDir, URL: cfg.DB})
	if err != nil {
		return err
	}
	defer db.Close()
	// A restore interrupted earlier resumes with its indexes still deferred.
	if _, err := db.MigrateSchema(ctx); err != nil {
		return err
	}
	if *cpuProfile != "" {
		pf, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	st, err := backup.RestoreWith(ctx, db, kr, f, backup.RestoreOptions{BatchRows: *batch, CacheMB: *cacheMB, Progress: e.stderr})
	if err != nil {
		return fmt.Errorf("restore: %w (run the same command again to resume)", err)
	}
	fmt.Fprintf(e.stdout, "restored %d tables, %d rows in %s; every table's rows counted against the backup\n",
		st.Tables, st.Rows, time.Since(start).Round(time.Second))
	if *memProfile != "" {
		if err := writeHeapProfile(*memProfile); err != nil {
			return err
		}
	}
	if hwm := peakRSS(); hwm > 0 {
		fmt.Fprintf(e.stderr, "peak resident memory: %d MB\n", hwm>>20)
	}
	// The audit chain is verified as `ura audit verify` does.
	rep, err := audit.Verify(ctx, db, kr.AuditPublicKeys())
	if err != nil {
		return err
	}
	if rep.Problem != nil {
		return fmt.Errorf("restored, but the audit chain is broken at event %d: %s", rep.Problem.Seq, rep.Problem.Reason)
	}
	fmt.Fprintf(e.stdout, "audit chain intact: %d events, %d signed checkpoints, head %d\n", rep.Events, rep.Checkpoints, rep.Head)
	return nil
}

func cmdKeys(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "rotate" {
		return usagef("usage: ura keys rotate")
	}
	cfg, err := loadConfig(e, newFlags("keys rotate"), args[1:], nil)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := vault.Rotate(ctx, a.DB, cfg.KeyFile)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "keys rotated: master key version %d → %d, %d data keys re-wrapped, retired versions %v\n",
		res.From, res.To, res.Rewrapped, res.Retired)
	fmt.Fprintln(e.stdout, "Backups made before this rotation can no longer be read: take a new backup now.")
	return nil
}

func cmdMatch(ctx context.Context, e env, args []string) error {
	return linkage.RunCLI(ctx, args, e.stdin, e.stdout, e.stderr)
}

func cmdConfig(ctx context.Context, e env, args []string) error {
	cfg, err := loadConfig(e, newFlags("config"), args, nil)
	if err != nil {
		return err
	}
	fmt.Fprint(e.stdout, cfg.Masked())
	return nil
}

// writeHeapProfile writes the live heap (after a collection) to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	return nil
}

// peakRSS is the process's peak resident memory in bytes (VmHWM on Linux;
// 0 where /proc is not there): SQLite's page cache and sorter live outside
// the Go heap, so the heap profile alone does not show them.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
