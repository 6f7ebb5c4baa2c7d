package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
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
