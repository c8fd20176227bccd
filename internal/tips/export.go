package tips

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// MaxExport bounds one export: the open queue, newest first.
const MaxExport = 10_000

var csvHeader = []string{"id", "received_utc", "state", "municipality", "case_reference", "close_reason", "what", "where",
	"when", "contact", "additions"}

// ExportCSV writes the queue (every tip when all, else the open ones) as
// CSV, audited before the first row. A cell a spreadsheet would run as a
// formula (= + - @, tab, carriage return, also after leading spaces) gets a
// leading apostrophe: the texts are whatever the public typed.
func (s *Service) ExportCSV(ctx context.Context, actor access.Actor, all bool, w io.Writer) error {
	if err := access.Check(actor, access.TipRead); err != nil {
		return err
	}
	query := `SELECT ` + tipColumns + ` FROM tips`
	if !all {
		query += ` WHERE state <> 'closed'`
	}
	query += ` ORDER BY created_at DESC, id DESC LIMIT ` + strconv.Itoa(MaxExport)
	q := s.DB.Read()
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return errs.Internalf("export tips: %w", err)
	}
	var list []*Tip
	for rows.Next() {
		t, err := s.scan(ctx, q, rows)
		if err != nil {
			rows.Close()
			return errs.As(err)
		}
		list = append(list, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return errs.Internalf("export tips: %w", err)
	}
	if _, err := audit.AppendNow(ctx, s.DB, s.Clock.Now(), audit.Event{Actor: audit.ActorFrom(actor), Action: "tip.export",
		ObjectType: "tip", ObjectID: "tips", Detail: "count=" + strconv.Itoa(len(list))}); err != nil {
		return errs.Internalf("audit tip export: %w", err)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, t := range list {
		rec := []string{t.ID, store.FormatTime(t.CreatedAt), string(t.State), t.Municipality, t.CaseRef, t.CloseReason,
			t.What, t.Where, t.When, t.Contact, strconv.Itoa(t.AddedCount)}
		for i := range rec {
			rec[i] = SafeCell(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// SafeCell makes a CSV cell inert for spreadsheets.
func SafeCell(s string) string {
	t := strings.TrimLeft(s, " \u00a0")
	if t == "" {
		return s
	}
	switch t[0] {
	case '=', '+', '-', '@', '\t', '\r', '|', '%':
		return "'" + s
	}
	return s
}
