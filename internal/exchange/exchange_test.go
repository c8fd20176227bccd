package exchange_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/exchange"
	"github.com/ura-nrm/ura/internal/store"
)

// instance is one Ura with its exchange inbox served over loopback.
type instance struct {
	app *app.App
	clk *clock.Fake
	srv *httptest.Server
	x   *exchange.Service
}

func newInstance(t testing.TB, country string) *instance {
	a, clk := apptest.Open(t, store.SQLite)
	in := &instance{app: a, clk: clk, x: a.Exchange}
	in.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rcp, err := in.x.Receive(r.Context(), b)
		if err != nil {
			st, p := exchange.ProblemOf(err)
			w.WriteHeader(st)
			json.NewEncoder(w).Encode(p)
			return
		}
		w.Write(rcp)
	}))
	t.Cleanup(in.srv.Close)
	in.x.Country, in.x.URL = country, in.srv.URL
	in.x.Config.RetryBase, in.x.Config.RetryMax = time.Millisecond, 10*time.Millisecond
	return in
}

var admin = access.SystemActor

// pair registers a and b with each other through their identities and
// fingerprints, as two administrators do.
func pair(t testing.TB, a, b *instance) {
	ctx := context.Background()
	for _, p := range [][2]*instance{{a, b}, {b, a}} {
		id, err := p[1].x.Identity(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p[0].x.AddPartner(ctx, admin, id, ""); err != nil {
			t.Fatal(err)
		}
		if err := p[0].x.ActivatePartner(ctx, admin, id.Country, strings.ToLower(strings.ReplaceAll(id.Fingerprint, " ", ""))); err != nil {
			t.Fatal(err)
		}
	}
}

func TestNoteDeliveredOnceWithSignedReceipt(t *testing.T) {
	ctx := context.Background()
	xk, me := newInstance(t, "XK"), newInstance(t, "ME")
	pair(t, xk, me)
	coord := access.Actor{UserID: "u1", OrgID: "o1", Role: access.Coordinator}
	id, err := xk.x.Send(ctx, coord, exchange.SendRequest{To: "ME", Type: "note", Body: json.RawMessage(`{"text":"Meeting on Monday"}`)})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := xk.x.Get(ctx, coord, id)
	if m.State != exchange.StateQueued {
		t.Fatalf("state %q, want queued", m.State)
	}
	if n, err := xk.x.Deliver(ctx); err != nil || n != 1 {
		t.Fatalf("deliver: %d %v", n, err)
	}
	m, _ = xk.x.Get(ctx, coord, id)
	if m.State != exchange.StateDelivered {
		t.Fatalf("state %q (%s), want delivered", m.State, m.Reason)
	}
	got, err := me.x.Get(ctx, coord, id)
	if err != nil || got.Direction != "in" || got.Body["text"] != "Meeting on Monday" || got.Country != "XK" {
		t.Fatalf("received %+v, %v", got, err)
	}
	for _, in := range []*instance{xk, me} {
		rep, err := in.x.Verify(ctx)
		if err != nil || len(rep.Problems) > 0 || rep.Receipts != 1 {
			t.Fatalf("verify: %+v %v", rep, err)
		}
	}
}

func TestActivationRefusesAWrongFingerprint(t *testing.T) {
	ctx := context.Background()
	xk, me := newInstance(t, "XK"), newInstance(t, "ME")
	id, _ := me.x.Identity(ctx)
	if _, err := xk.x.AddPartner(ctx, admin, id, "Montenegro"); err != nil {
		t.Fatal(err)
	}
	wrong := "0000" + id.Fingerprint[4:]
	if err := xk.x.ActivatePartner(ctx, admin, "ME", wrong); err == nil {
		t.Fatal("a wrong fingerprint activated the partner")
	}
	ps, _ := xk.x.Partners(ctx)
	if len(ps) != 1 || ps[0].Active {
		t.Fatalf("partners %+v", ps)
	}
	// A tampered identity file (keys changed, fingerprint kept) is refused at once.
	other, _ := xk.x.Identity(ctx)
	id.SigningKey = other.SigningKey
	if _, err := xk.x.AddPartner(ctx, admin, id, ""); err == nil {
		t.Fatal("an identity whose fingerprint does not match its keys was registered")
	}
}

// TestInboxRefusals sends the inbox what it must refuse, each with its reason.
func TestInboxRefusals(t *testing.T) {
	ctx := context.Background()
	xk, me := newInstance(t, "XK"), newInstance(t, "ME")
	pair(t, xk, me)
	coord := access.Actor{UserID: "u1", OrgID: "o1", Role: access.Coordinator}
	id, err := xk.x.Send(ctx, coord, exchange.SendRequest{To: "ME", Type: "note", Body: json.RawMessage(`{"text":"x"}`)})
	if err != nil {
		t.Fatal(err)
	}
	// Capture the envelope on the wire.
	var wire []byte
	capture := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wire, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer capture.Close()
	meURL := me.srv.URL
	xk.x.HTTP = &http.Client{Transport: redirect{to: capture.URL}}
	xk.x.Deliver(ctx)
	if wire == nil {
		t.Fatal("nothing sent")
	}
	xk.x.HTTP = nil
	_ = meURL
	post := func(b []byte) (int, string) {
		resp, err := http.Post(me.srv.URL+"/exchange/inbox", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var p exchange.Problem
		json.NewDecoder(resp.Body).Decode(&p)
		return resp.StatusCode, p.Error
	}
	mutate := func(f func(e map[string]any)) []byte {
		var e map[string]any
		json.Unmarshal(wire, &e)
		f(e)
		b, _ := json.Marshal(e)
		return b
	}
	// Tampered body: one byte of the ciphertext changed.
	tampered := mutate(func(e map[string]any) {
		b := []byte(e["body"].(string))
		if b[10] == 'A' {
			b[10] = 'B'
		} else {
			b[10] = 'A'
		}
		e["body"] = string(b)
	})
	if st, code := post(tampered); code != exchange.ReasonBadSignature {
		t.Errorf("tampered body: %d %q", st, code)
	}
	if st, code := post(mutate(func(e map[string]any) { e["extra"] = 1 })); code != exchange.ReasonMalformed {
		t.Errorf("unknown member: %d %q", st, code)
	}
	if st, code := post(mutate(func(e map[string]any) { e["to"] = "AL" })); code != exchange.ReasonWrongRecipient {
		t.Errorf("wrong recipient: %d %q", st, code)
	}
	// The genuine envelope is taken once; the same again gets the same receipt.
	st, code := post(wire)
	if st != 200 {
		t.Fatalf("genuine envelope: %d %q", st, code)
	}
	if st, _ := post(wire); st != 200 {
		t.Errorf("duplicate: %d", st)
	}
	in, _ := me.x.List(ctx, coord, "in", 10)
	if len(in) != 1 || in[0].ID != id {
		t.Fatalf("inbox %+v", in)
	}
	// Replayed after the tolerance: refused.
	me.clk.Advance(10 * time.Minute)
	if st, code := post(wire); code != exchange.ReasonReplayed {
		t.Errorf("replay: %d %q", st, code)
	}
	// Deactivated sender: refused, and the sender keeps its message.
	me.clk.Advance(-10 * time.Minute)
	if err := me.x.DeactivatePartner(ctx, admin, "XK"); err != nil {
		t.Fatal(err)
	}
	id2, _ := xk.x.Send(ctx, coord, exchange.SendRequest{To: "ME", Type: "note", Body: json.RawMessage(`{"text":"y"}`)})
	xk.x.Deliver(ctx)
	m, _ := xk.x.Get(ctx, coord, id2)
	if m.State != exchange.StateQueued || m.Reason != exchange.ReasonSenderInactive {
		t.Fatalf("to a partner that deactivated us: %s %s", m.State, m.Reason)
	}
	if err := me.x.ReactivatePartner(ctx, admin, "XK"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	xk.clk.Advance(time.Second)
	xk.x.Deliver(ctx)
	if m, _ = xk.x.Get(ctx, coord, id2); m.State != exchange.StateDelivered {
		t.Fatalf("after reactivation: %s %s", m.State, m.Reason)
	}
}

// redirect sends every request to another server.
type redirect struct{ to string }

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	u := r.to + req.URL.Path
	nr, _ := http.NewRequestWithContext(req.Context(), req.Method, u, req.Body)
	nr.Header = req.Header
	return http.DefaultTransport.RoundTrip(nr)
}

// TestKeyRotationWithOverlap: Kosovo rotates its keys with a message still
// queued (sealed and signed under the old ones): it is delivered. Montenegro
// registers the new identity (pending until its fingerprint is checked) and
// activates it; messages signed with the new keys are accepted, and the old
// signing key is still accepted until the overlap ends, then refused.
func TestKeyRotationWithOverlap(t *testing.T) {
	ctx := context.Background()
	xk, me := newInstance(t, "XK"), newInstance(t, "ME")
	pair(t, xk, me)
	coord := access.Actor{UserID: "u1", OrgID: "o1", Role: access.Coordinator}
	note := func(text string) string {
		id, err := xk.x.Send(ctx, coord, exchange.SendRequest{To: "ME", Type: "note", Body: json.RawMessage(`{"text":"` + text + `"}`)})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	old, _ := xk.x.Identity(ctx)
	queued := note("queued before the rotation")
	newID, err := xk.x.RotateKeys(ctx, admin, 48*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if newID.Fingerprint == old.Fingerprint {
		t.Fatal("the rotation kept the fingerprint")
	}
	// Delivered: signed with the old key, which Montenegro still trusts.
	xk.x.Deliver(ctx)
	if m, _ := xk.x.Get(ctx, coord, queued); m.State != exchange.StateDelivered {
		t.Fatalf("the message queued before the rotation: %s (%s)", m.State, m.Reason)
	}
	// A message after the rotation is signed with the new key: Montenegro
	// does not know it yet, and says so; it waits, not lost.
	after := note("after the rotation")
	xk.x.Deliver(ctx)
	if m, _ := xk.x.Get(ctx, coord, after); m.State != exchange.StateQueued || m.Reason != exchange.ReasonUnknownKey {
		t.Fatalf("before the partner registers the new key: %s (%s)", m.State, m.Reason)
	}
	// Montenegro registers and activates the new identity.
	if _, err := me.x.AddPartner(ctx, admin, newID, ""); err != nil {
		t.Fatal(err)
	}
	ps, _ := me.x.Partners(ctx)
	states := map[string]string{}
	for _, k := range ps[0].Keys {
		states[k.Fingerprint] = k.State
	}
	if states[newID.Fingerprint] != "pending" || states[old.Fingerprint] != "active" {
		t.Fatalf("key states after add: %v", states)
	}
	if err := me.x.ActivatePartner(ctx, admin, "XK", newID.Fingerprint); err != nil {
		t.Fatal(err)
	}
	ps, _ = me.x.Partners(ctx)
	for _, k := range ps[0].Keys {
		states[k.Fingerprint] = k.State
	}
	if states[newID.Fingerprint] != "active" || states[old.Fingerprint] != "retired" {
		t.Fatalf("key states after activation: %v", states)
	}
	third := note("with the new keys")
	xk.clk.Advance(time.Minute) // the waiting message's retry is due
	xk.x.Deliver(ctx)
	for _, id := range []string{after, third} {
		if m, _ := xk.x.Get(ctx, coord, id); m.State != exchange.StateDelivered {
			t.Fatalf("a message with the new keys: %s (%s)", m.State, m.Reason)
		}
	}
	rep, err := me.x.Verify(ctx)
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("Montenegro's log after the rotation: %+v %v", rep, err)
	}
	rep, err = xk.x.Verify(ctx)
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("Kosovo's log after the rotation: %+v %v", rep, err)
	}
}
