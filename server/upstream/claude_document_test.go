package upstream_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// pdfBase64 is "%PDF-1.4\n" in base64: the start of a PDF.
const pdfBase64 = "JVBERi0xLjQK"

// A PDF reaches Claude as a `document` block, its filename the title, from
// a Chat `file` part, a Responses `input_file` (a Responses client's own,
// or a tool's output, as the OpenAI Agents SDK sends a tool's PDF, which
// Anthropic takes inside a tool_result) and by URL, which Anthropic
// fetches. A PDF sent as bare base64 or under another media type is read
// by its bytes, as OpenAI reads it.
func TestPDFFilePartsReachClaudeAsDocumentBlocks(t *testing.T) {
	doc := `{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"` + pdfBase64 + `"},"title":"report.pdf"}`
	for _, tt := range []struct{ name, body, want string }{
		{"chat file part",
			`{"model":"r","messages":[{"role":"user","content":[{"type":"text","text":"Summarize"},` +
				`{"type":"file","file":{"filename":"report.pdf","file_data":"data:application/pdf;base64,` + pdfBase64 + `"}}]}]}`,
			`[{"role":"user","content":[{"type":"text","text":"Summarize"},` + doc + `]}]`},
		{"chat file part as octet-stream",
			`{"model":"r","messages":[{"role":"user","content":[{"type":"file","file":{"filename":"report.pdf","file_data":"data:application/octet-stream;base64,` + pdfBase64 + `"}}]}]}`,
			`[{"role":"user","content":[` + doc + `]}]`},
		{"responses input_file",
			`{"model":"r","input":[{"role":"user","content":[{"type":"input_file","filename":"report.pdf","file_data":"data:application/pdf;base64,` + pdfBase64 + `"}]}]}`,
			`[{"role":"user","content":[` + doc + `]}]`},
		{"responses input_file as bare base64",
			`{"model":"r","input":[{"role":"user","content":[{"type":"input_file","filename":"report.pdf","file_data":"` + pdfBase64 + `"}]}]}`,
			`[{"role":"user","content":[` + doc + `]}]`},
		{"responses input_file by url",
			`{"model":"r","input":[{"role":"user","content":[{"type":"input_file","file_url":"https://example.com/a.pdf"}]}]}`,
			`[{"role":"user","content":[{"type":"document","source":{"type":"url","url":"https://example.com/a.pdf"}}]}]`},
		{"function_call_output with an input_file",
			`{"model":"r","input":[{"role":"user","content":"Read the report"},` +
				`{"type":"function_call","call_id":"call_1","name":"fetch","arguments":"{}"},` +
				`{"type":"function_call_output","call_id":"call_1","output":[{"type":"input_file","filename":"report.pdf","file_data":"data:application/pdf;base64,` + pdfBase64 + `"}]}]}`,
			`[{"role":"user","content":[{"type":"text","text":"Read the report"}]},` +
				`{"role":"assistant","content":[{"type":"tool_use","id":"call_1","name":"fetch","input":{}}]},` +
				`{"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":[` + doc + `]}]}]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out []byte
			var err error
			if strings.Contains(tt.body, `"messages"`) { // Chat Completions
				out, err = upstream.ToAnthropic([]byte(tt.body), claudeModel)
			} else {
				out, err = upstream.ResponsesToAnthropic([]byte(tt.body), claudeModel)
			}
			require.NoError(t, err)
			var sent struct {
				Messages json.RawMessage `json:"messages"`
			}
			require.NoError(t, json.Unmarshal(out, &sent))
			assert.JSONEq(t, tt.want, string(sent.Messages))
		})
	}
}

// What Claude cannot read is refused, named: a file uploaded to OpenAI
// (file_id; such a call leaves Claude out before routing, so this is for a
// call that names Claude anyway) and a file that is no PDF.
func TestFilePartsClaudeCannotReadAreRefused(t *testing.T) {
	for _, tt := range []struct{ name, body, want string }{
		{"chat file_id", `{"model":"r","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-abc"}}]}]}`,
			"messages[0]: file part's file_id names a file stored at OpenAI, which Anthropic models cannot read: send the file as file_data"},
		{"chat text file", `{"model":"r","messages":[{"role":"user","content":[{"type":"file","file":{"filename":"a.txt","file_data":"data:text/plain;base64,aGVsbG8="}}]}]}`,
			`messages[0]: file part of media type "text/plain" is not supported by Anthropic models: Claude reads PDF files only`},
		{"chat bare base64 not a PDF", `{"model":"r","messages":[{"role":"user","content":[{"type":"file","file":{"file_data":"aGVsbG8="}}]}]}`,
			`file part of media type "unknown" is not supported`},
		{"chat empty PDF", `{"model":"r","messages":[{"role":"user","content":[{"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,"}}]}]}`,
			"messages[0]: file part's file_data holds no data"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := upstream.ToAnthropic([]byte(tt.body), claudeModel)
			require.Error(t, err, "%s", out)
			assert.Equal(t, router.EInvalid, router.ErrorCode(err))
			assert.Contains(t, router.ErrorMessage(err), tt.want)
		})
	}
}

// Anthropic takes a document's title of at most 500 characters and answers
// a longer one with a 400 that no failover follows: a longer filename is
// cut to its first 500 characters (not bytes, so no character is split).
func TestPDFTitleIsCutToAnthropicsLimit(t *testing.T) {
	name := strings.Repeat("é", 600) + ".pdf"
	body := `{"model":"r","messages":[{"role":"user","content":[{"type":"file","file":{"filename":"` + name + `","file_data":"data:application/pdf;base64,` + pdfBase64 + `"}}]}]}`
	out, err := upstream.ToAnthropic([]byte(body), claudeModel)
	require.NoError(t, err)
	var sent struct {
		Messages []struct {
			Content []struct {
				Title string `json:"title"`
			} `json:"content"`
		} `json:"messages"`
	}
	require.NoError(t, json.Unmarshal(out, &sent))
	assert.Equal(t, strings.Repeat("é", 500), sent.Messages[0].Content[0].Title)
}

// A tool's output of text and PDFs reaches Claude's tool_result in the
// order the tool wrote them, as a message's parts do.
func TestPDFPartsKeepTheirPlaceAmongTexts(t *testing.T) {
	file := `{"type":"input_file","filename":"a.pdf","file_data":"data:application/pdf;base64,` + pdfBase64 + `"}`
	doc := `{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"` + pdfBase64 + `"},"title":"a.pdf"}`
	parts := `[{"type":"input_text","text":"first"},` + file + `,{"type":"input_text","text":"last"}]`
	want := `[{"type":"text","text":"first"},` + doc + `,{"type":"text","text":"last"}]`
	out, err := upstream.ResponsesToAnthropic([]byte(`{"model":"r","input":[{"role":"user","content":`+parts+`},`+
		`{"type":"function_call","call_id":"c","name":"f","arguments":"{}"},`+
		`{"type":"function_call_output","call_id":"c","output":`+parts+`}]}`), claudeModel)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"role":"user","content":`+want+`},`+
		`{"role":"assistant","content":[{"type":"tool_use","id":"c","name":"f","input":{}}]},`+
		`{"role":"user","content":[{"type":"tool_result","tool_use_id":"c","content":`+want+`}]}]`,
		sentMessages(t, out))
}

func sentMessages(t *testing.T, out []byte) string {
	t.Helper()
	var sent struct {
		Messages json.RawMessage `json:"messages"`
	}
	require.NoError(t, json.Unmarshal(out, &sent))
	return string(sent.Messages)
}
