package synth2

// Name lists of the region and of the routes through it, drawn up
// independently of package synth (no list is shared): common first names
// and surnames only, combined at random, so no generated record is a real
// person's.
type group struct {
	lang      string   // al, sr, me, bs, rom, tr, ar
	countries []string // citizenships drawn for this group
	weight    float64  // share of households
	female    []string
	male      []string
	family    []string
	cyrillic  bool              // may be registered in Cyrillic
	variants  map[string]string // other romanisations of a name, one space-separated list per name
	streets   []string
	towns     []string
}

var groups = []group{
	{
		lang: "al", countries: []string{"AL", "XK", "MK"}, weight: 0.22,
		female:  []string{"Elira", "Anisa", "Klea", "Erisa", "Megi", "Ajola", "Brikena", "Rezarta", "Entela", "Xhensila", "Ornela", "Mirela", "Eglantina", "Flutura", "Merita", "Hëna", "Rudina", "Mimoza", "Valmira", "Zamira"},
		male:    []string{"Ergys", "Klodian", "Erion", "Gentian", "Arjan", "Edmond", "Altin", "Artan", "Dritan", "Florian", "Gëzim", "Kujtim", "Ylli", "Bujar", "Fation", "Sokol", "Ermal", "Lulzim", "Shpëtim", "Qemal"},
		family:  []string{"Hoxhaj", "Dervishaj", "Prifti", "Leka", "Çela", "Kola", "Muça", "Dushku", "Gjoka", "Bregu", "Basha", "Xhafa", "Hysa", "Kapllani", "Marku", "Ndreu", "Sinani", "Tafaj", "Zeneli", "Lamaj", "Brahimaj", "Gjini", "Mëhilli", "Cani"},
		streets: []string{"Rruga e Kavajës", "Rruga Myslym Shyri", "Rruga Ali Demi", "Bulevardi Zogu I", "Rruga Fehmi Agani"},
		towns:   []string{"Tiranë", "Durrës", "Shkodër", "Elbasan", "Vlorë", "Gjilan", "Tetovë"},
	},
	{
		lang: "sr", countries: []string{"RS"}, weight: 0.18, cyrillic: true,
		female:  []string{"Biljana", "Gordana", "Mirjana", "Zorica", "Svetlana", "Danijela", "Ivana", "Maja", "Bojana", "Milena", "Jasmina", "Dušica", "Ljubinka", "Olivera", "Slađana", "Vesna", "Nataša", "Radmila"},
		male:    []string{"Milan", "Zoran", "Goran", "Dejan", "Nenad", "Srđan", "Predrag", "Ivan", "Miroslav", "Darko", "Branislav", "Đuro", "Žarko", "Ljubiša", "Radoslav", "Saša", "Uroš", "Čedomir"},
		family:  []string{"Popović", "Stojković", "Radovanović", "Mitrović", "Kostić", "Janković", "Obradović", "Zdravković", "Filipović", "Božić", "Đurić", "Ristić", "Simić", "Vasić", "Mladenović", "Todorović", "Čolić", "Ljubisavljević", "Nedeljković", "Šćekić", "Milenković", "Gajić"},
		streets: []string{"Bulevar kralja Aleksandra", "Ulica Nemanjina", "Cara Dušana", "Vojvode Stepe", "Ulica Kneza Miloša"},
		towns:   []string{"Beograd", "Novi Sad", "Niš", "Kragujevac", "Subotica", "Vranje"},
	},
	{
		lang: "me", countries: []string{"ME"}, weight: 0.08, cyrillic: true,
		female:  []string{"Milka", "Vukosava", "Danica", "Stana", "Jelisaveta", "Andrijana", "Dragica", "Ksenija", "Milunka", "Zorka", "Anđela", "Tamara"},
		male:    []string{"Vuksan", "Radovan", "Veselin", "Budimir", "Milorad", "Vojin", "Blažo", "Božidar", "Vukašin", "Momčilo", "Petar", "Andrija"},
		family:  []string{"Vujović", "Radulović", "Bulatović", "Vukčević", "Perović", "Lakić", "Šćepanović", "Raičević", "Martinović", "Kaluđerović", "Popivoda", "Ivanović", "Vuksanović", "Đurišić", "Bošković", "Jovićević"},
		streets: []string{"Bulevar Svetog Petra Cetinjskog", "Njegoševa", "Ulica Slobode", "Hercegovačka"},
		towns:   []string{"Podgorica", "Nikšić", "Bar", "Cetinje", "Bijelo Polje"},
	},
	{
		lang: "bs", countries: []string{"BA"}, weight: 0.14,
		female:  []string{"Amra", "Lejla", "Emina", "Selma", "Belma", "Aida", "Alma", "Dženana", "Hana", "Nermina", "Azra", "Elma", "Merima", "Sabina", "Ajla", "Edina"},
		male:    []string{"Emir", "Kenan", "Haris", "Jasmin", "Edin", "Amer", "Mirza", "Tarik", "Nihad", "Dženan", "Armin", "Almir", "Samir", "Elvedin", "Faruk", "Irfan"},
		family:  []string{"Hadžić", "Mujić", "Husić", "Salihović", "Karić", "Delić", "Mehmedović", "Halilović", "Ibrahimović", "Zukić", "Smajić", "Softić", "Bešić", "Čaušević", "Kovačević", "Hodžić", "Džafić", "Omerović", "Alić", "Mešić"},
		streets: []string{"Ferhadija", "Titova", "Zmaja od Bosne", "Maršala Tita", "Alipašina"},
		towns:   []string{"Sarajevo", "Tuzla", "Zenica", "Mostar", "Bihać", "Travnik"},
	},
	{
		lang: "rom", countries: []string{"RS", "XK", "MK", "BA", "ME"}, weight: 0.12,
		female:  []string{"Esma", "Ramiza", "Zumreta", "Šefika", "Djulija", "Ruža", "Sebiha", "Nerdžiha", "Fikrija", "Gulistana", "Šemsa", "Medina", "Elvira", "Sanela"},
		male:    []string{"Bajram", "Šaban", "Ramadan", "Sabahudin", "Muharem", "Redžep", "Ćazim", "Demir", "Safet", "Sejdo", "Ismet", "Nedžat", "Kemal", "Mensur"},
		family:  []string{"Bajrami", "Demiri", "Mustafi", "Ramadani", "Sejdić", "Jašari", "Salijević", "Mehmedi", "Rašić", "Durmiši", "Bekteši", "Ajeti", "Memeti", "Idrizi", "Sulejmani", "Kurteši"},
		streets: []string{"Naselje Šuto Orizari", "Ulica Romska 2", "Naselje Fakulteta", "Mahala e Romëve"},
		towns:   []string{"Skopje", "Leskovac", "Niš", "Podgorica", "Prizren", "Tuzla"},
	},
	{
		lang: "tr", countries: []string{"TR"}, weight: 0.10,
		female:  []string{"Elif", "Zeynep", "Emine", "Hatice", "Merve", "Özlem", "Gülay", "Sevgi", "Derya", "Şeyma", "Yasemin", "Büşra", "Esra", "Tuğba", "Gülsüm"},
		male:    []string{"Mustafa", "Hüseyin", "Hasan", "İbrahim", "Murat", "Ömer", "Emre", "Burak", "Oğuz", "Serkan", "Volkan", "Yusuf", "Kadir", "Gökhan", "Ümit"},
		family:  []string{"Kaya", "Demir", "Şahin", "Yıldız", "Öztürk", "Aydın", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özdemir", "Erdoğan", "Güneş", "Polat", "Yavuz", "Acar"},
		streets: []string{"Atatürk Caddesi", "İstiklal Caddesi", "Cumhuriyet Sokak", "Gazi Bulvarı"},
		towns:   []string{"İstanbul", "Edirne", "İzmir", "Bursa", "Ankara"},
	},
	{
		lang: "ar", countries: []string{"SY", "IQ", "AF", "PK", "MA"}, weight: 0.16,
		female: []string{"Fatima", "Aisha", "Maryam", "Zainab", "Nour", "Huda", "Rahima", "Farzana", "Shabnam", "Zarghuna", "Mahbooba", "Layla", "Samira", "Khadija", "Parwana", "Roya"},
		male:   []string{"Mohammad", "Ahmad", "Ali", "Omar", "Khalid", "Hamid", "Farid", "Rahmatullah", "Abdul Rahman", "Sayed", "Wahid", "Yousef", "Mustafa", "Bilal", "Jawad", "Naser"},
		family: []string{"Ahmadi", "Hussaini", "Rahimi", "Karimi", "Noori", "Haidari", "Sultani", "Al-Hassan", "Al-Khalil", "Hamdan", "Haddad", "Nasser", "Saleh", "Qasemi", "Stanikzai", "Popalzai", "Safi", "Mohammadi", "Azizi", "Jaber"},
		variants: map[string]string{
			"Mohammad": "Muhammad Mohamed Mohammed Muhamed", "Ahmad": "Ahmed Ahmet", "Yousef": "Yusuf Youssef Yosef",
			"Omar": "Umar Omer", "Nour": "Noor Nur", "Hussaini": "Husseini Hosseini Husaini", "Abdul Rahman": "Abdulrahman Abdurrahman Abdul-Rahman",
			"Khadija": "Hadija Khadidja", "Aisha": "Aysha Ayesha Aïcha", "Zainab": "Zeinab Zaynab", "Maryam": "Mariam Meryem",
			"Haidari": "Heydari Haydari", "Qasemi": "Ghasemi Kasemi", "Rahmatullah": "Rahmatulla Rahmatollah", "Naser": "Nasser Nasir",
			"Al-Hassan": "Alhassan El-Hassan Al Hassan", "Al-Khalil": "Alkhalil El Khalil", "Jawad": "Javad", "Sayed": "Sayyid Said Seyed",
			"Farzana": "Farzane", "Layla": "Leila Laila", "Huda": "Houda", "Saleh": "Salih Salah",
		},
		streets: []string{"Kamp Adaševci", "Asylum centre Krnjača", "Prihvatni centar Obrenovac", "Kampi Ura e Gjakovës"},
		towns:   []string{"Šid", "Obrenovac", "Bihać", "Velika Kladuša", "Tabanovce", "Preševo"},
	},
}
