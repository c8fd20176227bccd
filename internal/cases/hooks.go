package cases

import (
	"context"

	"github.com/ura-nrm/ura/internal/store"
)

// runHooks runs the OnChange hooks with the tasks required at this moment.
func (s *Service) runHooks(ctx context.Context, tx *store.Tx, c Change) error {
	c.Tasks = RequiredTasks(&c.Ref)
	for _, h := range s.OnChange {
		if err := h(ctx, tx, c); err != nil {
			return err
		}
	}
	return nil
}

// The tasks RequiredTasks names.
const (
	TaskGuardianAppointment    = "guardian_appointment"     // CETS 197 Art. 10(4): a legal guardian for a child
	TaskSocialWorkNotification = "social_work_notification" // the Centre for Social Work must join a child's case
)

// RequiredTasks lists the tasks the child procedures require for a case:
// for a child (or presumed child), a guardian appointment and the
// notification of the Centre for Social Work. The clocks capability creates
// them from an OnChange hook (Change.Tasks); the list is recomputed at every
// change, so a task already created should be matched by its code.
func RequiredTasks(ref *Ref) []string {
	if ref == nil || !ref.IsChild {
		return nil
	}
	return []string{TaskGuardianAppointment, TaskSocialWorkNotification}
}
