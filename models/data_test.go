package models_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// licensedDatasets are the canonical datasets with quality labels that the
// shipped router model may train on; their models are the shipped profiles.
var licensedDatasets = []string{"zeroeval-math", "mmlu-pro", "llmrouter"}

// sharedDir returns ../shared/<rel> of the repository (MODELROUTER_SHARED
// overrides), skipping the test when it is absent: the data is not part of
// the repository.
func sharedDir(t *testing.T, rel string) string {
	t.Helper()
	base := os.Getenv("MODELROUTER_SHARED")
	if base == "" {
		base = filepath.Join("..", "..", "shared")
	}
	p := filepath.Join(base, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s not available: %v", p, err)
	}
	return p
}

type datasetItem struct {
	Prompt   string `json:"prompt"`
	Messages []struct {
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	InputTokens int  `json:"input_tokens"`
	Estimated   bool `json:"input_tokens_estimated"`
}

// text is what input_tokens counts: the prompt, or every message's content
// joined by newlines for multi-turn items.
func (it datasetItem) text() string {
	if len(it.Messages) == 0 {
		return it.Prompt
	}
	parts := make([]string, len(it.Messages))
	for i, m := range it.Messages {
		var s string
		if json.Unmarshal(m.Content, &s) != nil {
			s = string(m.Content)
		}
		parts[i] = s
	}
	return strings.Join(parts, "\n")
}

func readItems(t *testing.T, dir string) []datasetItem {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "items.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	var items []datasetItem
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var it datasetItem
		require.NoError(t, json.Unmarshal(sc.Bytes(), &it))
		if !it.Estimated && it.InputTokens > 0 {
			items = append(items, it)
		}
	}
	require.NoError(t, sc.Err())
	return items
}

// canonicalProfile applies the profile naming contract's rules 1-4
// (/work/notes/profiles.md): lowercase, "_" -> ".", drop "@provider", drop a
// leading "meta-". The catalog only uses profiles these rules reach, so it
// does not depend on training's alias table.
func canonicalProfile(id string) string {
	s := strings.ReplaceAll(strings.ToLower(id), "_", ".")
	if i := strings.Index(s, "@"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimPrefix(s, "meta-")
}
