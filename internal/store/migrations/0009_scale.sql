-- Indexes and one column that lists and the capacity board need once a
-- deployment holds years of records (measured at a million cases,
-- docs/benchmarks.md).

-- An organisation's referral inbox and outbox: the pending ones by
-- deadline (referrals_to), the answered ones newest first.
CREATE INDEX referrals_to_created ON referrals (to_org, created_at);
CREATE INDEX referrals_from_state ON referrals (from_org, state, created_at);

-- A bed is reserved by an accepted referral until its person is admitted:
-- admission sets admitted_at, so the reservations are the rows of a small
-- partial index instead of every accepted referral checked for a stay.
ALTER TABLE referrals ADD COLUMN admitted_at TEXT;
CREATE INDEX stays_referral ON stays (referral_id);
UPDATE referrals SET admitted_at = (SELECT MIN(st.admitted_at) FROM stays st WHERE st.referral_id = referrals.id)
	WHERE EXISTS (SELECT 1 FROM stays st WHERE st.referral_id = referrals.id);
-- Only shelters have beds (referral.IsShelter).
-- state leads the key so that SQLite prefers this index to referrals_due
-- for "state = 'accepted'" even without statistics.
CREATE INDEX referrals_reserved ON referrals (state, service_id) WHERE admitted_at IS NULL
	AND service_type IN ('thb_shelter', 'dv_shelter', 'child_shelter', 'secure_facility');

-- The duplicate job's incremental run: persons changed since the last run.
CREATE INDEX persons_updated ON persons (updated_at);
