package clocks

import (
	"context"
	"time"

	"github.com/ura-nrm/ura/internal/store"
)

// AccompanyReminder gives each organisation of orgs a task on case caseID,
// due on the day of an appointment the person must be accompanied to: the
// criminal-justice track asks it for a victim's testimony date, for the
// victim advocate and the shelter. The task says nothing else — not what
// the appointment is, nor where (the shelter sees no part of the criminal
// file). One open task per organisation and day.
func (s *Service) AccompanyReminder(ctx context.Context, tx *store.Tx, caseID string, due time.Time, orgs []string) error {
	ref, err := s.ref(ctx, tx, caseID)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, org := range orgs {
		if seen[org] {
			continue
		}
		seen[org] = true
		if _, err := s.addTask(ctx, tx, ref, AccompanyAppointment, "", "", due, org); err != nil {
			return err
		}
	}
	return nil
}
