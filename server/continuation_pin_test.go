package server

import (
	"context"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// routing_config.models names models by ID or by name (router.narrow takes
// both, and the test below routes the first call by name). A continuation
// whose routing_config.models names the writer by its name is not refused
// as leaving it out.
func TestPinnedContinuationByModelName(t *testing.T) {
	e := newE2E(t, func(c *Config) {
		cat := testCatalog()
		for i := range cat.Versions[0].Models {
			m := &cat.Versions[0].Models[i]
			m.Version = "2025-01-01"
			m.ID = m.Name + "-2025-01-01" // as the real catalog: ID = name-version
		}
		rt, err := router.New(router.Config{
			Catalog: cat, Predictor: &routertest.Predictor{Fixed: testPrediction()}, Available: c.Available,
		})
		require.NoError(t, err)
		c.Router = rt
	})
	ctx := context.Background()
	client := e.clients()["v1"]

	made, err := client.Responses.New(ctx, ask("Name a lake."), onModel("large"))
	require.NoError(t, err, "routing_config.models takes a model's name")
	require.Equal(t, "large-2025-01-01", made.Model)

	next, err := client.Responses.New(ctx, responses.ResponseNewParams{
		Model: "model-router", PreviousResponseID: openai.String(made.ID),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("And its depth?")},
	}, onModel("large"))
	if err != nil {
		t.Logf("error: %v", err.(*openai.Error).Message)
	}
	require.NoError(t, err, "the same routing_config.models that routed the first turn must route its continuation")
	assert.Equal(t, "large-2025-01-01", next.Model)
}

// A continuation sent to a deployment whose subset does not hold the model
// that wrote the answer is routed within that subset, to another model of
// the same provider, which stores the answer and so knows the id.
func TestPinnedContinuationOnADeploymentWithoutTheWriter(t *testing.T) {
	e := newE2E(t, withTwoDeployments) // "cheap": nano and mini, same provider as large
	ctx := context.Background()
	client := e.clients()["v1"]

	made, err := client.Responses.New(ctx, ask("Name a lake."), onModel("large"))
	require.NoError(t, err)
	require.Equal(t, "large", made.Model)

	next, err := client.Responses.New(ctx, responses.ResponseNewParams{
		Model: "cheap", PreviousResponseID: openai.String(made.ID),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("And its depth?")},
	})
	if err != nil {
		t.Logf("error: %v", err.(*openai.Error).Message)
	}
	require.NoError(t, err, "a continuation on another deployment of the same provider's models worked before the pin")
	assert.Contains(t, []string{"nano", "mini"}, next.Model)
}

// The answer is stored by the provider, not the model: a continuation that
// the writer cannot serve (here it needs a tool; nano has no tool support)
// goes to another model of that provider, which knows the id.
func TestPinnedContinuationThatTheWriterCannotServe(t *testing.T) {
	e := newE2E(t)
	ctx := context.Background()
	client := e.clients()["v1"]

	made, err := client.Responses.New(ctx, ask("Name a lake."), onModel("nano"))
	require.NoError(t, err)
	require.Equal(t, "nano", made.Model)

	next, err := client.Responses.New(ctx, responses.ResponseNewParams{
		Model: "model-router", PreviousResponseID: openai.String(made.ID),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Look up its depth.")},
		Tools: []responses.ToolUnionParam{{OfFunction: &responses.FunctionToolParam{
			Name: "lookup", Parameters: map[string]any{"type": "object"},
		}}},
	})
	if err != nil {
		t.Logf("error: %v", err.(*openai.Error).Message)
	}
	require.NoError(t, err, "another model of the writer's provider can continue it, as it did before the pin")
	assert.Contains(t, []string{"mini", "large"}, next.Model)
}
