package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
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
