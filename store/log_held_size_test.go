package store_test

import (
	"context"
	"slices"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/store"
)

// TestHeldBytesCountDecidesChosenCopy checks the held rows' memory
// estimate against a decision as Decide lays it out: the chosen model and
// the fallbacks in one array, so a row keeps one Model more than its
// fallbacks (a decision made by hand with the same fallbacks keeps only
// them).
func TestHeldBytesCountDecidesChosenCopy(t *testing.T) {
	models := []router.Model{
		{ID: "strong", Format: "OpenAI", Profile: "p-strong", InputPerMTok: 10, OutputPerMTok: 30, ContextWindow: 1000, MaxOutput: 500},
		{ID: "mid", Format: "OpenAI", Profile: "p-mid", InputPerMTok: 1, OutputPerMTok: 3, ContextWindow: 1000, MaxOutput: 500},
		{ID: "weak", Format: "OpenAI", Profile: "p-weak", InputPerMTok: 0.1, OutputPerMTok: 0.3, ContextWindow: 1000, MaxOutput: 500},
	}
	pred := router.Prediction{"p-strong": {Quality: 0.9, OutputTokens: 100}, "p-mid": {Quality: 0.89, OutputTokens: 100}, "p-weak": {Quality: 0.85, OutputTokens: 100}}
	r, err := router.New(router.Config{
		Catalog:   router.Catalog{Latest: "v1", Versions: []router.Version{{Version: "v1", Models: models}}},
		Predictor: &routertest.Predictor{Fixed: pred},
	})
	require.NoError(t, err)
	d, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{})
	require.NoError(t, err)
	require.Len(t, d.Fallbacks, 2)

	decided := sampleRecord(requestID(1), sampleTime)
	decided.Decision = d
	byHand := decided
	byHand.Decision = router.Decision{Chosen: d.Chosen, ChosenID: d.ChosenID, Fallbacks: slices.Clone(d.Fallbacks), Candidates: d.Candidates}
	require.Equal(t, int64(unsafe.Sizeof(router.Model{})), store.HeldBytes(decided)-store.HeldBytes(byHand))
}

// A held row's estimate counts its trace id, text only it keeps, as it
// counts its request and response ids.
func TestHeldBytesCountTheTraceID(t *testing.T) {
	plain := sampleRecord(requestID(1), sampleTime)
	traced := plain
	traced.TraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	require.Equal(t, int64(len(traced.TraceID)), store.HeldBytes(traced)-store.HeldBytes(plain))
}
