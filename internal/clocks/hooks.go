package clocks

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// Clock is a legal period of a case.
type Clock struct {
	ID       string    `json:"id"`
	CaseID   string    `json:"case_id"`
	Kind     string    `json:"kind"` // reflection | residence_permit
	Subtype  string    `json:"subtype,omitempty"`
	StartsOn time.Time `json:"starts_on"`
	EndsOn   time.Time `json:"ends_on"`
	TaskID   string    `json:"task_id"`
}

// ref loads a case for the case file's own calls (hooks run as the system:
// the case file has authorized its actor already).
func (s *Service) ref(ctx context.Context, q store.Querier, caseID string) (*cases.Ref, error) {
	return s.Cases.Authorize(ctx, q, access.SystemActor, caseID, access.CaseView)
}

// StartReflection starts the reflection and recovery period of a case at
// start (the day reasonable grounds were found) and creates the task due on
// its last day, for the case owner. A case has one reflection period: a
// second call returns the first clock unchanged, so the case file may call
// it on every change without counting.
func (s *Service) StartReflection(ctx context.Context, tx *store.Tx, caseID string, start time.Time) (*Clock, error) {
	ref, err := s.ref(ctx, tx, caseID)
	if err != nil {
		return nil, err
	}
	return s.startReflection(ctx, tx, ref, start)
}

func (s *Service) startReflection(ctx context.Context, tx *store.Tx, ref *cases.Ref, start time.Time) (*Clock, error) {
	if start.IsZero() || start.Year() < 1900 || start.After(tx.Now.Add(days(366))) {
		return nil, errs.InvalidField("start", "validation.date")
	}
	var c Clock
	var starts, ends store.Time
	err := tx.QueryRowContext(ctx, `SELECT k.id, k.starts_on, k.ends_on, COALESCE(t.id, '') FROM case_clocks k
		LEFT JOIN tasks t ON t.ref_table = 'case_clocks' AND t.ref_id = k.id
		WHERE k.case_id = $1 AND k.kind = 'reflection'`, ref.ID).Scan(&c.ID, &starts, &ends, &c.TaskID)
	if err == nil {
		c.CaseID, c.Kind, c.StartsOn, c.EndsOn = ref.ID, "reflection", starts.Time, ends.Time
		return &c, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, errs.Internalf("reflection clock: %w", err)
	}
	c = Clock{ID: store.NewID(), CaseID: ref.ID, Kind: "reflection", StartsOn: start.UTC(),
		EndsOn: start.UTC().Add(days(s.Config.ReflectionDays))}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_clocks (id, case_id, kind, starts_on, ends_on, created_at)
		VALUES ($1, $2, 'reflection', $3, $4, $5)`, c.ID, ref.ID, store.T(c.StartsOn), store.T(c.EndsOn), store.T(tx.Now)); err != nil {
		return nil, errs.Internalf("reflection clock: %w", err)
	}
	t, err := s.addTask(ctx, tx, ref, ReflectionEnd, "case_clocks", c.ID, c.EndsOn, ref.OwnerOrg)
	if err != nil {
		return nil, err
	}
	c.TaskID = t.ID
	return &c, nil
}

// ResidencePermit records a residence permit (personal or cooperation, CETS
// 197 Art. 14) and the renewal task due PermitNotice before it expires, for
// org (the organisation that handles the renewal).
func (s *Service) ResidencePermit(ctx context.Context, tx *store.Tx, caseID, permitType string, issued, expires time.Time, org string) (*Clock, error) {
	if permitType != "personal" && permitType != "cooperation" {
		return nil, errs.InvalidField("type", "validation.invalid_choice")
	}
	if issued.IsZero() || expires.IsZero() {
		return nil, errs.InvalidField("expires", "validation.date")
	}
	if !expires.After(issued) {
		return nil, errs.InvalidField("expires", "validation.date_order")
	}
	ref, err := s.ref(ctx, tx, caseID)
	if err != nil {
		return nil, err
	}
	if org == "" {
		org = ref.OwnerOrg
	}
	c := Clock{ID: store.NewID(), CaseID: ref.ID, Kind: "residence_permit", Subtype: permitType, StartsOn: issued.UTC(), EndsOn: expires.UTC()}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_clocks (id, case_id, kind, subtype, starts_on, ends_on, created_at)
		VALUES ($1, $2, 'residence_permit', $3, $4, $5, $6)`, c.ID, ref.ID, permitType, store.T(c.StartsOn), store.T(c.EndsOn), store.T(tx.Now)); err != nil {
		return nil, errs.Internalf("permit clock: %w", err)
	}
	due := c.EndsOn.Add(-s.Config.PermitNotice)
	if due.Before(tx.Now) {
		due = tx.Now
	}
	t, err := s.addTask(ctx, tx, ref, PermitExpiry, "case_clocks", c.ID, due, org)
	if err != nil {
		return nil, err
	}
	c.TaskID = t.ID
	return &c, nil
}

