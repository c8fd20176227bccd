package referral

import (
	"context"
	"sort"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Proposal is one service considered for a case: whether it fits and why.
type Proposal struct {
	Service *Offering `json:"service"`
	Fits    bool      `json:"fits"`
	Reasons []Reason  `json:"reasons"`
	Score   int       `json:"score"`
}

// PlacementQuery narrows a proposal: the needs and languages the worker
// names (the case file holds neither in clear), a service type, and how
// many proposals to return (fitting ones first; default 50).
type PlacementQuery struct {
	Needs     []string
	Languages []string
	Type      string
	Limit     int
}

// Propose lists the services that fit a case, best first, then those that
// do not, each with its reasons. The actor must be allowed to refer the case.
func (s *Service) Propose(ctx context.Context, actor access.Actor, caseID string, q PlacementQuery) ([]*Proposal, error) {
	if err := access.Check(actor, access.ReferralCreate); err != nil {
		return nil, err
	}
	ref, err := s.Cases.Authorize(ctx, s.DB.Read(), actor, caseID, access.ReferralCreate)
	if err != nil {
		return nil, err
	}
	p, err := s.profile(ctx, ref, q.Needs, q.Languages)
	if err != nil {
		return nil, err
	}
	return s.propose(ctx, s.DB.Read(), p, q)
}

// profile reads the statistical fields of a case through the case file's
// own list (no personal value, no decryption) and adds the worker's needs
// and languages.
func (s *Service) profile(ctx context.Context, ref *cases.Ref, needs, langs []string) (*Profile, error) {
	list, _, err := s.Cases.FindCases(ctx, access.SystemActor, cases.CaseFilter{Reference: &ref.Reference, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(list) != 1 {
		return nil, errs.E(errs.NotFound, "case.not_found")
	}
	c := list[0]
	p := &Profile{CaseID: ref.ID, Reference: ref.Reference, IsChild: ref.IsChild, AgeBand: c.AgeBand, Sex: c.Sex,
		Citizenship: c.Citizenship, RiskLevel: c.RiskLevel}
	for _, n := range needs {
		n = strings.TrimSpace(n)
		if _, ok := needTypes[n]; !ok {
			return nil, errs.InvalidField("needs", "validation.invalid_choice")
		}
		p.Needs = append(p.Needs, n)
	}
	for _, l := range langs {
		l = strings.ToLower(strings.TrimSpace(l))
		if !langRE.MatchString(l) {
			return nil, errs.InvalidField("languages", "validation.invalid")
		}
		p.Languages = append(p.Languages, l)
	}
	return p, nil
}

// propose evaluates the directory for a profile: the cached directory
// (directory.go) with live occupancy, filtered by type or needs, the rules
// run in memory.
func (s *Service) propose(ctx context.Context, q store.Querier, p *Profile, pq PlacementQuery) ([]*Proposal, error) {
	if pq.Type != "" && !contains(Types, pq.Type) {
		return nil, errs.InvalidField("type", "validation.invalid_choice")
	}
	dir, err := s.directory(ctx, q)
	if err != nil {
		return nil, err
	}
	day := s.Clock.Now().UTC().Format("2006-01-02")
	var out []*Proposal
	for i := range dir {
		o := &dir[i]
		switch {
		case pq.Type != "" && o.Type != pq.Type:
			continue
		case pq.Type == "" && len(p.Needs) > 0 && neededBy(p.Needs, o.Type) == "":
			continue // only services that answer a named need are considered at all
		}
		fits, reasons, score := Evaluate(p, o, day)
		out = append(out, &Proposal{Service: o, Fits: fits, Reasons: reasons, Score: score})
	}
	Rank(out)
	limit := pq.Limit
	if limit <= 0 || limit > MaxLimit {
		limit = 50
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Rank orders proposals: fitting first, then by score, free beds, name.
func Rank(ps []*Proposal) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		switch {
		case a.Fits != b.Fits:
			return a.Fits
		case a.Score != b.Score:
			return a.Score > b.Score
		case a.Service.BedsFree() != b.Service.BedsFree():
			return a.Service.BedsFree() > b.Service.BedsFree()
		case a.Service.Name != b.Service.Name:
			return a.Service.Name < b.Service.Name
		}
		return a.Service.ID < b.Service.ID
	})
}
