package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/helpline"
	"github.com/ura-nrm/ura/internal/store"
)

// cmdHelpline is `ura helpline alert-org [--org NAME]`: the police unit on
// duty that urgent helpline contacts alert (the setting helpline.alert_org).
// Without --org it prints the unit set; --org "" clears it.
func cmdHelpline(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "alert-org" {
		return usagef("usage: ura helpline alert-org [--org NAME]")
	}
	fs := newFlags("helpline alert-org")
	name := fs.String("org", "\x00", "the police organisation to alert, by name (\"\" alerts no one)")
	cfg, err := loadConfig(e, fs, args[1:], nil)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	sys := access.SystemActor
	if *name == "\x00" {
		id, _, err := store.Setting(ctx, a.DB.Read(), helpline.AlertSetting)
		if err != nil {
			return err
		}
		if id == "" {
			fmt.Fprintln(e.stdout, "urgent helpline contacts alert no one: set a police unit with --org NAME")
			return nil
		}
		o, err := a.Auth.FindOrgByID(ctx, sys, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "urgent helpline contacts alert %s\n", o.Name)
		return nil
	}
	id := ""
	if *name != "" {
		o, err := a.Auth.FindOrgByName(ctx, sys, *name)
		if err != nil {
			return fmt.Errorf("no organisation named %q", *name)
		}
		if o.Type != "police" || !o.Active {
			return errors.New("the organisation alerted must be an active police organisation")
		}
		id = o.ID
	}
	if err := a.Helpline.SetAlertOrg(ctx, sys, id); err != nil {
		return err
	}
	if id == "" {
		fmt.Fprintln(e.stdout, "urgent helpline contacts now alert no one")
	} else {
		fmt.Fprintf(e.stdout, "urgent helpline contacts now alert %s\n", *name)
	}
	return nil
}
