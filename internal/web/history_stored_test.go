package web

import (
	"context"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/demo/scale"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/store"
)

// historyFallbacks are the sentences that leave out what the summary said:
// a stored row should never need one.
var historyFallbacks = map[string]bool{"history.unknown": true, "history.other": true, "history.referral.other": true,
	"history.plan": true, "history.consent": true, "history.team": true, "history.stage_changed": true, "history.update": true}

// The rows already stored read as sentences: the demo's cases (written by
// the services, version 2) and the bulk generator's (internal/demo/scale,
// version 1), every kind and summary among them, in every language; and
// every audit action they hold has its sentence.
func TestStoredHistoryReadsAsSentences(t *testing.T) {
	ctx := context.Background()
	a, _ := apptest.Open(t, store.SQLite)
	if _, err := demo.Load(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := scale.Load(ctx, a, scale.Options{Cases: 60, Batch: 60, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	rows, err := a.DB.Read().QueryContext(ctx, `SELECT DISTINCT kind, summary FROM case_events`)
	if err != nil {
		t.Fatal(err)
	}
	type entry struct{ kind, summary string }
	var entries []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.kind, &e.summary); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	rows.Close()
	t.Logf("%d distinct stored entries", len(entries))
	kinds := map[string]bool{}
	for _, e := range entries {
		kinds[e.kind] = true
	}
	if len(entries) < 20 || len(kinds) < 5 {
		t.Fatalf("only %d distinct entries of %d kinds: the generator changed?", len(entries), len(kinds))
	}
	names := historyNames{Org: func(string) string { return "Shelter Drita" }, User: func(string) string { return "Arta Krasniqi (Police)" }}
	for _, l := range i18n.Supported {
		p := i18n.For(l)
		for _, e := range entries {
			s := historySentence(p.T, e.kind, e.summary, names)
			text := p.T(s.Key, s.Args...)
			if historyFallbacks[s.Key] || strings.HasPrefix(s.Key, "history.referral_any.") && e.kind != "referral" {
				t.Errorf("%s: %s %q falls back to %s (%q)", l, e.kind, e.summary, s.Key, text)
			}
			if m := rawCode.FindString(text); m != "" || text == s.Key {
				t.Errorf("%s: %s %q renders %q", l, e.kind, e.summary, text)
			}
		}
	}
	arows, err := a.DB.Read().QueryContext(ctx, `SELECT DISTINCT action FROM audit_events`)
	if err != nil {
		t.Fatal(err)
	}
	defer arows.Close()
	en := i18n.For(i18n.English)
	for arows.Next() {
		var action string
		if err := arows.Scan(&action); err != nil {
			t.Fatal(err)
		}
		if auditSentence(en.T, action) == en.T("audit.act_other") {
			t.Errorf("stored audit action %s has no sentence", action)
		}
	}
}
