-- Separation of duties (internal/auth): a change that would give an account
-- access to personal data — a new account with such a role, a new role or
-- organisation for one, reopening one — waits here until a second person (the
-- coordinator's office, never the requester) approves or refuses it.
--
-- kind: create | change | activate. role and org_id are what the account will
-- have once approved (for activate: what it has). requested_by is a user id,
-- or "system" for the command line. state: pending | approved | refused.
-- The refusal's reason is sealed under its own data key, like a break-glass
-- reason. At most one change per account is pending.
--
-- An approved new account also needs an activation code at its first sign-in
-- (the second-factor enrolment): the approver hands it to the person, the
-- administrator hands them the password, so neither alone can sign in with
-- the account. activation_hash is the code's keyed hash (vault blind index),
-- activated_at when it was used.
--
-- Numbered 0011 while 0010 may be taken by another change: the migration
-- runner applies every version it has not recorded, in order, so a gap (or a
-- lower number arriving later) is applied all the same.
CREATE TABLE user_changes (
	id           TEXT PRIMARY KEY,
	kind         TEXT NOT NULL,
	user_id      TEXT NOT NULL REFERENCES users (id),
	role         TEXT NOT NULL,
	org_id       TEXT NOT NULL REFERENCES organisations (id),
	old_role     TEXT NOT NULL DEFAULT '',
	old_org_id   TEXT NOT NULL DEFAULT '',
	requested_by TEXT NOT NULL,
	requested_at TEXT NOT NULL,
	state        TEXT NOT NULL DEFAULT 'pending',
	decided_by   TEXT,
	decided_at   TEXT,
	key_id       TEXT REFERENCES data_keys (id),
	reason_enc   BLOB,
	activation_hash BLOB,
	activated_at TEXT
);
CREATE UNIQUE INDEX user_changes_pending ON user_changes (user_id) WHERE state = 'pending';
CREATE INDEX user_changes_state ON user_changes (state, requested_at);
