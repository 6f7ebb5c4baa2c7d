package upstream

import (
	"bytes"
	"encoding/base64"
	"strings"

	"github.com/modelrouter/modelrouter/router"
)

// fileSource is what an OpenAI file part gives of its file: Chat's `file`
// part has file_data, file_id and filename; Responses' `input_file` has
// file_url too.
type fileSource struct {
	FileData string `json:"file_data"`
	FileID   string `json:"file_id"`
	FileURL  string `json:"file_url"`
	Filename string `json:"filename"`
}

// documentBlock is a file part as a Claude `document` block: base64 data
// as a base64 source (Claude reads it as a PDF, so only a PDF goes), a URL
// as a url source, which Anthropic fetches, and the filename as its title,
// which Claude reads beside the document. A file_id names a file uploaded
// to OpenAI, which Claude cannot fetch (such a call leaves Claude out
// before routing; this error is for a call that names Claude anyway). part
// and who name the part and the model in an error.
func documentBlock(f fileSource, part, who string) (block, error) {
	var src block
	switch {
	case f.FileData != "":
		data, mediaType := f.FileData, ""
		if rest, ok := strings.CutPrefix(data, "data:"); ok {
			meta, payload, found := strings.Cut(rest, ",")
			declared, isBase64 := strings.CutSuffix(meta, ";base64")
			if !found || !isBase64 {
				return nil, router.Errorf(router.EInvalid, "%s part's file_data must be base64 data (data:application/pdf;base64,...)", part)
			}
			data, mediaType = payload, declared
		}
		if data == "" {
			// Anthropic answers an empty document with a 400 that no
			// failover follows; named here, Claude is skipped instead.
			return nil, router.Errorf(router.EInvalid, "%s part's file_data holds no data", part)
		}
		if mediaType != "application/pdf" && !isPDF(data) {
			if mediaType == "" {
				mediaType = "unknown"
			}
			return nil, router.Errorf(router.EInvalid, "%s part of media type %s is not supported by %s: Claude reads PDF files only", part, quotedCut(mediaType), who)
		}
		src = block{"type": "base64", "media_type": "application/pdf", "data": data}
	case f.FileURL != "":
		src = block{"type": "url", "url": f.FileURL}
	case f.FileID != "":
		return nil, router.Errorf(router.EInvalid, "%s part's file_id names a file stored at OpenAI, which %s cannot read: send the file as file_data", part, who)
	default:
		return nil, router.Errorf(router.EInvalid, "%s part without file_data", part)
	}
	b := block{"type": "document", "source": src}
	if f.Filename != "" {
		b["title"] = cutRunes(f.Filename, maxDocumentTitle)
	}
	return b, nil
}

// isPDF reports whether base64 data starts as a PDF does ("%PDF-"): a
// client may send a PDF as bare base64 or under another media type
// (application/octet-stream), which OpenAI reads as the PDF it is.
func isPDF(data string) bool {
	head, err := base64.StdEncoding.DecodeString(data[:min(len(data), 8)/4*4])
	return err == nil && bytes.HasPrefix(head, []byte("%PDF-"))
}

// maxDocumentTitle is the most characters Anthropic takes in a document's
// title (its API's maxLength); a longer one is a 400 that no failover
// follows, and a filename is only a hint, so it is cut instead.
const maxDocumentTitle = 500

// cutRunes returns s's first n characters (code points, as Anthropic
// counts them), whole.
func cutRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
