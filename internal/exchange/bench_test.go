package exchange_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/exchange"
)

// BenchmarkSend queues notes to a partner (schema check, HPKE seal, the
// outbox row, its audit event, one durable commit each), one caller at a
// time and eight at once: the sender's side of TestExchangeThroughput.
//
//	go test ./internal/exchange -run '^$' -bench Send -benchtime 2000x
func BenchmarkSend(b *testing.B) {
	ctx := context.Background()
	xk, me := newInstance(b, "XK"), newInstance(b, "ME")
	pair(b, xk, me)
	coord := access.Actor{UserID: "u1", OrgID: "o1", Role: access.Coordinator}
	req := exchange.SendRequest{To: "ME", Type: "note", Body: json.RawMessage(`{"text":"Meeting on Monday"}`)}
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			if _, err := xk.x.Send(ctx, coord, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel8", func(b *testing.B) {
		b.SetParallelism(4) // 8 goroutines on two cores
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := xk.x.Send(ctx, coord, req); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
