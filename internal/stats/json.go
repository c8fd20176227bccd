package stats

import "time"

// ReportJSON is a standard report as the API answers it (and as other
// systems import it, DHIS2-style: every cell named by the codes of its row
// and column): codes for machines, labels in the requested language.
type ReportJSON struct {
	Name         string      `json:"name"`
	Version      string      `json:"version"`
	Title        string      `json:"title"`
	Language     string      `json:"language"`
	From         string      `json:"from"`
	To           string      `json:"to"`
	Region       string      `json:"region,omitempty"`
	Municipality string      `json:"municipality,omitempty"`
	Protection   string      `json:"protection"`
	Generated    string      `json:"generated"`
	Definitions  []TermJSON  `json:"definitions"`
	Notes        []string    `json:"notes"`
	Tables       []TableJSON `json:"tables"`
}

// TermJSON is one definition.
type TermJSON struct {
	Term string `json:"term"`
	Text string `json:"text"`
}

// TableJSON is one table: its axes and cells. Cells[i][j] belongs to
// Rows[i] and Columns[j]; "total" names the total row and column.
type TableJSON struct {
	Name    string       `json:"name"`
	Heading string       `json:"heading"`
	Measure string       `json:"measure"`
	Rows    []AxisJSON   `json:"rows"`
	Columns []AxisJSON   `json:"columns"`
	Cells   [][]CellJSON `json:"cells"`
}

// AxisJSON is one row or column: its code and label.
type AxisJSON struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// CellJSON is a value, or a suppressed cell (no value) with its reason.
type CellJSON struct {
	Value      *float64 `json:"value"`
	Suppressed bool     `json:"suppressed,omitempty"`
	Reason     string   `json:"reason,omitempty"`
}

// JSON returns the report in its API form.
func (r *Report) JSON() ReportJSON {
	d := r.Doc
	out := ReportJSON{Name: r.Template.Name, Version: r.Template.Version, Title: d.Title, Language: d.Language,
		From: r.Filter.FromMonth(), To: r.Filter.ToMonth(), Region: r.Filter.Region, Municipality: r.Filter.Municipality,
		Protection: string(r.Protection), Generated: d.Generated.UTC().Format(time.RFC3339),
		Definitions: []TermJSON{}, Notes: append([]string{}, d.Notes...)}
	for _, df := range d.Definitions {
		out.Definitions = append(out.Definitions, TermJSON{Term: df.Term, Text: df.Text})
	}
	for i, g := range r.Grids {
		out.Tables = append(out.Tables, g.JSON(d.Sections[i].Heading))
	}
	return out
}

// JSON returns the grid's table with its codes.
func (g *Grid) JSON(heading string) TableJSON {
	t := g.Table
	tj := TableJSON{Name: t.Name, Heading: heading, Measure: g.Spec.Measure}
	for i, l := range t.Rows {
		code := "total"
		if i < len(g.RowCodes) {
			code = g.RowCodes[i]
		}
		tj.Rows = append(tj.Rows, AxisJSON{Code: code, Label: l})
	}
	for j, l := range t.Columns {
		code := "total"
		if j < len(g.ColCodes) {
			code = g.ColCodes[j]
			if code == "" {
				code = g.Spec.Measure
			}
		}
		tj.Columns = append(tj.Columns, AxisJSON{Code: code, Label: l})
	}
	for _, row := range t.Cells {
		cells := make([]CellJSON, len(row))
		for j, c := range row {
			if c.Suppressed {
				cells[j] = CellJSON{Suppressed: true, Reason: c.Reason}
				continue
			}
			v := c.Value
			cells[j] = CellJSON{Value: &v}
		}
		tj.Cells = append(tj.Cells, cells)
	}
	return tj
}
