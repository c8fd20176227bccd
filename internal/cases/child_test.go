package cases_test

import (
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/cases"
)

func TestChildRule(t *testing.T) {
	at := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		birth     string
		estimated bool
		disputed  bool
		want      bool
		band      string
	}{
		{"Adult", "1990-05-02", false, false, false, "35-49"},
		{"SeventeenTomorrowEighteen", "2008-03-16", false, false, true, "15-17"},
		{"EighteenToday", "2008-03-15", false, false, false, "18-24"},
		{"YearOnlyCouldBeUnder18", "2008", false, false, true, "15-17"},
		{"YearOnlyAdult", "2007", false, false, false, "18-24"},
		{"MonthCouldBeUnder18", "2008-03", false, false, true, "15-17"},
		{"MonthAdult", "2008-02", false, false, false, "18-24"},
		{"EstimatedWidens", "2006-06-01", true, false, true, "15-17"},
		{"EstimatedStillAdult", "2000-01-01", true, false, false, "18-24"},
		{"DisputedIsChild", "1995-01-01", false, true, true, "25-34"},
		{"UnknownNotDisputed", "", false, false, false, ""},
		{"UnknownDisputed", "", false, true, true, ""},
		{"YoungChild", "2020-01-01", false, false, true, "0-11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cases.IsChild(tt.birth, tt.estimated, tt.disputed, at); got != tt.want {
				t.Errorf("IsChild = %v, want %v", got, tt.want)
			}
			if got := cases.AgeBand(tt.birth, tt.estimated, at); got != tt.band {
				t.Errorf("AgeBand = %q, want %q", got, tt.band)
			}
		})
	}
}

func TestRequiredTasks(t *testing.T) {
	if got := cases.RequiredTasks(&cases.Ref{IsChild: false}); len(got) != 0 {
		t.Errorf("adult: %v, want none", got)
	}
	got := cases.RequiredTasks(&cases.Ref{IsChild: true})
	if len(got) != 2 || got[0] != cases.TaskGuardianAppointment || got[1] != cases.TaskSocialWorkNotification {
		t.Errorf("child: %v", got)
	}
}
