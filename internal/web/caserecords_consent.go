package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/consent"
	"github.com/ura-nrm/ura/internal/errs"
)

var errConsentNotFound = errs.E(errs.NotFound, "consent.not_found")

// consentSection is the ledger and what its forms offer.
type consentSection struct {
	Entries     []consentRow
	CanRecord   bool
	Scopes      []consent.Scope
	Services    []string
	Informed    []string
	ChildViews  []string
	GivenByOpts []string
}

// consentRow is one ledger line ready to show: codes stay codes (the
// template translates them), names are resolved.
type consentRow struct {
	*consent.Entry
	TargetOrg   string // the organisation's name, for an organisation grant
	InformedOf  []string
	RecordedOrg string
	WithdrawnOn time.Time
	CanWithdraw bool
}

// informedItems are the checklist's fields, in the form's order.
var informedItems = []string{"purpose", "data_use", "storage_duration", "access_right", "withdrawal", "research_use"}

func informedOf(in consent.Informed) []string {
	var out []string
	for i, on := range []bool{in.Purpose, in.DataUse, in.StorageDuration, in.AccessRight, in.Withdrawal, in.ResearchUse} {
		if on {
			out = append(out, informedItems[i])
		}
	}
	return out
}

func (s *server) loadConsent(r *http.Request, a access.Actor, c *cases.Case, d *caseRecords) error {
	if s.app.Consent == nil || !mayRead(a, c, access.ConsentRead) {
		return nil
	}
	entries, err := s.app.Consent.List(r.Context(), a, c.ID)
	if err != nil {
		return err
	}
	// A service first after processing: the consent a referral most often needs.
	scopes := []consent.Scope{consent.ScopeDataProcessing, consent.ScopeService}
	for _, sc := range consent.Scopes {
		if sc != consent.ScopeDataProcessing && sc != consent.ScopeService {
			scopes = append(scopes, sc)
		}
	}
	sec := &consentSection{CanRecord: access.Can(a, access.ConsentRecord), Scopes: scopes,
		Services: consent.ServiceTypes, Informed: informedItems,
		ChildViews:  []string{consent.ChildAgrees, consent.ChildObjects, consent.ChildNotExpressed},
		GivenByOpts: []string{consent.ByPerson, consent.ByGuardian}}
	withdrawn := map[string]time.Time{}
	for _, e := range entries {
		if e.Type == consent.TypeWithdrawal {
			withdrawn[e.Withdraws] = e.EffectiveAt
		}
	}
	for _, e := range entries {
		row := consentRow{Entry: e, InformedOf: informedOf(e.Informed), RecordedOrg: d.org(e.RecordedOrg),
			WithdrawnOn: withdrawn[e.ID]}
		if e.Scope == consent.ScopeOrganisation && e.Type == consent.TypeGrant {
			row.TargetOrg = d.org(e.Target)
		}
		row.CanWithdraw = sec.CanRecord && e.Type == consent.TypeGrant && e.WithdrawnBy == "" && row.WithdrawnOn.IsZero()
		sec.Entries = append(sec.Entries, row)
	}
	d.Consent = sec
	return nil
}

// grantFromForm reads the consent form. The recipient has one field per
// kind (organisation, country, service); the scope says which one counts.
func grantFromForm(r *http.Request) consent.GrantInput {
	f := r.PostForm
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	in := consent.GrantInput{Scope: consent.Scope(get("scope")), GivenBy: get("given_by"), ChildView: get("child_view"),
		Language: get("language"), Interpreter: f.Get("interpreter") == "1", EffectiveAt: get("effective_at"),
		Remarks: f.Get("remarks"), WithProcessing: f.Get("with_processing") == "1"}
	switch in.Scope {
	case consent.ScopeOrganisation:
		in.Target = get("target_org")
	case consent.ScopeCountry, consent.ScopeExchange:
		in.Target = get("target_country")
	case consent.ScopeService:
		in.Target = get("target_service")
	}
	on := func(k string) bool { return f.Get("informed_"+k) == "1" }
	in.Informed = consent.Informed{Purpose: on("purpose"), DataUse: on("data_use"), StorageDuration: on("storage_duration"),
		AccessRight: on("access_right"), Withdrawal: on("withdrawal"), ResearchUse: on("research_use")}
	return in
}

func (s *server) handleConsentRecord(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	_, err := s.app.Consent.Record(r.Context(), st.user.Actor(), r.PathValue("id"), grantFromForm(r))
	s.recordResult(w, r, "consent", "consent-ledger", err, "flash.consent_recorded")
}

// handleConsentWithdraw ends a grant. The grant must belong to the case in
// the address; one of another case is not found.
func (s *server) handleConsentWithdraw(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	a := st.user.Actor()
	entries, err := s.app.Consent.List(r.Context(), a, r.PathValue("id"))
	if err == nil {
		err = errConsentNotFound
		for _, e := range entries {
			if e.ID == r.PathValue("entry") {
				err = nil
			}
		}
	}
	if err == nil {
		_, err = s.app.Consent.Withdraw(r.Context(), a, r.PathValue("entry"), consent.WithdrawInput{
			GivenBy: r.PostFormValue("given_by"), EffectiveAt: r.PostFormValue("effective_at"), Remarks: r.PostFormValue("remarks")})
	}
	s.recordResult(w, r, "withdraw", "consent-ledger", err, "flash.consent_withdrawn")
}
