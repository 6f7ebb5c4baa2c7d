package router_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// testCatalog: strong is expensive, mid is cheap and close to strong, weak
// is cheapest and clearly worse, thinker is a reasoning model, claude is not
// OpenAI-format and has no structured output.
func testCatalog() router.Catalog {
	all := router.Capabilities{Tools: true, Vision: true, StructuredOutput: true}
	return router.Catalog{Latest: "v2", Versions: []router.Version{
		{Version: "v1", Models: []router.Model{
			{ID: "strong", Format: "OpenAI", Profile: "p-strong", InputPerMTok: 10, OutputPerMTok: 30, ContextWindow: 1000, MaxOutput: 500, Capabilities: all},
		}},
		{Version: "v2", Models: []router.Model{
			{ID: "strong", Format: "OpenAI", Profile: "p-strong", InputPerMTok: 10, OutputPerMTok: 30, ContextWindow: 1000, MaxOutput: 500, Capabilities: all},
			{ID: "mid", Format: "OpenAI", Profile: "p-mid", InputPerMTok: 1, OutputPerMTok: 3, ContextWindow: 1000, MaxOutput: 500, Capabilities: all},
			{ID: "weak", Format: "OpenAI", Profile: "p-weak", InputPerMTok: 0.1, OutputPerMTok: 0.3, ContextWindow: 200, MaxOutput: 100, Capabilities: router.Capabilities{}},
			{ID: "thinker", Format: "OpenAI", Profile: "p-think", InputPerMTok: 1, OutputPerMTok: 4, ReasoningTokens: 1000, ContextWindow: 1000, MaxOutput: 500,
				Capabilities: router.Capabilities{Reasoning: true, Tools: true, StructuredOutput: true}},
			{ID: "claude", Format: "Anthropic", Profile: "p-claude", InputPerMTok: 3, OutputPerMTok: 15, ContextWindow: 1000, MaxOutput: 500,
				Capabilities: router.Capabilities{Tools: true, Vision: true}},
		}},
	}}
}

// quality: strong .90, mid .89 (within 2 %), weak .85 (within 6 %), thinker .80, claude .88.
var fixed = router.Prediction{
	"p-strong": {Quality: 0.90, OutputTokens: 100},
	"p-mid":    {Quality: 0.89, OutputTokens: 100},
	"p-weak":   {Quality: 0.85, OutputTokens: 100},
	"p-think":  {Quality: 0.80, OutputTokens: 100},
	"p-claude": {Quality: 0.88, OutputTokens: 100},
}

func newRouter(t *testing.T, cfg router.Config) *router.Router {
	t.Helper()
	if cfg.Predictor == nil {
		cfg.Predictor = &routertest.Predictor{Fixed: fixed}
	}
	if len(cfg.Catalog.Versions) == 0 {
		cfg.Catalog = testCatalog()
	}
	r, err := router.New(cfg)
	require.NoError(t, err)
	return r
}

