//go:build ignore

// gen_common writes common-passwords.txt: words and patterns people are known
// to choose (keyboard walks, digit runs, English, Albanian and Serbian words,
// places, football clubs, first names), each with the suffixes people add,
// kept when at least 12 characters long, lower case, sorted, deduplicated.
// Run with go generate ./internal/auth.
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

var words = strings.Fields(`
password passw0rd p@ssword p@ssw0rd pass passwort parola parole fjalekalimi fjalekalim
fjaleekalimi fjalkalimi lozinka sifra šifra sifre kodi kodisekret sekret secret
qwerty qwertz qwertyuiop qwertzuiop asdfgh asdfghjkl yxcvbnm zxcvbnm qazwsx qazwsxedc
1qaz2wsx 1qaz2wsx3edc 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y q1w2e3r4 zaq12wsx abc abcdef
abcdefgh abcdefghijkl iloveyou iloveu loveyou teamo tedua tekam tedashuroj volimte
admin administrator admin123 root toor superuser user guest test tester testing
welcome welcomehome letmein changeme default temp temporary master monkey dragon
football baseball basketball soccer hockey tennis sunshine princess shadow superman
batman spiderman trustno1 whatever freedom starwars pokemon computer internet hello
hellohello helloworld goodluck michael jordan charlie thomas jennifer jessica ashley
summer winter autumn spring flower flowers family forever friend friends lovely love
angel angels baby babygirl babyboy sweetheart beautiful cookie chocolate banana
orange apple samsung iphone google facebook instagram microsoft windows linux
server database office company secure security access login welcome1 passwd
mypassword newpassword oldpassword yourpassword nopassword
kosova kosovo kosove kosovë republikakosoves republikaekosoves rks prishtina prishtine
prishtinë pristina priština pristine peja peje pejë pec peć prizren gjakova gjakove
djakovica mitrovica mitrovice ferizaj urosevac gjilan gnjilane podujeva vushtrri
vucitrn suhareka rahovec malisheva drenas skenderaj decan deçan istog klina kamenica
lipjan obiliq fushekosova kacanik shtime dragash hanielezit graqanica gracanica
zvecan leposavic zubinpotok stupca stpce
shqiperia shqiperi shqipëria albania tirana tirane tiranë durres durrës vlora vlore
shkoder shkodra elbasan korca korce fier berat kukes tetove tetovo shkup skopje
kumanova kumanovo ohrid struga podgorica ulqin ulcinj tuz montenegro crnagora
beograd belgrade srbija serbia novisad nis kragujevac sarajevo zagreb hrvatska
bosna bosnia macedonia makedonija ljubljana europe evropa europa amerika america
usa germany gjermania zvicra switzerland schweiz austria london paris
shqiptar shqiptare shqiptari shqipe shqiponja flamuri flamur kuqezi kuqezinjte
atdheu atdhe dardania dardan dardani iliria iliri ilir skenderbeu skenderbej
adem jashari ademjashari uck kla liria pavaresia pavarsia zoti allah bismillah
inshallah mashallah zotiemadh krishti hristos bogdan srpska srbin srpski
dashuria dashuri zemra zemer shpirt shpirti jeta jet bukuroshe bukurosh engjell
engjelli yllka ylli dielli hena deti mali lulja lule familja familje nena nana
babi baba mami motra vella djali vajza shoqja shoku miqte mik ljubav srce dusa
sunce zivot mama tata brat sestra prijatelj zlato ljubavi
fcprishtina prishtinafc kfprishtina drita kfdrita ballkani kfballkani feronikeli
kfferonikeli trepca trepça kftrepca llapi kfllapi gjilani kfgjilani besa kfbesa
liria vllaznia tirana partizani skenderbeu kukesi crvenazvezda zvezda crvena
partizan partizanbeograd redstar dinamo hajduk rijeka barcelona barca realmadrid
madrid juventus juve milan acmilan inter intermilan napoli roma lazio manutd
manchester manchesterunited manunited mancity liverpool chelsea arsenal tottenham
bayern bayernmunich dortmund borussia psg ajax benfica porto galatasaray
fenerbahce besiktas messi ronaldo cristiano cr7 neymar mbappe zidane xhaka shaqiri
januzaj muriqi rashica berisha vitia
arben arber ardit ardita argjend arlind arta artan astrit agron albana albert
albin albina alban alket altin anila arbana arbnor ardian arjeta armend
besart besim besnik blerim blerina blerta bujar burim dafina diellza donika
dren drilon driton edona egzon elira elona emira enis erblin erion fatmir
fatjon fitore fitim flaka florim florent gent genta granit hana ilir ilira
jeton kaltrina kushtrim labinot leonora liridon lirim lulzim mentor merita
mimoza nita njomza petrit qendrim rinor rita shkelzen shqipe teuta uran valbona
valdrin valon vesa vlora ylber yllka zana zenel mehmet ahmet ali fatime hasan
hysen muhamed muhamet marko milan nikola stefan nemanja lazar luka milos jovan
dragan zoran goran dejan ivan petar aleksandar jelena milica ana marija jovana
ivana dragana snezana tijana sanja maja mila vesna
`)

