package web

import (
	"net/http"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/coord"
	"github.com/ura-nrm/ura/internal/errs"
)

// Trainings and awareness campaigns (/coord/trainings), tied to plan
// activities; the secretariat records them, every institution reads them.

type coordTrainingsData struct {
	Trainings    []*coord.Training
	Trainers     []string
	Campaigns    []*coord.Campaign
	Plans        []*coord.PlanSummary
	Institutions []coord.Org
	Topics       []string
	Types        []string
	Sexes        []string
	Channels     []string
	CanManage    bool
	History      []coordHistoryLine
}

func (s *server) handleCoordTrainings(w http.ResponseWriter, r *http.Request) {
	s.renderCoordTrainings(w, r, http.StatusOK, "", nil)
}

func (s *server) renderCoordTrainings(w http.ResponseWriter, r *http.Request, status int, form string, formErr error) {
	st := reqState(r)
	a := st.user.Actor()
	ctx := r.Context()
	ts, trainers, err := s.app.Coord.Trainings(ctx, a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	cs, err := s.app.Coord.Campaigns(ctx, a)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d := &coordTrainingsData{Trainings: ts, Trainers: trainers, Campaigns: cs, Topics: coord.TrainingTopics, Types: coord.TrainingTypes,
		Sexes: coord.Sexes, Channels: coord.Channels, CanManage: access.Can(a, access.CoordManage)}
	if d.History, err = s.coordHistoryLines(r, coord.TopicTrainings, ""); err != nil {
		s.renderError(w, r, err)
		return
	}
	if d.CanManage {
		if d.Plans, err = s.app.Coord.Plans(ctx, a); err != nil {
			s.renderError(w, r, err)
			return
		}
		if d.Institutions, err = s.app.Coord.Institutions(ctx, a); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	p := s.newPage(r, "coord.trainings_title", d)
	if form != "" {
		p.Form = r.PostForm
		p.ErrorForm = form
		setFormError(p, st, formErr)
	}
	s.render(w, r, status, "coord_trainings", p)
}

func (s *server) trainingsResult(w http.ResponseWriter, r *http.Request, form string, err error) {
	if err != nil {
		if isFormErr(err) {
			s.renderCoordTrainings(w, r, errs.HTTPStatus(err), form, err)
			return
		}
		s.renderError(w, r, err)
		return
	}
	s.redirectFlash(w, r, "/coord/trainings", "flash.coord_saved")
}

func (s *server) handleCoordTrainingAdd(w http.ResponseWriter, r *http.Request) {
	_, err := s.app.Coord.AddTraining(r.Context(), reqState(r).user.Actor(), coord.TrainingInput{PlanID: r.PostFormValue("plan"),
		ActivityCode: r.PostFormValue("activity"), Title: r.PostFormValue("title"), Topic: r.PostFormValue("topic"), Type: r.PostFormValue("type"),
		StartsOn: r.PostFormValue("starts_on"), Hours: r.PostFormValue("hours"), Venue: r.PostFormValue("venue"), Trainers: r.PostFormValue("trainers")})
	s.trainingsResult(w, r, "training-form", err)
}

func (s *server) handleCoordParticipant(w http.ResponseWriter, r *http.Request) {
	err := s.app.Coord.AddParticipant(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), coord.ParticipantInput{
		OrgID: r.PostFormValue("org"), Position: r.PostFormValue("position"), Sex: r.PostFormValue("sex"), Name: r.PostFormValue("name"),
		Pre: r.PostFormValue("pre"), Post: r.PostFormValue("post"), Certificate: r.PostFormValue("certificate") == "1"})
	s.trainingsResult(w, r, "participant-"+r.PathValue("id"), err)
}

func (s *server) handleCoordCampaignAdd(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	_, err := s.app.Coord.AddCampaign(r.Context(), reqState(r).user.Actor(), coord.CampaignInput{PlanID: r.PostFormValue("plan"),
		ActivityCode: r.PostFormValue("activity"), Title: r.PostFormValue("title"), Theme: r.PostFormValue("theme"),
		Audience: r.PostFormValue("audience"), StartsOn: r.PostFormValue("starts_on"), EndsOn: r.PostFormValue("ends_on"),
		Budget: r.PostFormValue("budget"), Channels: r.PostForm["channels"], Public: r.PostFormValue("public") == "1"})
	s.trainingsResult(w, r, "campaign-form", err)
}

func (s *server) handleCoordCampaignEvent(w http.ResponseWriter, r *http.Request) {
	err := s.app.Coord.AddCampaignEvent(r.Context(), reqState(r).user.Actor(), r.PathValue("id"), r.PostFormValue("held_on"),
		r.PostFormValue("place"), r.PostFormValue("reach"))
	s.trainingsResult(w, r, "event-"+r.PathValue("id"), err)
}
