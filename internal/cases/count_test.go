package cases_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// TestListTotals: a list's total is exact up to the count limit and says
// "more" beyond it; paging still reaches every case, and the scope of a
// browse (team index) and of a search (checked per case) agree.
func TestListTotals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		{
			ctx := context.Background()
			f := newFixture(t, db)
			f.s.CountLimit = 4
			refs := map[string]bool{}
			for i := range 6 {
				_, ref := f.mustOpen(t, police, adult("Zana", fmt.Sprintf("Testaj%c", 'a'+i), "1990-01-0"+fmt.Sprint(i+1)))
				refs[ref] = true
			}
			f.mustOpen(t, ngo, adult("Drita", "Other", "1991-01-01")) // not police's
			for _, browse := range []int{0, 1} {
				f.s.BrowseByTeam = browse // 1: walk the newest cases; 0: read the team index
				for _, tc := range []struct {
					name        string
					filter      cases.CaseFilter
					page, total int
					capped      bool
				}{
					{"first page, more than the limit", cases.CaseFilter{Limit: 2}, 2, 4, true},
					{"a page of all", cases.CaseFilter{Limit: 10}, 6, 6, true},
					{"last short page: exact", cases.CaseFilter{Limit: 4, Offset: 4}, 2, 6, true},
					{"a filter under the limit", cases.CaseFilter{Limit: 2, Name: ptr("Testajc Zana")}, 1, 1, false},
					{"past the end", cases.CaseFilter{Limit: 2, Offset: 10}, 0, 5, true},
				} {
					t.Run(fmt.Sprintf("%s/browse=%d", tc.name, browse), func(t *testing.T) {
						list, total, err := f.s.FindCases(ctx, police, tc.filter)
						if err != nil {
							t.Fatal(err)
						}
						limit, capped := f.s.Capped(total)
						if capped {
							total = limit
						}
						if len(list) != tc.page || capped != tc.capped || (!capped && total != tc.total) {
							t.Errorf("got %d on the page, total %d capped %v; want %d, %d, %v", len(list), total, capped, tc.page, tc.total, tc.capped)
						}
						for _, c := range list {
							if !refs[c.Reference] {
								t.Errorf("%s is not a case of the police", c.Reference)
							}
						}
					})
				}
			}
			seen := 0
			for off := 0; ; off += 4 {
				list, _, err := f.s.FindCases(ctx, police, cases.CaseFilter{Limit: 4, Offset: off})
				if err != nil {
					t.Fatal(err)
				}
				if len(list) == 0 {
					break
				}
				seen += len(list)
			}
			if seen != len(refs) {
				t.Errorf("paging reached %d cases, want %d", seen, len(refs))
			}
		}
	})
}
