-- Notifications (internal/notify): one in-app notification per recipient user,
-- and a durable e-mail outbox beside it. Neither table holds an e-mail address:
-- the outbox names the user, whose address is decrypted only at send time.

-- kind: referral.received | referral.accepted | referral.declined | referral.overdue.
-- object_type/object_id name what the notification is about (a referral, a
-- case); case_ref is shown in the page only, never put in an e-mail.
CREATE TABLE notifications (
	id          TEXT PRIMARY KEY,
	user_id     TEXT NOT NULL REFERENCES users (id),
	org_id      TEXT NOT NULL REFERENCES organisations (id),
	kind        TEXT NOT NULL,
	object_type TEXT NOT NULL,
	object_id   TEXT NOT NULL,
	case_ref    TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	read_at     TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);

-- One e-mail to send. status: queued | sent | failed | skipped (the account was
-- deactivated before sending). A sender claims a row by setting lease_until and
-- lease_holder in one conditional UPDATE, so two nodes never send one row at
-- once. last_error is a class ("smtp 451", "connect", "tls"), never the server's
-- text, which can quote the recipient's address.
CREATE TABLE notify_outbox (
	id              TEXT PRIMARY KEY,
	notification_id TEXT NOT NULL REFERENCES notifications (id),
	user_id         TEXT NOT NULL REFERENCES users (id),
	status          TEXT NOT NULL DEFAULT 'queued',
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_at         TEXT NOT NULL,
	lease_until     TEXT,
	lease_holder    TEXT NOT NULL DEFAULT '',
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      TEXT NOT NULL,
	sent_at         TEXT,
	failed_at       TEXT
);
CREATE INDEX notify_outbox_due ON notify_outbox (status, next_at);
