package manage_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/manage"
)

// sourceKinds runs a test against a Source that reads the store on every
// call and one that caches between writes (the store counts its writes).
func sourceKinds(t *testing.T, test func(t *testing.T, e *env)) {
	for _, cached := range []bool{false, true} {
		t.Run(map[bool]string{false: "uncached", true: "cached"}[cached], func(t *testing.T) {
			e := newEnv(t, adminKey)
			if cached {
				cat, err := models.Catalog()
				require.NoError(t, err)
				e.source = manage.NewSource(versionedStore{e.store}, cat)
			}
			test(t, e)
		})
	}
}

func TestSourceBuiltInDefault(t *testing.T) { sourceKinds(t, testSourceBuiltInDefault) }

func testSourceBuiltInDefault(t *testing.T, e *env) {
	ctx := context.Background()
	d, err := e.source.Get(ctx, "model-router")
	require.NoError(t, err)
	assert.Equal(t, "2025-11-18", d.RouterVersion)
	assert.Equal(t, router.ModeBalanced, d.Mode)
	assert.Equal(t, 10, d.Capacity)
	assert.Len(t, d.Models, 18, "22 models less the 4 Claude models nobody deployed")
	assert.NotContains(t, d.Models, "claude-sonnet-4-5-20250929")

	e.mustPut("sonnet", claudeDeployment)
	d, err = e.source.Get(ctx, "model-router")
	require.NoError(t, err)
	assert.Contains(t, d.Models, "claude-sonnet-4-5-20250929", "a deployed Claude model joins the full set at once")

	_, err = e.source.Get(ctx, "nope")
	assert.Equal(t, router.ENotFound, router.ErrorCode(err))
	_, err = e.source.Get(ctx, "sonnet")
	assert.Equal(t, router.ENotFound, router.ErrorCode(err), "a model deployment is not a router")
}

func TestSourceSeesChangesAtOnce(t *testing.T) { sourceKinds(t, testSourceSeesChangesAtOnce) }

func testSourceSeesChangesAtOnce(t *testing.T, e *env) {
	ctx := context.Background()
	e.mustPut("model-router", `{"sku": {"name": "GlobalStandard", "capacity": 50}, "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-08-07"}, "routing": {"mode": "quality"}}}`)
	d, err := e.source.Get(ctx, "model-router")
	require.NoError(t, err)
	assert.Equal(t, router.Deployment{Name: "model-router", RouterVersion: "2025-08-07", Mode: router.ModeQuality, SKUName: "GlobalStandard", Capacity: 50,
		Models: []string{"gpt-4.1-2025-04-14", "gpt-4.1-mini-2025-04-14", "gpt-4.1-nano-2025-04-14", "o4-mini-2025-04-16",
			"gpt-5-2025-08-07", "gpt-5-mini-2025-08-07", "gpt-5-nano-2025-08-07", "gpt-5-chat-2025-08-07"}}, d)

	e.mustPut("model-router", referenceExample)
	d, err = e.source.Get(ctx, "model-router")
	require.NoError(t, err)
	assert.Equal(t, router.ModeBalanced, d.Mode)
	assert.Equal(t, []string{"gpt-4.1-2025-04-14", "gpt-5.2-chat-2025-12-11", "Llama-4-Maverick-17B-128E-Instruct-FP8"}, d.Models)

	require.Equal(t, http.StatusOK, e.do(http.MethodDelete, "/deployments/model-router", "").Code)
	d, err = e.source.Get(ctx, "model-router")
	require.NoError(t, err)
	assert.Equal(t, "2025-11-18", d.RouterVersion, "back to the built-in default")
}