// ChildCase creates a child's guardian appointment task (for the Centre for
// Social Work socialWorkOrg, or the case owner when none is known yet, who
// must then ask one) and the task to notify the Centre (for the case owner).
// Tasks that are already open are not created twice.
func (s *Service) ChildCase(ctx context.Context, tx *store.Tx, caseID, socialWorkOrg string) error {
	ref, err := s.ref(ctx, tx, caseID)
	if err != nil {
		return err
	}
	return s.childCase(ctx, tx, ref, socialWorkOrg)
}

func (s *Service) childCase(ctx context.Context, tx *store.Tx, ref *cases.Ref, socialWorkOrg string) error {
	if socialWorkOrg == "" {
		csw, err := teamSocialWork(ctx, tx, ref.ID)
		if err != nil {
			return err
		}
		socialWorkOrg = csw
	}
	if socialWorkOrg == "" {
		socialWorkOrg = ref.OwnerOrg
	}
	for _, k := range []struct {
		kind Kind
		due  time.Duration
		org  string
	}{
		{GuardianAppointment, s.Config.GuardianWithin, socialWorkOrg},
		{SocialWorkNotification, s.Config.NotifyWithin, ref.OwnerOrg},
	} {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tasks WHERE case_id = $1 AND kind = $2`, ref.ID, string(k.kind)).Scan(&n); err != nil {
			return errs.Internalf("child tasks: %w", err)
		}
		if n > 0 {
			continue
		}
		if _, err := s.addTask(ctx, tx, ref, k.kind, "", "", tx.Now.Add(k.due), k.org); err != nil {
			return err
		}
	}
	return nil
}

// teamSocialWork returns a Centre for Social Work on the case's team ("" if
// none): the first to have joined by id order, for a stable choice.
func teamSocialWork(ctx context.Context, tx *store.Tx, caseID string) (string, error) {
	ids, err := cases.TeamOrgIDs(ctx, tx, caseID)
	if err != nil {
		return "", err
	}
	orgs, err := auth.OrgsByID(ctx, tx, ids)
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		if o := orgs[id]; o != nil && o.Type == access.OrgType("social_work") {
			return id, nil
		}
	}
	return "", nil
}

// OnTeamJoin is the case file's team hook (cases.Service.OnTeamJoin): when a
// Centre for Social Work joins a child's case, the open guardian
// appointment task that no Centre held yet (it waited with the case owner,
// who had to ask one) becomes the Centre's.
func (s *Service) OnTeamJoin(ctx context.Context, tx *store.Tx, ref cases.Ref, orgID string) error {
	if !ref.IsChild || orgID == ref.OwnerOrg {
		return nil
	}
	orgs, err := auth.OrgsByID(ctx, tx, []string{orgID})
	if err != nil {
		return err
	}
	if o := orgs[orgID]; o == nil || o.Type != access.OrgType("social_work") {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tasks SET assigned_org = $1, assigned_user = ''
		WHERE case_id = $2 AND kind = $3 AND done_at IS NULL AND assigned_org = $4`,
		orgID, ref.ID, string(GuardianAppointment), ref.OwnerOrg); err != nil {
		return errs.Internalf("reassign guardian task: %w", err)
	}
	return nil
}

