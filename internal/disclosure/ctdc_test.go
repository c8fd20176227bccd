package disclosure

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The exact header of the CTDC global data model's columns (DOMAIN §5.2).
const wantCTDCHeader = "yearOfRegistration,Datasource,gender,ageBroad,majorityStatus,majorityStatusAtExploit,majorityEntry,citizenship,CountryOfExploitation," +
	"meansOfControlDebtBondage,meansOfControlTakesEarnings,meansOfControlRestrictsFinancialAccess,meansOfControlThreats,meansOfControlPsychologicalAbuse," +
	"meansOfControlPhysicalAbuse,meansOfControlSexualAbuse,meansOfControlFalsePromises,meansOfControlPsychoactiveSubstances,meansOfControlRestrictsMovement," +
	"meansOfControlRestrictsMedicalCare,meansOfControlExcessiveWorkingHours,meansOfControlUsesChildren,meansOfControlThreatOfLawEnforcement," +
	"meansOfControlWithholdsNecessities,meansOfControlWithholdsDocuments,meansOfControlOther,meansOfControlNotSpecified,meansOfControlConcatenated," +
	"isForcedLabour,isSexualExploit,isOtherExploit,isSexAndLabour,isForcedMarriage,isForcedMilitary,isOrganRemoval,isSlaveryAndPractices,typeOfExploitConcatenated," +
	"typeOfLabourAgriculture,typeOfLabourAquafarming,typeOfLabourBegging,typeOfLabourConstruction,typeOfLabourDomesticWork,typeOfLabourHospitality," +
	"typeOfLabourIllicitActivities,typeOfLabourManufacturing,typeOfLabourMiningOrDrilling,typeOfLabourPeddling,typeOfLabourTransportation,typeOfLabourOther," +
	"typeOfLabourNotSpecified,typeOfLabourConcatenated,typeOfSexProstitution,typeOfSexPornography,typeOfSexRemoteInteractiveServices," +
	"typeOfSexPrivateSexualServices,typeOfSexConcatenated,isAbduction,RecruiterRelationship,recruiterRelationIntimatePartner,recruiterRelationFriend," +
	"recruiterRelationFamily,recruiterRelationOther,recruiterRelationUnknown"

// randomCases draws cases shaped like Kosovo's (DOMAIN §6): mostly female
// Kosovo citizens exploited in Kosovo, mostly sexual exploitation, with a
// tail of rare nationalities and forms.
func randomCases(r *rand.Rand, n int) []CTDCCase {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	var out []CTDCCase
	for range n {
		c := CTDCCase{Year: 2020 + r.IntN(3), Sex: pick("female", "female", "female", "male", "other", "unknown"),
			AgeBand:             pick("0-11", "12-14", "15-17", "15-17", "18-24", "25-34", "35-49", "50+", ""),
			Citizenship:         pick("XK", "XK", "XK", "XK", "AL", "RS", "MD", "RO", "UA", "BD", "NG", ""),
			ExploitationCountry: pick("XK", "XK", "XK", "AL", "DE", "")}
		c.Exploitation = []string{pick("SexualExploitation", "SexualExploitation", "SexualExploitation", "ForcedLabour",
			"ForcedBegging", "ForcedMarriage", "OrganRemoval", "Servitude")}
		if r.IntN(10) == 0 {
			c.Exploitation = append(c.Exploitation, "ForcedLabour")
		}
		if r.IntN(2) == 0 {
			c.Control = []string{pick("DebtBondage", "PhysicalThreats", "FalsePromises", "WithholdsDocuments")}
		}
		out = append(out, c)
	}
	return out
}

// checkKAnonymous reads the CSV back and counts every combination of the
// quasi-identifier columns.
func checkKAnonymous(t *testing.T, csvText string, k int) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != wantCTDCHeader {
		t.Fatalf("header\n got %s\nwant %s", got, wantCTDCHeader)
	}
	var idx []int
	for _, q := range []string{"yearOfRegistration", "gender", "ageBroad", "citizenship", "CountryOfExploitation", "typeOfExploitConcatenated"} {
		i := slices.Index(recs[0], q)
		if i < 0 {
			t.Fatalf("no column %s", q)
		}
		idx = append(idx, i)
	}
	// The flags of the forms of exploitation are part of that quasi-identifier.
	for i, h := range recs[0] {
		if strings.HasPrefix(h, "is") && h != "isAbduction" || strings.HasPrefix(h, "typeOfLabour") {
			idx = append(idx, i)
		}
	}
	counts := map[string]int{}
	for _, rec := range recs[1:] {
		if len(rec) != len(recs[0]) {
			t.Fatalf("row of %d fields, header of %d", len(rec), len(recs[0]))
		}
		var key []string
		for _, i := range idx {
			key = append(key, rec[i])
		}
		counts[strings.Join(key, "|")]++
	}
	for c, n := range counts {
		if n < k {
			t.Fatalf("combination %s appears %d times, under k = %d", c, n, k)
		}
	}
	return recs[1:]
}