// TestSourceCachesBetweenWrites: with a store that counts its writes, the
// gateway's per-request Get reads the store once per write (or once per
// SnapshotMaxAge), not once per request; a name it does not find is looked
// up alone.
func TestSourceCachesBetweenWrites(t *testing.T) {
	e := newEnv(t, adminKey)
	cat, err := models.Catalog()
	require.NoError(t, err)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	src := manage.NewSource(versionedStore{e.store}, cat)
	manage.SetSourceClock(src, func() time.Time { return now })
	ctx := context.Background()
	e.mustPut("cheap", `{"sku": {"name": "GlobalStandard", "capacity": 50}, "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"}, "routing": {"mode": "cost"}}}`)

	before := e.store.readCount()
	for range 100 {
		d, err := src.Get(ctx, "cheap")
		require.NoError(t, err)
		assert.Equal(t, router.ModeCost, d.Mode)
		d.Models[0] = "changed by the caller" // must not reach the next caller
		_, err = src.Get(ctx, "model-router")
		require.NoError(t, err)
		_, err = src.Get(ctx, "nope")
		require.Equal(t, router.ENotFound, router.ErrorCode(err))
	}
	assert.Equal(t, 1+100, e.store.readCount()-before,
		"one read of every deployment for 300 lookups, and one of the name alone for each of the 100 not found (another process may have created it)")
	d, err := src.Get(ctx, "cheap")
	require.NoError(t, err)
	assert.NotEqual(t, "changed by the caller", d.Models[0])

	e.mustPut("cheap", `{"sku": {"name": "GlobalStandard", "capacity": 50}, "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"}, "routing": {"mode": "quality"}}}`)
	d, err = src.Get(ctx, "cheap")
	require.NoError(t, err)
	assert.Equal(t, router.ModeQuality, d.Mode, "a write applies to the next request")

	// A write the store cannot count (another process on the same file)
	// shows once the copy is SnapshotMaxAge old.
	e.store.mu.Lock()
	delete(e.store.m, "cheap")
	e.store.mu.Unlock()
	_, err = src.Get(ctx, "cheap")
	require.NoError(t, err, "still the cached copy")
	now = now.Add(manage.SnapshotMaxAge)
	_, err = src.Get(ctx, "cheap")
	assert.Equal(t, router.ENotFound, router.ErrorCode(err))
}

// TestSourceSubsetsAreExplicit: a model added to a router version later joins
// deployments on the full set but not existing subsets.
func TestSourceSubsetsAreExplicit(t *testing.T) {
	e := newEnv(t, adminKey)
	ctx := context.Background()
	e.mustPut("subset", referenceExample)
	e.mustPut("full", defaultDeployment)

	cat, err := models.Catalog()
	require.NoError(t, err)
	added := router.Model{Format: "OpenAI", Name: "gpt-6", Version: "2026-01-01", ID: "gpt-6-2026-01-01"}
	for i := range cat.Versions {
		if cat.Versions[i].Version == cat.Latest {
			cat.Versions[i].Models = append(cat.Versions[i].Models, added)
		}
	}
	src := manage.NewSource(e.store, cat)

	sub, err := src.Get(ctx, "subset")
	require.NoError(t, err)
	assert.NotContains(t, sub.Models, added.ID)
	assert.Len(t, sub.Models, 3)
	full, err := src.Get(ctx, "full")
	require.NoError(t, err)
	assert.Contains(t, full.Models, added.ID)
}

func TestSourceList(t *testing.T) {
	e := newEnv(t, adminKey)
	ctx := context.Background()
	e.mustPut("sonnet", claudeDeployment)
	e.mustPut("b-router", routerWithClaude)
	e.mustPut("a-router", defaultDeployment)
	list, err := e.source.List(ctx)
	require.NoError(t, err)
	var names []string
	for _, d := range list {
		names = append(names, d.Name)
	}
	assert.Equal(t, []string{"a-router", "b-router", "model-router"}, names, "routers only, the built-in default included")
	assert.Equal(t, []string{"gpt-4.1-2025-04-14", "claude-sonnet-4-5-20250929"}, list[1].Models)
}

// TestSourcePausedReadsTheCopy: every call that names no deployment asks
// Paused whether a paused deployment lists the model it names, clients
// that make names up included; with a store that counts its writes that
// reads Get's copy, not the store, and gives what a read of the store
// gives, a write showing at once.
func TestSourcePausedReadsTheCopy(t *testing.T) {
	e := newEnv(t, adminKey)
	cat, err := models.Catalog()
	require.NoError(t, err)
	cached := manage.NewSource(versionedStore{e.store}, cat)
	ctx := context.Background()
	const paused = `{"properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"}, "routing": {"mode": "cost"}, "deploymentState": "Paused"}}`
	e.mustPut("held", paused)
	e.mustPut("running", `{"properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-08-07"}}}`)
	e.mustPut("also-held", strings.Replace(paused, `"cost"`, `"quality"`, 1))

	want, err := e.source.Paused(ctx) // reads the store
	require.NoError(t, err)
	require.Len(t, want, 2)
	assert.Equal(t, []string{"also-held", "held"}, []string{want[0].Name, want[1].Name}, "in name order")
	assert.Equal(t, router.ModeCost, want[1].Mode, "as it would serve were it running")

	before := e.store.readCount()
	for range 100 {
		got, err := cached.Paused(ctx)
		require.NoError(t, err)
		require.Equal(t, want, got)
		got[0].Models[0] = "changed by the caller" // must not reach the next caller
	}
	assert.Equal(t, 1, e.store.readCount()-before, "one read of every deployment for 100 calls")

	e.mustPut("held", `{"properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"}}}`)
	got, err := cached.Paused(ctx)
	require.NoError(t, err)
	require.Len(t, got, 1, "a write applies to the next call")
	assert.Equal(t, "also-held", got[0].Name)
}
