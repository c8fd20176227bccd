package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/disclosure"
	"github.com/ura-nrm/ura/internal/exchange"
)

// cmdPartner manages the partner instances of the transnational exchange:
//
//	ura partner keys                                   this instance's identity (JSON)
//	ura partner add --file IDENTITY.json [--name N]    register a partner (inactive)
//	ura partner activate --country CC --fingerprint FP activate it if the fingerprint matches
//	ura partner deactivate --country CC                stop exchanging with it
//	ura partner list                                   the partners and their keys
//	ura partner rotate [--overlap 168h]                new keys for this instance
func cmdPartner(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return usagef("usage: ura partner keys|add|activate|deactivate|list|linkage|rotate")
	}
	sub, args := args[0], args[1:]
	fs := newFlags("partner " + sub)
	var file, name, country, fp string
	var overlap time.Duration
	switch sub {
	case "keys", "list":
	case "add":
		fs.StringVar(&file, "file", "", "the partner's identity file (the JSON of its `ura partner keys`)")
		fs.StringVar(&name, "name", "", "the partner's name, e.g. the coordinator's office")
	case "activate":
		fs.StringVar(&country, "country", "", "the partner's country code")
		fs.StringVar(&fp, "fingerprint", "", "the fingerprint the partner's administrator read to you")
	case "deactivate":
		fs.StringVar(&country, "country", "", "the partner's country code")
	case "linkage":
		fs.StringVar(&country, "country", "", "the partner's country code")
		fs.StringVar(&file, "schema", "", "the linkage schema both countries use (clkhash JSON)")
		fs.StringVar(&name, "secret-file", "", "the file holding the secret both countries agreed")
	case "rotate":
		fs.DurationVar(&overlap, "overlap", 7*24*time.Hour, "how long the old keys stay accepted")
	default:
		return usagef("unknown subcommand %q: ura partner keys|add|activate|deactivate|list|linkage|rotate", sub)
	}
	cfg, err := loadConfig(e, fs, args, identityFlags)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if e.getenv("URA_COUNTRY") == "" && e.getenv("URA_PUBLIC_URL") == "" && !setFlag(fs, "public-url") {
		if err := a.Exchange.Recall(ctx); err != nil {
			return err
		}
	}
	actor := access.SystemActor
	switch sub {
	case "keys":
		id, err := a.Exchange.Identity(ctx)
		if err != nil {
			return err
		}
		return printJSON(e, id)
	case "add":
		if file == "" {
			return usagef("--file is required")
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		id, err := exchangeIdentity(b)
		if err != nil {
			return err
		}
		p, err := a.Exchange.AddPartner(ctx, actor, id, name)
		if err != nil {
			return fmt.Errorf("%s", oneLine(err))
		}
		fmt.Fprintf(e.stdout, "partner %s registered (inactive until activated)\nfingerprint %s\ncompare it with the partner's administrator, then: ura partner activate --country %s --fingerprint '…'\n",
			p.Country, id.Fingerprint, p.Country)
		return nil
	case "activate":
		if country == "" || fp == "" {
			return usagef("--country and --fingerprint are required")
		}
		if err := a.Exchange.ActivatePartner(ctx, actor, country, fp); err != nil {
			return fmt.Errorf("%s", oneLine(err))
		}
		fmt.Fprintf(e.stdout, "partner %s active\n", strings.ToUpper(country))
		return nil
	case "deactivate":
		if country == "" {
			return usagef("--country is required")
		}
		if err := a.Exchange.DeactivatePartner(ctx, actor, country); err != nil {
			return fmt.Errorf("%s", oneLine(err))
		}
		fmt.Fprintf(e.stdout, "partner %s inactive: its messages are refused, messages to it wait\n", strings.ToUpper(country))
		return nil
	case "list":
		ps, err := a.Exchange.Partners(ctx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			st := "inactive"
			if p.Active {
				st = "active"
			}
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\n", p.Country, st, p.URL, p.Name)
			for _, k := range p.Keys {
				fmt.Fprintf(e.stdout, "\t%s\t%s\n", k.State, k.Fingerprint)
			}
		}
		return nil
	case "linkage":
		if country == "" || file == "" || name == "" {
			return usagef("--country, --schema and --secret-file are required")
		}
		schema, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		secret, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		if err := a.Exchange.SetLinkage(ctx, actor, country, schema, secret); err != nil {
			return fmt.Errorf("%s", oneLine(err))
		}
		fmt.Fprintf(e.stdout, "linkage with %s set: its person queries are answered\n", strings.ToUpper(country))
		return nil
	case "rotate":
		id, err := a.Exchange.RotateKeys(ctx, actor, overlap)
		if err != nil {
			return err
		}
		return printJSON(e, id)
	}
	return nil
}

// identityFlags are the store flags and --public-url (the URL partners
// reach this instance at, as ura serve --public-url).
func identityFlags(c *config.Config, fs *flag.FlagSet) {
	c.StoreFlags(fs)
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "the URL partners reach this instance at [URA_PUBLIC_URL]")
}

func setFlag(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func printJSON(e env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// cmdExchange is the exchange's commands:
//
//	ura exchange verify                                     the message log checked offline
//	ura exchange send-picture --year Y [--protection dp]    this country's protected table of year Y to every active partner
func cmdExchange(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "send-picture") {
		return usagef("usage: ura exchange verify|send-picture")
	}
	fs := newFlags("exchange " + args[0])
	var year int
	var protection string
	if args[0] == "send-picture" {
		fs.IntVar(&year, "year", time.Now().Year()-1, "the year the table counts")
		fs.StringVar(&protection, "protection", "suppress", "suppress (small counts suppressed) or dp (differential privacy)")
	}
	cfg, err := loadConfig(e, fs, args[1:], nil)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if args[0] == "send-picture" {
		if err := a.Exchange.Recall(ctx); err != nil {
			return err
		}
		ids, err := a.Exchange.SendPicture(ctx, access.SystemActor, year, disclosure.Method(protection))
		if err != nil {
			return err
		}
		for _, id := range ids {
			fmt.Fprintln(e.stdout, id)
		}
		return nil
	}
	rep, err := a.Exchange.Verify(ctx)
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(e.stdout, p)
	}
	if len(rep.Problems) > 0 {
		return fmt.Errorf("message log: %d problems", len(rep.Problems))
	}
	fmt.Fprintf(e.stdout, "message log intact: %d messages, %d signed envelopes and %d signed receipts verified\n",
		rep.Messages, rep.Envelopes, rep.Receipts)
	return nil
}

func exchangeIdentity(b []byte) (exchange.Identity, error) { return exchange.ParseIdentity(b) }
