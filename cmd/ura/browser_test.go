package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/browsertest"
	"github.com/ura-nrm/ura/internal/store"
)

func htmlLang(t *testing.T, ctx context.Context) string {
	t.Helper()
	return get(t, ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
}

// get runs one action that returns a value, with a time limit.
func get[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func totpNow(t *testing.T, secret string) string {
	t.Helper()
	code, err := auth.TOTPCode(strings.ReplaceAll(secret, " ", ""), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// TestBrowserJourney walks what a newcomer does: the administrator signs in
// with a password and a TOTP code, switches language, creates a user; the new
// user signs in, enrols a second factor from the QR page and sees the
// recovery codes. Every page passes axe-core.
func TestBrowserJourney(t *testing.T) {
	_, _, sargs := storeArgs(t, store.SQLite)
	in := serve(t, sargs, "--demo")
	ctx := browsertest.New(t)
	admin := in.Creds["admin"]

	must := func(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(tctx, actions...); err != nil {
			t.Fatal(err)
		}
	}

	must(t, chromedp.Navigate(in.URL+"/signin?lang=en"), chromedp.WaitVisible(`form[action="/signin"] #email`))
	browsertest.CheckAxe(t, ctx)
	must(t, chromedp.SendKeys(`#email`, admin.Email), chromedp.SendKeys(`#password`, admin.Password),
		chromedp.Submit(`#password`), chromedp.WaitVisible(`#code`))
	browsertest.CheckAxe(t, ctx)
	must(t, chromedp.SendKeys(`#code`, totpNow(t, admin.Secret)), chromedp.Submit(`#code`), chromedp.WaitVisible(`#dashboard`))
	h1 := get(t, ctx, chromedp.Text(`main h1`))
	if !strings.Contains(h1, "dministrat") {
		t.Errorf("dashboard heading %q, want the administrator's", h1)
	}
	browsertest.CheckAxe(t, ctx)

	t.Run("LanguageSwitch", func(t *testing.T) {
		must(t, chromedp.Click(`a[hreflang="sq"]`), chromedp.WaitReady(`html[lang="sq"]`))
		if got := htmlLang(t, ctx); got != "sq" {
			t.Fatalf("after choosing Albanian, <html lang> = %q", got)
		}
		browsertest.CheckAxe(t, ctx)
		// Remembered: the next page, reached by a plain link, stays in Albanian.
		must(t, chromedp.Navigate(in.URL+"/account"), chromedp.WaitVisible(`main h1`))
		if got := htmlLang(t, ctx); got != "sq" {
			t.Errorf("language not remembered: <html lang> = %q", got)
		}
		must(t, chromedp.Click(`a[hreflang="sr-Cyrl"]`), chromedp.WaitReady(`html[lang="sr-Cyrl"]`))
		text := get(t, ctx, chromedp.Text(`main h1`))
		if got := htmlLang(t, ctx); got != "sr-Cyrl" || !strings.ContainsAny(text, "абвгдђежзијклљмнњопрстћуфхцчџш") {
			t.Errorf("Serbian Cyrillic: lang %q, heading %q", got, text)
		}
		browsertest.CheckAxe(t, ctx)
		must(t, chromedp.Click(`a[hreflang="en"]`), chromedp.WaitReady(`html[lang="en"]`))
	})

	const newEmail = "new.caseworker@example.invalid"
	const newPassword = "a long and fresh passphrase 7"
	t.Run("AdminCreatesUser", func(t *testing.T) {
		must(t, chromedp.Navigate(in.URL+"/admin/users"), chromedp.WaitVisible(`#create-user`))
		browsertest.CheckAxe(t, ctx)
		must(t,
			chromedp.SendKeys(`#create-user #name`, "New Caseworker"),
			chromedp.SendKeys(`#create-user #email`, newEmail),
			chromedp.SetValue(`#create-user #role`, "social_worker"),
			chromedp.SendKeys(`#create-user #password`, newPassword),
			chromedp.Submit(`#create-user #password`),
			chromedp.WaitVisible(`#user-pending`),
		)
		// A social worker sees personal data: the account waits, closed,
		// for the coordinator's office to approve it.
		page := get(t, ctx, chromedp.Text(`main`))
		if !strings.Contains(page, newEmail) {
			t.Fatalf("the new user's page does not show the account:\n%s", page)
		}
		browsertest.CheckAxe(t, ctx)
	})

	var activation string // handed by the coordinator to the new user
	t.Run("CoordinatorApproves", func(t *testing.T) {
		coord := in.Creds["coordinator"]
		must(t, chromedp.Submit(`form[action="/signout"] button`), chromedp.WaitVisible(`form[action="/signin"] #email`))
		must(t, chromedp.SendKeys(`#email`, coord.Email), chromedp.SendKeys(`#password`, coord.Password),
			chromedp.Submit(`#password`), chromedp.WaitVisible(`#code`))
		must(t, chromedp.SendKeys(`#code`, totpNow(t, coord.Secret)), chromedp.Submit(`#code`), chromedp.WaitVisible(`#dashboard`))
		must(t, chromedp.Navigate(in.URL+"/admin/approvals"), chromedp.WaitVisible(`#approvals-table`))
		browsertest.CheckAxe(t, ctx)
		table := get(t, ctx, chromedp.Text(`#approvals-table`))
		if !strings.Contains(table, newEmail) {
			t.Fatalf("the account waiting is not listed:\n%s", table)
		}
		// Answer the confirmation dialog of the approve button.
		get(t, ctx, chromedp.Evaluate[bool](`window.confirm = function() { return true; }; true`))
		must(t, chromedp.Click(`#approvals-table form[action$="/approve#approvals-pending"] button`),
			chromedp.WaitVisible(`#activation-code`), chromedp.WaitVisible(`#decided-table`))
		browsertest.CheckAxe(t, ctx)
		activation = get(t, ctx, chromedp.Text(`#activation-code`))
	})

	t.Run("NewUserEnrolsSecondFactor", func(t *testing.T) {
		must(t, chromedp.Submit(`form[action="/signout"] button`), chromedp.WaitVisible(`form[action="/signin"] #email`))
		must(t, chromedp.SendKeys(`#email`, newEmail), chromedp.SendKeys(`#password`, newPassword),
			chromedp.Submit(`#password`), chromedp.WaitVisible(`#totp-secret`))
		browsertest.CheckAxe(t, ctx)
		secret := get(t, ctx, chromedp.Text(`#totp-secret`))
		qr := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.qr path").length`))
		if qr != 1 {
			t.Errorf("no QR code on the enrolment page")
		}
		// Without the activation code the first sign-in stops here, whoever
		// knows the password.
		must(t, chromedp.SendKeys(`#activation`, activation),
			chromedp.SendKeys(`#code`, totpNow(t, secret)), chromedp.Submit(`#code`), chromedp.WaitVisible(`#recovery-codes`))
		n := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#recovery-codes li").length`))
		if n != 10 {
			t.Errorf("%d recovery codes shown, want 10", n)
		}
		browsertest.CheckAxe(t, ctx)
		must(t, chromedp.Click(`main a.button`), chromedp.WaitVisible(`#dashboard`))
		heading := get(t, ctx, chromedp.Text(`main h1`))
		if !strings.Contains(strings.ToLower(heading), "social") {
			t.Errorf("after enrolment: heading %q, want the social worker's dashboard", heading)
		}
	})
}
