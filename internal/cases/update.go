package cases

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// UpdateInput changes a case. Nil fields are left as they are; Version is
// the version the user saw (a stale one is refused with ErrStale).
type UpdateInput struct {
	Version             int       `json:"version"`
	RiskLevel           *string   `json:"risk_level,omitempty"`
	Proceedings         *string   `json:"proceedings,omitempty"`
	Municipality        *string   `json:"municipality,omitempty"`
	ExploitationCountry *string   `json:"exploitation_country,omitempty"`
	Exploitation        *[]string `json:"exploitation,omitempty"`
	Control             *[]string `json:"means_of_control,omitempty"`
	Recruitment         *[]string `json:"recruitment,omitempty"`
	Details             *Details  `json:"details,omitempty"`
	Person              *Person   `json:"person,omitempty"`
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// Update changes the facts of a case. Changing the person needs
// case.view_personal and changing the details case.view_details as well as
// case.edit: nobody overwrites what they may not read. A changed birth date
// or age dispute re-applies the child rule as of the opening.
func (s *Service) Update(ctx context.Context, actor access.Actor, caseID string, in UpdateInput) error {
	if err := access.Check(actor, access.CaseEdit); err != nil {
		return err
	}
	now := s.now()
	if in.ExploitationCountry != nil {
		*in.ExploitationCountry = strings.ToUpper(strings.TrimSpace(*in.ExploitationCountry))
	}
	if in.Municipality != nil {
		*in.Municipality = strings.TrimSpace(*in.Municipality)
	}
	if err := validateFacts(deref(in.Exploitation, nil), deref(in.Control, nil), deref(in.Recruitment, nil),
		deref(in.ExploitationCountry, ""), deref(in.Municipality, ""), deref(in.RiskLevel, "")); err != nil {
		return err
	}
	if in.Proceedings != nil && !inList(Proceedings, *in.Proceedings) {
		return errs.InvalidField("proceedings", "case.proceedings_invalid")
	}
	if in.Details != nil {
		if err := in.Details.validate(now); err != nil {
			return err
		}
	}
	if in.Person != nil {
		if err := in.Person.validate(now); err != nil {
			return err
		}
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		ref, err := s.lockForChange(ctx, tx, actor, caseID, access.CaseEdit, in.Version)
		if err != nil {
			return err
		}
		before, err := readStatKey(ctx, tx, ref.ID)
		if err != nil {
			return err
		}
		var changed []string
		set := []string{"updated_at = $2", "version = version + 1"}
		a := []any{ref.ID, store.T(tx.Now)}
		col := func(name string, v any) {
			a = append(a, v)
			set = append(set, name+" = $"+itoa(len(a)))
			changed = append(changed, name)
		}
		if in.RiskLevel != nil {
			col("risk_level", *in.RiskLevel)
		}
		if in.Proceedings != nil {
			col("proceedings", *in.Proceedings)
		}
		if in.Municipality != nil {
			col("municipality", *in.Municipality)
		}
		if in.ExploitationCountry != nil {
			col("exploitation_country", *in.ExploitationCountry)
		}
		if in.Details != nil {
			if _, err := s.Authorize(ctx, tx, actor, ref.ID, access.CaseViewDetails); err != nil {
				return err
			}
			enc, err := s.sealDetails(ctx, tx, ref.KeyID, ref.ID, in.Details)
			if err != nil {
				return err
			}
			col("details_enc", enc)
		}
		if in.Person != nil {
			child, band, err := s.updatePerson(ctx, tx, actor, ref, in.Person)
			if err != nil {
				return err
			}
			col("is_child", store.Bool(child))
			col("age_disputed", store.Bool(in.Person.AgeDisputed))
			col("sex", in.Person.Sex)
			col("citizenship", in.Person.Citizenship)
			col("age_band", band)
			changed = append(changed[:len(changed)-5], "person")
			if child != ref.IsChild {
				next := *ref
				next.IsChild = child
				if err := s.runHooks(ctx, tx, Change{Ref: next, From: ref.Stage, To: ref.Stage, Actor: actor}); err != nil {
					return err
				}
			}
		}
		codes := map[string][]string{}
		for f, v := range map[string]*[]string{FieldExploitation: in.Exploitation, FieldControl: in.Control, FieldRecruitment: in.Recruitment} {
			if v != nil {
				codes[f] = *v
				changed = append(changed, f)
			}
		}
		if err := writeCodes(ctx, tx, ref.ID, codes); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET `+strings.Join(set, ", ")+` WHERE id = $1`, a...); err != nil {
			return errs.Internalf("update case: %w", err)
		}
		detail := "fields=" + strings.Join(changed, ";")
		if err := AppendTimeline(ctx, tx, timelineEntry(actor, ref.ID, "update", "updated;v=2;fields="+strings.Join(changed, "/"))); err != nil {
			return err
		}
		if err := record(ctx, tx, actor, "case.update", ref.Reference, detail); err != nil {
			return err
		}
		return moveStat(ctx, tx, ref.ID, before)
	})
}

// updatePerson re-seals the person and rebuilds the blind indexes; it
// returns the child flag and the age band as of the case's opening.
func (s *Service) updatePerson(ctx context.Context, tx *store.Tx, actor access.Actor, ref *Ref, p *Person) (bool, string, error) {
	if _, err := s.Authorize(ctx, tx, actor, ref.ID, access.CaseViewPersonal); err != nil {
		return false, "", err
	}
	var personID, keyID string
	var opened store.Time
	if err := tx.QueryRowContext(ctx, `SELECT p.id, p.key_id, c.created_at FROM cases c JOIN persons p ON p.id = c.person_id
		WHERE c.id = $1`, ref.ID).Scan(&personID, &keyID, &opened); err != nil {
		return false, "", errs.Internalf("read person: %w", err)
	}
	child := IsChild(p.BirthDate, p.BirthDateEstimated, p.AgeDisputed, opened.Time)
	band := AgeBand(p.BirthDate, p.BirthDateEstimated, opened.Time)
	b, err := json.Marshal(p)
	if err != nil {
		return false, "", errs.Internalf("person json: %w", err)
	}
	enc, err := s.Vault.Seal(ctx, tx, keyID, vault.AAD{Table: "persons", Row: personID, Field: "data"}, b)
	clear(b)
	if err != nil {
		return false, "", errs.Internalf("seal person: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE persons SET data_enc = $2, sex = $3, age_band = $4, citizenship = $5,
		is_child = $6, updated_at = $7 WHERE id = $1`, personID, enc, p.Sex, band,
		p.Citizenship, store.Bool(child), store.T(tx.Now)); err != nil {
		return false, "", errs.Internalf("update person: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM person_index WHERE person_id = $1`, personID); err != nil {
		return false, "", errs.Internalf("reindex person: %w", err)
	}
	return child, band, s.writeIndex(ctx, tx, personID, p.indexEntries())
}
