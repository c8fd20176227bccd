package scale_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ura-nrm/ura/internal/apptest"
	"github.com/ura-nrm/ura/internal/demo"
	"github.com/ura-nrm/ura/internal/demo/scale"
	"github.com/ura-nrm/ura/internal/store/storetest"
)

// BenchmarkLoad measures the generator per case (with its ten audit
// events, notes, referrals and stays): 1,000,000 cases must load in 30
// minutes, so a case may take at most 1.8 ms.
func BenchmarkLoad(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		for _, writers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/writers=%d", e, writers), func(b *testing.B) {
				ctx := context.Background()
				a, _ := apptest.Open(b, e)
				if _, err := demo.Load(ctx, a); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				res, err := scale.Load(ctx, a, scale.Options{Cases: b.N, Seed: 1, Writers: writers})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(res.Rows)/float64(b.N), "rows/case")
			})
		}
	}
}
