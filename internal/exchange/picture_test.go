package exchange_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/disclosure"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/exchange"
	"github.com/ura-nrm/ura/internal/store"
)

// TestRegionalPicture: Kosovo's contact point sends its protected table of
// the year to Albania. The exchange asks the statistics (never the cases),
// which suppress the counts under the threshold before anything is sent;
// Albania keeps the table in its regional picture with the protection
// stated, Kosovo its own copy. A table sent through the API or the form is
// refused, and a table showing a count under its threshold is refused by
// the receiving inbox.
func TestRegionalPicture(t *testing.T) {
	ctx := context.Background()
	xk, al := newInstance(t, "XK"), newInstance(t, "AL")
	pair(t, xk, al)
	coord := access.Actor{UserID: "u1", OrgID: "o1", Role: access.Coordinator}
	year := xk.clk.Now().Year()
	police := policeOf(t, xk)
	open := func(n int, citizenship, form string) {
		for i := range n {
			if _, err := xk.app.Cases.Open(ctx, police, cases.Input{Person: cases.Person{GivenName: fmt.Sprintf("P%s%d", form, i),
				FamilyName: "Test", Sex: "female", Citizenship: citizenship}, Exploitation: []string{form}, ExploitationCountry: "XK",
				ConfirmDuplicate: true}); err != nil {
				t.Fatal(err)
			}
		}
	}
	open(11, "AL", "SexualExploitation")
	open(2, "ME", "ForcedMarriage")
	open(1, "ME", "ForcedBegging")
	// The cases were identified (the identification procedure is tested
	// with the case file).
	if err := xk.app.DB.InTx(ctx, xk.clk.Now(), func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE cases SET victim_status = 'identified'`)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	if _, err := xk.x.Send(ctx, coord, exchange.SendRequest{To: "AL", Type: exchange.PictureType,
		Body: json.RawMessage(`{"year":2026,"protection":"suppression","k":10,"rows":[]}`)}); !errs.Is(err, errs.Invalid) {
		t.Fatalf("a regional table sent like any message: %v", err)
	}
	if _, err := xk.x.SendPicture(ctx, coord, year, disclosure.None); err == nil {
		t.Fatal("a raw regional table was sent")
	}
	ids, err := xk.x.SendPicture(ctx, coord, year, disclosure.Suppress)
	if err != nil || len(ids) != 1 {
		t.Fatalf("send picture: %v %v", ids, err)
	}
	if n, err := xk.x.Deliver(ctx); err != nil || n != 1 {
		t.Fatalf("deliver: %d %v", n, err)
	}
	got, err := al.x.Get(ctx, coord, ids[0])
	if err != nil || got.Type != exchange.PictureType || got.Body["protection"] != "suppression" {
		t.Fatalf("Albania received %+v %v", got, err)
	}
	b, _ := json.Marshal(got.Body)
	for _, side := range []*instance{al, xk} {
		pics, years, err := side.x.Pictures(ctx, coord, year)
		if err != nil || len(pics) != 1 || pics[0].Country != "XK" || len(years) != 1 || years[0] != year {
			t.Fatalf("pictures: %+v %v %v", pics, years, err)
		}
		p := pics[0].Picture
		if p.Method != disclosure.Suppress || p.K != 10 || pics[0].Own != (side == xk) {
			t.Errorf("picture %+v", pics[0])
		}
		var shown, suppressed int
		for _, c := range p.Cells {
			switch {
			case c.Suppressed:
				suppressed++
			case c.Citizenship == "ME":
				t.Errorf("a Montenegrin cell of one or two children is shown: %+v", c)
			case c.Count < 10:
				t.Errorf("a count under the threshold left: %+v", c)
			default:
				shown += c.Count
			}
		}
		if suppressed < 2 || len(p.Cells) != 3 || shown+suppressed == 0 {
			t.Errorf("%d cells, %d suppressed: %s", len(p.Cells), suppressed, b)
		}
	}

	// A table that shows a count under its threshold never enters.
	bad := fmt.Sprintf(`{"year":%d,"protection":"suppression","k":10,"rows":[{"citizenship":"ME","form":"ForcedMarriage","country_of_exploitation":"XK","count":2}]}`, year)
	id, err := exchange.SendPictureBody(ctx, xk.x, "AL", json.RawMessage(bad))
	if err != nil {
		t.Fatal(err)
	}
	xk.x.Deliver(ctx)
	if m, _ := xk.x.Get(ctx, coord, id); m.State != exchange.StateRejected || m.Reason == "" {
		t.Errorf("a table with a count of 2 was taken: %+v", m)
	}
	if pics, _, _ := al.x.Pictures(ctx, coord, year); len(pics) != 1 || pics[0].MessageID != ids[0] {
		t.Errorf("Albania's picture changed: %+v", pics)
	}
	if _, _, err := al.x.Pictures(ctx, access.Actor{UserID: "u3", Role: access.Police}, year); err == nil {
		t.Error("the police read the regional picture")
	}
}

// policeOf makes a police officer of a THB unit in the instance.
func policeOf(t *testing.T, in *instance) access.Actor {
	ctx := context.Background()
	org, err := in.app.Auth.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Police THB Unit", Type: "police"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := in.app.Auth.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: "police@" + in.x.Country + ".invalid", Name: "Police Officer",
		Role: access.Police, OrgID: org.ID, Password: "picture test passphrase 1"})
	if err != nil {
		t.Fatal(err)
	}
	return access.Actor{UserID: u.ID, OrgID: org.ID, Role: access.Police}
}
