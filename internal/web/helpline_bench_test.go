package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/demo/scale"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// BenchmarkHelplineLog times logging a contact, the whole POST handler
// (session, CSRF, access, validation, a data key, the sealed note and
// caller details, the blind index of the caller code, the insert, the
// audit event, the redirect), on each engine; "urgent" also notifies the
// police unit on duty in the same transaction (docs/benchmarks.md,
// "Helpline"):
//
//	go test ./internal/web -run '^$' -bench HelplineLog -benchtime 200x
func BenchmarkHelplineLog(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		for _, urgent := range []bool{false, true} {
			name := string(e)
			if urgent {
				name += "/urgent"
			}
			b.Run(name, func(b *testing.B) {
				en := newEnv(b, e)
				if urgent {
					if err := en.app.Helpline.SetAlertOrg(context.Background(), access.SystemActor, en.users[access.Police].OrgID); err != nil {
						b.Fatal(err)
					}
				}
				tok, csrf := en.session(b, access.Helpline)
				form := url.Values{"duration_min": {"6"}, "channel": {"phone"}, "caller_type": {"possible_victim"}, "language": {"sq"},
					"municipality": {"Prizren"}, "topic": {"trafficking.labour"}, "action": {"information", "police"},
					"note":        {"Works sixteen hours a day on a building site abroad; the employer keeps his passport."},
					"caller_code": {"bench-caller"}, "keep_personal": {"1"}, "caller_name": {"Bench Caller"}, "caller_phone": {"+383 44 000 000"}}
				if urgent {
					form.Set("flag", "immediate_danger")
				}
				for b.Loop() {
					rec := en.send(b, "POST", "/helpline/contacts", tok, csrf, form)
					if rec.Code != http.StatusSeeOther {
						b.Fatalf("log: %d", rec.Code)
					}
				}
			})
		}
	}
}

// BenchmarkHelplineAtScale times, on a store of URA_BENCH_CASES generated
// cases (default 10,000) and their helpline contacts (two a case): the
// console, logging a contact, and the coordinator's figures page for the
// last year (SQLite; docs/benchmarks.md, "Helpline"):
//
//	go test ./internal/web -run '^$' -bench HelplineAtScale -benchtime 20x
func BenchmarkHelplineAtScale(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("URA_BENCH_CASES")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	en := newDemoEnv(b)
	res, err := scale.Load(ctx, en.app, scale.Options{Cases: n, Seed: 9})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d cases, %d helpline contacts", res.Cases, res.Contacts)
	op, csrf := en.session(b, access.Helpline)
	coord, ccsrf := en.session(b, access.Coordinator)
	year := en.clk.Now().AddDate(-1, 0, 0).Format("2006-01")
	form := url.Values{"duration_min": {"6"}, "channel": {"phone"}, "caller_type": {"anonymous"}, "language": {"sq"},
		"topic": {"information.rights"}, "action": {"information"}, "note": {"Asked about the rights of foreign victims."}}
	for _, c := range []struct {
		name, method, path, tok, csrf string
		want                          int
	}{
		{"console", "GET", "/helpline", op, csrf, http.StatusOK},
		{"log", "POST", "/helpline/contacts", op, csrf, http.StatusSeeOther},
		{"figures", "GET", "/helpline/figures?from=" + year, coord, ccsrf, http.StatusOK},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				rec := en.send(b, c.method, c.path, c.tok, c.csrf, form)
				if rec.Code != c.want {
					b.Fatalf("%s: %d", c.path, rec.Code)
				}
			}
		})
	}
}
