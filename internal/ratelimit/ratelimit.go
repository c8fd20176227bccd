// Package ratelimit caps how often one key (an API token, a client address)
// may be served: a token bucket per key, refilled continuously at the
// configured rate per minute and holding at most one minute's worth, so a
// client may burst up to its limit and then goes at the rate. Buckets live in
// the memory of one node: behind a load balancer each node counts its own
// share, so the effective limit is the per-node limit times the nodes that
// share the traffic.
package ratelimit

import (
	"math"
	"sync"
	"time"
)

// maxKeys bounds the memory a flood of new keys can take; past it, full
// buckets are dropped at once (a full bucket is what a new key gets anyway).
const maxKeys = 100_000

// Limiter is a set of token buckets with one rate.
type Limiter struct {
	mu        sync.Mutex
	perSecond float64
	burst     float64
	buckets   map[string]*bucket
	now       func() time.Time
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// New returns a limiter of perMinute requests per key, or nil (no limit)
// when perMinute ≤ 0. now is the clock (nil: time.Now).
func New(perMinute int, now func() time.Time) *Limiter {
	if perMinute <= 0 {
		return nil
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{perSecond: float64(perMinute) / 60, burst: float64(perMinute), buckets: map[string]*bucket{}, now: now}
}

// Allow takes one request from key's bucket. When the bucket is empty it
// answers false and how long until a request would be allowed. A nil
// Limiter allows everything.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration(math.Ceil((1 - b.tokens) / l.perSecond * float64(time.Second)))
	return false, wait
}

func (l *Limiter) refill(b *bucket, now time.Time) {
	if d := now.Sub(b.at).Seconds(); d > 0 {
		b.tokens = min(l.burst, b.tokens+d*l.perSecond)
	}
	b.at = now
}

// sweep drops full buckets once a minute, or at once when there are too
// many keys.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < time.Minute && len(l.buckets) < maxKeys {
		return
	}
	l.lastSweep = now
	for k, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// Len is the number of keys held (tests).
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
