package main

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
	"github.com/modelrouter/modelrouter/training/corpus"
	"github.com/modelrouter/modelrouter/training/dataset"
)

// train refuses a labelled model without a price: at $0 it would be the
// cheapest candidate of every band sweep. Rated answers of a model this
// build's catalog no longer lists (a log kept from an older release) must
// not reach train priced at $0 through export-feedback either.
func TestExportFeedbackOfAModelOutsideTheCatalogDoesNotTrainAtZeroCost(t *testing.T) {
	cat, err := models.Catalog()
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), "traffic")
	ex := newFeedbackExport("traffic", cat, out)
	for i := range 4 {
		require.NoError(t, ex.add(store.DecisionRow{RequestID: fmt.Sprintf("r%d", i), PromptText: fmt.Sprintf("prompt %d", i), Answered: "retired-model-2023",
			Deployment: "prod", Usage: router.Usage{PromptTokens: 10, CompletionTokens: 20}, Feedback: &store.Feedback{Score: 1}}))
	}
	require.NoError(t, ex.finish("log.db"))

	d, err := dataset.Load(out)
	require.NoError(t, err)
	c, err := corpus.Build([]*dataset.Dataset{d})
	if err != nil {
		assert.ErrorContains(t, err, `"retired-model-2023" has quality labels but no price`)
		return
	}
	for _, e := range c.Examples {
		for _, l := range e.Labels {
			assert.False(t, l.InputPrice == 0 && l.OutputPrice == 0, "%s is a training label priced at $0", c.Profiles[l.Profile])
		}
	}
}

// export-feedback says which model it could not price and where to add
// the price; train then refuses that data naming the model, and an export
// of catalog models alone trains.
func TestExportFeedbackWarnsOfAnUnpricedModelAndACatalogExportTrains(t *testing.T) {
	classifiertest.RequireRuntime(t)
	cat, err := models.Catalog()
	require.NoError(t, err)
	latest := cat.Versions[len(cat.Versions)-1].Models
	a, b := latest[0].ID, latest[len(latest)-1].ID
	const retired = "retired-model-2023"
	logRated := func(answerers ...string) string {
		db := filepath.Join(t.TempDir(), "modelrouter.db")
		s, err := store.Open(db)
		require.NoError(t, err)
		ctx := context.Background()
		at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		var ids []string
		for i := range 120 {
			prompt := fmt.Sprintf("Question number %d about topic %d.", i, i%7)
			for _, m := range answerers {
				id := fmt.Sprintf("r%d-%s", i, m)
				s.Log().Record(router.Record{RequestID: id, Time: at, API: "chat.completions", PromptHash: "h-" + prompt, PromptText: prompt,
					Decision: router.Decision{Deployment: "prod", Mode: router.ModeBalanced, ChosenID: m},
					Answered: m, Status: 200, Usage: router.Usage{PromptTokens: 10, CompletionTokens: 40}})
				ids = append(ids, id)
			}
		}
		require.NoError(t, s.Log().Flush(ctx))
		for i, id := range ids {
			require.NoError(t, s.AddFeedback(ctx, id, float64(i%2), "", ""))
		}
		require.NoError(t, s.Close())
		return db
	}
	train := func(data string) (string, error) {
		_, stderr, err := runCmd(t, "train", "--data", data, "--allow-unlicensed", "--val", "0", "--pretrain-scale", "0", "--tokenizer-answers", "0",
			"--leave-one-out=false", "--leave-one-task-out=false", "--epochs", "1", "--dim", "8", "--hidden", "8", "--z", "8", "--buckets", "256",
			"--workers", "1", "--out", filepath.Join(t.TempDir(), "model"))
		return stderr, err
	}

	mixed := filepath.Join(t.TempDir(), "mixed")
	_, stderr, err := runCmd(t, "export-feedback", "--db", logRated(a, retired), "--out", mixed)
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, retired+" is not in this build's catalog")
	assert.Contains(t, stderr, "add its price to "+filepath.Join(mixed, "models.json"))
	_, err = train(mixed)
	assert.ErrorContains(t, err, `"`+retired+`" has quality labels but no price`)

	priced := filepath.Join(t.TempDir(), "priced")
	_, stderr, err = runCmd(t, "export-feedback", "--db", logRated(a, b), "--out", priced)
	require.NoError(t, err, stderr)
	assert.NotContains(t, stderr, "warning")
	stderr, err = train(priced)
	require.NoError(t, err, stderr)
}
