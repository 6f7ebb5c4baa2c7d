package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readConfigString(doc string) (*serveFile, error) {
	return readServeFile(strings.NewReader(doc), func(string) string { return "" })
}

// encoding/json keeps the last of two equal keys: the first provider entry
// or setting would vanish without a word.
func TestConfigFileRefusesAKeyGivenTwice(t *testing.T) {
	for doc, want := range map[string]string{
		`{"addr": "127.0.0.1:1", "addr": "127.0.0.1:2"}`:                                            "addr is given twice",
		`{"providers": {"openai": {"api_key": "a"}, "openai": {"base_url": "http://127.0.0.1:9"}}}`: "providers.openai is given twice",
		`{"providers": {"openai": {"api_key": "a", "api_key": "b"}}}`:                               "providers.openai.api_key is given twice",
	} {
		_, err := readConfigString(doc)
		require.Error(t, err, doc)
		assert.Contains(t, err.Error(), want, doc)
	}
}

// encoding/json matches field names without regard to case; the file's
// keys are documented lower case, and a file that only works by that
// leniency is refused with the spelling to use.
func TestConfigFileKeysAreCaseSensitive(t *testing.T) {
	for doc, want := range map[string]string{
		`{"Addr": "127.0.0.1:1"}`:                           `config: Addr: keys are case-sensitive; write "addr"`,
		`{"providers": {"openai": {"API_KEY": "a"}}}`:       `providers.openai.API_KEY: keys are case-sensitive; write "api_key"`,
		`{"max_body": 10, "Require_Keys": true, "db": "x"}`: `Require_Keys: keys are case-sensitive; write "require_keys"`,
	} {
		_, err := readConfigString(doc)
		require.Error(t, err, doc)
		assert.Contains(t, err.Error(), want, doc)
	}
	// Provider names are the user's to choose (and checked elsewhere), and
	// a valid file is read as before.
	f, err := readConfigString(`{"addr": "127.0.0.1:1", "providers": {"OpenAI": {"api_key": "a"}, "openai": {"api_key": "b"}}}`)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:1", *f.Addr)
	assert.Len(t, f.Providers, 2)
}
