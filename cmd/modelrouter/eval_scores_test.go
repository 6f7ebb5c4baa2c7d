package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
)

// The format says score is in [0, 1]. eval must refuse a dataset outside
// it with a message that names the rule: a prompt whose every score is
// negative leaves the oracle with no pick (index -1, a panic), and a
// judge's 1-10 scale gives "mean quality 8.1" in the report.
func TestEvalRefusesScoresOutsideTheUnitInterval(t *testing.T) {
	classifiertest.RequireRuntime(t)
	for name, bad := range map[string]float64{"negative": -0.5, "judge scale": 7} {
		t.Run(name, func(t *testing.T) {
			data := writeEvalDataset(t, t.TempDir(), "a", map[string][2]float64{
				"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}, 8,
				func(i int, m string) float64 {
					if i == 0 {
						return bad
					}
					return gptAlwaysRight(i, m)
				})
			var stdout, stderr bytes.Buffer
			var err error
			require.NotPanics(t, func() {
				err = runEval(context.Background(), []string{"--data", data}, &stdout, &stderr)
			})
			if assert.Error(t, err, "a score of %g was evaluated", bad) {
				// The file, the line (prompt 0 is line 1), the model and the rule.
				assert.Contains(t, err.Error(), "items.jsonl line 1")
				assert.Contains(t, err.Error(), "gpt-4o-2024-05-13")
				assert.Contains(t, err.Error(), "outside [0,1]")
			}
		})
	}
}