func TestDecide(t *testing.T) {
	dep := router.Deployment{Name: "model-router"}
	tests := []struct {
		name      string
		dep       router.Deployment
		req       router.Request
		chosen    string
		fallbacks []string
		code      string
	}{
		{name: "balanced picks cheapest within 2%", dep: dep, chosen: "mid", fallbacks: []string{"strong", "claude", "weak", "thinker"}},
		{name: "quality picks best", dep: dep, req: router.Request{Mode: router.ModeQuality}, chosen: "strong", fallbacks: []string{"mid", "claude", "weak", "thinker"}},
		{name: "cost picks cheapest within 6%", dep: dep, req: router.Request{Mode: router.ModeCost}, chosen: "weak", fallbacks: []string{"mid", "claude", "strong", "thinker"}},
		{name: "deployment mode applies", dep: router.Deployment{Name: "d", Mode: router.ModeQuality}, chosen: "strong"},
		{name: "request mode overrides deployment", dep: router.Deployment{Name: "d", Mode: router.ModeQuality}, req: router.Request{Mode: router.ModeCost}, chosen: "weak"},
		{name: "subset", dep: router.Deployment{Name: "d", Models: []string{"strong", "weak"}}, chosen: "strong", fallbacks: []string{"weak"}},
		{name: "subset cost mode", dep: router.Deployment{Name: "d", Mode: router.ModeCost, Models: []string{"strong", "weak"}}, chosen: "weak", fallbacks: []string{"strong"}},
		{name: "request narrows", dep: dep, req: router.Request{Models: []string{"strong", "thinker"}}, chosen: "strong", fallbacks: []string{"thinker"}},
		{name: "request cannot widen", dep: router.Deployment{Name: "d", Models: []string{"strong"}}, req: router.Request{Models: []string{"weak"}}, code: router.EInvalid},
		{name: "tools exclude weak", dep: dep, req: router.Request{Mode: router.ModeCost, Needs: router.Needs{Tools: true}}, chosen: "mid"},
		{name: "vision excludes thinker and weak", dep: dep, req: router.Request{Models: []string{"thinker", "weak", "claude"}, Needs: router.Needs{Vision: true}}, chosen: "claude"},
		{name: "structured output excludes claude", dep: dep, req: router.Request{Models: []string{"claude", "strong"}, Needs: router.Needs{StructuredOutput: true}}, chosen: "strong"},
		{name: "openai-only excludes claude", dep: dep, req: router.Request{Models: []string{"claude"}, Needs: router.Needs{OpenAIOnly: true}}, code: router.ENoEligible},
		{name: "context fit", dep: dep, req: router.Request{Mode: router.ModeCost, Needs: router.Needs{InputTokens: 150, MaxOutputTokens: 100}}, chosen: "mid"},
		{name: "nothing fits", dep: dep, req: router.Request{Needs: router.Needs{InputTokens: 5000}}, code: router.ENoEligible},
		{name: "require_parameters drops reasoning model for temperature", dep: dep,
			req: router.Request{Models: []string{"thinker", "weak"}, Needs: router.Needs{Params: []string{"temperature"}, RequireParameters: true}}, chosen: "weak"},
		{name: "require_parameters leaves out a model whose translation drops a parameter", dep: dep,
			req: router.Request{Models: []string{"claude", "weak"}, Needs: router.Needs{Params: []string{"seed"}, RequireParameters: true,
				Dropped: map[string][]string{"claude": {"seed"}}}}, chosen: "weak"},
		{name: "a translation's dropped parameters do not exclude without require_parameters", dep: dep,
			req: router.Request{Models: []string{"claude", "weak"}, Needs: router.Needs{Params: []string{"seed"},
				Dropped: map[string][]string{"claude": {"seed"}}}}, chosen: "claude"},
		{name: "parameters ignored without require_parameters", dep: dep,
			req: router.Request{Mode: router.ModeQuality, Models: []string{"thinker"}, Needs: router.Needs{Params: []string{"temperature"}}}, chosen: "thinker"},
		{name: "unknown router version", dep: router.Deployment{Name: "d", RouterVersion: "v9"}, code: router.EInvalid},
		{name: "old version has its own set", dep: router.Deployment{Name: "d", RouterVersion: "v1"}, chosen: "strong"},
	}
	r := newRouter(t, router.Config{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := r.Decide(context.Background(), tc.dep, tc.req)
			if tc.code != "" {
				require.Error(t, err)
				assert.Equal(t, tc.code, router.ErrorCode(err), err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.chosen, d.ChosenID)
			if tc.fallbacks != nil {
				var got []string
				for _, m := range d.Fallbacks {
					got = append(got, m.ID)
				}
				assert.Equal(t, tc.fallbacks, got)
			}
		})
	}
}

