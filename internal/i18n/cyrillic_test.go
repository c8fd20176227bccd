package i18n_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

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
		// Codes, paths, file types and what the user must type stay Latin.
		{"Koristite PDF, PNG, JPEG, DOCX ili ODT.", "Користите PDF, PNG, JPEG, DOCX или ODT."},
		{"Pošaljite podatke kao JSON (Content-Type: application/json).", "Пошаљите податке као JSON (Content-Type: application/json)."},
		{"Pošaljite datoteku kao multipart/form-data.", "Пошаљите датотеку као multipart/form-data."},
		{"preko POST /api/v1/cases/search: veb-adresa", "преко POST /api/v1/cases/search: веб-адреса"},
		{"(atribut sa taksonomijom ura:service_type).", "(атрибут са таксономијом ura:service_type)."},
		{"Unesite kod jezika (ISO 639), npr. sr.", "Унесите код језика (ISO 639), нпр. sr."},
		{"na primer sq, sr, en ili rom.", "на пример sq, sr, en или rom."},
		{"dvoslovni kod države (ISO 3166-1), npr. XK.", "двословни код државе (ISO 3166-1), нпр. XK."},
		{"D4: Ni D5 ni D6 nije pozitivna (D1–D3)", "Д4: Ни Д5 ни Д6 није позитивна (Д1–Д3)"},
		{"član 3(c))", "члан 3(ц))"},
		{"Obmana o zaradi/primanjima", "Обмана о заради/примањима"},
		{"vidi https://ura.example/pomoc", "види https://ura.example/pomoc"},
		{"najviše {max} MiB ({size} KiB)", "највише {max} MiB ({size} KiB)"},
		{"Bezbedni objekat (ISF), HSDS, TOTP, URL", "Безбедни објекат (ISF), HSDS, TOTP, URL"},
		{"e-pošta: ana@example.org", "е-пошта: ana@example.org"},
		// Words that only look like codes are still words.
		{"Ura svakog sata; MOR-a, NVO.", "Ura сваког сата; МОР-а, НВО."},
		{"({form}). {dimension}: {by}.", "({form}). {dimension}: {by}."},
	}
	for _, tt := range tests {
		if got := i18n.LatinToCyrillic(tt.in); got != tt.want {
			t.Errorf("LatinToCyrillic(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCyrillicCatalogueScripts fails when a word of sr-Cyrl.json mixes Latin
// and Cyrillic letters ("XК", "ДОЦX", "Тyпе"): such a word is a code that was
// half transliterated, which a reader cannot type or search for.
func TestCyrillicCatalogueScripts(t *testing.T) {
	for key, text := range catalogueTexts(t, "sr-Cyrl") {
		for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) }) {
			var latin, cyrillic bool
			for _, r := range w {
				latin = latin || unicode.Is(unicode.Latin, r)
				cyrillic = cyrillic || unicode.Is(unicode.Cyrillic, r)
			}
			if latin && cyrillic {
				t.Errorf("%s: %q mixes Latin and Cyrillic letters in %q", key, w, text)
			}
		}
	}
}

// catalogueTexts returns every text of a catalogue file (each plural form
// under "key/form").
func catalogueTexts(t *testing.T, name string) map[string]string {
	t.Helper()
	texts := make(map[string]string)
	for k, v := range readCatalogue(t, name) {
		switch v := v.(type) {
		case string:
			texts[k] = v
		case map[string]any:
			for f, s := range v {
				texts[k+"/"+f], _ = s.(string)
			}
		}
	}
	return texts
}
