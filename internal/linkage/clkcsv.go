package linkage

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// EncodeCSV encodes every row of a CSV file with a header row. Features
// are found by their identifier among the column names, so the columns may
// come in any order; the record id is the "id" column, or the first column
// when there is none (clkhash also takes the first). Every non-ignored
// feature must have a column: encoding without one would silently give
// CLKs the other party cannot match. Derived features (given_phonetic,
// family_phonetic, names_sorted, birth_year, birth_daymonth) are computed
// from the person columns when the file has no column of that name.
func EncodeCSV(r io.Reader, enc *Encoder) ([]CLK, error) {
	lr := &lineLimitReader{r: r, max: MaxLineBytes, line: 1}
	cr := csv.NewReader(lr)
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &InputError{Msg: "empty file: a header row is required"}
	}
	if err != nil {
		return nil, readError(err, lr)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	idCol := 0
	if i, ok := col[ColID]; ok {
		idCol = i
	} else if len(head) == 0 {
		return nil, &InputError{Line: 1, Msg: "no id column"}
	}
	for _, f := range enc.schema.Features {
		if _, derived := derivedValue(f.Identifier, func(string) string { return "" }); derived {
			continue
		}
		if _, ok := col[f.Identifier]; !ok && !f.Ignored {
			return nil, &InputError{Line: 1, Msg: fmt.Sprintf("no column for schema feature %q", f.Identifier)}
		}
	}
	var out []CLK
	ids := map[string]bool{}
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, readError(err, lr)
		}
		line, _ := cr.FieldPos(0)
		id := strings.TrimSpace(row[idCol])
		if id == "" {
			return nil, &InputError{Line: line, Msg: "id is empty"}
		}
		if ids[id] {
			return nil, &InputError{Line: line, Msg: "duplicate id"}
		}
		ids[id] = true
		raw := func(name string) string {
			i, ok := col[name]
			if !ok {
				return ""
			}
			return strings.TrimSpace(row[i])
		}
		out = append(out, enc.Encode(id, func(name string) string {
			if _, ok := col[name]; !ok {
				if v, derived := derivedValue(name, raw); derived {
					return v
				}
			}
			return raw(name)
		}))
	}
}
