package openai

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pdfWithPages is a minimal PDF body: a page tree and n page objects, the
// spacing varied as PDF writers vary it.
func pdfWithPages(n int) string {
	var b strings.Builder
	b.WriteString("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n")
	fmt.Fprintf(&b, "2 0 obj << /Type /Pages /Kids [] /Count %d >> endobj\n", n)
	for i := range n {
		sep := []string{" ", "", "\n", "  \r\n"}[i%4]
		fmt.Fprintf(&b, "%d 0 obj << /Type%s/Page /Parent 2 0 R >> endobj\n", i+3, sep)
	}
	b.WriteString("%%EOF\n")
	return b.String()
}

func TestFilePagesCountsThePageObjectsOfABase64PDF(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte(pdfWithPages(7)))
	assert.Equal(t, 7, filePages("data:application/pdf;base64,"+b64), "data URL")
	assert.Equal(t, 7, filePages(b64), "bare base64")
	assert.Equal(t, 7, filePages(strings.TrimRight(b64, "=")), "base64 without padding")
	assert.Equal(t, 0, pageObjects([]byte(pdfWithPages(0))), "the /Pages tree node is not a page")
	assert.Equal(t, 0, pageObjects([]byte("/Type /PageLabels /Page")), "a longer name, and /Page without /Type, are not pages")

	// What it cannot count is one page: a file by id or URL, compressed
	// page objects, data that is not base64.
	for _, data := range []string{"", "data:application/pdf;base64,", "not base64 at all!",
		base64.StdEncoding.EncodeToString([]byte("%PDF-1.7 compressed object streams"))} {
		assert.Equal(t, 1, filePages(data), "%q", data)
	}
}

// The pages of a PDF reach the request in each API's form: Chat's file
// part, Responses' input_file part and item, Messages' document block.
func TestRequestsCountTheirPDFPages(t *testing.T) {
	pdf := "data:application/pdf;base64," + base64.StdEncoding.EncodeToString([]byte(pdfWithPages(5)))
	raw := base64.StdEncoding.EncodeToString([]byte(pdfWithPages(4)))
	for _, tc := range []struct {
		name  string
		api   API
		body  string
		files int
		pages int
	}{
		{"chat file_data", Chat, `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"Summarize"},
			{"type":"file","file":{"filename":"a.pdf","file_data":"` + pdf + `"}}]}]}`, 1, 5},
		{"chat file_id", Chat, `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"Summarize"},
			{"type":"file","file":{"file_id":"file-abc"}}]}]}`, 1, 1},
		{"responses part", Responses, `{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"Summarize"},
			{"type":"input_file","filename":"a.pdf","file_data":"` + pdf + `"},{"type":"input_file","file_url":"https://example.com/b.pdf"}]}]}`, 2, 6},
		{"responses item", Responses, `{"model":"m","input":[{"type":"input_file","filename":"a.pdf","file_data":"` + pdf + `"}]}`, 1, 5},
		{"messages document", Messages, `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[
			{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"` + raw + `"}},
			{"type":"document","source":{"type":"url","url":"https://example.com/b.pdf"}},
			{"type":"document","source":{"type":"text","media_type":"text/plain","data":"plain text is counted as text"}},
			{"type":"text","text":"Summarize"}]}]}`, 0, 5},
	} {
		r, err := Parse(tc.api, []byte(tc.body))
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.files, r.Files, tc.name)
		assert.Equal(t, tc.pages, r.FilePages, tc.name)
	}

	_, err := Parse(Chat, []byte(`{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_data":7}}]}]}`))
	require.Error(t, err, "file_data must be a string")
}

// What counting costs on the request path, for a PDF of about 10 MB.
func BenchmarkFilePages10MB(b *testing.B) {
	page := pdfWithPages(1) + strings.Repeat("BT /F1 12 Tf (some page text) Tj ET\n", 2000)
	data := "data:application/pdf;base64," + base64.StdEncoding.EncodeToString([]byte(strings.Repeat(page, 10<<20/len(page))))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		filePages(data)
	}
}

// BenchmarkFilePagesOfRepeatedPageObjects reads a 1 MiB "PDF" that is
// "/Type/Page" over and over, outside any object: each match looked for
// its object's opening keyword across 4 KB, so a body of them took
// seconds.
func BenchmarkFilePagesOfRepeatedPageObjects(b *testing.B) {
	data := base64.StdEncoding.EncodeToString([]byte("%PDF-1.4\n" + strings.Repeat("/Type/Page ", 100_000)))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if n := filePages(data); n != 100_000 {
			b.Fatalf("%d pages", n)
		}
	}
}
