-- The records kept inside a case file: the consent ledger (internal/consent),
-- notes and documents (internal/casenotes), assessments, plans and reviews
-- (internal/plans), clocks and dated tasks (internal/clocks). Types follow the
-- rules in store.go. Every personal or free-text value is sealed with the
-- case's data key (cases.key_id) under vault.AAD{Table, Row, Field}, so
-- crypto-shredding a case erases these records too; the plain columns hold
-- codes, ids, dates and sizes only.

-- The consent ledger: append-only. A grant, a withdrawal (of one grant, named
-- by withdraws) or a flagged override of a missing consent; history is never
-- edited. scope is the statistical kind (data_processing | organisation |
-- country | service | exchange); everything else — the target, how the
-- person was informed, by whom consent was given, the child's view, remarks,
-- an override's reason — is the sealed JSON content_enc (consent.Content).
CREATE TABLE consent_entries (
	id           TEXT PRIMARY KEY,
	case_id      TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	entry_type   TEXT NOT NULL,            -- grant | withdrawal | override
	scope        TEXT NOT NULL,
	withdraws    TEXT NOT NULL DEFAULT '', -- the grant a withdrawal ends
	effective_at TEXT NOT NULL,            -- when the person agreed or withdrew
	recorded_at  TEXT NOT NULL,
	recorded_by  TEXT NOT NULL,
	recorded_org TEXT NOT NULL,
	content_enc  BLOB NOT NULL
);
CREATE INDEX consent_entries_case ON consent_entries (case_id, recorded_at);
CREATE UNIQUE INDEX consent_entries_withdraws ON consent_entries (withdraws) WHERE withdraws <> '';

-- Case notes. visibility team: the case team; org: the author organisation's
-- users of the author's role only (psychological sessions, witness
-- protection). The text is sealed; notes are never edited.
CREATE TABLE case_notes (
	id          TEXT PRIMARY KEY,
	case_id     TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	visibility  TEXT NOT NULL,
	category    TEXT NOT NULL DEFAULT 'general',
	author_id   TEXT NOT NULL,
	author_org  TEXT NOT NULL,
	author_role TEXT NOT NULL,
	body_enc    BLOB NOT NULL,
	created_at  TEXT NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, created_at);

-- Attachments, sealed in the database. media_type is the sniffed type (never
-- the client's claim); the file name and description are sealed too.
CREATE TABLE case_documents (
	id              TEXT PRIMARY KEY,
	case_id         TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	visibility      TEXT NOT NULL,
	author_id       TEXT NOT NULL,
	author_org      TEXT NOT NULL,
	author_role     TEXT NOT NULL,
	media_type      TEXT NOT NULL,
	size            BIGINT NOT NULL,
	name_enc        BLOB NOT NULL,
	description_enc BLOB,
	content_enc     BLOB NOT NULL,
	created_at      TEXT NOT NULL
);
CREATE INDEX case_documents_case ON case_documents (case_id, created_at);

-- Risk assessments: the level is statistical (and mirrored on cases.risk_level
-- by the case file); the threats are sealed.
CREATE TABLE risk_assessments (
	id           TEXT PRIMARY KEY,
	case_id      TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	level        TEXT NOT NULL,          -- low | medium | high
	assessed_on  TEXT NOT NULL,
	assessed_by  TEXT NOT NULL,
	assessed_org TEXT NOT NULL,
	threats_enc  BLOB NOT NULL,
	next_due_on  TEXT NOT NULL,
	created_at   TEXT NOT NULL
);
CREATE INDEX risk_assessments_case ON risk_assessments (case_id, assessed_on);

-- Needs assessments: the needs are codes (statistics), the remarks sealed.
CREATE TABLE needs_assessments (
	id           TEXT PRIMARY KEY,
	case_id      TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	needs        TEXT NOT NULL,          -- comma-separated codes
	assessed_on  TEXT NOT NULL,
	assessed_by  TEXT NOT NULL,
	assessed_org TEXT NOT NULL,
	remarks_enc  BLOB,
	created_at   TEXT NOT NULL
);
CREATE INDEX needs_assessments_case ON needs_assessments (case_id, assessed_on);

-- The individual assistance and reintegration plan and its items (HTCDS spl_*).
CREATE TABLE care_plans (
	id            TEXT PRIMARY KEY,
	case_id       TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	status        TEXT NOT NULL,         -- active | closed
	starts_on     TEXT NOT NULL,
	review_due_on TEXT NOT NULL,
	created_by    TEXT NOT NULL,
	created_org   TEXT NOT NULL,
	created_at    TEXT NOT NULL
);
CREATE INDEX care_plans_case ON care_plans (case_id, created_at);

CREATE TABLE care_plan_items (
	id              TEXT PRIMARY KEY,
	plan_id         TEXT NOT NULL REFERENCES care_plans (id) ON DELETE CASCADE,
	case_id         TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	support_type    TEXT NOT NULL,        -- HTCDS spl_Type
	responsible_org TEXT NOT NULL REFERENCES organisations (id),
	due_on          TEXT NOT NULL,
	progress        TEXT NOT NULL,        -- planned | in_progress | done | cancelled
	ended_on        TEXT,
	goals_enc       BLOB NOT NULL,
	actions_enc     BLOB NOT NULL,
	created_by      TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL
);
CREATE INDEX care_plan_items_plan ON care_plan_items (plan_id, due_on);

-- Case reviews: participants are organisation ids; the outcome is sealed.
CREATE TABLE case_reviews (
	id             TEXT PRIMARY KEY,
	case_id        TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	held_on        TEXT NOT NULL,
	participants   TEXT NOT NULL,        -- comma-separated organisation ids
	outcome_enc    BLOB NOT NULL,
	next_review_on TEXT NOT NULL,
	recorded_by    TEXT NOT NULL,
	recorded_org   TEXT NOT NULL,
	created_at     TEXT NOT NULL
);
CREATE INDEX case_reviews_case ON case_reviews (case_id, held_on);

-- Legal clocks of a case: the reflection and recovery period (CETS 197
-- Art. 13) and residence permits (Art. 14).
CREATE TABLE case_clocks (
	id            TEXT PRIMARY KEY,
	case_id       TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	kind          TEXT NOT NULL,         -- reflection | residence_permit
	subtype       TEXT NOT NULL DEFAULT '', -- permit: personal | cooperation
	starts_on     TEXT NOT NULL,
	ends_on       TEXT NOT NULL,
	ended_reason  TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL
);
CREATE INDEX case_clocks_case ON case_clocks (case_id, kind);

-- Dated tasks with reminders on the dashboards of those responsible.
-- case_ref is the case's pseudonymous reference, copied so dashboards list
-- tasks without reading the case file. version guards concurrent completion.
CREATE TABLE tasks (
	id            TEXT PRIMARY KEY,
	case_id       TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	case_ref      TEXT NOT NULL,
	kind          TEXT NOT NULL,
	ref_table     TEXT NOT NULL DEFAULT '',
	ref_id        TEXT NOT NULL DEFAULT '',
	due_at        TEXT NOT NULL,
	assigned_org  TEXT NOT NULL REFERENCES organisations (id),
	assigned_user TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL,
	reminded_at   TEXT,
	escalated_at  TEXT,
	done_at       TEXT,
	done_by       TEXT NOT NULL DEFAULT '',
	done_reason   TEXT NOT NULL DEFAULT ''  -- done | superseded | clock_ended
);
CREATE INDEX tasks_open_org ON tasks (assigned_org, done_at, due_at);
CREATE INDEX tasks_open_due ON tasks (done_at, due_at);
CREATE INDEX tasks_case ON tasks (case_id, kind);