// OnGuardian is the case file's guardian hook (cases.Service.OnGuardian):
// a recorded guardian ends the case's open guardian appointment task.
func (s *Service) OnGuardian(ctx context.Context, tx *store.Tx, ref cases.Ref) error {
	if _, err := tx.ExecContext(ctx, `UPDATE tasks SET done_at = $1, done_by = 'system', done_reason = 'guardian_appointed'
		WHERE case_id = $2 AND kind = $3 AND done_at IS NULL`, store.T(tx.Now), ref.ID, string(GuardianAppointment)); err != nil {
		return errs.Internalf("close guardian task: %w", err)
	}
	return nil
}

// PlanReview schedules the review of plan planID on due for org; an open
// review task of the same case is closed as superseded.
func (s *Service) PlanReview(ctx context.Context, tx *store.Tx, caseID, planID string, due time.Time, org string) (*Task, error) {
	return s.recurring(ctx, tx, caseID, PlanReview, "care_plans", planID, due, org)
}

// RiskReassessment schedules the next risk assessment after assessmentID on
// due for org; an open re-assessment task of the same case is superseded.
func (s *Service) RiskReassessment(ctx context.Context, tx *store.Tx, caseID, assessmentID string, due time.Time, org string) (*Task, error) {
	return s.recurring(ctx, tx, caseID, RiskReassessment, "risk_assessments", assessmentID, due, org)
}

// Schedule is for other capabilities' recurring tasks (a safety plan's
// review, a case conference): the task of kind on due for org, an open
// task of the same kind on the case superseded.
func (s *Service) Schedule(ctx context.Context, tx *store.Tx, caseID string, kind Kind, table, id string, due time.Time, org string) (*Task, error) {
	return s.recurring(ctx, tx, caseID, kind, table, id, due, org)
}

// RemindOnce adds a task of kind on due for org without superseding any (each
// protection order has its own expiry reminder).
func (s *Service) RemindOnce(ctx context.Context, tx *store.Tx, caseID string, kind Kind, table, id string, due time.Time, org string) (*Task, error) {
	if due.IsZero() || due.Year() < 1900 || due.Year() > 2200 {
		return nil, errs.InvalidField("due", "validation.date")
	}
	ref, err := s.ref(ctx, tx, caseID)
	if err != nil {
		return nil, err
	}
	if org == "" {
		org = ref.OwnerOrg
	}
	return s.addTask(ctx, tx, ref, kind, table, id, due, org)
}

func (s *Service) recurring(ctx context.Context, tx *store.Tx, caseID string, kind Kind, table, id string, due time.Time, org string) (*Task, error) {
	if due.IsZero() || due.Year() < 1900 || due.Year() > 2200 {
		return nil, errs.InvalidField("due", "validation.date")
	}
	ref, err := s.ref(ctx, tx, caseID)
	if err != nil {
		return nil, err
	}
	if org == "" {
		org = ref.OwnerOrg
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tasks SET done_at = $1, done_by = 'system', done_reason = 'superseded'
		WHERE case_id = $2 AND kind = $3 AND done_at IS NULL`, store.T(tx.Now), ref.ID, string(kind)); err != nil {
		return nil, errs.Internalf("supersede task: %w", err)
	}
	return s.addTask(ctx, tx, ref, kind, table, id, due, org)
}

// closingStages end a case's clocks: its open tasks are closed.
var closingStages = map[cases.Stage]bool{cases.StageClosed: true, cases.StageNotVictim: true,
	cases.StageNotIndicated: true, cases.StageReferredElsewhere: true}

// OnCaseChange is the case file's hook (add it to cases.Service.OnChange):
// reasonable grounds (presumed victim) start the reflection period; a child
// case gets its guardian and notification tasks; a closed case's open tasks
// are closed.
func (s *Service) OnCaseChange(ctx context.Context, tx *store.Tx, c cases.Change) error {
	ref := c.Ref
	if len(c.Tasks) > 0 {
		if err := s.childCase(ctx, tx, &ref, ""); err != nil {
			return err
		}
	}
	if c.To == cases.StagePresumed || c.To == cases.StageIdentified {
		if _, err := s.startReflection(ctx, tx, &ref, tx.Now); err != nil {
			return err
		}
	}
	if closingStages[c.To] {
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET done_at = $1, done_by = 'system', done_reason = 'case_closed'
			WHERE case_id = $2 AND done_at IS NULL`, store.T(tx.Now), ref.ID); err != nil {
			return errs.Internalf("close tasks: %w", err)
		}
	}
	return nil
}
