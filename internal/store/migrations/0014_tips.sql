-- Anonymous tips from the public portal (internal/tips). No column holds an
-- address, a user agent or any other header of the request that brought a
-- tip: the tipster is known only by what they chose to write.
--
-- A tip is sealed with a data key of its own (what, where, when, the
-- optional contact), so erasing one tip shreds its key. code_hash is the
-- SHA-256 of the tip code the tipster was shown; the code itself is never
-- stored. state: new | checking | linked | investigation | closed.
-- municipality is a free choice of the tipster from the portal's list, or
-- empty, kept in clear for the figures. case_ref is a case reference (linked),
-- close_reason a code (closed).
CREATE TABLE tips (
	id            TEXT PRIMARY KEY,
	code_hash     TEXT NOT NULL UNIQUE,
	key_id        TEXT NOT NULL,
	state         TEXT NOT NULL DEFAULT 'new',
	municipality  TEXT NOT NULL DEFAULT '',
	lang          TEXT NOT NULL DEFAULT '',
	what_enc      BLOB NOT NULL,
	where_enc     BLOB,
	when_enc      BLOB,
	contact_enc   BLOB,
	case_ref      TEXT NOT NULL DEFAULT '',
	close_reason  TEXT NOT NULL DEFAULT '',
	additions     INTEGER NOT NULL DEFAULT 0,
	version       INTEGER NOT NULL DEFAULT 1,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);
CREATE INDEX tips_queue ON tips (state, created_at);
CREATE INDEX tips_created ON tips (created_at);

-- What a tipster added later with the tip code, sealed with the tip's key.
CREATE TABLE tip_additions (
	id         TEXT PRIMARY KEY,
	tip_id     TEXT NOT NULL REFERENCES tips (id),
	body_enc   BLOB NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX tip_additions_tip ON tip_additions (tip_id, created_at);
