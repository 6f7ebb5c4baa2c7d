package jsonscan

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWholeUTF8ReadsAStringAsEncodingJSONDoes: each byte that begins no
// UTF-8 sequence becomes one U+FFFD, as encoding/json (and so every
// translation) reads it; valid text, an encoded U+FFFD included, is kept.
func TestWholeUTF8ReadsAStringAsEncodingJSONDoes(t *testing.T) {
	for _, s := range []string{"", "plain", "hi \xff there", "ok \xe2\x82", "\xed\xa0\x80", "\xc0\xaf",
		"caf\xe9", "😀 中文 \xfe", "\xf5\x80\x80\x80", "\uFFFD kept", "\xff\xff", "end \xf0\x9f\x98"} {
		var want string
		require.NoError(t, json.Unmarshal([]byte(`"`+s+`"`), &want), "%q", s)
		got := WholeUTF8([]byte(`"` + s + `"`))
		assert.True(t, utf8.Valid(got), "%q", got)
		assert.Equal(t, `"`+want+`"`, string(got), "%q", s)
	}
	valid := []byte(`{"text":"ok"}`)
	assert.Same(t, &valid[0], &WholeUTF8(valid)[0], "valid UTF-8 is not copied")
}