// A model left out for what its translation drops says which parameters,
// and that the translation is why (the model itself would take them).
func TestRequireParametersNamesWhatTheTranslationDrops(t *testing.T) {
	r := newRouter(t, router.Config{})
	d, err := r.Decide(context.Background(), router.Deployment{Name: "x"}, router.Request{Models: []string{"claude", "thinker", "mid"},
		Needs: router.Needs{Params: []string{"seed", "temperature", "top_k"}, RequireParameters: true,
			Dropped: map[string][]string{"claude": {"seed", "top_k"}, "thinker": {"seed"}}}})
	require.NoError(t, err)
	assert.Equal(t, "mid", d.ChosenID)
	reasons := map[string]string{}
	for _, c := range d.Candidates {
		reasons[c.Model] = c.Reason
	}
	assert.Equal(t, "excluded: require_parameters and unsupported seed, top_k (not carried as sent by the translation to its provider's API)", reasons["claude"])
	assert.Equal(t, "excluded: require_parameters and unsupported seed, temperature (seed not carried as sent by the translation to its provider's API)", reasons["thinker"],
		"a reasoning model refuses temperature itself")
}

// Where the translation can say why it does not carry a parameter as
// sent (a schema outside OpenAI's strict mode), the reason says so too.
func TestRequireParametersSaysWhyTheTranslationDropsAParameter(t *testing.T) {
	const why = `output_config.format.schema: $.properties.name uses "minLength", which strict mode does not support`
	r := newRouter(t, router.Config{})
	d, err := r.Decide(context.Background(), router.Deployment{Name: "x"}, router.Request{Models: []string{"claude", "thinker", "mid"},
		Needs: router.Needs{Params: []string{"output_config", "temperature"}, RequireParameters: true,
			Dropped:    map[string][]string{"mid": {"output_config"}, "thinker": {"output_config"}},
			DroppedWhy: map[string]string{"mid": why, "thinker": why}}})
	require.NoError(t, err)
	assert.Equal(t, "claude", d.ChosenID)
	reasons := map[string]string{}
	for _, c := range d.Candidates {
		reasons[c.Model] = c.Reason
	}
	assert.Equal(t, "excluded: require_parameters and unsupported output_config (not carried as sent by the translation to its provider's API; "+why+")", reasons["mid"])
	assert.Equal(t, "excluded: require_parameters and unsupported output_config, temperature (output_config not carried as sent by the translation to its provider's API; "+why+")", reasons["thinker"],
		"a reasoning model refuses temperature itself")
}

func TestDecisionExplainsEveryCandidate(t *testing.T) {
	r := newRouter(t, router.Config{})
	d, err := r.Decide(context.Background(), router.Deployment{Name: "x"}, router.Request{Needs: router.Needs{InputTokens: 1000 - 400, Tools: true}})
	require.NoError(t, err)
	byModel := map[string]router.Candidate{}
	for _, c := range d.Candidates {
		byModel[c.Model] = c
		assert.NotEmpty(t, c.Reason, c.Model)
	}
	assert.False(t, byModel["weak"].Eligible)
	assert.Contains(t, byModel["weak"].Reason, "tool")
	assert.Equal(t, 1, byModel["mid"].Rank)
	assert.Contains(t, byModel["mid"].Reason, "chosen")
	assert.Contains(t, byModel["strong"].Reason, "within the band")
	assert.Contains(t, byModel["thinker"].Reason, "below the band")
	assert.InDelta(t, 0.90, d.BestQuality, 1e-9)
	assert.InDelta(t, 0.98*0.90, d.Threshold, 1e-9)
	assert.Equal(t, 1.0, d.Propensity)
	// mid: 600 input tokens at $1/M + 100 output at $3/M.
	assert.InDelta(t, (600*1+100*3)/1e6, byModel["mid"].ExpectedCost, 1e-12)
}

func TestReasoningTokensMakeReasoningModelsCostMore(t *testing.T) {
	m := router.Model{InputPerMTok: 1, OutputPerMTok: 4, ReasoningTokens: 1000}
	assert.InDelta(t, (10*1+(100+1000)*4)/1e6, router.ExpectedCost(m, 10, 100), 1e-12)
	assert.InDelta(t, (10*1+200*4)/1e6, router.ExpectedCostWithin(m, 10, 100, 200), 1e-12, "reasoning and answer stop at the client's limit")
	assert.InDelta(t, (10*1+(100+1000)*4)/1e6, router.ExpectedCostWithin(m, 10, 100, 5000), 1e-12, "a limit above the expected output changes nothing")
}

