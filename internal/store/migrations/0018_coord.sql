-- Coordination (internal/coord): the national strategy and action plans,
-- their objectives, activities and indicators, the institutions' progress
-- reports, outside recommendations tracked to activities, monitors' comments
-- and trainings. No table holds case data. Dates are YYYY-MM-DD, quarters
-- YYYY-Qn; money is whole euros.
--
-- kind: strategy | action_plan | municipal | institutional | cso_monitoring.
-- status: draft | adopted | expired | replaced.
CREATE TABLE coord_plans (
	id           TEXT PRIMARY KEY,
	title        TEXT NOT NULL,
	kind         TEXT NOT NULL,
	period_start TEXT NOT NULL,
	period_end   TEXT NOT NULL,
	status       TEXT NOT NULL DEFAULT 'draft',
	adopted_by   TEXT NOT NULL DEFAULT '',
	version      INTEGER NOT NULL DEFAULT 1,
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL
);

-- pillar: prevention | protection | prosecution | partnership.
-- kind: strategic | specific.
CREATE TABLE coord_objectives (
	id       TEXT PRIMARY KEY,
	plan_id  TEXT NOT NULL REFERENCES coord_plans (id),
	code     TEXT NOT NULL,
	kind     TEXT NOT NULL,
	pillar   TEXT NOT NULL,
	title    TEXT NOT NULL,
	pos      INTEGER NOT NULL
);
CREATE UNIQUE INDEX coord_objectives_code ON coord_objectives (plan_id, code);

-- deadline is what was typed (a date or a quarter); due is its last day,
-- for order and for overdue alerts. funding: kosovo_budget | municipal |
-- donor | mixed | unfunded.
CREATE TABLE coord_activities (
	id               TEXT PRIMARY KEY,
	plan_id          TEXT NOT NULL REFERENCES coord_plans (id),
	objective_id     TEXT NOT NULL REFERENCES coord_objectives (id),
	code             TEXT NOT NULL,
	description      TEXT NOT NULL,
	expected_output  TEXT NOT NULL DEFAULT '',
	lead_org_id      TEXT NOT NULL,
	deadline         TEXT NOT NULL,
	due              TEXT NOT NULL,
	cost_eur         INTEGER NOT NULL DEFAULT 0,
	funding          TEXT NOT NULL DEFAULT 'unfunded',
	budget_programme TEXT NOT NULL DEFAULT '',
	pos              INTEGER NOT NULL
);
CREATE UNIQUE INDEX coord_activities_code ON coord_activities (plan_id, code);
CREATE INDEX coord_activities_lead ON coord_activities (lead_org_id, due);

CREATE TABLE coord_activity_support (
	activity_id TEXT NOT NULL REFERENCES coord_activities (id),
	org_id      TEXT NOT NULL,
	PRIMARY KEY (activity_id, org_id)
);

-- level: outcome | output. measure and measure_filter name a statistics
-- measure (internal/stats) and a dimension=code filter: such an indicator is
-- computed, never typed. disaggregation: comma-separated sex,age,community,
-- municipality,institution.
CREATE TABLE coord_indicators (
	id             TEXT PRIMARY KEY,
	plan_id        TEXT NOT NULL REFERENCES coord_plans (id),
	objective_id   TEXT NOT NULL REFERENCES coord_objectives (id),
	code           TEXT NOT NULL,
	name           TEXT NOT NULL,
	level          TEXT NOT NULL,
	unit           TEXT NOT NULL DEFAULT '',
	baseline       DOUBLE PRECISION,
	baseline_year  INTEGER NOT NULL DEFAULT 0,
	disaggregation TEXT NOT NULL DEFAULT '',
	data_source    TEXT NOT NULL DEFAULT '',
	measure        TEXT NOT NULL DEFAULT '',
	measure_filter TEXT NOT NULL DEFAULT '',
	pos            INTEGER NOT NULL
);
CREATE UNIQUE INDEX coord_indicators_code ON coord_indicators (plan_id, code);

CREATE TABLE coord_targets (
	indicator_id TEXT NOT NULL REFERENCES coord_indicators (id),
	year         INTEGER NOT NULL,
	value        DOUBLE PRECISION NOT NULL,
	PRIMARY KEY (indicator_id, year)
);

-- A typed value of a manual indicator for one year.
CREATE TABLE coord_measurements (
	indicator_id TEXT NOT NULL REFERENCES coord_indicators (id),
	year         INTEGER NOT NULL,
	value        DOUBLE PRECISION NOT NULL,
	PRIMARY KEY (indicator_id, year)
);

