package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/config"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/jobs"
	"github.com/ura-nrm/ura/internal/web"
)

// testClockKey carries the clock of an in-process server in its context:
// tests move it past deadlines instead of waiting for them. Nothing outside
// this package can set it, so a real server always runs on the system clock.
type testClockKey struct{}

func cmdServe(ctx context.Context, e env, args []string) error {
	fs := newFlags("serve")
	cfg, err := loadConfig(e, fs, args, (*config.Config).ServeFlags)
	if err != nil {
		return err
	}
	log := newLogger(e, cfg)
	clk, _ := ctx.Value(testClockKey{}).(clock.Clock)
	a, err := app.Open(ctx, cfg, app.Options{Migrate: true, CreateKey: true, Log: log, Clock: clk})
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.Demo {
		creds, err := demo.Load(ctx, a)
		if err != nil {
			return err
		}
		demo.PrintCredentials(e.stdout, cfg.PublicURL, creds)
		if _, err := demo.LoadCases(ctx, a); err != nil {
			return err
		}
		if _, err := demo.LoadStory(ctx, a); err != nil {
			return err
		}
	}
	h, mh, err := web.NewWithMetrics(a)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	var msrv *http.Server
	var mln net.Listener
	if cfg.MetricsAddr != "" {
		// /metrics alone, on an address the operator keeps private.
		if mln, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s: %w", cfg.MetricsAddr, err)
		}
		if cfg.Profiling {
			mh = withProfiles(mh)
			log.Warn("profiling on: /debug/pprof/ on the metrics address", "addr", mln.Addr().String())
		}
		msrv = &http.Server{Handler: mh, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
			WriteTimeout: profileWriteTimeout, MaxHeaderBytes: 16 << 10, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if strings.HasSuffix(cfg.PublicURL, ":0") {
		// --addr with port 0 (tests): partners reach the port actually bound.
		a.Exchange.URL = "http://" + ln.Addr().String()
	}
	if err := a.Exchange.Remember(ctx); err != nil {
		ln.Close()
		return err
	}
	runner := jobs.Start(ctx, a)
	xctx, xstop := context.WithCancel(ctx)
	xdone := make(chan struct{})
	go func() { defer close(xdone); a.Exchange.Run(xctx) }()
	defer func() { xstop(); <-xdone }()
	fmt.Fprintf(e.stdout, "Ura is listening on http://%s\n", ln.Addr())
	log.Info("serving", "addr", ln.Addr().String(), "engine", string(a.DB.Engine))
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if msrv != nil {
		fmt.Fprintf(e.stdout, "Metrics are at http://%s/metrics\n", mln.Addr())
		log.Info("serving metrics", "addr", mln.Addr().String())
		go func() { errc <- msrv.Serve(mln) }()
		defer msrv.Close()
	}
	select {
	case err := <-errc:
		srv.Close()
		runner.Stop()
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	runner.Stop()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func newLogger(e env, cfg config.Config) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.LogLevel))
	w := e.stderr
	if w == nil {
		w = os.Stderr
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lvl}))
}
