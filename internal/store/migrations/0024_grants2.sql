-- Issue 20, second part. The funder accounts of a call: a funder reads the
-- protected figures of the contracts of its calls, and of no other.
CREATE TABLE grant_call_funders (
	call_id   TEXT NOT NULL REFERENCES grant_calls (id) ON DELETE CASCADE,
	user_id   TEXT NOT NULL,
	added_by  TEXT NOT NULL,
	added_at  TEXT NOT NULL,
	PRIMARY KEY (call_id, user_id)
);
CREATE INDEX grant_call_funders_user ON grant_call_funders (user_id);

-- A provider's application for a licence: the service it would provide,
-- its premises, the documents it encloses and its declaration. status:
-- submitted | incomplete | complete | inspection | granted | refused. On a
-- grant, licence_id names the licence recorded in the same transaction.
CREATE TABLE licence_applications (
	id              TEXT PRIMARY KEY,
	org_id          TEXT NOT NULL,
	category        TEXT NOT NULL,
	premises        TEXT NOT NULL,
	documents       TEXT NOT NULL,
	status          TEXT NOT NULL,
	note            TEXT NOT NULL DEFAULT '',
	inspection_on   TEXT NOT NULL DEFAULT '',
	licence_id      TEXT NOT NULL DEFAULT '',
	submitted_by    TEXT NOT NULL,
	submitted_at    TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX licence_applications_org ON licence_applications (org_id, submitted_at);

-- The history of a licence application: each step, who and when, and the
-- note or reasons given with it.
CREATE TABLE licence_application_steps (
	application_id  TEXT NOT NULL REFERENCES licence_applications (id) ON DELETE CASCADE,
	seq             INTEGER NOT NULL,
	status          TEXT NOT NULL,
	note            TEXT NOT NULL DEFAULT '',
	actor_id        TEXT NOT NULL,
	at              TEXT NOT NULL,
	PRIMARY KEY (application_id, seq)
);

-- The restricted procedure (PRAG, DOMAIN-2 §3.2): concept notes first,
-- scored against their own grid; only shortlisted applicants may submit the
-- full application before the second deadline. status: submitted |
-- shortlisted | not_shortlisted.
CREATE TABLE grant_concept_criteria (
	call_id    TEXT NOT NULL REFERENCES grant_calls (id) ON DELETE CASCADE,
	code       TEXT NOT NULL,
	label      TEXT NOT NULL,
	max_score  INTEGER NOT NULL,
	weight     INTEGER NOT NULL,
	pos        INTEGER NOT NULL,
	PRIMARY KEY (call_id, code)
);
CREATE TABLE grant_concept_notes (
	id           TEXT PRIMARY KEY,
	call_id      TEXT NOT NULL REFERENCES grant_calls (id) ON DELETE CASCADE,
	org_id       TEXT NOT NULL,
	title        TEXT NOT NULL,
	summary      TEXT NOT NULL,
	status       TEXT NOT NULL,
	submitted_by TEXT NOT NULL,
	submitted_at TEXT NOT NULL
);
CREATE UNIQUE INDEX grant_concept_notes_org ON grant_concept_notes (call_id, org_id);
CREATE TABLE grant_concept_scores (
	note_id        TEXT NOT NULL REFERENCES grant_concept_notes (id) ON DELETE CASCADE,
	evaluator_id   TEXT NOT NULL,
	criterion_code TEXT NOT NULL,
	score          INTEGER NOT NULL,
	comment        TEXT NOT NULL,
	scored_at      TEXT NOT NULL,
	PRIMARY KEY (note_id, evaluator_id, criterion_code)
);
