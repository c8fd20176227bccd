package portal_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/portal"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// BenchmarkTipSubmit is a tip's server time: the form read and checked,
// the tip sealed with a key of its own and committed with its audit event,
// the thank-you token made and the 303 written. The rate limits are off so
// that one client may send every tip.
//
//	go test ./internal/portal -run '^$' -bench TipSubmit -benchtime 2000x
func BenchmarkTipSubmit(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			a, _ := apptest.Open(b, e)
			h, _ := portal.ParseHours("24/7")
			s, err := portal.New(portal.Config{HelplineNumber: "0800 11112", Hours: h, Emergency: "192",
				ExitURL: "https://example.org/"}, nil, a.Tips, nil)
			if err != nil {
				b.Fatal(err)
			}
			s.Guard = portal.NewGuard(portal.Limits{}, nil)
			body := url.Values{"what": {strings.Repeat("Workers are kept in a barn and not paid. ", 20)},
				"where": {"Near the mill"}, "when": {"every night"}, "municipality": {"prizren"}, "lang": {"en"}}.Encode()
			b.ResetTimer()
			for b.Loop() {
				req := httptest.NewRequest("POST", "/help/tip?lang=en", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				rec := httptest.NewRecorder()
				s.SubmitTip(rec, req, "127.0.0.1")
				if rec.Code != http.StatusSeeOther {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}
