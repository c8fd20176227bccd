//go:build unix

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/exchange"
	"github.com/ura-nrm/ura/internal/linkage"
	"github.com/ura-nrm/ura/internal/store"
)

// country is one national Ura in the exchange tests: its own store, its own
// `ura serve` process, a coordinator (the USOP contact point) and, in
// Kosovo, a police officer who registers the cases.
type country struct {
	root          *testing.T // the processes live as long as it
	t             *testing.T
	code          string
	sargs         []string
	addr          string
	proc          *uraProc
	coord, police string // API tokens
	id            exchange.Identity
	idFile        string
	retryMax      string
}

func newCountry(t *testing.T, code string, e store.Engine) *country {
	t.Helper()
	_, _, sargs := storeArgs(t, e)
	c := &country{root: t, t: t, code: code, sargs: sargs, retryMax: "1s"}
	mustUra(t, "", append([]string{"migrate"}, sargs...)...)
	lower := strings.ToLower(code)
	if code == "XK" || code == "ME" {
		mustUra(t, testPassword+"\n", append([]string{"user", "add", "--email", "police@" + lower + ".invalid", "--name", "Police Officer",
			"--role", "police", "--org", "Police THB Unit " + code}, sargs...)...)
		c.police = lastLine(mustUra(t, "", append([]string{"token", "create", "--email", "police@" + lower + ".invalid", "--label", "x"}, sargs...)...))
	}
	mustUra(t, testPassword+"\n", append([]string{"user", "add", "--email", "contact@" + lower + ".invalid", "--name", "Contact Point",
		"--role", "coordinator", "--org", "National Coordinator " + code}, sargs...)...)
	c.coord = lastLine(mustUra(t, "", append([]string{"token", "create", "--email", "contact@" + lower + ".invalid", "--label", "x"}, sargs...)...))
	// A fixed port, so a restarted instance is found where its partners know it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.addr = ln.Addr().String()
	ln.Close()
	c.start()
	out := mustUra(t, "", append([]string{"partner", "keys"}, sargs...)...)
	if err := json.Unmarshal([]byte(out), &c.id); err != nil || c.id.Country != code || c.id.Fingerprint == "" ||
		c.id.URL != "http://"+c.addr || c.id.SigningKey == "" || c.id.EncryptionKey == "" {
		t.Fatalf("ura partner keys of %s: %v\n%s", code, err, out)
	}
	c.idFile = filepath.Join(t.TempDir(), code+".json")
	if err := os.WriteFile(c.idFile, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *country) start() {
	extra := []string{"--addr", c.addr}
	if os.Getenv("URA_EXCHANGE_PROFILE") != "" { // TestExchangeThroughput's profiles
		extra = append(extra, "--metrics-addr", "127.0.0.1:0", "--profiling")
	}
	c.proc = serveProc(c.root, []string{"URA_COUNTRY=" + c.code, "URA_EXCHANGE_RETRY_MAX=" + c.retryMax}, c.sargs, extra...)
}

func (c *country) ura(args ...string) (string, error) {
	out, errOut, err := ura(c.t, "", append(args, c.sargs...)...)
	return out + errOut, err
}

// register makes c and d partners through the CLI: each adds the other's
// identity file, a wrong fingerprint is refused, the right one activates.
func register(t *testing.T, c, d *country) {
	t.Helper()
	for _, p := range [][2]*country{{c, d}, {d, c}} {
		if out, err := p[0].ura("partner", "add", "--file", p[1].idFile, "--name", "Contact point "+p[1].code); err != nil {
			t.Fatalf("%s partner add %s: %v\n%s", p[0].code, p[1].code, err, out)
		}
		wrong := "0000" + p[1].id.Fingerprint[4:]
		if out, err := p[0].ura("partner", "activate", "--country", p[1].code, "--fingerprint", wrong); err == nil ||
			!strings.Contains(err.Error(), "fingerprint_mismatch") {
			t.Fatalf("%s activated %s with a wrong fingerprint: %v\n%s", p[0].code, p[1].code, err, out)
		}
		if out, err := p[0].ura("partner", "activate", "--country", p[1].code, "--fingerprint", p[1].id.Fingerprint); err != nil {
			t.Fatalf("%s partner activate %s: %v\n%s", p[0].code, p[1].code, err, out)
		}
	}
}

// call makes an API request and decodes the answer into out (when not nil).
func (c *country) call(tok, method, path string, body any, out any) int {
	c.t.Helper()
	st := c.callNoFail(tok, method, path, body, out)
	if st == 0 {
		c.t.Fatalf("%s %s failed", method, path)
	}
	return st
}

// callNoFail is call for other goroutines than the test's: 0 on failure.
func (c *country) callNoFail(tok, method, path string, body any, out any) int {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+c.addr+path, rd)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return 0
		}
	}
	return resp.StatusCode
}