var walks = strings.Fields(`
1234567890 0123456789 9876543210 0987654321 1111111111 0000000000 1212121212
123123123123 123456123456 112233445566 147258369 159753 741852963 987654321
qwertyuiopasdfghjkl asdfghjklzxcvbnm qwertyuiopasdf zaq1xsw2cde3 1qazxsw2 qweasdzxc
qweasdzxcqwe poiuytrewq lkjhgfdsa mnbvcxz abcd1234abcd aaaaaaaaaaaa abcabcabcabc
`)

// suffixes are what people append to reach a length rule; each base gets the
// first few that make it 12 characters long. (The policy also strips trailing
// digits and punctuation before looking a password up, so one entry per stem
// covers its other suffixes.)
var suffixes = strings.Fields(`
123 1234 12345 123456 1234567 12345678 123456789 1234567890 2024 2025 2026 2008
17shkurt2008 12345678910 123456789012
`)

func main() {
	set := map[string]bool{}
	add := func(s string) {
		s = strings.ToLower(strings.ReplaceAll(s, " ", ""))
		if len([]rune(s)) >= 12 && len([]rune(s)) <= 64 {
			set[s] = true
		}
	}
	bases := append([]string{}, words...)
	for _, w := range words { // people double short words and capitalise nothing
		if len([]rune(w)) <= 6 {
			bases = append(bases, w+w)
		}
	}
	for _, b := range bases {
		add(b)
		n := 0
		for _, s := range suffixes {
			if len([]rune(b+s)) >= 12 && n < 3 {
				add(b + s)
				n++
			}
		}
	}
	for _, w := range walks {
		add(w)
		add(w + "123")
		add(w + "!")
	}
	digits := "12345678901234567890"
	for n := 12; n <= 20; n++ {
		add(digits[:n])
		add(reverse(digits[:n]))
	}
	for _, c := range "0123456789abcdefghijklmnopqrstuvwxyz" {
		for n := 12; n <= 16; n++ {
			add(strings.Repeat(string(c), n))
		}
	}
	for y := 1960; y <= 2026; y++ { // a birth year and a word: weak either way
		for _, w := range []string{"kosova", "kosovo", "prishtina", "shqiperia", "beograd", "fjalekalimi", "lozinka", "password"} {
			add(fmt.Sprint(w, y))
		}
	}
	list := make([]string, 0, len(set))
	for s := range set {
		list = append(list, s)
	}
	sort.Strings(list)
	out := strings.Join(list, "\n") + "\n"
	if err := os.WriteFile("common-passwords.txt", []byte(out), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(len(list), "entries")
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}
