package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/gbv"
)

// orgNames is a repeatable --org flag.
type orgNames []string

func (o *orgNames) String() string     { return strings.Join(*o, ", ") }
func (o *orgNames) Set(v string) error { *o = append(*o, v); return nil }

// cmdGBV is `ura gbv alert-orgs [--org NAME]... [--none]`: the organisations
// a high domestic-violence risk alerts (the setting gbv.high_risk_alert_orgs;
// usually the police unit and the coordinator's office). Without flags it
// prints them.
func cmdGBV(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "alert-orgs" {
		return usagef("usage: ura gbv alert-orgs [--org NAME]... [--none]")
	}
	fs := newFlags("gbv alert-orgs")
	var names orgNames
	fs.Var(&names, "org", "an organisation to alert, by name (repeat for several)")
	none := fs.Bool("none", false, "alert no one")
	cfg, err := loadConfig(e, fs, args[1:], nil)
	if err != nil {
		return err
	}
	if *none && len(names) > 0 {
		return usagef("--none and --org exclude each other")
	}
	a, err := app.Open(ctx, cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	sys := access.SystemActor
	if !*none && len(names) == 0 {
		ids, err := gbv.AlertOrgs(ctx, a.DB.Read())
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			fmt.Fprintln(e.stdout, "a high domestic-violence risk alerts no one: set organisations with --org NAME")
			return nil
		}
		var out []string
		for _, id := range ids {
			o, err := a.Auth.FindOrgByID(ctx, sys, id)
			if err != nil {
				return err
			}
			out = append(out, o.Name)
		}
		fmt.Fprintf(e.stdout, "a high domestic-violence risk alerts %s\n", strings.Join(out, "; "))
		return nil
	}
	var ids []string
	for _, n := range names {
		o, err := a.Auth.FindOrgByName(ctx, sys, n)
		if err != nil {
			return fmt.Errorf("no organisation named %q", n)
		}
		if !o.Active {
			return fmt.Errorf("the organisation %q is not active", n)
		}
		ids = append(ids, o.ID)
	}
	if err := a.GBV.SetAlertOrgs(ctx, sys, ids, a.Auth); err != nil {
		return err
	}
	if len(ids) == 0 {
		fmt.Fprintln(e.stdout, "a high domestic-violence risk now alerts no one")
	} else {
		fmt.Fprintf(e.stdout, "a high domestic-violence risk now alerts %s\n", strings.Join(names, "; "))
	}
	return nil
}
