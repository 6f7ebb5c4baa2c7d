package upstream_test

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// Claude checks an image's declared media type against its bytes and
// refuses a mismatch with a 400 ("The image was specified using the
// image/png media type, but the image appears to be a image/jpeg image"),
// and takes only image/jpeg, png, gif and webp (not "image/jpg"). OpenAI
// reads the bytes whatever the data URL says, so OpenAI clients send
// either; the translation names the type the bytes are.
func TestImagesReachClaudeWithTheMediaTypeOfTheirBytes(t *testing.T) {
	magic := map[string][]byte{
		"image/jpeg": {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01},
		"image/png":  {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D},
		"image/gif":  []byte("GIF89a\x01\x00\x01\x00\x80\x00"),
		"image/webp": []byte("RIFF\x24\x00\x00\x00WEBPVP8 "),
	}
	for _, tt := range []struct{ name, declared, bytesOf, want string }{
		{"jpeg bytes declared png", "image/png", "image/jpeg", "image/jpeg"},
		{"jpeg declared as image/jpg", "image/jpg", "image/jpeg", "image/jpeg"},
		{"png declared jpeg", "image/jpeg", "image/png", "image/png"},
		{"webp declared png", "image/png", "image/webp", "image/webp"},
		{"gif declared jpeg", "image/jpeg", "image/gif", "image/gif"},
		{"png declared png", "image/png", "image/png", "image/png"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := base64.StdEncoding.EncodeToString(append(magic[tt.bytesOf], make([]byte, 40)...))
			url := "data:" + tt.declared + ";base64," + data

			chat := `{"model":"r","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"` + url + `"}}]}]}`
			out, err := upstream.ToAnthropic([]byte(chat), claudeModel)
			require.NoError(t, err)
			assert.Equal(t, tt.want, sourceOf(t, out).MediaType, "Chat Completions")

			resp := `{"model":"r","input":[{"role":"user","content":[{"type":"input_image","image_url":"` + url + `"}]}]}`
			out, err = upstream.ResponsesToAnthropic([]byte(resp), claudeModel)
			require.NoError(t, err)
			src := sourceOf(t, out)
			assert.Equal(t, tt.want, src.MediaType, "Responses")
			assert.Equal(t, data, src.Data, "the data goes as it came")
		})
	}
}

// Bytes of no type Claude takes keep the type the client gave: Claude's
// refusal then names it. A WebP file is a RIFF file whose form type is
// WEBP; "WEBP" at byte 8 without the RIFF header before it is no WebP.
func TestImagesOfAnUnknownTypeKeepTheirDeclaredType(t *testing.T) {
	for _, tt := range []struct {
		name, declared string
		bytes          []byte
	}{
		{"bmp", "image/bmp", []byte("BM6\x00\x00\x00\x00\x00\x00\x006\x00\x00\x00")},
		{"WEBP without a RIFF header", "image/png", append([]byte("RIFX\x24\x00\x00\x00WEBPVP8 "), make([]byte, 40)...)},
		{"WEBP after zeros", "image/png", append([]byte("\x00\x00\x00\x00\x24\x00\x00\x00WEBPVP8 "), make([]byte, 40)...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url := "data:" + tt.declared + ";base64," + base64.StdEncoding.EncodeToString(tt.bytes)
			chat := `{"model":"r","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"` + url + `"}}]}]}`
			out, err := upstream.ToAnthropic([]byte(chat), claudeModel)
			require.NoError(t, err)
			assert.Equal(t, tt.declared, sourceOf(t, out).MediaType)
		})
	}
}

type imageSourceOut struct {
	Type      string `json:"type"`
	MediaType string `json:"media_type"`
	Data      string `json:"data"`
}

func sourceOf(t *testing.T, body []byte) imageSourceOut {
	t.Helper()
	var b struct {
		Messages []struct {
			Content []struct {
				Source imageSourceOut `json:"source"`
			} `json:"content"`
		} `json:"messages"`
	}
	require.NoError(t, json.Unmarshal(body, &b), "%s", body)
	require.NotEmpty(t, b.Messages, "%s", body)
	require.NotEmpty(t, b.Messages[0].Content, "%s", body)
	src := b.Messages[0].Content[0].Source
	require.Equal(t, "base64", src.Type, "%s", body)
	return src
}
