-- Audit: an index for organisation administrators, who list their own
-- organisation's events (audit.Find with OrgID), newest first.
CREATE INDEX audit_events_org ON audit_events (actor_org, seq);
