package i18n_test

import (
	"slices"
	"testing"

	"github.com/ura-nrm/ura/internal/i18n"
)

// entries indexes a catalogue by key.
func entries(l i18n.Lang) map[string]i18n.Entry {
	m := make(map[string]i18n.Entry)
	for _, e := range i18n.Catalogue(l) {
		m[e.Key] = e
	}
	return m
}

// TestCatalogueKeys fails when a language misses a key or keeps one English no
// longer has, so no page shows a key name or falls back to English unnoticed.
func TestCatalogueKeys(t *testing.T) {
	keys := i18n.Keys()
	if len(keys) == 0 {
		t.Fatal("English catalogue is empty")
	}
	if !slices.IsSorted(keys) {
		t.Error("Keys() is not sorted")
	}
	for _, l := range i18n.Supported {
		t.Run(string(l), func(t *testing.T) {
			got := entries(l)
			for _, k := range keys {
				if _, ok := got[k]; !ok {
					t.Errorf("missing key %q", k)
				}
			}
			for k := range got {
				if !slices.Contains(keys, k) {
					t.Errorf("extra key %q (not in en.json)", k)
				}
			}
		})
	}
}

// TestCataloguePlaceholders fails when a translation drops, renames or adds a
// placeholder, which would show "{name}" on a page or lose a number.
func TestCataloguePlaceholders(t *testing.T) {
	english := entries(i18n.English)
	for _, l := range i18n.Supported {
		t.Run(string(l), func(t *testing.T) {
			for key, e := range entries(l) {
				en, ok := english[key]
				if !ok {
					continue
				}
				want := placeholderSet(texts(en)...)
				for _, text := range texts(e) {
					got := placeholderSet(text)
					for name := range want {
						if name == "count" && e.Plural != nil {
							continue // a form may spell the number out ("one event")
						}
						if !got[name] {
							t.Errorf("%s: %q lacks {%s}", key, text, name)
						}
					}
					for name := range got {
						if !want[name] {
							t.Errorf("%s: %q has {%s}, which English does not give", key, text, name)
						}
					}
				}
			}
		})
	}
}

// TestCataloguePlurals fails when a plural message lacks a form its language
// needs (Serbian: one, few, other) or has one the language never uses.
func TestCataloguePlurals(t *testing.T) {
	english := entries(i18n.English)
	for _, l := range i18n.Supported {
		t.Run(string(l), func(t *testing.T) {
			want := i18n.PluralForms(l)
			for key, e := range entries(l) {
				if (e.Plural != nil) != (english[key].Plural != nil) {
					t.Errorf("%s: plural in one of English and %s only", key, l)
					continue
				}
				if e.Plural == nil {
					if e.Text == "" {
						t.Errorf("%s: empty text", key)
					}
					continue
				}
				var got []string
				for form, text := range e.Plural {
					got = append(got, form)
					if text == "" {
						t.Errorf("%s: empty form %q", key, form)
					}
				}
				slices.Sort(got)
				sortedWant := slices.Sorted(slices.Values(want))
				if !slices.Equal(got, sortedWant) {
					t.Errorf("%s: forms %v, want %v", key, got, sortedWant)
				}
			}
		})
	}
}

func texts(e i18n.Entry) []string {
	if e.Plural == nil {
		return []string{e.Text}
	}
	var s []string
	for _, text := range e.Plural {
		s = append(s, text)
	}
	return s
}

func placeholderSet(texts ...string) map[string]bool {
	set := make(map[string]bool)
	for _, text := range texts {
		for _, name := range i18n.Placeholders(text) {
			set[name] = true
		}
	}
	return set
}

// TestSeedKeys keeps the keys other packages rely on from being renamed away.
func TestSeedKeys(t *testing.T) {
	var want []string
	for _, role := range []string{"coordinator", "police", "prosecutor", "advocate", "social_worker",
		"shelter", "ngo", "helpline", "analyst", "auditor", "admin"} {
		want = append(want, "role."+role, "dashboard.title."+role)
	}
	for _, typ := range []string{"police", "prosecution", "victim_advocacy", "social_work", "shelter",
		"ngo", "helpline", "coordinator"} {
		want = append(want, "orgtype."+typ)
	}
	for _, code := range []string{"invalid", "unauthenticated", "forbidden", "not_found", "conflict",
		"too_large", "rate_limited", "unavailable", "internal", "csrf"} {
		want = append(want, "error."+code)
	}
	want = append(want, "app.name", "signin.error", "validation.required", "validation.email",
		"validation.password_short", "validation.password_common", "validation.role",
		"validation.org_type", "session.expired", "layout.skip", "layout.demo", "layout.footer",
		"lang.switcher", "nav.signout")
	keys := i18n.Keys()
	for _, k := range want {
		if !slices.Contains(keys, k) {
			t.Errorf("missing key %q", k)
		}
	}
}
