package loadgen

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/access"
)

func TestChooseFollowsWeights(t *testing.T) {
	for _, tc := range []struct {
		name  string
		mix   []Weighted
		avail func(string) bool
		want  map[string]float64 // expected share of each action
	}{
		{"one", []Weighted{{"a", 5}}, nil, map[string]float64{"a": 1}},
		{"even", []Weighted{{"a", 1}, {"b", 1}}, nil, map[string]float64{"a": .5, "b": .5}},
		{"uneven", []Weighted{{"a", 70}, {"b", 20}, {"c", 10}}, nil, map[string]float64{"a": .7, "b": .2, "c": .1}},
		{"zero weight never drawn", []Weighted{{"a", 3}, {"b", 0}, {"c", 1}}, nil, map[string]float64{"a": .75, "c": .25}},
		{"unavailable left out, others renormalised", []Weighted{{"a", 50}, {"b", 25}, {"c", 25}},
			func(a string) bool { return a != "a" }, map[string]float64{"b": .5, "c": .5}},
		{"police without cases", Mix(access.Police), func(a string) bool { return !needsCase[a] },
			map[string]float64{ActSearch: 12. / 45, ActInbox: 8. / 45, ActDashboard: 15. / 45, ActCaseList: 5. / 45, ActNotifications: 5. / 45}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 200_000
			rng := rand.New(rand.NewPCG(42, 1))
			got := map[string]int{}
			for range n {
				a, ok := Choose(rng, tc.mix, tc.avail)
				if !ok {
					t.Fatal("nothing chosen")
				}
				got[a]++
			}
			for a, c := range got {
				if _, ok := tc.want[a]; !ok {
					t.Errorf("drew %q %d times; it must never be drawn", a, c)
				}
			}
			for a, share := range tc.want {
				// Five standard deviations of a binomial: a correct
				// sampler fails this about once in three million runs.
				sd := math.Sqrt(share * (1 - share) / n)
				if d := math.Abs(float64(got[a])/n - share); d > 5*sd+1e-9 {
					t.Errorf("%q drawn %.4f of the time, want %.4f (±%.4f)", a, float64(got[a])/n, share, 5*sd)
				}
			}
		})
	}
}

func TestChooseNothingAvailable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct {
		name  string
		mix   []Weighted
		avail func(string) bool
	}{
		{"empty mix", nil, nil},
		{"all weights zero", []Weighted{{"a", 0}}, nil},
		{"none available", []Weighted{{"a", 1}, {"b", 2}}, func(string) bool { return false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if a, ok := Choose(rng, tc.mix, tc.avail); ok {
				t.Errorf("chose %q", a)
			}
		})
	}
}

// TestMixFollowsPolicy checks each role's mix against the access policy:
// only actions whose every step the role may take, and the ones expected.
func TestMixFollowsPolicy(t *testing.T) {
	for _, tc := range []struct {
		role access.Role
		want []string
	}{
		{access.Police, []string{ActCaseOpen, ActTimeline, ActSearch, ActNote, ActRefer, ActInbox, ActDashboard, ActCaseList, ActNotifications}},
		{access.SocialWorker, []string{ActCaseOpen, ActTimeline, ActSearch, ActNote, ActRefer, ActInbox, ActAnswer, ActDashboard, ActCaseList, ActNotifications}},
		{access.Shelter, []string{ActCaseOpen, ActTimeline, ActSearch, ActNote, ActInbox, ActAnswer, ActDashboard, ActCaseList, ActNotifications}},
		{access.NGO, []string{ActCaseOpen, ActTimeline, ActSearch, ActNote, ActInbox, ActAnswer, ActDashboard, ActCaseList, ActNotifications}},
		{access.Advocate, []string{ActCaseOpen, ActTimeline, ActSearch, ActNote, ActInbox, ActAnswer, ActDashboard, ActCaseList, ActNotifications}},
		{access.Prosecutor, []string{ActCaseOpen, ActTimeline, ActSearch, ActNote, ActInbox, ActDashboard, ActCaseList, ActNotifications}},
		{access.Helpline, []string{ActCaseOpen, ActTimeline, ActSearch, ActNote, ActInbox, ActDashboard, ActCaseList, ActNotifications}},
		{access.Coordinator, []string{ActCaseOpen, ActTimeline, ActCaseList, ActInbox, ActDashboard, ActNotifications}},
		{access.Analyst, []string{ActDashboard, ActNotifications}},
		{access.Admin, []string{ActDashboard}},
	} {
		t.Run(string(tc.role), func(t *testing.T) {
			var got []string
			for _, w := range Mix(tc.role) {
				if w.Weight <= 0 {
					t.Errorf("%s has weight %d", w.Action, w.Weight)
				}
				for _, act := range needs[w.Action] {
					if !access.Can(access.Actor{Role: tc.role}, act) {
						t.Errorf("%s: the policy denies %s, a step of %s", tc.role, act, w.Action)
					}
				}
				got = append(got, w.Action)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) {
				t.Errorf("mix of %s = %v, want %v", tc.role, got, want)
			}
		})
	}
}

// TestMixNamesKnownActions guards the tables against a typo.
func TestMixNamesKnownActions(t *testing.T) {
	for role, mix := range roleMix {
		for _, w := range mix {
			if _, ok := needs[w.Action]; !ok {
				t.Errorf("%s: action %q has no policy steps", role, w.Action)
			}
		}
	}
	for _, r := range LoadRoles {
		if _, ok := roleMix[r]; !ok {
			t.Errorf("load role %s has no mix", r)
		}
		if _, ok := orgTypeOf[r]; !ok {
			t.Errorf("load role %s has no organisation type", r)
		}
	}
}

func TestCheckLoopback(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://127.0.0.1:8080/", true},
		{"http://127.1.2.3:9000", true},
		{"http://[::1]:8080", true},
		{"http://localhost:8080", true},
		{"https://LOCALHOST", true},
		{"http://10.0.0.5:8080", false},
		{"http://192.168.1.10", false},
		{"http://[::2]:8080", false},
		{"http://0.0.0.0:8080", false},
		{"http://example.org", false},
		{"http://localhost.example.org", false},
		{"http://127.0.0.1.nip.io", false},
		{"ftp://127.0.0.1", false},
		{"127.0.0.1:8080", false},
		{"http://127.0.0.1:8080/cases", false},
		{"http://user:pw@127.0.0.1:8080", false},
		{"", false},
	} {
		_, err := CheckLoopback(tc.url)
		if (err == nil) != tc.ok {
			t.Errorf("CheckLoopback(%q) = %v, want ok=%v", tc.url, err, tc.ok)
		}
	}
}

func TestParseThink(t *testing.T) {
	for _, tc := range []struct {
		in     string
		lo, hi time.Duration
		ok     bool
	}{
		{"0", 0, 0, true},
		{"", 0, 0, true},
		{"1s", time.Second, time.Second, true},
		{"500ms-2s", 500 * time.Millisecond, 2 * time.Second, true},
		{"0s-100ms", 0, 100 * time.Millisecond, true},
		{"2s-1s", 0, 0, false},
		{"fast", 0, 0, false},
		{"1s-", 0, 0, false},
	} {
		lo, hi, err := ParseThink(tc.in)
		if (err == nil) != tc.ok || lo != tc.lo || hi != tc.hi {
			t.Errorf("ParseThink(%q) = %v, %v, %v", tc.in, lo, hi, err)
		}
	}
}
