-- The case file (internal/cases): persons, cases, the case team, the timeline
-- and identification decisions. Types follow the rules in store.go.
--
-- Field classes (DESIGN §3): statistical values are plain columns, so filters
-- and statistics run in SQL; personal values (names, exact birth date,
-- documents, contacts, places and dates of recruitment and exploitation,
-- narratives, the grounds of a decision) are sealed with the record's data key
-- under vault.AAD{Table, Row, Field}. No column below holds a personal value
-- in clear.

-- A person: the victim (or presumed victim) a case is about. data_enc is the
-- sealed JSON of every personal field (cases.PersonData). The statistical
-- columns are coarse on purpose: with a dozen identified victims a year, a
-- birth year next to sex, citizenship and municipality would name the person,
-- so only the age band at registration is kept.
CREATE TABLE persons (
	id          TEXT PRIMARY KEY,
	key_id      TEXT NOT NULL REFERENCES data_keys (id),
	data_enc    BLOB NOT NULL,
	sex         TEXT NOT NULL,              -- female | male | other | unknown
	age_band    TEXT NOT NULL DEFAULT '',   -- 0-11, 12-14, 15-17, 18-24, 25-34, 35-49, 50+, '' unknown
	citizenship TEXT NOT NULL DEFAULT '',   -- primary, ISO 3166-1 alpha-2
	is_child    INTEGER NOT NULL DEFAULT 0, -- at registration (or presumed: age disputed)
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);

-- Blind indexes of a person's identifying values: vault.BlindIndex over the
-- linkage.Normalize form, so a name typed in either script, with or without
-- diacritics, finds the same rows. kind is name (each name token and the whole
-- normalised name), birthdate (YYYY-MM-DD, exact dates only), name_birthdate
-- (sorted name tokens + birth date: the duplicate check) or document.
CREATE TABLE person_index (
	person_id TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
	kind      TEXT NOT NULL,
	value     BLOB NOT NULL,
	PRIMARY KEY (kind, value, person_id)
);
CREATE INDEX person_index_person ON person_index (person_id);

-- Per-country, per-year counters of case references (XK-2026-0042); the row is
-- locked FOR UPDATE while a case is registered, so two nodes never hand out
-- the same number.
CREATE TABLE case_counters (
	country TEXT NOT NULL,
	year    INTEGER NOT NULL,
	last    INTEGER NOT NULL,
	PRIMARY KEY (country, year)
);

-- A case: one person's way through the referral mechanism. reference is the
-- pseudonymous identifier used in lists, URLs, e-mails and audit events.
CREATE TABLE cases (
	id                TEXT PRIMARY KEY,
	reference         TEXT NOT NULL UNIQUE,
	owner_org         TEXT NOT NULL REFERENCES organisations (id),
	person_id         TEXT NOT NULL REFERENCES persons (id),
	key_id            TEXT NOT NULL REFERENCES data_keys (id),
	stage             TEXT NOT NULL,
	victim_status     TEXT NOT NULL,               -- possible | presumed | identified | not_a_victim
	is_child          INTEGER NOT NULL DEFAULT 0,  -- child procedures apply
	age_disputed      INTEGER NOT NULL DEFAULT 0,
	age_band          TEXT NOT NULL DEFAULT '',    -- at opening
	sex               TEXT NOT NULL DEFAULT 'unknown',
	citizenship       TEXT NOT NULL DEFAULT '',
	risk_level        TEXT NOT NULL DEFAULT '',    -- '' | low | medium | high
	exploitation_country TEXT NOT NULL DEFAULT '', -- ISO 3166-1 alpha-2
	municipality      TEXT NOT NULL DEFAULT '',
	opened_month      TEXT NOT NULL,               -- YYYY-MM
	proceedings       TEXT NOT NULL DEFAULT 'none',-- none | investigation | indictment | trial | verdict | compensation
	non_removal       INTEGER NOT NULL DEFAULT 0,  -- CETS 197 Art. 10(2): set from presumed status on
	closure_reason    TEXT NOT NULL DEFAULT '',
	details_enc       BLOB,                        -- sealed JSON: places, dates, narrative (cases.Details)
	version           INTEGER NOT NULL DEFAULT 1,  -- optimistic concurrency: every update bumps it
	created_at        TEXT NOT NULL,
	updated_at        TEXT NOT NULL,
	closed_at         TEXT
);
CREATE INDEX cases_owner ON cases (owner_org, updated_at);
CREATE INDEX cases_person ON cases (person_id);
CREATE INDEX cases_stage ON cases (stage, updated_at);
CREATE INDEX cases_updated ON cases (updated_at);
CREATE INDEX cases_opened ON cases (opened_month);

-- Multi-valued HTCDS picklists of a case (field: exploitation, control,
-- recruitment), one row per code: filters and statistics are plain joins.
CREATE TABLE case_codes (
	case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	field   TEXT NOT NULL,
	code    TEXT NOT NULL,
	PRIMARY KEY (case_id, field, code)
);
CREATE INDEX case_codes_code ON case_codes (field, code, case_id);

-- The case team: the organisations (user_id '') and named users who work the
-- case. via: owner | referral | assigned. Access of scope Team is membership
-- of this table (internal/cases scope.go).
CREATE TABLE case_team (
	case_id      TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	org_id       TEXT NOT NULL REFERENCES organisations (id),
	user_id      TEXT NOT NULL DEFAULT '',
	role_in_case TEXT NOT NULL DEFAULT '',
	via          TEXT NOT NULL,
	added_at     TEXT NOT NULL,
	added_by     TEXT NOT NULL,
	PRIMARY KEY (case_id, org_id, user_id)
);
CREATE INDEX case_team_org ON case_team (org_id, user_id, case_id);

-- The timeline of a case: one row per thing that happened, written by the
-- package that did it (cases.AppendTimeline). summary holds codes only;
-- ref_table/ref_id point at the row in that package's own table.
-- visibility: 'team' or 'org:<orgID>' (visible to one organisation only).
CREATE TABLE case_events (
	id         TEXT PRIMARY KEY,
	case_id    TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	at         TEXT NOT NULL,
	kind       TEXT NOT NULL,
	actor_id   TEXT NOT NULL DEFAULT '',
	actor_org  TEXT NOT NULL DEFAULT '',
	ref_table  TEXT NOT NULL DEFAULT '',
	ref_id     TEXT NOT NULL DEFAULT '',
	visibility TEXT NOT NULL DEFAULT 'team',
	summary    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events (case_id, at);

-- Identification decisions (HTCDS vic_TraffickingStatus and
-- vic_TraffickingStatusDecisionMakingOrg): who decided, with whom, when; the
-- grounds are sealed with the case's data key.
CREATE TABLE identification_decisions (
	id                TEXT PRIMARY KEY,
	case_id           TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	status            TEXT NOT NULL,
	decision_org_type TEXT NOT NULL,             -- Police | NGO | CourtOrProsecution | NonPoliceGovernmentalOrganization | Other
	decided_by_org    TEXT NOT NULL REFERENCES organisations (id),
	decided_by        TEXT NOT NULL,             -- user id
	with_advocate_org TEXT NOT NULL DEFAULT '',
	social_worker_org TEXT NOT NULL DEFAULT '',  -- required for a child
	decided_at        TEXT NOT NULL,
	grounds_enc       BLOB,
	created_at        TEXT NOT NULL
);
CREATE INDEX identification_decisions_case ON identification_decisions (case_id, decided_at);
