package tips

// Municipality is one of the instance's municipalities as the tip form
// offers it: a stable code and its names (Albanian, Serbian Latin).
type Municipality struct{ Code, SQ, SR string }

// Municipalities are Kosovo's 38 municipalities, the choices of the tip
// form's optional "municipality" (for the figures by municipality).
var Municipalities = []Municipality{
	{"decan", "Deçan", "Dečane"}, {"dragash", "Dragash", "Dragaš"}, {"ferizaj", "Ferizaj", "Uroševac"},
	{"fushe_kosove", "Fushë Kosovë", "Kosovo Polje"}, {"gjakove", "Gjakovë", "Đakovica"}, {"gjilan", "Gjilan", "Gnjilane"},
	{"gllogoc", "Drenas", "Glogovac"}, {"gracanice", "Graçanicë", "Gračanica"}, {"hani_elezit", "Hani i Elezit", "Elez Han"},
	{"istog", "Istog", "Istok"}, {"junik", "Junik", "Junik"}, {"kacanik", "Kaçanik", "Kačanik"},
	{"kamenice", "Kamenicë", "Kamenica"}, {"kline", "Klinë", "Klina"}, {"kllokot", "Kllokot", "Klokot"},
	{"leposaviq", "Leposaviq", "Leposavić"}, {"lipjan", "Lipjan", "Lipljan"}, {"malisheve", "Malishevë", "Mališevo"},
	{"mamushe", "Mamushë", "Mamuša"}, {"mitrovice_jug", "Mitrovicë e Jugut", "Južna Mitrovica"},
	{"mitrovice_veri", "Mitrovicë e Veriut", "Severna Mitrovica"}, {"novoberde", "Novobërdë", "Novo Brdo"},
	{"obiliq", "Obiliq", "Obilić"}, {"partesh", "Partesh", "Parteš"}, {"peje", "Pejë", "Peć"},
	{"podujeve", "Podujevë", "Podujevo"}, {"prishtine", "Prishtinë", "Priština"}, {"prizren", "Prizren", "Prizren"},
	{"rahovec", "Rahovec", "Orahovac"}, {"ranillug", "Ranillug", "Ranilug"}, {"shterpce", "Shtërpcë", "Štrpce"},
	{"shtime", "Shtime", "Štimlje"}, {"skenderaj", "Skënderaj", "Srbica"}, {"suhareke", "Suharekë", "Suva Reka"},
	{"viti", "Viti", "Vitina"}, {"vushtrri", "Vushtrri", "Vučitrn"}, {"zubin_potok", "Zubin Potok", "Zubin Potok"},
	{"zvecan", "Zveçan", "Zvečan"},
}

var municipalitySet = func() map[string]bool {
	m := map[string]bool{}
	for _, x := range Municipalities {
		m[x.Code] = true
	}
	return m
}()

// IsMunicipality tells whether code is one of Municipalities.
func IsMunicipality(code string) bool { return municipalitySet[code] }
