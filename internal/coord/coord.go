// Package coord is the coordination of the national response: the strategy
// and action plans (objectives in the four pillars, activities with their
// lead institutions, indicators with yearly targets), the institutions'
// quarterly progress reports and the secretariat's validation, outside
// recommendations (GRETA, US TIP, …) tracked to the activities that answer
// them, monitors' comments, trainings and campaigns, and the coordinator's
// reports. It holds no case data: indicators whose source is Ura's own data
// are computed through the statistics capability (internal/stats), never
// typed.
package coord

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/clock"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/stats"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/vault"
)

// Service keeps the plans and everything reported on them.
type Service struct {
	DB    *store.DB
	Vault *vault.Vault
	Clock clock.Clock
	// Stats computes the indicators whose source is Ura's own data.
	Stats *stats.Service
	// Notifier tells institutions and the secretariat of late reports and
	// overdue activities; nil sends nothing.
	Notifier Notifier
	// EvidenceLimit bounds one evidence document (default 10 MiB).
	EvidenceLimit int64
}

// The code lists. Labels are "coord.<list>.<code>" in the catalogues.
var (
	PlanKinds  = []string{"strategy", "action_plan", "municipal", "institutional", "cso_monitoring"}
	PlanStates = []string{"draft", "adopted", "expired", "replaced"}
	// Pillars are the "4P": prevention, protection, prosecution, partnership
	// (with coordination).
	Pillars        = []string{"prevention", "protection", "prosecution", "partnership"}
	ObjectiveKinds = []string{"strategic", "specific"}
	Fundings       = []string{"kosovo_budget", "municipal", "donor", "mixed", "unfunded"}
	Levels         = []string{"outcome", "output"}
	Disaggregation = []string{"sex", "age", "community", "municipality", "institution"}
	// Statuses is the progress picklist of Kosovo's monitoring reports
	// (DOMAIN-2 §2.3).
	Statuses = []string{"completed", "partially_completed", "in_progress", "not_started", "not_completed", "cancelled"}
	Issuers  = []string{"greta", "us_tip", "ec_report", "osce", "ombudsperson", "cso_coalition"}
	FollowUp = []string{"open", "in_progress", "implemented", "partially_implemented", "not_implemented"}
	Priority = []string{"high", "medium", "low"}
)

// Limits of the texts, in characters.
const (
	MaxTitle     = 300
	MaxCode      = 20
	MaxText      = 4000
	MaxNarrative = 8000
	MaxMoney     = 1_000_000_000 // euros
)

// Plan is a strategy or action plan with everything under it.
type Plan struct {
	ID         string
	Title      string
	Kind       string
	Start, End string // YYYY-MM-DD
	Status     string
	AdoptedBy  string
	Version    int
	CreatedAt  time.Time
	Objectives []*Objective
	Activities []*Activity
	Indicators []*Indicator
	Monitors   []Org
	Comments   []*Comment
}

// Years lists the calendar years of the plan's period.
func (p *Plan) Years() []int {
	a, _ := strconv.Atoi(p.Start[:4])
	b, _ := strconv.Atoi(p.End[:4])
	var out []int
	for y := a; y <= b && y-a < 50; y++ {
		out = append(out, y)
	}
	return out
}

// Objective is a strategic or specific objective in one pillar.
type Objective struct {
	ID, Code, Kind, Pillar, Title string
}

// Org is an institution named on a plan.
type Org struct{ ID, Name string }

// Activity is one measure of a plan.
type Activity struct {
	ID, PlanID, ObjectiveID, Code string
	ObjectiveCode                 string
	Description, Output           string
	Lead                          Org
	Support                       []Org
	Deadline                      string // as typed: YYYY-MM-DD or YYYY-Qn
	Due                           string // its last day, YYYY-MM-DD
	CostEUR                       int64
	Funding                       string
	BudgetProgramme               string
	// Latest is the activity's most recent progress report, if any.
	Latest *Progress
	// Recommendations counts the recommendations the activity answers.
	Recommendations int
}

// Overdue reports whether the activity's deadline passed on day today
// (YYYY-MM-DD) without it being completed or cancelled.
func (a *Activity) Overdue(today string) bool {
	if a.Due >= today {
		return false
	}
	return a.Latest == nil || (a.Latest.Status != "completed" && a.Latest.Status != "cancelled")
}

// Indicator measures an objective. A computed indicator names a statistics
// measure and a filter; its values come from Ura's data.
type Indicator struct {
	ID, ObjectiveID, Code, ObjectiveCode string
	Name, Level, Unit                    string
	Baseline                             *float64
	BaselineYear                         int
	Disaggregation                       []string
	Source                               string
	Measure, Filter                      string // a stats measure and "dimension=code", or empty
	Targets                              map[int]float64
	// Values are the typed values of a manual indicator, by year; for a
	// computed one, what Compute filled in.
	Values map[int]float64
	// Definition is the catalogue key of a computed indicator's definition;
	// FilterKeys the catalogue keys of its filter's dimension and value.
	Definition string
	FilterKeys []string
}

// Computed reports whether the indicator's values come from Ura's data.
func (i *Indicator) Computed() bool { return i.Measure != "" }

// Comment is a monitor's or the secretariat's remark on a plan.
type Comment struct {
	ID, OrgID, OrgName, Body string
	CreatedAt                time.Time
}

