package notify_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/notify"
)

func smtpTo(port int, mode string) *notify.SMTP {
	return &notify.SMTP{Host: "127.0.0.1", Port: port, StartTLS: mode, HelloName: "ura.example.org", Timeout: 5 * time.Second}
}

// TestDeliverThroughSMTP sends through a real SMTP server and reads what
// it stored: the right people, their language, the link, and nothing that
// names anyone or the case.
func TestDeliverThroughSMTP(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		srv := startSMTP(t, 0)
		f.svc.Mailer = smtpTo(srv.port, notify.TLSNone)
		f.mustNotify(t, f.received("ref1"))
		f.mustNotify(t, notify.Notification{OrgID: f.orgs["police"], UserID: f.users["officer"].ID,
			Kind: "referral.declined", ObjectType: "referral", ObjectID: "ref2", CaseRef: "XK-2026-0042"})

		sent, failed, err := f.svc.Deliver(ctx, f.clock.Now())
		if err != nil || sent != 3 || failed != 0 {
			t.Fatalf("Deliver = %d sent, %d failed, %v; want 3, 0, nil", sent, failed, err)
		}
		want := map[string]struct {
			lang i18n.Lang
			kind string
			link string
		}{
			"drita@staff.example.org":   {i18n.Albanian, "referral.received", "https://ura.example.org/referrals/ref1"},
			"mara@staff.example.org":    {i18n.English, "referral.received", "https://ura.example.org/referrals/ref1"},
			"officer@staff.example.org": {i18n.SerbianCyrillic, "referral.declined", "https://ura.example.org/referrals/ref2"},
		}
		msgs := srv.messages(t)
		if len(msgs) != len(want) {
			t.Fatalf("the server received %d messages, want %d", len(msgs), len(want))
		}
		for _, m := range msgs {
			w, ok := want[m.rcpt]
			if !ok {
				t.Errorf("message to %q, who should get none", m.rcpt)
				continue
			}
			delete(want, m.rcpt)
			if got, wantSubj := m.subject, i18n.For(w.lang).T("notify.email.subject."+w.kind); got != wantSubj {
				t.Errorf("%s: subject %q, want %q", m.rcpt, got, wantSubj)
			}
			// The link stands on a line of its own, so no mail client
			// joins it with the text around it.
			if !slices.Contains(strings.Split(strings.ReplaceAll(m.body, "\r", ""), "\n"), w.link) {
				t.Errorf("%s: body lacks the link %s:\n%s", m.rcpt, w.link, m.body)
			}
			for h, v := range map[string]string{"Auto-Submitted": "auto-generated", "Content-Language": string(w.lang),
				"Content-Type": "text/plain; charset=UTF-8", "From": `"Ura" <ura@example.org>`} {
				if got := m.header.Get(h); got != v {
					t.Errorf("%s: %s = %q, want %q", m.rcpt, h, got, v)
				}
			}
			if m.header.Get("Date") == "" || !strings.HasSuffix(m.header.Get("Message-ID"), "@ura.example.org>") {
				t.Errorf("%s: Date %q, Message-ID %q", m.rcpt, m.header.Get("Date"), m.header.Get("Message-ID"))
			}
			for _, leak := range []string{"XK-2026-0042", "Staff", "drita", "Provaj", "police", "shelter"} {
				if strings.Contains(m.subject+m.body, leak) {
					t.Errorf("%s: the message shows %q:\n%s", m.rcpt, leak, m.raw)
				}
			}
		}
		if sent, failed, _ := f.svc.Deliver(ctx, f.clock.Now().Add(time.Hour)); sent+failed != 0 || len(srv.messages(t)) != 3 {
			t.Errorf("a second Deliver sent %d more", sent+failed)
		}
	})
}

// TestDeliverRetriesUntilTheServerIsBack: a server that is down loses
// nothing; when it is back, two concurrent Delivers send each message once.
func TestDeliverRetriesUntilTheServerIsBack(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		f.svc.Mailer = smtpTo(port, notify.TLSNone)
		f.mustNotify(t, f.received("ref1"))

		now := f.clock.Now()
		if sent, failed, err := f.svc.Deliver(ctx, now); err != nil || sent != 0 || failed != 2 {
			t.Fatalf("server down: Deliver = %d, %d, %v; want 0 sent, 2 failed", sent, failed, err)
		}
		out, _ := f.svc.Outbox(ctx, f.users["admin"].Actor())
		for _, e := range out {
			if e.Status != notify.StatusQueued || e.Attempts != 1 || e.LastError != "connect" || !e.NextAt.Equal(now.Add(time.Minute)) {
				t.Errorf("after a refused connection: %+v", e)
			}
		}
		if sent, failed, _ := f.svc.Deliver(ctx, now.Add(30*time.Second)); sent+failed != 0 {
			t.Errorf("retried before the backoff: %d sent, %d failed", sent, failed)
		}

		srv := startSMTP(t, port)
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 2 {
			wg.Go(func() {
				sent, _, err := f.svc.Deliver(ctx, now.Add(time.Minute))
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += sent
				mu.Unlock()
			})
		}
		wg.Wait()
		if got := len(srv.messages(t)); total != 2 || got != 2 {
			t.Errorf("server back: %d reported sent, %d received; want 2 and 2", total, got)
		}
		for id, st := range f.outbox(t) {
			if st != "sent/2" {
				t.Errorf("outbox %s = %s, want sent/2", id, st)
			}
		}
	})
}

