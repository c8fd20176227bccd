package referral_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/stats"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// histogram reads referral_answer_hours as sorted lines.
func histogram(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := db.Read().QueryContext(context.Background(), `SELECT created_month, service_type, tenths, n FROM referral_answer_hours`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var m, typ string
		var tenths, n int64
		if err := rows.Scan(&m, &typ, &tenths, &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s|%s|%d=%d", m, typ, tenths, n))
	}
	slices.Sort(out)
	return out
}

// TestAnswerHoursKeptEqualRaw answers referrals (accepted, declined,
// withdrawn) after delays that fall on the edges of the tenths of an hour
// the median is shown at, across a month's end, and proves on both engines
// that the histogram kept in the answers' transactions equals a recount
// from the referrals and that the median read from it equals the median
// read from the referrals, by service type, by month and overall.
func TestAnswerHoursKeptEqualRaw(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		en := newEnv(t, db.Engine)
		db = en.app.DB
		shelter := en.service(t, "thb", "A THB shelter", referral.TypeTHBShelter, 50, nil)
		other := en.service(t, "dv", "A DV shelter", referral.TypeDVShelter, 50, nil)
		delays := []time.Duration{3 * time.Minute, 9 * time.Minute, 90 * time.Minute, 3 * time.Minute, 26*time.Hour + 57*time.Minute,
			15 * time.Minute, 45 * time.Second, 7*time.Hour + 21*time.Minute + 30*time.Second, 27 * 24 * time.Hour}
		for i, d := range delays {
			c := en.openCase(t, fmt.Sprintf("19%d-03-1%d", 70+i, i), "female", "low")
			svc, who := shelter, "thb"
			if i%2 == 1 {
				svc, who = other, "dv"
			}
			en.grant(t, c.ID, consent.ScopeService, "accommodation", false)
			r, err := en.svc.Create(ctx, en.users["advocate"], c.ID, referral.ReferralInput{ServiceID: svc, Urgency: "routine", Reason: "r"})
			if err != nil {
				t.Fatal(err)
			}
			en.clk.Advance(d)
			switch i % 3 {
			case 0:
				_, err = en.svc.Accept(ctx, en.users[who], r.ID)
			case 1:
				_, err = en.svc.Decline(ctx, en.users[who], r.ID, referral.DeclineInput{Reason: "Full", Code: "no_capacity"})
			default:
				_, err = en.svc.Withdraw(ctx, en.users["advocate"], r.ID)
			}
			if err != nil {
				t.Fatalf("answer %d: %v", i, err)
			}
		}
		// One left pending is not counted.
		c := en.openCase(t, "1965-07-21", "female", "medium")
		en.grant(t, c.ID, consent.ScopeService, "accommodation", false)
		if _, err := en.svc.Create(ctx, en.users["advocate"], c.ID, referral.ReferralInput{ServiceID: shelter, Urgency: "routine", Reason: "r"}); err != nil {
			t.Fatal(err)
		}
		kept := histogram(t, db)
		if len(kept) < 5 {
			t.Fatalf("histogram %v", kept)
		}
		if err := db.InTx(ctx, en.clk.Now(), func(tx *store.Tx) error { return referral.RecountAnswerHours(ctx, tx, db.Engine) }); err != nil {
			t.Fatal(err)
		}
		if recount := histogram(t, db); !slices.Equal(kept, recount) {
			t.Fatalf("kept histogram differs from a recount:\nkept    %v\nrecount %v", kept, recount)
		}
		from, to := en.clk.Now().AddDate(0, -3, 0).Format("2006-01"), en.clk.Now().Format("2006-01")
		for _, by := range [][]string{nil, {"service_type"}, {stats.DimMonth}, {stats.DimMonth, "service_type"}} {
			q := stats.Query{Measure: referral.MeasureAnswerHours, By: by, From: from, To: to}
			got, err := en.svc.StatsSource().Answer(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			want, err := en.svc.RawStatsSource().Answer(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			line := func(rs []stats.Row) []string {
				var out []string
				for _, r := range rs {
					out = append(out, fmt.Sprint(r.Keys, r.Value))
				}
				slices.Sort(out)
				return out
			}
			if g, w := line(got), line(want); !slices.Equal(g, w) || len(g) == 0 {
				t.Errorf("median by %v: kept %v, raw %v", by, g, w)
			}
		}
	})
}
