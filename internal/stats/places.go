package stats

// Kosovo's 38 municipalities in its seven regions (the districts of the
// police regional directorates and the basic courts), by the names the case
// file stores (Albanian forms, as the registration form and the demo data
// write them). A region's label is "stats.region.<code>"; municipality
// names are proper names and shown as they are.

// Region is a region and its municipalities.
type Region struct {
	Code           string
	Municipalities []string
}

// Regions lists the regions in the order pages show them.
var Regions = []Region{
	{"prishtine", []string{"Prishtinë", "Drenas", "Fushë Kosovë", "Graçanicë", "Lipjan", "Obiliq", "Podujevë"}},
	{"mitrovice", []string{"Mitrovicë", "Mitrovicë e Veriut", "Leposaviq", "Skenderaj", "Vushtrri", "Zubin Potok", "Zveçan"}},
	{"peje", []string{"Pejë", "Istog", "Klinë"}},
	{"gjakove", []string{"Gjakovë", "Deçan", "Junik", "Rahovec"}},
	{"prizren", []string{"Prizren", "Dragash", "Malishevë", "Mamushë", "Suharekë"}},
	{"ferizaj", []string{"Ferizaj", "Hani i Elezit", "Kaçanik", "Shtërpcë", "Shtime"}},
	{"gjilan", []string{"Gjilan", "Kamenicë", "Kllokot", "Novobërdë", "Partesh", "Ranillug", "Viti"}},
}

// RegionOf returns the region code of a municipality, or "".
func RegionOf(municipality string) string {
	for _, r := range Regions {
		for _, m := range r.Municipalities {
			if m == municipality {
				return r.Code
			}
		}
	}
	return ""
}

// region returns the region named code.
func region(code string) (Region, bool) {
	for _, r := range Regions {
		if r.Code == code {
			return r, true
		}
	}
	return Region{}, false
}

// Municipalities lists every municipality, region by region.
func Municipalities() []string {
	var out []string
	for _, r := range Regions {
		out = append(out, r.Municipalities...)
	}
	return out
}