// send queues a message and returns its id; want is the status expected.
func (c *country) send(to, typ, caseID, replyTo, xref string, body map[string]any) string {
	c.t.Helper()
	req := map[string]any{"to": to, "type": typ, "body": body}
	if caseID != "" {
		req["case_id"] = caseID
	}
	if replyTo != "" {
		req["reply_to"] = replyTo
	}
	if xref != "" {
		req["xref"] = xref
	}
	var out map[string]any
	if st := c.call(c.coord, "POST", "/api/v1/exchange/messages", req, &out); st != http.StatusAccepted {
		c.t.Fatalf("%s sends %s to %s: %d %v", c.code, typ, to, st, out)
	}
	return out["id"].(string)
}

func (c *country) message(id string) exchange.Message {
	c.t.Helper()
	var m exchange.Message
	if st := c.call(c.coord, "GET", "/api/v1/exchange/messages/"+id, nil, &m); st != 200 {
		c.t.Fatalf("%s GET message %s: %d", c.code, id, st)
	}
	return m
}

// waitState waits until the message reaches one of the states.
func (c *country) waitState(id string, within time.Duration, states ...string) exchange.Message {
	c.t.Helper()
	deadline := time.Now().Add(within)
	for {
		m := c.message(id)
		for _, s := range states {
			if m.State == s {
				return m
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s message %s (%s) is %s (%s) after %v, want %v", c.code, id, m.Type, m.State, m.Reason, within, states)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// inbox lists the ids of what arrived, with how many times each appears.
func (c *country) inbox() map[string]int {
	c.t.Helper()
	var l struct{ Items []exchange.Message }
	if st := c.call(c.coord, "GET", "/api/v1/exchange/messages?direction=in&limit=1000", nil, &l); st != 200 {
		c.t.Fatalf("%s inbox: %d", c.code, st)
	}
	out := map[string]int{}
	for _, m := range l.Items {
		out[m.ID]++
	}
	return out
}

func (c *country) inboxMsg(typ string) exchange.Message {
	c.t.Helper()
	var l struct{ Items []exchange.Message }
	c.call(c.coord, "GET", "/api/v1/exchange/messages?direction=in&limit=1000", nil, &l)
	for _, m := range l.Items {
		if m.Type == typ {
			return m
		}
	}
	c.t.Fatalf("%s has received no %s", c.code, typ)
	return exchange.Message{}
}

// childCase registers a Montenegrin child in Kosovo (police), with her
// guardian and, when consent, the guardian's consent to the exchange with ME.
func (c *country) childCase(given, family, form string, consent bool) string {
	c.t.Helper()
	var out map[string]any
	st := c.call(c.police, "POST", "/api/v1/cases", map[string]any{
		"person":       map[string]any{"given_name": given, "family_name": family, "birth_date": "2013-04-02", "sex": "female", "citizenship": "ME"},
		"exploitation": []string{form}, "exploitation_country": "XK"}, &out)
	if st != http.StatusCreated {
		c.t.Fatalf("register case: %d %v", st, out)
	}
	id := out["id"].(string)
	if st := c.call(c.police, "POST", "/api/v1/cases/"+id+"/guardians", map[string]any{"kind": "csw_officer", "name": "Drita Kujdestare",
		"authority": "CSW Prizren", "decision_ref": "77/2026", "decision_date": "2026-11-02"}, &out); st != http.StatusCreated {
		c.t.Fatalf("guardian: %d %v", st, out)
	}
	if consent {
		c.consent(id)
	}
	return id
}

func (c *country) consent(caseID string) {
	c.t.Helper()
	informed := map[string]bool{"purpose": true, "data_use": true, "storage_duration": true, "access_right": true, "withdrawal": true}
	for _, sc := range [][2]string{{"data_processing", ""}, {"exchange", "ME"}} {
		var out map[string]any
		if st := c.call(c.police, "POST", "/api/v1/cases/"+caseID+"/consents", map[string]any{"scope": sc[0], "target": sc[1],
			"given_by": "guardian", "child_view": "agrees", "language": "sr", "interpreter": true, "informed": informed}, &out); st != http.StatusCreated {
			c.t.Fatalf("consent %s: %d %v", sc[0], st, out)
		}
	}
}

func (c *country) verifyLog() {
	c.t.Helper()
	if out, err := c.ura("exchange", "verify"); err != nil || !strings.Contains(out, "message log intact") {
		c.t.Errorf("%s ura exchange verify: %v\n%s", c.code, err, out)
	}
	if out, err := c.ura("audit", "verify"); err != nil {
		c.t.Errorf("%s ura audit verify: %v\n%s", c.code, err, out)
	}
}

// TestExchangeThreeCountries runs Kosovo, Albania and Montenegro as three
// `ura serve` processes on loopback, each with its own store (Kosovo on
// PostgreSQL when URA_TEST_PG is set), registers them as partners through
// the CLI with fingerprint checks, and runs a full return of two
// Montenegrin children identified in Kosovo (forced marriage and begging):
// notification (refused until the guardian's consent is recorded), a family
// and risk assessment requested and answered, the best-interest
// determination and the guardian's agreement before the return plan (a
// return plan before them is refused), the plan agreed by Montenegro, the
// handover confirmed, a 3-month monitoring report back. Then the faults: a
// partner down for a while, a partner SIGKILLed mid-delivery and restarted,
// a partner deactivated while messages are queued — every message arrives
// exactly once — and forged envelopes posted to the inbox (duplicate,
// replay, tampered body, unregistered key, unknown sender, skewed clock),
// each refused with its reason. Both sides' message logs and audit chains
// verify at the end.
func TestExchangeThreeCountries(t *testing.T) {
	t.Parallel()
	began := time.Now()
	xkEngine := store.SQLite
	if os.Getenv("URA_TEST_PG") != "" {
		xkEngine = store.Postgres
	}
	xk, al, me := newCountry(t, "XK", xkEngine), newCountry(t, "AL", store.SQLite), newCountry(t, "ME", store.SQLite)
	register(t, xk, me)
	register(t, xk, al)
	register(t, al, me)
	t.Logf("three instances (Kosovo on %s) up and registered in %v", xkEngine, time.Since(began).Round(time.Millisecond))

	t.Run("Return", func(t *testing.T) {
		xk.t, me.t = t, t
		// Do you know this person? Montenegro holds Jelena (a case of its
		// own); Kosovo sends only CLK encodings made with the secret the two
		// agreed, of Jelena and of a person Montenegro does not hold.
		secret := filepath.Join(t.TempDir(), "secret")
		os.WriteFile(secret, []byte("XK and ME agreed this secret on 1 Dec 2026\n"), 0o600)
		schema := filepath.Join("..", "..", "internal", "linkage", "testdata", "ura-schema.json")
		if out, err := me.ura("partner", "linkage", "--country", "XK", "--schema", schema, "--secret-file", secret); err != nil {
			t.Fatalf("linkage: %v %s", err, out)
		}
		var held map[string]any
		if st := me.call(me.police, "POST", "/api/v1/cases", map[string]any{
			"person": map[string]any{"given_name": "Jelena", "family_name": "Popović", "birth_date": "2013-04-02", "sex": "female",
				"citizenship": "ME"}}, &held); st != http.StatusCreated {
			t.Fatalf("Montenegro registers Jelena: %d %v", st, held)
		}
		clks := personCLKs(t, schema, secret, [][5]string{{"Jelena", "Popovic", "2013-04-02", "female", "ME"},
			{"Ana", "Marković", "2011-09-30", "female", "ME"}})
		pq := xk.send("ME", "person_query", "", "", "", map[string]any{"persons": []map[string]any{
			{"ref": "p1", "clk": clks[0]}, {"ref": "p2", "clk": clks[1]}}})
		xk.waitState(pq, 30*time.Second, exchange.StateAcknowledged)
		pa := xk.message(xk.inboxMsg("person_answer").ID)
		cands, _ := pa.Body["candidates"].([]any)
		if len(cands) != 1 {
			t.Fatalf("the answer names %d candidates, want Jelena only: %v", len(cands), pa.Body)
		}
		c0 := cands[0].(map[string]any)
		if c0["ref"] != "p1" || !strings.HasPrefix(c0["xref"].(string), "ME-XK-") {
			t.Errorf("candidate %v", c0)
		}
		t.Logf("Montenegro knows p1 (score %v), not p2", c0["score"])

		girl1 := xk.childCase("Jelena", "Popović", "ForcedMarriage", false)
		girl2 := xk.childCase("Milica", "Popović", "ForcedBegging", true)
		note := map[string]any{"sex": "female", "citizenship": "ME", "child": true, "status": "identified",
			"given_name": "Jelena", "family_name": "Popović", "birth_date": "2013-04-02", "forms": []string{"ForcedMarriage"}, "urgency": "urgent"}
		// No consent yet for the first child: nothing personal leaves.
		var prob map[string]any
		if st := xk.call(xk.coord, "POST", "/api/v1/exchange/messages", map[string]any{"to": "ME", "type": "notification",
			"case_id": girl1, "body": note}, &prob); st != 400 || prob["field"] != "body" {
			t.Fatalf("a notification without consent: %d %v", st, prob)
		}
		xk.consent(girl1)
		n1 := xk.send("ME", "notification", girl1, "", "", note)
		note2 := map[string]any{"sex": "female", "citizenship": "ME", "child": true, "status": "identified",
			"given_name": "Milica", "family_name": "Popović", "forms": []string{"ForcedBegging"}, "urgency": "urgent"}
		n2 := xk.send("ME", "notification", girl2, "", "", note2)
		xk.waitState(n1, 20*time.Second, exchange.StateDelivered)
		xk.waitState(n2, 20*time.Second, exchange.StateDelivered)
		got := me.message(n1)
		if got.Direction != "in" || got.Country != "XK" || got.Body["family_name"] != "Popović" || got.XRef == "" || strings.Contains(got.XRef, "XK-2026") {
			t.Fatalf("Montenegro received %+v", got)
		}
		xref := got.XRef
		req := xk.send("ME", "assessment_request", girl1, "", "", map[string]any{"family": true, "risk": true, "due_date": "2026-12-20"})
		xk.waitState(req, 20*time.Second, exchange.StateDelivered)
		rep := me.send("XK", "assessment_report", "", req, xref, map[string]any{"family_result": "suitable_with_support",
			"risk_level": "medium", "trafficker_at_large": false, "family_involved": true})
		me.waitState(rep, 20*time.Second, exchange.StateDelivered)
		xk.waitState(req, 20*time.Second, exchange.StateAcknowledged)
		plan := map[string]any{"travel_documents": "issued", "escort": "Social worker and police officer", "date": "2027-01-15",
			"crossing": "Kulla/Kula", "receiving_organisation": "CSW Rožaje"}
		if st := xk.call(xk.coord, "POST", "/api/v1/exchange/messages", map[string]any{"to": "ME", "type": "return_plan",
			"case_id": girl1, "body": plan}, &prob); st != 400 {
			t.Fatalf("a child's return plan before the best-interest determination: %d %v", st, prob)
		}
		xk.send("ME", "best_interest", girl1, "", "", map[string]any{"decided_on": "2026-12-22", "decision": "return"})
		xk.send("ME", "guardian_agreement", girl1, "", "", map[string]any{"agreed": true, "recorded_on": "2026-12-23"})
		rp := xk.send("ME", "return_plan", girl1, "", "", plan)
		xk.waitState(rp, 20*time.Second, exchange.StateDelivered)
		ans := me.send("XK", "return_plan_answer", "", rp, xref, map[string]any{"agreed": true})
		me.waitState(ans, 20*time.Second, exchange.StateDelivered)
		xk.waitState(rp, 20*time.Second, exchange.StateAcknowledged)
		ho := xk.send("ME", "handover", girl1, "", "", map[string]any{"handed_over_on": "2027-01-15", "place": "Kulla/Kula",
			"received_by": "CSW Rožaje"})
		xk.waitState(ho, 20*time.Second, exchange.StateDelivered)
		mon := me.send("XK", "monitoring_report", "", "", xref, map[string]any{"months": 3, "risk_level": "low", "situation": "stable"})
		me.waitState(mon, 20*time.Second, exchange.StateDelivered)
		if m := xk.inboxMsg("monitoring_report"); m.CaseID != girl1 || m.XRef != xref {
			t.Errorf("the monitoring report is not on the case in Kosovo: %+v", m)
		}
		// Albania takes part too: a note between contact points, no case.
		a := xk.send("AL", "note", "", "", "", map[string]any{"text": "Regional meeting on 12 January in Tirana."})
		xk.waitState(a, 20*time.Second, exchange.StateDelivered)
	})

	t.Run("RegionalPicture", func(t *testing.T) {
		// Kosovo and Albania send their protected tables of the year
		// (Kosovo with small counts suppressed, Albania with differential
		// privacy); Montenegro holds both, each with its protection stated.
		xk.t, al.t, me.t = t, t, t
		year := strconv.Itoa(time.Now().Year())
		var sent []string
		for _, c := range []struct {
			c    *country
			prot string
		}{{xk, "suppress"}, {al, "dp"}} {
			out, err := c.c.ura("exchange", "send-picture", "--year", year, "--protection", c.prot)
			if err != nil {
				t.Fatalf("%s send-picture: %v\n%s", c.c.code, err, out)
			}
			ids := strings.Fields(out)
			if len(ids) != 2 {
				t.Fatalf("%s sent its picture to %d partners, want 2: %s", c.c.code, len(ids), out)
			}
			sent = append(sent, ids...)
			for _, id := range ids {
				c.c.waitState(id, 20*time.Second, exchange.StateDelivered)
			}
		}
		got := map[string]exchange.Message{}
		var l struct{ Items []exchange.Message }
		me.call(me.coord, "GET", "/api/v1/exchange/messages?direction=in&limit=1000", nil, &l)
		for _, m := range l.Items {
			if m.Type == exchange.PictureType {
				var full exchange.Message
				me.call(me.coord, "GET", "/api/v1/exchange/messages/"+m.ID, nil, &full)
				got[m.Country] = full
			}
		}
		if len(got) != 2 || got["XK"].Body["protection"] != "suppression" || got["AL"].Body["protection"] != "dp" ||
			got["XK"].Body["k"] == nil || got["AL"].Body["epsilon"] == nil {
			t.Fatalf("Montenegro holds %+v", got)
		}
		for _, r := range got["XK"].Body["rows"].([]any) {
			row := r.(map[string]any)
			if n, ok := row["count"].(float64); ok && n > 0 && n < 10 {
				t.Errorf("a count under the threshold left Kosovo: %v", row)
			}
		}
		var refused map[string]any
		if st := xk.call(xk.coord, "POST", "/api/v1/exchange/messages", map[string]any{"to": "ME", "type": exchange.PictureType,
			"body": map[string]any{"year": 2026, "protection": "suppression", "k": 10, "rows": []any{}}}, &refused); st != http.StatusBadRequest &&
			st != http.StatusUnprocessableEntity {
			t.Errorf("a regional table sent through the API: %d %v", st, refused)
		}
	})

	t.Run("PartnerDown", func(t *testing.T) {
		xk.t, me.t = t, t
		me.proc.Stop(t)
		var ids []string
		for i := range 5 {
			ids = append(ids, xk.send("ME", "note", "", "", "", map[string]any{"text": fmt.Sprintf("While you were away %d", i)}))
		}
		time.Sleep(2 * time.Second)
		for _, id := range ids {
			if m := xk.message(id); m.State != exchange.StateQueued || m.Attempts == 0 {
				t.Fatalf("with Montenegro down the message is %s after %d attempts", m.State, m.Attempts)
			}
		}
		me.start()
		for _, id := range ids {
			xk.waitState(id, 30*time.Second, exchange.StateDelivered)
		}
		in := me.inbox()
		for _, id := range ids {
			if in[id] != 1 {
				t.Errorf("message %s arrived %d times", id, in[id])
			}
		}
	})

	t.Run("KilledMidDelivery", func(t *testing.T) {
		xk.t, me.t = t, t
		// Queue 300 notes in the background and kill Montenegro as soon as
		// the first has arrived: the rest are in flight or still queued.
		var mu sync.Mutex
		var ids []string
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := range 300 {
				var out map[string]any
				if st := xk.callNoFail(xk.coord, "POST", "/api/v1/exchange/messages", map[string]any{"to": "ME", "type": "note",
					"body": map[string]any{"text": fmt.Sprintf("Batch %d", i)}}, &out); st == http.StatusAccepted {
					mu.Lock()
					ids = append(ids, out["id"].(string))
					mu.Unlock()
				}
			}
		}()
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			first := ""
			if len(ids) > 0 {
				first = ids[0]
			}
			mu.Unlock()
			if first != "" && me.inbox()[first] == 1 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		me.proc.Kill()
		<-done
		if len(ids) != 300 {
			t.Fatalf("%d of 300 queued", len(ids))
		}
		arrived := 0
		for _, id := range ids {
			if xk.message(id).State == exchange.StateDelivered {
				arrived++
			}
		}
		t.Logf("%d of %d delivered when Montenegro was killed", arrived, len(ids))
		me.start()
		for _, id := range ids {
			xk.waitState(id, 60*time.Second, exchange.StateDelivered)
		}
		in := me.inbox()
		for _, id := range ids {
			if in[id] != 1 {
				t.Errorf("message %s arrived %d times", id, in[id])
			}
		}
	})

	t.Run("DeactivatedWhileQueued", func(t *testing.T) {
		xk.t, me.t = t, t
		me.proc.Stop(t)
		a := xk.send("ME", "note", "", "", "", map[string]any{"text": "Queued before the deactivation"})
		if out, err := xk.ura("partner", "deactivate", "--country", "ME"); err != nil {
			t.Fatalf("deactivate: %v %s", err, out)
		}
		me.start()
		time.Sleep(2500 * time.Millisecond)
		if m := xk.message(a); m.State != exchange.StateQueued {
			t.Fatalf("a message to a deactivated partner is %s", m.State)
		}
		if me.inbox()[a] != 0 {
			t.Fatal("a message to a deactivated partner was delivered")
		}
		// Montenegro, for its part, deactivates Kosovo: Kosovo's message waits.
		if out, err := me.ura("partner", "deactivate", "--country", "XK"); err != nil {
			t.Fatalf("deactivate: %v %s", err, out)
		}
		if out, err := xk.ura("partner", "activate", "--country", "ME", "--fingerprint", me.id.Fingerprint); err != nil {
			t.Fatalf("activate: %v %s", err, out)
		}
		for end := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			m := xk.message(a)
			if m.State != exchange.StateQueued {
				t.Fatalf("a message to a partner that deactivated us is %s (%s)", m.State, m.Reason)
			}
			if m.Reason == exchange.ReasonSenderInactive {
				break
			}
			if time.Now().After(end) {
				t.Fatalf("a message to a partner that deactivated us: %s (%s)", m.State, m.Reason)
			}
		}
		if out, err := me.ura("partner", "activate", "--country", "XK", "--fingerprint", xk.id.Fingerprint); err != nil {
			t.Fatalf("activate: %v %s", err, out)
		}
		xk.waitState(a, 30*time.Second, exchange.StateDelivered)
		if n := me.inbox()[a]; n != 1 {
			t.Fatalf("arrived %d times", n)
		}
	})

	t.Run("ForgedEnvelopes", func(t *testing.T) {
		me.t = t
		forgedEnvelopes(t, me)
	})

	for _, c := range []*country{xk, al, me} {
		c.t = t
		c.verifyLog()
		failIf(t, c.code+" log", c.proc.logErrors())
	}
	t.Logf("three-country exchange: %v", time.Since(began).Round(100*time.Millisecond))
}

// forgedEnvelopes plays North Macedonia (a partner registered in
// Montenegro through the CLI) and an attacker, posting envelopes straight to
// Montenegro's inbox.
func forgedEnvelopes(t *testing.T, me *country) {
	mk, err := exchange.NewKeySet()
	if err != nil {
		t.Fatal(err)
	}
	id := mk.Identity("MK", "http://127.0.0.1:9")
	b, _ := json.Marshal(id)
	f := filepath.Join(t.TempDir(), "mk.json")
	os.WriteFile(f, b, 0o600)
	if out, err := me.ura("partner", "add", "--file", f); err != nil {
		t.Fatalf("add MK: %v %s", err, out)
	}
	if out, err := me.ura("partner", "activate", "--country", "MK", "--fingerprint", id.Fingerprint); err != nil {
		t.Fatalf("activate MK: %v %s", err, out)
	}
	n := 0
	envelope := func(k *exchange.KeySet, from string, sent time.Time, text string) *exchange.Envelope {
		n++
		now := time.Now().UTC()
		e := &exchange.Envelope{V: 1, ID: fmt.Sprintf("forgedenvelope%012d", n) + strings.ToLower(from), From: from, To: "ME",
			Type: "note", Schema: 1, CreatedAt: now.Format(time.RFC3339), ExpiresAt: now.Add(time.Hour).Format(time.RFC3339),
			SentAt: sent.UTC().Format(time.RFC3339)}
		if err := k.Seal(e, from, me.id, []byte(`{"text":"`+text+`"}`)); err != nil {
			t.Fatal(err)
		}
		return e
	}
	post := func(b []byte) (int, string, []byte) {
		resp, err := http.Post("http://"+me.addr+"/exchange/inbox", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var p exchange.Problem
		json.Unmarshal(body, &p)
		return resp.StatusCode, p.Error, body
	}
	good := envelope(mk, "MK", time.Now(), "genuine")
	st, _, r1 := post(good.Marshal())
	if st != 200 {
		t.Fatalf("a genuine envelope: %d %s", st, r1)
	}
	if rc, err := exchange.ParseReceipt(r1); err != nil || rc.MessageID != good.ID || rc.EnvelopeSHA256 != good.ContentHash() {
		t.Fatalf("receipt %s: %v", r1, err)
	}
	// Duplicate: the same envelope again gets the same receipt, and is kept once.
	if st, _, r2 := post(good.Marshal()); st != 200 || !bytes.Equal(r1, r2) {
		t.Errorf("a duplicate: %d %s", st, r2)
	}
	// Replay: the captured envelope, its sending time six minutes old.
	old := *good
	old.SentAt = time.Now().Add(-6 * time.Minute).UTC().Format(time.RFC3339)
	mk.Sign(&old)
	// Another message under a known id.
	other := envelope(mk, "MK", time.Now(), "other")
	other.ID = good.ID
	mk.Sign(other)
	// Tampered: one byte of the ciphertext changed.
	tampered := envelope(mk, "MK", time.Now(), "tampered")
	tampered.Body[len(tampered.Body)/2] ^= 1
	attacker, _ := exchange.NewKeySet()
	for _, c := range []struct {
		name, want string
		b          []byte
	}{
		{"replay", exchange.ReasonReplayed, old.Marshal()},
		{"another message under a known id", exchange.ReasonReplayed, other.Marshal()},
		{"tampered body", exchange.ReasonBadSignature, tampered.Marshal()},
		{"unregistered key", exchange.ReasonUnknownKey, envelope(attacker, "MK", time.Now(), "forged").Marshal()},
		{"unknown sender", exchange.ReasonUnknownSender, envelope(attacker, "RS", time.Now(), "forged").Marshal()},
		{"clock skewed", exchange.ReasonClockSkew, envelope(mk, "MK", time.Now().Add(10*time.Minute), "skewed").Marshal()},
		{"not an envelope", exchange.ReasonMalformed, []byte(`{"v":1,"id":"x"}`)},
	} {
		if st, code, body := post(c.b); code != c.want || st < 400 {
			t.Errorf("%s: %d %s, want %s", c.name, st, body, c.want)
		}
	}
	in := me.inbox()
	if in[good.ID] != 1 {
		t.Errorf("the genuine message is in the inbox %d times", in[good.ID])
	}
	for id := range in {
		if strings.HasPrefix(id, "forgedenvelope") && id != good.ID {
			t.Errorf("a refused envelope is in the inbox: %s", id)
		}
	}
}

// personCLKs encodes persons (given, family, birth date, sex, citizenship)
// as CLKs, as the asking contact point does with the shared secret.
func personCLKs(t *testing.T, schemaPath, secretPath string, persons [][5]string) []string {
	t.Helper()
	sb, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	schema, err := linkage.ParseSchema(sb)
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := os.ReadFile(secretPath)
	enc, err := linkage.NewEncoder(schema, []byte(strings.TrimRight(string(secret), "\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	enc.NormalizeText = true
	var out []string
	for i, p := range persons {
		c := enc.Encode(fmt.Sprint(i), func(f string) string {
			switch f {
			case "given_name":
				return p[0]
			case "family_name":
				return p[1]
			case "birth_date":
				return p[2]
			case "sex":
				return p[3]
			case "citizenship":
				return p[4]
			}
			return ""
		})
		out = append(out, base64.StdEncoding.EncodeToString(c.Bits))
	}
	return out
}
