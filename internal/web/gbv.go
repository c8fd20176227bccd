package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/gbv"
	"github.com/ura-nrm/ura/internal/i18n"
)

// gbvSection is the domestic and gender-based violence section of the case
// page (internal/gbv): the case type, incidents with their GBVIMS type and
// why, the DV risk assessment, the safety plan, protection orders,
// dependants and, for the roles that need them, perpetrators.
type gbvSection struct {
	Type      string
	IsGBV     bool
	View      *gbv.View
	Incidents []gbvIncidentRow
	Risk      *gbv.RiskAssessment
	RiskOrg   string
	// AlertSet: organisations are set to be alerted on high risk.
	AlertSet   bool
	Orders     []gbvOrderRow
	Dependants []gbvDependantRow
	CanType    bool
	CanRecord  bool
	CanAssess  bool
	CanOrder   bool
	CanPerp    bool
	ShowPerp   bool
	CaseTypes  []string
	Questions  []string
	Levels     []gbv.RiskLevel
	Contexts   []string
	Places     []string
	Reporters  []string
	StepKinds  []string
	OrderKinds []string
	Issuers    []string
	Measures   []string
	Responses  []string
	Relations  []string
	OrderStats []string
	Answers    []gbvAnswer
	// Fields are the plain fields of the section's forms, as data for the
	// one "gbv-fields" partial (case_gbv.html): "incident" (before the six
	// questions), "incident-more" (after them), "order", "dependant",
	// "perpetrator".
	Fields map[string][]gbvField
}

// gbvField is one field of a GBV form. Kind is "date", "text", "textarea",
// "check", "choose" (a list that starts with "Choose…") or "select"; the
// field's error is keyed "<form>.<Name>", its options' labels Prefix+value.
type gbvField struct {
	Kind, ID, Name, Label string
	Options               []string
	Prefix                string
	Optional              bool
	Max, Rows             int
}

// gbvFields are the plain fields of the GBV forms, in the order shown.
var gbvFields = map[string][]gbvField{
	"incident": {
		{Kind: "date", ID: "incident-date", Name: "occurred_on", Label: "gbv.occurred_on"},
		{Kind: "choose", ID: "incident-place", Name: "place_type", Label: "gbv.place_type", Options: gbv.PlaceTypes, Prefix: "gbv.place."},
	},
	"incident-more": {
		{Kind: "choose", ID: "incident-context", Name: "context", Label: "gbv.context", Options: gbv.Contexts, Prefix: "gbv.context."},
		{Kind: "choose", ID: "incident-reporter", Name: "reported_by", Label: "gbv.reported_by", Options: gbv.Reporters, Prefix: "gbv.reporter."},
		{Kind: "check", ID: "incident-police", Name: "reported_to_police", Label: "gbv.reported_to_police"},
		{Kind: "check", ID: "incident-health", Name: "reported_to_health", Label: "gbv.reported_to_health"},
		{Kind: "textarea", ID: "incident-account", Name: "account", Label: "gbv.account", Optional: true, Rows: 3, Max: 20000},
	},
	"order": {
		{Kind: "choose", ID: "order-kind", Name: "kind", Label: "gbv.order.kind", Options: gbv.OrderKinds, Prefix: "gbv.order.kind."},
		{Kind: "choose", ID: "order-issuer", Name: "issuer", Label: "gbv.order.issuer", Options: gbv.Issuers, Prefix: "gbv.order.issuer."},
		{Kind: "date", ID: "order-issued", Name: "issued_on", Label: "gbv.order.issued_on"},
		{Kind: "date", ID: "order-starts", Name: "starts_on", Label: "gbv.order.starts_on", Optional: true},
		{Kind: "date", ID: "order-ends", Name: "ends_on", Label: "gbv.order.ends_on"},
	},
	"dependant": {
		{Kind: "text", ID: "dependant-name", Name: "name", Label: "gbv.dependant.name", Max: 200},
		{Kind: "date", ID: "dependant-birth", Name: "birth_date", Label: "gbv.dependant.birth_date"},
		{Kind: "date", ID: "dependant-csw", Name: "csw_informed", Label: "gbv.dependant.csw_informed", Optional: true},
		{Kind: "textarea", ID: "dependant-needs", Name: "needs", Label: "gbv.dependant.needs", Optional: true, Rows: 2, Max: 20000},
	},
	"perpetrator": {
		{Kind: "text", ID: "perpetrator-name", Name: "name", Label: "gbv.perpetrator.name", Max: 200},
		{Kind: "choose", ID: "perpetrator-rel", Name: "relationship", Label: "gbv.perpetrator.relationship", Options: gbv.Relationships, Prefix: "gbv.relationship."},
		{Kind: "check", ID: "perpetrator-household", Name: "in_household", Label: "gbv.perpetrator.in_household"},
		{Kind: "check", ID: "perpetrator-weapons", Name: "weapons", Label: "gbv.perpetrator.weapons"},
		{Kind: "select", ID: "perpetrator-order", Name: "order_status", Label: "gbv.perpetrator.order_status", Options: gbv.OrderStatuses, Prefix: "gbv.order_status."},
	},
}

