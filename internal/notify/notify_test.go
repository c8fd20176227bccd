package notify_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/notify"
	"github.com/ura-nrm/ura/internal/store"
)

func TestNotify(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		shelter := f.orgs["shelter"]
		tests := []struct {
			name    string
			n       notify.Notification
			want    []string // user keys notified
			wantErr errs.Code
		}{
			{"OrganisationWide", f.received("r1"), []string{"drita", "mara"}, ""},
			{"NamedUser", notify.Notification{OrgID: shelter, UserID: f.users["mara"].ID, Kind: "referral.accepted",
				ObjectType: "referral", ObjectID: "r2"}, []string{"mara"}, ""},
			{"NamedUserGoneFallsBackToOrganisation", notify.Notification{OrgID: shelter, UserID: f.users["gone"].ID,
				Kind: "referral.overdue", ObjectType: "referral", ObjectID: "r3"}, []string{"drita", "mara"}, ""},
			{"NamedUserOfAnotherOrganisation", notify.Notification{OrgID: shelter, UserID: f.users["officer"].ID,
				Kind: "referral.received", ObjectType: "referral", ObjectID: "r4"}, []string{"drita", "mara"}, ""},
			{"NobodyMayAct", notify.Notification{OrgID: f.orgs["police"], Kind: "referral.received",
				ObjectType: "referral", ObjectID: "r5"}, nil, ""},
			{"UnknownKind", notify.Notification{OrgID: shelter, Kind: "referral.sent", ObjectType: "referral", ObjectID: "r6"}, nil, errs.Invalid},
			{"NoObject", notify.Notification{OrgID: shelter, Kind: "referral.received"}, nil, errs.Invalid},
			{"ObjectTypeNotAToken", notify.Notification{OrgID: shelter, Kind: "referral.received", ObjectType: "../x",
				ObjectID: "r7"}, nil, errs.Invalid},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := f.notify(t, tt.n)
				if got := errs.CodeOf(err); got != tt.wantErr {
					t.Fatalf("err = %v, want code %q", err, tt.wantErr)
				}
				var got []string
				for key, u := range f.users {
					list, err := f.svc.List(context.Background(), u.Actor(), false)
					if err != nil {
						t.Fatal(err)
					}
					if slices.ContainsFunc(list, func(it notify.Item) bool { return it.ObjectID == tt.n.ObjectID }) {
						got = append(got, key)
					}
				}
				slices.Sort(got)
				if !slices.Equal(got, tt.want) {
					t.Errorf("notified %v, want %v", got, tt.want)
				}
			})
		}
	})
}

func TestNotifyRollsBackWithTheCaller(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		boom := errors.New("the referral failed")
		err := f.app.DB.InTx(context.Background(), f.clock.Now(), func(tx *store.Tx) error {
			if err := f.svc.Notify(context.Background(), tx, f.received("r1")); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if n, _ := f.svc.UnreadCount(context.Background(), f.users["drita"].Actor()); n != 0 {
			t.Errorf("unread = %d after rollback, want 0", n)
		}
		if got := len(f.outbox(t)); got != 0 {
			t.Errorf("outbox holds %d rows after rollback, want 0", got)
		}
	})
}

func TestInbox(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		f.mustNotify(t, f.received("r1"))
		f.clock.Advance(time.Second)
		f.mustNotify(t, f.received("r2"))
		drita := f.users["drita"].Actor()

		list, err := f.svc.List(ctx, drita, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ObjectID != "r2" {
			t.Fatalf("list = %+v, want r2 then r1", list)
		}
		if got, want := list[0].Link, "/referrals/r2"; got != want {
			t.Errorf("link = %q, want %q", got, want)
		}
		if got, want := list[0].CaseRef, "XK-2026-0042"; got != want {
			t.Errorf("case ref = %q, want %q", got, want)
		}
		tests := []struct {
			name    string
			actor   string
			id      string
			wantErr errs.Code
		}{
			{"Own", "drita", list[1].ID, ""},
			{"OwnAgainKeepsFirstTime", "drita", list[1].ID, ""},
			{"SomeoneElsesIsNotFound", "mara", list[0].ID, errs.NotFound},
			{"UnknownIsNotFound", "drita", "nope", errs.NotFound},
			{"MalformedIsNotFound", "drita", "a b", errs.NotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := f.svc.MarkRead(ctx, f.users[tt.actor].Actor(), tt.id)
				if got := errs.CodeOf(err); got != tt.wantErr {
					t.Errorf("err = %v, want code %q", err, tt.wantErr)
				}
			})
		}
		for _, c := range []struct {
			who        string
			wantUnread int
		}{{"drita", 1}, {"mara", 2}} {
			a := f.users[c.who].Actor()
			if got, err := f.svc.UnreadCount(ctx, a); err != nil || got != c.wantUnread {
				t.Errorf("%s unread = %d, %v; want %d", c.who, got, err, c.wantUnread)
			}
			unread, err := f.svc.List(ctx, a, true)
			if err != nil || len(unread) != c.wantUnread {
				t.Errorf("%s unread list = %d, %v; want %d", c.who, len(unread), err, c.wantUnread)
			}
		}
		read, _ := f.svc.List(ctx, drita, false)
		if read[1].ReadAt == nil || !read[1].ReadAt.Equal(f.clock.Now()) {
			t.Errorf("read_at = %v, want %v", read[1].ReadAt, f.clock.Now())
		}
	})
}

func TestOutboxIsForAdministrators(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		f.mustNotify(t, f.received("r1"))
		if _, err := f.svc.Outbox(context.Background(), f.users["drita"].Actor()); !errs.Is(err, errs.Forbidden) {
			t.Errorf("shelter worker reads the outbox: %v, want forbidden", err)
		}
		got, err := f.svc.Outbox(context.Background(), f.users["admin"].Actor())
		if err != nil || len(got) != 2 || got[0].Status != notify.StatusQueued {
			t.Errorf("outbox = %+v, %v; want two queued rows", got, err)
		}
	})
}

// TestNotifyNeedsNoSecondConnection: Notify runs inside a transaction that
// holds locks; with every other pooled connection taken (as under load,
// by requests waiting on those locks) it must still finish, reading
// through the caller's transaction only.
func TestNotifyNeedsNoSecondConnection(t *testing.T) {
	eachEngine(t, func(t *testing.T, f *fixture) {
		pool, ok := f.app.DB.Read().(*sql.DB)
		if !ok || f.app.DB.Engine != store.Postgres {
			t.Skip("SQLite writes on a connection of its own")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := f.app.DB.InTx(ctx, f.clock.Now(), func(tx *store.Tx) error {
			for {
				c, err := pool.Conn(ctx) // take every other connection
				if err != nil {
					return err
				}
				defer c.Close()
				if pool.Stats().OpenConnections >= pool.Stats().MaxOpenConnections {
					break
				}
			}
			return f.svc.Notify(ctx, tx, f.received("r1"))
		})
		if err != nil {
			t.Fatalf("Notify with the pool exhausted: %v", err)
		}
	})
}
