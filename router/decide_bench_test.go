package router_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// One decision of a session's turn (the fixed predictor, so the router's
// own work: eligibility, ranking and the session's pin).
func BenchmarkDecideWithSession(b *testing.B) {
	r, err := router.New(router.Config{Catalog: testCatalog(), Predictor: &routertest.Predictor{Fixed: fixed}, AffinityTTL: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	dep := router.Deployment{Name: "d"}
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = "s" + strconv.Itoa(i)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := r.Decide(ctx, dep, router.Request{SessionKey: keys[i%len(keys)]}); err != nil {
			b.Fatal(err)
		}
	}
}
