// Package scale fills a store with a large body of fictional data for
// measurement: `ura demo --cases N` with N up to millions. Persons with names
// in the languages of the region (Albanian, Serbian in both scripts,
// Bosnian, Macedonian, Romanian, Turkish), cases in every stage of the
// referral mechanism, identification decisions, notes, referrals, shelter
// stays and the audit trail their work leaves, with distributions like the
// ones DOMAIN.md §6 reports (most victims women and girls, most of them
// Kosovo citizens, most cases sexual exploitation).
//
// The generator is the one writer in Ura that does not go through the
// owning packages' services: opening a million cases one transaction at a
// time would take hours. It writes the same rows those services write — the
// same sealing (vault.BulkKey, same AAD), the same blind indexes
// (cases.Service.PersonIndex), the same audit chain (audit.Chain) — in
// multi-row inserts, a batch of cases per transaction. Its tests read what
// it wrote back through the services, so the two cannot drift apart
// unnoticed.
package scale

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"syscall"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/store"
)

// Options size a load.
type Options struct {
	Cases int
	// EventsPerCase is the least number of audit events per case (reads
	// fill up to it); default 10, so a million cases bring ten million.
	EventsPerCase int
	// Batch is how many cases go in one transaction; default 1000.
	Batch int
	Seed  uint64
	// Writers is how many transactions write at once (default one). SQLite
	// has one writer connection anyway; on PostgreSQL two writers measured
	// no faster on two cores (BenchmarkLoad), the server being the limit.
	Writers int
	// Progress, when set, receives a line every few batches.
	Progress io.Writer
}

// Result counts what a load wrote.
type Result struct {
	Cases, Persons, Notes, Referrals, Stays, Timeline, AuditEvents, Rows int
	// Contacts are the helpline contacts written (ContactsPerCase a case).
	Contacts int
	// Criminal are the criminal cases written (one per CasesPerCriminal cases).
	Criminal int
	// Incidents are the GBV incidents written (gbv.go).
	Incidents int
	Elapsed   time.Duration
}

// ErrRealData refuses a load into a store with real accounts.
var ErrRealData = app.ErrRealData

