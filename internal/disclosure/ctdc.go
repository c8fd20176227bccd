package disclosure

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// The CTDC export: the de-identified extract in the columns of the Counter
// Trafficking Data Collaborative's global data model (DOMAIN §5.2), made
// k-anonymous over its quasi-identifiers by full-domain generalisation then
// record suppression (Datafly). docs/statistics.md explains the choices.

// CTDCCase is one case as the export reads it: statistical fields only (no
// name, no exact date), in Ura's codes.
type CTDCCase struct {
	Year                int    // year of registration (the case's opening month)
	Sex                 string // female | male | other | unknown
	AgeBand             string // cases.AgeBands, '' unknown
	Citizenship         string // ISO 3166-1 alpha-2, '' unknown
	ExploitationCountry string // ISO 3166-1 alpha-2, '' unknown
	Exploitation        []string
	Control             []string
}

// Missing is CTDC's value for unknown, not applicable and suppressed.
const Missing = "-99"

var meansOfControl = []string{"DebtBondage", "TakesEarnings", "RestrictsFinancialAccess", "Threats",
	"PsychologicalAbuse", "PhysicalAbuse", "SexualAbuse", "FalsePromises", "PsychoactiveSubstances",
	"RestrictsMovement", "RestrictsMedicalCare", "ExcessiveWorkingHours", "UsesChildren",
	"ThreatOfLawEnforcement", "WithholdsNecessities", "WithholdsDocuments", "Other", "NotSpecified"}

// controlToCTDC maps HTCDS vic_MethodsOfControl to CTDC meansOfControl.
var controlToCTDC = map[string]string{
	"PhysicalThreats": "Threats", "ThreatensChildrenFamily": "Threats", "ThreatsLawEnforcement": "ThreatOfLawEnforcement",
	"DebtBondage": "DebtBondage", "FalsePromises": "FalsePromises", "PhysicalAbuse": "PhysicalAbuse",
	"SexualAbuse": "SexualAbuse", "TakesEarnings": "TakesEarnings", "RestrictsFinancialAccess": "RestrictsFinancialAccess",
	"RestrictsMedicalCare": "RestrictsMedicalCare", "WithholdsNecessities": "WithholdsNecessities",
	"PsychologicalAbuse": "PsychologicalAbuse", "PsychoactiveSubstance": "PsychoactiveSubstances",
	"ExcessiveWorkingHours": "ExcessiveWorkingHours", "WithholdsDocuments": "WithholdsDocuments",
	"UsesChildren": "UsesChildren", "Other": "Other",
}

var exploitFlags = []string{"isForcedLabour", "isSexualExploit", "isOtherExploit", "isSexAndLabour",
	"isForcedMarriage", "isForcedMilitary", "isOrganRemoval", "isSlaveryAndPractices"}

// exploitToCTDC maps HTCDS vic_TypeOfExploitation to a CTDC flag.
var exploitToCTDC = map[string]string{
	"ForcedLabour": "isForcedLabour", "ChildLabour": "isForcedLabour", "ForcedBegging": "isForcedLabour",
	"ForcedCriminality": "isForcedLabour", "SexualExploitation": "isSexualExploit",
	"ForcedMarriage": "isForcedMarriage", "ForcedMilitaryByNonStateActors": "isForcedMilitary",
	"OrganRemoval": "isOrganRemoval", "Servitude": "isSlaveryAndPractices",
	"ForcedAdoption": "isOtherExploit", "Surrogacy": "isOtherExploit", "Other": "isOtherExploit",
}

var exploitNames = map[string]string{
	"isForcedLabour": "Forced labour", "isSexualExploit": "Sexual exploitation", "isOtherExploit": "Other",
	"isForcedMarriage": "Forced marriage", "isForcedMilitary": "Forced military",
	"isOrganRemoval": "Organ removal", "isSlaveryAndPractices": "Slavery and similar practices",
}

