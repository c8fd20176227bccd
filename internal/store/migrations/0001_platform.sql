-- The platform: settings, vault keys, organisations, users, sign-in, sessions,
-- API tokens, audit chain, job locks. Types follow the rules in store.go.

CREATE TABLE settings (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- Per-record data keys, wrapped by a master key version (vault).
-- Destroying a key (crypto-shredding) clears wrapped and sets destroyed_at.
CREATE TABLE data_keys (
	id             TEXT PRIMARY KEY,
	purpose        TEXT NOT NULL,
	master_version INTEGER NOT NULL,
	wrapped        BLOB,
	created_at     TEXT NOT NULL,
	destroyed_at   TEXT
);
CREATE INDEX data_keys_master ON data_keys (master_version);

CREATE TABLE organisations (
	id           TEXT PRIMARY KEY,
	name         TEXT NOT NULL UNIQUE,
	type         TEXT NOT NULL,
	municipality TEXT NOT NULL DEFAULT '',
	active       INTEGER NOT NULL DEFAULT 1,
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL
);

-- Staff accounts. Email and name are personal data: encrypted under the
-- user's data key, found by the blind index of the normalised email.
CREATE TABLE users (
	id              TEXT PRIMARY KEY,
	org_id          TEXT NOT NULL REFERENCES organisations (id),
	role            TEXT NOT NULL,
	key_id          TEXT NOT NULL REFERENCES data_keys (id),
	email_index     BLOB NOT NULL UNIQUE,
	email_enc       BLOB NOT NULL,
	name_enc        BLOB NOT NULL,
	password_hash   TEXT NOT NULL,
	totp_secret_enc BLOB,
	totp_enabled    INTEGER NOT NULL DEFAULT 0,
	totp_last_step  BIGINT NOT NULL DEFAULT 0,
	lang            TEXT NOT NULL DEFAULT '',
	active          INTEGER NOT NULL DEFAULT 1,
	demo            INTEGER NOT NULL DEFAULT 0,
	failed_signins  INTEGER NOT NULL DEFAULT 0,
	locked_until    TEXT,
	password_changed_at TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL
);
CREATE INDEX users_org ON users (org_id);

CREATE TABLE recovery_codes (
	user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	code_hash BLOB NOT NULL,
	used_at   TEXT,
	PRIMARY KEY (user_id, code_hash)
);

-- Sign-in throttling by a keyed hash of the client address and of the
-- attempted account, so the table itself holds no address or email.
CREATE TABLE signin_throttle (
	key_hash     BLOB PRIMARY KEY,
	failures     INTEGER NOT NULL,
	window_start TEXT NOT NULL,
	blocked_until TEXT
);

-- Server-side sessions; the cookie holds a random token, the table its hash.
CREATE TABLE sessions (
	id_hash      BLOB PRIMARY KEY,
	user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	stage        TEXT NOT NULL, -- 'password' (awaiting TOTP), 'enrol' (must enrol TOTP), 'full'
	csrf         TEXT NOT NULL,
	lang         TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	last_seen_at TEXT NOT NULL,
	expires_at   TEXT NOT NULL,
	revoked_at   TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
	id           TEXT PRIMARY KEY,
	user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash   BLOB NOT NULL UNIQUE,
	label        TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	expires_at   TEXT NOT NULL,
	last_used_at TEXT,
	revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- The audit chain: append-only; hash = SHA-256(prev_hash || canonical event).
CREATE TABLE audit_events (
	seq         BIGINT PRIMARY KEY,
	at          TEXT NOT NULL,
	actor_id    TEXT NOT NULL DEFAULT '',
	actor_org   TEXT NOT NULL DEFAULT '',
	actor_role  TEXT NOT NULL DEFAULT '',
	action      TEXT NOT NULL,
	object_type TEXT NOT NULL DEFAULT '',
	object_id   TEXT NOT NULL DEFAULT '',
	outcome     TEXT NOT NULL DEFAULT 'ok',
	purpose     TEXT NOT NULL DEFAULT '',
	detail      TEXT NOT NULL DEFAULT '',
	request_id  TEXT NOT NULL DEFAULT '',
	prev_hash   BLOB NOT NULL,
	hash        BLOB NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);
CREATE INDEX audit_events_object ON audit_events (object_type, object_id, seq);
CREATE INDEX audit_events_action ON audit_events (action, seq);

-- Signed checkpoints of the chain head (Ed25519), so a deleted tail is detected.
CREATE TABLE audit_checkpoints (
	seq       BIGINT PRIMARY KEY,
	hash      BLOB NOT NULL,
	at        TEXT NOT NULL,
	key_id    TEXT NOT NULL,
	signature BLOB NOT NULL
);

-- Break-glass reasons are free text and may name a person: kept encrypted
-- here, referred to from the audit event by id.
CREATE TABLE break_glass (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id),
	object_type TEXT NOT NULL,
	object_id  TEXT NOT NULL,
	key_id     TEXT NOT NULL REFERENCES data_keys (id),
	reason_enc BLOB NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	reviewed_at TEXT,
	reviewed_by TEXT
);
CREATE INDEX break_glass_user ON break_glass (user_id, object_type, object_id);

-- One runner per background job across nodes.
CREATE TABLE job_locks (
	name       TEXT PRIMARY KEY,
	holder     TEXT NOT NULL,
	expires_at TEXT NOT NULL
);

-- The chain head, one row: appenders lock it, so concurrent writers on several
-- nodes extend the chain one at a time and never fork it.
CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  BIGINT NOT NULL,
	hash BLOB NOT NULL
);
