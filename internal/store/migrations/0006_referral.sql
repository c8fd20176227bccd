-- Referrals (internal/referral): the service directory, shelter capacity and
-- stays, referrals between organisations, services delivered, and the daily
-- occupancy history. Types follow the rules in store.go. Plain columns hold
-- codes, ids, counts and dates only: a shelter's address is sealed with the
-- service's own data key (location_key), a referral's reason and a decline's
-- reason with the case's data key (cases.key_id), so crypto-shredding a case
-- erases them.

-- One service of a provider (an organisation). Eligibility is columns, so the
-- directory filters in SQL and placement reads it without parsing: sex ''
-- means any; age_min/age_max -1 means no bound; risk_min/risk_max '' means no
-- bound; languages and nationalities are comma-separated codes;
-- nationality_rule '' (none) | only | except. address is the public office
-- address; location_enc is a shelter's secret address, shown only to users
-- of org_id. hsds_id is the id the service had in an imported HSDS file.
CREATE TABLE services (
	id                 TEXT PRIMARY KEY,
	org_id             TEXT NOT NULL REFERENCES organisations (id),
	name               TEXT NOT NULL,
	type               TEXT NOT NULL,
	description        TEXT NOT NULL DEFAULT '',
	municipality       TEXT NOT NULL DEFAULT '',
	address            TEXT NOT NULL DEFAULT '',
	location_key       TEXT NOT NULL DEFAULT '',
	location_enc       BLOB,
	hours              TEXT NOT NULL DEFAULT '',
	phone              TEXT NOT NULL DEFAULT '',
	email              TEXT NOT NULL DEFAULT '',
	sex                TEXT NOT NULL DEFAULT '',
	age_min            INTEGER NOT NULL DEFAULT -1,
	age_max            INTEGER NOT NULL DEFAULT -1,
	risk_min           TEXT NOT NULL DEFAULT '',
	risk_max           TEXT NOT NULL DEFAULT '',
	languages          TEXT NOT NULL DEFAULT '',
	nationalities      TEXT NOT NULL DEFAULT '',
	nationality_rule   TEXT NOT NULL DEFAULT '',
	accreditation      TEXT NOT NULL DEFAULT '',   -- '' | accredited | licensed | pending | suspended
	accredited_until   TEXT NOT NULL DEFAULT '',   -- YYYY-MM-DD or ''
	beds_total         INTEGER NOT NULL DEFAULT 0,
	beds_out_of_service INTEGER NOT NULL DEFAULT 0,
	active             INTEGER NOT NULL DEFAULT 1,
	hsds_id            TEXT NOT NULL DEFAULT '',
	version            INTEGER NOT NULL DEFAULT 1,
	created_at         TEXT NOT NULL,
	updated_at         TEXT NOT NULL
);
CREATE INDEX services_type ON services (type, active);
CREATE INDEX services_org ON services (org_id);
CREATE UNIQUE INDEX services_hsds ON services (hsds_id) WHERE hsds_id <> '';