// Load writes o.Cases fictional cases into the store of a, which must hold
// the demo organisations and accounts (demo.Load) and no real account.
func Load(ctx context.Context, a *app.App, o Options) (Result, error) {
	if o.Cases <= 0 {
		return Result{}, errors.New("scale: nothing to load")
	}
	if o.EventsPerCase <= 0 {
		o.EventsPerCase = 10
	}
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	real, err := a.Auth.HasRealData(ctx)
	if err != nil {
		return Result{}, err
	}
	if real {
		return Result{}, ErrRealData
	}
	start := time.Now()
	w, err := setup(ctx, a)
	if err != nil {
		return Result{}, err
	}
	// Into an empty store, the secondary indexes are built once after the
	// load instead of row by row during it (store.DeferIndexes): a random
	// page per index per row is what made a case cost more as the store
	// grew. An interrupted load leaves their definitions recorded; the next
	// `ura migrate` (or start) builds them.
	deferred, err := w.deferIndexes(ctx)
	if err != nil {
		return Result{}, err
	}
	// Foreign keys off for the rows (they go in parents first): see
	// store.WithoutForeignKeys.
	var res Result
	err = a.DB.WithoutForeignKeys(ctx, func() error {
		var err error
		res, err = loadRows(ctx, a, w, o, start)
		return err
	})
	if err != nil {
		return res, err
	}
	if deferred {
		built, err := a.DB.BuildDeferredIndexes(ctx)
		if err != nil {
			return res, err
		}
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "%d indexes built, %s\n", built, time.Since(start).Round(time.Second))
		}
	}
	// The case file's monthly aggregates and referral's time to an answer,
	// which their services keep up to date record by record, are counted
	// once over what was written directly.
	if err := a.DB.InTx(ctx, a.Clock.Now(), func(tx *store.Tx) error {
		if err := cases.RecountStats(ctx, tx); err != nil {
			return err
		}
		return referral.RecountAnswerHours(ctx, tx, a.DB.Engine)
	}); err != nil {
		return res, err
	}
	if err := w.analyze(ctx); err != nil {
		return res, err
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// loadRows writes the cases and the helpline contacts.
func loadRows(ctx context.Context, a *app.App, w *writer, o Options, start time.Time) (Result, error) {
	var err error
	g := newGenerator(a, w, o)
	batches := make(chan *batch, 2)
	genErr := make(chan error, 1)
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(batches)
		genErr <- g.run(gctx, batches)
	}()
	// Several writers' transactions overlap but for the audit chain at their
	// end (see writer.write).
	writers := max(o.Writers, 1)
	var (
		mu    sync.Mutex
		res   Result
		first error
		wg    sync.WaitGroup
		// the previous progress line, for the rate of the last slice
		sliceAt    = start
		sliceCases int
		sliceCPU   = cpuTime()
	)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				mu.Lock()
				failed := first != nil
				mu.Unlock()
				if failed {
					continue // drain: the generator stops at cancel
				}
				r, err := w.write(ctx, b)
				mu.Lock()
				if err != nil {
					if first == nil {
						first = err
					}
					cancel()
				}
				before := res.Cases / (20 * o.Batch)
				res.add(r)
				if o.Progress != nil && err == nil && (res.Cases/(20*o.Batch) > before || res.Cases == o.Cases) {
					now := time.Now()
					el := now.Sub(start)
					slice := now.Sub(sliceAt)
					cpu := cpuTime()
					n := float64(max(res.Cases-sliceCases, 1))
					fmt.Fprintf(o.Progress, "%d of %d cases, %d audit events, %s (%.0f cases/s; last %d cases: %.2f ms a case, %.2f ms of CPU a case)\n",
						res.Cases, o.Cases, res.AuditEvents, el.Round(time.Second), float64(res.Cases)/el.Seconds(),
						res.Cases-sliceCases, float64(slice.Microseconds())/1000/n, float64((cpu-sliceCPU).Microseconds())/1000/n)
					sliceAt, sliceCases, sliceCPU = now, res.Cases, cpu
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		<-genErr
		return res, first
	}
	if err := <-genErr; err != nil {
		return res, err
	}
	if res.Contacts, err = w.contacts(ctx, o.Cases*ContactsPerCase, 2*o.Batch, o.Seed, g.from, g.now); err != nil {
		return res, err
	}
	res.AuditEvents += res.Contacts
	if o.Progress != nil && res.Contacts > 0 {
		fmt.Fprintf(o.Progress, "%d helpline contacts, %s\n", res.Contacts, time.Since(start).Round(time.Second))
	}
	if res.Incidents, err = w.gbvCases(ctx); err != nil {
		return res, err
	}
	if o.Progress != nil && res.Incidents > 0 {
		fmt.Fprintf(o.Progress, "%d GBV incidents, %s\n", res.Incidents, time.Since(start).Round(time.Second))
	}
	if res.Criminal, err = w.criminal(ctx, o.Batch, o.Seed, g.now); err != nil {
		return res, err
	}
	res.AuditEvents += res.Criminal
	if o.Progress != nil && res.Criminal > 0 {
		fmt.Fprintf(o.Progress, "%d criminal cases, %s\n", res.Criminal, time.Since(start).Round(time.Second))
	}
	return res, nil
}

// cpuTime is the CPU time this process has used (user and system): on a
// shared machine a slice's CPU time per case compares better than its
// wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// org is an organisation cases are worked by, with the staff member who
// acts for it in the generated records.
type org struct {
	id, user     string
	role         access.Role
	typ          access.OrgType
	municipality string
}

func (o *org) actor() access.Actor {
	return access.Actor{UserID: o.user, OrgID: o.id, Role: o.role}
}

