package api

import (
	"crypto/sha256"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/metrics"
	"github.com/ura-nrm/ura/internal/ratelimit"
)

// Limits cap API requests per minute (bursts up to one minute's worth):
// per bearer token, and per client address whatever the token (which also
// slows anyone trying tokens). 0 turns a limit off.
type Limits struct {
	PerToken, PerAddress int
	// ClientIP finds the client address (X-Forwarded-For only from trusted
	// proxies, internal/clientaddr); nil means the connection's peer.
	ClientIP func(*http.Request) string
	// Now is the clock of the buckets; nil means time.Now.
	Now func() time.Time
}

type limiters struct {
	byToken, byAddress *ratelimit.Limiter
	clientIP           func(*http.Request) string
}

func newLimiters(l Limits) limiters {
	ip := l.ClientIP
	if ip == nil {
		ip = func(r *http.Request) string {
			if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
				return h
			}
			return r.RemoteAddr
		}
	}
	return limiters{byToken: ratelimit.New(l.PerToken, l.Now), byAddress: ratelimit.New(l.PerAddress, l.Now), clientIP: ip}
}

// limited refuses a request over a limit with 429, Retry-After and a
// problem document, before anything else is done for it (not even the
// token is looked up).
func (a *api) limited(next http.Handler) http.Handler {
	if a.limits.byToken == nil && a.limits.byAddress == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.limits.byAddress != nil {
			if ok, wait := a.limits.byAddress.Allow(addressKey(a.limits.clientIP(r))); !ok {
				a.tooMany(w, r, wait, "address")
				return
			}
		}
		if a.limits.byToken != nil {
			if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && strings.TrimSpace(tok) != "" {
				// The bucket is keyed by a hash: the limiter holds no token.
				sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
				if ok, wait := a.limits.byToken.Allow(string(sum[:16])); !ok {
					a.tooMany(w, r, wait, "token")
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (a *api) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration, limit string) {
	metrics.APIRateLimited.Inc(limit)
	secs := int((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(max(1, secs)))
	WriteProblem(w, r, errs.E(errs.RateLimited, "api.rate_limited"), a.Log)
}

// addressKey is the bucket of a client address: an IPv6 client is counted
// by its /64, which one subscriber usually holds whole, so it cannot escape
// its limit by changing addresses within it.
func addressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
