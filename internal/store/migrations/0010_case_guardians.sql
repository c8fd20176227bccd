-- A child's guardian (CETS 197 Art. 10(4)), recorded on the case with the
-- decision that appointed them: who decided (the appointing authority, as
-- written in the decision), its reference and date. The guardian's name and
-- contact are sealed with the case's data key under vault.AAD{Table:
-- "case_guardians", Row: id, Field: "person"}. One guardian is current
-- (ended_at NULL); a new appointment ends the previous one. Consent "given by
-- the guardian" names the current guardian (internal/consent).
CREATE TABLE case_guardians (
	id            TEXT PRIMARY KEY,
	case_id       TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	kind          TEXT NOT NULL,            -- csw_officer | relative | other
	decision_ref  TEXT NOT NULL,
	decision_date TEXT NOT NULL,            -- YYYY-MM-DD
	person_enc    BLOB NOT NULL,            -- {name, authority, phone}
	recorded_at   TEXT NOT NULL,
	recorded_by   TEXT NOT NULL,
	recorded_org  TEXT NOT NULL,
	ended_at      TEXT,
	ended_reason  TEXT NOT NULL DEFAULT ''  -- replaced
);
CREATE INDEX case_guardians_case ON case_guardians (case_id, ended_at);