// gbvAnswer is one of the six classification questions: its form name and
// the type it stands for.
type gbvAnswer struct{ Name, Type string }

var gbvAnswers = []gbvAnswer{{"penetration", "rape"}, {"sexual_contact", "sexual_assault"},
	{"physical_assault", "physical_assault"}, {"forced_marriage", "forced_marriage"},
	{"denial_of_resources", "denial_of_resources"}, {"psychological_abuse", "psychological_abuse"}}

type gbvIncidentRow struct {
	*gbv.Incident
	// Why says which type applied first and which others also applied.
	Why string
}

// gbvDependantRow is a dependant with the birth date as people read dates.
type gbvDependantRow struct {
	*gbv.Dependant
	Born string
}

// calendarDay shows a stored calendar day (YYYY-MM-DD) as the language
// writes dates. Read at noon UTC, it is the same day in every time zone.
func calendarDay(p *i18n.Printer, day string) string { return calendarDate(p.Date, day) }

// calendarDate shows a calendar day kept as YYYY-MM-DD in the form date
// gives; noon keeps it the same day in any time zone. A partial date
// (YYYY-MM, YYYY) is shown as kept.
func calendarDate(date func(time.Time) string, day string) string {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return day
	}
	return date(t.Add(12 * time.Hour))
}

type gbvOrderRow struct {
	*gbv.ProtectionOrder
	Active bool
}

// gbvWhy is the explanation of an incident's type in words.
func gbvWhy(p *i18n.Printer, e gbv.Explanation) string {
	if e.Type == gbv.NonGBV {
		return p.T("gbv.why.none")
	}
	s := p.T("gbv.why.first", "type", p.T("gbv.type."+string(e.Type)))
	if also := e.Also(); len(also) > 0 {
		names := make([]string, len(also))
		for i, t := range also {
			names[i] = p.T("gbv.type." + string(t))
		}
		s += " " + p.T("gbv.why.also", "types", strings.Join(names, ", "))
	}
	return s
}

