package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/demo/scale"
	"github.com/ura-nrm/ura/internal/errs"
)

// openApp opens the store for an administrative command; the schema must be current.
func openApp(ctx context.Context, e env, cfg config.Config) (*app.App, error) {
	return app.Open(ctx, cfg, app.Options{Log: newLogger(e, cfg)})
}

func cmdMigrate(ctx context.Context, e env, args []string) error {
	cfg, err := loadConfig(e, newFlags("migrate"), args, nil)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, app.Options{Migrate: true, CreateKey: true})
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintln(e.stdout, "schema is up to date")
	return nil
}

func cmdDemo(ctx context.Context, e env, args []string) error {
	fs := newFlags("demo")
	cases := fs.Int("cases", 0, "also generate N fictional cases with their history (bulk, for measurement)")
	events := fs.Int("events-per-case", 10, "with --cases: audit events per case, at least")
	seed := fs.Uint64("seed", 1, "with --cases: the same seed gives the same people and histories")
	cpuProfile := fs.String("cpuprofile", "", "with --cases: write a CPU profile of the load to this file (go tool pprof)")
	cfg, err := loadConfig(e, fs, args, nil)
	if err != nil {
		return err
	}
	if *cases < 0 {
		return usagef("--cases must not be negative")
	}
	a, err := app.Open(ctx, cfg, app.Options{Migrate: true, CreateKey: true})
	if err != nil {
		return err
	}
	defer a.Close()
	creds, err := demo.Load(ctx, a)
	if err != nil {
		return err
	}
	demo.PrintCredentials(e.stdout, a.Cfg.PublicURL, creds)
	if *cases > 0 {
		if *cpuProfile != "" {
			f, err := os.Create(*cpuProfile)
			if err != nil {
				return fmt.Errorf("cpu profile: %w", err)
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				return fmt.Errorf("cpu profile: %w", err)
			}
			defer pprof.StopCPUProfile()
		}
		res, err := scale.Load(ctx, a, scale.Options{Cases: *cases, EventsPerCase: *events, Seed: *seed, Progress: e.stderr})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "opened %d fictional cases (%d notes, %d referrals, %d stays, %d timeline entries, %d helpline contacts, %d audit events, %d rows) in %s\n",
			res.Cases, res.Notes, res.Referrals, res.Stays, res.Timeline, res.Contacts, res.AuditEvents, res.Rows, res.Elapsed.Round(time.Second))
	}
	return nil
}

// defaultOrgType is the organisation type given to an organisation that
// `user add` creates, from the role of its first user.
var defaultOrgType = map[access.Role]access.OrgType{
	access.Police: "police", access.Prosecutor: "prosecution", access.Advocate: "victim_advocacy",
	access.SocialWorker: "social_work", access.Shelter: "shelter", access.NGO: "ngo",
	access.Helpline: "helpline", access.Coordinator: "coordinator", access.Analyst: "coordinator",
	access.Auditor: "coordinator", access.Admin: "coordinator",
}

func cmdUser(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return usagef("usage: ura user add --email E --name N --role R --org O (password on standard input)")
	}
	fs := newFlags("user add")
	email := fs.String("email", "", "e-mail address (sign-in name)")
	name := fs.String("name", "", "full name")
	role := fs.String("role", "", "role: "+roleList())
	org := fs.String("org", "", "organisation name (created if new)")
	orgType := fs.String("org-type", "", "type of a new organisation (default from the role)")
	cfg, err := loadConfig(e, fs, args[1:], nil)
	if err != nil {
		return err
	}
	r, ok := access.ParseRole(*role)
	if !ok {
		return usagef("--role must be one of %s", roleList())
	}
	if *email == "" || *name == "" || *org == "" {
		return usagef("--email, --name and --org are required")
	}
	password, err := readSecretLine(e.stdin)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	sys := access.SystemActor
	o, err := a.Auth.FindOrgByName(ctx, sys, *org)
	if errs.Is(err, errs.NotFound) {
		t := defaultOrgType[r]
		if *orgType != "" {
			if t, ok = access.ParseOrgType(*orgType); !ok {
				return usagef("--org-type is not an organisation type")
			}
		}
		o, err = a.Auth.CreateOrg(ctx, sys, auth.OrgInput{Name: *org, Type: t})
	}
	if err != nil {
		return err
	}
	// The first accounts (before any coordinator can approve) are created
	// directly; afterwards a role that sees personal data waits for a
	// coordinator's approval, as when an administrator creates it.
	u, pending, err := a.Auth.AddUserFromCommandLine(ctx, auth.UserInput{Email: *email, Name: *name, Role: r, OrgID: o.ID, Password: password})
	if err != nil {
		return err
	}
	if pending {
		fmt.Fprintf(e.stdout, "created user %s (role %s) in organisation %s, closed: it waits for approval by a coordinator (Approvals, /admin/approvals)\n",
			u.ID, u.Role, o.ID)
		return nil
	}
	fmt.Fprintf(e.stdout, "created user %s (role %s) in organisation %s\n", u.ID, u.Role, o.ID)
	return nil
}

func cmdToken(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usagef("usage: ura token create --email E [--label L] [--ttl 2160h]")
	}
	fs := newFlags("token create")
	email := fs.String("email", "", "the account the token acts as")
	label := fs.String("label", "command line", "what the token is for")
	ttl := fs.Duration("ttl", 0, "lifetime (default 90 days)")
	cfg, err := loadConfig(e, fs, args[1:], nil)
	if err != nil {
		return err
	}
	if *email == "" {
		return usagef("--email is required")
	}
	a, err := openApp(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.FindUserByEmail(ctx, access.SystemActor, *email)
	if err != nil {
		return err
	}
	tok, t, err := a.Auth.CreateToken(ctx, access.SystemActor, u.ID, *label, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "token %s expires %s; it is shown once:\n%s\n", t.ID, t.ExpiresAt.Format(time.RFC3339), tok)
	return nil
}

func roleList() string {
	s := make([]string, len(access.Roles))
	for i, r := range access.Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// readSecretLine reads one line (a password) from standard input.
func readSecretLine(r io.Reader) (string, error) {
	if r == nil {
		return "", usagef("the password is read from standard input")
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usagef("no password on standard input")
	}
	return line, nil
}
