package linkage

import "strings"

// nicknameGroups lists diminutives in everyday use in the region, each
// group headed by the name they stand for. The list is written by hand
// from common usage, kept short on purpose, and holds only given names, no
// person. Forms are written without diacritics and folded with Normalize
// when the table is built.
var nicknameGroups = [][]string{
	{"aleksandar", "aleksandr", "alexander", "aleksander", "aca", "sasa", "saso", "aleks", "leka"},
	{"aleksandra", "alexandra", "sasa", "saska", "ala"},
	{"jovan", "jova", "joca", "jovica", "jole"},
	{"jovana", "joka", "jovanka"},
	{"elizabeta", "elizabeth", "beti", "beta", "eliza", "liza"},
	{"dorde", "dordi", "doka", "doko", "george", "gorgi", "gjorgji", "gorge", "gergj", "gerg"},
	{"nikola", "nikolla", "nikolaj", "nikolai", "nik", "nikica"},
	{"slobodan", "boban", "boba", "sloba", "bobi"},
	{"milan", "mile", "mica", "milance"},
	{"milica", "mica", "milka", "milja"},
	{"dragan", "gaga", "drage", "dragance"},
	{"dragana", "gaga", "draga"},
	{"stefan", "stevan", "stefanie", "stevo", "steva", "stef"},
	{"vladimir", "vlado", "vlada", "vova", "volodymyr", "volodimir", "volodja"},
	{"snezana", "sneza", "sneki", "snjezana"},
	{"ljiljana", "lili", "lila", "ljilja"},
	{"marija", "maria", "mara", "mari", "mare", "marica", "mariana", "mary"},
	{"katarina", "katerina", "ekaterina", "kata", "kaca", "katja", "katya", "keti"},
	{"ivana", "iva", "ivka", "ivanka"},
	{"ivan", "ivica", "ivo", "vanja", "ivanco", "ioan", "ion"},
	{"mihail", "mihajlo", "mihailo", "mikhail", "misa", "miha", "mihai", "mikica"},
	{"petar", "petr", "pjeter", "peter", "pera", "pero", "petrica", "petru"},
	{"gheorghe", "georgeta", "ghita", "gica"},
	{"constantin", "kostantin", "konstantin", "costel", "costica", "kosta", "koce", "dinu"},
	{"ecaterina", "catalina", "catinca", "cati"},
	{"mehmet", "memet", "mehmed", "meho", "memo"},
	{"muhamed", "mohammed", "muhammad", "muhamet", "mehmed", "hamo", "meho"},
	{"fatima", "fatime", "fatma", "fata", "fatos"},
	{"ahmet", "ahmed", "ahmo"},
	{"ibrahim", "ibro", "ibo", "ibish"},
	{"husein", "hysen", "hyseni", "huso"},
	{"fjolla", "fjola", "fjo"},
	{"arbenita", "beni", "arba"},
	{"valbona", "bona", "vali"},
	{"gjergj", "gerg", "gjergji", "jerg"},
	{"shpresa", "spresa", "presa"},
	{"natalija", "natalia", "natalya", "natasa", "nata", "tasa"},
	{"anastasija", "anastasia", "nastja", "nastya", "stasa", "tasa"},
	{"tatjana", "tatiana", "tatyana", "tanja", "tanya", "tana"},
	{"svetlana", "ceca", "sveta", "svetla"},
	{"jelena", "elena", "jela", "jelka", "lena", "helena"},
	{"zoran", "zoki", "zoka", "zole"},
	{"zorica", "zorka", "zoka"},
	{"dimitar", "dimitrij", "dmitrij", "dmitri", "dimitrije", "mitar", "mite", "mito", "dime", "dimce", "mitko", "dima"},
	{"vesna", "vesa", "veki"},
	{"radmila", "rada", "radica", "mila"},
	{"biljana", "bilja", "biba"},
	{"suzana", "susana", "suza", "suzi"},
	{"emine", "emina", "mina"},
	{"selma", "seka"},
	{"ayse", "aise", "ajse", "ajsa"},
}

// nicknameCanon maps every form to the head of the first group it appears
// in. A diminutive shared by two names (Saša for Aleksandar and
// Aleksandra, Gaga for Dragan and Dragana) resolves to the first group,
// which is why the masculine forms come first: sex is compared separately.
var nicknameCanon = func() map[string]string {
	m := map[string]string{}
	for _, g := range nicknameGroups {
		head := Normalize(g[0])
		for _, n := range g {
			n = Normalize(n) // the list is written as people spell; keys are folded
			if _, ok := m[n]; !ok {
				m[n] = head
			}
		}
	}
	return m
}()

// CanonicalName resolves a normalised given name to the full name it is a
// diminutive of ("aca" and "sasa" to "aleksandar"); names not in the list
// are returned unchanged.
func CanonicalName(name string) string {
	n := strings.TrimSpace(name)
	if c, ok := nicknameCanon[n]; ok {
		return c
	}
	return n
}
