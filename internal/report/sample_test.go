package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/i18n"
)

// The fixed sample of the golden tests: one Document, its texts in each of
// the four UI languages (fictional figures, as everywhere in Ura).

// sampleTexts are the sample's words in one language.
type sampleTexts struct {
	title, subtitle, period, source                 string
	defHead, notesHead, generated, page, suppressed string
	defs                                            [][2]string
	notes                                           []string
	citizenshipHead, citizenshipText, citizenship   string
	citizenshipChart                                string
	female, male, total                             string
	countries                                       []string
	monthsHead, monthsText, month, monthsChart      string
	months                                          []string
	assistHead, assistText, measure, share          string
	measures                                        []string
	reason                                          string
}

var texts = map[i18n.Lang]sampleTexts{
	i18n.English: {
		title:    "Victims of trafficking: annual figures",
		subtitle: "GRETA questionnaire, template v1 – test data",
		period:   "1 January – 31 December 2026",
		source:   "Source: Ura, National Referral Mechanism (fictional test data).",
		defHead:  "Definitions", notesHead: "Notes", generated: "Generated on %s", page: "Page %d of %d", suppressed: "–",
		defs: [][2]string{
			{"Identified victim", "a person whom the competent authority has formally identified as a victim of trafficking."},
			{"Presumed victim", "a person with reasonable grounds to believe they are a victim, not yet identified."},
		},
		notes: []string{
			"Cells under 10 are suppressed (–), with complementary suppression so that totals do not reveal them.",
			"Figures are for the calendar year, by the date of identification.",
		},
		citizenshipHead: "Identified victims by citizenship and sex", citizenshipText: "Most identified victims were citizens of Kosovo; 40 in all.",
		citizenship: "Citizenship", citizenshipChart: "Identified victims by citizenship",
		female: "Female", male: "Male", total: "Total",
		countries:  []string{"Kosovo", "Albania", "Serbia", "Other"},
		monthsHead: "Referrals by month", monthsText: "Referrals rose in the second half of the year.",
		month: "Month", monthsChart: "Referrals by month, 2025 and 2026",
		months:     []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		assistHead: "Assistance received", assistText: "Share of identified victims who received each measure.",
		measure: "Measure", share: "Share (%)",
		measures: []string{"Shelter", "Reflection period", "Residence permit", "Assisted return"},
		reason:   "fewer than 10 (primary suppression)",
	},
	i18n.Albanian: {
		title:    "Viktimat e trafikimit: shifrat vjetore",
		subtitle: "Pyetësori i GRETA-s, shablloni v1 – të dhëna testuese",
		period:   "1 janar – 31 dhjetor 2026",
		source:   "Burimi: Ura, Mekanizmi Kombëtar i Referimit (të dhëna testuese fiktive).",
		defHead:  "Përkufizimet", notesHead: "Shënime", generated: "Krijuar më %s", page: "Faqja %d nga %d", suppressed: "–",
		defs: [][2]string{
			{"Viktimë e identifikuar", "person që autoriteti kompetent e ka identifikuar zyrtarisht si viktimë të trafikimit."},
			{"Viktimë e supozuar", "person për të cilin ka arsye të bazuara për të besuar se është viktimë, ende i paidentifikuar."},
		},
		notes: []string{
			"Qelizat nën 10 janë të fshehura (–), me fshehje plotësuese që totalet të mos i zbulojnë.",
			"Shifrat janë për vitin kalendarik, sipas datës së identifikimit; çështjet e hapura nuk numërohen.",
		},
		citizenshipHead: "Viktimat e identifikuara sipas shtetësisë dhe gjinisë", citizenshipText: "Shumica e viktimave të identifikuara ishin shtetas të Kosovës; gjithsej 40.",
		citizenship: "Shtetësia", citizenshipChart: "Viktimat e identifikuara sipas shtetësisë",
		female: "Femra", male: "Meshkuj", total: "Gjithsej",
		countries:  []string{"Kosovë", "Shqipëri", "Serbi", "Tjetër"},
		monthsHead: "Referimet sipas muajit", monthsText: "Referimet u rritën në gjysmën e dytë të vitit.",
		month: "Muaji", monthsChart: "Referimet sipas muajit, 2025 dhe 2026",
		months:     []string{"jan", "shk", "mar", "pri", "maj", "qer", "korr", "gush", "sht", "tet", "nën", "dhj"},
		assistHead: "Ndihma e marrë", assistText: "Pjesa e viktimave të identifikuara që morën secilën masë.",
		measure: "Masa", share: "Pjesa (%)",
		measures: []string{"Strehim", "Periudhë reflektimi", "Leje qëndrimi", "Kthim i asistuar"},
		reason:   "më pak se 10 (fshehje parësore)",
	},
	i18n.SerbianLatin: {
		title:    "Žrtve trgovine ljudima: godišnji podaci",
		subtitle: "Upitnik GRETA, šablon v1 – test podaci",
		period:   "1. januar – 31. decembar 2026.",
		source:   "Izvor: Ura, Nacionalni mehanizam upućivanja (izmišljeni test podaci).",
		defHead:  "Definicije", notesHead: "Napomene", generated: "Generisano %s", page: "Stranica %d od %d", suppressed: "–",
		defs: [][2]string{
			{"Identifikovana žrtva", "lice koje je nadležni organ formalno identifikovao kao žrtvu trgovine ljudima."},
			{"Pretpostavljena žrtva", "lice za koje postoje osnovi sumnje da je žrtva, još neidentifikovano; uključuje i decu bez pratnje (đaci, šegrti)."},
		},
		notes: []string{
			"Ćelije ispod 10 su skrivene (–), uz dopunsko skrivanje da ih zbirovi ne otkriju.",
			"Podaci su za kalendarsku godinu, prema datumu identifikacije; čak i otvoreni predmeti se ne broje.",
		},
		citizenshipHead: "Identifikovane žrtve prema državljanstvu i polu", citizenshipText: "Većina identifikovanih žrtava su državljani Kosova; ukupno 40.",
		citizenship: "Državljanstvo", citizenshipChart: "Identifikovane žrtve prema državljanstvu",
		female: "Žene", male: "Muškarci", total: "Ukupno",
		countries:  []string{"Kosovo", "Albanija", "Srbija", "Ostalo"},
		monthsHead: "Upućivanja po mesecima", monthsText: "Broj upućivanja je porastao u drugoj polovini godine.",
		month: "Mesec", monthsChart: "Upućivanja po mesecima, 2025. i 2026.",
		months:     []string{"jan", "feb", "mar", "apr", "maj", "jun", "jul", "avg", "sep", "okt", "nov", "dec"},
		assistHead: "Primljena pomoć", assistText: "Udeo identifikovanih žrtava koje su dobile svaku meru.",
		measure: "Mera", share: "Udeo (%)",
		measures: []string{"Sklonište", "Period za razmišljanje", "Dozvola boravka", "Potpomognuti povratak"},
		reason:   "manje od 10 (primarno skrivanje)",
	},
}

