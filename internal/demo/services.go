package demo

import (
	"context"
	"fmt"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/referral"
)

// The demo's service directory: the places a referral can go. The secure
// facility has an operator of its own (not the police: an officer refers
// people there, and the referral mechanism refuses a referral to one's own
// organisation). Two organisations run a trafficking shelter each, so that
// when one declines a referral the next fitting one can be proposed.

// serviceOrgs are the providers that exist only for the directory; they have
// no demo account.
var serviceOrgs = []demoOrg{
	{"Demo Interim Security Facility Administration", "Prishtinë", "shelter"},
	{"Demo Women's Shelter Shpresa", "Gjilan", "shelter"},
}

type demoService struct {
	org  string // the providing organisation's name
	in   referral.ServiceInput
	beds int
}

func ptr[T any](v T) *T { return &v }

var demoServices = []demoService{
	{org: "Demo Interim Security Facility Administration", beds: 40, in: referral.ServiceInput{
		Name: "Demo Interim Security Facility", Type: referral.TypeSecureFacility, Municipality: "Prishtinë",
		Description: "Secure accommodation for victims at high risk, guarded around the clock.", Hours: "24/7",
		Eligibility: &referral.Eligibility{AgeMin: ptr(18)}}},
	{org: "Demo Shelter Drita", beds: 12, in: referral.ServiceInput{
		Name: "Demo Shelter Drita", Type: referral.TypeTHBShelter, Municipality: "Prishtinë",
		Hours: "24/7", Eligibility: &referral.Eligibility{AgeMin: ptr(18), Languages: []string{"sq", "sr", "en"}},
		Description: "Shelter specialised in victims of trafficking: accommodation, counselling, reintegration."}},
	{org: "Demo Women's Shelter Shpresa", beds: 10, in: referral.ServiceInput{
		Name: "Demo DV Shelter Shpresa", Type: referral.TypeDVShelter, Municipality: "Gjilan",
		Hours: "24/7", Eligibility: &referral.Eligibility{Sex: "female", AgeMin: ptr(18), RiskMax: "low", Languages: []string{"sq"}},
		Description: "Shelter for women survivors of domestic violence; takes victims of trafficking at low risk."}},
	{org: "Demo Women's Shelter Shpresa", beds: 6, in: referral.ServiceInput{
		Name: "Demo Transit House Shpresa", Type: referral.TypeTHBShelter, Municipality: "Gjilan",
		Description: "Small trafficking shelter for first placements.", Hours: "24/7",
		Eligibility: &referral.Eligibility{AgeMin: ptr(18), Languages: []string{"sq"}}}},
	{org: "Demo NGO Ura e Re", beds: 8, in: referral.ServiceInput{
		Name: "Demo Children's House Ura e Re", Type: referral.TypeChildShelter, Municipality: "Pejë",
		Description: "Residential care for children, with a guardian and the Centre for Social Work.", Hours: "24/7",
		Eligibility: &referral.Eligibility{AgeMin: ptr(0), AgeMax: ptr(17)}}},
	{org: "Demo NGO Ura e Re", in: referral.ServiceInput{
		Name: "Demo Counselling Ura e Re", Type: "psychological", Municipality: "Pejë", Address: "Rruga e Demos 1, Pejë",
		Description: "Individual and group psychological counselling.", Hours: "Mon–Fri 08:00–16:00",
		Eligibility: &referral.Eligibility{Languages: []string{"sq", "sr"}}}},
	{org: "Demo NGO Ura e Re", in: referral.ServiceInput{
		Name: "Demo Legal Aid Ura e Re", Type: "legal_aid", Municipality: "Pejë", Address: "Rruga e Demos 1, Pejë",
		Description: "Free legal aid and representation in criminal and civil proceedings.", Hours: "Mon–Fri 08:00–16:00"}},
}

// loadServices creates the directory's organisations and services that are
// missing; a second start finds them by name and leaves them as they are.
func loadServices(ctx context.Context, a *app.App) error {
	if a.Referral == nil {
		return nil
	}
	sys := access.SystemActor
	ids := map[string]string{}
	for _, o := range append(append([]demoOrg(nil), orgs...), serviceOrgs...) {
		found, err := a.Auth.FindOrgByName(ctx, sys, o.name)
		if errs.Is(err, errs.NotFound) {
			found, err = a.Auth.CreateOrg(ctx, sys, auth.OrgInput{Name: o.name, Type: o.typ, Municipality: o.municipality})
		}
		if err != nil {
			return fmt.Errorf("demo organisation: %w", err)
		}
		ids[o.name] = found.ID
	}
	for _, ds := range demoServices {
		orgID := ids[ds.org]
		name := ds.in.Name
		list, _, err := a.Referral.FindServices(ctx, sys, referral.ServiceFilter{OrgID: &orgID, Query: &name})
		if err != nil {
			return fmt.Errorf("demo service: %w", err)
		}
		exists := false
		for _, s := range list {
			exists = exists || s.Name == name
		}
		if exists {
			continue
		}
		in := ds.in
		in.Organisation = orgID
		if ds.beds > 0 {
			in.BedsTotal = ptr(ds.beds)
		}
		if in.Eligibility != nil {
			e := *in.Eligibility
			e.Languages = append([]string(nil), e.Languages...)
			in.Eligibility = &e
		}
		if _, err := a.Referral.CreateService(ctx, sys, in); err != nil {
			return fmt.Errorf("demo service %s: %w", name, err)
		}
	}
	return nil
}
