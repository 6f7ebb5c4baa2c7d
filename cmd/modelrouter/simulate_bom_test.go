package main

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// A prompt file saved as "UTF-8 with BOM" (Notepad, PowerShell 5) is read
// as it looks: its first line is a JSON object, not "want a JSON object",
// and the first prompt of a text file is its words, without the mark.
func TestSimulateReadsAPromptFileThatStartsWithAByteOrderMark(t *testing.T) {
	pred := fakeRouterModel(t)
	var mu sync.Mutex
	var read []string
	predict := pred.PredictFn
	pred.PredictFn = func(prompt string) router.Prediction {
		mu.Lock()
		defer mu.Unlock()
		read = append(read, prompt)
		return predict(prompt)
	}
	for name, body := range map[string]string{
		"p.jsonl": "\ufeff" + `{"prompt":"Prove there are infinitely many primes."}` + "\r\n" + `{"prompt":"hello there"}` + "\r\n",
		"p.txt":   "\ufeffProve there are infinitely many primes.\r\nhello there\r\n",
	} {
		out := t.TempDir()
		_, stderr, err := runCmd(t, "simulate", "--prompts", writeFile(t, name, body), "--modes", "balanced", "--out", out)
		require.NoError(t, err, "%s: %s", name, stderr)
		assert.Equal(t, map[string]int{"big": 1, "small": 1}, shares(readSummary(t, out).Modes[0]), name)
	}
	for _, p := range read {
		assert.False(t, strings.ContainsRune(p, '\ufeff'), "the router model read %q", p)
	}
}
