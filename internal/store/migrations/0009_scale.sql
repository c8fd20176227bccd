-- Indexes that lists and the capacity board need once a deployment holds
-- years of records (measured at a million cases, docs/benchmarks.md).

-- An organisation's referral inbox and outbox: the pending ones by
-- deadline (referrals_to), the answered ones newest first.
CREATE INDEX referrals_to_created ON referrals (to_org, created_at);
CREATE INDEX referrals_from_state ON referrals (from_org, state, created_at);

-- Reserved beds: accepted shelter referrals without a stay.
CREATE INDEX referrals_state_type ON referrals (state, service_type, service_id);
CREATE INDEX stays_referral ON stays (referral_id);

-- The duplicate job's incremental run: persons changed since the last run.
CREATE INDEX persons_updated ON persons (updated_at);
