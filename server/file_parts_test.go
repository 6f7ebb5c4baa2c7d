package server

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A `file` content part (a PDF, by file_data or file_id) needs a model that
// reads files; DeepSeek's API takes text parts only ("unknown variant
// `image_url`, expected `text`"), and so do other text-only models, whose
// 400 would reach the client without failover. So a file part, like an
// image part, leaves a text-only model ("nano" here) out before routing:
// no_eligible, saying why, with nothing sent.
func TestFilePartsNeedAModelThatReadsThem(t *testing.T) {
	srv, _, _ := newTestServer(t, nil)
	h := srv.Handler()
	image := `{"model":"model-router","messages":[{"role":"user","content":[{"type":"text","text":"Summarize"},` +
		`{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}],"routing_config":{"models":["nano"]}}`
	w := do(h, http.MethodPost, "/v1/route", image)
	assert.Equal(t, http.StatusBadRequest, w.Code, "image part to a text-only model: %s", w.Body.String())

	file := `{"model":"model-router","messages":[{"role":"user","content":[{"type":"text","text":"Summarize"},` +
		`{"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0xLjQ="}}]}],"routing_config":{"models":["nano"]}}`
	w = do(h, http.MethodPost, "/v1/route", file)
	assert.Equal(t, http.StatusBadRequest, w.Code, "file part to a text-only model: %s", w.Body.String())
	assert.Contains(t, w.Body.String(), "excluded: no file (PDF) input support")

	inputFile := `{"model":"model-router","input":[{"role":"user","content":[{"type":"input_text","text":"Summarize"},` +
		`{"type":"input_file","filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0xLjQ="}]}],"routing_config":{"models":["nano"]}}`
	w = do(h, http.MethodPost, "/v1/responses", inputFile)
	assert.Equal(t, http.StatusBadRequest, w.Code, "input_file part to a text-only model: %s", w.Body.String())
}

// A PDF's pages count toward the input estimate (2,000 tokens a page by
// default): count_tokens reports them, and a document too long for a
// model's context window leaves that model out instead of failing at the
// provider.
func TestPDFPagesCountTowardTheInputEstimate(t *testing.T) {
	srv, _, _ := newTestServer(t, nil)
	h := srv.Handler()
	pdf := func(pages int) string {
		var b strings.Builder
		b.WriteString("%PDF-1.4\n")
		for i := range pages {
			fmt.Fprintf(&b, "%d 0 obj << /Type /Page >> endobj\n", i+1)
		}
		return base64.StdEncoding.EncodeToString([]byte(b.String()))
	}
	body := func(pages int) string {
		return `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":[
			{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"` + pdf(pages) + `"}},
			{"type":"text","text":"Summarize"}]}]}`
	}
	tokens := func(pages int) int {
		w := do(h, http.MethodPost, "/anthropic/v1/messages/count_tokens", body(pages))
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		var got struct {
			InputTokens int `json:"input_tokens"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
		return got.InputTokens
	}
	assert.Equal(t, 4*2000, tokens(5)-tokens(1))

	// 70 pages is 140,000 tokens: over the test models' 128,000.
	w := do(h, http.MethodPost, "/v1/messages", body(70))
	assert.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), "context window")
}
