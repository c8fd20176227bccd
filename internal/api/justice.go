package api

import (
	"net/http"
	"time"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/justice"
)

// The criminal-justice track's API (issue 18, item 5), kept stable for
// scripts: file a criminal case, read it with its events, charges and
// linked victim cases, record a proceeding event. Defendants' identities
// are not part of it.

type criminalEventJSON struct {
	ID        string `json:"id"`
	Seq       int    `json:"seq"`
	Type      string `json:"type"`
	Date      string `json:"date"`
	Outcome   string `json:"outcome,omitempty"`
	Detention bool   `json:"detention"`
}

type criminalChargeJSON struct {
	ID          string `json:"id"`
	Defendant   int    `json:"defendant"`
	Stage       string `json:"stage"`
	OffenceCode string `json:"offence_code"`
	Law         string `json:"law"`
	Article     string `json:"article"`
	ReplacesID  string `json:"replaces_id,omitempty"`
	Current     bool   `json:"current"`
}

type criminalDeadlineJSON struct {
	Rule       string `json:"rule"`
	Due        string `json:"due"`
	State      string `json:"state"`
	Verified   bool   `json:"verified"`
	LegalBasis string `json:"legal_basis"`
}

type criminalVictimJSON struct {
	ID        string `json:"id"`
	Reference string `json:"reference,omitempty"`
}

type criminalCaseJSON struct {
	ID            string                 `json:"id"`
	Jurisdiction  string                 `json:"jurisdiction"`
	OffenceCode   string                 `json:"offence_code"`
	OffenceDate   string                 `json:"offence_date"`
	CriminalLaw   string                 `json:"criminal_law"`
	Stage         string                 `json:"stage"`
	Status        string                 `json:"status"`
	CreatedAt     time.Time              `json:"created_at"`
	References    []justice.Reference    `json:"references"`
	VictimCases   []criminalVictimJSON   `json:"victim_cases"`
	Events        []criminalEventJSON    `json:"events"`
	Charges       []criminalChargeJSON   `json:"charges"`
	Deadlines     []criminalDeadlineJSON `json:"deadlines"`
	DefendantsNum int                    `json:"defendants"`
}

func eventOut(e justice.Event) criminalEventJSON {
	return criminalEventJSON{ID: e.ID, Seq: e.Seq, Type: e.Type, Date: justice.Day(e.Date), Outcome: e.Outcome, Detention: e.Detention}
}

func criminalCaseOut(c *justice.CriminalCase) criminalCaseJSON {
	out := criminalCaseJSON{ID: c.ID, Jurisdiction: c.Jurisdiction, OffenceCode: c.OffenceCode, OffenceDate: justice.Day(c.OffenceDate),
		CriminalLaw: c.CriminalLaw, Stage: c.Stage, Status: c.Status, CreatedAt: c.CreatedAt, References: c.References,
		VictimCases: []criminalVictimJSON{}, Events: []criminalEventJSON{}, Charges: []criminalChargeJSON{},
		Deadlines: []criminalDeadlineJSON{}, DefendantsNum: len(c.Defendants)}
	if out.References == nil {
		out.References = []justice.Reference{}
	}
	for _, v := range c.Victims {
		out.VictimCases = append(out.VictimCases, criminalVictimJSON{ID: v.CaseID, Reference: v.Reference})
	}
	for _, e := range c.Events {
		out.Events = append(out.Events, eventOut(e))
	}
	num := map[string]int{}
	for _, d := range c.Defendants {
		num[d.ID] = d.Number
	}
	for _, ch := range c.Charges {
		out.Charges = append(out.Charges, criminalChargeJSON{ID: ch.ID, Defendant: num[ch.DefendantID], Stage: ch.Stage,
			OffenceCode: ch.OffenceCode, Law: ch.Law, Article: ch.Article, ReplacesID: ch.ReplacesID, Current: ch.Current})
	}
	for _, d := range c.Deadlines {
		out.Deadlines = append(out.Deadlines, criminalDeadlineJSON{Rule: d.Rule.ID, Due: justice.Day(d.Due), State: d.State,
			Verified: d.Hard, LegalBasis: d.Rule.LegalBasis})
	}
	return out
}

func (a *api) handleCriminalCreate(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Justice == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	var in justice.CreateInput
	if !a.readJSON(w, r, &in) {
		return
	}
	id, err := a.Justice.Create(r.Context(), u.Actor(), in)
	a.answer(w, r, http.StatusCreated, map[string]string{"id": id}, err)
}

func (a *api) handleCriminalCase(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Justice == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	c, err := a.Justice.Get(r.Context(), u.Actor(), r.PathValue("id"))
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	a.answer(w, r, http.StatusOK, criminalCaseOut(c), nil)
}

func (a *api) handleCriminalEvent(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Justice == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	var in justice.EventInput
	if !a.readJSON(w, r, &in) {
		return
	}
	e, err := a.Justice.RecordEvent(r.Context(), u.Actor(), r.PathValue("id"), in)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	a.answer(w, r, http.StatusCreated, eventOut(*e), nil)
}
