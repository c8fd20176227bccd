package cases

import (
	"context"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// SetRiskLevel mirrors the latest risk assessment on the case's statistical
// column, in the caller's transaction (the assessment itself, with its
// threats, belongs to internal/plans). It bumps the version, so a form opened
// before the assessment cannot overwrite it unseen.
func SetRiskLevel(ctx context.Context, tx *store.Tx, caseID, level string) error {
	if !inList(RiskLevels, level) {
		return errs.InvalidField("risk_level", "case.risk_invalid")
	}
	res, err := tx.ExecContext(ctx, `UPDATE cases SET risk_level = $1, version = version + 1, updated_at = $2 WHERE id = $3`,
		level, store.T(tx.Now), caseID)
	if err != nil {
		return errs.Internalf("set risk level: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.E(errs.NotFound, "case.not_found")
	}
	return nil
}