// service is a directory entry referrals go to.
type service struct {
	id, orgID, typ string
}

// regionalOrgs are the organisations a national deployment has beyond the
// demo's one per type: regional police directorates, centres for social
// work and victim advocates in the municipalities, NGOs. All invented.
var regionalOrgs = []struct {
	name, municipality string
	typ                access.OrgType
}{
	{"Demo Regional Police Directorate Prizren", "Prizren", "police"},
	{"Demo Regional Police Directorate Pejë", "Pejë", "police"},
	{"Demo Regional Police Directorate Gjakovë", "Gjakovë", "police"},
	{"Demo Regional Police Directorate Ferizaj", "Ferizaj", "police"},
	{"Demo Regional Police Directorate Gjilan", "Gjilan", "police"},
	{"Demo Regional Police Directorate Mitrovicë", "Mitrovicë", "police"},
	{"Demo Centre for Social Work Prishtinë", "Prishtinë", "social_work"},
	{"Demo Centre for Social Work Prizren", "Prizren", "social_work"},
	{"Demo Centre for Social Work Pejë", "Pejë", "social_work"},
	{"Demo Centre for Social Work Ferizaj", "Ferizaj", "social_work"},
	{"Demo Centre for Social Work Gjilan", "Gjilan", "social_work"},
	{"Demo Centre for Social Work Mitrovicë", "Mitrovicë", "social_work"},
	{"Demo Centre for Social Work Graçanicë", "Graçanicë", "social_work"},
	{"Demo Victim Advocacy Office Prizren", "Prizren", "victim_advocacy"},
	{"Demo Victim Advocacy Office Pejë", "Pejë", "victim_advocacy"},
	{"Demo Victim Advocacy Office Mitrovicë", "Mitrovicë", "victim_advocacy"},
	{"Demo NGO Zëri i Grave", "Prizren", "ngo"},
	{"Demo NGO Nova Nada", "Graçanicë", "ngo"},
	{"Demo NGO Shtëpia e Sigurt", "Ferizaj", "ngo"},
}

// roleOfType is the role the staff member of an organisation has.
var roleOfType = map[access.OrgType]access.Role{
	"police": access.Police, "social_work": access.SocialWorker, "victim_advocacy": access.Advocate,
	"ngo": access.NGO, "shelter": access.Shelter, "helpline": access.Helpline,
	"prosecution": access.Prosecutor, "coordinator": access.Coordinator,
}

// setup creates the regional organisations with one staff account each,
// and reads every organisation that may own cases and every service.
func setup(ctx context.Context, a *app.App) (*writer, error) {
	sys := access.SystemActor
	for i, r := range regionalOrgs {
		o, err := a.Auth.FindOrgByName(ctx, sys, r.name)
		if errs.Is(err, errs.NotFound) {
			o, err = a.Auth.CreateOrg(ctx, sys, auth.OrgInput{Name: r.name, Type: r.typ, Municipality: r.municipality})
		}
		if err != nil {
			return nil, fmt.Errorf("scale: organisation: %w", err)
		}
		email := fmt.Sprintf("staff-%02d@scale.ura.invalid", i+1)
		if _, err := a.Auth.FindUserByEmail(ctx, sys, email); errs.Is(err, errs.NotFound) {
			_, err = a.Auth.CreateUser(ctx, sys, auth.UserInput{Email: email, Name: fmt.Sprintf("Demo Staff %02d", i+1),
				Role: roleOfType[r.typ], OrgID: o.ID, Password: demo.Password(), Demo: true})
			if err != nil {
				return nil, fmt.Errorf("scale: staff account: %w", err)
			}
		} else if err != nil {
			return nil, fmt.Errorf("scale: staff account: %w", err)
		}
	}
	w := &writer{a: a, db: a.DB, country: a.Cases.Country}
	if err := w.readDirectory(ctx); err != nil {
		return nil, err
	}
	return w, nil
}
