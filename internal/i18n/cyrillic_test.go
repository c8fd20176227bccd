package i18n_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/ura-nrm/ura/internal/i18n"
)

var update = flag.Bool("update", false, "regenerate catalog/sr-Cyrl.json from catalog/sr-Latn.json")

// TestCyrillicCatalogue keeps sr-Cyrl.json a faithful transliteration of
// sr-Latn.json: translators edit the Latin file only, and -update writes the
// Cyrillic one.
func TestCyrillicCatalogue(t *testing.T) {
	latin := readCatalogue(t, "sr-Latn")
	want := make(map[string]any, len(latin))
	for k, v := range latin {
		switch v := v.(type) {
		case string:
			want[k] = i18n.LatinToCyrillic(v)
		case map[string]any:
			forms := make(map[string]any, len(v))
			for f, s := range v {
				forms[f] = i18n.LatinToCyrillic(s.(string))
			}
			want[k] = forms
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(want); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("catalog", "sr-Cyrl.json")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Errorf("%s differs from the transliteration of sr-Latn.json; run go test -run TestCyrillicCatalogue -update", path)
	}
}

func readCatalogue(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("catalog", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLatinToCyrillic(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Prijava", "Пријава"},
		{"trgovina ljudima", "трговина људима"},
		{"Ljubljana NJEGOŠ Džep", "Љубљана ЊЕГОШ Џеп"},
		{"đak, ćup, čaša, šuma, žaba", "ђак, ћуп, чаша, шума, жаба"},
		{"nadživeti injekcija", "надживети инјекција"},
		{"Prijavljeni ste kao {name}", "Пријављени сте као {name}"},
		{"Izvezite CSV za Ura", "Извезите CSV за Ura"},
		{"Pružalac usluga (NVO)", "Пружалац услуга (НВО)"},
		{"{ nije} {count", "{ није} {цоунт"},
	}
	for _, tt := range tests {
		if got := i18n.LatinToCyrillic(tt.in); got != tt.want {
			t.Errorf("LatinToCyrillic(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
