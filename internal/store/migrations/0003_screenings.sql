-- Screenings with the ILO/EC operational indicators (internal/identify). A
-- screening can precede any case (outreach, the helpline) and is attached to
-- a case later. The result is stored as it was shown, with the catalogue
-- version, so a later correction of a weight never rewrites a past signal.
CREATE TABLE screenings (
	id                    TEXT PRIMARY KEY,
	profile               TEXT NOT NULL,
	catalogue_version     TEXT NOT NULL,
	indicators            TEXT NOT NULL, -- JSON array of indicator ids
	recruitment_act       INTEGER NOT NULL DEFAULT 0,
	result                TEXT NOT NULL, -- outcome code, e.g. trafficking_indicated
	trafficking_indicated INTEGER NOT NULL,
	dimensions            TEXT NOT NULL, -- JSON: per dimension, positive, clause, counts, ids
	org_id                TEXT NOT NULL REFERENCES organisations (id),
	user_id               TEXT NOT NULL REFERENCES users (id),
	at                    TEXT NOT NULL,
	-- No foreign key yet: the cases table arrives in a later migration (the
	-- case file); that migration may add the constraint.
	case_id               TEXT,
	attached_at           TEXT,
	-- The optional note is free text about a person: sealed under its own
	-- data key (AAD table "screenings", field "note").
	key_id                TEXT REFERENCES data_keys (id),
	note_enc              BLOB
);
CREATE INDEX screenings_org ON screenings (org_id, case_id, at);
CREATE INDEX screenings_case ON screenings (case_id);