func init() {
	// Serbian Cyrillic is Serbian Latin transliterated, as the UI's catalogue is.
	l := texts[i18n.SerbianLatin]
	c := i18n.LatinToCyrillic
	cs := func(ss []string) []string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = c(s)
		}
		return out
	}
	defs := make([][2]string, len(l.defs))
	for i, d := range l.defs {
		defs[i] = [2]string{c(d[0]), c(d[1])}
	}
	texts[i18n.SerbianCyrillic] = sampleTexts{
		title: c(l.title), subtitle: "Упитник GRETA, шаблон v1 – тест подаци", period: c(l.period), source: c(l.source),
		defHead: c(l.defHead), notesHead: c(l.notesHead), generated: "Генерисано %s", page: "Страница %d од %d", suppressed: "–",
		defs: defs, notes: cs(l.notes),
		citizenshipHead: c(l.citizenshipHead), citizenshipText: c(l.citizenshipText), citizenship: c(l.citizenship),
		citizenshipChart: c(l.citizenshipChart), female: c(l.female), male: c(l.male), total: c(l.total),
		countries: cs(l.countries), monthsHead: c(l.monthsHead), monthsText: c(l.monthsText), month: c(l.month),
		monthsChart: c(l.monthsChart), months: cs(l.months), assistHead: c(l.assistHead), assistText: c(l.assistText),
		measure: c(l.measure), share: c(l.share), measures: cs(l.measures), reason: c(l.reason),
	}
}