// A client's output limit caps what a long-winded model can cost: Cost mode
// then prefers the model with the lower output price, not the one predicted
// to write less.
func TestOutputLimitCapsExpectedCost(t *testing.T) {
	cat := router.Catalog{Latest: "v1", Versions: []router.Version{{Version: "v1", Models: []router.Model{
		{ID: "verbose", Format: "OpenAI", Profile: "p-verbose", InputPerMTok: 1, OutputPerMTok: 1, ContextWindow: 10000, MaxOutput: 5000},
		{ID: "terse", Format: "OpenAI", Profile: "p-terse", InputPerMTok: 1, OutputPerMTok: 5, ContextWindow: 10000, MaxOutput: 5000},
	}}}}
	pred := router.Prediction{"p-verbose": {Quality: 0.8, OutputTokens: 1000}, "p-terse": {Quality: 0.8, OutputTokens: 100}}
	r := newRouter(t, router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}})
	dep := router.Deployment{Name: "d", Mode: router.ModeCost}
	d, err := r.Decide(context.Background(), dep, router.Request{Needs: router.Needs{InputTokens: 10}})
	require.NoError(t, err)
	assert.Equal(t, "terse", d.ChosenID, "1,000 tokens at $1/M cost more than 100 at $5/M")
	d, err = r.Decide(context.Background(), dep, router.Request{Needs: router.Needs{InputTokens: 10, MaxOutputTokens: 50}})
	require.NoError(t, err)
	assert.Equal(t, "verbose", d.ChosenID, "with max_tokens 50 both stop at 50 tokens")
	for _, c := range d.Candidates {
		assert.InDelta(t, (10+50*map[string]float64{"verbose": 1, "terse": 5}[c.Model])/1e6, c.ExpectedCost, 1e-12, c.Model)
	}
}

func TestNotConfiguredWhenOnlyProvidersAreMissing(t *testing.T) {
	r := newRouter(t, router.Config{Available: func(m router.Model) string {
		return "excluded: provider not configured: set OPENAI_API_KEY"
	}})
	_, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{})
	require.Error(t, err)
	assert.Equal(t, router.ENotConfigured, router.ErrorCode(err))
	assert.Contains(t, err.Error(), "OPENAI_API_KEY")
	var e *router.Error
	require.True(t, errors.As(err, &e))
	assert.Len(t, e.Detail, 5)
}

// TestNotConfiguredWinsOverCapabilityExclusions: weak cannot take tools,
// the others could but have no provider: configuring one is the fix, so
// the error is ENotConfigured; when only capabilities exclude, it is
// ENoEligible.
func TestNotConfiguredWinsOverCapabilityExclusions(t *testing.T) {
	tests := []struct {
		name      string
		available func(router.Model) string
		code      string
	}{
		{name: "others unconfigured", available: func(m router.Model) string {
			if m.ID == "weak" {
				return ""
			}
			return "excluded: provider not configured: set OPENAI_API_KEY"
		}, code: router.ENotConfigured},
		{name: "only capabilities", available: func(router.Model) string { return "" }, code: router.ENoEligible},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRouter(t, router.Config{Available: tt.available})
			req := router.Request{Needs: router.Needs{Tools: true}, Models: []string{"weak", "claude"}}
			if tt.code == router.ENoEligible {
				req.Models = []string{"weak"}
			}
			_, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, req)
			require.Error(t, err)
			assert.Equal(t, tt.code, router.ErrorCode(err), "%v", err)
			assert.Contains(t, err.Error(), "no tool support", "the message still says why weak is out")
		})
	}
}

func TestUnavailableModelIsSkipped(t *testing.T) {
	r := newRouter(t, router.Config{Available: func(m router.Model) string {
		if m.ID == "mid" {
			return "excluded: unhealthy"
		}
		return ""
	}})
	d, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{})
	require.NoError(t, err)
	assert.Equal(t, "strong", d.ChosenID)
}

