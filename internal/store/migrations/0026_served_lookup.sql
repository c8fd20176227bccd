-- The funder's report (grants' figures, docs/benchmarks.md "Grants (issue
-- 20)"): referral.ServedBy reads the provider's referrals and deliveries,
-- then the statistical columns of every person served through
-- cases.StatFieldsOf, by id. Both steps read an index entry and then the
-- row behind it for a few more columns; these covering indexes hold the
-- columns the count needs, so each step reads its index alone.

-- The case file (internal/cases): the columns StatFieldsOf counts by. The
-- cases are wide rows (sealed details inline); this index is narrow.
CREATE INDEX cases_stat_fields ON cases (id, victim_status, sex, age_band, citizenship);

-- Referral (internal/referral): the indexes of migration 0019 for the same
-- count, made covering (the columns ServedBy filters on and returns).
DROP INDEX referrals_served;
CREATE INDEX referrals_served ON referrals (to_org, answered_at, state, completed_at, case_id, service_type);
DROP INDEX services_delivered_org;
CREATE INDEX services_delivered_org ON services_delivered (org_id, delivered_on, case_id, service_type);
