package auth

import (
	"context"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/vault"
)

// The readable history and the audit view name the people and
// organisations that acted. Organisation names are public facts; a staff
// member's name is personal data, so it is shown only to those who may see
// the account: colleagues of the same organisation, and administrators and
// auditors (UserList). Anyone else sees the role and the organisation.

// namesBatch bounds one IN list, well under both engines' parameter limits.
const namesBatch = 500

// UserLabel is how a user is named to a viewer. Name is empty when the
// viewer may not see it; Role and OrgName are always filled for a user that
// exists.
type UserLabel struct {
	ID      string
	Name    string
	Role    access.Role
	OrgID   string
	OrgName string
}

// OrgNames returns the names of the organisations among ids (unknown ids are
// left out). Actors who may not list organisations get an empty map.
func (s *Service) OrgNames(ctx context.Context, actor access.Actor, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if !access.Can(actor, access.OrgList) {
		return out, nil
	}
	ids = uniqueIDs(ids)
	for len(ids) > 0 {
		n := min(len(ids), namesBatch)
		part := ids[:n]
		ids = ids[n:]
		rows, err := s.DB.Read().QueryContext(ctx, `SELECT id, name FROM organisations WHERE id IN (`+placeholders(len(part))+`)`, anySlice(part)...)
		if err != nil {
			return nil, errs.Internalf("organisation names: %w", err)
		}
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, errs.Internalf("organisation names: %w", err)
			}
			out[id] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Internalf("organisation names: %w", err)
		}
	}
	return out, nil
}

// UserLabels returns how each user among ids is named to actor (unknown ids
// are left out): the name for a colleague of the same organisation or for
// an actor who may list users, otherwise only the role and organisation.
// Names are decrypted only for the users the actor may see.
func (s *Service) UserLabels(ctx context.Context, actor access.Actor, ids []string) (map[string]UserLabel, error) {
	out := map[string]UserLabel{}
	ids = uniqueIDs(ids)
	all := access.Can(actor, access.UserList)
	q := s.DB.Read()
	type sealed struct {
		label UserLabel
		keyID string
		enc   []byte
	}
	var list []sealed
	for len(ids) > 0 {
		n := min(len(ids), namesBatch)
		part := ids[:n]
		ids = ids[n:]
		rows, err := q.QueryContext(ctx, `SELECT u.id, u.role, u.org_id, o.name, u.key_id, u.name_enc`+userFrom+
			` WHERE u.id IN (`+placeholders(len(part))+`)`, anySlice(part)...)
		if err != nil {
			return nil, errs.Internalf("user names: %w", err)
		}
		for rows.Next() {
			var r sealed
			var role string
			if err := rows.Scan(&r.label.ID, &role, &r.label.OrgID, &r.label.OrgName, &r.keyID, &r.enc); err != nil {
				rows.Close()
				return nil, errs.Internalf("user names: %w", err)
			}
			r.label.Role = access.Role(role)
			list = append(list, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Internalf("user names: %w", err)
		}
	}
	for _, r := range list {
		if all || (!actor.System && actor.OrgID != "" && actor.OrgID == r.label.OrgID) {
			name, err := s.Vault.OpenString(ctx, q, r.keyID, vault.AAD{Table: "users", Row: r.label.ID, Field: "name"}, r.enc)
			if err != nil {
				return nil, errs.Internalf("open user name: %w", err)
			}
			r.label.Name = name
		}
		out[r.label.ID] = r.label
	}
	return out, nil
}

// UserChoice is one account in the auditor's list of people to filter by.
type UserChoice struct {
	ID, Name, OrgName string
	Role              access.Role
}

// UserChoices lists every account by name, for those who may list users
// (the auditor's filter by person). Only names are decrypted, not e-mail
// addresses.
func (s *Service) UserChoices(ctx context.Context, actor access.Actor) ([]UserChoice, error) {
	if err := access.Check(actor, access.UserList); err != nil {
		return nil, err
	}
	q := s.DB.Read()
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.role, o.name, u.key_id, u.name_enc`+userFrom+` ORDER BY u.created_at, u.id`)
	if err != nil {
		return nil, errs.Internalf("list users: %w", err)
	}
	type sealed struct {
		c     UserChoice
		keyID string
		enc   []byte
	}
	var list []sealed
	for rows.Next() {
		var r sealed
		var role string
		if err := rows.Scan(&r.c.ID, &role, &r.c.OrgName, &r.keyID, &r.enc); err != nil {
			rows.Close()
			return nil, errs.Internalf("list users: %w", err)
		}
		r.c.Role = access.Role(role)
		list = append(list, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("list users: %w", err)
	}
	out := make([]UserChoice, 0, len(list))
	for _, r := range list {
		name, err := s.Vault.OpenString(ctx, q, r.keyID, vault.AAD{Table: "users", Row: r.c.ID, Field: "name"}, r.enc)
		if err != nil {
			return nil, errs.Internalf("open user name: %w", err)
		}
		r.c.Name = name
		out = append(out, r.c)
	}
	return out, nil
}

func uniqueIDs(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if id != "" && !seen[id] && len(id) <= 64 {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func placeholders(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(i))
	}
	return b.String()
}

func anySlice(ids []string) []any {
	out := make([]any, len(ids))
	for i, v := range ids {
		out[i] = v
	}
	return out
}
