package audit

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ura-nrm/ura/internal/store"
)

// Filter selects events for Find. Each non-nil field adds one condition; From
// is inclusive and To exclusive, so consecutive periods never overlap. Limit 0
// means no limit. Callers scope the filter to what the actor may see (an
// organisation administrator gets OrgID set to their own organisation).
type Filter struct {
	From, To                                              *time.Time
	ActorID, OrgID, Action, ObjectType, ObjectID, Outcome *string
	// Actions selects events of any of these actions (a group of actions,
	// such as every case.* action). The page is read as one ordered index
	// walk per action, merged: a large group (case reads) is not sorted
	// whole for a page of fifty.
	Actions       []string
	Offset, Limit int
}

// Find returns the events matching f, newest first, and how many match in all
// (for paging), counted up to CountLimit+1.
func Find(ctx context.Context, q store.Querier, f Filter) ([]Event, int, error) {
	// conds builds the WHERE clause for one action (or for f.Actions when
	// action is ""), numbering parameters after n.
	conds := func(n int, action string) (string, []any) {
		var where []string
		var args []any
		add := func(cond string, v any) {
			args = append(args, v)
			where = append(where, fmt.Sprintf(cond, n+len(args)))
		}
		if f.From != nil {
			add("at >= $%d", store.FormatTime(*f.From))
		}
		if f.To != nil {
			add("at < $%d", store.FormatTime(*f.To))
		}
		for _, c := range []struct {
			col string
			v   *string
		}{
			{"actor_id", f.ActorID}, {"actor_org", f.OrgID}, {"action", f.Action},
			{"object_type", f.ObjectType}, {"object_id", f.ObjectID}, {"outcome", f.Outcome},
		} {
			if c.v != nil {
				add(c.col+" = $%d", *c.v)
			}
		}
		switch {
		case action != "":
			add("action = $%d", action)
		case len(f.Actions) > 0:
			marks := make([]string, len(f.Actions))
			for i, a := range f.Actions {
				args = append(args, a)
				marks[i] = fmt.Sprintf("$%d", n+len(args))
			}
			where = append(where, "action IN ("+strings.Join(marks, ", ")+")")
		}
		if len(where) == 0 {
			return "", args
		}
		return " WHERE " + strings.Join(where, " AND "), args
	}
	cond, args := conds(0, "")
	limit := int64(f.Limit)
	if limit <= 0 {
		limit = math.MaxInt64
	}
	offset := int64(max(f.Offset, 0))
	const cols = `seq, at, actor_id, actor_org, actor_role, action, object_type, object_id, outcome, purpose, detail, request_id`
	query, qargs := `SELECT `+cols+` FROM audit_events`+cond, args
	if len(f.Actions) > 1 && f.Limit > 0 {
		// One ordered walk of the (action, seq) index per action, each
		// bounded by the page's end, merged.
		var branches []string
		qargs = nil
		for i, a := range f.Actions {
			c, ba := conds(len(qargs), a)
			qargs = append(qargs, ba...)
			qargs = append(qargs, offset+limit)
			branches = append(branches, fmt.Sprintf(`SELECT * FROM (SELECT %s FROM audit_events%s ORDER BY seq DESC LIMIT $%d) b%d`,
				cols, c, len(qargs), i))
		}
		query = `SELECT ` + cols + ` FROM (` + strings.Join(branches, " UNION ALL ") + `) u`
	}
	n := len(qargs)
	rows, err := q.QueryContext(ctx, query+fmt.Sprintf(` ORDER BY seq DESC LIMIT $%d OFFSET $%d`, n+1, n+2),
		append(qargs, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("audit: find: %w", err)
	}
	defer rows.Close()
	var events []Event
	for rows.Next() {
		var e Event
		var at store.Time
		if err := rows.Scan(&e.Seq, &at, &e.Actor.UserID, &e.Actor.OrgID, &e.Actor.Role, &e.Action,
			&e.ObjectType, &e.ObjectID, &e.Outcome, &e.Purpose, &e.Detail, &e.RequestID); err != nil {
			return nil, 0, fmt.Errorf("audit: find: %w", err)
		}
		e.At = at.Time
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("audit: find: %w", err)
	}
	rows.Close()
	// A short page ends the list; otherwise count, up to CountLimit+1.
	total := int(offset) + len(events)
	if int64(len(events)) == limit || (len(events) == 0 && f.Offset > 0) {
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM audit_events`+cond+
			` LIMIT `+strconv.Itoa(CountLimit+1)+`) x`, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("audit: find: %w", err)
		}
	}
	return events, total, nil
}

// CountLimit bounds the total Find counts: with ten million events,
// counting them all for a page of fifty would cost seconds. A total above
// CountLimit means "more than CountLimit".
const CountLimit = 100000

// csvHeader names the columns of WriteCSV.
var csvHeader = []string{"seq", "at", "actor_id", "org_id", "role", "action", "object_type",
	"object_id", "outcome", "purpose", "detail", "request_id"}

// WriteCSV writes events as CSV with a header row, for auditors. A cell that a
// spreadsheet would run as a formula (starting with = + - @, tab or carriage
// return) gets a leading apostrophe: the trail may hold whatever an attacker
// managed to store, and opening an export must not execute it.
func WriteCSV(w io.Writer, events []Event) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	rec := make([]string, len(csvHeader))
	for _, e := range events {
		rec[0] = strconv.FormatInt(e.Seq, 10)
		rec[1] = store.FormatTime(e.At)
		for i, s := range []string{e.Actor.UserID, e.Actor.OrgID, e.Actor.Role, e.Action, e.ObjectType,
			e.ObjectID, e.Outcome, e.Purpose, e.Detail, e.RequestID} {
			rec[i+2] = safeCell(s)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func safeCell(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}
