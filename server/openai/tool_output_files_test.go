package openai

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Responses function_call_output's `output` may be an array of input
// parts, input_file included (a tool that returns a PDF): the model must
// read the file as surely as one in a user message, so the request needs a
// model with capabilities.files, and an image one with vision.
func TestFileInFunctionCallOutputIsCounted(t *testing.T) {
	body := `{"model":"model-router","input":[
	 {"role":"user","content":"Summarize the report the tool fetches."},
	 {"type":"function_call","call_id":"call_1","name":"fetch_report","arguments":"{}"},
	 {"type":"function_call_output","call_id":"call_1","output":[
	   {"type":"input_file","filename":"report.pdf","file_data":"data:application/pdf;base64,JVBERi0xLjQ="}]}]}`
	r, err := Parse(Responses, []byte(body))
	require.NoError(t, err)
	assert.Equal(t, 1, r.Files, "the tool's PDF must make the request need a model that reads files")
	assert.Zero(t, r.Images)
	assert.Contains(t, inputText(r), "Summarize the report")

	text := `{"model":"model-router","input":[{"role":"user","content":"hi"},
	 {"type":"function_call_output","call_id":"call_1","output":[{"type":"input_text","text":"sunny and 21 C"},
	   {"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="}]}]}`
	r, err = Parse(Responses, []byte(text))
	require.NoError(t, err)
	assert.Equal(t, 1, r.Images)
	assert.Contains(t, inputText(r), "sunny and 21 C", "the tool's text is read as text")
}
