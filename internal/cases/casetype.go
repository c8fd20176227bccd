package cases

import (
	"strconv"

	"context"
	"github.com/ura-nrm/ura/internal/vault"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// The case types: a case is a trafficking case, a domestic or gender-based
// violence case, or both (a trafficking victim with a history of domestic
// violence keeps one file). Everything of the case file serves every type;
// the GBV records (internal/gbv) hang off a GBV case.
const (
	CaseTypeTHB  = "thb"
	CaseTypeGBV  = "gbv"
	CaseTypeBoth = "both"
)

// CaseTypes lists the case types.
var CaseTypes = []string{CaseTypeTHB, CaseTypeGBV, CaseTypeBoth}

func caseTypeOr(t string) string {
	if t == "" {
		return CaseTypeTHB
	}
	return t
}

// IsGBV reports whether a case of type t is a GBV case.
func IsGBV(t string) bool { return t == CaseTypeGBV || t == CaseTypeBoth }

// WithGBV is the type a case of type t becomes when GBV is added to it.
func WithGBV(t string) string {
	if t == CaseTypeTHB {
		return CaseTypeBoth
	}
	return CaseTypeGBV
}

// CaseType reads a case's type, in the caller's transaction or read.
func CaseType(ctx context.Context, q store.Querier, caseID string) (string, error) {
	var t string
	if err := q.QueryRowContext(ctx, `SELECT case_type FROM cases WHERE id = $1`, caseID).Scan(&t); err != nil {
		return "", errs.Internalf("case type: %w", err)
	}
	return t, nil
}

// SetCaseType records a case's type in the caller's transaction (the
// caller has authorized its actor for case.edit or recorded a GBV
// incident). It bumps the version, like every change to the case row.
func SetCaseType(ctx context.Context, tx *store.Tx, caseID, t string) error {
	if !inList(CaseTypes, t) {
		return errs.InvalidField("case_type", "validation.invalid_choice")
	}
	res, err := tx.ExecContext(ctx, `UPDATE cases SET case_type = $1, version = version + 1, updated_at = $2 WHERE id = $3`,
		t, store.T(tx.Now), caseID)
	if err != nil {
		return errs.Internalf("set case type: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.E(errs.NotFound, "case.not_found")
	}
	return nil
}

// SurvivorFacts are the statistical fields of a case that GBV incidents
// are counted by.
type SurvivorFacts struct {
	AgeBand, Sex, Municipality string
	IsChild                    bool
}

// FactsOf reads a case's statistical survivor fields (the caller has
// authorized its actor on the case).
func FactsOf(ctx context.Context, q store.Querier, caseID string) (*SurvivorFacts, error) {
	var f SurvivorFacts
	var child int
	if err := q.QueryRowContext(ctx, `SELECT age_band, sex, municipality, is_child FROM cases WHERE id = $1`, caseID).
		Scan(&f.AgeBand, &f.Sex, &f.Municipality, &child); err != nil {
		return nil, errs.Internalf("case facts: %w", err)
	}
	f.IsChild = child == 1
	return &f, nil
}

// SurvivorBirthYear is the birth year of a case's person (0 when not
// recorded), for checks of other capabilities that have authorized their
// actor for the case's personal data: a dependant cannot be born before
// the survivor could be a mother.
func SurvivorBirthYear(ctx context.Context, q store.Querier, v *vault.Vault, caseID string) (int, error) {
	var personID string
	if err := q.QueryRowContext(ctx, `SELECT person_id FROM cases WHERE id = $1`, caseID).Scan(&personID); err != nil {
		return 0, errs.Internalf("case person: %w", err)
	}
	ps, err := OpenPersons(ctx, q, v, []string{personID})
	if err != nil || len(ps) == 0 {
		return 0, err
	}
	bd := ps[0].Person.BirthDate
	if len(bd) < 4 {
		return 0, nil
	}
	y, err := strconv.Atoi(bd[:4])
	if err != nil {
		return 0, nil
	}
	return y, nil
}
