package grants_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/grants"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/licensing"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/report"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

func user(t testing.TB, a *app.App, r access.Role, org string) access.Actor {
	t.Helper()
	ctx := context.Background()
	if org == "" {
		o, err := a.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Org " + store.NewID()[:8], Type: "ngo"})
		if err != nil {
			t.Fatal(err)
		}
		org = o.ID
	}
	u, err := a.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: store.NewID() + "@grants.invalid", Name: "User " + string(r),
		Role: r, OrgID: org, Password: "grants test passphrase 1"})
	if err != nil {
		t.Fatal(err)
	}
	return u.Actor()
}

func field(t *testing.T, err error, want string) {
	t.Helper()
	e := errs.As(err)
	if e == nil || (e.Field != want && e.Key != want) {
		t.Fatalf("error %v, want one on %s", err, want)
	}
}

func callInput(deadline time.Time) grants.CallInput {
	return grants.CallInput{Reference: "MF-2026-01", Title: "Reintegration services for victims", Funder: "EU Office",
		Programme: "IPA III", Procedure: "open", Lots: "Shelter\nReintegration", Budget: "130000", MinGrant: "10000",
		MaxGrant: "60000", CofinancingPct: "10", Deadline: deadline.Format("2006-01-02T15:04"),
		Criteria: []grants.Criterion{{Label: "Relevance", Max: 20, Weight: 30, EliminatoryMin: 10},
			{Label: "Design and feasibility", Max: 30, Weight: 40}, {Label: "Capacity", Max: 10, Weight: 30}}}
}

type fakeCounter struct{ rows []referral.Served }

func (f fakeCounter) ServedBy(context.Context, string, string, string) ([]referral.Served, error) {
	return f.rows, nil
}

