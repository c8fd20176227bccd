package linkage_test

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/ura-nrm/ura/internal/linkage"
)

// decomposedCases are names of every script the region's registers hold,
// each written composed; the tests also feed them decomposed (NFD: base
// letter plus combining marks, as some keyboards and copy-paste produce)
// and in compatibility forms.
var decomposedCases = []struct{ name, composed, want string }{
	{"Serbian/Russian Cyrillic ђ ћ й", "Ђорђе Ћирић Андрей Йовановић", "dorde ciric andrej jovanovic"},
	{"Cyrillic й ё ї", "Андрій Йосип Сергій Артём Їжак", ""},
	{"Macedonian ѓ ќ ѐ ѝ", "Ѓорѓи Ќосе Ѐлена Ѝван", ""},
	{"Albanian ë ç", "Shkëlzen Çeku Qëndresa Përparim", "skelzen ceku qendresa perparim"},
	{"Serbian/Bosnian Latin č ć š ž đ", "Čučković Ćosić Šehić Žarković Đurđević", "cuckovic cosic sehic zarkovic durdevic"},
	{"Romanian ș ț ă â î", "Ștefănescu Țurcanu Câmpeanu Înțelegere", "stefanescu turcanu campeanu intelegere"},
	{"Turkish ş ğ ü ö ç", "Şükrü Doğan Gülşen Özçelik", "sukru dogan gulsen ozcelik"},
	{"Roma (Latin with háček)", "Šaban Čergar Džemila Ćerimović", "saban cergar dzemila cerimovic"},
	{"Arabic/Afghan names with hamza and madda", "آمنة أحمد إبراهيم مؤمن", ""},
	{"Dari/Pashto", "گلالۍ ځدران", ""},
}

// TestNormalizeDecomposed: the composed and the decomposed (NFD) spelling
// of a name give the same key, in every script; before NFC was applied
// first, a decomposed Cyrillic й gave "i" and the composed one "j".
func TestNormalizeDecomposed(t *testing.T) {
	for _, tt := range decomposedCases {
		t.Run(tt.name, func(t *testing.T) {
			composed := linkage.Normalize(tt.composed)
			decomposed := norm.NFD.String(tt.composed)
			if decomposed == tt.composed && !strings.Contains(tt.name, "Arabic") && !strings.Contains(tt.name, "Dari") {
				t.Fatalf("test input has nothing to decompose")
			}
			if got := linkage.Normalize(decomposed); got != composed {
				t.Errorf("Normalize(NFD) = %q, Normalize(NFC) = %q", got, composed)
			}
			if tt.want != "" && composed != tt.want {
				t.Errorf("Normalize = %q, want %q", composed, tt.want)
			}
			if linkage.PhoneticKey(decomposed) != linkage.PhoneticKey(tt.composed) {
				t.Errorf("phonetic keys differ between NFD and NFC")
			}
		})
	}
	for _, tt := range []struct{ in, want string }{
		{"й", "j"}, {"и\u0306", "j"}, // decomposed й
		{"Ｍａｒｉｊａ", "marija"}, // full-width letters
		{"ﬁlip", "filip"},    // ligature
		{"Ana\u00a0Marija", "ana marija"},
	} {
		if got := linkage.Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestDedupDecomposed: a decomposed registration is found as the same
// person as the composed one.
func TestDedupDecomposed(t *testing.T) {
	recs := []linkage.Record{
		{ID: "a", GivenName: "Андрій", FamilyName: "Йовановић", BirthDate: "1990-03-04", Sex: "M"},
		{ID: "b", GivenName: norm.NFD.String("Андрій"), FamilyName: norm.NFD.String("Йовановић"), BirthDate: "1990-03-04", Sex: "M"},
	}
	if ps := linkage.Dedup(recs, linkage.Options{}); len(ps) != 1 {
		t.Errorf("composed and decomposed spellings not matched: %v", ps)
	}
}

// TestEncodeNormalizeFalseIsBytes guards clkhash compatibility: with
// NormalizeText off the encoder hashes the bytes it is given (clkhash does
// not normalise Unicode), so the composed and decomposed spellings give
// different CLKs, exactly as in clkhash; with it on, the same CLK. The
// byte-level vectors are TestEncodeVectors'.
func TestEncodeNormalizeFalseIsBytes(t *testing.T) {
	enc, err := linkage.NewEncoder(mustSchema(t, "ura-schema.json"), []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	row := func(given string) func(string) string {
		return func(f string) string {
			if f == "given_name" {
				return given
			}
			return ""
		}
	}
	composed, decomposed := "Андрій", norm.NFD.String("Андрій")
	enc.NormalizeText = false
	if bytes.Equal(enc.Encode("x", row(composed)).Bits, enc.Encode("x", row(decomposed)).Bits) {
		t.Error("--normalize=false: decomposed input hashed like composed input; clkhash hashes the bytes as given")
	}
	enc.NormalizeText = true
	if !bytes.Equal(enc.Encode("x", row(composed)).Bits, enc.Encode("x", row(decomposed)).Bits) {
		t.Error("--normalize=true: decomposed and composed spellings give different CLKs")
	}
}
