-- The statistics' count of helpline contacts by topic category over a
-- period of months (and, when asked, some municipalities), answered from
-- this index alone: at 2,000,000 contacts the dashboard's panel read the
-- table's rows (670 ms on SQLite); the index holds every column it asks.
CREATE INDEX helpline_contacts_stats ON helpline_contacts (month, category, municipality, channel, caller_type, language);