// TestGrantLifecycle: the coordinator publishes a call; two providers
// apply (a third too late); two evaluators score, one declares a conflict
// and is excluded; scores above a criterion's maximum are refused; the
// ranking, award and evaluation report follow; the contract refuses a
// budget that does not add up and a payment beyond its amount; its
// reporting schedule follows R3.3 and reminds; the funder's figures are
// counts only, protected; every role sees only its own.
func TestGrantLifecycle(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, clk := apptest.Open(t, e)
			g := a.Grants
			coord := user(t, a, access.Coordinator, "")
			p1, p2, p3 := user(t, a, access.Provider, ""), user(t, a, access.Provider, ""), user(t, a, access.Provider, "")
			ev1, ev2 := user(t, a, access.Evaluator, ""), user(t, a, access.Evaluator, "")
			funder := user(t, a, access.Funder, "")

			// Bad calls: nothing stored.
			in := callInput(clk.Now().Add(14 * 24 * time.Hour))
			bad := in
			bad.MaxGrant = "5000"
			_, err := g.CreateCall(ctx, coord, bad)
			field(t, err, "max_grant")
			bad = in
			bad.Criteria = []grants.Criterion{{Label: "Relevance", Max: 20, Weight: 30, EliminatoryMin: 25}}
			_, err = g.CreateCall(ctx, coord, bad)
			field(t, err, "criterion-1-min")
			if _, err := g.CreateCall(ctx, p1, in); !errs.Is(err, errs.Forbidden) {
				t.Errorf("a provider creating a call: %v", err)
			}
			c, err := g.CreateCall(ctx, coord, in)
			if err != nil {
				t.Fatal(err)
			}
			if cs, _ := g.Calls(ctx, p1); len(cs) != 0 {
				t.Errorf("providers see a draft call")
			}
			if err := g.PublishCall(ctx, coord, c.ID); err != nil {
				t.Fatal(err)
			}
			app := func(p access.Actor, lot, req, total string) (*grants.Application, error) {
				return g.Submit(ctx, p, grants.ApplicationInput{CallID: c.ID, Lot: lot, Title: "Safe return " + lot, Summary: "Case management",
					TargetGroups: "Victims of trafficking", Municipalities: "Prishtinë", Requested: req, Total: total, DurationMonths: "24"})
			}
			_, err = app(p1, "Shelter", "70000", "80000")
			field(t, err, "requested")
			_, err = app(p1, "Shelter", "50000", "52000")
			field(t, err, "total_cost")
			a1, err := app(p1, "Shelter", "50000", "60000")
			if err != nil {
				t.Fatal(err)
			}
			_, err = app(p1, "Shelter", "40000", "60000")
			field(t, err, "lot")
			a2, err := app(p2, "Reintegration", "45000", "50000")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := g.Application(ctx, p2, a1.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("provider 2 reads provider 1's application: %v", err)
			}
			clk.Advance(15 * 24 * time.Hour)
			_, err = app(p3, "Shelter", "20000", "30000")
			field(t, err, "grants.deadline_passed")

			for _, x := range []*grants.Application{a1, a2} {
				if err := g.AdminCheck(ctx, coord, x.ID, true, ""); err != nil {
					t.Fatal(err)
				}
				for _, ev := range []access.Actor{ev1, ev2} {
					if err := g.Assign(ctx, coord, x.ID, ev.UserID); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := g.Assign(ctx, coord, a1.ID, p3.UserID); err == nil {
				t.Error("a provider assigned as evaluator")
			}
			// Before declaring, the evaluator sees no content.
			if x, err := g.Application(ctx, ev1, a1.ID); err != nil || !x.Hidden || x.Title != "" {
				t.Errorf("before the declaration: %+v %v", x, err)
			}
			scores := func(r, d, c string) grants.ScoreInput {
				return grants.ScoreInput{"c1": {Score: r, Comment: "Clear needs"}, "c2": {Score: d, Comment: "Sound"}, "c3": {Score: c, Comment: "Staffed"}}
			}
			field(t, g.SaveScores(ctx, ev1, a1.ID, scores("15", "20", "8")), "grants.declare_first")
			if err := g.Declare(ctx, ev2, a1.ID, true); err != nil {
				t.Fatal(err)
			}
			if err := g.SaveScores(ctx, ev2, a1.ID, scores("15", "20", "8")); err == nil {
				t.Error("an evaluator with a declared conflict scored")
			}
			if _, err := g.Application(ctx, ev2, a1.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("conflicted evaluator reads the application: %v", err)
			}
			for _, x := range []struct {
				ev  access.Actor
				app string
			}{{ev1, a1.ID}, {ev1, a2.ID}, {ev2, a2.ID}} {
				if err := g.Declare(ctx, x.ev, x.app, false); err != nil {
					t.Fatal(err)
				}
			}
			field(t, g.SaveScores(ctx, ev1, a1.ID, scores("21", "20", "8")), "score-c1")
			if s, _ := g.MyScores(ctx, ev1, a1.ID); len(s) != 0 {
				t.Errorf("a refused score stored %v", s)
			}
			if err := g.SaveScores(ctx, ev1, a1.ID, scores("18", "24", "9")); err != nil {
				t.Fatal(err)
			}
			if err := g.SaveScores(ctx, ev1, a2.ID, scores("12", "20", "6")); err != nil {
				t.Fatal(err)
			}
			if err := g.SaveScores(ctx, ev2, a2.ID, scores("6", "28", "10")); err != nil {
				t.Fatal(err)
			}
			_, ranked, err := g.Ranking(ctx, coord, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			// a1: one evaluator (the other excluded): 30×18/20 + 40×24/30 + 30×9/10 = 27+32+27 = 86.
			// a2: relevance average 9 < 10: eliminated.
			if ranked[0].App.ID != a1.ID || ranked[0].Total != 86 || ranked[0].Evaluators != 1 || ranked[0].Rank != 1 {
				t.Errorf("first %+v", ranked[0])
			}
			if !ranked[1].Eliminated || ranked[1].Rank != 0 || ranked[1].Averages["c1"] != 9 {
				t.Errorf("second %+v", ranked[1])
			}
			if _, _, err := g.Ranking(ctx, ev1, c.ID); !errs.Is(err, errs.Forbidden) {
				t.Errorf("an evaluator reads the ranking: %v", err)
			}
			if err := g.Award(ctx, coord, c.ID); err != nil {
				t.Fatal(err)
			}
			if x, _ := g.Application(ctx, p1, a1.ID); x.Status != grants.AppSelected || x.Rank != 1 {
				t.Errorf("after the award: %+v", x)
			}
			if x, _ := g.Application(ctx, p2, a2.ID); x.Status != grants.AppEliminated {
				t.Errorf("eliminated: %+v", x)
			}
			doc, err := g.EvaluationReport(ctx, coord, c.ID, "en", i18n.For(i18n.English).T)
			if err != nil {
				t.Fatal(err)
			}
			var pdf bytes.Buffer
			if err := report.WritePDF(&pdf, doc); err != nil || !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF")) {
				t.Fatalf("evaluation report: %v", err)
			}

			// The contract.
			ci := grants.ContractInput{ApplicationID: a1.ID, Number: "MF/2026/01", StartOn: "2026-06-01", EndOn: "2028-05-31",
				Amount: "50000", Cofinancing: "10000",
				Budget: []struct{ Heading, Description, Amount string }{{"hr", "Case managers", "40000"}, {"local_office", "Rent", "15000"}},
				Payments: []struct{ Kind, DueOn, Amount string }{{"prefinancing", "2026-06-15", "30000"}, {"interim", "2027-07-31", "15000"},
					{"balance", "2028-09-30", "10000"}}}
			_, err = g.CreateContract(ctx, coord, ci)
			field(t, err, "budget")
			ci.Budget[1].Amount = "20000"
			_, err = g.CreateContract(ctx, coord, ci)
			field(t, err, "payment-3-amount")
			ci.Payments[2].Amount = "5000"
			k, err := g.CreateContract(ctx, coord, ci)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"interim 2027-05-31 2027-07-30", "final 2028-05-31 2028-08-31"}
			var got []string
			for _, r := range k.Reports {
				got = append(got, r.Kind+" "+r.PeriodEnd+" "+r.DueOn)
			}
			if strings.Join(got, ";") != strings.Join(want, ";") {
				t.Errorf("schedule %v, want %v", got, want)
			}
			field(t, g.AddPayment(ctx, coord, k.ID, "interim", "2027-12-01", "100"), "amount")
			if _, err := g.Contract(ctx, p2, k.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("another provider reads the contract: %v", err)
			}
			clk.Set(time.Date(2027, 7, 10, 9, 0, 0, 0, time.UTC))
			rem, err := g.Reminders(ctx, p1)
			if err != nil || len(rem) != 1 || !rem[0].Report.DueSoon {
				t.Fatalf("reminders %+v %v", rem, err)
			}
			if err := g.SubmitReport(ctx, p1, k.ID, rem[0].Report.ID, "We did it", "20000"); err != nil {
				t.Fatal(err)
			}
			if err := g.ReviewReport(ctx, coord, k.ID, rem[0].Report.ID, "approved"); err != nil {
				t.Fatal(err)
			}
			if rem, _ := g.Reminders(ctx, coord); len(rem) != 0 {
				t.Errorf("reminders after the report: %+v", rem)
			}

			// What the money bought: counts only, protected for the funder.
			g.Counter = fakeCounter{rows: []referral.Served{
				{ServiceType: "thb_shelter", VictimCategory: "vot", Sex: "female", AgeBand: "18-24", NationalityGroup: "national", New: true, Count: 7},
				{ServiceType: "thb_shelter", VictimCategory: "pvot", Sex: "female", AgeBand: "15-17", NationalityGroup: "foreign", New: false, Count: 2},
				{ServiceType: "psychological", VictimCategory: "vot", Sex: "male", AgeBand: "25-34", NationalityGroup: "national", New: true, Count: 6},
			}}
			tr := i18n.For(i18n.English).T
			raw, _, err := g.Figures(ctx, coord, grants.FiguresQuery{ContractID: k.ID, Raw: true}, tr)
			if err != nil {
				t.Fatal(err)
			}
			tab := raw.Sections[0].Table
			if v := tab.Cells[len(tab.Rows)-1][2].Value; v != 15 {
				t.Errorf("raw total %v", v)
			}
			// A funder reads only the contracts of the calls it funds.
			if _, _, err := g.Figures(ctx, funder, grants.FiguresQuery{ContractID: k.ID}, tr); !errs.Is(err, errs.NotFound) {
				t.Errorf("a funder not linked to the call reads its figures: %v", err)
			}
			if ks, err := g.Contracts(ctx, funder); err != nil || len(ks) != 0 {
				t.Errorf("a funder not linked to the call lists %d contracts (%v)", len(ks), err)
			}
			field(t, g.AddCallFunder(ctx, coord, c.ID, ev1.UserID), "funder_user")
			if err := g.AddCallFunder(ctx, funder, c.ID, funder.UserID); !errs.Is(err, errs.Forbidden) {
				t.Errorf("a funder links itself: %v", err)
			}
			if err := g.AddCallFunder(ctx, coord, c.ID, funder.UserID); err != nil {
				t.Fatal(err)
			}
			field(t, g.AddCallFunder(ctx, coord, c.ID, funder.UserID), "funder_user")
			if fs, err := g.CallFunders(ctx, coord, c.ID); err != nil || len(fs) != 1 || fs[0].Name == "" {
				t.Errorf("the call's funders: %+v (%v)", fs, err)
			}
			other := user(t, a, access.Funder, "")
			if _, _, err := g.Figures(ctx, other, grants.FiguresQuery{ContractID: k.ID}, tr); !errs.Is(err, errs.NotFound) {
				t.Errorf("another funder reads the figures: %v", err)
			}
			if ks, err := g.Contracts(ctx, funder); err != nil || len(ks) != 1 {
				t.Errorf("the call's funder lists %d contracts (%v)", len(ks), err)
			}
			prot, _, err := g.Figures(ctx, funder, grants.FiguresQuery{ContractID: k.ID, Raw: true}, tr)
			if err != nil {
				t.Fatal(err)
			}
			suppressed := 0
			for _, s := range prot.Sections {
				for _, row := range s.Table.Cells {
					for _, c := range row {
						if c.Suppressed {
							suppressed++
						} else if c.Value > 0 && c.Value < grants.FunderK {
							t.Errorf("%s: a cell of %v shown to the funder", s.Table.Name, c.Value)
						}
					}
				}
			}
			if suppressed == 0 || len(prot.Notes) == 0 {
				t.Errorf("nothing suppressed for the funder (%d), notes %v", suppressed, prot.Notes)
			}
			if _, _, err := g.Figures(ctx, p2, grants.FiguresQuery{ContractID: k.ID}, tr); !errs.Is(err, errs.NotFound) {
				t.Errorf("another provider reads the figures: %v", err)
			}
			if _, err := g.Applications(ctx, funder, c.ID); !errs.Is(err, errs.Forbidden) {
				t.Errorf("a funder lists applications: %v", err)
			}
		})
	}
}

