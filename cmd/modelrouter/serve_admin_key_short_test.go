package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/server/authlimit"
)

var shortAdminKeyWarning = fmt.Sprintf("admin key is shorter than %d characters", minAdminKeyChars)

// The wrong-key limit lets each address try 10 admin keys a minute, which
// a short key does not withstand for long: serve says so once when it
// starts, never repeating the key, and starts all the same.
func TestServeWarnsOnceAboutAShortAdminKey(t *testing.T) {
	short := strings.Repeat("k", minAdminKeyChars-1)
	logs := serveLogsWithConfig(t, `{"admin_key": "`+short+`"}`, 0o600)
	assert.Equal(t, 1, strings.Count(logs, shortAdminKeyWarning), logs)
	assert.Contains(t, logs, fmt.Sprintf("%d wrong admin or metrics keys a minute", authlimit.DefaultMaxFailures))
	assert.NotContains(t, logs, short)

	long := strings.Repeat("k", minAdminKeyChars)
	assert.NotContains(t, serveLogsWithConfig(t, `{"admin_key": "`+long+`"}`, 0o600), shortAdminKeyWarning, "long enough")
	assert.NotContains(t, serveLogsWithConfig(t, `{}`, 0o600), shortAdminKeyWarning, "no admin key: nothing to guess")
}

// A metrics key shares the admin key's wrong-key limit, so a short one is
// as guessable, and said so, apart from the admin key's line.
func TestServeWarnsOnceAboutAShortMetricsKey(t *testing.T) {
	warning := fmt.Sprintf("metrics key is shorter than %d characters", minAdminKeyChars)
	short := strings.Repeat("m", minAdminKeyChars-1)
	logs := serveLogsWithConfig(t, `{"metrics_key": "`+short+`", "admin_key": "`+strings.Repeat("a", 32)+`"}`, 0o600)
	assert.Equal(t, 1, strings.Count(logs, warning), logs)
	assert.NotContains(t, logs, shortAdminKeyWarning, "the admin key is long enough")
	assert.NotContains(t, logs, short)

	long := strings.Repeat("m", minAdminKeyChars)
	assert.NotContains(t, serveLogsWithConfig(t, `{"metrics_key": "`+long+`"}`, 0o600), warning, "long enough")
}
