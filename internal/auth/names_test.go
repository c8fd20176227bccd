package auth_test

import (
	"context"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// The history and the audit view name people as far as the viewer may see
// them: colleagues and auditors see the name, others the role and the
// organisation only.
func TestUserLabelsAndOrgNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		officer := f.mustUser(t, "officer@police.example", access.Police)
		auditor := f.mustUser(t, "auditor@ura.example", access.Auditor)
		shelterOrg, err := f.svc.CreateOrg(ctx, access.SystemActor, auth.OrgInput{Name: "Shelter Drita", Type: "shelter"})
		if err != nil {
			t.Fatal(err)
		}
		worker, err := f.svc.CreateUser(ctx, access.SystemActor, auth.UserInput{Email: "w@shelter.example", Name: "Besa Hoxha",
			Role: access.Shelter, OrgID: shelterOrg.ID, Password: goodPassword})
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{officer.ID, worker.ID, "nosuchuser", officer.ID, ""}

		got, err := f.svc.UserLabels(ctx, officer.Actor(), ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("labels = %+v, want the two existing users", got)
		}
		if l := got[officer.ID]; l.Name != "Arta Krasniqi" || l.Role != access.Police || l.OrgName != f.police.Name {
			t.Errorf("own colleague = %+v, want the name", l)
		}
		if l := got[worker.ID]; l.Name != "" || l.Role != access.Shelter || l.OrgName != "Shelter Drita" {
			t.Errorf("user of another organisation = %+v, want role and organisation without the name", l)
		}

		got, err = f.svc.UserLabels(ctx, auditor.Actor(), ids)
		if err != nil {
			t.Fatal(err)
		}
		if got[worker.ID].Name != "Besa Hoxha" {
			t.Errorf("auditor sees %+v, want the name", got[worker.ID])
		}

		names, err := f.svc.OrgNames(ctx, officer.Actor(), []string{shelterOrg.ID, f.police.ID, "nosuchorg"})
		if err != nil {
			t.Fatal(err)
		}
		if len(names) != 2 || names[shelterOrg.ID] != "Shelter Drita" || names[f.police.ID] != f.police.Name {
			t.Errorf("OrgNames = %v", names)
		}
		if names, _ := f.svc.OrgNames(ctx, access.Actor{UserID: "x", OrgID: "y", Role: access.Analyst}, []string{shelterOrg.ID}); len(names) != 0 {
			t.Errorf("analyst without the organisation list got %v", names)
		}

		choices, err := f.svc.UserChoices(ctx, auditor.Actor())
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range choices {
			if c.ID == worker.ID && c.Name == "Besa Hoxha" && c.OrgName == "Shelter Drita" {
				found = true
			}
		}
		if !found {
			t.Errorf("UserChoices = %+v, want the shelter worker by name", choices)
		}
		if _, err := f.svc.UserChoices(ctx, officer.Actor()); err == nil {
			t.Error("a police officer listed every account")
		}
	})
}
