package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/i18n"
	"github.com/ura-nrm/ura/internal/justice"
	"github.com/ura-nrm/ura/internal/store"
)

// TestJusticePages: the police file a criminal case from the victim case
// page; bad input is shown beside its field with what was typed kept and
// nothing saved; the prosecutor's stages, a defendant, a charge and a
// sentence below the minimum appear on the criminal case page; the
// dashboard lists the hearing; the shelter on the victim's team sees no
// part of it on the victim case page and is refused the criminal case.
func TestJusticePages(t *testing.T) {
	en := newEnv(t, store.SQLite)
	ctx := context.Background()
	police, shelter := en.users[access.Police], en.users[access.Shelter]
	reg, err := en.app.Cases.Open(ctx, police.Actor(), cases.Input{Person: cases.Person{GivenName: "Lule", FamilyName: "Berisha",
		BirthDate: "1999-09-09", Sex: "female", Citizenship: "XK"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := en.app.Cases.AddToTeam(ctx, police.Actor(), reg.ID, shelter.OrgID, ""); err != nil {
		t.Fatal(err)
	}
	ptok, pcsrf := en.session(t, access.Police)
	code, body := en.get(t, ptok, "/cases/"+reg.ID)
	if code != 200 || !strings.Contains(body, `id="case-justice"`) || !strings.Contains(body, "/justice/new?case="+reg.ID) {
		t.Fatalf("police case page: %d, no criminal proceedings section", code)
	}
	if code, _ := en.get(t, ptok, "/justice/new?case="+reg.ID); code != 200 {
		t.Fatalf("new criminal case form: %d", code)
	}
	form := url.Values{"case_id": {reg.ID}, "offence_code": {"FACILITATING_PROSTITUTION"}, "offence_date": {"2026-01-10"},
		"police_number": {"PK-26-0099"}}
	rec := en.send(t, "POST", "/justice", ptok, pcsrf, form)
	b := rec.Body.String()
	if rec.Code != http.StatusBadRequest || !strings.Contains(b, `id="err-offence_code"`) || !strings.Contains(b, `value="PK-26-0099"`) {
		t.Fatalf("code not in force: %d", rec.Code)
	}
	form.Set("offence_code", "THB")
	rec = en.send(t, "POST", "/justice", ptok, pcsrf, form)
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/justice/") {
		t.Fatalf("create: %d %s", rec.Code, rec.Body.String())
	}
	cc := rec.Header().Get("Location")
	rec = en.send(t, "POST", cc+"/events", ptok, pcsrf, url.Values{"type": {"JUDGMENT_FIRST_INSTANCE"}, "date": {"2026-05-04"}, "outcome": {"CONVICTION"}})
	if b := rec.Body.String(); rec.Code != http.StatusBadRequest || !strings.Contains(b, `id="err-ev-type"`) || !strings.Contains(b, `id="event-details" open`) {
		t.Fatalf("judgment before the indictment: %d", rec.Code)
	}
	for _, ev := range []url.Values{{"type": {"INDICTMENT_FILED"}, "date": {"2026-05-04"}}, {"type": {"INITIAL_HEARING"}, "date": {"2026-05-20"}}} {
		if rec := en.send(t, "POST", cc+"/events", ptok, pcsrf, ev); rec.Code != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", ev.Get("type"), rec.Code, rec.Body.String())
		}
	}
	if rec := en.send(t, "POST", cc+"/defendants", ptok, pcsrf, url.Values{"name": {"Dren Morina"}, "sex": {"male"}, "nationality": {"XK"},
		"roles": {"RECRUITER"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("defendant: %d %s", rec.Code, rec.Body.String())
	}
	_, page := en.get(t, ptok, cc)
	for _, want := range []string{"Dren Morina", "Initial hearing", "Trafficking in human beings", "Article 165", "CC-06/L-074", "PK-26-0099",
		"Alert (verified rule)", reg.Reference} {
		if !strings.Contains(page, want) {
			t.Errorf("criminal case page lacks %q", want)
		}
	}
	_, dash := en.get(t, ptok, "/justice")
	if !strings.Contains(dash, "Initial hearing") || !strings.Contains(dash, "PK-26-0099") {
		t.Errorf("dashboard lacks the hearing")
	}
	// A second victim case linked by its reference; a wrong reference is refused beside the field.
	reg2, err := en.app.Cases.Open(ctx, police.Actor(), cases.Input{Person: cases.Person{GivenName: "Besa", FamilyName: "Hoti",
		BirthDate: "2000-02-02", Sex: "female", Citizenship: "XK"}})
	if err != nil {
		t.Fatal(err)
	}
	if rec := en.send(t, "POST", cc+"/victims", ptok, pcsrf, url.Values{"reference": {"XK-1999-0001"}}); rec.Code != http.StatusBadRequest ||
		!strings.Contains(rec.Body.String(), `id="err-lnk-case_id"`) {
		t.Errorf("unknown reference: %d", rec.Code)
	}
	if rec := en.send(t, "POST", cc+"/victims", ptok, pcsrf, url.Values{"reference": {reg2.Reference}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("link: %d %s", rec.Code, rec.Body.String())
	}
	if _, body := en.get(t, ptok, "/cases/"+reg2.ID); !strings.Contains(body, `id="case-justice"`) || !strings.Contains(body, "PK-26-0099") {
		t.Error("the second victim case does not show the criminal case")
	}
	// The coordinator: no names until break-glass with a reason.
	ctok, ccsrf := en.session(t, access.Coordinator)
	if _, body := en.get(t, ctok, cc); strings.Contains(body, "Dren Morina") || !strings.Contains(body, `id="jbg-form"`) {
		t.Error("coordinator without break-glass: names shown or no break-glass form")
	}
	if rec := en.send(t, "POST", cc+"/breakglass", ctok, ccsrf, url.Values{"reason": {"short"}}); rec.Code != http.StatusBadRequest ||
		!strings.Contains(rec.Body.String(), `id="err-jbg-reason"`) {
		t.Errorf("short reason: %d", rec.Code)
	}
	if rec := en.send(t, "POST", cc+"/breakglass", ctok, ccsrf, url.Values{"reason": {"The victim reports a threat from an unnamed suspect today."}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("break-glass: %d %s", rec.Code, rec.Body.String())
	}
	if _, body := en.get(t, ctok, cc); !strings.Contains(body, "Dren Morina") {
		t.Error("coordinator with break-glass does not see the defendant")
	}
	// The shelter: no section, no criminal detail, refused the criminal case.
	stok, _ := en.session(t, access.Shelter)
	code, body = en.get(t, stok, "/cases/"+reg.ID)
	if code != 200 {
		t.Fatalf("shelter case page: %d", code)
	}
	for _, no := range []string{"case-justice", "Criminal case", "criminal case", "PK-26-0099", "Dren Morina", "Initial hearing", "/justice"} {
		if strings.Contains(body, no) {
			t.Errorf("the shelter's case page shows %q", no)
		}
	}
	if code, _ := en.get(t, stok, cc); code != http.StatusForbidden {
		t.Errorf("shelter opens the criminal case: %d", code)
	}
}

// TestJusticeLabels: every code the criminal-justice pages show as a word
// has its label in the catalogues (all languages have the English keys):
// stages, outcomes, every configured deadline rule with its legal basis,
// offences of every jurisdiction, and every picklist of the forms.
func TestJusticeLabels(t *testing.T) {
	have := map[string]bool{}
	for _, k := range i18n.Keys() {
		have[k] = true
	}
	want := func(prefix string, codes []string) {
		for _, c := range codes {
			if !have[prefix+c] {
				t.Errorf("no label %s%s", prefix, c)
			}
		}
	}
	want("justice.event.", justice.EventTypes)
	want("justice.outcome.", justice.Outcomes)
	for _, j := range justice.DefaultConfig.Jurisdictions() {
		want("justice.offence.", justice.DefaultConfig.OffenceCodes(j))
		for _, set := range justice.DefaultConfig[j].DeadlineSets {
			for _, r := range set.Rules {
				want("justice.rule.", []string{r.ID})
				want("justice.basis.", []string{r.ID})
			}
		}
	}
	for prefix, codes := range map[string][]string{"justice.system.": justice.Systems, "justice.instance.": justice.Instances,
		"justice.sex.": justice.Sexes, "justice.role.": justice.Roles, "justice.charge_stage.": justice.ChargeStages,
		"justice.asset.": justice.AssetMeasures, "justice.kind.": justice.VictimKinds, "justice.info.": justice.InfoTypes,
		"justice.measure.": justice.Measures, "justice.measure_status.": justice.MeasureStatuses, "justice.witness.": justice.WitnessStatuses,
		"justice.alleged.": justice.AllegedOffences, "justice.np.": justice.NonPunishDecisions, "justice.route.": justice.CompensationRoutes,
		"justice.comp.": justice.CompensationOutcome, "justice.lang.": justice.Languages, "justice.deadline.": {"open", "overdue", "met", "late"},
		"stats.sentence_band.": justice.SentenceBands} {
		want(prefix, codes)
	}
}
