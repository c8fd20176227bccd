package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/coord"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/web"
)

// TestPortalCampaign: the portal's home points to the public awareness
// campaign running today — its title, theme and dates, nothing internal
// (audience, budget, channels) — and to none when no public one runs: a
// campaign not marked public, or one that ended, never shows.
func TestPortalCampaign(t *testing.T) {
	ctx := context.Background()
	a, clk := apptest.Open(t, store.SQLite)
	h, err := web.New(a)
	if err != nil {
		t.Fatal(err)
	}
	org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Office of the National Coordinator", Type: "coordinator"})
	if err != nil {
		t.Fatal(err)
	}
	sec := access.Actor{UserID: "u-sec", OrgID: org.ID, Role: access.Coordinator}
	day := func(d int) string { return clk.Now().AddDate(0, 0, d).Format("2006-01-02") }
	add := func(title string, public bool, from, to int) string {
		id, err := a.Coord.AddCampaign(ctx, sec, coord.CampaignInput{Title: title, Theme: "Theme of " + title, Audience: "Internal audience note",
			StartsOn: day(from), EndsOn: day(to), Budget: "98765", Channels: []string{"radio"}, Public: public})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	home := func() string {
		rec := get(h, "/help/?lang=sq", nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("home: %d", rec.Code)
		}
		return rec.Body.String()
	}
	add("Hidden campaign", false, -5, 5)
	add("Past campaign", true, -30, -2)
	if b := home(); strings.Contains(b, `id="campaign"`) || strings.Contains(b, "Hidden campaign") || strings.Contains(b, "Past campaign") {
		t.Fatal("the home shows a campaign not public or not running")
	}
	id := add("Know your rights at work", true, -3, 20)
	clk.Advance(2 * time.Minute) // the portal asks again after a minute
	b := home()
	for _, want := range []string{`id="campaign"`, "Know your rights at work", "Theme of Know your rights at work", day(-3), day(20), "Fushata ndërgjegjësuese"} {
		if !strings.Contains(b, want) {
			t.Errorf("the home lacks %q", want)
		}
	}
	for _, never := range []string{"Internal audience note", "98765", "98 765", "Hidden campaign", id} {
		if strings.Contains(b, never) {
			t.Errorf("the home shows %q", never)
		}
	}
}