var labourTypes = []string{"Agriculture", "Aquafarming", "Begging", "Construction", "DomesticWork", "Hospitality",
	"IllicitActivities", "Manufacturing", "MiningOrDrilling", "Peddling", "Transportation", "Other", "NotSpecified"}

var sexTypes = []string{"Prostitution", "Pornography", "RemoteInteractiveServices", "PrivateSexualServices"}

var recruiterRelations = []string{"IntimatePartner", "Friend", "Family", "Other", "Unknown"}

// CTDCHeader is the exact column header of the export.
var CTDCHeader = func() []string {
	h := []string{"yearOfRegistration", "Datasource", "gender", "ageBroad", "majorityStatus",
		"majorityStatusAtExploit", "majorityEntry", "citizenship", "CountryOfExploitation"}
	for _, m := range meansOfControl {
		h = append(h, "meansOfControl"+m)
	}
	h = append(h, "meansOfControlConcatenated")
	h = append(h, exploitFlags...)
	h = append(h, "typeOfExploitConcatenated")
	for _, l := range labourTypes {
		h = append(h, "typeOfLabour"+l)
	}
	h = append(h, "typeOfLabourConcatenated")
	for _, s := range sexTypes {
		h = append(h, "typeOfSex"+s)
	}
	h = append(h, "typeOfSexConcatenated", "isAbduction", "RecruiterRelationship")
	for _, r := range recruiterRelations {
		h = append(h, "recruiterRelation"+r)
	}
	return h
}()

// CTDCQuasiIdentifiers are the columns the export is k-anonymous over: the
// brief's five plus the year, since a year beside the others narrows a
// combination as much as any of them.
var CTDCQuasiIdentifiers = []string{"yearOfRegistration", "gender", "ageBroad", "citizenship",
	"CountryOfExploitation", "typeOfExploitConcatenated"}

// ageBroad maps Ura's age band to the smallest run of CTDC ageBroad bins
// (0–8, 9–17, 18–20, 21–23, 24–26, 27–29, 30–38, 39–47, 48+) that holds
// it: the two binnings share only the bounds 0 and 18, so some bands cover
// two or three CTDC bins.
var ageBroad = map[string]string{
	"0-11": "0--17", "12-14": "9--17", "15-17": "9--17", "18-24": "18--26",
	"25-34": "24--38", "35-49": "30+", "50+": "48+",
}

// region groups countries for generalisation: UN M49 sub-regions (Kosovo
// with Southern Europe); countries not listed fall in "Other".
var region = func() map[string]string {
	m := map[string]string{}
	for r, cs := range map[string]string{
		"Southern Europe": "XK AL RS ME MK BA HR SI GR IT ES PT MT CY AD SM VA",
		"Eastern Europe":  "MD RO BG UA RU PL SK CZ HU BY",
		"Western Europe":  "DE AT CH FR BE NL LU LI MC",
		"Northern Europe": "GB IE SE NO DK FI LT LV EE IS",
		"Western Asia":    "TR SY GE AM AZ IQ LB JO IL PS SA AE KW QA BH OM YE",
		"Southern Asia":   "BD PK AF IN IR LK NP BT MV",
		"Central Asia":    "KZ KG TJ TM UZ",
		"Northern Africa": "DZ EG LY MA SD TN",
	} {
		for _, c := range strings.Fields(cs) {
			m[c] = r
		}
	}
	return m
}()

// A quasi-identifier's generalisation levels, finest first; the last level
// is always Missing (the column withheld).
type qi struct {
	name   string
	levels []string // names for the summary
	value  func(c *CTDCCase, level int) string
	// key, when set, is what the combination is counted on: it may say more
	// than value when other columns follow the quasi-identifier (the types
	// of labour follow the form of exploitation).
	key func(c *CTDCCase, level int) string
}

func country(code string, level int) string {
	switch {
	case code == "" || level >= 2:
		return Missing
	case level == 0:
		return code
	}
	if r, ok := region[code]; ok {
		return r
	}
	return "Other"
}

