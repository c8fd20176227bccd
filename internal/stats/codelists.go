package stats

import "slices"

// The Eurostat code lists of the trafficking in human beings statistics
// (dataset family crim_thb: registered victims by sex, age group,
// citizenship group and form of exploitation), as the groupings of the case
// file's codes. The codes are Eurostat's; the labels come from the
// catalogues ("stats.eurostat.<code>").

// National is the reporting country (ISO 3166-1 alpha-2, the instance's
// country): citizens of it are "NAT" in Eurostat's citizenship groups and
// "national" in the US TIP table. Set from the configuration at start.
var National = "XK"

// EU27 are the member states of the European Union (EU27_2020).
var EU27 = []string{"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
	"LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}

var eurostatSex = &Grouping{Label: "stats.eurostat.dim_sex", ValueKey: "stats.eurostat.",
	Values: []string{"F", "M", "UNK"},
	Of: func(c string) string {
		switch c {
		case "female":
			return "F"
		case "male":
			return "M"
		}
		return "UNK"
	}}

var eurostatAge = &Grouping{Label: "stats.eurostat.dim_age", ValueKey: "stats.eurostat.",
	Values: []string{"Y_LT18", "Y_GE18", "UNK"},
	Of: func(c string) string {
		switch c {
		case "0-11", "12-14", "15-17":
			return "Y_LT18"
		case "18-24", "25-34", "35-49", "50+":
			return "Y_GE18"
		}
		return "UNK"
	}}

var eurostatCitizen = &Grouping{Label: "stats.eurostat.dim_citizen", ValueKey: "stats.eurostat.",
	Values: []string{"NAT", "EU27_2020_FOR", "NEU27_2020_FOR", "UNK"},
	Of: func(c string) string {
		switch {
		case c == National:
			return "NAT"
		case c == "unknown" || c == "":
			return "UNK"
		case slices.Contains(EU27, c):
			return "EU27_2020_FOR"
		}
		return "NEU27_2020_FOR"
	}}

var eurostatExploit = &Grouping{Label: "stats.eurostat.dim_exploit", ValueKey: "stats.eurostat.",
	Values: []string{"SEX_EXP", "LAB_EXP", "ORG_REM", "OTH", "UNK"},
	Of: func(c string) string {
		switch c {
		case "SexualExploitation":
			return "SEX_EXP"
		case "ForcedLabour", "ChildLabour", "Servitude":
			return "LAB_EXP"
		case "OrganRemoval":
			return "ORG_REM"
		case "none":
			return "UNK"
		}
		return "OTH"
	}}

var nationalForeign = &Grouping{Label: "stats.dim.citizenship", ValueKey: "stats.citizen_group.",
	Values: []string{"national", "foreign", "unknown"},
	Of: func(c string) string {
		switch c {
		case National:
			return "national"
		case "unknown", "":
			return "unknown"
		}
		return "foreign"
	}}