func TestCTDCExportIsKAnonymous(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, n := range []int{0, 5, 25, 300, 3000} {
		cases := randomCases(r, n)
		rows, sum, err := AnonymiseCTDC(cases, 10)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteCTDC(&b, rows); err != nil {
			t.Fatal(err)
		}
		got := checkKAnonymous(t, b.String(), 10)
		if len(got) != sum.Written || sum.Written+sum.Suppressed != n {
			t.Fatalf("n=%d: %d rows, summary %+v", n, len(got), sum)
		}
		if n >= 300 && sum.Written < n*9/10 {
			t.Fatalf("n=%d: only %d written: %s", n, sum.Written, sum)
		}
		t.Logf("n=%d: %s", n, sum)
	}
}

func TestCTDCGeneralisesBeforeSuppressing(t *testing.T) {
	var cases []CTDCCase
	// 6 Moldovan and 6 Romanian women of 18–24 in sexual exploitation:
	// neither nationality reaches k alone, Eastern Europe does.
	for i := range 12 {
		c := CTDCCase{Year: 2025, Sex: "female", AgeBand: "18-24", Citizenship: "MD", ExploitationCountry: "XK",
			Exploitation: []string{"SexualExploitation"}}
		if i%2 == 1 {
			c.Citizenship = "RO"
		}
		cases = append(cases, c)
	}
	rows, sum, err := AnonymiseCTDC(cases, 10)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Suppressed != 0 || sum.Levels["citizenship"] != 1 || len(rows) != 12 {
		t.Fatalf("%+v", sum)
	}
	if rows[0][slices.Index(CTDCHeader, "citizenship")] != "Eastern Europe" || rows[0][slices.Index(CTDCHeader, "ageBroad")] != "18--26" ||
		rows[0][slices.Index(CTDCHeader, "majorityStatus")] != "Adult" || rows[0][slices.Index(CTDCHeader, "isSexualExploit")] != "1" {
		t.Fatalf("row %v", rows[0])
	}
	if !strings.Contains(sum.String(), "citizenship: generalised to region") {
		t.Fatalf("summary %q", sum)
	}
	// One Nigerian man in organ removal is suppressed, not generalised for.
	cases = append(cases, CTDCCase{Year: 2025, Sex: "male", AgeBand: "50+", Citizenship: "NG", ExploitationCountry: "DE",
		Exploitation: []string{"OrganRemoval"}})
	_, sum, _ = AnonymiseCTDC(cases, 10)
	if sum.Suppressed != 1 || sum.Written != 12 {
		t.Fatalf("%+v", sum)
	}
}

// TestCTDCLabourTypesCountInTheCombination: the type of labour columns
// follow the form of exploitation, so three cases of forced begging beside
// twelve of other forced labour are a rare combination of their own.
func TestCTDCLabourTypesCountInTheCombination(t *testing.T) {
	var cases []CTDCCase
	add := func(n int, form string) {
		for range n {
			cases = append(cases, CTDCCase{Year: 2025, Sex: "female", AgeBand: "15-17", Citizenship: "XK",
				ExploitationCountry: "XK", Exploitation: []string{form}})
		}
	}
	add(40, "SexualExploitation")
	add(12, "ForcedLabour")
	add(3, "ForcedBegging")
	rows, sum, err := AnonymiseCTDC(cases, 10)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCTDC(&b, rows); err != nil {
		t.Fatal(err)
	}
	checkKAnonymous(t, b.String(), 10)
	if sum.Levels["typeOfExploitConcatenated"] != 0 || sum.Suppressed != 3 {
		t.Fatalf("%s", sum)
	}
}

func TestCTDCBadK(t *testing.T) {
	if _, _, err := AnonymiseCTDC(nil, 1); !IsCode(err, CodeKTooSmall) {
		t.Fatal(err)
	}
}

// BenchmarkAnonymiseCTDC100k: the export's anonymisation of 100,000 cases.
func BenchmarkAnonymiseCTDC100k(b *testing.B) {
	cases := randomCases(rand.New(rand.NewPCG(1, 1)), 100_000)
	for b.Loop() {
		if _, _, err := AnonymiseCTDC(cases, 10); err != nil {
			b.Fatal(err)
		}
	}
}
