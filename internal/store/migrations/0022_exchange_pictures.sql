-- The regional picture (internal/exchange): each country's protected
-- aggregate table of a year (victims by citizenship, form and country of
-- exploitation), the one this instance sent and the ones partners sent.
-- Aggregates only, already protected before they left (suppression or
-- differential privacy, stated in method, k and epsilon): never a record.
-- One row per country and year: a newer table replaces the older one.
CREATE TABLE exchange_pictures (
	country     TEXT NOT NULL,
	year        INTEGER NOT NULL,
	direction   TEXT NOT NULL,
	message_id  TEXT NOT NULL,
	method      TEXT NOT NULL,
	k           INTEGER NOT NULL DEFAULT 0,
	epsilon     TEXT NOT NULL DEFAULT '',
	body        TEXT NOT NULL,
	received_at TEXT NOT NULL,
	PRIMARY KEY (country, year)
);
