package exchange_test

import (
	"context"
	"encoding/base64"
	"os"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/exchange"
)

// TestPersonQueryFromACase: Kosovo's contact point asks Montenegro about
// the person of a Kosovo case. Only the encoding made with the secret the
// two agreed is sent; Montenegro, which holds the person, answers with one
// candidate, its score and its cross-border reference. Without a secret
// for the partner nothing is made.
func TestPersonQueryFromACase(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	xk, me := newInstance(t, "XK"), newInstance(t, "ME")
	pair(t, xk, me)
	coord := access.Actor{UserID: "u1", OrgID: "o1", Role: access.Coordinator}
	jelena := cases.Person{GivenName: "Jelena", FamilyName: "Popović", BirthDate: "2013-04-02", Sex: "female", Citizenship: "ME"}
	reg := func(in *instance, p cases.Person) string {
		r, err := in.app.Cases.Open(ctx, policeOf(t, in), cases.Input{Person: p, ConfirmDuplicate: true})
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	caseID := reg(xk, jelena)
	reg(me, cases.Person{GivenName: "Jelena", FamilyName: "Popovic", BirthDate: "2013-04-02", Sex: "female", Citizenship: "ME"})

	if _, err := xk.x.PlanPersonQuery(ctx, coord, "ME", caseID, &jelena); err == nil {
		t.Fatal("a query was made without the agreed secret")
	}
	schema, err := os.ReadFile("../linkage/testdata/ura-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("XK and ME agreed this secret on 1 Dec 2026")
	if err := xk.x.SetLinkage(ctx, admin, "ME", schema, secret); err != nil {
		t.Fatal(err)
	}
	if err := me.x.SetLinkage(ctx, admin, "XK", schema, secret); err != nil {
		t.Fatal(err)
	}
	q, err := xk.x.PlanPersonQuery(ctx, coord, "ME", caseID, &jelena)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := base64.StdEncoding.DecodeString(q.CLK); err != nil || len(b)*8 != q.Bits || q.CaseRef == "" {
		t.Fatalf("query %+v: %v", q, err)
	}
	id, err := xk.x.SendPersonQuery(ctx, coord, q)
	if err != nil {
		t.Fatal(err)
	}
	sent, _ := xk.x.Get(ctx, coord, id)
	persons, _ := sent.Body["persons"].([]any)
	if len(sent.Body) != 1 || len(persons) != 1 || len(persons[0].(map[string]any)) != 2 {
		t.Fatalf("more than the encoding was sent: %v", sent.Body)
	}
	if a, err := xk.x.AnswerTo(ctx, coord, id); err != nil || a != nil {
		t.Fatalf("an answer before any: %v %v", a, err)
	}
	xk.x.Deliver(ctx)
	go me.x.Run(ctx)
	deadline := time.Now().Add(20 * time.Second)
	for {
		a, err := xk.x.AnswerTo(ctx, coord, id)
		if err != nil {
			t.Fatal(err)
		}
		if a != nil {
			cands, _ := a.Body["candidates"].([]any)
			if len(cands) != 1 {
				t.Fatalf("candidates %v", a.Body)
			}
			c := cands[0].(map[string]any)
			if c["ref"] != exchange.PersonQueryRef || c["xref"] == "" || c["score"] == nil {
				t.Errorf("candidate %v", c)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no answer from Montenegro")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