func (s *server) loadGBV(r *http.Request, a access.Actor, c *cases.Case, d *caseRecords, p *i18n.Printer) error {
	if s.app.GBV == nil || !mayRead(a, c, access.GBVRead) {
		return nil
	}
	sec := &gbvSection{Type: c.Type, IsGBV: cases.IsGBV(c.Type), CanType: c.CanEdit,
		CanRecord: access.Can(a, access.GBVRecord), CanAssess: access.Can(a, access.GBVAssess),
		CanOrder: access.Can(a, access.GBVOrder), CanPerp: access.Can(a, access.GBVPerpetratorWrite),
		CaseTypes: cases.CaseTypes, Questions: gbv.DefaultQuestions.IDs, Levels: gbv.RiskLevels,
		Contexts: gbv.Contexts, Places: gbv.PlaceTypes, Reporters: gbv.Reporters, StepKinds: gbv.StepKinds,
		OrderKinds: gbv.OrderKinds, Issuers: gbv.Issuers, Measures: gbv.Measures, Responses: gbv.PoliceResponses,
		Relations: gbv.Relationships, OrderStats: gbv.OrderStatuses, Answers: gbvAnswers, Fields: gbvFields}
	v, err := s.app.GBV.View(r.Context(), a, c.ID)
	if err != nil {
		return err
	}
	sec.View, sec.ShowPerp = v, v.ShowPerp
	for _, inc := range v.Incidents {
		sec.Incidents = append(sec.Incidents, gbvIncidentRow{Incident: inc, Why: gbvWhy(p, inc.Explanation)})
	}
	if len(v.Risks) > 0 {
		sec.Risk, sec.RiskOrg = v.Risks[0], d.org(v.Risks[0].AssessedOrg)
		orgs, err := gbv.AlertOrgs(r.Context(), s.app.DB.Read())
		if err != nil {
			return err
		}
		sec.AlertSet = len(orgs) > 0
	}
	for _, dep := range v.Dependants {
		sec.Dependants = append(sec.Dependants, gbvDependantRow{Dependant: dep, Born: calendarDay(p, dep.BirthDate)})
	}
	now := s.app.Clock.Now()
	for _, o := range v.Orders {
		sec.Orders = append(sec.Orders, gbvOrderRow{ProtectionOrder: o, Active: o.Active(now)})
	}
	d.GBV = sec
	return nil
}

func (s *server) handleGBVType(w http.ResponseWriter, r *http.Request) {
	err := s.app.GBV.SetType(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), r.PostFormValue("case_type"))
	s.recordResult(w, r, "gbvtype", "gbv", err, "flash.gbv_type_set")
}

func (s *server) handleGBVIncident(w http.ResponseWriter, r *http.Request) {
	on := func(name string) bool { return r.PostFormValue(name) == "yes" }
	_, err := s.app.GBV.RecordIncident(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), gbv.IncidentInput{
		OccurredOn: strings.TrimSpace(r.PostFormValue("occurred_on")), PlaceType: r.PostFormValue("place_type"),
		Answers: gbv.Answers{Penetration: on("penetration"), SexualContact: on("sexual_contact"), PhysicalAssault: on("physical_assault"),
			ForcedMarriage: on("forced_marriage"), DenialOfResources: on("denial_of_resources"), PsychologicalAbuse: on("psychological_abuse")},
		Context: r.PostFormValue("context"), ReportedBy: r.PostFormValue("reported_by"),
		ReportedPolice: on("reported_to_police"), ReportedHealth: on("reported_to_health"), Account: r.PostFormValue("account")})
	s.recordResult(w, r, "incident", "gbv-incidents", err, "flash.gbv_incident_recorded")
}

func (s *server) handleGBVRisk(w http.ResponseWriter, r *http.Request) {
	_, err := s.app.GBV.AssessRisk(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), gbv.RiskInput{
		Yes: r.PostForm["yes"], Judgement: gbv.RiskLevel(r.PostFormValue("judgement")), Reason: r.PostFormValue("reason")})
	s.recordResult(w, r, "dvrisk", "gbv-risk", err, "flash.gbv_risk_recorded")
}

func (s *server) handleGBVSafety(w http.ResponseWriter, r *http.Request) {
	var steps []gbv.Step
	for _, k := range gbv.StepKinds {
		steps = append(steps, gbv.Step{Kind: k, Text: r.PostFormValue("step_" + k)})
	}
	_, err := s.app.GBV.RecordSafetyPlan(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), gbv.SafetyInput{
		Steps: steps, ReviewOn: strings.TrimSpace(r.PostFormValue("review_on"))})
	s.recordResult(w, r, "safety", "gbv-safety", err, "flash.gbv_safety_recorded")
}

