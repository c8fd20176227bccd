-- Domestic and gender-based violence (internal/gbv, docs/gbv.md). A case is
-- a trafficking case, a GBV case or both (cases.case_type, owned by the case
-- file). The GBV records hang off the case and are sealed with the case's
-- data key under vault.AAD{Table, Row, Field}, so crypto-shredding a case
-- erases them too; plain columns hold codes, dates and counts only.

-- The case type: thb | gbv | both. Every existing case is a trafficking case.
ALTER TABLE cases ADD COLUMN case_type TEXT NOT NULL DEFAULT 'thb';

-- Incidents, one survivor each (GBVIMS). gbv_type is the result of the rule
-- on the six answers (answers: a six-character string of 0/1 in the rule's
-- order), recorded with the survivor's age band, sex and municipality at
-- the time, so the statistics are one table. The account in the survivor's
-- words is sealed.
CREATE TABLE gbv_incidents (
	id              TEXT PRIMARY KEY,
	case_id         TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	occurred_on     TEXT NOT NULL,
	month           TEXT NOT NULL,          -- YYYY-MM of occurred_on
	place_type      TEXT NOT NULL,
	answers         TEXT NOT NULL,
	gbv_type        TEXT NOT NULL,
	context         TEXT NOT NULL,
	reported_by     TEXT NOT NULL,
	reported_police INTEGER NOT NULL DEFAULT 0,
	reported_health INTEGER NOT NULL DEFAULT 0,
	age_band        TEXT NOT NULL DEFAULT '',
	sex             TEXT NOT NULL DEFAULT '',
	municipality    TEXT NOT NULL DEFAULT '',
	account_enc     BLOB,
	recorded_by     TEXT NOT NULL,
	recorded_org    TEXT NOT NULL,
	created_at      TEXT NOT NULL
);
CREATE INDEX gbv_incidents_case ON gbv_incidents (case_id, occurred_on);
CREATE INDEX gbv_incidents_month ON gbv_incidents (month, gbv_type);

-- The domestic-violence risk assessment: the question set's version, the
-- answers (one character per question: y, n or - for not known), the score,
-- the level the score gives and the level recorded (the professional's
-- judgement may raise it; the reason is sealed).
CREATE TABLE gbv_risk_assessments (
	id            TEXT PRIMARY KEY,
	case_id       TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	set_version   TEXT NOT NULL,
	answers       TEXT NOT NULL,
	score         INTEGER NOT NULL,
	scored_level  TEXT NOT NULL,            -- standard | medium | high
	level         TEXT NOT NULL,
	raised        INTEGER NOT NULL DEFAULT 0,
	reason_enc    BLOB,
	assessed_on   TEXT NOT NULL,
	assessed_by   TEXT NOT NULL,
	assessed_org  TEXT NOT NULL,
	created_at    TEXT NOT NULL
);
CREATE INDEX gbv_risk_assessments_case ON gbv_risk_assessments (case_id, created_at);

-- Safety plans: the steps are sealed JSON; reviewed on a schedule.
CREATE TABLE gbv_safety_plans (
	id          TEXT PRIMARY KEY,
	case_id     TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	steps_enc   BLOB NOT NULL,
	review_on   TEXT NOT NULL,
	created_by  TEXT NOT NULL,
	created_org TEXT NOT NULL,
	created_at  TEXT NOT NULL
);
CREATE INDEX gbv_safety_plans_case ON gbv_safety_plans (case_id, created_at);

-- Protection orders: kind emergency | ordinary, the issuer (court | police),
-- the measures as comma-separated codes, the dates; remarks sealed.
CREATE TABLE gbv_protection_orders (
	id           TEXT PRIMARY KEY,
	case_id      TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	kind         TEXT NOT NULL,
	issuer       TEXT NOT NULL,
	issued_on    TEXT NOT NULL,
	starts_on    TEXT NOT NULL,
	ends_on      TEXT NOT NULL,
	measures     TEXT NOT NULL,
	remarks_enc  BLOB,
	recorded_by  TEXT NOT NULL,
	recorded_org TEXT NOT NULL,
	created_at   TEXT NOT NULL
);
CREATE INDEX gbv_protection_orders_case ON gbv_protection_orders (case_id, ends_on);

-- Violations of a protection order with the police response (a code).
CREATE TABLE gbv_order_violations (
	id              TEXT PRIMARY KEY,
	order_id        TEXT NOT NULL REFERENCES gbv_protection_orders (id) ON DELETE CASCADE,
	case_id         TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	occurred_on     TEXT NOT NULL,
	police_response TEXT NOT NULL,
	details_enc     BLOB,
	recorded_by     TEXT NOT NULL,
	created_at      TEXT NOT NULL
);
CREATE INDEX gbv_order_violations_order ON gbv_order_violations (order_id, occurred_on);

-- Dependants on a survivor's case (her children): name and birth date
-- sealed; the child flag and when the Centre for Social Work was informed
-- in clear.
CREATE TABLE gbv_dependants (
	id           TEXT PRIMARY KEY,
	case_id      TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	content_enc  BLOB NOT NULL,
	is_child     INTEGER NOT NULL DEFAULT 1,
	csw_informed TEXT NOT NULL DEFAULT '',
	recorded_by  TEXT NOT NULL,
	recorded_org TEXT NOT NULL,
	created_at   TEXT NOT NULL
);
CREATE INDEX gbv_dependants_case ON gbv_dependants (case_id);

-- Perpetrators: only what protection needs, all sealed in one JSON value.
CREATE TABLE gbv_perpetrators (
	id           TEXT PRIMARY KEY,
	case_id      TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	content_enc  BLOB NOT NULL,
	recorded_by  TEXT NOT NULL,
	recorded_org TEXT NOT NULL,
	created_at   TEXT NOT NULL
);
CREATE INDEX gbv_perpetrators_case ON gbv_perpetrators (case_id);

-- Referral's: the beds a stay takes (the person and the dependants admitted
-- with her), the date it is due to end and how many times it was extended,
-- and which dependants stay with her.
ALTER TABLE stays ADD COLUMN beds INTEGER NOT NULL DEFAULT 1;
ALTER TABLE stays ADD COLUMN stay_until TEXT NOT NULL DEFAULT '';
ALTER TABLE stays ADD COLUMN extensions INTEGER NOT NULL DEFAULT 0;
CREATE TABLE stay_dependants (
	stay_id      TEXT NOT NULL REFERENCES stays (id) ON DELETE CASCADE,
	dependant_id TEXT NOT NULL,
	PRIMARY KEY (stay_id, dependant_id)
);
