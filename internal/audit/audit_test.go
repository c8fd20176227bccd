package audit_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

func TestAppendAndVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Run("EmptyChainVerifies", func(t *testing.T) {
			rep := mustVerify(t, db)
			if rep.Problem != nil || rep.Events != 0 || rep.Head != 0 {
				t.Errorf("empty chain: got %+v, want no events and no problem", rep)
			}
		})
		t.Run("OK", func(t *testing.T) {
			seqs := mustAppend(t, db, 0, 12)
			for i, s := range seqs {
				if want := int64(i + 1); s != want {
					t.Errorf("seq of event %d = %d, want %d", i, s, want)
				}
			}
			if got, want := mustCheckpoint(t, db, "k1", keyA), int64(12); got != want {
				t.Errorf("checkpoint seq = %d, want %d", got, want)
			}
			mustAppend(t, db, 12, 3)
			rep := mustVerify(t, db)
			want := audit.Report{Events: 15, Checkpoints: 1, Head: 15}
			if rep != want {
				t.Errorf("Verify = %+v, want %+v", rep, want)
			}
		})
		t.Run("CheckpointIsNoOpWhenHeadSigned", func(t *testing.T) {
			first := mustCheckpoint(t, db, "k1", keyA)
			again := mustCheckpoint(t, db, "k1", keyA)
			if first != 15 || again != 15 {
				t.Errorf("checkpoints = %d, %d; want 15, 15", first, again)
			}
			if got := mustVerify(t, db).Checkpoints; got != 2 {
				t.Errorf("checkpoints verified = %d, want 2", got)
			}
		})
	})
}

func TestAppendDefaults(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 5, 1, 10, 0, 0, 987654321, time.UTC)
		err := db.InTx(ctxBg, now, func(tx *store.Tx) error {
			_, err := audit.Append(ctxBg, tx, audit.Event{Action: "case.read", ObjectType: "case", ObjectID: "XK-1"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := audit.Find(ctxBg, db.Read(), audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if want := now.Truncate(time.Microsecond); len(got) != 1 || !got[0].At.Equal(want) || got[0].Outcome != "ok" {
			t.Errorf("stored %+v, want At %v (tx.Now to the microsecond) and outcome ok", got, want)
		}
	})
}

func TestAppendRejectsFreeText(t *testing.T) {
	db := storetest.New(t, store.SQLite)
	base := audit.Event{Action: "case.read", ObjectType: "case", ObjectID: "XK-2026-0042"}
	tests := []struct {
		name string
		edit func(e *audit.Event)
	}{
		{"ActionRequired", func(e *audit.Event) { e.Action = "" }},
		{"ActionNotDotted", func(e *audit.Event) { e.Action = "read" }},
		{"ActionUpperCase", func(e *audit.Event) { e.Action = "Case.Read" }},
		{"ActionEmptySegment", func(e *audit.Event) { e.Action = "case..read" }},
		{"ObjectTypeWithSpace", func(e *audit.Event) { e.ObjectType = "case file" }},
		{"ObjectIDWithName", func(e *audit.Event) { e.ObjectID = "Arta Krasniqi" }},
		{"DetailWithEmail", func(e *audit.Event) { e.Detail = "arta.k@example.org" }},
		{"DetailNonASCII", func(e *audit.Event) { e.Detail = "Shkëlzen" }},
		{"DetailCyrillic", func(e *audit.Event) { e.Detail = "Ђорђе" }},
		{"DetailTooLong", func(e *audit.Event) { e.Detail = strings.Repeat("a", 257) }},
		{"PurposeSentence", func(e *audit.Event) { e.Purpose = "she called at night" }},
		{"UnknownOutcome", func(e *audit.Event) { e.Outcome = "maybe" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base
			tt.edit(&e)
			err := db.InTx(ctxBg, t0, func(tx *store.Tx) error {
				_, err := audit.Append(ctxBg, tx, e)
				return err
			})
			if !errors.Is(err, audit.ErrInvalidEvent) {
				t.Fatalf("Append = %v, want ErrInvalidEvent", err)
			}
			for _, v := range []string{e.ObjectID, e.Detail, e.Purpose} {
				if len(v) > 3 && strings.Contains(err.Error(), v) {
					t.Errorf("error %q repeats the rejected value", err)
				}
			}
			if _, err := audit.AppendNow(ctxBg, db, t0, e); !errors.Is(err, audit.ErrInvalidEvent) {
				t.Errorf("AppendNow = %v, want ErrInvalidEvent", err)
			}
		})
	}
	t.Run("CodesAccepted", func(t *testing.T) {
		for _, e := range []audit.Event{
			{Action: "access.denied", ObjectType: "route", ObjectID: "GET:/cases/{id}/people/{$}", Outcome: "denied"},
			{Action: "case.read", ObjectType: "case", ObjectID: "XK-2026-0042", Purpose: "break_glass:bg7", Detail: "fields=name,dob;n=2"},
			{Action: "auth.signin_failed", Detail: "reason=unknown_account", RequestID: "01HZX3-abc"},
		} {
			if _, err := audit.AppendNow(ctxBg, db, t0, e); err != nil {
				t.Errorf("AppendNow(%s) = %v, want accepted", e.Action, err)
			}
		}
		mustExec(t, db, `DELETE FROM audit_events`)
		mustExec(t, db, `DELETE FROM audit_head`)
	})
	t.Run("NothingStored", func(t *testing.T) {
		if rep := mustVerify(t, db); rep.Events != 0 {
			t.Errorf("events stored = %d, want 0", rep.Events)
		}
	})
}