// TestSchedule: R3.3 — interim reports 60 days after each full 12-month
// period before the end, the final report 3 months after the end, 6 when
// the coordinator is abroad; a one-year action has the final report only.
func TestSchedule(t *testing.T) {
	for _, c := range []struct {
		start, end string
		abroad     bool
		want       string
	}{
		{"2026-01-01", "2028-12-31", false, "interim 2026-12-31 2027-03-01;interim 2027-12-31 2028-02-29;final 2028-12-31 2029-03-31"},
		{"2026-01-01", "2026-12-31", true, "final 2026-12-31 2027-06-30"},
		{"2026-03-15", "2027-09-14", false, "interim 2027-03-14 2027-05-13;final 2027-09-14 2027-12-14"},
	} {
		var got []string
		for _, r := range grants.Schedule(c.start, c.end, c.abroad) {
			got = append(got, r.Kind+" "+r.PeriodEnd+" "+r.DueOn)
		}
		if g := strings.Join(got, ";"); g != c.want {
			t.Errorf("%s–%s abroad=%v: %s, want %s", c.start, c.end, c.abroad, g, c.want)
		}
	}
}

func TestParseEuro(t *testing.T) {
	for in, want := range map[string]int64{"12500": 1250000, "12 500,50": 1250050, "12500.5": 1250050, "€ 3": 300, "0.01": 1} {
		if got, err := grants.ParseEuro("a", in, true); err != nil || got != want {
			t.Errorf("%q: %d %v, want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"-5", "abc", "1.005", "1e20", "12,500.50"} {
		if _, err := grants.ParseEuro("a", bad, true); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestReminderNotifications: the hourly jobs tell the provider's staff,
// once, that a report is due within 30 days and that a licence expires
// within 60 days; nothing is sent again on the next run.
func TestReminderNotifications(t *testing.T) {
	ctx := context.Background()
	a, clk := apptest.Open(t, "sqlite")
	coord := user(t, a, access.Coordinator, "")
	prov := user(t, a, access.Provider, "")
	if _, err := a.Licensing.Record(ctx, coord, licensing.LicenceInput{OrgID: prov.OrgID, Number: "L-9", Category: "shelter_trafficking",
		IssuedOn: "2025-01-01", ValidUntil: clk.Now().AddDate(0, 0, 30).Format("2006-01-02")}); err != nil {
		t.Fatal(err)
	}
	if n, err := a.Licensing.Remind(ctx, clk.Now()); err != nil || n != 1 {
		t.Fatalf("licence reminders: %d %v", n, err)
	}
	if n, _ := a.Licensing.Remind(ctx, clk.Now()); n != 0 {
		t.Errorf("reminded again: %d", n)
	}
	// A report due within 30 days, written directly (the procedure before it is TestGrantLifecycle's).
	now := store.FormatTime(clk.Now())
	err := a.DB.InTx(ctx, clk.Now(), func(tx *store.Tx) error {
		for _, q := range []string{
			`INSERT INTO grant_calls (id, reference, title, funder, procedure, budget_cents, min_grant_cents, max_grant_cents,
				deadline, status, created_by, created_at) VALUES ('c', 'R', 'T', 'F', 'open', 1, 1, 1, '` + now + `', 'awarded', 'x', '` + now + `')`,
			`INSERT INTO grant_applications (id, call_id, org_id, title, requested_cents, total_cents, duration_months, status,
				submitted_by, submitted_at) VALUES ('a', 'c', '` + prov.OrgID + `', 'T', 1, 1, 12, 'selected', 'x', '` + now + `')`,
			`INSERT INTO grant_contracts (id, application_id, org_id, number, start_on, end_on, amount_cents, signed_at, created_by)
				VALUES ('k', 'a', '` + prov.OrgID + `', 'K', '2025-01-01', '2027-12-31', 1, '` + now + `', 'x')`,
			`INSERT INTO grant_reports (id, contract_id, kind, period_end, due_on, status) VALUES ('r', 'k', 'interim', '2026-04-30',
				'` + clk.Now().AddDate(0, 0, 10).Format("2006-01-02") + `', 'due')`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := a.Grants.Remind(ctx, clk.Now()); err != nil || n != 1 {
		t.Fatalf("report reminders: %d %v", n, err)
	}
	if n, _ := a.Grants.Remind(ctx, clk.Now()); n != 0 {
		t.Errorf("reminded again: %d", n)
	}
	items, err := a.Notify.List(ctx, prov, false)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, it := range items {
		kinds[it.Kind] = it.Link
	}
	if kinds["licence.expiring"] != "/licensing#licences" || kinds["grant.report_due"] != "/grants/contracts/k#reports" {
		t.Errorf("the provider's notifications: %v", kinds)
	}
}

// TestConceptStage (PRAG's restricted procedure): concept notes before
// their deadline only, scored against their own grid (a score above a
// criterion's maximum and scoring without the declaration refused), the
// shortlist only after the concept deadline and once; only a shortlisted
// provider submits the full application, and not after the second deadline.
func TestConceptStage(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, clk := apptest.Open(t, e)
			g := a.Grants
			coord := user(t, a, access.Coordinator, "")
			p1, p2, p3 := user(t, a, access.Provider, ""), user(t, a, access.Provider, ""), user(t, a, access.Provider, "")
			ev := user(t, a, access.Evaluator, "")
			in := callInput(clk.Now().Add(30 * 24 * time.Hour))
			in.Lots, in.Procedure = "", "restricted"
			in.DeadlineConcept = clk.Now().AddDate(0, 0, 10).Format("2006-01-02")
			c, err := g.CreateCall(ctx, coord, in)
			if err != nil {
				t.Fatal(err)
			}
			grid := []grants.Criterion{{Label: "Relevance", Max: 20, Weight: 60}, {Label: "Design", Max: 10, Weight: 40}}
			if err := g.PublishCall(ctx, coord, c.ID); err == nil {
				t.Fatal("a restricted call published without its concept grid")
			}
			if err := g.SetConceptGrid(ctx, p1, c.ID, grid); !errs.Is(err, errs.Forbidden) {
				t.Errorf("a provider sets the concept grid: %v", err)
			}
			field(t, g.SetConceptGrid(ctx, coord, c.ID, []grants.Criterion{{Label: "Relevance", Max: 0, Weight: 60}}), "concept-1-max")
			if err := g.SetConceptGrid(ctx, coord, c.ID, grid); err != nil {
				t.Fatal(err)
			}
			if err := g.PublishCall(ctx, coord, c.ID); err != nil {
				t.Fatal(err)
			}
			if err := g.SetConceptGrid(ctx, coord, c.ID, grid); !errs.Is(err, errs.Conflict) {
				t.Errorf("the concept grid changed after publication: %v", err)
			}
			full := func(p access.Actor) error {
				_, err := g.Submit(ctx, p, grants.ApplicationInput{CallID: c.ID, Title: "Full", Summary: "Case management",
					TargetGroups: "Victims", Municipalities: "Prishtinë", Requested: "50000", Total: "60000", DurationMonths: "24"})
				return err
			}
			if err := full(p1); !errs.Is(err, errs.Forbidden) {
				t.Errorf("a full application without a concept note: %v", err)
			}
			n1, err := g.SubmitConcept(ctx, p1, c.ID, "Safe return", "Concept")
			if err != nil {
				t.Fatal(err)
			}
			n2, err := g.SubmitConcept(ctx, p2, c.ID, "New start", "Concept")
			if err != nil {
				t.Fatal(err)
			}
			_, err = g.SubmitConcept(ctx, p1, c.ID, "Again", "Concept")
			field(t, err, "title")
			if err := g.Shortlist(ctx, coord, c.ID, []string{n1}); err == nil {
				t.Error("shortlisted before the concept-note deadline")
			}
			clk.Advance(11 * 24 * time.Hour)
			_, err = g.SubmitConcept(ctx, p3, c.ID, "Late", "Concept")
			field(t, err, "grants.concept_deadline_passed")

			field(t, g.ScoreConcept(ctx, ev, n1, false, grants.ScoreInput{"k1": {Score: "15"}, "k2": {Score: "8"}}), "conflict")
			field(t, g.ScoreConcept(ctx, ev, n1, true, grants.ScoreInput{"k1": {Score: "25"}, "k2": {Score: "8"}}), "score-k1")
			if err := g.ScoreConcept(ctx, p1, n1, true, grants.ScoreInput{"k1": {Score: "20"}, "k2": {Score: "10"}}); !errs.Is(err, errs.Forbidden) {
				t.Errorf("a provider scores its concept note: %v", err)
			}
			if err := g.ScoreConcept(ctx, ev, n1, true, grants.ScoreInput{"k1": {Score: "15"}, "k2": {Score: "8"}}); err != nil {
				t.Fatal(err)
			}
			if err := g.ScoreConcept(ctx, ev, n2, true, grants.ScoreInput{"k1": {Score: "10"}, "k2": {Score: "5"}}); err != nil {
				t.Fatal(err)
			}
			notes, err := g.ConceptNotes(ctx, coord, c.ID)
			if err != nil || len(notes) != 2 || notes[0].ID != n1 || notes[0].Evaluators != 1 {
				t.Fatalf("the concept ranking: %+v (%v)", notes, err)
			}
			if want := 15.0/20*60 + 8.0/10*40; notes[0].Score < want-0.01 || notes[0].Score > want+0.01 {
				t.Errorf("concept score %v, want %v", notes[0].Score, want)
			}
			if own, _ := g.ConceptNotes(ctx, p2, c.ID); len(own) != 1 || own[0].ID != n2 || own[0].Score != 0 {
				t.Errorf("the provider's own concept notes: %+v", own)
			}
			field(t, g.Shortlist(ctx, coord, c.ID, []string{"nosuch"}), "notes")
			if err := g.Shortlist(ctx, coord, c.ID, []string{n1}); err != nil {
				t.Fatal(err)
			}
			if err := g.Shortlist(ctx, coord, c.ID, []string{n2}); !errs.Is(err, errs.Conflict) {
				t.Errorf("a second shortlist: %v", err)
			}
			if err := full(p2); !errs.Is(err, errs.Forbidden) {
				t.Errorf("a provider not shortlisted submits the full application: %v", err)
			}
			if err := full(p3); !errs.Is(err, errs.Forbidden) {
				t.Errorf("a provider without a concept note submits the full application: %v", err)
			}
			if err := full(p1); err != nil {
				t.Fatalf("the shortlisted provider's full application: %v", err)
			}
			clk.Advance(20 * 24 * time.Hour)
			if err := full(p1); err == nil {
				t.Error("a full application after the second deadline")
			}
		})
	}
}
