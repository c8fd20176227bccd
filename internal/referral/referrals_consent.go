package referral

import (
	"context"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// consentTypes maps a directory type to the consent ledger's service
// target (consent.ServiceTypes), so a grant "to accommodation" covers a
// referral to any shelter.
var consentTypes = map[string]string{
	TypeTHBShelter: "accommodation", TypeDVShelter: "accommodation", TypeChildShelter: "accommodation",
	TypeSecureFacility: "accommodation", "housing": "accommodation", "medical": "medical",
	"psychological": "psychological", "legal_aid": "legal_aid", "victim_advocacy": "legal_aid",
	"interpretation": "interpretation", "education": "education", "vocational_training": "vocational_training",
	"reintegration": "social_care", "social_work": "social_care",
}

// reasonRank orders the ledger's refusals from the least to the most
// specific: a grant to the service that lacks only the consent to
// processing personal data says so, rather than "no consent" for the
// organisation checked first.
var reasonRank = map[string]int{
	consent.ReasonNoConsent: 1, consent.ReasonWithdrawn: 2, consent.ReasonNoProcessing: 3,
	consent.ReasonGuardianRequired: 4, consent.ReasonChildObjects: 5,
}

// consentFor answers which consent the referral relies on: a grant to the
// receiving organisation, or to the service type; failing both, an
// emergency referral overrides (consent.Override checks who may, and that
// the reason is long enough) and anything else is refused.
func (s *Service) consentFor(ctx context.Context, tx *store.Tx, actor access.Actor, caseID string, o *Offering, in ReferralInput) (basis, entry string, err error) {
	shares := []consent.Share{{Kind: consent.ScopeOrganisation, Target: o.OrgID}}
	if t := consentTypes[o.Type]; t != "" {
		shares = append(shares, consent.Share{Kind: consent.ScopeService, Target: t})
	}
	why := ""
	for _, sh := range shares {
		d, err := s.Consent.Check(ctx, tx, caseID, sh)
		if err != nil {
			return "", "", err
		}
		if d.Allowed {
			return consent.ReasonConsented, d.EntryID, nil
		}
		if reasonRank[d.Reason] > reasonRank[why] {
			why = d.Reason
		}
	}
	if in.Urgency != UrgencyEmergency {
		// One key per reason, so the message says what to record; no code
		// is inserted into the sentence.
		if reasonRank[why] == 0 {
			why = consent.ReasonNoConsent
		}
		return "", "", errs.E(errs.Conflict, "referral.no_consent."+why)
	}
	d, err := s.Consent.Override(ctx, tx, actor, caseID, shares[0], in.Reason)
	if err != nil {
		if errs.Is(err, errs.Forbidden) || errs.Is(err, errs.NotFound) {
			return "", "", errs.E(errs.Conflict, "referral.no_consent_override")
		}
		return "", "", err
	}
	return consent.ReasonOverride, d.EntryID, nil
}

// informSocialWork tells the Centre(s) for Social Work on a child's case
// team about a referral of the child (DOMAIN §3.2, SOP 2), unless the
// centre is itself the sender or the receiver. It reads the case team's
// organisations of type social_work: ids only, no case content.
func (s *Service) informSocialWork(ctx context.Context, tx *store.Tx, actor access.Actor, r *Referral, kind string) error {
	orgs, err := cases.TeamOrgsOfType(ctx, tx, r.CaseID, "social_work")
	if err != nil {
		return err
	}
	informed := "none"
	for _, org := range orgs {
		if org == r.FromOrg || org == r.ToOrg {
			informed = org
			continue
		}
		if err := s.notify(ctx, tx, Notification{OrgID: org, Kind: kind, ObjectID: r.ID, CaseRef: r.CaseRef}); err != nil {
			return err
		}
		informed = org
	}
	return timeline(ctx, tx, actor, r.CaseID, "referrals", r.ID, "csw_informed;v=2;org="+informed)
}
