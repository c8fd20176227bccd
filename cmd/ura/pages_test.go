package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ura-nrm/ura/internal/browsertest"
	"github.com/ura-nrm/ura/internal/store"
)

// browserSignIn signs a demo role in through the pages, second factor included.
func browserSignIn(t *testing.T, ctx context.Context, in *instance, role string) {
	t.Helper()
	c := in.Creds[role]
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(in.URL + "/signin?lang=en"),
		chromedp.WaitVisible(`form[action="/signin"] #email`),
		chromedp.SendKeys(`#email`, c.Email), chromedp.SendKeys(`#password`, c.Password),
		chromedp.Submit(`#password`),
	}
	if c.Secret != "" {
		steps = append(steps, chromedp.WaitVisible(`#code`), chromedp.SendKeys(`#code`, totpNow(t, c.Secret)), chromedp.Submit(`#code`))
	}
	steps = append(steps, chromedp.WaitVisible(`#dashboard`))
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatalf("sign in as %s: %v", role, err)
	}
}

// TestEveryPageAccessible opens every page of the platform as the role that
// may see it, in two languages, and runs axe-core on each.
func TestEveryPageAccessible(t *testing.T) {
	_, _, sargs := storeArgs(t, store.SQLite)
	in := serve(t, sargs, "--demo")
	ctx := browsertest.New(t)
	visit := func(t *testing.T, path, ready string) {
		t.Helper()
		tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(tctx, chromedp.Navigate(in.URL+path), chromedp.WaitVisible(ready)); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		browsertest.CheckAxe(t, ctx)
	}
	browserSignIn(t, ctx, in, "admin")
	for _, lang := range []string{"en", "sr-Cyrl"} {
		t.Run("admin/"+lang, func(t *testing.T) {
			visit(t, "/?lang="+lang, `#dashboard`)
			visit(t, "/admin/orgs", `main h1`)
			visit(t, "/admin/users", `#users-table`)
			tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			if err := chromedp.Do(tctx, chromedp.Click(`#users-table tbody a`), chromedp.WaitVisible(`dl.facts`)); err != nil {
				t.Fatal(err)
			}
			browsertest.CheckAxe(t, ctx)
			visit(t, "/admin/approvals", `#approvals-pending`)
			visit(t, "/account", `main h1`)
			visit(t, "/account/tokens", `main h1`)
			visit(t, "/no/such/page", `main h1`)
		})
	}
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(in.URL+"/?lang=en"), chromedp.WaitVisible(`#dashboard`),
		chromedp.Submit(`form[action="/signout"] button`), chromedp.WaitVisible(`form[action="/signin"] #email`)); err != nil {
		t.Fatal(err)
	}
	browserSignIn(t, ctx, in, "auditor")
	t.Run("auditor", func(t *testing.T) {
		visit(t, "/audit", `#audit-table`)
		visit(t, "/audit?action=auth.signin&lang=sq", `#audit-table`)
		visit(t, "/audit?from=2026-13-45", `main h1`)
	})
	signOut := func() {
		tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(tctx, chromedp.Navigate(in.URL+"/?lang=en"), chromedp.WaitVisible(`#dashboard`),
			chromedp.Submit(`form[action="/signout"] button`), chromedp.WaitVisible(`form[action="/signin"] #email`)); err != nil {
			t.Fatal(err)
		}
	}
	signOut()
	browserSignIn(t, ctx, in, "coordinator")
	t.Run("coordinator", func(t *testing.T) {
		visit(t, "/duplicates", `main h1`)
		visit(t, "/duplicates?state=merged&lang=sr-Latn", `main h1`)
		visit(t, "/cases", `main h1`)
		visit(t, "/shelters", `main h1`)
	})
}
