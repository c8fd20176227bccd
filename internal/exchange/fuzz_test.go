package exchange_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/exchange"
)

// sample returns a genuine signed envelope and a receipt for it.
func sample(tb testing.TB) (*exchange.KeySet, *exchange.KeySet, []byte, []byte) {
	sender, err := exchange.NewKeySet()
	if err != nil {
		tb.Fatal(err)
	}
	recipient, err := exchange.NewKeySet()
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	e := &exchange.Envelope{V: 1, ID: "abcdefghijkmnpqrstuvwxyz23", From: "XK", To: "ME", Type: "note", Schema: 1,
		CreatedAt: now.Format(time.RFC3339), ExpiresAt: now.Add(time.Hour).Format(time.RFC3339), SentAt: now.Format(time.RFC3339)}
	if err := sender.Seal(e, "XK", recipient.Identity("ME", "http://me.invalid"), []byte(`{"text":"hello"}`)); err != nil {
		tb.Fatal(err)
	}
	r := recipient.Receipt(e, "ME", now)
	return sender, recipient, e.Marshal(), r.Marshal()
}

// FuzzParseEnvelope: any input either parses into an envelope that
// re-encodes and re-parses to the same signed bytes, or is refused; a
// mutated genuine envelope never verifies unless its signed bytes are
// unchanged.
func FuzzParseEnvelope(f *testing.F) {
	sender, _, env, _ := sample(f)
	signPub := sender.SignPub
	f.Add(env)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"v":1}`))
	f.Add(bytes.Replace(env, []byte(`"v":1`), []byte(`"v":2`), 1))
	f.Add(append(append([]byte{}, env...), '{', '}'))
	genuine, _ := exchange.ParseEnvelope(env)
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := exchange.ParseEnvelope(b)
		if err != nil {
			if e != nil {
				t.Fatal("an error with an envelope")
			}
			return
		}
		again, err := exchange.ParseEnvelope(e.Marshal())
		if err != nil || !bytes.Equal(again.SignedBytes(), e.SignedBytes()) || !bytes.Equal(again.Sig, e.Sig) {
			t.Fatalf("re-encoding changed the envelope: %v", err)
		}
		if e.Verify(signPub) && !bytes.Equal(e.SignedBytes(), genuine.SignedBytes()) {
			t.Fatal("a changed envelope verifies")
		}
	})
}

// FuzzParseReceipt: any input parses into a receipt that re-encodes to the
// same thing, or is refused; only the genuine receipt's content verifies.
func FuzzParseReceipt(f *testing.F) {
	_, recipient, _, rcp := sample(f)
	f.Add(rcp)
	f.Add([]byte(`{"v":1,"message_id":"abc"}`))
	f.Add(bytes.Replace(rcp, []byte(`"from":"ME"`), []byte(`"from":"AL"`), 1))
	genuine, err := exchange.ParseReceipt(rcp)
	if err != nil || !genuine.Verify(recipient.SignPub) {
		f.Fatalf("the genuine receipt: %v", err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := exchange.ParseReceipt(b)
		if err != nil {
			return
		}
		again, err := exchange.ParseReceipt(r.Marshal())
		if err != nil || !bytes.Equal(again.Marshal(), r.Marshal()) {
			t.Fatalf("re-encoding changed the receipt: %v", err)
		}
		if r.Verify(recipient.SignPub) && (r.MessageID != genuine.MessageID || r.From != genuine.From || r.To != genuine.To ||
			r.ReceivedAt != genuine.ReceivedAt || r.EnvelopeSHA256 != genuine.EnvelopeSHA256 || r.Key != genuine.Key) {
			t.Fatal("a changed receipt verifies")
		}
	})
}

// FuzzValidateBody: the schema validator never panics and what it accepts
// holds no member outside the schema.
func FuzzValidateBody(f *testing.F) {
	f.Add("notification", []byte(`{"sex":"female","citizenship":"ME","child":true,"status":"identified","urgency":"urgent"}`))
	f.Add("person_query", []byte(`{"persons":[{"ref":"a","clk":"AAAA"}]}`))
	f.Add("monitoring_report", []byte(`{"months":3.5,"risk_level":"low","situation":"stable"}`))
	f.Fuzz(func(t *testing.T, typ string, b []byte) {
		mt, ok := exchange.Types[typ]
		if !ok {
			return
		}
		v, err := mt.Validate(b)
		if err != nil {
			return
		}
		known := map[string]bool{}
		for _, fl := range mt.Fields {
			known[fl.Name] = true
		}
		for k := range v {
			if !known[k] {
				t.Fatalf("accepted member %q outside the schema", k)
			}
		}
	})
}
