-- The criminal-justice track (internal/justice, docs/justice.md). A criminal
-- case is its own record, linked to one or more victim cases and back; the
-- assistance file never depends on it and its tables are read only by
-- internal/justice, under policy actions that shelter, NGO and helpline
-- roles do not have.
--
-- criminal_cases: jurisdiction, the offence and its date in clear (the
-- offence date decides the criminal code, criminal_law), stage = the last
-- event's code. key_id seals the defendants' personal data.
CREATE TABLE criminal_cases (
	id            TEXT PRIMARY KEY,
	jurisdiction  TEXT NOT NULL,
	offence_code  TEXT NOT NULL,
	offence_date  TEXT NOT NULL,
	criminal_law  TEXT NOT NULL,
	stage         TEXT NOT NULL,
	status        TEXT NOT NULL DEFAULT 'open',
	owner_org     TEXT NOT NULL,
	key_id        TEXT NOT NULL,
	created_by    TEXT NOT NULL,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL,
	version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX criminal_cases_offence ON criminal_cases (offence_date);
-- Covering the statistics' join from an event to its offence.
CREATE INDEX criminal_cases_id_offence ON criminal_cases (id, offence_code);

-- The organisations working a criminal case (the police unit that filed
-- it, the prosecution office it went to).
CREATE TABLE criminal_case_orgs (
	criminal_case_id TEXT NOT NULL REFERENCES criminal_cases (id),
	org_id           TEXT NOT NULL,
	PRIMARY KEY (criminal_case_id, org_id)
);
CREATE INDEX criminal_case_orgs_org ON criminal_case_orgs (org_id, criminal_case_id);

-- Numbers in the three systems (DOMAIN-2 R1.3.3): police, prosecution,
-- court (instance: basic, appeals, supreme, constitutional).
CREATE TABLE criminal_case_refs (
	id               TEXT PRIMARY KEY,
	criminal_case_id TEXT NOT NULL REFERENCES criminal_cases (id),
	system           TEXT NOT NULL,
	instance         TEXT NOT NULL DEFAULT '',
	number           TEXT NOT NULL,
	created_at       TEXT NOT NULL
);
CREATE INDEX criminal_case_refs_case ON criminal_case_refs (criminal_case_id);

-- Victim cases (cases.id) linked to criminal cases, many to many.
CREATE TABLE criminal_case_victims (
	criminal_case_id TEXT NOT NULL REFERENCES criminal_cases (id),
	case_id          TEXT NOT NULL,
	created_at       TEXT NOT NULL,
	PRIMARY KEY (criminal_case_id, case_id)
);
CREATE INDEX criminal_case_victims_case ON criminal_case_victims (case_id);

-- Proceeding events, ordered by seq (the state machine of §1.3).
-- event_date is a day (YYYY-MM-DD); outcome for judgments; detention for
-- an indictment with the defendant in detention on remand.
CREATE TABLE criminal_events (
	id               TEXT PRIMARY KEY,
	criminal_case_id TEXT NOT NULL REFERENCES criminal_cases (id),
	seq              INTEGER NOT NULL,
	type             TEXT NOT NULL,
	event_date       TEXT NOT NULL,
	outcome          TEXT NOT NULL DEFAULT '',
	detention        INTEGER NOT NULL DEFAULT 0,
	created_by       TEXT NOT NULL,
	created_at       TEXT NOT NULL,
	UNIQUE (criminal_case_id, seq)
);
-- Covering the statistics by stage and period.
CREATE INDEX criminal_events_type ON criminal_events (type, event_date, criminal_case_id, outcome);

-- Suspects and defendants. Name and details sealed with the criminal
-- case's key; sex, nationality, roles and birth year band in clear for
-- statistics.
CREATE TABLE criminal_defendants (
	id               TEXT PRIMARY KEY,
	criminal_case_id TEXT NOT NULL REFERENCES criminal_cases (id),
	name_enc         BLOB NOT NULL,
	details_enc      BLOB,
	sex              TEXT NOT NULL,
	nationality      TEXT NOT NULL,
	roles            TEXT NOT NULL DEFAULT '',
	official         INTEGER NOT NULL DEFAULT 0,
	created_at       TEXT NOT NULL
);
CREATE INDEX criminal_defendants_case ON criminal_defendants (criminal_case_id, sex, nationality);
CREATE INDEX criminal_defendants_id_sex ON criminal_defendants (id, sex);

-- Charges with their qualification history: a requalified charge names the
-- one it replaces (police -> indictment -> judgment), so "initially THB,
-- finally another offence" is a query (R1.4.1).
CREATE TABLE criminal_charges (
	id               TEXT PRIMARY KEY,
	criminal_case_id TEXT NOT NULL REFERENCES criminal_cases (id),
	defendant_id     TEXT NOT NULL REFERENCES criminal_defendants (id),
	stage            TEXT NOT NULL,
	offence_code     TEXT NOT NULL,
	criminal_law     TEXT NOT NULL,
	article          TEXT NOT NULL DEFAULT '',
	replaces_id      TEXT NOT NULL DEFAULT '',
	current          INTEGER NOT NULL DEFAULT 1,
	created_at       TEXT NOT NULL
);
CREATE INDEX criminal_charges_case ON criminal_charges (criminal_case_id);
CREATE INDEX criminal_charges_created ON criminal_charges (created_at, replaces_id, offence_code);
CREATE INDEX criminal_charges_id_offence ON criminal_charges (id, offence_code, defendant_id);

-- Decisions per count: outcome, the sentence, and whether it falls below
-- the statutory minimum of the offence table (R1.4.2).
CREATE TABLE criminal_sentences (
	id                  TEXT PRIMARY KEY,
	criminal_case_id    TEXT NOT NULL REFERENCES criminal_cases (id),
	charge_id           TEXT NOT NULL REFERENCES criminal_charges (id),
	event_id            TEXT NOT NULL REFERENCES criminal_events (id),
	outcome             TEXT NOT NULL,
	imprisonment_months INTEGER NOT NULL DEFAULT 0,
	suspended           INTEGER NOT NULL DEFAULT 0,
	fine_eur            INTEGER NOT NULL DEFAULT 0,
	below_minimum       INTEGER NOT NULL DEFAULT 0,
	final               INTEGER NOT NULL DEFAULT 0,
	created_at          TEXT NOT NULL
);
CREATE INDEX criminal_sentences_case ON criminal_sentences (criminal_case_id);
CREATE INDEX criminal_sentences_event ON criminal_sentences (event_id, outcome, charge_id, imprisonment_months, below_minimum, final);

-- Asset freezing and confiscation.
CREATE TABLE criminal_assets (
	id               TEXT PRIMARY KEY,
	criminal_case_id TEXT NOT NULL REFERENCES criminal_cases (id),
	defendant_id     TEXT NOT NULL REFERENCES criminal_defendants (id),
	measure          TEXT NOT NULL,
	value_eur        INTEGER NOT NULL DEFAULT 0,
	measure_date     TEXT NOT NULL,
	created_at       TEXT NOT NULL
);

-- The victim in proceedings, per linked victim case: rights information
-- given, presence at hearings, protective measures, witness-protection
-- referral, non-punishment assessment, compensation claims. kind names the
-- record; code, status and the dates are codes and days; amounts in euro.
CREATE TABLE criminal_victim_records (
	id               TEXT PRIMARY KEY,
	criminal_case_id TEXT NOT NULL REFERENCES criminal_cases (id),
	case_id          TEXT NOT NULL,
	event_id         TEXT NOT NULL DEFAULT '',
	kind             TEXT NOT NULL,
	code             TEXT NOT NULL DEFAULT '',
	status           TEXT NOT NULL DEFAULT '',
	lang             TEXT NOT NULL DEFAULT '',
	record_date      TEXT NOT NULL,
	due_date         TEXT NOT NULL DEFAULT '',
	decided_date     TEXT NOT NULL DEFAULT '',
	present          INTEGER NOT NULL DEFAULT 0,
	advocate_present INTEGER NOT NULL DEFAULT 0,
	claimed_eur      INTEGER NOT NULL DEFAULT 0,
	awarded_eur      INTEGER NOT NULL DEFAULT 0,
	created_by       TEXT NOT NULL,
	created_at       TEXT NOT NULL
);
CREATE INDEX criminal_victim_records_case ON criminal_victim_records (criminal_case_id, kind);
CREATE INDEX criminal_victim_records_victim ON criminal_victim_records (case_id);
CREATE INDEX criminal_victim_records_kind ON criminal_victim_records (kind, record_date);
