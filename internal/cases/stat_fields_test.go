package cases_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestStatFieldsOfBatches reads more cases than one query takes, asked in
// reverse order and with an unknown id: every known case comes back once,
// with its codes, through the covering index (on SQLite the query names
// it, so a missing index fails here).
func TestStatFieldsOfBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		const n = 1234
		bulkCases(t, f, n)
		var ids []string
		for i := n; i >= 1; i-- {
			ids = append(ids, "bc"+strconv.Itoa(i))
		}
		asked := slices.Clone(ids)
		got, err := f.s.StatFieldsOf(context.Background(), db.Read(), append(ids, "no-such-case"))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids, asked) {
			t.Error("StatFieldsOf reordered its caller's ids")
		}
		if len(got) != n {
			t.Fatalf("%d cases read, want %d", len(got), n)
		}
		for _, id := range ids {
			if g := got[id]; g.Status != cases.StatusPossible || g.Sex != "female" || g.AgeBand != "18-24" || g.NationalityGroup == "unknown" {
				t.Fatalf("%s: %+v", id, g)
			}
		}
	})
}
