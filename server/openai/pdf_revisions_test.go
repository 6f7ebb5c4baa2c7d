package openai

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A PDF saved with an incremental update (annotations added, a form
// filled, a signature applied) appends a new version of each page object
// it changes, under the same object number. "/Type /Page" then occurs 4
// times in a 2-page file: each object counts once.
func TestFilePagesCountsAPageRewrittenByAnIncrementalUpdateOnce(t *testing.T) {
	pdf := "%PDF-1.7\n" +
		"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
		"2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >> endobj\n" +
		"3 0 obj << /Type /Page /Parent 2 0 R >> endobj\n" +
		"4 0 obj << /Type /Page /Parent 2 0 R >> endobj\n" +
		"xref\n0 5\ntrailer << /Root 1 0 R /Size 5 >>\nstartxref\n0\n%%EOF\n" +
		// incremental update: both pages get an annotation
		"3 0 obj << /Type /Page /Parent 2 0 R /Annots [5 0 R] >> endobj\n" +
		"4 0 obj << /Type /Page /Parent 2 0 R /Annots [6 0 R] >> endobj\n" +
		"5 0 obj << /Type /Annot /Subtype /Text >> endobj\n" +
		"6 0 obj << /Type /Annot /Subtype /Text >> endobj\n" +
		"xref\n0 7\ntrailer << /Root 1 0 R /Size 7 /Prev 0 >>\nstartxref\n0\n%%EOF\n"
	assert.Equal(t, 2, filePages(base64.StdEncoding.EncodeToString([]byte(pdf))),
		"the document has 2 pages (/Count 2)")
}

// Only a PDF has pages: a Responses input_file that is a text file (a
// 40 KB dump of a PDF's objects, asking why a parser sees so many pages)
// counts as one, not as the 1,200 page dictionaries it quotes, which at
// 2,000 tokens each would exceed every model's context.
func TestANonPDFFileIsNotCountedAsPDFPages(t *testing.T) {
	dump := strings.Repeat("<< /Type /Page /Parent 2 0 R >>\n", 1200) // ~40 KB of text
	body := `{"model":"m","input":[{"role":"user","content":[
		{"type":"input_text","text":"Why does my parser see so many pages?"},
		{"type":"input_file","filename":"objects.txt","file_data":"data:text/plain;base64,` +
		base64.StdEncoding.EncodeToString([]byte(dump)) + `"}]}]}`
	r, err := Parse(Responses, []byte(body))
	require.NoError(t, err)
	assert.LessOrEqual(t, r.FilePages, 1, "a text file is no PDF: %d pages = %d estimated tokens", r.FilePages, r.FilePages*2000)
}
