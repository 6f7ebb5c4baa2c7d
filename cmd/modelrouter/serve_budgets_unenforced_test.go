package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A gateway that needs no key reads no call's key, so a key's budget
// holds nothing back there: serve says so when it starts, rather than let
// an operator believe the budgets made with `keys create --budget-usd`
// are in force. With keys required it says nothing of the kind.
func TestServeWarnsThatBudgetsAreNotEnforcedWithoutKeys(t *testing.T) {
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	var stdout, stderr bytes.Buffer
	require.NoError(t, runKeys(context.Background(), []string{"create", "--name", "capped", "--budget-usd", "5", "--db", db}, &stdout, &stderr), stderr.String())
	const warning = "client keys are not required, so their budgets are not enforced"
	for _, required := range []bool{false, true} {
		var logs syncBuffer
		fake := upstreamtest.NewOpenAI(t)
		_, stop, done := startServe(t, fake, db, func(o *serveOptions) {
			o.requireKeys = required
			o.logger = slog.New(slog.NewTextHandler(&logs, nil))
		})
		stop()
		<-done
		if required {
			assert.NotContains(t, logs.String(), warning)
		} else {
			assert.Contains(t, logs.String(), warning)
			assert.Contains(t, logs.String(), "keys_with_budgets=1")
		}
	}
}
