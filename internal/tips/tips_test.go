package tips_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
	"github.com/ura-nrm/ura/internal/tips"
)

func user(t *testing.T, a *app.App, r access.Role, typ string) access.Actor {
	t.Helper()
	ctx := context.Background()
	org, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org " + store.NewID()[:8], Type: access.OrgType(typ)})
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: store.NewID() + "@tips.invalid", Name: "User",
		Role: r, OrgID: org.ID, Password: "tips test passphrase 1"})
	if err != nil {
		t.Fatal(err)
	}
	return u.Actor()
}

func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := tips.NewCode()
		n, ok := tips.NormaliseCode(c)
		if !ok || len(n) != 16 || seen[n] {
			t.Fatalf("code %q (%q, %v)", c, n, ok)
		}
		seen[n] = true
		if m, ok := tips.NormaliseCode(strings.ToLower(strings.ReplaceAll(c, "-", " "))); !ok || m != n {
			t.Fatalf("typed in lower case with spaces: %q", m)
		}
	}
	for _, bad := range []string{"", "ABC", "ACDE-FGHJ-KMNP-QRT0", "ACDE-FGHJ-KMNP-QRTUV", "<script>", "ACDE-FGHJ-KMNP-QRT😀"} {
		if _, ok := tips.NormaliseCode(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestTipTriage: a tip is received, added to with its code (a wrong code
// changes nothing and answers the same), read and marked by the police in
// every state, linked to a case by its reference, closed with a reason;
// every change and every read is audited; others may not read it.
func TestTipTriage(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, clk := apptest.Open(t, e)
			police := user(t, a, access.Police, "police")
			coord := user(t, a, access.Coordinator, "coordinator")
			ngo := user(t, a, access.NGO, "ngo")
			code, err := a.Tips.Submit(ctx, tips.Input{What: "=HYPERLINK(\"http://x\") <script>alert(1)</script>", Where: "+41 street",
				Municipality: "prizren", Lang: "en"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Tips.Submit(ctx, tips.Input{What: "  "}); !errs.Is(err, errs.Invalid) {
				t.Errorf("empty tip: %v", err)
			}
			if _, err := a.Tips.Submit(ctx, tips.Input{What: "x", Municipality: "atlantis"}); !errs.Is(err, errs.Invalid) {
				t.Errorf("unknown municipality: %v", err)
			}
			if _, err := a.Tips.Submit(ctx, tips.Input{What: strings.Repeat("a", tips.MaxWhat+1)}); !errs.Is(err, errs.Invalid) {
				t.Errorf("oversized tip: %v", err)
			}
			if _, err := a.Tips.Submit(ctx, tips.Input{What: "a\x00b"}); !errs.Is(err, errs.Invalid) {
				t.Errorf("NUL in a tip: %v", err)
			}
			// No oracle: a wrong code and a right one answer alike.
			if err := a.Tips.AddInfo(ctx, tips.NewCode(), "guess"); err != nil {
				t.Errorf("wrong code: %v", err)
			}
			if err := a.Tips.AddInfo(ctx, "nonsense", "guess"); err != nil {
				t.Errorf("malformed code: %v", err)
			}
			if err := a.Tips.AddInfo(ctx, strings.ToLower(code), "more"); err != nil {
				t.Errorf("right code: %v", err)
			}
			if _, _, err := a.Tips.Queue(ctx, ngo, tips.Filter{}); !errs.Is(err, errs.Forbidden) {
				t.Errorf("NGO reads the queue: %v", err)
			}
			list, _, err := a.Tips.Queue(ctx, police, tips.Filter{})
			if err != nil || len(list) != 1 {
				t.Fatalf("queue: %d, %v", len(list), err)
			}
			id := list[0].ID
			tip, err := a.Tips.Tip(ctx, coord, id)
			if err != nil || len(tip.Additions) != 1 || tip.Additions[0].Body != "more" || tip.State != tips.New {
				t.Fatalf("tip: %+v, %v", tip, err)
			}
			// A case the police may open, to link to.
			c, err := a.Cases.Open(ctx, police, cases.Input{Person: cases.Person{GivenName: "Teuta", FamilyName: "Provaj",
				BirthDate: "1999-02-03", Sex: "female"}})
			if err != nil {
				t.Fatal(err)
			}
			steps := []struct {
				m    tips.Mark
				want string // "" ok, else the field refused
			}{
				{tips.Mark{State: tips.Checking}, ""},
				{tips.Mark{State: tips.Linked}, "case_ref"},
				{tips.Mark{State: tips.Linked, CaseRef: "XK-1999-9999"}, "case_ref"},
				{tips.Mark{State: tips.Linked, CaseRef: strings.ToLower(c.Reference)}, ""},
				{tips.Mark{State: tips.Investigation}, ""},
				{tips.Mark{State: tips.Closed}, "reason"},
				{tips.Mark{State: tips.Closed, Reason: "because"}, "reason"},
				{tips.Mark{State: "archived"}, "state"},
				{tips.Mark{State: tips.Closed, Reason: "resolved"}, ""},
			}
			for _, s := range steps {
				clk.Advance(time.Minute)
				got, err := a.Tips.SetState(ctx, police, id, s.m)
				switch {
				case s.want == "" && err != nil:
					t.Errorf("%+v: %v", s.m, err)
				case s.want != "" && (err == nil || errs.As(err).Field != s.want):
					t.Errorf("%+v: %v, want refused on %s", s.m, err, s.want)
				case s.want == "" && got.State != s.m.State:
					t.Errorf("%+v: state %s", s.m, got.State)
				case s.m.State == tips.Linked && s.want == "" && got.CaseRef != c.Reference:
					t.Errorf("linked to %q", got.CaseRef)
				}
			}
			if _, err := a.Tips.SetState(ctx, police, id, tips.Mark{State: tips.Checking, Version: 1}); !errs.Is(err, errs.Conflict) {
				t.Errorf("stale version: %v", err)
			}
			if _, err := a.Tips.SetState(ctx, ngo, id, tips.Mark{State: tips.Checking}); !errs.Is(err, errs.Forbidden) {
				t.Errorf("NGO marks a tip: %v", err)
			}
			if open, _, _ := a.Tips.Queue(ctx, police, tips.Filter{}); len(open) != 0 {
				t.Error("a closed tip in the open queue")
			}
			if all, _, _ := a.Tips.Queue(ctx, police, tips.Filter{All: true}); len(all) != 1 {
				t.Error("the closed tip is not in the whole queue")
			}
			ot, oid := "tip", id
			evs, _, err := audit.Find(ctx, a.DB.Read(), audit.Filter{ObjectType: &ot, ObjectID: &oid, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			count := map[string]int{}
			for _, ev := range evs {
				count[ev.Action]++
			}
			if count["tip.receive"] != 1 || count["tip.add_info"] != 1 || count["tip.state"] != 4 || count["tip.read"] < 5 {
				t.Errorf("audit: %v", count)
			}
			// CSV: formulas inert, scripts plain text.
			var buf bytes.Buffer
			if err := a.Tips.ExportCSV(ctx, coord, true, &buf); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(&buf).ReadAll()
			if err != nil || len(recs) != 2 {
				t.Fatalf("csv: %v %v", recs, err)
			}
			for _, cell := range recs[1] {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("formula cell %q", cell)
				}
			}
			if err := a.Tips.ExportCSV(ctx, ngo, true, &buf); !errs.Is(err, errs.Forbidden) {
				t.Errorf("NGO exports: %v", err)
			}
			counts, err := a.Tips.Counts(ctx, apptest.Start.AddDate(0, -1, 0), apptest.Start.AddDate(0, 1, 0))
			if err != nil || len(counts) != 1 || counts[0].N != 1 || counts[0].Municipality != "prizren" || counts[0].State != tips.Closed || counts[0].Lang != "en" ||
				counts[0].Month != "2026-05" {
				t.Errorf("counts: %+v, %v", counts, err)
			}
		})
	}
}
