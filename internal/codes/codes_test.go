package codes

import "testing"

func TestCountries(t *testing.T) {
	for _, c := range []string{"XK", "AL", "RS", "MK", "ME", "DE", "GB", "GR", "ZW", "AX"} {
		if !IsCountry(c) {
			t.Errorf("IsCountry(%q) = false", c)
		}
	}
	for _, c := range []string{"KS", "UK", "EL", "ZZ", "xk", "", "X", "XKK", " XK", "AA", "QM"} {
		if IsCountry(c) {
			t.Errorf("IsCountry(%q) = true", c)
		}
	}
	if n := len(Countries()); n != 250 {
		t.Errorf("%d countries, want 249 ISO 3166-1 codes and XK", n)
	}
	if Suggest("KS") != "XK" || Suggest("UK") != "GB" || Suggest("ZZ") != "" {
		t.Error("Suggest")
	}
	list := CountryCodes()
	for i := 1; i < len(list); i++ {
		if list[i-1] >= list[i] {
			t.Fatalf("codes not ordered at %q", list[i])
		}
	}
	for _, s := range slips {
		if !IsCountry(s) {
			t.Errorf("suggestion %q is not a code", s)
		}
	}
}