-- One report per activity and quarter, by the lead institution.
-- status: completed | partially_completed | in_progress | not_started |
-- not_completed | cancelled. state: submitted | validated | returned.
CREATE TABLE coord_progress (
	id              TEXT PRIMARY KEY,
	activity_id     TEXT NOT NULL REFERENCES coord_activities (id),
	plan_id         TEXT NOT NULL REFERENCES coord_plans (id),
	period          TEXT NOT NULL,
	org_id          TEXT NOT NULL,
	status          TEXT NOT NULL,
	percent         INTEGER NOT NULL,
	narrative       TEXT NOT NULL DEFAULT '',
	expenditure_eur INTEGER NOT NULL DEFAULT 0,
	obstacles       TEXT NOT NULL DEFAULT '',
	state           TEXT NOT NULL DEFAULT 'submitted',
	review_comment  TEXT NOT NULL DEFAULT '',
	submitted_by    TEXT NOT NULL,
	submitted_at    TEXT NOT NULL,
	reviewed_by     TEXT NOT NULL DEFAULT '',
	reviewed_at     TEXT,
	version         INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX coord_progress_period ON coord_progress (activity_id, period);
CREATE INDEX coord_progress_plan ON coord_progress (plan_id, period);

-- Evidence documents of a progress report, sealed with a data key of the
-- report's own.
CREATE TABLE coord_evidence (
	id          TEXT PRIMARY KEY,
	progress_id TEXT NOT NULL REFERENCES coord_progress (id),
	key_id      TEXT NOT NULL,
	name        TEXT NOT NULL,
	media_type  TEXT NOT NULL,
	size        INTEGER NOT NULL,
	body_enc    BLOB NOT NULL,
	created_at  TEXT NOT NULL
);
CREATE INDEX coord_evidence_progress ON coord_evidence (progress_id);

-- issuer: greta | us_tip | ec_report | osce | ombudsperson | cso_coalition.
CREATE TABLE coord_assessments (
	id         TEXT PRIMARY KEY,
	issuer     TEXT NOT NULL,
	title      TEXT NOT NULL,
	year       INTEGER NOT NULL,
	url        TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
);

-- follow_up: open | in_progress | implemented | partially_implemented | not_implemented.
CREATE TABLE coord_recommendations (
	id            TEXT PRIMARY KEY,
	assessment_id TEXT NOT NULL REFERENCES coord_assessments (id),
	code          TEXT NOT NULL DEFAULT '',
	body          TEXT NOT NULL,
	priority      TEXT NOT NULL DEFAULT 'medium',
	follow_up     TEXT NOT NULL DEFAULT 'open',
	created_at    TEXT NOT NULL
);
CREATE INDEX coord_recommendations_assessment ON coord_recommendations (assessment_id);

CREATE TABLE coord_rec_links (
	recommendation_id TEXT NOT NULL REFERENCES coord_recommendations (id),
	activity_id       TEXT NOT NULL REFERENCES coord_activities (id),
	PRIMARY KEY (recommendation_id, activity_id)
);
CREATE INDEX coord_rec_links_activity ON coord_rec_links (activity_id);

-- The civil-society organisations that monitor a plan, and their comments.
CREATE TABLE coord_monitors (
	plan_id TEXT NOT NULL REFERENCES coord_plans (id),
	org_id  TEXT NOT NULL,
	PRIMARY KEY (plan_id, org_id)
);
CREATE INDEX coord_monitors_org ON coord_monitors (org_id);

CREATE TABLE coord_comments (
	id         TEXT PRIMARY KEY,
	plan_id    TEXT NOT NULL REFERENCES coord_plans (id),
	org_id     TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX coord_comments_plan ON coord_comments (plan_id, created_at);

-- Alerts already sent (an overdue activity, a late report), so each is sent once.
CREATE TABLE coord_alerts (
	alert_key  TEXT PRIMARY KEY,
	created_at TEXT NOT NULL
);

-- Trainings tied to plan activities. type: initial | in_service | tot | online.
CREATE TABLE coord_trainings (
	id           TEXT PRIMARY KEY,
	title        TEXT NOT NULL,
	topic        TEXT NOT NULL,
	type         TEXT NOT NULL,
	activity_id  TEXT REFERENCES coord_activities (id),
	organiser_id TEXT NOT NULL DEFAULT '',
	starts_on    TEXT NOT NULL,
	hours        INTEGER NOT NULL DEFAULT 0,
	venue        TEXT NOT NULL DEFAULT '',
	trainers     TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL
);

-- Participants by institution, position and sex; the name is optional and
-- sealed with the training's participant key. Scores 0–100.
CREATE TABLE coord_participants (
	id           TEXT PRIMARY KEY,
	training_id  TEXT NOT NULL REFERENCES coord_trainings (id),
	org_id       TEXT NOT NULL,
	position     TEXT NOT NULL DEFAULT '',
	sex          TEXT NOT NULL,
	key_id       TEXT NOT NULL DEFAULT '',
	name_enc     BLOB,
	pre_score    INTEGER,
	post_score   INTEGER,
	certificate  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX coord_participants_training ON coord_participants (training_id);

-- Awareness campaigns tied to plan activities, and their events.
CREATE TABLE coord_campaigns (
	id          TEXT PRIMARY KEY,
	title       TEXT NOT NULL,
	theme       TEXT NOT NULL DEFAULT '',
	audience    TEXT NOT NULL DEFAULT '',
	channels    TEXT NOT NULL DEFAULT '',
	activity_id TEXT REFERENCES coord_activities (id),
	starts_on   TEXT NOT NULL,
	ends_on     TEXT NOT NULL,
	budget_eur  INTEGER NOT NULL DEFAULT 0,
	created_at  TEXT NOT NULL
);

CREATE TABLE coord_campaign_events (
	id          TEXT PRIMARY KEY,
	campaign_id TEXT NOT NULL REFERENCES coord_campaigns (id),
	held_on     TEXT NOT NULL,
	place       TEXT NOT NULL DEFAULT '',
	reach       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX coord_campaign_events_campaign ON coord_campaign_events (campaign_id);