// Quarter names a reporting period.
type Quarter struct {
	Year, Q int
}

func (q Quarter) String() string { return fmt.Sprintf("%d-Q%d", q.Year, q.Q) }

// Start and End are the quarter's first and last days.
func (q Quarter) Start() time.Time {
	return time.Date(q.Year, time.Month(3*q.Q-2), 1, 0, 0, 0, 0, time.UTC)
}
func (q Quarter) End() time.Time { return q.Start().AddDate(0, 3, -1) }

// Due is the day a quarter's reports are due: 15 days after its end.
func (q Quarter) Due() time.Time { return q.End().AddDate(0, 0, ReportGraceDays) }

// ReportGraceDays is how long after a quarter the institutions have to report.
const ReportGraceDays = 15

// ParseQuarter reads "YYYY-Qn".
func ParseQuarter(s string) (Quarter, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	y, q, ok := strings.Cut(s, "-Q")
	if !ok || len(y) != 4 || len(q) != 1 {
		return Quarter{}, false
	}
	yy, err1 := strconv.Atoi(y)
	qq, err2 := strconv.Atoi(q)
	if err1 != nil || err2 != nil || qq < 1 || qq > 4 || yy < 1990 || yy > 2200 {
		return Quarter{}, false
	}
	return Quarter{yy, qq}, true
}

// QuarterOf returns the quarter of a day.
func QuarterOf(t time.Time) Quarter { return Quarter{t.Year(), (int(t.Month())-1)/3 + 1} }

// Quarters lists the plan's quarters, oldest first.
func (p *Plan) Quarters() []Quarter {
	s, _ := time.Parse(dateLayout, p.Start)
	e, _ := time.Parse(dateLayout, p.End)
	var out []Quarter
	for q := QuarterOf(s); !q.Start().After(e) && len(out) < 200; {
		out = append(out, q)
		if q.Q == 4 {
			q = Quarter{q.Year + 1, 1}
		} else {
			q.Q++
		}
	}
	return out
}

const dateLayout = "2006-01-02"

// parseDate reads YYYY-MM-DD within sane years.
func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse(dateLayout, strings.TrimSpace(s))
	if err != nil || t.Year() < 1990 || t.Year() > 2200 {
		return time.Time{}, false
	}
	return t, true
}

// ParseDeadline reads a deadline typed as a date or a quarter and returns
// its normal form and its last day.
func ParseDeadline(s string) (norm, due string, ok bool) {
	s = strings.TrimSpace(s)
	if t, ok := parseDate(s); ok {
		return t.Format(dateLayout), t.Format(dateLayout), true
	}
	if q, ok := ParseQuarter(s); ok {
		return q.String(), q.End().Format(dateLayout), true
	}
	return "", "", false
}

// text trims and checks one text field.
func text(field string, s *string, max int, required bool) error {
	*s = strings.TrimSpace(strings.ReplaceAll(*s, "\r\n", "\n"))
	switch {
	case !utf8.ValidString(*s) || strings.ContainsRune(*s, 0):
		return errs.InvalidField(field, "validation.invalid")
	case *s == "" && required:
		return errs.InvalidField(field, "validation.required")
	case utf8.RuneCountInString(*s) > max:
		return errs.InvalidField(field, "validation.too_long").With(map[string]any{"max": max})
	}
	for _, r := range *s {
		if r < 0x20 && r != '\n' && r != '\t' {
			return errs.InvalidField(field, "validation.invalid")
		}
	}
	return nil
}

func choice(field, v string, list []string) error {
	if !slices.Contains(list, v) {
		return errs.InvalidField(field, "validation.invalid_choice")
	}
	return nil
}

// parseMoney reads whole euros ("12000", "12 000", "12,000.00").
func parseMoney(field, s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	s = strings.NewReplacer(" ", "", "\u00a0", "", ",", "", "€", "", "EUR", "").Replace(s)
	s = strings.TrimSuffix(s, ".00")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > MaxMoney {
		return 0, errs.InvalidField(field, "coord.money_invalid")
	}
	return n, nil
}

// parseNumber reads a decimal number (a full stop or a comma before the decimals).
func parseNumber(field, s string) (*float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	v, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e12 {
		return nil, errs.InvalidField(field, "coord.number_invalid")
	}
	return &v, nil
}

func auditActor(a access.Actor) audit.Actor {
	if a.System {
		return audit.Actor{UserID: "system", Role: "system"}
	}
	return audit.Actor{UserID: a.UserID, OrgID: a.OrgID, Role: string(a.Role)}
}

func (s *Service) record(ctx context.Context, tx *store.Tx, a access.Actor, action, typ, id string) error {
	if _, err := audit.Append(ctx, tx, audit.Event{Actor: auditActor(a), Action: action, ObjectType: typ, ObjectID: id}); err != nil {
		return errs.Internalf("audit %s: %w", action, err)
	}
	return nil
}

func (s *Service) today() string { return s.Clock.Now().UTC().Format(dateLayout) }

var errNotFound = errs.E(errs.NotFound, "coord.not_found")

// asErr is errs.As for a result that may be nil: a nil *errs.Error must not
// become a non-nil error.
func asErr(err error) error {
	if err == nil {
		return nil
	}
	return errs.As(err)
}
