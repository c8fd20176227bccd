package linkage_test

import (
	"slices"
	"testing"

	"github.com/ura-nrm/ura/internal/linkage"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"Serbian Latin with diacritics", "Đorđević", "dordevic"},
		{"Serbian dj spelling", "Djordjevic", "dordevic"},
		{"Serbian Cyrillic", "Ђорђевић", "dordevic"},
		{"diacritics lost", "Dordevic", "dordevic"},
		{"Cyrillic lj nj", "Љубица Њего", "ljubica njego"},
		{"Latin lj nj kept", "Ljubica Njego", "ljubica njego"},
		{"dž and џ", "Džafer Џафер", "dzafer dzafer"},
		{"Albanian ë ç", "Shkëlzen Çeku", "skelzen ceku"},
		{"Albanian xh = dž", "Xhevdet", "dzevdet"},
		{"Albanian gj", "Gjergj", "gerg"},
		{"Macedonian ѓ ќ ѕ џ", "Ѓорѓи Ќосе Ѕвонко Џеков", "gorgi kose dzvonko dzekov"},
		{"Macedonian Latin gj", "Gjorgji", "gorgi"},
		{"Macedonian ј љ њ", "Јована Љупчо Њушка", "jovana ljupco njuska"},
		{"Romanian comma below", "Ștefan Țurcanu", "stefan turcanu"},
		{"Romanian cedilla", "Ştefan Ţurcanu", "stefan turcanu"},
		{"Romanian ă â î", "Stănescu Câmpeanu Îonel", "stanescu campeanu ionel"},
		{"Turkish dotless and dotted i", "IŞIK İlker ılgaz", "isik ilker ilgaz"},
		{"Turkish ğ ş", "Doğan Şahin", "dogan sahin"},
		{"Russian", "Шевченко Жуков", "sevcenko zukov"},
		{"Russian in English transliteration", "Shevchenko Zhukov", "sevcenko zukov"},
		{"Ukrainian", "Олексій Ґонта Їжак", "oleksij gonta jizak"},
		{"Bosnian", "Hodžić Šehić", "hodzic sehic"},
		{"case and space folding", "  ANA   marija  ", "ana marija"},
		{"hyphen is a word break", "Ana-Marija", "ana marija"},
		{"apostrophe dropped", "O'Brien", "obrien"},
		{"combining accent", "Zoe\u0308", "zoe"},
		{"empty", "", ""},
		{"digits kept", "Rruga 12/3", "rruga 12 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := linkage.Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestNormalizeBlindIndex checks the promise the case file relies on: the
// same name in either script, with or without diacritics, has one key.
func TestNormalizeBlindIndex(t *testing.T) {
	groups := [][]string{
		{"Đorđević", "Djordjevic", "Ђорђевић", "Dordevic", "ĐORĐEVIĆ"},
		{"Petrović", "Petrovic", "Петровић"},
		{"Živković", "Zivkovic", "Живковић"},
		{"Ljubičić", "Ljubicic", "Љубичић"},
		{"Šehu", "Shehu", "Шеху", "Sehu"},
		{"Stojanovski", "Стојановски"},
	}
	for _, g := range groups {
		want := linkage.Normalize(g[0])
		for _, s := range g[1:] {
			if got := linkage.Normalize(s); got != want {
				t.Errorf("Normalize(%q) = %q, want %q as for %q", s, got, want, g[0])
			}
		}
	}
}

func TestNameTokens(t *testing.T) {
	got := linkage.NameTokens("Ana-Marija  Đorđević")
	want := []string{"ana", "marija", "dordevic"}
	if !slices.Equal(got, want) {
		t.Errorf("NameTokens = %q, want %q", got, want)
	}
}

func TestPhoneticKey(t *testing.T) {
	tests := []struct {
		name string
		same []string
	}{
		{"Aleksandar across languages", []string{"Aleksandar", "Oleksandr", "Александар", "Alexandar"}},
		{"Đorđević spellings", []string{"Đorđević", "Djordjevic", "Ђорђевић"}},
		{"Macedonian and Serbian endings", []string{"Petrovik", "Petrović"}},
		{"Cristina and Kristina", []string{"Cristina", "Kristina"}},
		{"Marija and Maria", []string{"Marija", "Maria"}},
		{"Mehmet and Memet", []string{"Mehmet", "Memet"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := linkage.PhoneticKey(tt.same[0])
			if want == "" {
				t.Fatalf("PhoneticKey(%q) is empty", tt.same[0])
			}
			for _, s := range tt.same[1:] {
				if got := linkage.PhoneticKey(s); got != want {
					t.Errorf("PhoneticKey(%q) = %q, want %q", s, got, want)
				}
			}
		})
	}
	if a, b := linkage.PhoneticKey("Jovanović"), linkage.PhoneticKey("Krasniqi"); a == b {
		t.Errorf("Jovanović and Krasniqi share the code %q", a)
	}
}

func TestCanonicalName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"aca", "aleksandar"},
		{"sasa", "aleksandar"},
		{"jova", "jovan"},
		{"beti", "elizabeta"},
		{linkage.Normalize("Ǵorǵi"), "dorde"}, // Macedonian form of Đorđe
		{"arta", "arta"},
	}
	for _, tt := range tests {
		if got := linkage.CanonicalName(tt.in); got != tt.want {
			t.Errorf("CanonicalName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