func exploitSet(c *CTDCCase) map[string]bool {
	set := map[string]bool{}
	for _, e := range c.Exploitation {
		if f, ok := exploitToCTDC[e]; ok {
			set[f] = true
		}
	}
	if set["isForcedLabour"] && set["isSexualExploit"] {
		set["isSexAndLabour"] = true
	}
	return set
}

// exploitation at a level: 0 every flag, 1 sexual / labour / both / other,
// 2 withheld. The result is the concatenated column; "" when none recorded.
func exploitation(c *CTDCCase, level int) string {
	set := exploitSet(c)
	if len(set) == 0 || level >= 2 {
		return Missing
	}
	if level == 1 {
		coarse := map[string]bool{}
		for f := range set {
			switch f {
			case "isForcedLabour", "isSexualExploit", "isSexAndLabour":
				coarse[f] = true
			default:
				coarse["isOtherExploit"] = true
			}
		}
		set = coarse
	}
	var names []string
	for _, f := range exploitFlags {
		if set[f] && f != "isSexAndLabour" {
			names = append(names, exploitNames[f])
		}
	}
	return strings.Join(names, ";")
}

var ctdcQIs = []qi{
	{"yearOfRegistration", []string{"year", "withheld"}, func(c *CTDCCase, l int) string {
		if l >= 1 || c.Year == 0 {
			return Missing
		}
		return strconv.Itoa(c.Year)
	}, nil},
	{"gender", []string{"gender", "withheld"}, func(c *CTDCCase, l int) string {
		g := map[string]string{"female": "Female", "male": "Male", "other": "Other"}[c.Sex]
		if l >= 1 || g == "" {
			return Missing
		}
		return g
	}, nil},
	{"ageBroad", []string{"age bins", "minor or adult", "withheld"}, func(c *CTDCCase, l int) string {
		a, ok := ageBroad[c.AgeBand]
		switch {
		case !ok || l >= 2:
			return Missing
		case l == 1 && strings.HasPrefix(a, "0") || l == 1 && strings.HasPrefix(a, "9"):
			return "0--17"
		case l == 1:
			return "18+"
		}
		return a
	}, nil},
	{"citizenship", []string{"country", "region", "withheld"}, func(c *CTDCCase, l int) string { return country(c.Citizenship, l) }, nil},
	{"CountryOfExploitation", []string{"country", "region", "withheld"}, func(c *CTDCCase, l int) string {
		return country(c.ExploitationCountry, l)
	}, nil},
	{"typeOfExploitConcatenated", []string{"form", "sexual, labour or other", "withheld"}, exploitation,
		func(c *CTDCCase, l int) string {
			if l > 0 {
				return exploitation(c, l)
			}
			return exploitation(c, l) + "|" + labourConcatenated(c)
		}},
}

// labourConcatenated is the type of forced labour Ura records: begging and
// illicit activities are forms of exploitation of their own in HTCDS;
// other industries are not recorded (NotSpecified).
func labourConcatenated(c *CTDCCase) string {
	lab := map[string]bool{}
	for _, e := range c.Exploitation {
		switch e {
		case "ForcedBegging":
			lab["Begging"] = true
		case "ForcedCriminality":
			lab["IllicitActivities"] = true
		}
	}
	if len(lab) == 0 {
		lab["NotSpecified"] = true
	}
	var names []string
	for _, l := range labourTypes {
		if lab[l] {
			names = append(names, l)
		}
	}
	return strings.Join(names, ";")
}

// CTDCSummary says what the export generalised and suppressed.
type CTDCSummary struct {
	K          int
	Read       int
	Written    int
	Suppressed int            // records left out: their combination stayed rarer than K
	Levels     map[string]int // per quasi-identifier: the level used (0 = as recorded)
}