-- A referral of a case to a service. state: pending | accepted | declined |
-- withdrawn | completed; overdue is a flag on a pending referral whose
-- deadline passed (set by the sweep job), not a state. consent_basis is
-- consented | override, consent_entry the ledger entry relied on.
CREATE TABLE referrals (
	id                 TEXT PRIMARY KEY,
	case_id            TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	case_ref           TEXT NOT NULL,
	service_id         TEXT NOT NULL REFERENCES services (id),
	service_type       TEXT NOT NULL,
	from_org           TEXT NOT NULL REFERENCES organisations (id),
	from_user          TEXT NOT NULL,
	to_org             TEXT NOT NULL REFERENCES organisations (id),
	urgency            TEXT NOT NULL,
	state              TEXT NOT NULL,
	overdue            INTEGER NOT NULL DEFAULT 0,
	deadline           TEXT NOT NULL,
	consent_basis      TEXT NOT NULL,
	consent_entry      TEXT NOT NULL DEFAULT '',
	reason_enc         BLOB NOT NULL,
	decline_code       TEXT NOT NULL DEFAULT '',
	decline_reason_enc BLOB,
	outcome            TEXT NOT NULL DEFAULT '',   -- completed referrals: delivered | partly | not_delivered
	answered_at        TEXT,
	answered_by        TEXT NOT NULL DEFAULT '',
	completed_at       TEXT,
	overdue_at         TEXT,
	created_at         TEXT NOT NULL,
	version            INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX referrals_to ON referrals (to_org, state, deadline);
CREATE INDEX referrals_from ON referrals (from_org, created_at);
CREATE INDEX referrals_case ON referrals (case_id, created_at);
CREATE INDEX referrals_service ON referrals (service_id, state);
CREATE INDEX referrals_due ON referrals (state, overdue, deadline);

-- A stay of a case in a shelter service: occupied beds are open stays.
-- emergency_overflow marks an admission beyond capacity (flagged).
CREATE TABLE stays (
	id                 TEXT PRIMARY KEY,
	case_id            TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	case_ref           TEXT NOT NULL,
	service_id         TEXT NOT NULL REFERENCES services (id),
	org_id             TEXT NOT NULL REFERENCES organisations (id),
	referral_id        TEXT NOT NULL DEFAULT '',
	emergency_overflow INTEGER NOT NULL DEFAULT 0,
	admitted_at        TEXT NOT NULL,
	admitted_by        TEXT NOT NULL,
	discharged_at      TEXT,
	discharged_by      TEXT NOT NULL DEFAULT '',
	exit_code          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX stays_service_open ON stays (service_id, discharged_at);
CREATE INDEX stays_case ON stays (case_id);
CREATE UNIQUE INDEX stays_one_open ON stays (case_id, service_id) WHERE discharged_at IS NULL;

-- Approvals of the permanent exit from a secure facility: one prosecutor's
-- and one police approval are needed before the stay may end.
CREATE TABLE stay_exit_approvals (
	stay_id     TEXT NOT NULL REFERENCES stays (id) ON DELETE CASCADE,
	role        TEXT NOT NULL,                    -- prosecutor | police
	user_id     TEXT NOT NULL,
	org_id      TEXT NOT NULL,
	approved_at TEXT NOT NULL,
	PRIMARY KEY (stay_id, role)
);

-- Services delivered to a case, for reports: date, type, provider, duration.
CREATE TABLE services_delivered (
	id           TEXT PRIMARY KEY,
	case_id      TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	referral_id  TEXT NOT NULL DEFAULT '',
	service_id   TEXT NOT NULL REFERENCES services (id),
	service_type TEXT NOT NULL,
	org_id       TEXT NOT NULL REFERENCES organisations (id),
	delivered_on TEXT NOT NULL,                   -- YYYY-MM-DD
	minutes      INTEGER NOT NULL DEFAULT 0,
	recorded_by  TEXT NOT NULL,
	created_at   TEXT NOT NULL
);
CREATE INDEX services_delivered_case ON services_delivered (case_id, delivered_on);
CREATE INDEX services_delivered_day ON services_delivered (delivered_on, service_type);

-- The daily occupancy of each shelter service, written by the sweep job
-- (one row per service and day, rewritten during the day), for statistics.
CREATE TABLE occupancy_snapshots (
	service_id          TEXT NOT NULL REFERENCES services (id),
	day                 TEXT NOT NULL,             -- YYYY-MM-DD (UTC)
	beds_total          INTEGER NOT NULL,
	beds_out_of_service INTEGER NOT NULL,
	beds_occupied       INTEGER NOT NULL,
	beds_reserved       INTEGER NOT NULL,
	overflow            INTEGER NOT NULL,
	taken_at            TEXT NOT NULL,
	PRIMARY KEY (service_id, day)
);
