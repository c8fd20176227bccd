package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/errs"
)

// env is what every subcommand gets: the process's outside world, injectable so
// tests run the whole program in-process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name  string
	usage string
	run   func(ctx context.Context, e env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the web server", cmdServe},
		{"migrate", "create or upgrade the database schema", cmdMigrate},
		{"demo", "load demo organisations and accounts", cmdDemo},
		{"user", "user add: create an account (password on standard input)", cmdUser},
		{"token", "token create: make an API token (printed once, last line)", cmdToken},
		{"audit", "audit verify: check the audit chain and its signed checkpoints", cmdAudit},
		{"backup", "write an encrypted, consistent snapshot: backup --out FILE", cmdBackup},
		{"restore", "restore a snapshot into an empty store: restore --in FILE", cmdRestore},
		{"keys", "keys rotate: re-wrap every data key under a new master key", cmdKeys},
		{"match", "match dedup|encode|link: record linkage on files", cmdMatch},
		{"export", "export ctdc --out FILE.csv [--from DATE --to DATE]: the k-anonymous CTDC extract", cmdExport},
		{"helpline", "helpline alert-org [--org NAME]: the police unit urgent helpline contacts alert", cmdHelpline},
		{"gbv", "gbv alert-orgs [--org NAME]... [--none]: the organisations a high domestic-violence risk alerts", cmdGBV},
		{"partner", "partner keys|add|activate|deactivate|list|linkage|rotate: partner instances of the exchange", cmdPartner},
		{"exchange", "exchange verify: check the exchange's message log (signed envelopes and receipts); exchange send-picture --year Y: send this country's protected table to the partners", cmdExchange},
		{"config", "print the configuration, secrets masked", cmdConfig},
		{"load", "drive a loopback instance with signed-in load users; report latencies", cmdLoad},
	}
}

// errUsage marks a mistake in the command line (exit status 2).
var errUsage = errors.New("usage")

type usageError struct{ msg string }

func (u usageError) Error() string   { return u.msg }
func (u usageError) Is(t error) bool { return t == errUsage }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		if len(args) == 0 {
			return usagef("no command given")
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	return usagef("unknown command %q (see ura help)", args[0])
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: ura COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "\nEvery command takes --data DIR and --db postgres://… (env URA_DATA, URA_DB).")
}

// loadConfig reads defaults, then the environment, then the flags fs parses.
func loadConfig(e env, fs *flag.FlagSet, args []string, flags func(*config.Config, *flag.FlagSet)) (config.Config, error) {
	cfg := config.Default()
	if err := cfg.FromEnv(e.getenv); err != nil {
		return cfg, err
	}
	if flags == nil {
		flags = (*config.Config).StoreFlags
	}
	flags(&cfg, fs)
	fs.SetOutput(e.stderr)
	if err := fs.Parse(args); err != nil {
		return cfg, usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return cfg, usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := cfg.Validate(); err != nil {
		return cfg, usagef("%v", err)
	}
	return cfg, nil
}

func newFlags(name string) *flag.FlagSet { return flag.NewFlagSet("ura "+name, flag.ContinueOnError) }

// oneLine renders err as the one clear line the command prints: the safe
// message of an errs.Error, never its cause chain with values in it.
func oneLine(err error) string {
	var e *errs.Error
	if errors.As(err, &e) && e.Code != errs.Internal {
		s := e.Key
		if e.Field != "" {
			s = e.Field + ": " + s
		}
		return s
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}
