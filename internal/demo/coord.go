package demo

import (
	"context"
	"fmt"
	"strconv"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/coord"
)

// loadCoordination gives the demo a municipality's action plan, monitored
// by the demo civil-society coalition (so the monitor account has a plan to
// read and comment on), with one progress report and a public awareness
// campaign running now (so the portal's home points to it). It does
// nothing when a plan exists already.
func loadCoordination(ctx context.Context, a *app.App, users map[access.Role]access.Actor, orgIDs []string) error {
	if a.Coord == nil {
		return nil
	}
	sec := users[access.Coordinator]
	if list, err := a.Coord.Plans(ctx, sec); err != nil || len(list) > 0 {
		return err
	}
	now := a.Clock.Now().UTC()
	y := now.Year()
	c := a.Coord
	id, err := c.CreatePlan(ctx, sec, coord.PlanInput{Title: fmt.Sprintf("Demo Local Action Plan of Prizren %d–%d", y, y+1), Kind: "municipal",
		Start: fmt.Sprintf("%d-01-01", y), End: fmt.Sprintf("%d-12-31", y+1), Status: "adopted", AdoptedBy: "Demo Municipal Assembly of Prizren"})
	if err != nil {
		return err
	}
	for _, o := range []coord.ObjectiveInput{
		{Code: "SO1", Kind: "strategic", Pillar: "prevention", Title: "Young people recognise the signs of trafficking"},
		{Code: "SO2", Kind: "specific", Pillar: "protection", Title: "Victims in the municipality are referred within a day"},
	} {
		if err := c.AddObjective(ctx, sec, id, o); err != nil {
			return err
		}
	}
	q := coord.QuarterOf(now)
	next := fmt.Sprintf("%d-Q4", y)
	for _, in := range []coord.ActivityInput{
		{ObjectiveCode: "SO1", Code: "1.1", Description: "Awareness sessions in the secondary schools of Prizren", LeadOrgID: orgIDs[6],
			Deadline: next, Cost: "4500", Funding: "donor"},
		{ObjectiveCode: "SO2", Code: "2.1", Description: "A referral contact point at the Centre for Social Work", LeadOrgID: orgIDs[4],
			SupportOrgIDs: []string{orgIDs[1]}, Deadline: fmt.Sprintf("%d-06-30", y+1), Cost: "2000", Funding: "municipal"},
	} {
		if err := c.AddActivity(ctx, sec, id, in); err != nil {
			return err
		}
	}
	if err := c.AddIndicator(ctx, sec, id, coord.IndicatorInput{ObjectiveCode: "SO1", Code: "I1", Name: "Pupils reached by the sessions",
		Level: "output", Unit: "persons", Baseline: "0", BaselineYear: strconv.Itoa(y - 1),
		Targets: map[string]string{strconv.Itoa(y): "600", strconv.Itoa(y + 1): "1200"}}); err != nil {
		return err
	}
	if orgIDs[8] != "" {
		if err := c.AddMonitor(ctx, sec, id, orgIDs[8]); err != nil {
			return err
		}
	}
	p, err := c.Plan(ctx, sec, id)
	if err != nil {
		return err
	}
	if _, err := c.Report(ctx, users[access.NGO], p.Activities[0].ID, coord.ProgressInput{Period: q.String(), Status: "in_progress",
		Percent: "40", Narrative: "Sessions held in three of the eight schools.", Expenditure: "1800"}); err != nil {
		return err
	}
	_, err = c.AddCampaign(ctx, sec, coord.CampaignInput{PlanID: id, ActivityCode: "1.1", Title: "Demo campaign: Know the signs",
		Theme: "Recognising the signs of trafficking", Audience: "Pupils and teachers", StartsOn: now.AddDate(0, 0, -10).Format("2006-01-02"),
		EndsOn: now.AddDate(0, 0, 50).Format("2006-01-02"), Budget: "1500", Channels: []string{"school_sessions", "social_media"}, Public: true})
	return err
}
