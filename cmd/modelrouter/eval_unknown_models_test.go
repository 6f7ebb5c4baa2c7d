package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
)

// A dataset in the routing format whose model names the router model has
// never seen: the error names each model without a profile and the
// profiles a --map may give it, so the next command can be written from
// the message alone; a model already mapped is not listed as lacking one.
func TestEvalOfUnknownModelNamesSaysWhichToMapAndToWhat(t *testing.T) {
	classifiertest.RequireRuntime(t)
	data := writeEvalDataset(t, t.TempDir(), "acme", map[string][2]float64{
		"acme-big": {5, 15}, "acme-small": {0.2, 0.6}}, 8, func(i int, m string) float64 {
		if m == "acme-big" {
			return 1
		}
		return float64(i % 2)
	})

	var stdout, stderr bytes.Buffer
	err := runEval(context.Background(), []string{"--data", data}, &stdout, &stderr)
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, "no profile for acme-big; acme-small")
	assert.Contains(t, msg, "--map acme-big=<profile>")
	assert.Contains(t, msg, "gpt-4o-2024-05-13", "the profiles to choose from")

	err = runEval(context.Background(), []string{"--data", data, "--map", "acme-big=gpt-4o-2024-05-13"}, &stdout, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no profile for acme-small:")
	assert.Contains(t, err.Error(), "--map acme-small=<profile>")

	// The message's advice works: --map alone, no --candidates.
	stdout.Reset()
	err = runEval(context.Background(), []string{"--data", data, "--map", "acme-big=gpt-4o-2024-05-13", "--map", "acme-small=gpt-4o-mini-2024-07-18"}, &stdout, &stderr)
	require.NoError(t, err, stderr.String())
	assert.Contains(t, stdout.String(), "strong acme-big, weak acme-small")
}