func (s *server) handleGBVOrder(w http.ResponseWriter, r *http.Request) {
	_, err := s.app.GBV.RecordOrder(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), gbv.OrderInput{
		Kind: r.PostFormValue("kind"), Issuer: r.PostFormValue("issuer"), IssuedOn: strings.TrimSpace(r.PostFormValue("issued_on")),
		StartsOn: strings.TrimSpace(r.PostFormValue("starts_on")), EndsOn: strings.TrimSpace(r.PostFormValue("ends_on")),
		Measures: r.PostForm["measures"], Remarks: r.PostFormValue("remarks")})
	s.recordResult(w, r, "order", "gbv-orders", err, "flash.gbv_order_recorded")
}

func (s *server) handleGBVViolation(w http.ResponseWriter, r *http.Request) {
	_, err := s.app.GBV.RecordViolation(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), r.PathValue("order"),
		gbv.ViolationInput{OccurredOn: strings.TrimSpace(r.PostFormValue("occurred_on")),
			PoliceResponse: r.PostFormValue("police_response"), Details: r.PostFormValue("details")})
	s.recordResult(w, r, "violation", "gbv-orders", err, "flash.gbv_violation_recorded")
}

func (s *server) handleGBVDependant(w http.ResponseWriter, r *http.Request) {
	_, err := s.app.GBV.AddDependant(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), gbv.DependantInput{
		Name: r.PostFormValue("name"), BirthDate: strings.TrimSpace(r.PostFormValue("birth_date")),
		CSWInformed: strings.TrimSpace(r.PostFormValue("csw_informed")), Needs: r.PostFormValue("needs")})
	s.recordResult(w, r, "dependant", "gbv-dependants", err, "flash.gbv_dependant_added")
}

func (s *server) handleGBVPerpetrator(w http.ResponseWriter, r *http.Request) {
	_, err := s.app.GBV.AddPerpetrator(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), gbv.PerpetratorInput{
		Name: r.PostFormValue("name"), Relationship: r.PostFormValue("relationship"),
		InHousehold: r.PostFormValue("in_household") == "yes", Weapons: r.PostFormValue("weapons") == "yes",
		OrderStatus: r.PostFormValue("order_status")})
	s.recordResult(w, r, "perpetrator", "gbv-perpetrators", err, "flash.gbv_perpetrator_added")
}

// gbvClassifyData is the classification tool's page: the six questions and,
// after a POST, the type with its explanation. Nothing is stored.
type gbvClassifyData struct {
	Answers []gbvAnswer
	Checked map[string]bool
	Done    bool
	Type    string
	Why     string
}

func (s *server) handleGBVClassifyForm(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "gbv.classify.title", &gbvClassifyData{Answers: gbvAnswers, Checked: map[string]bool{}})
	s.render(w, r, http.StatusOK, "gbv_classify", p)
}

func (s *server) handleGBVClassify(w http.ResponseWriter, r *http.Request) {
	st := reqState(r)
	d := &gbvClassifyData{Answers: gbvAnswers, Checked: map[string]bool{}, Done: true}
	for _, a := range gbvAnswers {
		d.Checked[a.Name] = r.PostFormValue(a.Name) == "yes"
	}
	e := gbv.Explain(gbv.Answers{Penetration: d.Checked["penetration"], SexualContact: d.Checked["sexual_contact"],
		PhysicalAssault: d.Checked["physical_assault"], ForcedMarriage: d.Checked["forced_marriage"],
		DenialOfResources: d.Checked["denial_of_resources"], PsychologicalAbuse: d.Checked["psychological_abuse"]})
	d.Type, d.Why = string(e.Type), gbvWhy(st.p, e)
	p := s.newPage(r, "gbv.classify.title", d)
	s.render(w, r, http.StatusOK, "gbv_classify", p)
}
