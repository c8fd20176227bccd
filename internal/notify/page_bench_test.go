package notify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/notify"
	"github.com/ura-nrm/ura/internal/store"
)

// BenchmarkListPage measures one page of 50 of a user holding 100,000
// notifications (the coordinator of a busy year): the newest page and a page
// deep in the past cost the same, since paging seeks by key.
//
//	go test ./internal/notify -run '^$' -bench ListPage -benchtime 200x
func BenchmarkListPage(b *testing.B) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		b.Run(string(e), func(b *testing.B) {
			f := newFixture(b, e)
			ctx := context.Background()
			u := f.users["drita"]
			const n = 100000
			err := f.app.DB.InTx(ctx, f.clock.Now(), func(tx *store.Tx) error {
				base := start
				for i := range n {
					_, err := tx.ExecContext(ctx, `INSERT INTO notifications (id, user_id, org_id, kind, object_type, object_id, case_ref, created_at)
						VALUES ($1, $2, $3, 'referral.received', 'referral', $4, 'XK-2026-0001', $5)`,
						store.NewID(), u.ID, u.OrgID, fmt.Sprintf("r%06d", i), store.T(base.Add(time.Duration(i)*time.Minute)))
					if err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			a := u.Actor()
			// A cursor 90,000 notifications back.
			deep := notify.Cursor{}
			for range 1800 {
				_, next, err := f.svc.ListPage(ctx, a, false, deep, 50)
				if err != nil {
					b.Fatal(err)
				}
				deep = next
			}
			for _, c := range []struct {
				name string
				at   notify.Cursor
			}{{"Newest", notify.Cursor{}}, {"90000Back", deep}} {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						items, _, err := f.svc.ListPage(ctx, a, false, c.at, 50)
						if err != nil || len(items) != 50 {
							b.Fatalf("%d items, %v", len(items), err)
						}
					}
				})
			}
		})
	}
}
