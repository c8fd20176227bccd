-- Transnational exchange (internal/exchange): this instance's exchange keys,
-- the partner instances and their public keys, the cross-border case
-- references, and one message log for the outbox and the inbox. The signed
-- envelopes and receipts are kept as they were sent and received (evidence an
-- auditor verifies offline with `ura exchange verify`); a message body is
-- kept sealed (the case's data key for a case message, the exchange key
-- otherwise), never in clear.

-- This instance's key sets: an Ed25519 signing key and an HPKE
-- (ML-KEM-768 + X25519) encryption key. The newest is current; a rotated set
-- stays valid until valid_until so messages in flight still open.
CREATE TABLE exchange_keys (
	id          TEXT PRIMARY KEY,
	created_at  TEXT NOT NULL,
	valid_until TEXT,
	sign_pub    BLOB NOT NULL,
	enc_pub     BLOB NOT NULL,
	fingerprint TEXT NOT NULL UNIQUE,
	key_id      TEXT NOT NULL REFERENCES data_keys (id),
	secret_enc  BLOB NOT NULL
);

CREATE TABLE exchange_partners (
	country        TEXT PRIMARY KEY,
	name           TEXT NOT NULL,
	url            TEXT NOT NULL,
	active         INTEGER NOT NULL DEFAULT 0,
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	activated_at   TEXT,
	deactivated_at TEXT,
	-- The record-linkage schema (clkhash JSON) and the secret the two
	-- countries agreed for "do you know this person?" (sealed).
	linkage_schema BLOB,
	linkage_key_id TEXT REFERENCES data_keys (id),
	linkage_secret BLOB
);

-- A partner's key sets: pending until an administrator activates one by its
-- fingerprint; the active one before it is retired and accepted until
-- valid_until (the overlap of a rotation).
CREATE TABLE exchange_partner_keys (
	id           TEXT PRIMARY KEY,
	country      TEXT NOT NULL REFERENCES exchange_partners (country),
	state        TEXT NOT NULL,
	sign_pub     BLOB NOT NULL,
	enc_pub      BLOB NOT NULL,
	fingerprint  TEXT NOT NULL,
	added_at     TEXT NOT NULL,
	activated_at TEXT,
	valid_until  TEXT,
	UNIQUE (country, fingerprint)
);

-- The pseudonymous reference two countries share for one case: never the
-- national case number.
CREATE TABLE exchange_case_refs (
	case_id    TEXT NOT NULL,
	country    TEXT NOT NULL,
	xref       TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	PRIMARY KEY (case_id, country)
);

-- The message log: direction 'out' (the outbox) or 'in' (the inbox).
CREATE TABLE exchange_messages (
	id              TEXT NOT NULL,
	direction       TEXT NOT NULL,
	peer            TEXT NOT NULL,
	type            TEXT NOT NULL,
	schema_version  INTEGER NOT NULL,
	xref            TEXT NOT NULL DEFAULT '',
	case_id         TEXT,
	reply_to        TEXT NOT NULL DEFAULT '',
	state           TEXT NOT NULL,
	reason          TEXT NOT NULL DEFAULT '',
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TEXT,
	created_at      TEXT NOT NULL,
	expires_at      TEXT NOT NULL,
	sent_at         TEXT,
	delivered_at    TEXT,
	acknowledged_at TEXT,
	due_at          TEXT,
	actor_id        TEXT NOT NULL DEFAULT '',
	legal_basis     TEXT NOT NULL DEFAULT '',
	ciphertext      BLOB NOT NULL,
	envelope        BLOB,
	envelope_sha256 TEXT NOT NULL DEFAULT '',
	receipt         BLOB,
	body_key        TEXT NOT NULL REFERENCES data_keys (id),
	body_enc        BLOB NOT NULL,
	PRIMARY KEY (direction, id)
);
CREATE INDEX exchange_messages_due ON exchange_messages (direction, state, next_attempt_at);
CREATE INDEX exchange_messages_case ON exchange_messages (case_id, created_at);
CREATE INDEX exchange_messages_list ON exchange_messages (direction, created_at);
