package ratelimit_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/ratelimit"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestBucket(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)}
	l := ratelimit.New(60, clk.now) // one a second, bursts of 60
	for i := range 60 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait != time.Second {
		t.Fatalf("61st = %v, wait %v; want refused, wait 1s", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Error("another key is refused")
	}
	clk.t = clk.t.Add(500 * time.Millisecond)
	if ok, wait := l.Allow("a"); ok || wait != 500*time.Millisecond {
		t.Errorf("after 0.5 s = %v, wait %v; want refused, wait 0.5s", ok, wait)
	}
	clk.t = clk.t.Add(500 * time.Millisecond)
	if ok, _ := l.Allow("a"); !ok {
		t.Error("after a second the key is still refused")
	}
	if ok, _ := l.Allow("a"); ok {
		t.Error("the refilled token was used twice")
	}
}

func TestOffAndSweep(t *testing.T) {
	var off *ratelimit.Limiter = ratelimit.New(0, nil)
	for range 1000 {
		if ok, _ := off.Allow("x"); !ok {
			t.Fatal("a limit of 0 refused a request")
		}
	}
	clk := &fakeClock{t: time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)}
	l := ratelimit.New(10, clk.now)
	for i := range 100 {
		l.Allow(fmt.Sprint("key", i))
	}
	clk.t = clk.t.Add(2 * time.Minute)
	l.Allow("new")
	if n := l.Len(); n != 1 {
		t.Errorf("after two idle minutes %d keys are kept, want 1", n)
	}
}

// BenchmarkAllow is the cost the limits add to each API request (two calls).
func BenchmarkAllow(b *testing.B) {
	l := ratelimit.New(1_000_000_000, nil)
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = fmt.Sprint("198.51.100.", i)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		l.Allow(keys[i%len(keys)])
	}
}