// TestDeliverConcurrentlyClaimsOnce races four Delivers over many rows.
func TestDeliverConcurrentlyClaimsOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		m := &fakeMailer{}
		f.svc.Mailer, f.svc.Batch = m, 3
		for i := range 15 {
			f.mustNotify(t, f.received("ref"+string(rune('a'+i))))
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for {
					sent, _, err := f.svc.Deliver(context.Background(), f.clock.Now())
					if err != nil {
						t.Error(err)
					}
					if sent == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		seen := map[string]int{}
		for _, msg := range m.got {
			seen[string(msg.Data[bytes.Index(msg.Data, []byte("Message-ID:")):][:60])]++
		}
		if len(m.got) != 30 || len(seen) != 30 {
			t.Errorf("sent %d messages, %d distinct; want 30 and 30", len(m.got), len(seen))
		}
	})
}

func TestBackoffAndGiveUp(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		f.svc.Mailer = &fakeMailer{fail: errors.New("451 try later")}
		f.mustNotify(t, notify.Notification{OrgID: f.orgs["shelter"], UserID: f.users["mara"].ID,
			Kind: "referral.overdue", ObjectType: "referral", ObjectID: "ref1"})
		created := f.clock.Now()
		wantWaits := []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour, 6 * time.Hour}
		now := created
		attempts := 0
		for {
			if _, _, err := f.svc.Deliver(ctx, now); err != nil {
				t.Fatal(err)
			}
			attempts++
			out, err := f.svc.Outbox(ctx, f.users["admin"].Actor())
			if err != nil || len(out) != 1 {
				t.Fatalf("outbox = %+v, %v", out, err)
			}
			e := out[0]
			if e.Status == notify.StatusFailed {
				if e.FailedAt == nil || e.LastError != "smtp" || now.Sub(created) > 72*time.Hour {
					t.Errorf("gave up as %+v at %v", e, now.Sub(created))
				}
				break
			}
			if i := attempts - 1; i < len(wantWaits) && e.NextAt.Sub(now) != wantWaits[i] {
				t.Errorf("wait after attempt %d = %v, want %v", attempts, e.NextAt.Sub(now), wantWaits[i])
			}
			if attempts > 40 {
				t.Fatal("never gave up")
			}
			now = e.NextAt
		}
		if attempts != 16 {
			t.Errorf("gave up after %d attempts, want 16 (1, 5, 15, 60 min, then 6 h until 72 h)", attempts)
		}
	})
}

func TestDeliverWithoutSMTP(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		var logs bytes.Buffer
		f.svc.Log = slog.New(slog.NewTextHandler(&logs, nil))
		f.mustNotify(t, f.received("ref1"))
		for range 2 {
			if sent, failed, err := f.svc.Deliver(context.Background(), f.clock.Now()); sent+failed != 0 || err != nil {
				t.Errorf("Deliver = %d, %d, %v; want nothing", sent, failed, err)
			}
		}
		if got := strings.Count(logs.String(), "SMTP is not configured"); got != 1 {
			t.Errorf("logged %d times, want once:\n%s", got, logs.String())
		}
		for id, st := range f.outbox(t) {
			if st != "queued/0" {
				t.Errorf("outbox %s = %s, want queued/0", id, st)
			}
		}
	})
}

func TestDeliverSkipsDeactivatedAccounts(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		m := &fakeMailer{}
		f.svc.Mailer = m
		f.mustNotify(t, notify.Notification{OrgID: f.orgs["shelter"], UserID: f.users["mara"].ID,
			Kind: "referral.accepted", ObjectType: "referral", ObjectID: "ref1"})
		if err := f.app.Auth.SetUserActive(context.Background(), access.SystemActor, f.users["mara"].ID, false); err != nil {
			t.Fatal(err)
		}
		if sent, failed, err := f.svc.Deliver(context.Background(), f.clock.Now()); sent+failed != 0 || err != nil || len(m.got) != 0 {
			t.Errorf("Deliver = %d, %d, %v; %d mailed; want nothing", sent, failed, err, len(m.got))
		}
		for id, st := range f.outbox(t) {
			if st != "skipped/1" {
				t.Errorf("outbox %s = %s, want skipped/1", id, st)
			}
		}
	})
}

// TestStartTLSRequired: a server without STARTTLS gets nothing in
// required mode (the default), and the message waits.
func TestStartTLSRequired(t *testing.T) {
	srv := startSMTP(t, 0)
	eachEngine(t, func(t *testing.T, f *fixture) {
		f.svc.Mailer = smtpTo(srv.port, "")
		f.mustNotify(t, notify.Notification{OrgID: f.orgs["shelter"], UserID: f.users["mara"].ID,
			Kind: "referral.accepted", ObjectType: "referral", ObjectID: "ref1"})
		if sent, failed, err := f.svc.Deliver(context.Background(), f.clock.Now()); sent != 0 || failed != 1 || err != nil {
			t.Errorf("Deliver = %d, %d, %v; want 0 sent, 1 failed", sent, failed, err)
		}
		out, _ := f.svc.Outbox(context.Background(), f.users["admin"].Actor())
		if len(out) != 1 || out[0].LastError != "no_starttls" {
			t.Errorf("outbox = %+v, want last_error no_starttls", out)
		}
		if n := len(srv.messages(t)); n != 0 {
			t.Errorf("the server received %d messages in clear", n)
		}
	})
}