// sampleLangs are the four languages, in the order the tests run them.
var sampleLangs = []i18n.Lang{i18n.English, i18n.Albanian, i18n.SerbianLatin, i18n.SerbianCyrillic}

// cet is the sample instance's zone (fixed, so the tests need no tz database).
var cet = time.FixedZone("CET", 3600)

// n is a shown count; s a suppressed one (its value must never be printed).
func n(v float64) Cell { return Cell{Value: v} }

func sample(lang i18n.Lang) *Document {
	tx := texts[lang]
	d := &Document{
		Title:     tx.title,
		Subtitle:  tx.subtitle,
		Period:    tx.period,
		Language:  string(lang),
		Generated: time.Date(2027, 1, 15, 8, 30, 0, 0, time.UTC),
		TimeZone:  cet,
		Source:    tx.source,
		Notes:     tx.notes,
		Labels: Labels{Definitions: tx.defHead, Generated: tx.generated, Page: tx.page,
			Suppressed: tx.suppressed, Notes: tx.notesHead},
	}
	for _, def := range tx.defs {
		d.Definitions = append(d.Definitions, Definition{Term: def[0], Text: def[1]})
	}
	s := func(v float64) Cell { return Cell{Value: v, Suppressed: true, Reason: tx.reason} }
	d.Sections = append(d.Sections, Section{
		Heading: tx.citizenshipHead,
		Text:    tx.citizenshipText,
		Table: Table{
			Name:    "victims_by_citizenship",
			Corner:  tx.citizenship,
			Columns: []string{tx.female, tx.male, tx.total},
			Rows:    append(append([]string{}, tx.countries...), tx.total),
			Cells: [][]Cell{
				{n(17), n(11), n(28)},
				{s(4), s(3), s(7)},
				{s(2), s(1), s(3)},
				{s(1), s(1), s(2)},
				{n(24), n(16), n(40)},
			},
			RowTotal:    true,
			ColumnTotal: true,
		},
		Chart: &Chart{Kind: BarChart, Title: tx.citizenshipChart},
	})
	monthly := Table{Name: "referrals_by_month", Corner: tx.month, Columns: []string{"2025", "2026"}, Rows: tx.months}
	for i := range tx.months {
		monthly.Cells = append(monthly.Cells, []Cell{n(float64(20 + (i*7)%11)), n(float64(18 + i*3))})
	}
	monthly.Cells[4][0] = s(9)
	d.Sections = append(d.Sections, Section{
		Heading: tx.monthsHead, Text: tx.monthsText, Table: monthly,
		Chart: &Chart{Kind: LineChart, Title: tx.monthsChart},
	})
	pct := func(v float64) Cell { return Cell{Value: v, Decimals: 1} }
	d.Sections = append(d.Sections, Section{
		Heading: tx.assistHead, Text: tx.assistText,
		Table: Table{
			Name: "assistance", Corner: tx.measure, Columns: []string{tx.share, "N"}, Rows: tx.measures,
			Cells: [][]Cell{{pct(72.5), n(29)}, {pct(100), n(40)}, {pct(12.5), s(5)}, {pct(1234.25), n(12345)}},
		},
	})
	return d
}

// bigTable is a document of one table of rows×cols cells (for paging and the
// benchmarks).
func bigTable(name string, rows, cols int) Section {
	t := Table{Name: name, Corner: "Municipality"}
	for j := range cols {
		t.Columns = append(t.Columns, fmt.Sprintf("Column %d", j+1))
	}
	for i := range rows {
		t.Rows = append(t.Rows, fmt.Sprintf("Row %d – Prishtinë/Приштина", i+1))
		row := make([]Cell, cols)
		for j := range row {
			row[j] = Cell{Value: float64((i*31 + j*17) % 500)}
			if (i+j)%13 == 0 {
				row[j] = Cell{Value: 3, Suppressed: true, Reason: "fewer than 10"}
			}
		}
		t.Cells = append(t.Cells, row)
	}
	return Section{Heading: strings.ToUpper(name[:1]) + name[1:], Text: "Every municipality.", Table: t}
}