func TestMissingProfileExcludesModel(t *testing.T) {
	r := newRouter(t, router.Config{Predictor: &routertest.Predictor{Fixed: router.Prediction{"p-weak": {Quality: 0.5, OutputTokens: 10}}}})
	d, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{})
	require.NoError(t, err)
	assert.Equal(t, "weak", d.ChosenID)
	for _, c := range d.Candidates {
		if c.Model == "strong" {
			assert.Contains(t, c.Reason, "no profile")
		}
	}
}

func TestPredictorErrorIsReturned(t *testing.T) {
	r := newRouter(t, router.Config{Predictor: &routertest.Predictor{Err: errors.New("boom")}})
	_, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{})
	require.ErrorContains(t, err, "boom")
	assert.Equal(t, router.EInternal, router.ErrorCode(err))
}

func TestSessionAffinity(t *testing.T) {
	now := time.Unix(1000, 0)
	quality := 0.89
	pred := &routertest.Predictor{PredictFn: func(string) router.Prediction {
		p := router.Prediction{}
		for k, v := range fixed {
			p[k] = v
		}
		p["p-mid"] = router.Estimate{Quality: quality, OutputTokens: 100}
		return p
	}}
	r := newRouter(t, router.Config{Predictor: pred, AffinityTTL: time.Minute, Now: func() time.Time { return now }})
	dep := router.Deployment{Name: "d"}
	ctx := context.Background()

	d, err := r.Decide(ctx, dep, router.Request{SessionKey: "s1"})
	require.NoError(t, err)
	require.Equal(t, "mid", d.ChosenID)
	assert.False(t, d.Affinity)

	// The policy would now pick strong, but the conversation stays on mid.
	quality = 0.5
	d, err = r.Decide(ctx, dep, router.Request{SessionKey: "s1"})
	require.NoError(t, err)
	assert.Equal(t, "mid", d.ChosenID)
	assert.True(t, d.Affinity)
	assert.Equal(t, "strong", d.Fallbacks[0].ID)

	// Another session is routed on its own.
	d, err = r.Decide(ctx, dep, router.Request{SessionKey: "s2"})
	require.NoError(t, err)
	assert.Equal(t, "strong", d.ChosenID)

	// Ineligible pinned model: routed afresh.
	d, err = r.Decide(ctx, dep, router.Request{SessionKey: "s1", Needs: router.Needs{Vision: true}, Models: []string{"strong", "claude"}})
	require.NoError(t, err)
	assert.Equal(t, "strong", d.ChosenID)
	assert.False(t, d.Affinity)

	// After a failure the session forgets its model.
	r.Pin("d", "s3", "mid")
	r.Failed("d", "s3")
	d, err = r.Decide(ctx, dep, router.Request{SessionKey: "s3"})
	require.NoError(t, err)
	assert.Equal(t, "strong", d.ChosenID)

	// Expiry.
	r.Pin("d", "s4", "mid")
	now = now.Add(2 * time.Minute)
	d, err = r.Decide(ctx, dep, router.Request{SessionKey: "s4"})
	require.NoError(t, err)
	assert.Equal(t, "strong", d.ChosenID)
}

// A decision that forwards nothing follows the session's pin but writes
// none: neither a new pin nor a moved one.
func TestReadOnlyAffinityFollowsThePinWithoutWritingIt(t *testing.T) {
	r := newRouter(t, router.Config{AffinityTTL: time.Minute})
	dep := router.Deployment{Name: "d"}
	ctx := context.Background()

	// A dry run of a fresh session in quality mode pins nothing.
	d, err := r.Decide(ctx, dep, router.Request{SessionKey: "s1", Mode: router.ModeQuality, ReadOnlyAffinity: true})
	require.NoError(t, err)
	require.Equal(t, "strong", d.ChosenID)
	d, err = r.Decide(ctx, dep, router.Request{SessionKey: "s1"})
	require.NoError(t, err)
	assert.Equal(t, "mid", d.ChosenID, "the dry run pinned the session")
	assert.False(t, d.Affinity)

	// It shows the pin the real call would follow, and leaves it.
	d, err = r.Decide(ctx, dep, router.Request{SessionKey: "s1", Mode: router.ModeQuality, ReadOnlyAffinity: true})
	require.NoError(t, err)
	assert.Equal(t, "mid", d.ChosenID)
	assert.True(t, d.Affinity)
	d, err = r.Decide(ctx, dep, router.Request{SessionKey: "s1", Models: []string{"strong", "weak"}, ReadOnlyAffinity: true})
	require.NoError(t, err)
	assert.NotEqual(t, "mid", d.ChosenID)
	d, err = r.Decide(ctx, dep, router.Request{SessionKey: "s1", Mode: router.ModeQuality})
	require.NoError(t, err)
	assert.Equal(t, "mid", d.ChosenID, "a dry run narrowed away from the pin moved it")
	assert.True(t, d.Affinity)
}

