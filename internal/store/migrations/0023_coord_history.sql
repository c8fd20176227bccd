-- Coordination (internal/coord): the readable history of the plans, the
-- recommendations and the trainings and campaigns — who changed what, as
-- codes (an event, the changed fields), rendered as translated sentences.
-- topic: plan | recommendations | trainings. plan_id is '' outside a plan.
-- subject is the item's own code or title as the secretariat typed it;
-- fields lists the changed fields' codes, comma-separated.
CREATE TABLE coord_history (
	id       TEXT PRIMARY KEY,
	topic    TEXT NOT NULL,
	plan_id  TEXT NOT NULL DEFAULT '',
	at       TEXT NOT NULL,
	org_id   TEXT NOT NULL DEFAULT '',
	user_id  TEXT NOT NULL DEFAULT '',
	event    TEXT NOT NULL,
	subject  TEXT NOT NULL DEFAULT '',
	fields   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX coord_history_plan ON coord_history (topic, plan_id, at);

-- A campaign the public portal may point to: only its title, theme and
-- dates are shown there, and only while it runs.
ALTER TABLE coord_campaigns ADD COLUMN public INTEGER NOT NULL DEFAULT 0;
