-- Safe publication (internal/disclosure): the ledger of every release of a
-- table outside the coordinator's office, the privacy budget spent per report
-- family and year, and which version (raw or protected) of each table each
-- audience has received. Only codes and counts: no personal value.

-- One row per release: who released which table of which report, for which
-- period and audience, with which protection. ε is kept in millionths
-- (epsilon_micro) so that sums are exact on both engines.
CREATE TABLE disclosure_releases (
	id            TEXT PRIMARY KEY,
	released_at   TEXT NOT NULL,
	released_by   TEXT NOT NULL,              -- user id
	report        TEXT NOT NULL,              -- report family: greta, eurostat, tip, plan, dashboard, ...
	table_name    TEXT NOT NULL,
	period        TEXT NOT NULL,              -- e.g. 2026-01-01/2026-12-31
	audience      TEXT NOT NULL,              -- office | analyst | partner | public
	method        TEXT NOT NULL,              -- none | suppress | round | dp
	k             INTEGER NOT NULL DEFAULT 0,
	base          INTEGER NOT NULL DEFAULT 0,
	epsilon_micro INTEGER NOT NULL DEFAULT 0,
	charged_year  INTEGER NOT NULL
);
CREATE INDEX disclosure_releases_report ON disclosure_releases (report, charged_year, released_at);

-- The privacy budget spent per report family and year. A release adds its ε
-- with one conditional UPDATE (spent + ε ≤ budget), so two releases at once
-- can never pass the budget together, on either engine.
CREATE TABLE disclosure_budgets (
	report      TEXT NOT NULL,
	year        INTEGER NOT NULL,
	spent_micro INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (report, year)
);

-- The version of a table an audience has received: raw or protected. The
-- first release fixes it; a release of the other version to the same
-- audience is refused.
CREATE TABLE disclosure_exposures (
	report     TEXT NOT NULL,
	table_name TEXT NOT NULL,
	period     TEXT NOT NULL,
	audience   TEXT NOT NULL,
	version    TEXT NOT NULL,                 -- raw | protected
	first_at   TEXT NOT NULL,
	PRIMARY KEY (report, table_name, period, audience)
);