func TestParseMode(t *testing.T) {
	m, err := router.ParseMode(" Cost ")
	require.NoError(t, err)
	assert.Equal(t, router.ModeCost, m)
	m, err = router.ParseMode("")
	require.NoError(t, err)
	assert.Equal(t, router.Mode(""), m)
	_, err = router.ParseMode("fast")
	require.ErrorContains(t, err, "balanced, quality, cost")
	assert.Equal(t, router.EInvalid, router.ErrorCode(err))
}

func TestDroppedParams(t *testing.T) {
	assert.Contains(t, router.DroppedParams(router.Model{Capabilities: router.Capabilities{Reasoning: true}}), "temperature")
	assert.Equal(t, []string{"reasoning_effort"}, router.DroppedParams(router.Model{}))
	assert.False(t, router.SupportsParam(router.Model{}, "tools"))
	assert.True(t, router.SupportsParam(router.Model{}, "some_new_param"))
}

// Pick, used offline by eval and calibration, must pick what Decide picks.
func TestPickMatchesDecide(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		n := 2 + rng.IntN(5)
		var models []router.Model
		pred := router.Prediction{}
		q, c := make([]float64, n), make([]float64, n)
		inTok := 50 + rng.IntN(2000)
		for j := range n {
			m := router.Model{Format: "OpenAI", Name: fmt.Sprintf("m%d", j), ID: fmt.Sprintf("m%d", j), Profile: fmt.Sprintf("p%d", j),
				InputPerMTok: float64(rng.IntN(4)), OutputPerMTok: float64(rng.IntN(4))}
			models = append(models, m)
			// Coarse values so ties in quality and cost happen.
			e := router.Estimate{Quality: float64(rng.IntN(20)) / 20, OutputTokens: float64(100 * rng.IntN(4))}
			pred[m.Profile] = e
			q[j], c[j] = e.Quality, router.ExpectedCost(m, inTok, e.OutputTokens)
		}
		bands := router.Bands{Balanced: []float64{0.01, 0.02, 0.1}[trial%3], Cost: []float64{0.06, 0.3, 1}[trial%3]}
		r, err := router.New(router.Config{
			Catalog:   router.Catalog{Versions: []router.Version{{Version: "v", Models: models}}, Latest: "v"},
			Predictor: &routertest.Predictor{Fixed: pred},
			Bands:     bands,
		})
		require.NoError(t, err)
		for _, mode := range router.Modes {
			d, err := r.Decide(context.Background(), router.Deployment{Name: "d", Mode: mode}, router.Request{Prompt: "x", Needs: router.Needs{InputTokens: inTok}})
			require.NoError(t, err)
			got := router.Pick(q, c, bands.Band(mode))
			require.Equal(t, d.ChosenID, models[got].ID, "trial %d mode %s q=%v c=%v", trial, mode, q, c)
		}
	}
}

func TestCatalogModelFindsAnIDInAnyVersion(t *testing.T) {
	cat := testCatalog()
	m, ok := cat.Model("claude")
	require.True(t, ok)
	assert.Equal(t, "p-claude", m.Profile)
	_, ok = cat.Model("gpt-9")
	assert.False(t, ok)
}
