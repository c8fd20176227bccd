package stats_test

import (
	"context"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/disclosure"
	"github.com/ura-nrm/ura/internal/stats"
)

// pictureSource answers the victims measure with fixed counts by status,
// citizenship, form and country of exploitation.
type pictureSource struct{ asked []stats.Query }

func (p *pictureSource) Measures() []stats.Measure {
	for _, m := range (&cases.Service{}).StatsSource().Measures() {
		if m.Name == "victims" {
			return []stats.Measure{m}
		}
	}
	return nil
}

func (p *pictureSource) Answer(_ context.Context, q stats.Query) ([]stats.Row, error) {
	p.asked = append(p.asked, q)
	r := func(v float64, k ...string) stats.Row { return stats.Row{Keys: k, Value: v} }
	return []stats.Row{
		r(1, "identified", "ME", "ForcedMarriage", "XK"),
		r(1, "presumed", "ME", "ForcedBegging", "XK"),
		r(25, "identified", "AL", "SexualExploitation", "XK"),
		r(12, "identified", "AL", "SexualExploitation", "AL"),
		r(3, "identified", "AL", "ForcedLabour", "AL"),
		r(30, "identified", "XK", "ForcedLabour", "XK"),
		r(40, "presumed", "XK", "SexualExploitation", "XK"),
		r(100, "possible", "XK", "SexualExploitation", "XK"),  // not identified: not counted
		r(7, "not_a_victim", "RS", "ForcedLabour", "unknown"), // not a victim: not counted
	}, nil
}

func pictureService() (*stats.Service, *pictureSource, *memReleases) {
	s := stats.New(clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)))
	src, rel := &pictureSource{}, &memReleases{}
	s.Sources.Register(src)
	s.Releases = rel
	return s, src, rel
}

// TestRegionalPictureSuppressed: the picture counts identified and presumed
// victims of the year by citizenship, form and country of exploitation,
// suppresses every count under K (and what would give it away), records
// the release for partners in the ledger, and nothing under K leaves.
func TestRegionalPictureSuppressed(t *testing.T) {
	ctx := context.Background()
	s, src, rel := pictureService()
	coord := access.Actor{UserID: "u1", Role: access.Coordinator}
	p, err := s.RegionalPicture(ctx, coord, 2025, disclosure.Suppress)
	if err != nil {
		t.Fatal(err)
	}
	if q := src.asked[0]; q.From != "2025-01" || q.To != "2025-12" || len(q.By) != 4 || q.By[3] != cases.DimExploitationCountry {
		t.Errorf("asked %+v", q)
	}
	if p.Method != disclosure.Suppress || p.K != 10 || p.Epsilon != 0 {
		t.Errorf("protection %+v", p)
	}
	if err := stats.CheckPicture(p); err != nil {
		t.Fatal(err)
	}
	shown, suppressed := 0, 0
	for _, c := range p.Cells {
		if c.Suppressed {
			suppressed++
			if c.Count != 0 {
				t.Errorf("a suppressed cell carries its count: %+v", c)
			}
			continue
		}
		if c.Count > 0 && c.Count < 10 {
			t.Errorf("a count under the threshold leaves: %+v", c)
		}
		if c.Citizenship == "ME" {
			t.Errorf("a cell of one Montenegrin child is shown: %+v", c)
		}
		shown += c.Count
	}
	if suppressed < 3 {
		t.Errorf("%d cells suppressed, want the three small ones at least: %+v", suppressed, p.Cells)
	}
	if shown >= 100 {
		t.Errorf("possible victims or non-victims counted: %d shown", shown)
	}
	if len(rel.rs) != 1 || rel.rs[0].Audience != disclosure.Partner || rel.rs[0].Report != stats.PictureReport ||
		rel.rs[0].Year != 2025 || rel.rs[0].Policy.Method != disclosure.Suppress {
		t.Errorf("releases %+v", rel.rs)
	}
}

// TestRegionalPictureNoisy: a noisy picture states its ε, charges it to
// the ledger, suppresses nothing; a raw picture is never made; an actor
// without the statistics is refused.
func TestRegionalPictureNoisy(t *testing.T) {
	ctx := context.Background()
	s, _, rel := pictureService()
	coord := access.Actor{UserID: "u1", Role: access.Coordinator}
	p, err := s.RegionalPicture(ctx, coord, 2025, disclosure.Noise)
	if err != nil {
		t.Fatal(err)
	}
	if p.Epsilon != 0.5 || p.K != 0 || stats.CheckPicture(p) != nil {
		t.Errorf("noisy picture %+v", p)
	}
	if len(rel.rs) != 1 || rel.rs[0].Policy.Method != disclosure.Noise || rel.rs[0].Policy.Epsilon != 0.5 {
		t.Errorf("releases %+v", rel.rs)
	}
	for _, m := range []disclosure.Method{disclosure.None, disclosure.Round, ""} {
		if _, err := s.RegionalPicture(ctx, coord, 2025, m); err == nil {
			t.Errorf("a picture protected by %q was made", m)
		}
	}
	if _, err := s.RegionalPicture(ctx, access.Actor{UserID: "u2", Role: access.Provider}, 2025, disclosure.Suppress); err == nil {
		t.Error("a provider made the regional picture")
	}
	if _, err := s.RegionalPicture(ctx, coord, 1999, disclosure.Suppress); err == nil {
		t.Error("a picture of 1999 was made")
	}
}

// TestCheckPicture: the rule both sides apply.
func TestCheckPicture(t *testing.T) {
	for _, c := range []struct {
		p  stats.Picture
		ok bool
	}{
		{stats.Picture{Method: disclosure.Suppress, K: 10, Cells: []stats.PictureCell{{Count: 10}, {Suppressed: true}}}, true},
		{stats.Picture{Method: disclosure.Suppress, K: 10, Cells: []stats.PictureCell{{Count: 3}}}, false},
		{stats.Picture{Method: disclosure.Suppress, K: 10, Cells: []stats.PictureCell{{Count: 3, Suppressed: true}}}, false},
		{stats.Picture{Method: disclosure.Suppress, Cells: []stats.PictureCell{{Count: 30}}}, false},
		{stats.Picture{Method: disclosure.Noise, Epsilon: 0.5, Cells: []stats.PictureCell{{Count: 3}}}, true},
		{stats.Picture{Method: disclosure.Noise, Cells: []stats.PictureCell{{Count: 3}}}, false},
		{stats.Picture{Method: disclosure.None, Cells: []stats.PictureCell{{Count: 30}}}, false},
	} {
		if err := stats.CheckPicture(&c.p); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.p, err)
		}
	}
}
