package api

import (
	"net/http"

	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/grants"
	"github.com/ura-nrm/ura/internal/i18n"
)

// GrantFiguresJSON is what a grant bought, as aggregate JSON for a
// funder's systems: every cell named by its table, row code and column
// (new, continuing, total); a suppressed cell has no value.
type GrantFiguresJSON struct {
	Contract  string              `json:"contract"`
	Number    string              `json:"number"`
	From      string              `json:"from"`
	To        string              `json:"to"`
	Protected bool                `json:"protected"`
	Notes     []string            `json:"notes"`
	Tables    []GrantFiguresTable `json:"tables"`
}

// GrantFiguresTable is one table of the figures.
type GrantFiguresTable struct {
	Name  string            `json:"name"`
	Title string            `json:"title"`
	Rows  []GrantFiguresRow `json:"rows"`
}

// GrantFiguresRow is one row: a code ("total" for the totals) and its cells.
type GrantFiguresRow struct {
	Code       string `json:"code"`
	Label      string `json:"label"`
	New        *int64 `json:"new"`
	Continuing *int64 `json:"continuing"`
	Total      *int64 `json:"total"`
}

// handleGrantFigures answers GET /api/v1/grants/contracts/{id}/figures:
// the persons a contract's provider served in a period (from, to; default
// the contract's start to today), protected by suppression unless the
// coordinator's office asks for raw=1. Funders, the provider of the
// contract and the coordinator's office only; never a person.
func (a *api) handleGrantFigures(w http.ResponseWriter, r *http.Request, u *auth.User) {
	if a.Grants == nil {
		WriteProblem(w, r, errNoRoute, a.Log)
		return
	}
	q := r.URL.Query()
	p := i18n.For(i18n.Match(r.Header.Get("Accept-Language")))
	doc, k, err := a.Grants.Figures(r.Context(), u.Actor(), grants.FiguresQuery{ContractID: r.PathValue("id"), From: q.Get("from"),
		To: q.Get("to"), Raw: q.Get("raw") == "1", Lang: string(p.Lang())}, p.T)
	if err != nil {
		WriteProblem(w, r, err, a.Log)
		return
	}
	out := GrantFiguresJSON{Contract: k.ID, Number: k.Number, Notes: doc.Notes, Tables: []GrantFiguresTable{}}
	out.From, out.To, _ = cutPeriod(doc.Period)
	for i, ft := range grants.FigureTables() {
		sec := doc.Sections[i]
		t := GrantFiguresTable{Name: ft.Name, Title: sec.Heading}
		for j, row := range sec.Table.Cells {
			code := "total"
			if j < len(ft.Codes) {
				code = ft.Codes[j]
			}
			cell := func(c int) *int64 {
				if row[c].Suppressed {
					out.Protected = true
					return nil
				}
				v := int64(row[c].Value)
				return &v
			}
			t.Rows = append(t.Rows, GrantFiguresRow{Code: code, Label: sec.Table.Rows[j], New: cell(0), Continuing: cell(1), Total: cell(2)})
		}
		out.Tables = append(out.Tables, t)
	}
	if len(doc.Notes) > 0 && q.Get("raw") != "1" {
		out.Protected = true
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
}

// cutPeriod splits "from – to".
func cutPeriod(s string) (from, to string, ok bool) {
	for i := 0; i+len(" – ") <= len(s); i++ {
		if s[i:i+len(" – ")] == " – " {
			return s[:i], s[i+len(" – "):], true
		}
	}
	return s, s, false
}
