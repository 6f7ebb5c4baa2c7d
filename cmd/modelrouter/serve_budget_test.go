package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A key made with a budget may call until its calls have spent it; then it
// gets OpenAI's 429 insufficient_quota, other keys go on, and a budget
// raised with `keys budget` applies to the running gateway.
func TestServeStopsAKeyThatSpentItsBudget(t *testing.T) {
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	ctx := context.Background()
	keysCmd := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		require.NoError(t, runKeys(ctx, append(args, "--db", db), &stdout, &stderr), "%s", stderr.String())
		return strings.TrimSpace(stdout.String())
	}
	// One call to the fake costs a fraction of a cent: the first call
	// spends this budget.
	capped := keysCmd("create", "--name", "capped", "--budget-usd", "0.000001", "--budget-period", "day")
	free := keysCmd("create", "--name", "free")

	s := startControlsServeWith(t, db, func(o *serveOptions) {
		o.rateLimits = false
		o.requireKeys = true
		o.budgetRefresh = 50 * time.Millisecond
	})
	oa, base := s.openai, s.base
	ask := func(key string) error {
		c := openai.NewClient(option.WithBaseURL(base+"/v1/"), option.WithAPIKey(key), option.WithMaxRetries(0))
		_, err := c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "model-router",
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Name a river.")}})
		return err
	}
	require.NoError(t, ask(capped), "nothing spent yet")
	err := ask(capped)
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusTooManyRequests, apiErr.StatusCode)
	assert.Equal(t, "insufficient_quota", apiErr.Code)
	assert.Regexp(t, `This API key has spent \$0\.0\d*[1-9]`, apiErr.Message)
	assert.Contains(t, apiErr.Message, "of its budget of $0.000001 a day; it starts again at ")
	asked := len(oa.Requests())
	require.NoError(t, ask(free), "another key is not held back")
	assert.Len(t, oa.Requests(), asked+1, "the refused call reached no provider")

	spent := regexp.MustCompile(`capped +\S+ \S+ +active +\$0\.000001 a day +\$0\.0\d*[1-9]`)
	assert.Eventually(t, func() bool { return spent.MatchString(keysCmd("list")) }, 5*time.Second, 20*time.Millisecond,
		"the list adds up the logged spend: %s", keysCmd("list"))
	assert.Regexp(t, `free +\S+ \S+ +active +none +-`, keysCmd("list"))

	assert.Contains(t, keysCmd("budget", capped[:11], "--usd", "100", "--period", "month"), "budget $100.00 a month")
	assert.Eventually(t, func() bool { return ask(capped) == nil }, 5*time.Second, 20*time.Millisecond,
		"the raised budget applies without a restart")
}
