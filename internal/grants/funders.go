package grants

import (
	"context"
	"database/sql"
	"errors"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// A funder reads the figures of the contracts of the calls it funds, and
// of no other: the coordinator's office links each call to the funder's
// accounts.

// fundedBy is the condition, on a contract query (aliases k, a, c), that
// the call of the contract is funded by the account $n.
func fundedBy(n string) string {
	return `EXISTS (SELECT 1 FROM grant_call_funders f WHERE f.call_id = c.id AND f.user_id = $` + n + `)`
}

// FunderAccounts lists the active funder accounts (for the call's form).
func (s *Service) FunderAccounts(ctx context.Context, actor access.Actor) ([]*auth.User, error) {
	if err := access.Check(actor, access.GrantManage); err != nil {
		return nil, err
	}
	role, active := access.Funder, true
	return s.Users.FindUsers(ctx, access.SystemActor, auth.UserFilter{Role: &role, Active: &active})
}

// CallFunder is a funder account linked to a call.
type CallFunder struct {
	UserID string `json:"user"`
	Name   string `json:"name"`
}

// CallFunders lists the funder accounts of a call (coordinator's office).
func (s *Service) CallFunders(ctx context.Context, actor access.Actor, callID string) ([]CallFunder, error) {
	if err := access.Check(actor, access.GrantManage); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT user_id FROM grant_call_funders WHERE call_id = $1
		ORDER BY added_at, user_id`, callID)
	if err != nil {
		return nil, errs.Internalf("read call funders: %w", err)
	}
	defer rows.Close()
	var out []CallFunder
	for rows.Next() {
		var f CallFunder
		if err := rows.Scan(&f.UserID); err != nil {
			return nil, errs.Internalf("read call funders: %w", err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("read call funders: %w", err)
	}
	rows.Close()
	if len(out) > 0 {
		us, err := s.FunderAccounts(ctx, actor)
		if err != nil {
			return nil, err
		}
		for i := range out {
			for _, u := range us {
				if u.ID == out[i].UserID {
					out[i].Name = u.Name
				}
			}
		}
	}
	return out, nil
}

// AddCallFunder links an active funder account to a call.
func (s *Service) AddCallFunder(ctx context.Context, actor access.Actor, callID, userID string) error {
	if err := access.Check(actor, access.GrantManage); err != nil {
		return err
	}
	if userID == "" {
		return errs.InvalidField("funder_user", "validation.required")
	}
	return wrap(s.DB.InTx(ctx, s.Clock.Now(), func(tx *store.Tx) error {
		m, err := auth.MemberByID(ctx, tx, userID)
		if err != nil || m.Role != access.Funder || !m.Active {
			return errs.InvalidField("funder_user", "grants.not_a_funder")
		}
		var st string
		err = tx.QueryRowContext(ctx, `SELECT status FROM grant_calls WHERE id = $1`, callID).Scan(&st)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return errs.Internalf("read call: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO grant_call_funders (call_id, user_id, added_by, added_at)
			VALUES ($1, $2, $3, $4)`, callID, userID, actor.UserID, store.T(tx.Now))
		if store.IsUniqueViolation(err) {
			return errs.InvalidField("funder_user", "grants.funder_already")
		}
		if err != nil {
			return errs.Internalf("add call funder: %w", err)
		}
		return record(ctx, tx, actor, "grant.funder_add", "grant_call", callID, "user="+userID)
	}))
}
