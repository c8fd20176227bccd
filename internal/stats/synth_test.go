package stats_test

import (
	"context"
	"github.com/ura-nrm/ura/internal/disclosure"
	"github.com/ura-nrm/ura/internal/gbv"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/clocks"
	"github.com/ura-nrm/ura/internal/referral"
	"github.com/ura-nrm/ura/internal/stats"
)

// synthRecord is one counted thing of the synthetic data set: a measure,
// its codes by dimension (month included) and a value.
type synthRecord struct {
	measure string
	keys    map[string]string
	value   float64
}

// synthSource answers the real sources' measures from a fixed list of
// records drawn with a seeded generator: the same data on every run.
type synthSource struct {
	measures []stats.Measure
	records  []synthRecord
}

func (s *synthSource) Measures() []stats.Measure { return s.measures }

func (s *synthSource) Answer(_ context.Context, q stats.Query) ([]stats.Row, error) {
	m := slices.IndexFunc(s.measures, func(m stats.Measure) bool { return m.Name == q.Measure })
	kind := s.measures[m].Kind
	sum := map[string]float64{}
	n := map[string]float64{}
	keys := map[string][]string{}
	for _, r := range s.records {
		if r.measure != q.Measure {
			continue
		}
		if s.measures[m].Period && (r.keys["month"] < q.From || r.keys["month"] > q.To) {
			continue
		}
		if len(q.Municipalities) > 0 && !slices.Contains(q.Municipalities, r.keys["municipality"]) {
			continue
		}
		var k []string
		for _, d := range q.By {
			k = append(k, r.keys[d])
		}
		id := strings.Join(k, "\x00")
		sum[id] += r.value
		n[id]++
		keys[id] = k
	}
	var out []stats.Row
	for id, v := range sum {
		if kind != stats.Count {
			v /= n[id]
		}
		out = append(out, stats.Row{Keys: keys[id], Value: v})
	}
	return out, nil
}

// synthService is a statistics service over the synthetic data set: 400
// cases over 2024–2026 shaped like DOMAIN §6 (mostly girls and women,
// mostly sexual exploitation, mostly Kosovo citizens), their referrals,
// admissions, clocks, overdue tasks and a year of shelter occupancy.
func synthService() *stats.Service {
	s := stats.New(clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)))
	s.Releases = &memReleases{}
	src := &synthSource{}
	for _, m := range []stats.Source{(&cases.Service{}).StatsSource(), (&referral.Service{}).StatsSource(), (&clocks.Service{}).StatsSource(), (&gbv.Service{}).StatsSource()} {
		src.measures = append(src.measures, m.Measures()...)
	}
	rng := rand.New(rand.NewPCG(15, 2026))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	month := func() string {
		return time.Date(2024+rng.IntN(3), time.Month(1+rng.IntN(12)), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	}
	add := func(measure string, value float64, kv ...string) {
		k := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			k[kv[i]] = kv[i+1]
		}
		src.records = append(src.records, synthRecord{measure, k, value})
	}
	for range 400 {
		status := pick("possible", "presumed", "presumed", "identified", "identified", "not_a_victim")
		sex := pick("female", "female", "female", "female", "male", "unknown")
		band := pick("0-11", "12-14", "15-17", "15-17", "18-24", "25-34", "35-49", "50+", "unknown")
		child := "adult"
		if band == "0-11" || band == "12-14" || band == "15-17" {
			child = "child"
		}
		cit := pick("XK", "XK", "XK", "XK", "AL", "RS", "MD", "RO", "DE", "BD", "unknown")
		inst := "none"
		if status == "identified" {
			inst = pick("Police", "Police", "NGO", "CourtOrProsecution")
		}
		stage := pick("screening", "presumed_victim", "assistance_active", "returned", "closed")
		m := month()
		form := pick("SexualExploitation", "SexualExploitation", "SexualExploitation", "ForcedLabour", "ForcedBegging", "ForcedMarriage", "OrganRemoval", "none")
		add(cases.MeasureVictims, 1, "status", status, "sex", sex, "age_band", band, "child", child, "citizenship", cit,
			"institution", inst, "stage", stage, "month", m, "exploitation", form, "municipality", pick("Prishtinë", "Prizren", "Pejë"))
		if stage != "closed" {
			add(cases.MeasureOpenCases, 1, "stage", stage)
		}
	}
	for range 300 {
		typ := pick(referral.Types...)
		m := month()
		add(referral.MeasureReferrals, 1, "service_type", typ, "state", pick("pending", "accepted", "declined", "completed"), "month", m)
		add(referral.MeasureAnswerHours, float64(1+rng.IntN(96)), "service_type", typ, "month", m)
	}
	for range 80 {
		add(referral.MeasureAdmissions, 1, "service_type", pick("thb_shelter", "child_shelter", "secure_facility", "dv_shelter"), "month", month())
		add(clocks.MeasureLegalClocks, 1, "clock_kind", pick("reflection", "reflection", "residence_permit"), "month", month())
	}
	for range 25 {
		add(clocks.MeasureOverdue, 1, "task_kind", string(pick(kindStrings()...)))
	}
	for range 150 {
		typ := pick("rape", "sexual_assault", "physical_assault", "physical_assault", "physical_assault", "forced_marriage",
			"denial_of_resources", "psychological_abuse", "psychological_abuse")
		kv := []string{"gbv_type", typ, "gbv_context", pick("intimate_partner", "intimate_partner", "family_member", "early_forced_marriage", "trafficking"),
			"age_band", pick("15-17", "18-24", "25-34", "25-34", "35-49", "50+"), "sex", pick("female", "female", "female", "male"),
			"month", month(), "municipality", pick("Prishtinë", "Prizren", "Pejë")}
		add(gbv.MeasureIncidents, 1, kv...)
		add(gbv.MeasureSurvivors, 1, kv...)
	}
	for mo := 1; mo <= 12; mo++ {
		m := time.Date(2025, time.Month(mo), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
		add(referral.MeasureOccupancy, float64(20+rng.IntN(30)), "beds", "occupied", "month", m)
		add(referral.MeasureOccupancy, 70, "beds", "available", "month", m)
	}
	s.Sources.Register(src)
	return s
}

func kindStrings() []string {
	var out []string
	for _, k := range clocks.Kinds {
		out = append(out, string(k))
	}
	return out
}

// memReleases keeps the releases a report records, in memory (the ledger
// itself is tested in internal/disclosure and, through the reports, by
// TestReportReleases).
type memReleases struct{ rs []disclosure.Release }

func (m *memReleases) Record(_ context.Context, rs []disclosure.Release) error {
	m.rs = append(m.rs, rs...)
	return nil
}
