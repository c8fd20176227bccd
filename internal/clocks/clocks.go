// Package clocks keeps the dates the law and good practice set on a case —
// the reflection and recovery period (CETS 197 Art. 13), residence permit
// expiry (Art. 14), a child's guardian (Art. 10(4)) and the Centre for
// Social Work's notification, risk re-assessments and plan reviews — as
// dated tasks assigned to an organisation. Each organisation sees its open
// tasks on its dashboard (DueFor); the coordinator sees every overdue task
// across all cases without their content (Overdue). Remind, run by
// internal/jobs, marks tasks coming due and escalates overdue ones on the
// case timeline; it is idempotent, so a crash or a second node changes
// nothing.
//
// Tasks hold codes, dates and the case's pseudonymous reference only: a
// dashboard lists them without opening any case file.
package clocks

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/store"
)

// Kind is what a task asks for.
type Kind string

// The task kinds.
const (
	ReflectionEnd          Kind = "reflection_end"
	PermitExpiry           Kind = "residence_permit_expiry"
	GuardianAppointment    Kind = cases.TaskGuardianAppointment
	SocialWorkNotification Kind = cases.TaskSocialWorkNotification
	RiskReassessment       Kind = "risk_reassessment"
	PlanReview             Kind = "plan_review"
	// AccompanyAppointment: accompany the person to an appointment (a
	// testimony date of the criminal-justice track, appointments.go).
	AccompanyAppointment Kind = "accompany_appointment"
	// Domestic and gender-based violence (internal/gbv).
	CaseConference   Kind = "gbv_case_conference"     // a multi-agency case conference after a high DV risk
	SafetyPlanReview Kind = "safety_plan_review"      // review the survivor's safety plan
	OrderExpiry      Kind = "protection_order_expiry" // a protection order expires soon: renew or plan
)

// Kinds lists the task kinds.
var Kinds = []Kind{ReflectionEnd, PermitExpiry, GuardianAppointment, SocialWorkNotification, RiskReassessment, PlanReview,
	AccompanyAppointment, CaseConference, SafetyPlanReview, OrderExpiry}

// MinReflectionDays is the Convention's floor (CETS 197 Art. 13(1)).
const MinReflectionDays = 30

// Config holds the time limits an operator may set for the country.
type Config struct {
	// ReflectionDays is the reflection and recovery period: at least 30
	// days by the Convention, 90 in Kosovo.
	ReflectionDays int
	// GuardianWithin is the time to a child's guardian appointment.
	GuardianWithin time.Duration
	// NotifyWithin is the time to notify the Centre for Social Work of a child.
	NotifyWithin time.Duration
	// PermitNotice is how long before a residence permit expires its renewal
	// task falls due.
	PermitNotice time.Duration
	// RemindBefore is how early a task shows as coming due and is reminded.
	RemindBefore time.Duration
}

// reflectionDays are the national periods Ura knows; others get the
// Convention's minimum until configured.
var reflectionDays = map[string]int{"XK": 90}

// DefaultConfig returns the limits for a country (ISO 3166-1 alpha-2).
func DefaultConfig(country string) Config {
	days, ok := reflectionDays[country]
	if !ok {
		days = MinReflectionDays
	}
	return Config{
		ReflectionDays: days,
		GuardianWithin: 72 * time.Hour,
		NotifyWithin:   24 * time.Hour,
		PermitNotice:   30 * 24 * time.Hour,
		RemindBefore:   7 * 24 * time.Hour,
	}
}

// Validate refuses a configuration below the Convention's minimum or with
// limits that make no sense.
func (c Config) Validate() error {
	switch {
	case c.ReflectionDays < MinReflectionDays:
		return fmt.Errorf("reflection period: %d days is below the minimum of %d (CETS 197 Art. 13)", c.ReflectionDays, MinReflectionDays)
	case c.ReflectionDays > 3650:
		return errors.New("reflection period: more than ten years")
	case c.GuardianWithin <= 0 || c.NotifyWithin <= 0:
		return errors.New("child time limits must be positive")
	case c.PermitNotice < 0 || c.RemindBefore < 0:
		return errors.New("notice periods must not be negative")
	}
	return nil
}

// Task is one dated task as dashboards show it.
type Task struct {
	ID           string    `json:"id"`
	CaseID       string    `json:"case_id"`
	CaseRef      string    `json:"case_reference"`
	Kind         Kind      `json:"kind"`
	RefTable     string    `json:"ref_table,omitempty"`
	RefID        string    `json:"ref_id,omitempty"`
	DueAt        time.Time `json:"due_at"`
	AssignedOrg  string    `json:"assigned_org"`
	AssignedUser string    `json:"assigned_user,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	Done         bool      `json:"done"`
	DoneAt       time.Time `json:"done_at,omitzero"`
	DoneBy       string    `json:"done_by,omitempty"`
	// Overdue and DueSoon are relative to the time of the query.
	Overdue bool `json:"overdue"`
	DueSoon bool `json:"due_soon"`
}

// OverdueTask is a line of the coordinator's overview: no case content.
type OverdueTask struct {
	TaskID      string    `json:"task_id"`
	CaseID      string    `json:"case_id"`
	CaseRef     string    `json:"case_reference"`
	Kind        Kind      `json:"kind"`
	AssignedOrg string    `json:"assigned_org"`
	DueAt       time.Time `json:"due_at"`
	DaysOverdue int       `json:"days_overdue"`
}

// CaseAccess is what the clocks need from the case file (cases.Service).
type CaseAccess interface {
	Authorize(ctx context.Context, q store.Querier, actor access.Actor, caseID string, act access.Action) (*cases.Ref, error)
}

// Service keeps clocks and tasks.
type Service struct {
	DB     *store.DB
	Clock  clock.Clock
	Cases  CaseAccess
	Config Config
}

// days is d whole days.
func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }
