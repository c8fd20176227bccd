package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"github.com/ura-nrm/ura/internal/audit"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/disclosure"
	"github.com/ura-nrm/ura/internal/store"
)

// cmdExport writes a de-identified extract for outside use:
//
//	ura export ctdc --out FILE.csv [--from DATE --to DATE] [--k 10]
//
// The CTDC extract (docs/statistics.md, "Disclosure control") holds
// statistical fields only, k-anonymous over its quasi-identifiers; the
// summary of what was generalised and suppressed goes to standard error.
func cmdExport(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "ctdc" {
		return usagef("usage: ura export ctdc --out FILE.csv [--from YYYY-MM-DD --to YYYY-MM-DD] [--k 10]")
	}
	var out, from, to string
	var k int
	cfg, err := loadConfig(e, newFlags("export ctdc"), args[1:], func(c *config.Config, fs *flag.FlagSet) {
		c.StoreFlags(fs)
		fs.StringVar(&out, "out", "", "CSV file to write (created with mode 0600)")
		fs.StringVar(&from, "from", "", "first day of the period, YYYY-MM-DD (cases count by the month they were opened)")
		fs.StringVar(&to, "to", "", "last day of the period, YYYY-MM-DD")
		fs.IntVar(&k, "k", disclosure.DefaultK, "every combination of the quasi-identifiers appears at least k times")
	})
	if err != nil {
		return err
	}
	if out == "" {
		return usagef("--out is required")
	}
	fromMonth, toMonth, err := exportPeriod(from, to)
	if err != nil {
		return err
	}
	if k < 2 {
		return usagef("--k must be at least 2 (given: %d)", k)
	}
	db, err := store.Open(ctx, store.Options{DataDir: cfg.DataDir, URL: cfg.DB})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	var rows []cases.CTDCRow
	if err := db.ReadTx(ctx, func(tx *sql.Tx) error {
		rows, err = cases.CTDCRows(ctx, tx, fromMonth, toMonth)
		return err
	}); err != nil {
		return err
	}
	in := make([]disclosure.CTDCCase, len(rows))
	for i, r := range rows {
		in[i] = disclosure.CTDCCase{Year: r.Year, Sex: r.Sex, AgeBand: r.AgeBand, Citizenship: r.Citizenship,
			ExploitationCountry: r.ExploitationCountry, Exploitation: r.Exploitation, Control: r.Control}
	}
	recs, sum, err := disclosure.AnonymiseCTDC(in, k)
	if err != nil {
		return err
	}
	// The extract is a release to a partner: recorded in the ledger in the
	// same transaction that puts the file in place.
	by := e.getenv("USER")
	if by == "" {
		by = "operator"
	}
	ledgerPeriod := orOpen(fromMonth) + "/" + orOpen(toMonth)
	year := time.Now().Year()
	if toMonth != "" {
		year, _ = strconv.Atoi(toMonth[:4])
	}
	err = db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
		rel, err := (disclosure.Ledger{}).Record(ctx, tx, disclosure.Release{By: "cli:" + by, Report: "ctdc",
			Table: "ctdc_extract", Period: ledgerPeriod, Audience: disclosure.Partner,
			Policy: disclosure.Policy{Method: disclosure.Suppress, K: k}, Year: year})
		if err != nil {
			return err
		}
		// The extract reads every case in the period: the audit trail names
		// the operator, the release and how many records left.
		if _, err := audit.Append(ctx, tx, audit.Event{Actor: audit.Actor{UserID: "cli:" + by, Role: "system"},
			Action: "export.ctdc", ObjectType: "disclosure_release", ObjectID: rel.ID,
			Detail: fmt.Sprintf("from=%s;to=%s;k=%d;cases=%d;records=%d", orNone(fromMonth), orNone(toMonth), k, len(rows), len(recs))}); err != nil {
			return err
		}
		return writeFileAtomic(out, func(f *os.File) error { return disclosure.WriteCTDC(f, recs) })
	})
	if err != nil {
		return err
	}
	period := "all months"
	if fromMonth != "" || toMonth != "" {
		period = fmt.Sprintf("cases opened %s to %s", orOpen(fromMonth), orOpen(toMonth))
	}
	fmt.Fprintf(e.stderr, "%s: presumed and identified victims, %s\n%s", out, period, sum)
	return nil
}

// writeFileAtomic writes path through a temporary file of mode 0600 in the
// same directory, renamed into place once complete.
func writeFileAtomic(path string, write func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ura-export-*")
	if err != nil {
		return fmt.Errorf("create export file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	err = write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}

func orOpen(m string) string {
	if m == "" {
		return "…"
	}
	return m
}

// exportPeriod checks --from and --to and turns them into the months they
// fall in (a case's opening is kept to the month).
func exportPeriod(from, to string) (fromMonth, toMonth string, err error) {
	var f, t time.Time
	if from != "" {
		if f, err = time.Parse(time.DateOnly, from); err != nil {
			return "", "", usagef("--from %q is not a date (YYYY-MM-DD)", from)
		}
		fromMonth = f.Format("2006-01")
	}
	if to != "" {
		if t, err = time.Parse(time.DateOnly, to); err != nil {
			return "", "", usagef("--to %q is not a date (YYYY-MM-DD)", to)
		}
		toMonth = t.Format("2006-01")
	}
	if from != "" && to != "" && t.Before(f) {
		return "", "", usagef("the period ends (--to %s) before it starts (--from %s)", to, from)
	}
	return fromMonth, toMonth, nil
}

// orNone is a month for the audit detail: "open" when the period has no
// such bound.
func orNone(m string) string {
	if m == "" {
		return "open"
	}
	return m
}
