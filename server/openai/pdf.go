package openai

import (
	"bytes"
	"encoding/base64"
	"strings"
)

// filePages estimates how many pages a file part holds, for the input
// token estimate: providers bill a PDF page by page (its text and an image
// of it). It counts the page objects ("/Type /Page") a base64 PDF, given
// as a data URL or bare, shows in the clear. A PDF that keeps them in
// compressed object streams shows none, and a file given by id or URL is
// never fetched: each counts as one page, so the estimate errs low.
func filePages(fileData string) int {
	if _, data, ok := strings.Cut(fileData, ";base64,"); ok {
		fileData = data
	}
	if fileData == "" {
		return 1
	}
	pdf, err := base64.StdEncoding.DecodeString(fileData)
	if err != nil {
		if pdf, err = base64.RawStdEncoding.DecodeString(fileData); err != nil {
			return 1
		}
	}
	return max(pageObjects(pdf), 1)
}

// pageObjects counts "/Type /Page" (any space between, "/Type/Page" too)
// not followed by a letter, which leaves out the "/Type /Pages" tree nodes.
func pageObjects(pdf []byte) int {
	n := 0
	for i := 0; ; {
		j := bytes.Index(pdf[i:], []byte("/Page"))
		if j < 0 {
			return n
		}
		at := i + j
		i = at + len("/Page")
		if i < len(pdf) && isLetter(pdf[i]) {
			continue
		}
		before := bytes.TrimRight(pdf[:at], " \t\r\n\f\x00")
		if bytes.HasSuffix(before, []byte("/Type")) {
			n++
		}
	}
}

func isLetter(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }
