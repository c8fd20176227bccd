package notify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/notify"
)

// TestListPage walks a user's notifications page by page (keyset paging):
// newest first, every notification exactly once, also when several share
// the same instant, and a tampered cursor falls back to the newest.
func TestListPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		const n = 7
		for i := range n {
			if i%3 != 0 { // pairs and triples created at the same instant: ties broken by id
				f.clock.Advance(time.Second)
			}
			f.mustNotify(t, f.received(fmt.Sprintf("r%d", i)))
		}
		drita := f.users["drita"].Actor()
		all, err := f.svc.List(ctx, drita, false)
		if err != nil || len(all) != n {
			t.Fatalf("List = %d items, %v; want %d", len(all), err, n)
		}
		tests := []struct {
			name  string
			limit int
			sizes []int
		}{
			{"ThreeAPage", 3, []int{3, 3, 1}},
			{"ExactFit", 7, []int{7}},
			{"OneAPage", 1, []int{1, 1, 1, 1, 1, 1, 1}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var got []notify.Item
				var sizes []int
				cur := notify.Cursor{}
				for page := 0; page < n+1; page++ {
					items, next, err := f.svc.ListPage(ctx, drita, false, cur, tt.limit)
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, items...)
					sizes = append(sizes, len(items))
					if next.IsZero() {
						break
					}
					// The cursor goes through the URL and back.
					cur = notify.ParseCursor(next.String())
					if cur != next {
						t.Fatalf("cursor %q parsed as %+v, want %+v", next.String(), cur, next)
					}
				}
				if fmt.Sprint(sizes) != fmt.Sprint(tt.sizes) {
					t.Errorf("page sizes = %v, want %v", sizes, tt.sizes)
				}
				if len(got) != n {
					t.Fatalf("%d items over all pages, want %d", len(got), n)
				}
				for i := range got {
					if got[i].ID != all[i].ID {
						t.Errorf("item %d = %s, want %s (the order of List)", i, got[i].ID, all[i].ID)
					}
					if i > 0 && got[i].CreatedAt.After(got[i-1].CreatedAt) {
						t.Errorf("item %d is newer than item %d", i, i-1)
					}
				}
			})
		}
		if got := all[n-1].ObjectID; got != "r0" {
			t.Errorf("oldest = %s, want r0", got)
		}
		for _, bad := range []string{"", "nonsense", "2026-01-02~x y", "yesterday~" + all[0].ID, all[0].ID} {
			if c := notify.ParseCursor(bad); !c.IsZero() {
				t.Errorf("ParseCursor(%q) = %+v, want the start", bad, c)
			}
		}
		mara := f.users["mara"].Actor()
		first, _, err := f.svc.ListPage(ctx, drita, false, notify.Cursor{}, 2)
		if err != nil {
			t.Fatal(err)
		}
		// Someone else's cursor only positions the page: mara still sees her own.
		items, _, err := f.svc.ListPage(ctx, mara, false, notify.Cursor{CreatedAt: first[1].CreatedAt, ID: first[1].ID}, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.ID == first[0].ID || it.ID == first[1].ID {
				t.Errorf("mara's page holds drita's notification %s", it.ID)
			}
		}
	})
}
