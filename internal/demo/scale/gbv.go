package scale

import (
	"context"
	"fmt"

	"github.com/ura-nrm/ura/internal/store"
)

// GBV cases at scale (internal/gbv, docs/gbv.md). About three cases in
// thirty-two — those whose random id ends in a, b or c — are trafficking
// cases with a history of domestic or gender-based violence (case type
// "both"), each with one incident in the month the case was opened: its
// GBVIMS type, context and place follow from other characters of the id,
// and it carries the survivor's age band, sex and municipality as the
// service records them. No account is written (the statistics and the
// pages at scale read the plain columns), so nothing is sealed and no key
// is needed; the incidents are not audited one by one (the generator
// audits what the services would have: a case's registration).

// The characters are read from the end of the id: generated ids begin
// with the second they were made (store.NewOrderedID).
//
// gbvCases marks the GBV cases and writes their incidents in one
// transaction of two statements; it returns the incidents written.
func (w *writer) gbvCases(ctx context.Context) (int, error) {
	var n int64
	err := w.db.InTx(ctx, w.a.Clock.Now(), func(tx *store.Tx) error {
		const pick = `substr(c.id, length(c.id), 1) IN ('a', 'b', 'c')`
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET case_type = 'both' WHERE id IN (SELECT c.id FROM cases c WHERE `+pick+`)`); err != nil {
			return fmt.Errorf("scale: gbv cases: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO gbv_incidents (id, case_id, occurred_on, month, place_type, answers, gbv_type,
			context, reported_by, reported_police, reported_health, age_band, sex, municipality, recorded_by, recorded_org, created_at)
			SELECT 'g' || c.id, c.id, c.created_at, c.opened_month,
			CASE substr(c.id, length(c.id) - 2, 1) WHEN 'a' THEN 'street' WHEN 'b' THEN 'perpetrator_home' WHEN 'c' THEN 'online' ELSE 'home' END,
			CASE substr(c.id, length(c.id) - 1, 1) WHEN 'a' THEN '100001' WHEN 'b' THEN '010000' WHEN 'c' THEN '000100' WHEN 'd' THEN '000011'
				WHEN 'e' THEN '000001' ELSE '001001' END,
			CASE substr(c.id, length(c.id) - 1, 1) WHEN 'a' THEN 'rape' WHEN 'b' THEN 'sexual_assault' WHEN 'c' THEN 'forced_marriage'
				WHEN 'd' THEN 'denial_of_resources' WHEN 'e' THEN 'psychological_abuse' ELSE 'physical_assault' END,
			CASE substr(c.id, length(c.id) - 3, 1) WHEN 'a' THEN 'family_member' WHEN 'b' THEN 'trafficking' WHEN 'c' THEN 'sexual_exploitation'
				WHEN 'd' THEN 'early_forced_marriage' ELSE 'intimate_partner' END,
			'survivor', CASE WHEN substr(c.id, length(c.id) - 4, 1) < 'h' THEN 1 ELSE 0 END, 0, c.age_band, c.sex, c.municipality,
			'scale', c.owner_org, c.created_at
			FROM cases c WHERE `+pick)
		if err != nil {
			return fmt.Errorf("scale: gbv incidents: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}
