-- Monthly aggregates of the case file for the statistics (internal/cases
-- stats.go): how many cases were opened in each month with each
-- combination of the statistical columns, kept up to date in the
-- transaction of every change to a case (registration, edit, stage change,
-- decision), so a year's figures read a few thousand small rows instead of
-- every case of the year. Counts only: no case id, no person. A test
-- proves them equal to a full recount (TestMonthlyAggregatesEqualRecount).
-- institution is the decision-making body of the decision that identified
-- the victim ('' without one). Codes are stored as the cases table holds
-- them ('' for an unknown age band or citizenship).
CREATE TABLE case_month_counts (
	opened_month  TEXT NOT NULL,
	municipality  TEXT NOT NULL,
	victim_status TEXT NOT NULL,
	sex           TEXT NOT NULL,
	age_band      TEXT NOT NULL,
	is_child      INTEGER NOT NULL,
	citizenship   TEXT NOT NULL,
	stage         TEXT NOT NULL,
	institution   TEXT NOT NULL,
	n             INTEGER NOT NULL,
	PRIMARY KEY (opened_month, municipality, victim_status, sex, age_band, is_child, citizenship, stage, institution)
);

-- The same by form of exploitation: one count per case and form; code ''
-- counts the cases without any form recorded.
CREATE TABLE case_month_forms (
	opened_month  TEXT NOT NULL,
	municipality  TEXT NOT NULL,
	victim_status TEXT NOT NULL,
	sex           TEXT NOT NULL,
	is_child      INTEGER NOT NULL,
	code          TEXT NOT NULL,
	n             INTEGER NOT NULL,
	PRIMARY KEY (opened_month, municipality, victim_status, sex, is_child, code)
);

-- The stores made before this migration: counted once from the cases.
INSERT INTO case_month_counts (opened_month, municipality, victim_status, sex, age_band, is_child, citizenship, stage, institution, n)
SELECT opened_month, municipality, victim_status, sex, age_band, is_child, citizenship, stage, institution, COUNT(*) FROM (
	SELECT c.opened_month, c.municipality, c.victim_status, c.sex, c.age_band, c.is_child, c.citizenship, c.stage,
		COALESCE((SELECT MIN(d.decision_org_type) FROM identification_decisions d
			WHERE d.case_id = c.id AND d.status = 'identified'), '') AS institution
	FROM cases c) x
GROUP BY opened_month, municipality, victim_status, sex, age_band, is_child, citizenship, stage, institution;

INSERT INTO case_month_forms (opened_month, municipality, victim_status, sex, is_child, code, n)
SELECT c.opened_month, c.municipality, c.victim_status, c.sex, c.is_child, COALESCE(k.code, ''), COUNT(*)
FROM cases c LEFT JOIN case_codes k ON k.case_id = c.id AND k.field = 'exploitation'
GROUP BY c.opened_month, c.municipality, c.victim_status, c.sex, c.is_child, COALESCE(k.code, '');

-- Referral's statistics read a period of referrals and of admissions
-- (internal/referral stats.go): by time, without reading every row.
CREATE INDEX referrals_created ON referrals (created_at, service_type);
CREATE INDEX stays_admitted ON stays (admitted_at, service_id);
