-- Coarse aggregates for the coordinator's dashboard (docs/benchmarks.md,
-- "Statistics at a million"). At a million cases the monthly aggregates of
-- migration 0012 keep nearly a row for every few cases, since they hold
-- every combination of the statistical columns; the dashboard's panels each
-- divide the cases by one or two columns only. Kept in the transaction of
-- every change, like those of 0012, by their owners; counts only, no case
-- id, no person.

-- The case file (internal/cases stats_coarse.go): cases opened in each month
-- and municipality, by one division: 'total' (v1 = v2 = ''), 'status'
-- (v1 = victim status), 'sex_status', 'age_status', 'institution_status'
-- (v1 = sex, age band or identifying institution, v2 = victim status),
-- 'citizenship' (v1), 'exploitation' (v1 = the form; a case with two forms
-- counts under each, '' counts the cases without one). Codes as the cases
-- table holds them ('' for an unknown age band or citizenship, no
-- institution).
CREATE TABLE case_month_divisions (
	division     TEXT NOT NULL,
	opened_month TEXT NOT NULL,
	municipality TEXT NOT NULL,
	v1           TEXT NOT NULL,
	v2           TEXT NOT NULL,
	n            INTEGER NOT NULL,
	PRIMARY KEY (division, opened_month, municipality, v1, v2)
);

-- The case file: cases now in each stage, by municipality (the open cases
-- are every stage but closed), kept on every stage change.
CREATE TABLE case_stage_counts (
	municipality TEXT NOT NULL,
	stage        TEXT NOT NULL,
	n            INTEGER NOT NULL,
	PRIMARY KEY (municipality, stage)
);

-- Referral (internal/referral stats.go): the answered referrals made in
-- each month, by service type and by the time to the answer in tenths of
-- an hour (the resolution the median is shown at), counted when the
-- answer is given.
CREATE TABLE referral_answer_hours (
	created_month TEXT NOT NULL,
	service_type  TEXT NOT NULL,
	tenths        INTEGER NOT NULL,
	n             INTEGER NOT NULL,
	PRIMARY KEY (created_month, service_type, tenths)
);

-- The stores made before this migration: summed from the exact monthly
-- aggregates of 0012 (a few hundred thousand rows at a million cases, not
-- the cases themselves) and counted once from the referrals.
INSERT INTO case_month_divisions (division, opened_month, municipality, v1, v2, n)
SELECT 'total', opened_month, municipality, '', '', SUM(n) FROM case_month_counts GROUP BY opened_month, municipality;
INSERT INTO case_month_divisions (division, opened_month, municipality, v1, v2, n)
SELECT 'status', opened_month, municipality, victim_status, '', SUM(n) FROM case_month_counts GROUP BY opened_month, municipality, victim_status;
INSERT INTO case_month_divisions (division, opened_month, municipality, v1, v2, n)
SELECT 'sex_status', opened_month, municipality, sex, victim_status, SUM(n) FROM case_month_counts GROUP BY opened_month, municipality, sex, victim_status;
INSERT INTO case_month_divisions (division, opened_month, municipality, v1, v2, n)
SELECT 'age_status', opened_month, municipality, age_band, victim_status, SUM(n) FROM case_month_counts GROUP BY opened_month, municipality, age_band, victim_status;
INSERT INTO case_month_divisions (division, opened_month, municipality, v1, v2, n)
SELECT 'citizenship', opened_month, municipality, citizenship, '', SUM(n) FROM case_month_counts GROUP BY opened_month, municipality, citizenship;
INSERT INTO case_month_divisions (division, opened_month, municipality, v1, v2, n)
SELECT 'institution_status', opened_month, municipality, institution, victim_status, SUM(n) FROM case_month_counts GROUP BY opened_month, municipality, institution, victim_status;
INSERT INTO case_month_divisions (division, opened_month, municipality, v1, v2, n)
SELECT 'exploitation', opened_month, municipality, code, '', SUM(n) FROM case_month_forms GROUP BY opened_month, municipality, code;

INSERT INTO case_stage_counts (municipality, stage, n)
SELECT municipality, stage, SUM(n) FROM case_month_counts GROUP BY municipality, stage;

INSERT INTO referral_answer_hours (created_month, service_type, tenths, n)
SELECT SUBSTR(created_at, 1, 7), service_type, CAST(ROUND((julianday(answered_at) - julianday(created_at)) * 24 * 10) AS INTEGER), COUNT(*)
FROM referrals WHERE answered_at IS NOT NULL
GROUP BY SUBSTR(created_at, 1, 7), service_type, CAST(ROUND((julianday(answered_at) - julianday(created_at)) * 24 * 10) AS INTEGER);
