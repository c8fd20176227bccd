package referral_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

func TestDeclineProposesNext(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		en := newEnv(t, db.Engine)
		first := en.service(t, "thb", "A THB shelter", referral.TypeTHBShelter, 5, nil)
		second := en.service(t, "child", "B THB shelter", referral.TypeTHBShelter, 5, nil)
		c := en.openCase(t, "1990-01-01", "female", "medium")
		en.grant(t, c.ID, consent.ScopeService, "accommodation", false)
		r, err := en.svc.Create(ctx, en.users["advocate"], c.ID, referral.ReferralInput{ServiceID: first, Urgency: "routine", Reason: "r"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := en.svc.Decline(ctx, en.users["thb"], r.ID, referral.DeclineInput{Reason: "Full until June", Code: "no_capacity"}); err != nil {
			t.Fatal(err)
		}
		if got := en.note.kinds(en.org("advocate")); !slices.Contains(got, referral.NotifyDeclined) {
			t.Errorf("sender notifications %v", got)
		}
		v, err := en.svc.FindReferralByID(ctx, en.users["advocate"], r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.DeclineReason != "Full until June" || len(v.Next) != 1 || v.Next[0].Service.ID != second {
			t.Errorf("decline view: reason %q next %v", v.DeclineReason, v.Next)
		}
	})
}

func TestSweepMarksOverdue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		en := newEnv(t, db.Engine)
		thb := en.service(t, "thb", "Rehabilitation Centre", referral.TypeTHBShelter, 5, nil)
		c := en.openCase(t, "1990-01-01", "female", "medium")
		en.grant(t, c.ID, consent.ScopeService, "accommodation", false)
		r, err := en.svc.Create(ctx, en.users["advocate"], c.ID, referral.ReferralInput{ServiceID: thb, Urgency: "emergency",
			Reason: "She is at the police station now"})
		if err != nil {
			t.Fatal(err)
		}
		en.clk.Advance(3 * time.Hour)
		res, err := en.svc.Sweep(ctx, en.clk.Now())
		if err != nil || res.Overdue != 1 || res.Snapshots != 1 {
			t.Fatalf("sweep: %+v %v", res, err)
		}
		for _, who := range []string{"advocate", "coord"} {
			if got := en.note.kinds(en.org(who)); !slices.Contains(got, referral.NotifyOverdue) {
				t.Errorf("%s notifications %v", who, got)
			}
		}
		if res, _ := en.svc.Sweep(ctx, en.clk.Now()); res.Overdue != 0 {
			t.Errorf("second sweep marked %d again", res.Overdue)
		}
		in, _, err := en.svc.FindReferrals(ctx, en.users["thb"], referral.ReferralFilter{Direction: "in"})
		if err != nil || !in[0].Overdue || in[0].State != "pending" {
			t.Errorf("overdue stays pending and flagged: %+v %v", in, err)
		}
		if _, err := en.svc.Accept(ctx, en.users["thb"], r.ID); err != nil {
			t.Errorf("an overdue referral can still be accepted: %v", err)
		}
		day := en.clk.Now().Format("2006-01-02")
		h, err := en.svc.History(ctx, en.users["coord"], thb, day, day)
		if err != nil || len(h) != 1 || h[0].BedsTotal != 5 {
			t.Errorf("history %+v %v", h, err)
		}
	})
}

func TestDeadlines(t *testing.T) {
	cfg := referral.DefaultConfig()
	fri := time.Date(2026, 5, 8, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		urgency string
		want    time.Time
	}{
		{"emergency", fri.Add(2 * time.Hour)},
		{"24h", fri.Add(24 * time.Hour)},
		{"routine", time.Date(2026, 5, 15, 15, 0, 0, 0, time.UTC)}, // five working days skip the weekend
	}
	for _, tt := range tests {
		if got := cfg.Deadline(fri, tt.urgency); !got.Equal(tt.want) {
			t.Errorf("%s: %v, want %v", tt.urgency, got, tt.want)
		}
	}
}
