package main

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// A catalog model rated on a handful of prompts gets no profile of its own
// from a retrain: serve would predict it by that profile instead of its
// stand-in, and one bad rating would leave it out of every later decision.
// A model rated on enough prompts gets its profile, as add-profile would.
func TestRetrainingGivesAProfileOnlyToModelsRatedOnEnoughPrompts(t *testing.T) {
	classifiertest.RequireRuntime(t)
	root := filepath.Join(t.TempDir(), "canonical")
	writeCanonicalLike(t, root, "llmrouter")

	cat, err := models.Catalog()
	require.NoError(t, err)
	latest := cat.Versions[len(cat.Versions)-1].Models
	often, seldom := latest[0].ID, latest[len(latest)-1].ID
	traffic := filepath.Join(t.TempDir(), "traffic")
	ex := newFeedbackExport("traffic", cat, traffic)
	rate := func(id, model, prompt string, score float64) {
		require.NoError(t, ex.add(store.DecisionRow{RequestID: id, PromptText: prompt, Answered: model, Deployment: "prod",
			Usage: router.Usage{PromptTokens: 10, CompletionTokens: 30}, Feedback: &store.Feedback{Score: score}}))
	}
	for i := range 60 {
		rate(fmt.Sprintf("a%d", i), often, fmt.Sprintf("A question from our users, number %d.", i), float64(i%2))
		if i == 0 { // a prompt's rows come together, as the log gives them
			rate("b0", seldom, "A question from our users, number 0.", 0)
		}
	}
	require.NoError(t, ex.finish("modelrouter.db"))

	card, stderr := trainTinyOn(t, root, traffic)
	assert.Contains(t, card.Profiles, models.ProfileName(often), "rated on 60 prompts: a profile of its own")
	assert.NotContains(t, card.Profiles, models.ProfileName(seldom), "rated on one prompt: still its stand-in")
	assert.Contains(t, stderr, "left out the ratings of "+models.ProfileName(seldom)+" (1 rated prompt)")
}
