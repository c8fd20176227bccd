package audit_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/audit"
	"github.com/ura-nrm/ura/internal/store"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func TestFind(t *testing.T) {
	ptr := func(s string) *string { return &s }
	tm := func(sec int) *time.Time { x := t0.Add(time.Duration(sec) * time.Second); return &x }
	// sampleEvent(i) is seq i+1 at t0+i s; actions cycle over 5, orgs over 3.
	tests := []struct {
		name      string
		f         audit.Filter
		wantSeqs  []int64
		wantTotal int
	}{
		{"AllNewestFirst", audit.Filter{Limit: 3}, []int64{20, 19, 18}, 20},
		{"ByAction", audit.Filter{Action: ptr("auth.signin")}, []int64{18, 13, 8, 3}, 4},
		{"ByOutcome", audit.Filter{Outcome: ptr("failed")}, []int64{19, 14, 9, 4}, 4},
		{"ByActorAndOrg", audit.Filter{ActorID: ptr("u1"), OrgID: ptr("org-shelter")}, []int64{14, 2}, 2},
		{"ByObject", audit.Filter{ObjectType: ptr("case"), ObjectID: ptr("XK-2026-0002")}, []int64{17, 10, 3}, 3},
		{"TimeRangeFromInclusiveToExclusive", audit.Filter{From: tm(5), To: tm(8)}, []int64{8, 7, 6}, 3},
		{"SecondPage", audit.Filter{Limit: 3, Offset: 3}, []int64{17, 16, 15}, 20},
		{"PastTheEnd", audit.Filter{Limit: 3, Offset: 30}, nil, 20},
		{"NoMatch", audit.Filter{Action: ptr("case.erase")}, nil, 0},
		{"ByActions", audit.Filter{Actions: []string{"auth.signin", "auth.signin_failed"}}, []int64{19, 18, 14, 13, 9, 8, 4, 3}, 8},
		{"ByActionsPaged", audit.Filter{Actions: []string{"auth.signin", "auth.signin_failed", "auth.none"}, Limit: 3, Offset: 3}, []int64{13, 9, 8}, 8},
		{"ByActionsLastPage", audit.Filter{Actions: []string{"auth.signin", "auth.signin_failed"}, Limit: 3, Offset: 6}, []int64{4, 3}, 8},
		{"ByActionsAndOrg", audit.Filter{Actions: []string{"auth.signin", "case.read"}, OrgID: ptr("org-shelter"), Limit: 1}, []int64{11}, 2},
		{"ByOneAction", audit.Filter{Actions: []string{"user.create"}, Limit: 2}, []int64{20, 15}, 4},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mustAppend(t, db, 0, 20)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				events, total, err := audit.Find(ctxBg, db.Read(), tt.f)
				if err != nil {
					t.Fatal(err)
				}
				var seqs []int64
				for _, e := range events {
					seqs = append(seqs, e.Seq)
				}
				if !slices.Equal(seqs, tt.wantSeqs) || total != tt.wantTotal {
					t.Errorf("got seqs %v total %d, want %v total %d", seqs, total, tt.wantSeqs, tt.wantTotal)
				}
			})
		}
		t.Run("RoundTripsFields", func(t *testing.T) {
			got, _, err := audit.Find(ctxBg, db.Read(), audit.Filter{Limit: 1, Offset: 20 - 6})
			if err != nil {
				t.Fatal(err)
			}
			want := sampleEvent(5)
			want.Seq, want.Outcome = 6, "ok"
			if len(got) != 1 || got[0] != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	})
}

func TestWriteCSV(t *testing.T) {
	events := []audit.Event{sampleEvent(0), sampleEvent(3), sampleEvent(5)}
	for i := range events {
		events[i].Seq = int64(i + 1)
	}
	// Values an attacker with SQL access could have stored.
	events = append(events, audit.Event{Seq: 4, At: t0, Action: "case.read",
		ObjectID: "=HYPERLINK(\"http://x\",\"y\")", Detail: "+1", Purpose: "@SUM(A1)",
		RequestID: "-2", Actor: audit.Actor{UserID: "\tcmd", Role: "a,\"b\""}})
	var buf bytes.Buffer
	if err := audit.WriteCSV(&buf, events); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "events.csv")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := buf.String(); got != string(want) {
		t.Errorf("CSV differs from %s (run with -update if intended):\ngot:\n%s\nwant:\n%s", golden, got, want)
	}
	t.Run("FormulaCellsEscaped", func(t *testing.T) {
		for _, cell := range []string{`"'=HYPERLINK(""http://x"",""y"")"`, ",'+1,", ",'@SUM(A1),", ",'-2\n", "'\tcmd"} {
			if !strings.Contains(buf.String(), cell) {
				t.Errorf("CSV lacks escaped cell %q", cell)
			}
		}
	})
}
