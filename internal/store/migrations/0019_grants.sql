-- Funding and quality of services (internal/licensing, internal/grants):
-- providers' licences against the minimum standards, inspections with
-- corrective actions; calls for proposals (PRAG-shaped), applications,
-- evaluation, awards, contracts with budget lines, payments, reporting
-- schedule, amendments and logframe indicators; the public funding record.
-- Amounts are whole euro cents (INTEGER), dates YYYY-MM-DD, times
-- store.TimeFormat. No table holds a victim's data: what a grant bought is
-- counted from referral's records when a report is asked for, never copied.

-- A provider's licence (internal/licensing). status: active | suspended |
-- revoked; expired is derived from valid_until (the day after it).
CREATE TABLE licences (
	id               TEXT PRIMARY KEY,
	org_id           TEXT NOT NULL REFERENCES organisations (id),
	number           TEXT NOT NULL,
	category         TEXT NOT NULL,
	issued_on        TEXT NOT NULL,
	valid_until      TEXT NOT NULL,
	status           TEXT NOT NULL,
	conditions       TEXT NOT NULL DEFAULT '',
	reminded_on      TEXT NOT NULL DEFAULT '',
	created_by       TEXT NOT NULL,
	created_at       TEXT NOT NULL,
	updated_at       TEXT NOT NULL,
	version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX licences_org ON licences (org_id, valid_until);
CREATE UNIQUE INDEX licences_number ON licences (number);

-- An inspection of a provider against one version of a standards checklist
-- (the checklist itself is versioned data in internal/licensing).
CREATE TABLE inspections (
	id               TEXT PRIMARY KEY,
	org_id           TEXT NOT NULL REFERENCES organisations (id),
	standard_set     TEXT NOT NULL,
	inspected_on     TEXT NOT NULL,
	inspector        TEXT NOT NULL,
	created_at       TEXT NOT NULL
);
CREATE INDEX inspections_org ON inspections (org_id, inspected_on);

-- One standard's finding: met | partly | not_met; a corrective action is
-- due for partly and not_met.
CREATE TABLE inspection_items (
	inspection_id    TEXT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
	standard_code    TEXT NOT NULL,
	result           TEXT NOT NULL,
	evidence         TEXT NOT NULL DEFAULT '',
	corrective_action TEXT NOT NULL DEFAULT '',
	due_on           TEXT NOT NULL DEFAULT '',
	done_on          TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (inspection_id, standard_code)
);
CREATE INDEX inspection_items_due ON inspection_items (done_on, due_on);

-- A call for proposals (internal/grants). status: draft | published |
-- closed | awarded. procedure: open | restricted. lots: one per line.
CREATE TABLE grant_calls (
	id               TEXT PRIMARY KEY,
	reference        TEXT NOT NULL,
	title            TEXT NOT NULL,
	funder           TEXT NOT NULL,
	programme        TEXT NOT NULL DEFAULT '',
	procedure        TEXT NOT NULL,
	lots             TEXT NOT NULL DEFAULT '',
	eligibility      TEXT NOT NULL DEFAULT '',
	budget_cents     INTEGER NOT NULL,
	min_grant_cents  INTEGER NOT NULL,
	max_grant_cents  INTEGER NOT NULL,
	cofinancing_pct  INTEGER NOT NULL DEFAULT 0,
	deadline_concept TEXT NOT NULL DEFAULT '',
	deadline         TEXT NOT NULL,
	status           TEXT NOT NULL,
	published_at     TEXT NOT NULL DEFAULT '',
	awarded_at       TEXT NOT NULL DEFAULT '',
	created_by       TEXT NOT NULL,
	created_at       TEXT NOT NULL,
	version          INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX grant_calls_reference ON grant_calls (reference);

-- The evaluation grid of a call: criteria with maximum, weight and an
-- eliminatory minimum (0: none) of the averaged score.
CREATE TABLE grant_criteria (
	call_id          TEXT NOT NULL REFERENCES grant_calls (id) ON DELETE CASCADE,
	code             TEXT NOT NULL,
	label            TEXT NOT NULL,
	max_score        INTEGER NOT NULL,
	weight           INTEGER NOT NULL,
	eliminatory_min  INTEGER NOT NULL DEFAULT 0,
	pos              INTEGER NOT NULL,
	PRIMARY KEY (call_id, code)
);

-- An application of a provider. status: submitted | admin_rejected |
-- admin_passed | selected | reserve | not_selected | eliminated.
-- Immutable after submission, except the status, check and results.
CREATE TABLE grant_applications (
	id               TEXT PRIMARY KEY,
	call_id          TEXT NOT NULL REFERENCES grant_calls (id),
	org_id           TEXT NOT NULL REFERENCES organisations (id),
	lot              TEXT NOT NULL DEFAULT '',
	title            TEXT NOT NULL,
	summary          TEXT NOT NULL DEFAULT '',
	partners         TEXT NOT NULL DEFAULT '',
	target_groups    TEXT NOT NULL DEFAULT '',
	municipalities   TEXT NOT NULL DEFAULT '',
	requested_cents  INTEGER NOT NULL,
	total_cents      INTEGER NOT NULL,
	duration_months  INTEGER NOT NULL,
	status           TEXT NOT NULL,
	admin_note       TEXT NOT NULL DEFAULT '',
	score_milli      INTEGER NOT NULL DEFAULT 0,
	rank_no          INTEGER NOT NULL DEFAULT 0,
	submitted_by     TEXT NOT NULL,
	submitted_at     TEXT NOT NULL
);
CREATE INDEX grant_applications_call ON grant_applications (call_id, status);
CREATE INDEX grant_applications_org ON grant_applications (org_id, submitted_at);

-- An evaluator assigned to an application. conflict: '' (not yet
-- declared) | none (declared no conflict) | declared (excluded).
CREATE TABLE grant_assignments (
	application_id   TEXT NOT NULL REFERENCES grant_applications (id) ON DELETE CASCADE,
	evaluator_id     TEXT NOT NULL,
	conflict         TEXT NOT NULL DEFAULT '',
	declared_at      TEXT NOT NULL DEFAULT '',
	assigned_at      TEXT NOT NULL,
	PRIMARY KEY (application_id, evaluator_id)
);
CREATE INDEX grant_assignments_evaluator ON grant_assignments (evaluator_id);

-- One evaluator's score of one criterion, with a comment.
CREATE TABLE grant_scores (
	application_id   TEXT NOT NULL REFERENCES grant_applications (id) ON DELETE CASCADE,
	evaluator_id     TEXT NOT NULL,
	criterion_code   TEXT NOT NULL,
	score            INTEGER NOT NULL,
	comment          TEXT NOT NULL DEFAULT '',
	scored_at        TEXT NOT NULL,
	PRIMARY KEY (application_id, evaluator_id, criterion_code)
);

-- A grant contract from an awarded application. coordinator_abroad moves
-- the final report's due date from 3 to 6 months after the end (R3.3).
CREATE TABLE grant_contracts (
	id               TEXT PRIMARY KEY,
	application_id   TEXT NOT NULL REFERENCES grant_applications (id),
	org_id           TEXT NOT NULL REFERENCES organisations (id),
	number           TEXT NOT NULL,
	start_on         TEXT NOT NULL,
	end_on           TEXT NOT NULL,
	amount_cents     INTEGER NOT NULL,
	cofinancing_cents INTEGER NOT NULL DEFAULT 0,
	coordinator_abroad INTEGER NOT NULL DEFAULT 0,
	signed_at        TEXT NOT NULL,
	created_by       TEXT NOT NULL,
	version          INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX grant_contracts_number ON grant_contracts (number);
CREATE INDEX grant_contracts_org ON grant_contracts (org_id);

-- Budget lines: heading hr | travel | equipment | local_office |
-- other_services | other | indirect; they add up to the contract's total.
CREATE TABLE grant_budget_lines (
	contract_id      TEXT NOT NULL REFERENCES grant_contracts (id) ON DELETE CASCADE,
	pos              INTEGER NOT NULL,
	heading          TEXT NOT NULL,
	description      TEXT NOT NULL DEFAULT '',
	amount_cents     INTEGER NOT NULL,
	PRIMARY KEY (contract_id, pos)
);

-- The payment schedule: prefinancing | interim | balance.
CREATE TABLE grant_payments (
	id               TEXT PRIMARY KEY,
	contract_id      TEXT NOT NULL REFERENCES grant_contracts (id) ON DELETE CASCADE,
	kind             TEXT NOT NULL,
	due_on           TEXT NOT NULL,
	amount_cents     INTEGER NOT NULL,
	paid_on          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX grant_payments_contract ON grant_payments (contract_id, due_on);

-- The reporting schedule and the reports: interim | final; status due |
-- received | clarification | approved | rejected.
CREATE TABLE grant_reports (
	id               TEXT PRIMARY KEY,
	contract_id      TEXT NOT NULL REFERENCES grant_contracts (id) ON DELETE CASCADE,
	kind             TEXT NOT NULL,
	period_end       TEXT NOT NULL,
	due_on           TEXT NOT NULL,
	status           TEXT NOT NULL,
	narrative        TEXT NOT NULL DEFAULT '',
	spent_cents      INTEGER NOT NULL DEFAULT 0,
	submitted_at     TEXT NOT NULL DEFAULT '',
	reviewed_at      TEXT NOT NULL DEFAULT '',
	reminded_on      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX grant_reports_due ON grant_reports (status, due_on);
CREATE INDEX grant_reports_contract ON grant_reports (contract_id, due_on);

-- Amendments: what changed (amount, end date), with the reason.
CREATE TABLE grant_amendments (
	id               TEXT PRIMARY KEY,
	contract_id      TEXT NOT NULL REFERENCES grant_contracts (id) ON DELETE CASCADE,
	reason           TEXT NOT NULL,
	old_amount_cents INTEGER NOT NULL,
	new_amount_cents INTEGER NOT NULL,
	old_end_on       TEXT NOT NULL,
	new_end_on       TEXT NOT NULL,
	decided_by       TEXT NOT NULL,
	decided_at       TEXT NOT NULL
);

-- Logframe indicators (impact | outcome | output) and their actual value
-- per period (YYYY-MM, the end of the period reported).
CREATE TABLE grant_indicators (
	id               TEXT PRIMARY KEY,
	contract_id      TEXT NOT NULL REFERENCES grant_contracts (id) ON DELETE CASCADE,
	level            TEXT NOT NULL,
	name             TEXT NOT NULL,
	baseline         INTEGER NOT NULL DEFAULT 0,
	target           INTEGER NOT NULL,
	pos              INTEGER NOT NULL
);
CREATE TABLE grant_indicator_values (
	indicator_id     TEXT NOT NULL REFERENCES grant_indicators (id) ON DELETE CASCADE,
	period           TEXT NOT NULL,
	actual           INTEGER NOT NULL,
	recorded_at      TEXT NOT NULL,
	PRIMARY KEY (indicator_id, period)
);

-- The public funding record of a provider per year: source central |
-- municipal | donor; per-victim daily rate when paid per day of stay.
CREATE TABLE public_funding (
	id               TEXT PRIMARY KEY,
	org_id           TEXT NOT NULL REFERENCES organisations (id),
	year             INTEGER NOT NULL,
	source           TEXT NOT NULL,
	amount_cents     INTEGER NOT NULL,
	daily_rate_cents INTEGER NOT NULL DEFAULT 0,
	note             TEXT NOT NULL DEFAULT '',
	recorded_by      TEXT NOT NULL,
	recorded_at      TEXT NOT NULL
);
CREATE INDEX public_funding_org ON public_funding (org_id, year);

-- Indexes on referral's tables for referral.ServedBy, which counts the
-- persons a provider served in a period for a grant's report: the
-- referrals a provider accepted by answer time, the services it delivered
-- by day. (The tables remain referral's; only referral reads them.)
CREATE INDEX referrals_served ON referrals (to_org, answered_at);
CREATE INDEX services_delivered_org ON services_delivered (org_id, delivered_on);
