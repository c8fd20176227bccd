package portal

import (
	"strings"
	"testing"
	"time"
)

// TestCatalogues fails when a portal catalogue misses a key of the source
// (English) or has one the source does not, and checks the placeholders
// and the review flags: English is the source, every other language is
// marked as machine-translated until a translator reviews it.
func TestCatalogues(t *testing.T) {
	cats, err := LoadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	for l, problems := range MissingKeys(cats) {
		t.Errorf("%s: %s", l, strings.Join(problems, ", "))
	}
	for _, l := range Langs {
		for k, m := range cats[l] {
			for _, ph := range []string{"{time}", "{day}", "{max}"} {
				if strings.Contains(cats[Source][k].Text, ph) != strings.Contains(m.Text, ph) {
					t.Errorf("%s %s: placeholder %s", l, k, ph)
				}
			}
			if l == Source && !m.Reviewed {
				t.Errorf("en %s: the source text is marked unreviewed", k)
			}
		}
	}
	// A catalogue with a key removed is caught.
	delete(cats[Turkish], "tip.submit")
	if m := MissingKeys(cats); len(m[Turkish]) != 1 {
		t.Errorf("a missing key is not found: %v", m)
	}
	if cyr := cats[SerbianCyrillic]["layout.exit"].Text; cyr != "Брзи излаз" {
		t.Errorf("sr-Cyrl made from sr-Latn: %q", cyr)
	}
}

func TestLangs(t *testing.T) {
	for in, want := range map[string]Lang{"ar": Arabic, "FA": Farsi, "prs": Farsi, "sr": SerbianCyrillic, "sr_latn": SerbianLatin, "ps": Pashto} {
		if got, ok := ParseLang(in); !ok || got != want {
			t.Errorf("ParseLang(%q) = %q", in, got)
		}
	}
	if _, ok := ParseLang("de"); ok {
		t.Error("de accepted")
	}
	for in, want := range map[string]Lang{"": English, "ro-RO,ro;q=0.9": Romanian, "ar-SY": Arabic, "fa-AF": Farsi,
		"de-DE": English, "sr-Latn-RS": SerbianLatin, "hr": SerbianLatin, "tr": Turkish, "ps-AF": Pashto} {
		if got := MatchLang(in); got != want {
			t.Errorf("MatchLang(%q) = %q, want %q", in, got, want)
		}
	}
	for _, l := range []Lang{Arabic, Farsi, Pashto} {
		if Dir(l) != "rtl" {
			t.Errorf("%s is not rtl", l)
		}
	}
}

func TestHours(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Belgrade")
	h, err := ParseHours("mon-fri 08:00-22:00; sat 09:00-13:00")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time { v, _ := time.ParseInLocation("2006-01-02 15:04", s, loc); return v }
	for _, c := range []struct {
		now  string
		open bool
		next string
	}{
		{"2026-12-07 08:00", true, ""},                  // Monday
		{"2026-12-07 07:59", false, "2026-12-07 08:00"}, // before opening
		{"2026-12-11 22:00", false, "2026-12-12 09:00"}, // Friday night → Saturday
		{"2026-12-12 13:30", false, "2026-12-14 08:00"}, // Saturday afternoon → Monday
		{"2026-12-13 12:00", false, "2026-12-14 08:00"}, // Sunday
	} {
		if got := h.OpenAt(at(c.now)); got != c.open {
			t.Errorf("%s open %v", c.now, got)
		}
		if c.next != "" && !h.NextOpen(at(c.now)).Equal(at(c.next)) {
			t.Errorf("%s reopens %v, want %s", c.now, h.NextOpen(at(c.now)), c.next)
		}
	}
	if s := h.Spans(); len(s) != 2 || s[0].From != time.Monday || s[0].To != time.Friday || s[1].Open() != "09:00" {
		t.Errorf("spans %+v", s)
	}
	if a, err := ParseHours("24/7"); err != nil || !a.Always || !a.OpenAt(at("2026-12-13 03:00")) {
		t.Errorf("24/7: %+v %v", a, err)
	}
	for _, bad := range []string{"", "mon-fri", "mon-fri 22:00-08:00", "xyz 08:00-09:00", "mon 25:00-26:00"} {
		if _, err := ParseHours(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestGuard(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	g := NewGuard(Limits{TipsPerClient: 2, TipsPerClientPoW: 4, TipsOverall: 100, CodesPerClient: 3, CodesOverall: 100}, clock)
	g.Difficulty = 8
	// Proof of work: solved once, refused when replayed, forged or expired.
	c := g.Challenge()
	n := Solve(c)
	if !g.CheckPoW(c, n) {
		t.Fatal("a solved challenge is refused")
	}
	if g.CheckPoW(c, n) {
		t.Error("a spent challenge is accepted again")
	}
	c2 := g.Challenge()
	if g.CheckPoW(strings.Replace(c2, ".8.", ".1.", 1), Solve(c2)) {
		t.Error("a challenge with its difficulty changed is accepted")
	}
	c3 := g.Challenge()
	now = now.Add(11 * time.Minute)
	if g.CheckPoW(c3, Solve(c3)) {
		t.Error("an expired challenge is accepted")
	}
	// Rate limits per client: two without proof of work, more with it.
	if !g.AllowTip("a", false) || !g.AllowTip("a", false) || g.AllowTip("a", false) {
		t.Error("plain limit")
	}
	if !g.AllowTip("b", false) {
		t.Error("another client is held back")
	}
	if !g.AllowTip("a", true) {
		t.Error("a proof of work does not earn its allowance")
	}
	for range 3 {
		g.AllowCode("c")
	}
	if g.AllowCode("c") {
		t.Error("code guesses are not limited")
	}
	// The thank-you page's code is shown once.
	tok := g.Thanks("ACDE-FGHJ-KMNP-QRTU")
	if code, ok := g.TakeThanks(tok); !ok || code != "ACDE-FGHJ-KMNP-QRTU" {
		t.Error("thanks token")
	}
	if _, ok := g.TakeThanks(tok); ok {
		t.Error("the code is shown twice")
	}
	if strings.Contains(g.client("198.51.100.23"), "198") {
		t.Error("the client key shows the address")
	}
}

func TestAssess(t *testing.T) {
	res, w := Assess(map[string]string{"passport": "yes", "contract": "yes", "pay": "unsure", "fee": "maybe"})
	if w != 2 || len(res) != 3 {
		t.Errorf("%d warnings in %+v", w, res)
	}
}
