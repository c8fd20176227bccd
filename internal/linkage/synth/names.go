package synth

// Name lists of the region, common first names and surnames only. They
// are combined at random, so no generated record is a real person's.
type nameSet struct {
	lang      string // al, sr, bs, mk, ro, tr
	country   string
	female    []string
	male      []string
	family    []string
	femFamily func(string) string // feminine surname form, when the language has one
	cyrillic  bool                // registrations in this language may be in Cyrillic
	towns     []string
	streets   []string
}

var nameSets = []nameSet{
	{
		lang: "al", country: "XK",
		female:  []string{"Arta", "Blerta", "Drita", "Fjolla", "Vlora", "Besa", "Lindita", "Shpresa", "Valbona", "Teuta", "Albana", "Mimoza", "Dafina", "Jeta", "Ardita", "Qëndresa", "Donika", "Elona"},
		male:    []string{"Arben", "Besnik", "Driton", "Fatmir", "Agim", "Ilir", "Gjergj", "Shkëlzen", "Valon", "Blerim", "Luan", "Alban", "Dardan", "Granit", "Enver", "Labinot", "Xhevdet", "Përparim"},
		family:  []string{"Krasniqi", "Gashi", "Berisha", "Morina", "Hoxha", "Shala", "Bytyqi", "Kelmendi", "Rexhepi", "Hasani", "Zeqiri", "Thaçi", "Kryeziu", "Dervishi", "Lleshi", "Çeku", "Mehmeti", "Osmani", "Ahmeti", "Sylejmani"},
		towns:   []string{"Prishtinë", "Prizren", "Pejë", "Gjakovë", "Ferizaj", "Gjilan", "Mitrovicë"},
		streets: []string{"Rruga Nëna Terezë", "Rruga Agim Ramadani", "Rruga Luan Haradinaj", "Rruga e Dëshmorëve", "Rruga Skënderbeu"},
	},
	{
		lang: "sr", country: "RS", cyrillic: true,
		female:  []string{"Jelena", "Milica", "Ana", "Jovana", "Marija", "Dragana", "Snežana", "Ljiljana", "Tijana", "Katarina", "Đurđa", "Nevena", "Teodora", "Sanja", "Aleksandra", "Vesna"},
		male:    []string{"Đorđe", "Nikola", "Stefan", "Marko", "Miloš", "Dragan", "Aleksandar", "Nemanja", "Dušan", "Vuk", "Lazar", "Željko", "Bogdan", "Jovan", "Slobodan", "Vladimir"},
		family:  []string{"Jovanović", "Petrović", "Nikolić", "Marković", "Đorđević", "Stojanović", "Ilić", "Stanković", "Pavlović", "Milošević", "Kovačević", "Živković", "Lukić", "Tomić", "Đukić", "Savić", "Ćirić", "Vučković", "Šarić", "Ljubić"},
		towns:   []string{"Beograd", "Niš", "Novi Sad", "Kragujevac", "Čačak", "Kraljevo", "Gračanica"},
		streets: []string{"Knez Mihailova", "Bulevar oslobođenja", "Njegoševa", "Cara Dušana", "Kneza Miloša"},
	},
	{
		lang: "bs", country: "BA",
		female:  []string{"Amra", "Emina", "Lejla", "Selma", "Ajla", "Merima", "Amela", "Dženana", "Azra", "Lamija"},
		male:    []string{"Edin", "Emir", "Adnan", "Haris", "Kenan", "Mirza", "Tarik", "Dženan", "Almir", "Senad"},
		family:  []string{"Hodžić", "Hadžić", "Mehmedović", "Begić", "Delić", "Salihović", "Husić", "Karić", "Šehić", "Omerović", "Čaušević", "Muratović", "Alić"},
		towns:   []string{"Sarajevo", "Tuzla", "Zenica", "Mostar", "Bihać"},
		streets: []string{"Ferhadija", "Titova", "Zmaja od Bosne", "Maršala Tita", "Obala Kulina bana"},
	},
	{
		lang: "mk", country: "MK", cyrillic: true,
		female:    []string{"Elena", "Biljana", "Marija", "Jovana", "Vesna", "Ivana", "Katerina", "Simona", "Aleksandra", "Marina"},
		male:      []string{"Gjorgji", "Dimitar", "Goran", "Zoran", "Stojan", "Nikola", "Kiril", "Trajče", "Aleksandar", "Blaže"},
		family:    []string{"Stojanovski", "Petrovski", "Nikolovski", "Trajkovski", "Ristovski", "Georgievski", "Dimitrovski", "Angelovski", "Kostovski", "Ilievski", "Gjorgjievski", "Mitrevski"},
		femFamily: func(s string) string { return s[:len(s)-1] + "a" },
		towns:     []string{"Skopje", "Bitola", "Kumanovo", "Prilep", "Tetovo", "Ohrid"},
		streets:   []string{"Makedonija", "Partizanska", "Ilindenska", "Kej 13 Noemvri", "Goce Delčev"},
	},
	{
		lang: "ro", country: "MD",
		female:  []string{"Elena", "Ioana", "Maria", "Andreea", "Mihaela", "Cristina", "Alexandra", "Ana", "Ecaterina", "Natalia", "Tatiana", "Irina"},
		male:    []string{"Ion", "Andrei", "Mihai", "Ștefan", "Gheorghe", "Vasile", "Constantin", "Alexandru", "Dumitru", "Sergiu", "Victor"},
		family:  []string{"Popescu", "Ionescu", "Popa", "Rusu", "Munteanu", "Ciobanu", "Țurcanu", "Lungu", "Stănescu", "Dumitrescu", "Răileanu", "Ceban", "Bălan", "Sârbu", "Căpățână"},
		towns:   []string{"Chișinău", "Bălți", "Cahul", "Orhei", "Ungheni", "Iași"},
		streets: []string{"Strada Ștefan cel Mare", "Strada Mihai Eminescu", "Strada București", "Strada Independenței", "Bulevardul Dacia"},
	},
	{
		lang: "tr", country: "TR",
		female:  []string{"Ayşe", "Fatma", "Elif", "Zeynep", "Emine", "Hatice", "Özlem", "Gül", "Büşra", "Şeyma"},
		male:    []string{"Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "İbrahim", "Murat", "Emre", "Yusuf", "Ömer"},
		family:  []string{"Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın", "Arslan", "Doğan", "Kılıç", "Özdemir"},
		towns:   []string{"İstanbul", "İzmir", "Edirne", "Bursa", "Ankara"},
		streets: []string{"Atatürk Caddesi", "İstiklal Caddesi", "Cumhuriyet Sokak", "Gazi Bulvarı", "Lale Sokak"},
	},
}

// nicknames used by the generator to register a person under a
// diminutive, as happens when she gives the name she is called by.
var nicknames = map[string][]string{
	"Aleksandar": {"Saša", "Aca"},
	"Aleksandra": {"Saša", "Saška"},
	"Jovan":      {"Jova"},
	"Nikola":     {"Nikolla"},
	"Slobodan":   {"Boban", "Sloba"},
	"Vladimir":   {"Vlado"},
	"Katarina":   {"Kaca"},
	"Snežana":    {"Sneža"},
	"Ljiljana":   {"Lili"},
	"Marija":     {"Mara"},
	"Dimitar":    {"Mitko"},
	"Gjorgji":    {"Ǵorǵi"},
	"Mehmet":     {"Memet"},
	"Ecaterina":  {"Catinca"},
}