// String is the summary printed on standard error.
func (s CTDCSummary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "CTDC export, k = %d: %d cases read, %d written, %d suppressed (combinations rarer than k)\n",
		s.K, s.Read, s.Written, s.Suppressed)
	for _, q := range ctdcQIs {
		l := s.Levels[q.name]
		if l == 0 {
			fmt.Fprintf(&b, "  %s: as recorded (%s)\n", q.name, q.levels[0])
		} else {
			fmt.Fprintf(&b, "  %s: generalised to %s\n", q.name, q.levels[l])
		}
	}
	return b.String()
}

// AnonymiseCTDC chooses one generalisation level per quasi-identifier and
// suppresses the records whose combination is still rarer than k, so that
// every combination of the quasi-identifiers in the output appears at least
// k times. It tries every combination of levels (a few hundred) and keeps,
// among those that need to suppress no more than max(k, 5 % of the records),
// the one that loses least: the sum over the quasi-identifiers of level ÷
// highest level, plus the share of suppressed records times the number of
// quasi-identifiers (a suppressed record loses them all); ties go to the
// finer levels.
func AnonymiseCTDC(cases []CTDCCase, k int) ([][]string, CTDCSummary, error) {
	if k < 2 {
		return nil, CTDCSummary{}, &Error{Code: CodeKTooSmall, Args: []any{"k", k}}
	}
	sum := CTDCSummary{K: k, Read: len(cases), Levels: map[string]int{}}
	n := len(cases)
	limit := max(k, n/20)
	// code[i][l][r]: record r's value of quasi-identifier i at level l, as
	// a small number; radix[i][l] how many values there are.
	code := make([][][]uint32, len(ctdcQIs))
	radix := make([][]uint64, len(ctdcQIs))
	for i, q := range ctdcQIs {
		code[i] = make([][]uint32, len(q.levels))
		radix[i] = make([]uint64, len(q.levels))
		for l := range q.levels {
			ids := map[string]uint32{}
			code[i][l] = make([]uint32, n)
			f := q.value
			if q.key != nil {
				f = q.key
			}
			for r := range cases {
				v := f(&cases[r], l)
				id, ok := ids[v]
				if !ok {
					id = uint32(len(ids))
					ids[v] = id
				}
				code[i][l][r] = id
			}
			radix[i][l] = uint64(len(ids)) + 1
		}
	}
	// The levels are functions of the finest values, so records with the
	// same finest combination stay together at every level: count those
	// groups once, then each combination of levels costs one pass over the
	// groups, not over the records.
	finest := make([]int, len(ctdcQIs))
	groupOf := make([]int, n)
	var groupRep, groupSize []int
	groups := map[uint64]int{}
	for r := range n {
		var key uint64
		for i := range ctdcQIs {
			key = key*radix[i][finest[i]] + uint64(code[i][finest[i]][r])
		}
		g, ok := groups[key]
		if !ok {
			g = len(groupRep)
			groups[key] = g
			groupRep = append(groupRep, r)
			groupSize = append(groupSize, 0)
		}
		groupSize[g]++
		groupOf[r] = g
	}
	gkeys := make([]uint64, len(groupRep))
	count := func(levels []int) (map[uint64]int, int) {
		counts := map[uint64]int{}
		for g, r := range groupRep {
			var key uint64
			for i := range ctdcQIs {
				key = key*radix[i][levels[i]] + uint64(code[i][levels[i]][r])
			}
			gkeys[g] = key
			counts[key] += groupSize[g]
		}
		rare := 0
		for _, c := range counts {
			if c < k {
				rare += c
			}
		}
		return counts, rare
	}
	var best []int
	bestLoss := 0.0
	levels := make([]int, len(ctdcQIs))
	var walk func(i int)
	walk = func(i int) {
		if i == len(ctdcQIs) {
			_, rare := count(levels)
			if rare > limit {
				return
			}
			loss := 0.0
			for j, q := range ctdcQIs {
				loss += float64(levels[j]) / float64(len(q.levels)-1)
			}
			if n > 0 {
				loss += float64(rare) / float64(n) * float64(len(ctdcQIs))
			}
			if best == nil || loss < bestLoss-1e-12 {
				best, bestLoss = slices.Clone(levels), loss
			}
			return
		}
		for l := range ctdcQIs[i].levels {
			levels[i] = l
			walk(i + 1)
		}
		levels[i] = 0
	}
	walk(0)
	if best == nil { // no level passes the limit: withhold everything
		for _, q := range ctdcQIs {
			best = append(best, len(q.levels)-1)
		}
	}
	counts, _ := count(best)
	var rows [][]string
	for r := range cases {
		if counts[gkeys[groupOf[r]]] < k {
			sum.Suppressed++
			continue
		}
		rows = append(rows, ctdcRow(&cases[r], best))
	}
	// Rows in a fixed order that says nothing of the order of registration.
	slices.SortFunc(rows, slices.Compare)
	sum.Written = len(rows)
	for i, q := range ctdcQIs {
		sum.Levels[q.name] = best[i]
	}
	return rows, sum, nil
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func ctdcRow(c *CTDCCase, levels []int) []string {
	qv := map[string]string{}
	for i, q := range ctdcQIs {
		qv[q.name] = q.value(c, levels[i])
	}
	age := qv["ageBroad"]
	majority := Missing
	switch {
	case age == Missing:
	case strings.HasPrefix(age, "0") || strings.HasPrefix(age, "9"):
		majority = "Minor"
	default:
		majority = "Adult"
	}
	row := make([]string, 0, len(CTDCHeader))
	row = append(row, qv["yearOfRegistration"], "Case Management", qv["gender"], age, majority, Missing, Missing,
		qv["citizenship"], qv["CountryOfExploitation"])

	// Means of control (not quasi-identifiers): as recorded.
	ctl := map[string]bool{}
	for _, m := range c.Control {
		if v, ok := controlToCTDC[m]; ok {
			ctl[v] = true
		}
	}
	if len(ctl) == 0 {
		ctl["NotSpecified"] = true
	}
	var ctlNames []string
	for _, m := range meansOfControl {
		row = append(row, flag(ctl[m]))
		if ctl[m] {
			ctlNames = append(ctlNames, m)
		}
	}
	row = append(row, strings.Join(ctlNames, ";"))

	// Forms of exploitation at the chosen level: the flags follow the
	// concatenated quasi-identifier, so they never say more than it.
	exp := qv["typeOfExploitConcatenated"]
	expLevel := levels[len(levels)-1]
	set := map[string]bool{}
	if exp != Missing {
		for _, f := range exploitFlags {
			for _, name := range strings.Split(exp, ";") {
				if exploitNames[f] == name {
					set[f] = true
				}
			}
		}
		set["isSexAndLabour"] = set["isForcedLabour"] && set["isSexualExploit"]
	}
	for _, f := range exploitFlags {
		if exp == Missing {
			row = append(row, Missing)
		} else {
			row = append(row, flag(set[f]))
		}
	}
	row = append(row, exp)

	// Labour: begging and illicit activities are recorded as forms; other
	// industries are not recorded by Ura (NotSpecified). Withheld when the
	// form is generalised past what they would reveal.
	if exp == Missing || !set["isForcedLabour"] || expLevel > 0 {
		for range labourTypes {
			row = append(row, Missing)
		}
		row = append(row, Missing)
	} else {
		concat := labourConcatenated(c)
		for _, l := range labourTypes {
			row = append(row, flag(slices.Contains(strings.Split(concat, ";"), l)))
		}
		row = append(row, concat)
	}
	// Types of sexual exploitation, abduction and the recruiter's
	// relationship are not recorded as statistical fields in Ura.
	for range sexTypes {
		row = append(row, Missing)
	}
	row = append(row, Missing, Missing, Missing)
	for range recruiterRelations {
		row = append(row, Missing)
	}
	return row
}

// WriteCTDC writes the header and rows as CSV.
func WriteCTDC(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CTDCHeader); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}
