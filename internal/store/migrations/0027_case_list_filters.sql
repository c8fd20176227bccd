-- The case list filtered by a selective column (docs/benchmarks.md, "Scale"):
-- an actor with many cases browses newest first and keeps its own, so a
-- filter that matches few of them (a citizenship, a municipality, a country
-- of exploitation) walked the whole store newest first — 1.44 s at a million
-- cases for a citizenship none of the officer's cases has. With the filter
-- column leading and updated_at after it, the walk reads only the matching
-- cases, already in the list's order (as cases_stage does for the stage).
CREATE INDEX IF NOT EXISTS cases_citizenship ON cases (citizenship, updated_at);
CREATE INDEX IF NOT EXISTS cases_municipality ON cases (municipality, updated_at);
CREATE INDEX IF NOT EXISTS cases_exploitation_country ON cases (exploitation_country, updated_at);
