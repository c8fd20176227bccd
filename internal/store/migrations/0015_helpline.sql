-- The helpline (internal/helpline): contacts logged by the operators, anonymous
-- by default. Statistical fields are plain columns, so the figures are SQL;
-- the note and the caller's name and phone (kept only with the caller's
-- consent) are sealed under the contact's own data key (AAD table
-- "helpline_contacts"). A caller code chosen by the caller links repeat
-- contacts through a keyed blind index, never in clear.
CREATE TABLE helpline_contacts (
	id               TEXT PRIMARY KEY,
	reference        TEXT NOT NULL UNIQUE,
	org_id           TEXT NOT NULL REFERENCES organisations (id),
	operator_id      TEXT NOT NULL REFERENCES users (id),
	started_at       TEXT NOT NULL,
	month            TEXT NOT NULL, -- YYYY-MM of started_at in UTC, for the figures
	duration_min     INTEGER NOT NULL,
	channel          TEXT NOT NULL,
	caller_type      TEXT NOT NULL,
	language         TEXT NOT NULL,
	municipality     TEXT NOT NULL DEFAULT '',
	taxonomy_version TEXT NOT NULL,
	category         TEXT NOT NULL,
	topic            TEXT NOT NULL,
	immediate_danger INTEGER NOT NULL DEFAULT 0,
	child_involved   INTEGER NOT NULL DEFAULT 0,
	caller_is_victim INTEGER NOT NULL DEFAULT 0,
	-- What was done: one flag each.
	did_information  INTEGER NOT NULL DEFAULT 0,
	did_police       INTEGER NOT NULL DEFAULT 0,
	did_shelter      INTEGER NOT NULL DEFAULT 0,
	did_csw          INTEGER NOT NULL DEFAULT 0,
	did_service      INTEGER NOT NULL DEFAULT 0,
	did_callback     INTEGER NOT NULL DEFAULT 0,
	caller_idx       BLOB,
	key_id           TEXT REFERENCES data_keys (id),
	note_enc         BLOB,
	personal_consent INTEGER NOT NULL DEFAULT 0,
	personal_enc     BLOB,
	callback_due     TEXT,
	callback_done_at TEXT,
	callback_done_by TEXT,
	-- The organisation alerted for an urgent contact (immediate danger).
	alert_org        TEXT,
	case_id          TEXT,
	case_reference   TEXT,
	linked_at        TEXT,
	created_at       TEXT NOT NULL
);
CREATE INDEX helpline_contacts_org ON helpline_contacts (org_id, started_at);
CREATE INDEX helpline_contacts_started ON helpline_contacts (started_at);
CREATE INDEX helpline_contacts_caller ON helpline_contacts (caller_idx);
CREATE INDEX helpline_contacts_callback ON helpline_contacts (org_id, callback_due)
	WHERE callback_due IS NOT NULL AND callback_done_at IS NULL;
CREATE INDEX helpline_contacts_case ON helpline_contacts (case_id);
CREATE INDEX helpline_contacts_alert ON helpline_contacts (alert_org, started_at);

-- The yearly counter of contact references (HL-2026-0001).
CREATE TABLE helpline_counters (
	year INTEGER PRIMARY KEY,
	last INTEGER NOT NULL
);
