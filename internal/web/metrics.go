package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/metrics"
)

// newRegistry is the metrics of one Ura: requests (withObservation), the
// process-wide counters, and what is read at each scrape — the database
// pools and the notification outbox.
func newRegistry(a *app.App) *metrics.Registry {
	m := metrics.New()
	if a.DB != nil {
		m.Collect(metrics.DBPool(a.DB.PoolStats))
	}
	if a.Notify != nil {
		clk := a.Clock
		m.Collect(func(ctx context.Context) []metrics.Sample {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			st, err := a.Notify.Stats(ctx)
			up := 1.0
			if err != nil {
				up = 0
			}
			age := 0.0
			if !st.OldestQueued.IsZero() {
				age = max(0, clk.Now().Sub(st.OldestQueued).Seconds())
			}
			return []metrics.Sample{
				{Name: "ura_notify_outbox_queued", Help: "E-mails waiting in the outbox to be sent.", Value: float64(st.Queued)},
				{Name: "ura_notify_outbox_oldest_age_seconds", Help: "How long the oldest waiting e-mail has waited (0: none waits).", Value: age},
				{Name: "ura_notify_outbox_failed", Help: "E-mails given up on after retrying (shown to administrators).", Value: float64(st.Failed)},
				{Name: "ura_notify_outbox_stats_up", Help: "1 when the outbox figures above could be read at this scrape.", Value: up},
			}
		})
	}
	return m
}

// handleMetrics serves /metrics on the main address only to a scraper with
// the token of URA_METRICS_TOKEN_FILE; without a token configured it is not
// there at all (404), so per-route figures are never public.
func (s *server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if s.app.Cfg.MetricsToken == "" {
		s.handleNotFound(w, r)
		return
	}
	if !s.metricsAuthorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ura-metrics"`)
		http.Error(w, "a metrics scrape token is needed", http.StatusUnauthorized)
		return
	}
	s.writeMetrics(w, r)
}

// metricsAuthorized compares the bearer token with the configured one in
// constant time (of their hashes, so the length does not show either).
func (s *server) metricsAuthorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	want := sha256.Sum256([]byte(s.app.Cfg.MetricsToken))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

func (s *server) writeMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	s.metrics.WriteContext(r.Context(), w)
}

// metricsListenerHandler serves GET /metrics alone, for --metrics-addr: a
// listener the operator keeps on a private network. The token, when one is
// configured, is asked there too.
func (s *server) metricsListenerHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if s.app.Cfg.MetricsToken != "" && !s.metricsAuthorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ura-metrics"`)
			http.Error(w, "a metrics scrape token is needed", http.StatusUnauthorized)
			return
		}
		s.writeMetrics(w, r)
	})
	return withSecurityHeaders(mux)
}
